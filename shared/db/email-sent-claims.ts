import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SentMark, SettlementClaims } from './deliveries.ts';
import { type StateWrite, writeWithOutbox } from './outbox.ts';
import { deliveriesById, deliveryKey } from './subject-deliveries.ts';
import { outboxItems, writeEachIfAllowed } from './transact-page.ts';

/**
 * What settling SES's Email Sent events writes and reads of the claims: the batch's deliveries, the marks
 * of the claims still open (with what they ask, in the outbox by the same write) and the record of a mail
 * that went after its claim was closed. Apart from the claims so that the settlement function's bundle
 * holds no claim, give-back or sweep write it never makes, and is granted none (docs/design.md#bundles).
 */
export type EmailSentClaims = Pick<SettlementClaims, 'getMany' | 'markSentMany' | 'markSentAfterClosed'>;

/** `status` in an expression (a reserved word): one object for every write that names it. */
export const statusName = { '#status': 'status' };
/** An open claim's status, for every write whose condition names it. */
export const openStatus = { ':claimed': 'claimed' };

/**
 * The marks of a page of mails sent (each once), written by `write` (given the page, to name what the
 * marks ask): the ids it marked, those still open.
 */
export async function markSentPage(
  table: string,
  sent: SentMark[],
  at: string,
  write: (writes: StateWrite[], page: SentMark[]) => Promise<boolean[]>,
): Promise<Set<string>> {
  const page = [...new Map(sent.map((mail) => [mail.deliveryId, mail])).values()];
  const written = await write(
    page.map(({ deliveryId, messageId, at: sentAt }) => ({
      Update: {
        TableName: table,
        Key: deliveryKey(deliveryId),
        UpdateExpression:
          'SET #status = :sent, messageId = :messageId, sentAt = :at, updatedAt = :at, resends = if_not_exists(resends, :zero) + if_not_exists(resendPending, :zero) REMOVE resendPending, gsi2pk, gsi2sk',
        // Only an open claim: a mail settled, failed or bounced meanwhile keeps what it has.
        ConditionExpression: '#status = :claimed',
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ...openStatus,
          ':messageId': messageId,
          ':at': sentAt ?? at,
          ':zero': 0,
        },
      },
    })),
    page,
  );
  return new Set(page.filter((_, index) => written[index]).map((mail) => mail.deliveryId));
}

/** The settlement's claims on DynamoDB. */
export function dynamoEmailSentClaims(db: DynamoDBDocumentClient, table: string): EmailSentClaims {
  return {
    getMany: (deliveryIds, options) => deliveriesById(db, table, deliveryIds, options),
    markSentMany: (sent, at, asks) =>
      markSentPage(table, sent, at, (writes, page) =>
        writeEachIfAllowed(
          db,
          writes,
          asks && outboxItems(table, (indexes) => asks(indexes.map((index) => page[index].deliveryId)), at),
        ),
      ),
    async markSentAfterClosed(deliveryId, messageId, sentAt, at, events = []) {
      return writeWithOutbox(
        db,
        [
          {
            Update: {
              TableName: table,
              Key: deliveryKey(deliveryId),
              UpdateExpression: 'SET messageId = :messageId, sentAt = :sentAt, updatedAt = :at',
              ConditionExpression: '#status = :failed AND attribute_not_exists(messageId)',
              ExpressionAttributeNames: statusName,
              ExpressionAttributeValues: {
                ':failed': 'failed',
                ':messageId': messageId,
                ':sentAt': sentAt,
                ':at': at,
              },
            },
          },
        ],
        events,
        at,
      );
    },
  };
}
