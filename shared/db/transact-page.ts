import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { failedConditions, type OwnWrite, refusedItems, writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import { outboxPut, type StateWrite, type TransactItem } from './outbox.ts';

/** DynamoDB: at most 100 items per TransactWriteItems. */
const maxItemsPerTransaction = 100;

/** `items` in consecutive parts of at most `size` each (the writes of a request, a round's claims, a call's recipients). */
export const inParts = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, at) => items.slice(at * size, (at + 1) * size));

/**
 * Writes a page of independent conditional writes (a page of mail claims, the marks of one SES call)
 * in as few requests as it can: one TransactWriteItems per 100 items. When DynamoDB cancels it, the
 * items whose condition failed are dropped (their invariant refused them: that claim exists, that
 * mail is settled) and the rest are written again; a transaction cancelled by a concurrent write
 * (a conflict, refusing nothing) is tried again as any is (`retryingConflicts`). A lone item is a plain conditional write: a transaction costs twice the write units
 * (see docs/design.md#exactly-once-mail). Answers, per item, whether it was written.
 *
 * `more`: the further items a request writes with its items (given the indexes of the items it writes),
 * at most one an item, as `outboxItems` states the events they lead to. A request then holds at most
 * half as many items, and a lone item with further items is written with them in one transaction.
 *
 * `mine`: whether the item that refused a write is that write's own (`OwnWrite`): such a write is written.
 */
export async function writeEachIfAllowed(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  writes: StateWrite[],
  more?: (indexes: number[]) => TransactItem[],
  mine?: OwnWrite,
): Promise<boolean[]> {
  const written: boolean[] = new Array(writes.length).fill(false);
  const perRequest = more ? maxItemsPerTransaction / 2 : maxItemsPerTransaction;
  for (let pending of inParts(
    writes.map((write, index) => ({ write, index })),
    perRequest,
  )) {
    // Dropping refused items always makes progress; conflicts are retried a bounded number of times.
    while (pending.length > 0) {
      const further = more?.(pending.map(({ index }) => index)) ?? [];
      if (pending.length === 1 && further.length === 0) {
        written[pending[0].index] = await writeOne(client, pending[0].write, mine);
        break;
      }
      // The further items go after the writes, so a refusal's position is its write's.
      const TransactItems = [...pending.map(({ write }) => write), ...further];
      try {
        await retryingConflicts(() => client.send(new TransactWriteCommand({ TransactItems })));
        for (const { index } of pending) written[index] = true;
        break;
      } catch (error) {
        const refused = failedConditions(error);
        // Cancelled for something other than a refusal or a conflict (a ValidationError): not ours to retry.
        if (!refused?.some(Boolean)) throw error;
        const items = refusedItems(error)!;
        pending = pending.filter(({ index }, position) => {
          written[index] = refused[position] && mine?.(items[position]) === true;
          return !refused[position];
        });
      }
    }
  }
  return written;
}

/**
 * `writeEachIfAllowed`'s further items for the events a page's writes lead to (`entriesFor`, given the
 * indexes of the items a request writes): stored in the outbox by that same request
 * (docs/design.md#the-outbox), at most one an item. Only the settlement function's marks and the
 * announcer's resends ask any (EmailSentClaims, ResendingClaims): the other senders' bundles leave
 * this out (docs/design.md#bundles).
 */
export const outboxItems =
  (table: string, entriesFor: (indexes: number[]) => OutboxEntry[], createdAt: string) =>
  (indexes: number[]): TransactItem[] => {
    const entries = entriesFor(indexes);
    if (indexes.length + entries.length > maxItemsPerTransaction)
      throw new Error(`${indexes.length} writes and ${entries.length} outbox entries pass one transaction`);
    return entries.map((entry) => outboxPut(table, entry, createdAt));
  };

async function writeOne(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  write: StateWrite,
  mine: OwnWrite | undefined,
): Promise<boolean> {
  return writtenUnlessRefused(
    retryingConflicts(() =>
      'Put' in write ? client.send(new PutCommand(write.Put)) : client.send(new UpdateCommand(write.Update)),
    ),
    mine,
  );
}
