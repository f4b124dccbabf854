import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { failedConditions } from './conditions.ts';
import { jobExpiresAt, jobKey, replayRejectionKey, shortReason } from './job-keys.ts';
import type { ReplayPage, WebhookRef } from './webhooks.ts';

/**
 * What the publisher tells a replay (docs/design.md#jobs): a record the replay put back whose event can
 * no longer be built. Listed under the page that put it back (beside that page's own, read by
 * `rejectedRows`) and counted on the job as rejected, not replayed, in one write, once: told again
 * (the publisher tells it before it takes the record off the outbox, and a write that fails, a
 * conflict with the page's own, is tried again with the record), it finds it written. A job gone (past
 * its 30 days) is told nothing. A record is told apart by its id and its format: a JSON webhook and an ERN
 * message of one page may share an id, and each is listed and counted.
 */
export interface ReplayRejections {
  record(
    by: ReplayPage,
    record: Pick<WebhookRef, 'webhookId' | 'format'>,
    reason: string,
    at: Date,
  ): Promise<void>;
}

/**
 * Why a replay did not republish a record whose event can no longer be built (`reason`, the publisher's),
 * cut as an import row's reason is (`shortReason`), so the page holding it stays within 400 KB.
 */
export const unbuildable = (reason: string) => shortReason(`its event can no longer be built: ${reason}`);

export function dynamoReplayRejections(db: DynamoDBDocumentClient, TableName: string): ReplayRejections {
  return {
    async record(by, { webhookId, format }, reason, at) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName,
                  Item: {
                    ...replayRejectionKey(by.jobId, by.page, webhookId, format),
                    type: 'jobPage',
                    rejected: [{ webhookId, error: unbuildable(reason) }],
                    expiresAt: jobExpiresAt(at.toISOString()),
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName,
                  Key: jobKey(by.jobId),
                  // Put back, but not republished: counted as rejected instead of replayed.
                  UpdateExpression:
                    'SET #counts.#rejected = if_not_exists(#counts.#rejected, :zero) + :one, #counts.#replayed = if_not_exists(#counts.#replayed, :zero) - :one',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: {
                    '#counts': 'counts',
                    '#rejected': 'rejected',
                    '#replayed': 'replayed',
                  },
                  ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (!failedConditions(error)?.some(Boolean)) throw error;
      }
    },
  };
}
