import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { failedConditions, writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import type { StateWrite } from './outbox.ts';

/** DynamoDB: at most 100 items per TransactWriteItems. */
const maxItemsPerTransaction = 100;

/**
 * Writes a page of independent conditional writes (a page of mail claims, the marks of one SES call)
 * in as few requests as it can: one TransactWriteItems per 100 items. When DynamoDB cancels it, the
 * items whose condition failed are dropped (their invariant refused them: that claim exists, that
 * mail is settled) and the rest are written again; a transaction cancelled by a concurrent write
 * (a conflict, refusing nothing) is tried again as any is (`retryingConflicts`). A lone item is a plain conditional write: a transaction costs twice the write units
 * (see docs/design.md#exactly-once-mail). Answers, per item, whether it was written.
 */
export async function writeEachIfAllowed(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  writes: StateWrite[],
): Promise<boolean[]> {
  const written: boolean[] = new Array(writes.length).fill(false);
  for (let start = 0; start < writes.length; start += maxItemsPerTransaction) {
    let pending = writes.slice(start, start + maxItemsPerTransaction).map((write, offset) => ({
      write,
      index: start + offset,
    }));
    // Dropping refused items always makes progress; conflicts are retried a bounded number of times.
    while (pending.length > 0) {
      if (pending.length === 1) {
        written[pending[0].index] = await writeOne(client, pending[0].write);
        break;
      }
      const TransactItems = pending.map(({ write }) => write);
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

async function writeOne(client: Pick<DynamoDBDocumentClient, 'send'>, write: StateWrite): Promise<boolean> {
  return writtenUnlessRefused(
    retryingConflicts(() =>
      'Put' in write ? client.send(new PutCommand(write.Put)) : client.send(new UpdateCommand(write.Update)),
    ),
  );
}
