import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/intake/outbox.ts';
import { type SweepDeps, sweepPendingWebhooks } from '#functions/intake/sweep.ts';
import type { WebhookRecord } from '#shared/db/webhooks.ts';
import { PublishError } from '#shared/events/publish.ts';
import {
  aContext,
  aReleaseWebhook,
  FakeBus,
  InMemoryWebhookRecords,
  silentLog,
} from '#test/support/intake.ts';

const now = new Date('2027-01-05T10:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

const aRecord = (overrides: Partial<WebhookRecord> = {}): WebhookRecord => ({
  labelId: 'nightshift-records',
  webhookId: 'msg_1',
  eventId: 'evt-1',
  type: 'release.scheduled',
  body: JSON.stringify(aReleaseWebhook()),
  receivedAt: ago(90_000),
  status: 'pending',
  expiresAt: now.getTime() / 1000 + 86_400,
  ...overrides,
});

function outbox(...records: WebhookRecord[]) {
  const webhooks = new InMemoryWebhookRecords();
  for (const record of records) webhooks.items.set(`${record.labelId}#${record.webhookId}`, record);
  const bus = new FakeBus();
  const deps: SweepDeps = {
    webhooks,
    publish: bus.publish,
    busName: 'backline',
    now: () => now,
    log: silentLog,
  };
  return { webhooks, bus, deps };
}

describe('the outbox sweep', () => {
  it('republishes webhooks still pending after a minute with their own eventIds and marks them published', async () => {
    const { deps, bus, webhooks } = outbox(
      aRecord(),
      aRecord({ webhookId: 'msg_2', eventId: 'evt-2', receivedAt: ago(61_000) }),
    );

    const result = await sweepPendingWebhooks(deps);

    expect(result).toEqual({ republished: 2, stillPending: 0 });
    expect(bus.details().map((d) => d.metadata.eventId)).toEqual(['evt-1', 'evt-2']);
    expect(webhooks.all().map((r) => r.status)).toEqual(['published', 'published']);
  });

  it('leaves webhooks younger than a minute to intake', async () => {
    const { deps, bus } = outbox(aRecord({ receivedAt: ago(30_000) }));

    const result = await sweepPendingWebhooks(deps);

    expect(result.republished).toBe(0);
    expect(bus.entries).toEqual([]);
  });

  it('publishes nothing twice when it runs again', async () => {
    const { deps, bus } = outbox(aRecord());
    await sweepPendingWebhooks(deps);

    await sweepPendingWebhooks(deps);

    expect(bus.entries).toHaveLength(1);
  });

  it('throws when the bus refuses, keeping the webhooks pending for the next sweep', async () => {
    const { deps, bus, webhooks } = outbox(aRecord());
    bus.failNext(1);

    await expect(sweepPendingWebhooks(deps)).rejects.toThrow(/refused 1 of 1/);

    expect(webhooks.all().map((r) => r.status)).toEqual(['pending']);
  });

  it('marks published only the entries the bus took when it refuses some', async () => {
    const { deps, webhooks } = outbox(aRecord(), aRecord({ webhookId: 'msg_2', eventId: 'evt-2' }));
    deps.publish = async (entries) => {
      throw new PublishError([{ entry: entries[1], code: 'ThrottlingException' }]);
    };

    await expect(sweepPendingWebhooks(deps)).rejects.toThrow();

    expect(Object.fromEntries(webhooks.all().map((r) => [r.webhookId, r.status]))).toEqual({
      msg_1: 'published',
      msg_2: 'pending',
    });
  });

  it('takes a record whose body no longer matches its schema off the queue instead of retrying it for ever', async () => {
    const { deps, webhooks, bus } = outbox(aRecord({ body: '{"type":"release.scheduled"}' }));

    await sweepPendingWebhooks(deps);

    expect(webhooks.all().map((r) => r.status)).toEqual(['unpublishable']);
    expect(bus.entries).toEqual([]);
  });

  it('runs on an Outbox Sweep Due event and refuses anything else', async () => {
    const { deps, bus } = outbox(aRecord());
    const handler = makeHandler(deps);
    const sweepDue = {
      version: '0',
      id: 'e1',
      'detail-type': 'Outbox Sweep Due',
      source: 'backline.scheduler',
      account: '000000000000',
      time: now.toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: {
        metadata: { eventId: 'e1', correlationId: 'e1', occurredAt: now.toISOString(), schemaVersion: 1 },
        data: {},
      },
    };

    await handler(sweepDue, aContext());

    expect(bus.entries).toHaveLength(1);
    await expect(handler({ ...sweepDue, 'detail-type': 'Something Else' }, aContext())).rejects.toThrow();
  });
});
