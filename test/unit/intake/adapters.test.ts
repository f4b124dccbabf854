import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoLabels } from '#shared/db/labels.ts';
import { dynamoWebhookRecording } from '#shared/db/webhook-recording.ts';
import { dynamoWebhookReplays } from '#shared/db/webhook-replays.ts';
import type { WebhookRecord } from '#shared/db/webhooks.ts';
import { aLabel } from '#test/support/intake.ts';
import { aSealer } from '#test/support/sealing.ts';

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
  it("records a webhook in the outbox's unpublished index and on the label timeline, once per label and webhook-id", async () => {
    documents.on(PutCommand).resolves({});

    const outcome = await dynamoWebhookRecording(client, 't').record(aRecord(), now);

    expect(outcome).toEqual({ recorded: true });
    expect(documents.commandCalls(PutCommand)[0].args[0].input).toMatchObject({
      Item: {
        pk: 'WEBHOOK#lbl#msg_1',
        sk: 'WEBHOOK',
        gsi1pk: 'LABEL#lbl#WEBHOOKS',
        gsi1sk: '2027-01-05T10:00:00.000Z#msg_1',
        gsi2pk: expect.stringMatching(/^OUTBOX#UNPUBLISHED#[0-3]$/),
        gsi2sk: '2027-01-05T10:00:00.000Z#evt-1',
        status: 'pending',
      },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
    });
  });

  it('returns the first record when the webhook-id was already recorded', async () => {
    documents.on(PutCommand).rejects(conditionFailed());
    documents.on(GetCommand).resolves({ Item: { ...aRecord(), eventId: 'evt-first', pk: 'x', gsi1pk: 'y' } });

    const outcome = await dynamoWebhookRecording(client, 't').record(aRecord(), now);

    expect(outcome).toEqual({ recorded: false, existing: { ...aRecord(), eventId: 'evt-first' } });
  });

  it('puts a replayed webhook back in the outbox, unless its event can no longer be built', async () => {
    documents.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());

    const requeued = await dynamoWebhookReplays(client, 't').requeue(aRecord(), now, {
      jobId: 'job-1',
      page: 0,
    });
    const unpublishable = await dynamoWebhookReplays(client, 't').requeue(aRecord(), now, {
      jobId: 'job-1',
      page: 0,
    });

    expect([requeued, unpublishable]).toEqual([true, false]);
    expect(documents.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({
      UpdateExpression:
        'SET #status = :pending, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk, replayedByPages = list_append(if_not_exists(replayedByPages, :none), :by) REMOVE parkedAt, parkedCode, parkedMessage, replayedBy',
      ConditionExpression: 'attribute_exists(pk) AND #status <> :unpublishable AND expiresAt >= :now',
    });
  });

  it('takes the park of a record the bus once refused for good off it when a replay puts it back, so it no longer reads as parked', async () => {
    documents.on(UpdateCommand).resolves({});

    await dynamoWebhookReplays(client, 't').requeue(aRecord(), now, { jobId: 'job-1', page: 0 });

    const update = documents.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.UpdateExpression).toMatch(/ REMOVE parkedAt, parkedCode, parkedMessage(,|$)/);
  });
});

describe('the labels adapter', () => {
  it('answers false instead of overwriting an existing label', async () => {
    documents.on(PutCommand).rejects(conditionFailed());
    // Read again on the refusal: the label stored is another create's, its secret sealed by that one.
    documents.on(GetCommand).resolves({
      Item: {
        ...aLabel(),
        secrets: [
          {
            id: 'k1',
            createdAt: '2026-01-01T00:00:00.000Z',
            sealed: { dataKey: 'd', iv: 'other', tag: 't', ciphertext: 'c' },
          },
        ],
      },
    });

    const created = await dynamoLabels(client, 't', aSealer()).create(aLabel());

    expect(created).toBe(false);
  });

  it('updates only the version it read', async () => {
    documents.on(PutCommand).resolves({});

    await dynamoLabels(client, 't', aSealer()).update(aLabel({ version: 3 }));

    expect(documents.commandCalls(PutCommand)[0].args[0].input).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND version = :previous',
      ExpressionAttributeValues: { ':previous': 2 },
    });
  });

  it('looks up no label id that cannot exist', async () => {
    const label = await dynamoLabels(client, 't', aSealer()).get('a#b');

    expect(label).toBeUndefined();
    expect(documents.calls()).toHaveLength(0);
  });

  it('stores webhook secrets sealed, so the table never holds one in plain text', async () => {
    documents.on(PutCommand).resolves({});
    const label = aLabel();

    await dynamoLabels(client, 't', aSealer()).create(label);

    const item = documents.commandCalls(PutCommand)[0].args[0].input.Item!;
    expect(JSON.stringify(item)).not.toContain(label.secrets[0].value);
    expect(JSON.stringify(item)).not.toContain(label.secrets[0].value.slice('whsec_'.length));
    expect(item.secrets[0]).toMatchObject({
      sealed: { dataKey: expect.any(String), ciphertext: expect.any(String) },
    });
  });

  it('opens the secrets it sealed when it reads the label back', async () => {
    documents.on(PutCommand).resolves({});
    const sealer = aSealer();
    const label = aLabel();
    await dynamoLabels(client, 't', sealer).create(label);
    const stored = documents.commandCalls(PutCommand)[0].args[0].input.Item!;
    documents.on(GetCommand).resolves({ Item: stored });

    const read = await dynamoLabels(client, 't', sealer).get(label.labelId);

    expect(read?.secrets.map((s) => s.value)).toEqual(label.secrets.map((s) => s.value));
  });

  it('reads a secret stored in plain text before sealing, and seals it on the next write', async () => {
    const label = aLabel();
    documents.on(GetCommand).resolves({ Item: { pk: 'LABEL#x', sk: 'LABEL', ...label } });
    documents.on(PutCommand).resolves({});
    const labels = dynamoLabels(client, 't', aSealer());

    const read = (await labels.get(label.labelId))!;
    await labels.update({ ...read, version: read.version + 1 });

    expect(read.secrets[0].value).toBe(label.secrets[0].value);
    expect(JSON.stringify(documents.commandCalls(PutCommand)[0].args[0].input.Item)).not.toContain(
      label.secrets[0].value,
    );
  });
});
