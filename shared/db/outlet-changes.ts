import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import type { OutboxEntry } from '../events/outbox.ts';
import type { OutletInput } from '../outlet-input.ts';
import {
  type ImportLine,
  importedByLine,
  importedUpdate,
  keepingLeftOut,
  type OptionalOutletField,
  type Outlet,
  reachChanged,
  sameDescription,
  staleImportedLine,
  writtenByLaterLine,
} from '../outlets.ts';
import { failedConditions, isConditionFailure } from './conditions.ts';
import { retryingConflicts, WriteConflictError } from './conflicts.ts';
import type { Suppression } from './opt-outs.ts';
import { outboxPut } from './outbox.ts';
import {
  genreKeysOf,
  outletEmailKey,
  outletKey,
  outletListKey,
  suppressionKey,
  unsubscriptionKey,
} from './outlet-items.ts';
import { DuplicateEmailError, type OutletDirectory, outletDirectoryParts, outletOf } from './outlets.ts';
import { throughFence, type WriteFence } from './write-fence.ts';

/**
 * Whether a transaction was refused by the `unchangedOptOuts` checks it ends with (its items from `from`
 * on): an opt-out of the address landed since it was read.
 */
const optOutChanged = (error: unknown, from: number): boolean =>
  failedConditions(error)?.slice(from).some(Boolean) ?? false;

/**
 * The management API's view of the outlet directory: everything in shared/db/outlets.ts, plus the writes
 * that create an outlet, move an address or delete an outlet (the only DeleteItem on outlets; keys and
 * access patterns are listed in shared/db/outlet-items.ts). They live apart so that only the code of the
 * functions that write outlets (management, and jobs for imports) reaches DeleteItem and the
 * ConditionCheckItem of the opt-out checks, and IAM grants them to no other function (see
 * docs/design.md#topology).
 */
/**
 * The event an outlet write that may reach other releases leads to (`Outlets Changed`), put in the
 * outbox by the same transaction (docs/design.md#the-outbox): built for the outlet as written.
 */
export type OutletChangedEntry = (outlet: Outlet) => OutboxEntry;

/**
 * What a read made ahead of an upsert found of its address (an import page reads its addresses together,
 * shared/db/address-reads.ts): the outlet that held it and its opt-outs, absent where it found none. Only
 * a hint: the upsert's first try starts from it instead of reading them itself, and its writes' conditions
 * hold what it found, as they hold its own reads (docs/design.md#jobs).
 */
export interface AddressRead {
  owner?: string;
  suppression?: Suppression;
  unsubscription?: { at: string };
}

/** What an import's upsert did: its count, the outlet as it stands, and whether the import names it. */
export interface Upserted {
  outcome: 'created' | 'updated' | 'unchanged';
  outlet: Outlet;
  reachChanged: boolean;
}

export interface OutletManagement extends OutletDirectory {
  /**
   * Creates the outlet on an address no outlet has (`DuplicateEmailError` otherwise), with the
   * address's opt-outs, and `changed`'s event in the same transaction.
   */
  create(
    input: OutletInput,
    meta: { id: string; now: string; changed?: OutletChangedEntry },
  ): Promise<Outlet>;
  /**
   * Replaces the manager's fields; undefined when there is no such outlet. The same description
   * writes nothing: the outlet comes back as it was, `updatedAt` included. An edit that changes whom it
   * reaches (`reachChanged`) writes `changed`'s event in the same transaction. An outlet that changed
   * under each of its three reads is a `WriteConflictError`: nothing written.
   */
  replace(
    outletId: string,
    input: OutletInput,
    now: string,
    changed?: OutletChangedEntry,
  ): Promise<Outlet | undefined>;
  /**
   * Deletes the outlet and frees its address; false when there is none. An outlet that changed under
   * each of its three reads is a `WriteConflictError`: nothing deleted.
   */
  remove(outletId: string): Promise<boolean>;
  /**
   * Creates the outlet for `input.email`, or replaces the one that has it: `unchanged` when it said the
   * same already, unless the import line that last wrote it is `importedBy` (an earlier attempt at this
   * line wrote it: see `importedUpdate`). A write records `importedBy` on the outlet, in the same
   * UpdateItem or Put (an API edit removes it), and is conditional on no later line of the same job
   * having written the outlet: one found so written (`writtenByLaterLine`) is left as that line left
   * it and counts as `unchanged` (a retry of a page whose earlier attempt got past a later line for the
   * address, docs/design.md#jobs). The fields
   * `leftOut` (columns an import's header leaves out) keep the outlet's own values on a replace, and
   * take `input`'s (their defaults) on a create. It writes no event: an import states the outlets of a
   * page together, with the page's completion (docs/design.md#jobs); `reachChanged` says whether this
   * one is among them (created, or `importedUpdate`). Its writes go through `fence`: once the attempt
   * it belongs to has ended, it writes nothing and throws `FencedWriteError` (docs/design.md#jobs). With
   * `read`, its first try takes the address's owner and opt-outs from it rather than reading them: a hint
   * gone stale is refused by the write it led to (the address claimed meanwhile, an opt-out landed, the
   * outlet gone or moved off the address), and the try after it reads afresh.
   */
  upsertByEmail(
    input: OutletInput,
    meta: {
      newId: () => string;
      now: string;
      leftOut?: readonly OptionalOutletField[];
      /** The import line this is, recorded on the outlet it writes (`importedByLine`). */
      importedBy?: ImportLine;
      /** The fence of the work it belongs to (a job page's attempt): closed, nothing is written. */
      fence?: WriteFence;
      /** The address as read ahead of it (`AddressRead`), for its first try. */
      read?: AddressRead;
    },
  ): Promise<Upserted>;
}

export function dynamoOutletManagement(
  client: DynamoDBDocumentClient = dynamo(),
  tableName: string = config().TABLE_NAME,
): OutletManagement {
  const { directory, parts } = outletDirectoryParts(client, tableName);
  const { db, TableName, get, getStored, suppressionOf, unsubscriptionOf, ownerOf } = parts;

  /** Invariant: one outlet per address. The address item is created only if no outlet holds it yet. */
  const claimEmail = (email: string, outletId: string) => ({
    Put: {
      TableName,
      Item: { ...outletEmailKey(email), type: 'outletEmail', outletId, email },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  /**
   * Conditions holding a write that gives `email` to an outlet to the opt-outs it read of the address:
   * one it found none of must still have none when the write lands. A bounce or an unsubscribe writes
   * its address item first and then looks for the outlet that holds the address (opt-outs.ts), so one
   * landing between the read and the write would find no outlet yet, and the outlet written after it
   * would be mailable though its address is opted out (docs/design.md#exactly-once-mail: the person is
   * the address). Opt-outs are never taken back: one read as there needs no check. A write refused by
   * one is made again from a new read (`optOutChanged`).
   */
  const unchangedOptOuts = (email: string, read: { suppressed: boolean; unsubscribed: boolean }) =>
    [
      ...(read.suppressed ? [] : [suppressionKey(email)]),
      ...(read.unsubscribed ? [] : [unsubscriptionKey(email)]),
    ].map((Key) => ({ ConditionCheck: { TableName, Key, ConditionExpression: 'attribute_not_exists(pk)' } }));

  /**
   * Written with the address's opt-outs as read (`unchangedOptOuts`): a bounce or an unsubscribe that
   * lands between the read and the write refuses the write, and it is made again from a new read, so
   * an outlet is never created mailable on an address opted out. The first try takes them from `read`
   * where it is given (read ahead with the rest of an import page's, docs/design.md#jobs): the same
   * checks hold them.
   */
  const create = async (
    input: OutletInput,
    { id, now, changed }: { id: string; now: string; changed?: OutletChangedEntry },
    fence?: WriteFence,
    importedBy?: ImportLine,
    read?: AddressRead,
  ): Promise<Outlet> => {
    for (let attempt = 1; ; attempt++) {
      const [suppressed, unsubscribed] =
        attempt === 1 && read
          ? [read.suppression, read.unsubscription]
          : await Promise.all([suppressionOf(input.email), unsubscriptionOf(input.email)]);
      const outlet = outletOf(id, input, {
        unsubscribedAt: unsubscribed?.at,
        suppressed,
        createdAt: now,
        updatedAt: now,
      });
      const genreKeys = genreKeysOf(outlet);
      try {
        // A write cancelled by a concurrent one (a bounce writing the address's suppression as this
        // lands) is sent again as it is: its checks hold the opt-outs it was built from, so one that
        // landed meanwhile refuses it and it is made from a new read.
        await retryingConflicts(() =>
          throughFence(fence, (abortSignal) =>
            db.send(
              new TransactWriteCommand({
                TransactItems: [
                  {
                    Put: {
                      TableName,
                      Item: {
                        ...outletKey(id),
                        ...outletListKey(outlet),
                        type: 'outlet',
                        ...outlet,
                        ...(genreKeys ? { genreKeys } : {}),
                        ...(importedBy
                          ? { importedBy: importedByLine(importedBy), importedLine: importedBy.line }
                          : {}),
                      },
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                  claimEmail(outlet.email, id),
                  ...unchangedOptOuts(outlet.email, {
                    suppressed: suppressed !== undefined,
                    unsubscribed: unsubscribed !== undefined,
                  }),
                  // Last, with no condition: the opt-out checks above keep their positions.
                  ...(changed ? [outboxPut(TableName, changed(outlet), now)] : []),
                ],
              }),
              { abortSignal },
            ),
          ),
        );
        return outlet;
      } catch (error) {
        const failed = failedConditions(error);
        // The address held by this very write, applied with its answer lost and refused when sent
        // again (docs/design.md#failures-and-retries): the outlet is created.
        if (failed?.[1] && (await ownerOf(outlet.email)) === id) return outlet;
        if (failed?.[1]) throw new DuplicateEmailError(outlet.email);
        if (!optOutChanged(error, 2)) throw error;
        // Its address opted out under each of its three reads: nothing written, and sent again it is
        // made from a new read (a 503, as replace and remove give up: docs/design.md#failures-and-retries).
        if (attempt >= 3)
          throw new WriteConflictError(attempt, `address ${outlet.email} kept changing while it was saved`);
      }
    }
  };

  /**
   * An import line's write is refused once a later line of its job has written the outlet
   * (`writtenByLaterLine`, docs/design.md#jobs): the condition needs `importedLine`, so an outlet a
   * later line wrote before it was recorded is left to the read before the write.
   */
  const notByLaterLine = 'NOT (begins_with(#importedBy, :importJob) AND #importedLine > :importedLine)';

  const replaceOnce = async (
    current: Outlet,
    input: OutletInput,
    now: string,
    changed?: OutletChangedEntry,
    fence?: WriteFence,
    importedBy?: ImportLine,
    staleMark?: string,
  ): Promise<Outlet> => {
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
    // The same description writes nothing; an import line records nothing either (docs/design.md#jobs).
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
    if (importedBy)
      Object.assign(set, { importedBy: importedByLine(importedBy), importedLine: importedBy.line });
    // The suppression is the address's: it changes with a move only. An outlet that keeps its address
    // keeps its mark as stored, which a bounce may have set since it was read.
    if (emailChanges && next.suppressedAt)
      Object.assign(set, { suppressedAt: next.suppressedAt, suppressionReason: next.suppressionReason });
    const remove = [
      ...(genreKeys ? [] : ['genreKeys']),
      ...(next.contactName ? [] : ['contactName']),
      ...(next.formats?.length ? [] : ['formats']),
      ...(emailChanges && !next.suppressedAt ? ['suppressedAt', 'suppressionReason'] : []),
      // The import line that last wrote it: none once another write (an API edit) has.
      ...(importedBy ? [] : ['importedBy', 'importedLine']),
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
      // Optimistic: the address the outlet had when we read it is still its address. An import line's
      // write is refused once a later line of its job has written the outlet (`writtenByLaterLine`: a
      // retry of a page an earlier attempt got further in, docs/design.md#jobs); the read made again
      // finds it so. Where the read
      // found `importedBy` set over an `importedLine` it does not name (`staleMark`), the line it names
      // is the one the read judged: the write stands while the outlet still has that mark.
      ConditionExpression: `attribute_exists(pk) AND #email = :currentEmail${
        importedBy
          ? ` AND ${staleMark ? `(${notByLaterLine} OR #importedBy = :staleMark)` : notByLaterLine}`
          : ''
      }`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ...Object.fromEntries(Object.entries(set).map(([field, value]) => [`:${field}`, value])),
        ...(addressUnsubscribed ? { ':unsubscribedAt': addressUnsubscribed.at } : {}),
        ...(importedBy ? { ':importJob': `${importedBy.jobId}#` } : {}),
        ...(importedBy && staleMark ? { ':staleMark': staleMark } : {}),
        ':currentEmail': current.email,
      },
    };
    const event = changed && reachChanged(current, next) ? [outboxPut(TableName, changed(next), now)] : [];
    if (!emailChanges && event.length === 0) {
      await retryingConflicts(() =>
        throughFence(fence, (abortSignal) => db.send(new UpdateCommand(update), { abortSignal })),
      );
      return next;
    }
    if (!emailChanges) {
      await retryingConflicts(() =>
        throughFence(fence, (abortSignal) =>
          db.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, ...event] }), {
            abortSignal,
          }),
        ),
      );
      return next;
    }
    try {
      // Sent again as it is after a conflict: its conditions hold the outlet and the addresses as read.
      await retryingConflicts(() =>
        throughFence(fence, (abortSignal) =>
          db.send(
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
                // The new address's opt-outs as read: one landing meanwhile has the move made again.
                ...unchangedOptOuts(next.email, {
                  suppressed: suppressed !== undefined,
                  unsubscribed: unsubscribedAt !== undefined,
                }),
                ...event,
              ],
            }),
            { abortSignal },
          ),
        ),
      );
    } catch (error) {
      // The new address held by this outlet: this very move, applied with its answer lost and refused
      // when sent again (docs/design.md#failures-and-retries).
      if (failedConditions(error)?.[2] && (await ownerOf(next.email)) === current.id) return next;
      if (failedConditions(error)?.[2]) throw new DuplicateEmailError(next.email);
      throw error;
    }
    return next;
  };

  /**
   * Retries when the outlet changed (or went) between the read and the write; `describe` gives the
   * description from the outlet as read, so a retry keeps what it has then. Answers the outlet as read
   * (`before`) and as it stands; an import line finding it written by a later line of its job writes
   * nothing (`laterLine`, docs/design.md#jobs). With `owning` (the address the outlet was found
   * holding), an outlet that has moved off it since is no longer its owner: undefined, as for one gone.
   */
  const replaceWith = async (
    outletId: string,
    describe: (current: Outlet) => OutletInput,
    now: string,
    changed?: OutletChangedEntry,
    fence?: WriteFence,
    importedBy?: ImportLine,
    owning?: string,
  ): Promise<{ before: Outlet; beforeImportedBy?: string; after: Outlet; laterLine?: true } | undefined> => {
    for (let attempt = 1; ; attempt++) {
      const stored = await getStored(outletId);
      if (!stored || (owning !== undefined && stored.outlet.email !== owning)) return undefined;
      const { outlet: current } = stored;
      if (importedBy && writtenByLaterLine(stored, importedBy))
        return { before: current, after: current, laterLine: true };
      try {
        return {
          before: current,
          ...(stored.importedBy ? { beforeImportedBy: stored.importedBy } : {}),
          after: await replaceOnce(
            current,
            describe(current),
            now,
            changed,
            fence,
            importedBy,
            importedBy && staleImportedLine(stored, importedBy.jobId) ? stored.importedBy : undefined,
          ),
        };
      } catch (error) {
        const raced =
          isConditionFailure(error) ||
          failedConditions(error)?.[0] ||
          failedConditions(error)?.[1] ||
          optOutChanged(error, 3);
        if (!raced) throw error;
        // Moved under every read: nothing written, and the request may be sent again (a 503, not a 500;
        // docs/design.md#failures-and-retries).
        if (attempt >= 3)
          throw new WriteConflictError(attempt, `outlet ${outletId} kept changing while it was saved`);
      }
    }
  };

  const replace: OutletManagement['replace'] = async (outletId, input, now, changed) =>
    (await replaceWith(outletId, () => input, now, changed))?.after;

  const remove: OutletManagement['remove'] = async (outletId) => {
    for (let attempt = 1; ; attempt++) {
      const current = await get(outletId);
      // Gone after a refused attempt: that attempt's delete landed with its answer lost, or another request
      // deleted the outlet meanwhile (docs/design.md#failures-and-retries). Either way the outlet this
      // request found is deleted, as it asked: not a 404.
      if (!current) return attempt > 1;
      try {
        await retryingConflicts(() =>
          db.send(
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
          ),
        );
        return true;
      } catch (error) {
        if (!failedConditions(error)?.some(Boolean)) throw error;
        if (attempt >= 3)
          throw new WriteConflictError(attempt, `outlet ${outletId} kept changing while it was deleted`);
      }
    }
  };

  const upsertByEmail: OutletManagement['upsertByEmail'] = async (
    input,
    { newId, now, leftOut = [], importedBy, fence, read },
  ) => {
    for (let attempt = 1; ; attempt++) {
      // The first try may start from the address as read ahead; a try after a refusal reads it afresh.
      const ahead = attempt === 1 ? read : undefined;
      const outletId = ahead ? ahead.owner : await ownerOf(input.email);
      try {
        if (outletId) {
          // Held to the address it was found by: an owner read ahead may have moved off it since, and the
          // address is then no longer its to describe (a move back would undo the move).
          const replaced = await replaceWith(
            outletId,
            (current) => keepingLeftOut(input, current, leftOut),
            now,
            undefined,
            fence,
            importedBy,
            input.email,
          );
          if (replaced) {
            const { before, beforeImportedBy, after: outlet, laterLine } = replaced;
            // As a later line of the job left it: this line changed nothing (unchanged; named if written at
            // the job's time, as any outlet found so).
            const byThisLine =
              !laterLine && importedBy !== undefined && beforeImportedBy === importedByLine(importedBy);
            return { outlet, ...importedUpdate(before, outlet, now, byThisLine) };
          }
          // the owner went away (or off the address) between the two reads: create it afresh
        }
        return {
          outcome: 'created',
          outlet: await create(input, { id: newId(), now }, fence, importedBy, ahead),
          reachChanged: true,
        };
      } catch (error) {
        // someone else created this address meanwhile: update theirs instead
        if (!(error instanceof DuplicateEmailError) || attempt >= 3) throw error;
      }
    }
  };

  return { ...directory, create, replace, remove, upsertByEmail };
}
