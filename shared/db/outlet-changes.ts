import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import type { OutletInput } from '../outlet-input.ts';
import { keepingLeftOut, type OptionalOutletField, type Outlet, sameDescription } from '../outlets.ts';
import { failedConditions, isConditionFailure } from './conditions.ts';
import { genreKeysOf, outletEmailKey, outletKey, outletListKey } from './outlet-items.ts';
import { DuplicateEmailError, type OutletDirectory, outletDirectoryParts, outletOf } from './outlets.ts';

/**
 * The management API's view of the outlet directory: everything in shared/db/outlets.ts, plus the writes
 * that move an address or delete an outlet (the only DeleteItem on outlets; keys and access patterns are
 * listed in shared/db/outlet-items.ts). They live apart so that only the management function's code reaches
 * DeleteItem, and IAM grants it to no other function (see docs/design.md#topology).
 */
export interface OutletManagement extends OutletDirectory {
  /**
   * Replaces the manager's fields; undefined when there is no such outlet. The same description
   * writes nothing: the outlet comes back as it was, `updatedAt` included.
   */
  replace(outletId: string, input: OutletInput, now: string): Promise<Outlet | undefined>;
  remove(outletId: string): Promise<boolean>;
  /**
   * Creates the outlet for `input.email`, or replaces the one that has it: `unchanged` when it said the
   * same already (and was not updated at `now`, by an earlier attempt of the same import). The fields
   * `leftOut` (columns an import's header leaves out) keep the outlet's own values on a replace, and
   * take `input`'s (their defaults) on a create.
   */
  upsertByEmail(
    input: OutletInput,
    meta: { newId: () => string; now: string; leftOut?: readonly OptionalOutletField[] },
  ): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; outlet: Outlet }>;
}

export function dynamoOutletManagement(
  client: DynamoDBDocumentClient = dynamo(),
  tableName: string = config().TABLE_NAME,
): OutletManagement {
  const { directory, parts } = outletDirectoryParts(client, tableName);
  const { db, TableName, get, suppressionOf, unsubscriptionOf, ownerOf, claimEmail, create } = parts;

  const replaceOnce = async (current: Outlet, input: OutletInput, now: string): Promise<Outlet> => {
    const emailChanges = input.email !== current.email;
    const suppressed = emailChanges
      ? await suppressionOf(input.email)
      : current.suppressedAt
        ? { at: current.suppressedAt, reason: current.suppressionReason ?? 'bounce' }
        : undefined;
    // Moving onto an address that unsubscribed carries its unsubscribe over, as for a suppression.
    const addressUnsubscribed =
      emailChanges && !current.unsubscribedAt ? await unsubscriptionOf(input.email) : undefined;
    const unsubscribedAt = current.unsubscribedAt ?? addressUnsubscribed?.at;
    const next = outletOf(current.id, input, {
      unsubscribedAt,
      suppressed,
      createdAt: current.createdAt,
      updatedAt: now,
    });
    if (!emailChanges && sameDescription(current, next)) return current;
    const set: Record<string, unknown> = {
      name: next.name,
      email: next.email,
      kind: next.kind,
      genres: next.genres,
      territories: next.territories,
      updatedAt: now,
      gsi1sk: outletListKey(next).gsi1sk,
    };
    const genreKeys = genreKeysOf(next);
    if (genreKeys) set.genreKeys = genreKeys;
    if (next.contactName) set.contactName = next.contactName;
    if (next.formats?.length) set.formats = next.formats;
    if (next.suppressedAt)
      Object.assign(set, { suppressedAt: next.suppressedAt, suppressionReason: next.suppressionReason });
    const remove = [
      ...(genreKeys ? [] : ['genreKeys']),
      ...(next.contactName ? [] : ['contactName']),
      ...(next.formats?.length ? [] : ['formats']),
      ...(next.suppressedAt ? [] : ['suppressedAt', 'suppressionReason']),
    ];
    // unsubscribedAt is only ever added (an unsubscribe may land while the manager edits the outlet).
    const setUnsubscribedAt = addressUnsubscribed
      ? ['#unsubscribedAt = if_not_exists(#unsubscribedAt, :unsubscribedAt)']
      : [];
    const names = Object.fromEntries(
      [...Object.keys(set), ...remove, 'email', ...(addressUnsubscribed ? ['unsubscribedAt'] : [])].map(
        (field) => [`#${field}`, field],
      ),
    ) as Record<string, string>;
    const update = {
      TableName,
      Key: outletKey(current.id),
      UpdateExpression: [
        `SET ${[...Object.keys(set).map((field) => `#${field} = :${field}`), ...setUnsubscribedAt].join(', ')}`,
        remove.length > 0 ? `REMOVE ${remove.map((field) => `#${field}`).join(', ')}` : '',
      ]
        .join(' ')
        .trim(),
      // Optimistic: the address the outlet had when we read it is still its address.
      ConditionExpression: 'attribute_exists(pk) AND #email = :currentEmail',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ...Object.fromEntries(Object.entries(set).map(([field, value]) => [`:${field}`, value])),
        ...(addressUnsubscribed ? { ':unsubscribedAt': addressUnsubscribed.at } : {}),
        ':currentEmail': current.email,
      },
    };
    if (!emailChanges) {
      await db.send(new UpdateCommand(update));
      return next;
    }
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: update },
            {
              Delete: {
                TableName,
                Key: outletEmailKey(current.email),
                ConditionExpression: 'outletId = :id',
                ExpressionAttributeValues: { ':id': current.id },
              },
            },
            claimEmail(next.email, current.id),
          ],
        }),
      );
    } catch (error) {
      if (failedConditions(error)?.[2]) throw new DuplicateEmailError(next.email);
      throw error;
    }
    return next;
  };

  /**
   * Retries when the outlet changed (or went) between the read and the write; `describe` gives the
   * description from the outlet as read, so a retry keeps what it has then.
   */
  const replaceWith = async (
    outletId: string,
    describe: (current: Outlet) => OutletInput,
    now: string,
  ): Promise<Outlet | undefined> => {
    for (let attempt = 1; ; attempt++) {
      const current = await get(outletId);
      if (!current) return undefined;
      try {
        return await replaceOnce(current, describe(current), now);
      } catch (error) {
        const raced =
          isConditionFailure(error) || failedConditions(error)?.[0] || failedConditions(error)?.[1];
        if (!raced || attempt >= 3) throw error;
      }
    }
  };

  const replace: OutletManagement['replace'] = (outletId, input, now) =>
    replaceWith(outletId, () => input, now);

  const remove: OutletManagement['remove'] = async (outletId) => {
    for (let attempt = 1; ; attempt++) {
      const current = await get(outletId);
      if (!current) return false;
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName,
                  Key: outletKey(outletId),
                  ConditionExpression: '#email = :email',
                  ExpressionAttributeNames: { '#email': 'email' },
                  ExpressionAttributeValues: { ':email': current.email },
                },
              },
              {
                Delete: {
                  TableName,
                  Key: outletEmailKey(current.email),
                  ConditionExpression: 'outletId = :id',
                  ExpressionAttributeValues: { ':id': outletId },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (!failedConditions(error)?.some(Boolean) || attempt >= 3) throw error;
      }
    }
  };

  const upsertByEmail: OutletManagement['upsertByEmail'] = async (input, { newId, now, leftOut = [] }) => {
    for (let attempt = 1; ; attempt++) {
      const outletId = await ownerOf(input.email);
      try {
        if (outletId) {
          const outlet = await replaceWith(
            outletId,
            (current) => keepingLeftOut(input, current, leftOut),
            now,
          );
          if (outlet) return { outcome: outlet.updatedAt === now ? 'updated' : 'unchanged', outlet };
          // the owner went away between the two reads: create it afresh
        }
        return { outcome: 'created', outlet: await create(input, { id: newId(), now }) };
      } catch (error) {
        // someone else created this address meanwhile: update theirs instead
        if (!(error instanceof DuplicateEmailError) || attempt >= 3) throw error;
      }
    }
  };

  return { ...directory, replace, remove, upsertByEmail };
}
