import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { failedConditions } from '#shared/db/conditions.ts';
import { type DeliveryStore, deliveryTag, dynamoDeliveries } from '#shared/db/deliveries.ts';
import { dynamoSuppressionList } from '#shared/db/suppression-list.ts';
import type { SesEventDetail } from '#shared/events/ses.ts';
import { settleFromEmailsSent } from '#shared/mail/email-sent.ts';
import { type MailDeps, MailerError, type OutgoingMail } from '#shared/mail/ports.ts';
import { sendMails } from '#shared/mail/send.ts';
import { cloud, sdkConfig, uniqueId } from '#test/support/cloud.ts';
import { aNotice, localMailDeps } from '#test/support/mail-cloud.ts';

/**
 * What sending and settling cost in DynamoDB requests on DynamoDB Local, counted per operation: the
 * requests grow with the number of SES calls (and of pages of 100), never with the number of mails,
 * so a change that writes or reads one item at a time fails here (see docs/capacity.md). The shared
 * send-rate bucket is left out (other test files spend it at the same time); its own economy is
 * counted in test/unit/mail/send-rate.test.ts.
 */

function countingDeps(): {
  deps: MailDeps & { deliveries: DeliveryStore };
  deliveries: DeliveryStore;
  requests: Map<string, number>;
} {
  const requests = new Map<string, number>();
  const client = new DynamoDBClient(sdkConfig('dynamodb'));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '?').replace(/Command$/, '');
      const count = () => requests.set(operation, (requests.get(operation) ?? 0) + 1);
      try {
        const result = await next(args);
        count();
        return result;
      } catch (error) {
        // A cancelled transaction is tried again: as it was after a conflict, without the items whose
        // condition was refused otherwise (a mark the settlement of SES's Email Sent got to first,
        // which a loaded machine lets happen). The try that lands counts; any other failure counts.
        if (!failedConditions(error)) count();
        throw error;
      }
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const table = cloud().tableName;
  const deliveries = dynamoDeliveries(db, table);
  return {
    requests,
    deliveries,
    deps: {
      ...localMailDeps(),
      deliveries,
      suppressions: dynamoSuppressionList(db, table),
      sendRate: { recipientsPerSecond: async () => 50, acquire: async () => true },
    },
  };
}

const someNotices = (count: number): OutgoingMail[] => {
  const tourId = uniqueId('tour');
  const labelId = uniqueId('lbl');
  return Array.from({ length: count }, (_, index) => ({
    identity: {
      labelId,
      // A subject no sender sweeps: another test file's jump of the shared clock must not make these stale claims to resend.
      subject: ['request-count', tourId],
      email: `crew-${index}@${tourId}.venue.example`,
      kind: 'advance-request',
    },
    stream: 'operational',
    ...aNotice('Advance for Oslo, 2 June'),
    context: { tourId, showId: 'show-oslo' },
  }));
};

const deadline = () => Date.now() + 120_000;
const counted = (requests: Map<string, number>) => Object.fromEntries([...requests].sort());

describe('DynamoDB requests of the mail module', () => {
  it('claims 100 mails in one request and marks each SES call of 50 in one, however many mails there are', {
    timeout: 180_000,
  }, async () => {
    const small = countingDeps();
    const large = countingDeps();

    const hundred = await sendMails(small.deps, someNotices(100), deadline());
    const threeHundred = await sendMails(large.deps, someNotices(300), deadline());

    expect(hundred).toMatchObject({ claimed: 100, sent: 100 });
    expect(threeHundred).toMatchObject({ claimed: 300, sent: 300 });
    // Per 100 mails: one suppression read, one claim transaction, two marks (one per SES call); a
    // mark whose every item was settled first by SES's Email Sent has nothing left to write.
    expect(small.requests.get('BatchGetItem')).toBe(1);
    expect(large.requests.get('BatchGetItem')).toBe(3);
    expect(small.requests.get('TransactWriteItems')).toBeGreaterThanOrEqual(1);
    expect(small.requests.get('TransactWriteItems')).toBeLessThanOrEqual(3);
    expect(large.requests.get('TransactWriteItems')).toBeGreaterThanOrEqual(3);
    expect(large.requests.get('TransactWriteItems')).toBeLessThanOrEqual(9);
  });

  it('settles a batch of Email Sent events with one read and one write per 100, whatever the batch holds', {
    timeout: 180_000,
  }, async () => {
    // The sender's answers were lost: every claim is still open.
    const lost = countingDeps();
    lost.deps.mailer = {
      sendBulk: async () => {
        throw new MailerError('unknown', 'answer lost');
      },
    };
    const notices = someNotices(200);
    const open = await sendMails(lost.deps, notices, deadline());
    expect(open).toMatchObject({ claimed: 200, unsettled: 200 });
    const openIds = (
      await lost.deliveries.ofSubject(notices[0].identity.labelId, notices[0].identity.subject)
    ).map((delivery) => delivery.deliveryId);
    const eventFor = (deliveryId: string, index: number): SesEventDetail => ({
      eventType: 'Send',
      mail: {
        messageId: `msg-${deliveryId}`,
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        destination: [`crew-${index}@venue.example`],
        tags: { [deliveryTag]: [deliveryId] },
      },
    });

    const settling = countingDeps();
    const settled = await settleFromEmailsSent(openIds.map(eventFor), settling.deps);

    expect(settled.settled).toHaveLength(200);
    expect(counted(settling.requests)).toEqual({ BatchGetItem: 2, TransactWriteItems: 2 });
  });
});
