/**
 * The one DynamoDB table (single-table design). CDK and the local cloud both build it from this
 * definition, so the local table cannot drift from the deployed one.
 *
 * Keys are always built by the functions in `shared/db/*`; each lists the access patterns it serves.
 * - `pk`/`sk`: the item's identity.
 * - `gsi1pk`/`gsi1sk` (index `gsi1`): lists in time or name order (a label's webhooks, a release's deliveries, outlets).
 * - `gsi2pk`/`gsi2sk` (index `gsi2`): sparse work queues (outbox entries still unpublished, mail claims still open).
 * - `expiresAt`: TTL in epoch seconds. DynamoDB deletes late (and DynamoDB Local never), so readers filter expired items.
 * - the stream carries each write's new image to the publisher, filtered to outbox entries (see docs/design.md#the-outbox).
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  stream: 'NEW_IMAGE',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

/**
 * Whether an item whose TTL attribute holds `expiresAt` (epoch seconds) has expired at `now`: as
 * DynamoDB counts it, once that time is earlier than now. A reader treats such an item as gone,
 * whether or not the table has deleted it yet (see docs/design.md#dynamodb-locally).
 */
export const expired = (expiresAt: number, now: Date) => expiresAt < Math.floor(now.getTime() / 1000);

export type IndexName = (typeof tableDefinition.indexes)[number]['name'];
