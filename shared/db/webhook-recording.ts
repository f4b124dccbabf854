import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { writtenUnlessRefused } from './conditions.ts';
import { unpublishedKey } from './outbox-keys.ts';
import { byLabelKey, epochSeconds, type WebhookRecording, webhookKey, webhookRecordOf } from './webhooks.ts';

/**
 * Recording webhooks as they come (`WebhookRecording`, shared/db/webhooks.ts), which intake does: a Put,
 * and a Get of the record already there, in a module of their own (docs/design.md#topology).
 */
export function dynamoWebhookRecording(client: DynamoDBDocumentClient, tableName: string): WebhookRecording {
  return {
    async record(record, now) {
      // Invariant: one record (hence one eventId, one event) per label and webhook-id. An expired record
      // (DynamoDB deletes late, DynamoDB Local never) no longer counts.
      const recorded = await writtenUnlessRefused(
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...webhookKey(record.labelId, record.webhookId, record.format),
              ...byLabelKey(record.labelId, record.receivedAt, record.webhookId),
              ...(record.status === 'pending' ? unpublishedKey(record.receivedAt, record.eventId) : {}),
              entity: 'webhook',
              ...record,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': epochSeconds(now) },
          }),
        ),
      );
      if (recorded) return { recorded: true };
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: webhookKey(record.labelId, record.webhookId, record.format),
          ConsistentRead: true,
        }),
      );
      if (!Item) throw new Error('webhook record vanished after a failed conditional put');
      return { recorded: false, existing: webhookRecordOf(Item) };
    },
  };
}
