import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writtenUnlessRefused } from './conditions.ts';
import { unpublishedKey } from './outbox-keys.ts';
import { cursorOfKey, keyOfCursor } from './start-key-cursor.ts';
import { byLabelKey, epochSeconds, type WebhookReplays, webhookKey, webhookRecordOf } from './webhooks.ts';

/**
 * Replaying recorded webhooks (`WebhookReplays`, shared/db/webhooks.ts), which the jobs function does:
 * a Query and an Update, in a module of their own, because a function's DynamoDB grants follow the
 * modules it imports (docs/design.md#topology), and intake, which records webhooks, never makes them.
 */

/** Webhook ids are printable ASCII (checked by intake), so `\x7f` sorts after every id. */
const afterEveryId = '\x7f';

const prefixed = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));

export function dynamoWebhookReplays(client: DynamoDBDocumentClient, tableName: string): WebhookReplays {
  return {
    async requeue(ref, at, by) {
      // Back on the outbox's index: the stream brings it to the publisher, and the sweep finds it if that fails.
      // A park (the bus refused it for good before) is taken off with it, as a redrive does: the record
      // is pending again, and a new refusal parks it anew.
      return writtenUnlessRefused(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: webhookKey(ref.labelId, ref.webhookId, ref.format),
            // Its page is added to those that put it back since it was published, not put in their place: a
            // replay that put it back before this one counted it replayed too, and is told as well if its
            // event can no longer be built (docs/design.md#jobs). `replayedBy`, the one page kept before
            // the list was, goes with it.
            UpdateExpression:
              'SET #status = :pending, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk, replayedByPages = list_append(if_not_exists(replayedByPages, :none), :by) REMOVE parkedAt, parkedCode, parkedMessage, replayedBy',
            // An expired record is gone, whether or not DynamoDB has deleted it yet.
            ConditionExpression: 'attribute_exists(pk) AND #status <> :unpublishable AND expiresAt >= :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':pending': 'pending',
              ':unpublishable': 'unpublishable',
              ':now': epochSeconds(at),
              ':by': [by],
              ':none': [],
              ...prefixed(unpublishedKey(at.toISOString(), ref.eventId)),
            },
          }),
        ),
      );
    },

    async receivedBetween(labelId, from, to, now, cursor) {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :label AND gsi1sk BETWEEN :from AND :to',
          // Expired once its time is earlier than now (shared/db/table.ts, `expired`), as `record` counts it.
          FilterExpression: 'expiresAt >= :now',
          ExpressionAttributeValues: {
            ':label': byLabelKey(labelId, '', '').gsi1pk,
            ':from': from.toISOString(),
            ':to': `${to.toISOString()}#${afterEveryId}`,
            ':now': epochSeconds(now),
          },
          Limit: 100,
          ExclusiveStartKey: keyOfCursor(cursor),
        }),
      );
      return { items: (page.Items ?? []).map(webhookRecordOf), next: cursorOfKey(page.LastEvaluatedKey) };
    },
  };
}
