import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { publishEntries } from '#functions/publisher/publish.ts';
import { outboxItem } from '#shared/db/outbox.ts';
import { dynamoOutbox, storedOutboxEntryOf } from '#shared/db/outbox-publishing.ts';
import { OutletSuppressed, outboxEntry } from '#shared/events/index.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: the publisher parks an entry the bus refused
 * for good (a conditional update on its place among the unpublished, no request token) and its answer is
 * lost; the SDK's resend is refused by that very update. Taken for another publisher's park, the entry
 * was parked but not counted: the sweep's log and result said it parked none. The table is the file's
 * own: no function acts on it.
 */
const table = aTableOfItsOwn('backline-park-lost');

describe('an entry parked while the answer was lost', () => {
  it('is counted among those this publisher parked', async () => {
    const client = documentClient();
    const event = outboxEntry(OutletSuppressed, OutletSuppressed.sample, { eventId: uniqueId('evt') });
    const item = outboxItem(event, '2027-03-05T11:50:00.000Z');
    await client.send(new PutCommand({ TableName: table.name, Item: item }));
    const entry = storedOutboxEntryOf(item)!;
    const losing = answerLostOnce(client, UpdateCommand);
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const bus = {
      put: async (events: (typeof event)[]) =>
        events.map((refused) => ({ event: refused, code: 'AccessDeniedException', final: true })),
    };

    const outcome = await publishEntries([entry], {
      outbox: dynamoOutbox(losing.client, table.name),
      bus,
      replays: { record: async () => {} },
      now: () => new Date('2027-03-05T12:00:00Z'),
      log,
    });

    expect(losing.lost()).toBe(true);
    expect(outcome.parked).toEqual([entry]);
    expect((await dynamoOutbox(client, table.name).parked(10)).map((p) => p.eventId)).toEqual([
      event.eventId,
    ]);
  });
});
