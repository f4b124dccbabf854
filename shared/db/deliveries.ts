import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import type { MailKind } from '#shared/events/mailing-requested.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import { batchGetAll } from './batch-get.ts';
import { isConditionFailure } from './conditions.ts';
import { keyOf, keyParts, nameHash } from './keys.ts';

/**
 * Deliveries: one item per mail Backline means to send, whose identity is the person, not the
 * outlet: the recipient's normalised address + label + release + kind (+ revision, the new date and
 * time, for a date change). Deleting an outlet and importing its address again therefore finds the
 * mails that address already had (see docs/design.md#exactly-once-mail). Claiming it is a
 * conditional put, so one mail is claimed once however often a mailing runs or is replayed. The
 * outlet the mail went to is kept on the item for the views.
 *
 * Access patterns:
 * - a delivery by its id (claim, mark sent; SES events carry it back as the tag `delivery=<id>`;
 *   deliverability marks bounces and complaints): pk `DELIVERY#<deliveryId>`, sk `DELIVERY`.
 *   The id is a hash, so one release's thousands of deliveries spread over as many partitions.
 * - a release's deliveries (management views, counts): gsi1pk `RELEASE_DELIVERIES#<labelId>#<releaseId>#<shard>`,
 *   gsi1sk `<email>#<kind>#<revision>` (escaped by keyParts: an address may hold `#`); `deliveryShards` shards,
 *   so a mailing's burst of claims does not pile onto one index partition (1,000 WCU per partition).
 * - claims still open (the sweep settles those older than the stale window, `staleClaimMs` in
 *   functions/announcer/ports.ts): sparse gsi2pk `MAIL_CLAIMS#<shard>`, gsi2sk
 *   `<claimedAt>#<deliveryId>`; set while `claimed`, removed when settled.
 */
export type DeliveryStatus = 'claimed' | 'sent' | 'failed' | 'bounced' | 'complained';

/** What makes a mail the same mail. `email` is normalised (trimmed, lower-case). */
export interface DeliveryIdentity {
  labelId: string;
  releaseId: string;
  email: string;
  kind: MailKind;
  revision?: string;
}

export interface Delivery extends DeliveryIdentity {
  deliveryId: string;
  /** The outlet that had the address when the mail was claimed (for the views; not part of the identity). */
  outletId: string;
  status: DeliveryStatus;
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
  /**
   * The release as of which label change (its `occurredAt`) the mail was written: an announcement
   * written before the release day moved stated the old date. Absent on deliveries claimed before it was kept.
   */
  releaseAsOf?: string;
  /**
   * How many times the sweep sent it again after a claim stayed open with no evidence of sending:
   * counted when the resend is settled, by the sender or by SES's Email Sent event, whichever comes first.
   */
  resends?: number;
  /** Set while a resend of this claim is under way; settling it adds it to `resends`. */
  resendPending?: number;
  failure?: string;
  updatedAt: string;
}

export const deliveryShards = 8;
const claimShards = 8;

/**
 * Hex only: usable as an SES message tag value (letters, digits, `_`, `-`). The hash is of a JSON
 * tuple, so no choice of ids can make two identities meet (see docs/design.md#unambiguous-keys).
 */
export const deliveryIdOf = (identity: DeliveryIdentity): string =>
  nameHash(
    [
      'delivery',
      identity.labelId,
      identity.releaseId,
      normaliseEmail(identity.email),
      identity.kind,
      identity.revision ?? '',
    ],
    32,
  );

const shardOf = (deliveryId: string, shards: number) => Number.parseInt(deliveryId.slice(0, 4), 16) % shards;

export const deliveryKey = (deliveryId: string) => ({ pk: keyOf('DELIVERY', deliveryId), sk: 'DELIVERY' });

export const releaseDeliveriesKey = (labelId: string, releaseId: string, shard: number) =>
  keyOf('RELEASE_DELIVERIES', labelId, releaseId, shard);

const releaseDeliveriesSort = (identity: DeliveryIdentity) =>
  keyParts(normaliseEmail(identity.email), identity.kind, identity.revision ?? '');

export const openClaimsKey = (shard: number) => keyOf('MAIL_CLAIMS', shard);
const openClaimsSort = (claimedAt: string, deliveryId: string) => keyParts(claimedAt, deliveryId);

const table = () => config().TABLE_NAME;

const strip = (item: Record<string, unknown>): Delivery => {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...delivery } = item;
  return delivery as unknown as Delivery;
};

/**
 * Claims one mail: true if this caller now owns sending it, false if it was claimed before (by a
 * retry, a duplicate event, a concurrent sender): that mail is sent or being sent, never again.
 */
export async function claimDelivery(
  identity: DeliveryIdentity & Pick<Delivery, 'outletId' | 'releaseAsOf'>,
  at: string,
): Promise<Delivery | undefined> {
  const deliveryId = deliveryIdOf(identity);
  const delivery: Delivery = {
    ...identity,
    email: normaliseEmail(identity.email),
    deliveryId,
    status: 'claimed',
    claimedAt: at,
    updatedAt: at,
  };
  try {
    await dynamo().send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...deliveryKey(deliveryId),
          ...delivery,
          gsi1pk: releaseDeliveriesKey(
            identity.labelId,
            identity.releaseId,
            shardOf(deliveryId, deliveryShards),
          ),
          gsi1sk: releaseDeliveriesSort(identity),
          gsi2pk: openClaimsKey(shardOf(deliveryId, claimShards)),
          gsi2sk: openClaimsSort(at, deliveryId),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return delivery;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/**
 * Settles a claim as sent (by the sender, or from SES's Email Sent event). False if it was not open.
 * A resend under way (`resendPending`) is counted here, whichever of the two settles it first.
 */
export async function markDeliverySent(deliveryId: string, messageId: string, at: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: deliveryKey(deliveryId),
        UpdateExpression:
          'SET #status = :sent, messageId = :messageId, sentAt = :at, updatedAt = :at, resends = if_not_exists(resends, :zero) + if_not_exists(resendPending, :zero) REMOVE resendPending, gsi2pk, gsi2sk',
        ConditionExpression: '#status = :claimed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':claimed': 'claimed',
          ':messageId': messageId,
          ':at': at,
          ':zero': 0,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Gives a claim back when SES certainly did not take the mail (throttled, refused before sending),
 * so a later run claims and sends it. Only the claim this caller made (same claimedAt) is removed.
 */
export async function releaseDeliveryClaim(deliveryId: string, claimedAt: string): Promise<void> {
  try {
    await dynamo().send(
      new DeleteCommand({
        TableName: table(),
        Key: deliveryKey(deliveryId),
        ConditionExpression: '#status = :claimed AND claimedAt = :claimedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':claimed': 'claimed', ':claimedAt': claimedAt },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** SES refused this recipient for good (for example MESSAGE_REJECTED): no retry. */
export async function markDeliveryFailed(deliveryId: string, failure: string, at: string): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: deliveryKey(deliveryId),
        UpdateExpression: 'SET #status = :failed, failure = :failure, updatedAt = :at REMOVE gsi2pk, gsi2sk',
        ConditionExpression: '#status = :claimed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':claimed': 'claimed',
          ':failure': failure,
          ':at': at,
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

async function markOutcome(
  deliveryId: string,
  status: 'bounced' | 'complained',
  detail: { at: string; messageId?: string },
): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: deliveryKey(deliveryId),
        UpdateExpression: `SET #status = :status, updatedAt = :at${detail.messageId ? ', messageId = if_not_exists(messageId, :messageId)' : ''} REMOVE gsi2pk, gsi2sk`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':at': detail.at,
          ...(detail.messageId ? { ':messageId': detail.messageId } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** For deliverability: SES reported a bounce for the mail tagged `delivery=<deliveryId>`. False: unknown id. */
export const markDeliveryBounced = (deliveryId: string, detail: { at: string; messageId?: string }) =>
  markOutcome(deliveryId, 'bounced', detail);

/** For deliverability: SES reported a complaint for the mail tagged `delivery=<deliveryId>`. False: unknown id. */
export const markDeliveryComplained = (deliveryId: string, detail: { at: string; messageId?: string }) =>
  markOutcome(deliveryId, 'complained', detail);

export async function getDelivery(deliveryId: string): Promise<Delivery | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: table(), Key: deliveryKey(deliveryId), ConsistentRead: true }),
  );
  return Item ? strip(Item) : undefined;
}

/** Deliveries by id (missing ones are absent from the map). DynamoDB: at most 100 keys per BatchGetItem. */
export async function getDeliveries(deliveryIds: string[]): Promise<Map<string, Delivery>> {
  const items = await batchGetAll(dynamo(), table(), [...new Set(deliveryIds)].map(deliveryKey));
  return new Map(items.map((item) => [item.deliveryId as string, strip(item)]));
}

/** Claims opened before `before` and still open, oldest first per shard, at most `limit` in all. */
export async function staleClaims(before: string, limit: number): Promise<Delivery[]> {
  const stale: Delivery[] = [];
  for (let shard = 0; shard < claimShards && stale.length < limit; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo().send(
        new QueryCommand({
          TableName: table(),
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
          ExpressionAttributeValues: { ':pk': openClaimsKey(shard), ':before': before },
          ExclusiveStartKey: startKey,
          Limit: limit - stale.length,
        }),
      );
      for (const item of page.Items ?? []) stale.push(strip(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && stale.length < limit);
  }
  return stale;
}

/**
 * Takes over a stale claim for a resend: only one sweeper wins (the condition names the claim it saw),
 * and the claim is moved to `at`, so a crash during the resend is swept again once stale.
 * The resend is written from the release as of `releaseAsOf`, which replaces the version the claim had.
 */
export async function reclaimStaleDelivery(
  delivery: Delivery,
  at: string,
  releaseAsOf: string,
): Promise<Delivery | undefined> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: deliveryKey(delivery.deliveryId),
        // resendPending is set, not added: a resend that never reached SES (a crash) and is taken over
        // again is still one resend when it is finally settled.
        UpdateExpression:
          'SET claimedAt = :at, updatedAt = :at, releaseAsOf = :releaseAsOf, resendPending = :one, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
        ConditionExpression: '#status = :claimed AND claimedAt = :previous',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':claimed': 'claimed',
          ':previous': delivery.claimedAt,
          ':at': at,
          ':releaseAsOf': releaseAsOf,
          ':one': 1,
          ':gsi2pk': openClaimsKey(shardOf(delivery.deliveryId, claimShards)),
          ':gsi2sk': openClaimsSort(at, delivery.deliveryId),
        },
      }),
    );
    return { ...delivery, claimedAt: at, updatedAt: at, releaseAsOf, resendPending: 1 };
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Every delivery of a release (all kinds), for the management views. */
export async function releaseDeliveries(labelId: string, releaseId: string): Promise<Delivery[]> {
  const shards = await Promise.all(
    Array.from({ length: deliveryShards }, async (_, shard) => {
      const items: Delivery[] = [];
      const pages = paginateQuery(
        { client: dynamo() },
        {
          TableName: table(),
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': releaseDeliveriesKey(labelId, releaseId, shard) },
        },
      );
      for await (const page of pages) for (const item of page.Items ?? []) items.push(strip(item));
      return items;
    }),
  );
  return shards.flat();
}
