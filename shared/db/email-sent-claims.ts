import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { keptBy, type OwnWrite } from './conditions.ts';
import type { ResendingClaims, SentMark } from './deliveries.ts';
import { deliveriesById } from './deliveries-by-id.ts';
import { type StateWrite, writeWithOutbox } from './outbox.ts';
import { deliveryKey } from './subject-deliveries.ts';
import { outboxItems, writeEachIfAllowed } from './transact-page.ts';

/**
 * What settling SES's Email Sent events writes and reads of the claims: the batch's deliveries, the marks
 * of the claims still open (with what they ask, in the outbox by the same write) and the record of a mail
 * that went after its claim was closed. Apart from the claims so that the settlement function's bundle
 * holds no claim, give-back or sweep write it never makes, and is granted none (docs/design.md#bundles).
 */
export interface EmailSentClaims extends Pick<ResendingClaims, 'getMany' | 'markSentMany'> {
  /**
   * SES's Email Sent for a claim closed unsent (`failed`: the sweep found it no longer wanted) shows
   * the mail went after all: records its messageId and sending time, the status kept (nothing is
   * sent again for it). False if it is not failed, or has a messageId already (see
   * docs/design.md#exactly-once-mail). `events`: what the record leads to, in the outbox by the same write.
   */
  markSentAfterClosed(
    deliveryId: string,
    messageId: string,
    sentAt: string,
    at: string,
    events?: OutboxEntry[],
  ): Promise<boolean>;
}

/** `status` in an expression (a reserved word): one object for every write that names it. */
export const statusName = { '#status': 'status' };
/** An open claim's status, for every write whose condition names it. */
export const openStatus = { ':claimed': 'claimed' };

/**
 * The marks of a page of mails sent (each once), written by `write` (given the page, to name what the
 * marks ask, and `mine`, whether a mark that refused one is the write's own): the ids it marked, those
 * still open. Each mark keeps the id of its write (`markedBy`, new each page, the same in the SDK's
 * retries of its request): refused by a mark holding it, the mark is this very write, applied with its
 * answer lost (docs/design.md#failures-and-retries), not another writer's, which asked nothing of what
 * this one asks.
 */
export async function markSentPage(
  table: string,
  sent: SentMark[],
  at: string,
  write: (writes: StateWrite[], page: SentMark[], mine: OwnWrite) => Promise<boolean[]>,
): Promise<Set<string>> {
  const page = [...new Map(sent.map((mail) => [mail.deliveryId, mail])).values()];
  const by = randomUUID();
  const written = await write(
    page.map(({ deliveryId, messageId, at: sentAt }) => ({
      Update: {
        TableName: table,
        Key: deliveryKey(deliveryId),
        UpdateExpression:
          'SET #status = :sent, messageId = :messageId, sentAt = :at, updatedAt = :at, markedBy = :by, resends = if_not_exists(resends, :zero) + if_not_exists(resendPending, :zero) REMOVE resendPending, gsi2pk, gsi2sk',
        // Only an open claim: a mail settled, failed or bounced meanwhile keeps what it has.
        ConditionExpression: '#status = :claimed',
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ...openStatus,
          ':messageId': messageId,
          ':at': sentAt ?? at,
          ':by': by,
          ':zero': 0,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    })),
    page,
    keptBy('markedBy', by),
  );
  return new Set(page.filter((_, index) => written[index]).map((mail) => mail.deliveryId));
}

/**
 * The marks that ask what follows them on DynamoDB: the settlement's and the announcer's
 * (`ResendingClaims`). Built on their own so that the announcer's claims hold them without the record of
 * a mail sent after its claim was closed: an object's unused method stays in a bundle (docs/design.md#bundles).
 */
export const dynamoAskingMarks =
  (db: DynamoDBDocumentClient, table: string): ResendingClaims['markSentMany'] =>
  (sent, at, asks) =>
    markSentPage(table, sent, at, (writes, page, mine) =>
      writeEachIfAllowed(
        db,
        writes,
        asks && outboxItems(table, (indexes) => asks(indexes.map((index) => page[index].deliveryId)), at),
        mine,
      ),
    );

/** The settlement's claims on DynamoDB. */
export function dynamoEmailSentClaims(db: DynamoDBDocumentClient, table: string): EmailSentClaims {
  return {
    getMany: (deliveryIds, options) => deliveriesById(db, table, deliveryIds, options),
    markSentMany: dynamoAskingMarks(db, table),
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
