import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backoffDelay } from '../retry.ts';

// Apart from conditions.ts, which every store imports: a function reaches BatchGetItem (and is granted it)
// only if its code reads in batches (see docs/design.md#topology).

/** DynamoDB: at most 100 keys per BatchGetItem. */
export const maxKeysPerBatchGet = 100;
const maxAttempts = 10;

/**
 * Every item of `keys` that exists, read with BatchGetItem in pages of 100. Keys DynamoDB leaves
 * unprocessed (throttling, 16 MB per answer) are asked again with jittered exponential backoff, a
 * bounded number of times, then it fails rather than answer with items missing.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, unknown>[],
  options: {
    ProjectionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    /** Strongly consistent: sees every write acknowledged before the read (twice the read units). */
    ConsistentRead?: boolean;
    /** Gives the read up once aborted (the SDK's `abortSignal`: a job attempt's fence, docs/design.md#jobs). */
    abortSignal?: AbortSignal;
  } = {},
): Promise<Record<string, unknown>[]> {
  const { abortSignal, ...asked } = options;
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += maxKeysPerBatchGet) {
    let page: Record<string, unknown>[] | undefined = keys.slice(start, start + maxKeysPerBatchGet);
    for (let attempt = 0; page && page.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new Error(`BatchGetItem left ${page.length} key(s) unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, 50, 1_000)));
      const result = await db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: page, ...asked } } }),
        { abortSignal },
      );
      items.push(...((result.Responses?.[table] ?? []) as Record<string, unknown>[]));
      page = result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return items;
}
