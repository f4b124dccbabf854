import { createHash } from 'node:crypto';

/**
 * The outbox's unpublished index (shared/db/outbox.ts holds its access patterns): the keys every
 * entry is written with, both kinds, while it waits to be published. No DynamoDB command, in a module
 * of its own, because intake writes them on every webhook it records and a function's DynamoDB grants
 * follow the modules it imports (docs/design.md#topology): intake reaches neither the outbox's writes
 * nor the publisher's.
 */
export const unpublishedPrefix = 'OUTBOX#UNPUBLISHED#';
export const unpublishedShards = 4;
const shardOf = (eventId: string) =>
  createHash('sha256').update(eventId).digest().readUInt8(0) % unpublishedShards;

export const unpublishedKey = (createdAt: string, eventId: string) => ({
  gsi2pk: `${unpublishedPrefix}${shardOf(eventId)}`,
  gsi2sk: `${createdAt}#${eventId}`,
});

/** A published outbox item is kept this long, for questions about what was published, then expires (TTL). */
export const publishedRetentionSeconds = 7 * 24 * 3600;
