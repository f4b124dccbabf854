import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { failedConditions, writtenUnlessRefused } from './conditions.ts';
import type { StateWrite } from './outbox.ts';

/** DynamoDB: at most 100 items per TransactWriteItems. */
const maxItemsPerTransaction = 100;
const maxStalls = 8;

/**
 * Writes a page of independent conditional writes (a page of mail claims, the marks of one SES call)
 * in as few requests as it can: one TransactWriteItems per 100 items. When DynamoDB cancels it, the
 * items whose condition failed are dropped (their invariant refused them: that claim exists, that
 * mail is settled) and the rest are written again; a transaction cancelled for another reason (a
 * conflict with a concurrent write) is tried again after a jittered backoff, a bounded number of
 * times. A lone item is a plain conditional write: a transaction costs twice the write units
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
    // Dropping refused items always makes progress; only cancellations that refused nothing count.
    for (let stalled = 0; pending.length > 0; ) {
      if (pending.length === 1) {
        written[pending[0].index] = await writeOne(client, pending[0].write);
        break;
      }
      try {
        await client.send(new TransactWriteCommand({ TransactItems: pending.map(({ write }) => write) }));
        for (const { index } of pending) written[index] = true;
        break;
      } catch (error) {
        const refused = failedConditions(error);
        if (!refused) throw error;
        const retried = pending.filter((_, position) => !refused[position]);
        if (retried.length === pending.length) {
          // Cancelled by a conflict with a concurrent write, or throttling: wait, then try again.
          if (++stalled >= maxStalls)
            throw new Error(`TransactWriteItems kept being cancelled for ${pending.length} item(s)`);
          await new Promise((resolve) =>
            setTimeout(resolve, Math.random() * Math.min(1_000, 20 * 2 ** stalled)),
          );
        }
        pending = retried;
      }
    }
  }
  return written;
}

async function writeOne(client: Pick<DynamoDBDocumentClient, 'send'>, write: StateWrite): Promise<boolean> {
  return writtenUnlessRefused(
    'Put' in write ? client.send(new PutCommand(write.Put)) : client.send(new UpdateCommand(write.Update)),
  );
}
