import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { failedConditions, writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import { outboxPut, type StateWrite, writeWithOutbox } from './outbox.ts';

/** DynamoDB: at most 100 items per TransactWriteItems. */
const maxItemsPerTransaction = 100;

/**
 * Writes a page of independent conditional writes (a page of mail claims, the marks of one SES call)
 * in as few requests as it can: one TransactWriteItems per 100 items. When DynamoDB cancels it, the
 * items whose condition failed are dropped (their invariant refused them: that claim exists, that
 * mail is settled) and the rest are written again; a transaction cancelled by a concurrent write
 * (a conflict, refusing nothing) is tried again as any is (`retryingConflicts`). A lone item is a plain conditional write: a transaction costs twice the write units
 * (see docs/design.md#exactly-once-mail). Answers, per item, whether it was written.
 *
 * `outbox`: the events the items of a request lead to (`entriesFor`, given the indexes of the items it
 * writes), stored in the outbox by that same request (docs/design.md#the-outbox). A request then
 * holds at most half as many items, leaving room for one entry each, and a lone item is written with
 * its entries in one transaction.
 */
export async function writeEachIfAllowed(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  writes: StateWrite[],
  outbox?: { entriesFor: (indexes: number[]) => OutboxEntry[]; createdAt: string },
): Promise<boolean[]> {
  const written: boolean[] = new Array(writes.length).fill(false);
  const perRequest = outbox ? maxItemsPerTransaction / 2 : maxItemsPerTransaction;
  for (let start = 0; start < writes.length; start += perRequest) {
    let pending = writes.slice(start, start + perRequest).map((write, offset) => ({
      write,
      index: start + offset,
    }));
    // Dropping refused items always makes progress; conflicts are retried a bounded number of times.
    while (pending.length > 0) {
      const entries = outbox?.entriesFor(pending.map(({ index }) => index)) ?? [];
      if (pending.length + entries.length > maxItemsPerTransaction)
        throw new Error(`${pending.length} writes and ${entries.length} outbox entries pass one transaction`);
      if (pending.length === 1) {
        written[pending[0].index] =
          entries.length > 0
            ? await writeWithOutbox(client, [pending[0].write], entries, outbox!.createdAt)
            : await writeOne(client, pending[0].write);
        break;
      }
      // The entries go after the writes, so a refusal's position is its write's.
      const TransactItems = [
        ...pending.map(({ write }) => write),
        ...entries.map((entry) => outboxPut(tableOf(pending[0].write), entry, outbox!.createdAt)),
      ];
      try {
        await retryingConflicts(() => client.send(new TransactWriteCommand({ TransactItems })));
        for (const { index } of pending) written[index] = true;
        break;
      } catch (error) {
        const refused = failedConditions(error);
        // Cancelled for something other than a refusal or a conflict (a ValidationError): not ours to retry.
        if (!refused?.some(Boolean)) throw error;
        pending = pending.filter((_, position) => !refused[position]);
      }
    }
  }
  return written;
}

const tableOf = (write: StateWrite): string =>
  String('Put' in write ? write.Put.TableName : write.Update.TableName);

async function writeOne(client: Pick<DynamoDBDocumentClient, 'send'>, write: StateWrite): Promise<boolean> {
  return writtenUnlessRefused(
    retryingConflicts(() =>
      'Put' in write ? client.send(new PutCommand(write.Put)) : client.send(new UpdateCommand(write.Update)),
    ),
  );
}
