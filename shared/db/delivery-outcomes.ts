import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryOutcome, DeliveryOutcomes } from './deliveries.ts';
import { writeWithOutbox } from './outbox.ts';
import { deliveryKey, deliveryOf } from './subject-deliveries.ts';

/**
 * What is recorded of the deliveries after the sending (`DeliveryOutcomes`, shared/db/deliveries.ts
 * holds the store and its access patterns): SES's bounces, complaints and rejections, for the deliverability function.
 * In a module of its own, because a function's DynamoDB grants follow the modules it imports
 * (docs/design.md#topology): it claims no mail, so it reaches neither the claims' writes and the DeleteItem
 * that gives a claim back, nor a subject's deliveries, read with a Query (`ofSubject`,
 * shared/db/delivery-reads.ts), which only the management views and the pages behind a mail's links ask.
 */

/** The outcomes: a mail marked with one already (SES repeats its events) has had its events written. */
const outcomes: readonly string[] = ['bounced', 'complained', 'rejected'] satisfies DeliveryOutcome[];

/** Bounces, complaints and rejections recorded on DynamoDB, each read and marked by its key. */
export function dynamoDeliveryOutcomes(
  db: DynamoDBDocumentClient,
  table: string,
): Pick<DeliveryOutcomes, 'markOutcome'> {
  return {
    async markOutcome(deliveryId, status, detail, events) {
      // Read, then write on the condition that the status is still the one read: the call that
      // turns a mail bounced, complained or rejected is the one that writes its events.
      for (let attempt = 0; attempt < 5; attempt++) {
        const { Item } = await db.send(
          new GetCommand({ TableName: table, Key: deliveryKey(deliveryId), ConsistentRead: true }),
        );
        if (!Item) return undefined;
        const seen = deliveryOf(Item);
        const marked: Delivery = {
          ...seen,
          status,
          updatedAt: detail.at,
          ...(seen.messageId || !detail.messageId ? {} : { messageId: detail.messageId }),
        };
        const first = !outcomes.includes(seen.status);
        const written = await writeWithOutbox(
          db,
          [
            {
              Update: {
                TableName: table,
                Key: deliveryKey(deliveryId),
                UpdateExpression: `SET #status = :status, updatedAt = :at${detail.messageId ? ', messageId = if_not_exists(messageId, :messageId)' : ''} REMOVE gsi2pk, gsi2sk`,
                ConditionExpression: '#status = :seen',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':status': status,
                  ':seen': seen.status,
                  ':at': detail.at,
                  ...(detail.messageId ? { ':messageId': detail.messageId } : {}),
                },
              },
            },
          ],
          first && events ? events(marked) : [],
          detail.at,
        );
        if (written) return marked;
      }
      throw new Error(`delivery ${deliveryId} kept changing while its ${status} was recorded`);
    },
  };
}
