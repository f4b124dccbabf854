import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoWebhookRecording } from '#shared/db/webhook-recording.ts';
import { webhookKey } from '#shared/db/webhooks.ts';
import { ExpenseRecorded } from '#shared/events/index.ts';
import {
  advanceClock,
  api,
  armFault,
  busEvents,
  busIdle,
  clearFaults,
  clockNow,
  cloud,
  faultsReport,
  firedSince,
  redriveDeadLetters,
  sdkConfig,
  setOutboxRelay,
  streamDeadLetters,
  uniqueId,
  waitFor,
} from '#test/support/cloud.ts';
import { aReleaseWebhook, aSecret, signedWebhook } from '#test/support/intake.ts';
import { runJob } from '#test/support/jobs-cloud.ts';

/** Expense webhooks: their consumer (budgets) only files them, so these tests send no mail. */
const anExpenseWebhook = (overrides: Record<string, unknown> = {}) => ({
  type: 'expense.recorded',
  timestamp: new Date().toISOString(),
  data: { ...ExpenseRecorded.sample, expenseId: uniqueId('exp'), ...overrides },
});

async function aLabel() {
  const id = uniqueId('label');
  const response = await api('/labels', { method: 'POST', json: { name: 'Nightshift Records', id } });
  expect(response.status).toBe(201);
  const { webhookSecret } = (await response.json()) as { webhookSecret: string };
  return { id, secret: webhookSecret };
}

async function send(labelId: string, request: { headers: Record<string, string>; body: string | Buffer }) {
  const response = await fetch(`${cloud().baseUrl}/webhooks/${labelId}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A webhook signed now by the local cloud's clock (which other tests move forward). */
const signedNow = async (
  secret: string,
  body: unknown,
  options: { id?: string; contentType?: string } = {},
) => signedWebhook(secret, body, { ...options, at: await clockNow() });

const eventsOf = async (webhookId: string) =>
  (await busEvents({ source: 'backline.intake' })).filter((e) => e.detail.metadata?.webhookId === webhookId);

const documents = () => DynamoDBDocumentClient.from(new DynamoDBClient(sdkConfig('dynamodb')));

describe('webhook intake on the local cloud', () => {
  it('accepts a signed webhook with 202 and puts its event on the bus once', async () => {
    const label = await aLabel();
    const request = await signedNow(label.secret, anExpenseWebhook());

    const response = await send(label.id, request);

    expect(response).toEqual({ status: 202, body: { eventId: expect.any(String) } });
    const [event] = await waitFor(
      async () => {
        const events = await eventsOf(request.headers['webhook-id']);
        return events.length > 0 && events;
      },
      { what: 'the event on the bus' },
    );
    expect(event).toMatchObject({
      source: 'backline.intake',
      detailType: 'Expense Recorded',
      detail: {
        metadata: {
          eventId: response.body.eventId,
          labelId: label.id,
          webhookId: request.headers['webhook-id'],
        },
      },
    });
    await busIdle();
    expect(await eventsOf(request.headers['webhook-id'])).toHaveLength(1);
  });

  it('accepts webhooks while the outbox relay is disabled, and publishes each once it is enabled again', async () => {
    const label = await aLabel();
    const requests = await Promise.all([1, 2, 3].map(() => signedNow(label.secret, anExpenseWebhook())));
    const ids = requests.map((request) => request.headers['webhook-id']);
    await setOutboxRelay(false);
    let whileDisabled: { statuses: number[]; published: number };
    try {
      const responses = await Promise.all(requests.map((request) => send(label.id, request)));
      await busIdle();
      whileDisabled = {
        statuses: responses.map((response) => response.status),
        published: (await Promise.all(ids.map(eventsOf))).flat().length,
      };
    } finally {
      await setOutboxRelay(true);
    }

    await busIdle();

    expect(whileDisabled).toEqual({ statuses: [202, 202, 202], published: 0 });
    expect((await Promise.all(ids.map(eventsOf))).map((events) => events.length)).toEqual([1, 1, 1]);
  });

  it('answers a repeated webhook-id with the same body and no second event', async () => {
    const label = await aLabel();
    const request = await signedNow(label.secret, anExpenseWebhook());
    const first = await send(label.id, request);

    const second = await send(label.id, request);

    expect(second).toEqual(first);
    await busIdle();
    expect(await eventsOf(request.headers['webhook-id'])).toHaveLength(1);
  });

  it('answers a webhook-id repeated with another body 409, and publishes only the first', async () => {
    const label = await aLabel();
    const first = await signedNow(label.secret, anExpenseWebhook());
    const id = first.headers['webhook-id'];
    expect((await send(label.id, first)).status).toBe(202);

    const other = await send(label.id, await signedNow(label.secret, anExpenseWebhook(), { id }));

    expect(other).toMatchObject({ status: 409, body: { issues: [{ path: 'header.webhook-id' }] } });
    await busIdle();
    expect((await eventsOf(id)).map((event) => event.detail.data?.expenseId)).toEqual([
      JSON.parse(first.body).data.expenseId,
    ]);
  });

  it('answers 401 to a tampered webhook and publishes nothing', async () => {
    const label = await aLabel();
    const signed = await signedNow(
      label.secret,
      anExpenseWebhook({ amount: { minor: 100, currency: 'EUR' } }),
    );
    const tampered = { ...signed, body: signed.body.replace('"minor":100', '"minor":900') };

    const response = await send(label.id, tampered);

    expect(response).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(await eventsOf(signed.headers['webhook-id'])).toEqual([]);
  });

  it('answers 401 to a webhook signed more than five minutes ago', async () => {
    const label = await aLabel();
    const stale = signedWebhook(label.secret, anExpenseWebhook(), {
      at: new Date((await clockNow()).getTime() - 6 * 60_000),
    });

    const response = await send(label.id, stale);

    expect(response.status).toBe(401);
    expect(await eventsOf(stale.headers['webhook-id'])).toEqual([]);
  });

  it('accepts both the rotated-out and the new secret after a rotation, and nothing else', async () => {
    const label = await aLabel();
    const rotation = await api(`/labels/${label.id}/secrets/rotate`, { method: 'POST' });
    const { webhookSecret: newSecret } = (await rotation.json()) as { webhookSecret: string };

    const withOld = await send(label.id, await signedNow(label.secret, anExpenseWebhook()));
    const withNew = await send(label.id, await signedNow(newSecret, anExpenseWebhook()));
    const withOther = await send(label.id, await signedNow(aSecret(), anExpenseWebhook()));

    expect(rotation.status).toBe(201);
    expect(newSecret).toMatch(/^whsec_/);
    expect([withOld.status, withNew.status, withOther.status]).toEqual([202, 202, 401]);
  });

  it('accepts a secret rotated in after intake has the label in memory, at once', async () => {
    const label = await aLabel();
    const before = await send(label.id, await signedNow(label.secret, anExpenseWebhook()));
    const rotation = await api(`/labels/${label.id}/secrets/rotate`, { method: 'POST' });
    const { webhookSecret: newSecret } = (await rotation.json()) as { webhookSecret: string };

    const withNew = await send(label.id, await signedNow(newSecret, anExpenseWebhook()));

    expect([before.status, withNew.status]).toEqual([202, 202]);
  });

  it('refuses a revoked secret once 30 seconds have passed, and keeps taking the current one', async () => {
    const label = await aLabel();
    const rotation = await api(`/labels/${label.id}/secrets/rotate`, { method: 'POST' });
    const { webhookSecret: newSecret } = (await rotation.json()) as { webhookSecret: string };
    const withOld = await send(label.id, await signedNow(label.secret, anExpenseWebhook()));
    const revocation = await api(`/labels/${label.id}/secrets/revoke`, { method: 'POST' });

    await advanceClock(new Date((await clockNow()).getTime() + 31_000).toISOString());
    const oldAfter = await send(label.id, await signedNow(label.secret, anExpenseWebhook()));
    const newAfter = await send(label.id, await signedNow(newSecret, anExpenseWebhook()));

    expect([withOld.status, revocation.status]).toEqual([202, 200]);
    expect([oldAfter.status, newAfter.status]).toEqual([401, 202]);
  });

  it('answers 413 to a body over 256 KB', async () => {
    const label = await aLabel();
    const request = await signedNow(label.secret, anExpenseWebhook({ description: 'x'.repeat(256 * 1024) }));

    const response = await send(label.id, request);

    expect(response).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(await eventsOf(request.headers['webhook-id'])).toEqual([]);
  });

  it('answers 415 to a body that is not declared JSON and 400 to one that is not JSON', async () => {
    const label = await aLabel();
    const textPlain = await signedNow(label.secret, anExpenseWebhook(), { contentType: 'text/plain' });
    const notJson = await signedNow(label.secret, 'type=expense.recorded');

    const declared = await send(label.id, textPlain);
    const unparseable = await send(label.id, notJson);

    expect(declared).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    expect(unparseable).toMatchObject({ status: 400, body: { error: 'validation' } });
  });

  // docs/design.md#routes-and-auth: US-ASCII, by any of its names, is read as the UTF-8 it is a part of.
  it('takes a webhook labelled charset=ascii as UTF-8, and answers 400 naming the charset to one labelled US-ASCII holding a byte above 0x7F, publishing only the first', async () => {
    const label = await aLabel();
    const ascii = await signedNow(label.secret, anExpenseWebhook({ description: 'Cafe' }), {
      contentType: 'application/json; charset=ascii',
    });
    const notAscii = await signedNow(label.secret, anExpenseWebhook({ description: 'Café' }), {
      contentType: 'application/json; charset=US-ASCII',
    });

    const taken = await send(label.id, ascii);
    const refused = await send(label.id, notAscii);

    expect(taken.status).toBe(202);
    expect(refused).toEqual({
      status: 400,
      body: {
        error: 'validation',
        message: expect.any(String),
        issues: [
          {
            path: '',
            message: `is not valid us-ascii text: byte ${Buffer.from(notAscii.body).indexOf(0xc3)} is 0xC3, and US-ASCII has none above 0x7F (UTF-8 is charset=utf-8)`,
          },
        ],
      },
    });
    await waitFor(async () => (await eventsOf(ascii.headers['webhook-id'])).length === 1);
    await busIdle();
    expect(await eventsOf(notAscii.headers['webhook-id'])).toEqual([]);
  });

  it('answers 400 naming the field of a body that violates its schema, and publishes nothing', async () => {
    const label = await aLabel();
    const request = await signedNow(
      label.secret,
      aReleaseWebhook({ releaseDate: '2027-02-30' }, { timestamp: new Date().toISOString() }),
    );

    const response = await send(label.id, request);

    expect(response).toEqual({
      status: 400,
      body: {
        error: 'validation',
        message: expect.any(String),
        issues: [{ path: 'data.releaseDate', message: expect.any(String) }],
      },
    });
    expect(await eventsOf(request.headers['webhook-id'])).toEqual([]);
  });

  it("answers 400 naming an expense's description, invoice number and rate source holding a control character or a line separator, and publishes nothing", async () => {
    const label = await aLabel();
    const request = await signedNow(
      label.secret,
      anExpenseWebhook({
        invoiceNumber: 'AP-2027\u0085-114',
        description: 'Radio plugging\u0001',
        rate: { value: '1.1', date: '2027-02-10', source: 'E\u2028CB', to: 'USD' },
      }),
    );

    const response = await send(label.id, request);

    expect(response).toMatchObject({ status: 400, body: { error: 'validation' } });
    expect(response.body.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'data.invoiceNumber',
      'data.rate.source',
      'data.description',
    ]);
    expect(await eventsOf(request.headers['webhook-id'])).toEqual([]);
  });

  it("answers 400 naming a release's cancellation reason holding a control character, and publishes nothing", async () => {
    const label = await aLabel();
    const request = await signedNow(label.secret, {
      type: 'release.cancelled',
      timestamp: new Date().toISOString(),
      data: { releaseId: uniqueId('rel'), reason: 'The artist withdrew\u0085 the single.' },
    });

    const response = await send(label.id, request);

    expect(response).toMatchObject({ status: 400, body: { error: 'validation' } });
    expect(response.body.issues.map((issue: { path: string }) => issue.path)).toEqual(['data.reason']);
    expect(await eventsOf(request.headers['webhook-id'])).toEqual([]);
  });

  it("answers 400 naming an expense's void reason holding a control character, and publishes nothing", async () => {
    const label = await aLabel();
    const request = await signedNow(label.secret, {
      type: 'expense.voided',
      timestamp: new Date().toISOString(),
      data: { expenseId: uniqueId('exp'), budgetId: 'bud-nightdrive-promo', reason: 'Booked\u0085twice' },
    });

    const response = await send(label.id, request);

    expect(response).toMatchObject({ status: 400, body: { error: 'validation' } });
    expect(response.body.issues.map((issue: { path: string }) => issue.path)).toEqual(['data.reason']);
    expect(await eventsOf(request.headers['webhook-id'])).toEqual([]);
  });

  it("answers 400 naming a radio add date's format holding a control character, and publishes nothing", async () => {
    const label = await aLabel();
    const request = await signedNow(
      label.secret,
      aReleaseWebhook(
        {
          releaseId: uniqueId('rel'),
          territories: ['GB'],
          radioServicing: {
            servicingDate: '2027-02-22',
            addDates: [{ format: 'A\u0085AA', territory: 'GB', date: '2027-03-01' }],
            edits: [],
          },
        },
        { timestamp: new Date().toISOString() },
      ),
    );

    const response = await send(label.id, request);

    expect(response).toMatchObject({ status: 400, body: { error: 'validation' } });
    expect(response.body.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'data.radioServicing.addDates.0.format',
    ]);
    expect(await eventsOf(request.headers['webhook-id'])).toEqual([]);
  });

  it('answers 404 for an unknown label', async () => {
    const response = await send(uniqueId('nobody'), await signedNow(aSecret(), anExpenseWebhook()));

    expect(response).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});

describe('labels on the management API', () => {
  it('shows a label without its secret and refuses a second label with the same id', async () => {
    const label = await aLabel();

    const shown = await api(`/labels/${label.id}`);
    const again = await api('/labels', { method: 'POST', json: { name: 'Impostor', id: label.id } });

    expect(shown.status).toBe(200);
    const text = await shown.text();
    expect(JSON.parse(text)).toMatchObject({ id: label.id, name: 'Nightshift Records' });
    expect(text).not.toContain('whsec_');
    expect(again.status).toBe(409);
  });

  it('requires the API key', async () => {
    const response = await api('/labels', {
      method: 'POST',
      json: { name: 'x' },
      headers: { authorization: 'Bearer wrong' },
    });

    expect(response.status).toBe(401);
  });
});

describe('replay and the outbox', () => {
  it('replays the label webhooks received in a range as a job, oldest first, with their eventIds', async () => {
    const label = await aLabel();
    const from = await clockNow();
    const first = await signedNow(label.secret, anExpenseWebhook());
    const second = await signedNow(label.secret, anExpenseWebhook());
    const firstAnswer = await send(label.id, first);
    await send(label.id, second);
    const to = await clockNow();
    await busIdle();

    const { status, job } = await runJob(
      api(`/labels/${label.id}/replays`, {
        method: 'POST',
        json: {
          from: new Date(from.getTime() - 1000).toISOString(),
          to: new Date(to.getTime() + 1000).toISOString(),
        },
      }),
    );

    expect(status).toBe(202);
    expect(job).toMatchObject({ kind: 'webhook-replay', status: 'done', result: { replayed: 2 } });
    await busIdle();
    const replayedFirst = await eventsOf(first.headers['webhook-id']);
    expect(replayedFirst).toHaveLength(2);
    expect(replayedFirst.map((e) => e.detail.metadata?.eventId)).toEqual([
      firstAnswer.body.eventId,
      firstAnswer.body.eventId,
    ]);
    expect(await eventsOf(second.headers['webhook-id'])).toHaveLength(2);
  });

  it('publishes a webhook left pending by a crash once the outbox sweep runs', async () => {
    const labelId = uniqueId('label');
    const webhookId = uniqueId('msg');
    const receivedAt = await clockNow();
    const records = dynamoWebhookRecording(documents(), cloud().tableName);
    await records.record(
      {
        labelId,
        webhookId,
        eventId: uniqueId('evt'),
        type: 'expense.recorded',
        body: JSON.stringify(anExpenseWebhook()),
        receivedAt: receivedAt.toISOString(),
        status: 'pending',
        expiresAt: Math.floor(receivedAt.getTime() / 1000) + 86_400,
      },
      receivedAt,
    );

    await advanceClock(new Date(receivedAt.getTime() + 2 * 60_000).toISOString());

    await busIdle();
    expect(await eventsOf(webhookId)).toHaveLength(1);
    const { Item } = await documents().send(
      new GetCommand({ TableName: cloud().tableName, Key: webhookKey(labelId, webhookId) }),
    );
    expect(Item?.status).toBe('published');
  });

  it('still answers 202 while the bus refuses events, and the sweep publishes the webhook once', async () => {
    const label = await aLabel();
    const request = await signedNow(label.secret, anExpenseWebhook());
    const webhookId = request.headers['webhook-id'];
    await busIdle();
    const before = await faultsReport();
    const streamDeadBefore = (await streamDeadLetters()).length;
    // The webhook's record is its outbox entry: the publisher puts its event 4 times an invocation
    // (shared/events/publish.ts) and the stream tries the batch 4 times, so 16 refusals leave it to the
    // sweep. Aimed at the source only (`:source`), other puts could take some: then the stream would put
    // it before the sweep, which the test asserts it did not.
    await armFault('events.put-fail:backline.intake', 16);

    const response = await send(label.id, request);
    await busIdle();
    const fired = (await firedSince(before))['events.put-fail:backline.intake'];
    const beforeTheSweep = await eventsOf(webhookId);
    const streamDead = (await streamDeadLetters()).slice(streamDeadBefore);
    await clearFaults();
    // Past the three minutes after which the sweep republishes an entry (functions/publisher/sweep.ts).
    await advanceClock(new Date((await clockNow()).getTime() + 4 * 60_000).toISOString());
    await busIdle();
    const afterTheSweep = await eventsOf(webhookId);
    // The batch the stream gave up on, redriven, finds the entry published: no second event.
    await redriveDeadLetters();
    await busIdle();

    expect(response.status).toBe(202);
    expect({ fired, beforeTheSweep, streamDead: streamDead.map((batch) => batch.function) }).toEqual({
      fired: 16,
      beforeTheSweep: [],
      streamDead: ['publisher'],
    });
    expect(afterTheSweep.map((e) => e.detail.metadata?.eventId)).toEqual([response.body.eventId]);
    expect((await eventsOf(webhookId)).map((e) => e.detail.metadata?.eventId)).toEqual([
      response.body.eventId,
    ]);
  });
});
