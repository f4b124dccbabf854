import { describe, expect, it } from 'vitest';
import { consolePageOver } from '#test/support/console.ts';

describe("the local console's dead letters", () => {
  it('lists a queue message, a stream batch and a parked outbox entry, each kind counted, with the redrive', async () => {
    const page = await consolePageOver([], () => ({}), {
      deadLetters: {
        queueMessages: [
          {
            queue: 'backline-mail-settlement',
            function: 'settlement',
            messageId: 'msg-1',
            receiveCount: 3,
            body: JSON.stringify({ 'detail-type': 'Email Sent', source: 'aws.ses' }),
            at: '2027-03-01T09:00:00.000Z',
          },
        ],
        streamBatches: [1, 2].map((n) => ({
          function: 'publisher' as const,
          condition: 'RetryAttemptsExhausted' as const,
          attempts: 4,
          error: 'injected fault events.put-fail',
          at: '2027-03-01T09:10:00.000Z',
          DDBStreamBatchInfo: {
            shardId: 'shard-1',
            startSequenceNumber: `00${n}`,
            endSequenceNumber: `00${n}`,
            batchSize: 1,
            streamArn: 'arn:aws:dynamodb:eu-west-1:000000000000:table/backline/stream/1',
          },
        })),
        outboxEntries: [
          {
            key: { pk: 'RELEASE#lbl-1#rel-1', sk: 'OUTBOX#evt-9' },
            eventId: 'evt-9',
            source: 'backline.releases',
            detailType: 'Mailing Requested',
            parkedAt: '2027-03-01T09:20:00.000Z',
            code: 'NotAuthorizedForSourceException',
            message: 'Not authorized for the source.',
          },
        ],
      },
    });

    expect(page).toContain('Dead letters (4)');
    expect(page).toContain(
      '<p id="dead-letter-kinds">1 queue message, 2 stream batches, 1 parked outbox entry</p>',
    );
    expect(page).toContain('<button id="redrive" type="button">Redrive all</button>');
    expect(page).toContain(
      '<strong>Email Sent</strong> → settlement<br><small>queue message of backline-mail-settlement · 3 receives</small>',
    );
    expect(page).toContain('<strong>stream batch</strong> → publisher');
    expect(page).toContain(
      '<strong>Mailing Requested</strong> → the bus<br><small>parked outbox entry of backline.releases · event evt-9</small>',
    );
    expect(page).toContain('NotAuthorizedForSourceException: Not authorized for the source.');
  });

  it('shows no redrive when nothing is held', async () => {
    const page = await consolePageOver([], () => ({}));

    expect(page).toContain('Dead letters (0)');
    expect(page).not.toContain('Redrive all');
  });
});
