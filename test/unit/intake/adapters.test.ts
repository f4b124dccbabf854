import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoLabels } from '#shared/db/labels.ts';
import { dynamoWebhookRecords, type WebhookRecord } from '#shared/db/webhooks.ts';
import { aLabel } from '#test/support/intake.ts';

const documents = mockClient(DynamoDBDocumentClient);
const client = documents as unknown as DynamoDBDocumentClient;
const now = new Date('2027-01-05T10:00:00Z');
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const aRecord = (): WebhookRecord => ({
  labelId: 'lbl',
  webhookId: 'msg_1',
  eventId: 'evt-1',
  type: 'release.cancelled',
  body: '{}',
  receivedAt: now.toISOString(),
  status: 'pending',
  expiresAt: 1_800_000_000,
});

beforeEach(() => documents.reset());

describe('the webhook records adapter', () => {
  it('records a webhook on the pending queue and the label timeline, once per label and webhook-id', async () => {
    documents.on(PutCommand).resolves({});

    const outcome = await dynamoWebhookRecords(client, 't').record(aRecord(), now);

    expect(outcome).toEqual({ recorded: true });
    expect(documents.commandCalls(PutCommand)[0].args[0].input).toMatchObject({
      Item: {
        pk: 'WEBHOOK#lbl#msg_1',
        sk: 'WEBHOOK',
        gsi1pk: 'LABEL#lbl#WEBHOOKS',
        gsi1sk: '2027-01-05T10:00:00.000Z#msg_1',
        gsi2pk: 'WEBHOOKS#PENDING',
        gsi2sk: '2027-01-05T10:00:00.000Z#lbl#msg_1',
        status: 'pending',
      },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
    });
  });

  it('returns the first record when the webhook-id was already recorded', async () => {
    documents.on(PutCommand).rejects(conditionFailed());
    documents.on(GetCommand).resolves({ Item: { ...aRecord(), eventId: 'evt-first', pk: 'x', gsi1pk: 'y' } });

    const outcome = await dynamoWebhookRecords(client, 't').record(aRecord(), now);

    expect(outcome).toEqual({ recorded: false, existing: { ...aRecord(), eventId: 'evt-first' } });
  });

  it('takes a published webhook off the pending queue', async () => {
    documents.on(UpdateCommand).resolves({});

    await dynamoWebhookRecords(client, 't').markPublished([{ labelId: 'lbl', webhookId: 'msg_1' }], now);

    expect(documents.commandCalls(UpdateCommand)[0].args[0].input.UpdateExpression).toBe(
      'SET #status = :published, publishedAt = :at REMOVE gsi2pk, gsi2sk',
    );
  });

  it('lists only records still pending, since the index may lag behind', async () => {
    documents
      .on(QueryCommand)
      .resolves({ Items: [aRecord(), { ...aRecord(), webhookId: 'msg_2', status: 'published' }] });

    const pending = await dynamoWebhookRecords(client, 't').pendingSince(now, 10);

    expect(pending.map((r) => r.webhookId)).toEqual(['msg_1']);
  });
});

describe('the labels adapter', () => {
  it('answers false instead of overwriting an existing label', async () => {
    documents.on(PutCommand).rejects(conditionFailed());

    const created = await dynamoLabels(client, 't').create(aLabel());

    expect(created).toBe(false);
  });

  it('updates only the version it read', async () => {
    documents.on(PutCommand).resolves({});

    await dynamoLabels(client, 't').update(aLabel({ version: 3 }));

    expect(documents.commandCalls(PutCommand)[0].args[0].input).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND version = :previous',
      ExpressionAttributeValues: { ':previous': 2 },
    });
  });

  it('looks up no label id that cannot exist', async () => {
    const label = await dynamoLabels(client, 't').get('a#b');

    expect(label).toBeUndefined();
    expect(documents.calls()).toHaveLength(0);
  });
});
