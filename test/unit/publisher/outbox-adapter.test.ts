import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { outboxItem, putOnce, writeWithOutbox } from '#shared/db/outbox.ts';
import { dynamoOutbox } from '#shared/db/outbox-publishing.ts';
import { OutletSuppressed, outboxEntry } from '#shared/events/index.ts';

const documents = mockClient(DynamoDBDocumentClient);
const client = documents as unknown as DynamoDBDocumentClient;
const now = new Date('2027-03-05T12:00:00Z');
const entry = () => outboxEntry(OutletSuppressed, OutletSuppressed.sample, { eventId: 'evt-1' });
const statePut = {
  Put: { TableName: 't', Item: { pk: 'A', sk: 'A' }, ConditionExpression: 'attribute_not_exists(pk)' },
};

beforeEach(() => documents.reset());

describe('the outbox adapter', () => {
  it('writes the state and its outbox entries in one transaction, unpublished on the sparse index', async () => {
    documents.on(TransactWriteCommand).resolves({});

    const written = await writeWithOutbox(client, [statePut], [entry()], now.toISOString());

    expect(written).toBe(true);
    const [state, outbox] = documents.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems ?? [];
    expect(state).toEqual(statePut);
    expect(outbox.Put?.Item).toMatchObject({
      pk: 'OUTBOX#evt-1',
      sk: 'OUTBOX',
      entity: 'outbox',
      source: 'backline.deliverability',
      detailType: 'Outlet Suppressed',
      gsi2pk: expect.stringMatching(/^OUTBOX#UNPUBLISHED#[0-3]$/),
      gsi2sk: '2027-03-05T12:00:00.000Z#evt-1',
    });
    expect(JSON.parse(String(outbox.Put?.Item?.detail)).metadata.eventId).toBe('evt-1');
  });

  it('answers false and writes no event when the state’s condition fails, in a transaction or alone', async () => {
    documents.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    documents.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));

    const withEvent = await writeWithOutbox(client, [statePut], [entry()], now.toISOString());
    const alone = await writeWithOutbox(client, [statePut], [], now.toISOString());

    expect([withEvent, alone]).toEqual([false, false]);
    expect(documents.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('writes a marker of work put once only where none is, expiring 7 days after, as the entries it held', async () => {
    const marker = putOnce('t', { pk: 'RUN#r', sk: 'PAGE#-' }, 'fan-out-page', now.toISOString(), {
      events: 2,
    });

    expect(marker).toEqual({
      Put: {
        TableName: 't',
        Item: {
          pk: 'RUN#r',
          sk: 'PAGE#-',
          entity: 'fan-out-page',
          events: 2,
          expiresAt: Math.floor(now.getTime() / 1000) + 7 * 24 * 3600,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  });

  it('marks an entry published with a conditional update that takes it off the index, once', async () => {
    documents
      .on(UpdateCommand)
      .resolvesOnce({})
      .rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));

    const marked = [
      await dynamoOutbox(client, 't').markPublished({ pk: 'OUTBOX#evt-1', sk: 'OUTBOX' }, now),
      await dynamoOutbox(client, 't').markPublished({ pk: 'OUTBOX#evt-1', sk: 'OUTBOX' }, now),
    ];

    expect(marked).toEqual([true, false]);
    expect(documents.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({
      Key: { pk: 'OUTBOX#evt-1', sk: 'OUTBOX' },
      UpdateExpression: expect.stringMatching(/REMOVE gsi2pk, gsi2sk, replayedByPages, replayedBy$/),
      ConditionExpression: 'begins_with(gsi2pk, :unpublished)',
    });
  });

  it('answers its own mark, applied with its answer lost and refused when sent again, as marked by this call', async () => {
    // The refusal holds the entry as stored: marked by this very call's first send (its own id).
    documents.on(UpdateCommand).callsFake((input) => {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: { publishedBy: { S: String(input.ExpressionAttributeValues[':by']) } },
      });
    });

    const marked = await dynamoOutbox(client, 't').markPublished({ pk: 'OUTBOX#evt-1', sk: 'OUTBOX' }, now);

    expect(marked).toBe(true);
    expect(documents.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('finds unpublished entries on every index partition, oldest first, leaving out those the index still lists after marking', async () => {
    const item = (eventId: string, createdAt: string, extra: Record<string, unknown> = {}) => ({
      ...outboxItem(outboxEntry(OutletSuppressed, OutletSuppressed.sample, { eventId }), createdAt),
      ...extra,
    });
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [item('evt-late', '2027-03-05T11:50:00.000Z')] })
      .resolvesOnce({ Items: [item('evt-done', '2027-03-05T11:40:00.000Z', { status: 'published' })] })
      .resolvesOnce({ Items: [item('evt-early', '2027-03-05T11:45:00.000Z')] })
      .resolves({ Items: [] });

    const entries = await dynamoOutbox(client, 't').unpublishedBefore(now, 100);

    expect(
      documents
        .commandCalls(QueryCommand)
        .map((call) => call.args[0].input.ExpressionAttributeValues?.[':shard']),
    ).toEqual([
      'OUTBOX#UNPUBLISHED#0',
      'OUTBOX#UNPUBLISHED#1',
      'OUTBOX#UNPUBLISHED#2',
      'OUTBOX#UNPUBLISHED#3',
    ]);
    expect(entries.map((e) => (e.kind === 'event' ? e.event.eventId : ''))).toEqual([
      'evt-early',
      'evt-late',
    ]);
  });
});
