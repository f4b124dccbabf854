import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/settlement/handler.ts';
import { deliveryTag } from '#shared/db/subject-deliveries.ts';
import { fakeWorld } from '#test/support/announcer-fakes.ts';

const record = (messageId: string, deliveryId?: string) => ({
  messageId,
  receiptHandle: `${messageId}#1`,
  eventSource: 'aws:sqs',
  body: JSON.stringify({
    version: '0',
    id: `evt-${messageId}`,
    'detail-type': 'Email Sent',
    source: 'aws.ses',
    account: '000000000000',
    time: '2027-03-01T12:00:01Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventType: 'Send',
      mail: {
        messageId: `ses-${messageId}`,
        timestamp: '2027-03-01T12:00:01Z',
        destination: ['a@b.example'],
        tags: deliveryId ? { [deliveryTag]: [deliveryId] } : {},
      },
    },
  }),
});

describe('the settlement function', () => {
  it('reports as failed the queue messages whose events it could not settle, by their message ids', async () => {
    const world = fakeWorld();
    world.deps.deliveries.getMany = async () => {
      throw new Error('DynamoDB unavailable');
    };
    const handle = makeHandler(world.deps);

    const answer = await handle(
      { Records: [record('q1', 'd-1'), record('q2'), record('q3', 'd-3')] },
      {} as Context,
    );

    // The event without a delivery's tag is not Backline's mail: nothing to settle, nothing to retry.
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'q1' }, { itemIdentifier: 'q3' }] });
  });
});
