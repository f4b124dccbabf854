import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../events/outbox.ts';
import type { Outlet } from '../outlets.ts';
import { writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts, WriteConflictError } from './conflicts.ts';
import { writeWithOutbox } from './outbox.ts';
import { outletKey, suppressionKey, unsubscriptionKey } from './outlet-items.ts';

/**
 * The addresses that must get no mail: unsubscribed (campaign mail) or suppressed (a hard bounce or a
 * complaint). Both are kept by address, apart from the outlet, so a deleted and re-created outlet
 * keeps them; the outlet carries a copy for reading.
 */

export type UnsubscribeResult =
  | { state: 'missing' }
  /** The outlet has another address now than the one that was mailed: the outlet itself stays subscribed. */
  | { state: 'moved' }
  | { state: 'unsubscribed' | 'already'; outlet: Outlet };

export interface SuppressionResult {
  /** True when this call suppressed the address (and wrote its outbox entries); false when it was suppressed before. */
  suppressedNow: boolean;
  outletId?: string;
  reason: 'bounce' | 'complaint';
  detail?: string;
}

export interface Suppression {
  email: string;
  reason: 'bounce' | 'complaint';
  detail?: string;
  at: string;
}

export interface OptOuts {
  /**
   * Unsubscribes the outlet and opts out its address, with `outbox` (the events the transition leads
   * to) in the same transaction; when it was unsubscribed before, nothing is written. With `mailedTo`
   * (the address the mail went to), only while the outlet still has that address: an opt-out follows
   * the address that was mailed.
   */
  markUnsubscribed(
    outletId: string,
    at: string,
    outbox: OutboxEntry[],
    mailedTo?: string,
  ): Promise<UnsubscribeResult>;
  /**
   * Opts out the address when the outlet it was mailed through is gone or has moved away: an outlet
   * later given the address starts unsubscribed, and the outlet that holds it now (the same person,
   * docs/design.md#exactly-once-mail) is unsubscribed with `outboxFor(its id)` in the same write, as `markUnsubscribed` does.
   */
  markAddressUnsubscribed(
    email: string,
    at: string,
    outboxFor: (outletId: string) => OutboxEntry[],
  ): Promise<void>;
  /**
   * Suppresses the address (once: the first suppression is kept) with `outbox` in the same write, and
   * marks its outlet; `outbox` is written only by the call that suppresses it.
   */
  suppress(suppression: Suppression, outbox: OutboxEntry[]): Promise<SuppressionResult>;
  isSuppressed(email: string): Promise<boolean>;
  /** Whether the address is opted out of campaign mail (unsubscribed), whether or not an outlet holds it now. */
  isUnsubscribed(email: string): Promise<boolean>;
}

/** The outlet reads opt-outs need: the outlet by id, and the outlet that owns an address. */
export interface OutletLookup {
  get(outletId: string): Promise<Outlet | undefined>;
  ownerOf(email: string): Promise<string | undefined>;
}

export function optOuts(db: DynamoDBDocumentClient, TableName: string, { get, ownerOf }: OutletLookup) {
  const suppressionOf = async (email: string): Promise<Suppression | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: suppressionKey(email), ConsistentRead: true }),
    );
    return Item as Suppression | undefined;
  };

  /** When the address unsubscribed (through any outlet that had it), if it did. */
  const unsubscriptionOf = async (email: string): Promise<{ at: string } | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: unsubscriptionKey(email), ConsistentRead: true }),
    );
    return Item as { at: string } | undefined;
  };

  /** The address's opt-out; the first unsubscribe of the address is the one it keeps. */
  const addressOptOut = (email: string, at: string) => ({
    TableName,
    Key: unsubscriptionKey(email),
    UpdateExpression: 'SET #type = :type, #email = :email, #at = if_not_exists(#at, :at)',
    ExpressionAttributeNames: { '#type': 'type', '#email': 'email', '#at': 'at' },
    ExpressionAttributeValues: { ':type': 'unsubscription', ':email': email, ':at': at },
  });

  const markAddressUnsubscribed: OptOuts['markAddressUnsubscribed'] = async (email, at, outboxFor) => {
    // A plain write: refused while a transaction holds the item (an outlet created on the address
    // checks it), so tried again (docs/design.md#failures-and-retries).
    await retryingConflicts(() => db.send(new UpdateCommand(addressOptOut(email, at))));
    const holder = await ownerOf(email);
    if (holder) await markUnsubscribed(holder, at, outboxFor(holder), email);
  };

  /**
   * Sets the outlet's unsubscribedAt and the address's opt-out together (two items must change
   * together: the outlet's flag alone would be lost with the outlet), with the events of the
   * transition. False when the outlet changed since it was read: it went, it moved to another
   * address, or it was unsubscribed meanwhile.
   */
  const unsubscribeOnce = (current: Outlet, at: string, outbox: OutboxEntry[]): Promise<boolean> =>
    writeWithOutbox(
      db,
      [
        {
          // Invariant: unsubscribedAt is set once; whoever sets it writes the events of the transition.
          Update: {
            TableName,
            Key: outletKey(current.id),
            UpdateExpression: 'SET unsubscribedAt = :at',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(unsubscribedAt) AND #email = :email',
            ExpressionAttributeNames: { '#email': 'email' },
            ExpressionAttributeValues: { ':at': at, ':email': current.email },
          },
        },
        { Update: addressOptOut(current.email, at) },
      ],
      outbox,
      at,
    );

  const markUnsubscribed: OptOuts['markUnsubscribed'] = async (outletId, at, outbox, mailedTo) => {
    for (let attempt = 1; ; attempt++) {
      const current = await get(outletId);
      if (!current) return { state: 'missing' };
      // unsubscribeOnce's condition holds the outlet to this address, so a move meanwhile is seen on retry.
      if (mailedTo !== undefined && current.email !== mailedTo) return { state: 'moved' };
      if (current.unsubscribedAt) return { state: 'already', outlet: current };
      if (await unsubscribeOnce(current, at, outbox))
        return { state: 'unsubscribed', outlet: { ...current, unsubscribedAt: at } };
      // Contention: nothing was written, and the unsubscribe may be sent again (a 503).
      if (attempt >= 3)
        throw new WriteConflictError(3, `outlet ${outletId} kept changing while it was unsubscribed`);
    }
  };

  const suppress: OptOuts['suppress'] = async ({ email, reason, detail, at }, outbox) => {
    // Invariant: an address is suppressed once; the first writer writes the events of the transition.
    const suppressedNow = await writeWithOutbox(
      db,
      [
        {
          Put: {
            TableName,
            Item: {
              ...suppressionKey(email),
              type: 'suppression',
              email,
              reason,
              ...(detail ? { detail } : {}),
              at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      outbox,
      at,
    );
    let result: SuppressionResult = { suppressedNow, reason, ...(detail ? { detail } : {}) };
    if (!suppressedNow) {
      const { Item: item = {} } = await db.send(
        new GetCommand({ TableName, Key: suppressionKey(email), ConsistentRead: true }),
      );
      result = {
        suppressedNow,
        reason: (item.reason as SuppressionResult['reason']) ?? reason,
        ...(item.detail ? { detail: item.detail as string } : {}),
      };
      at = (item.at as string) ?? at;
    }
    // Marked every time (not only on the transition), so a retry after a crash here completes it.
    const outletId = await ownerOf(email);
    if (outletId) {
      const marked = await retryingConflicts(() =>
        writtenUnlessRefused(
          db.send(
            new UpdateCommand({
              TableName,
              Key: outletKey(outletId),
              UpdateExpression:
                'SET suppressedAt = if_not_exists(suppressedAt, :at), suppressionReason = if_not_exists(suppressionReason, :reason)',
              ConditionExpression: 'attribute_exists(pk) AND #email = :email',
              ExpressionAttributeNames: { '#email': 'email' },
              ExpressionAttributeValues: { ':at': at, ':reason': result.reason, ':email': email },
            }),
          ),
        ),
      );
      if (marked) result.outletId = outletId;
    }
    return result;
  };

  const isSuppressed: OptOuts['isSuppressed'] = async (email) => (await suppressionOf(email)) !== undefined;
  const isUnsubscribed: OptOuts['isUnsubscribed'] = async (email) =>
    (await unsubscriptionOf(email)) !== undefined;

  return {
    suppressionOf,
    unsubscriptionOf,
    optOuts: {
      markUnsubscribed,
      markAddressUnsubscribed,
      suppress,
      isSuppressed,
      isUnsubscribed,
    } satisfies OptOuts,
  };
}
