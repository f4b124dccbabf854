import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/settlement/handler.ts';
import { emailSent, fakeWorld } from '#test/support/announcer-fakes.ts';

/** A queue message holding SES's Email Sent event for one mail, as the default bus forwards it. */
const record = (messageId: string, detail: ReturnType<typeof emailSent>) => ({
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
    detail,
  }),
});
const tagged = (messageId: string, deliveryId: string) =>
  record(messageId, emailSent({ messageId: `ses-${messageId}`, email: 'a@b.example', deliveryId }));
const untagged = (messageId: string) => {
  const detail = emailSent({ messageId: `ses-${messageId}`, email: 'a@b.example', deliveryId: '' });
  return record(messageId, { ...detail, mail: { ...detail.mail, tags: {} } } as typeof detail);
};

describe('the settlement function', () => {
  it('reports as failed the queue messages whose events it could not settle, by their message ids', async () => {
    const world = fakeWorld();
    world.deps.deliveries.getMany = async () => {
      throw new Error('DynamoDB unavailable');
    };
    const handle = makeHandler(world.deps);

    const answer = await handle(
      { Records: [tagged('q1', 'd-1'), untagged('q2'), tagged('q3', 'd-3')] },
      {} as Context,
    );

    // The event without a delivery's tag is not Backline's mail: nothing to settle, nothing to retry.
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'q1' }, { itemIdentifier: 'q3' }] });
  });
});
