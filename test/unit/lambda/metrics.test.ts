import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeHandler } from '#functions/intake/handler.ts';
import type { WebhookRecording } from '#shared/db/webhooks.ts';
import type { HttpResult } from '#shared/http/index.ts';
import { businessMetrics, type MetricName, measureFor } from '#shared/lambda/metrics.ts';
import { loggerFor } from '#shared/lambda/observability.ts';
import {
  aContext,
  aLabel,
  aReleaseWebhook,
  aWebhookEvent,
  InMemoryLabels,
  InMemoryWebhookRecords,
  signedWebhook,
} from '#test/support/intake.ts';
import { RecordedMeasure } from '#test/support/measure.ts';
import { knownReleases } from '#test/support/releases.ts';

const now = new Date('2027-01-05T10:00:00Z');

/**
 * The metric names code records in functions/ and shared/: `.record('Name'`, the publisher's from the
 * events it publishes (its publicationCounts) included.
 */
function recordedInCode(): Set<string> {
  const root = join(import.meta.dirname, '..', '..', '..');
  const names = new Set<string>();
  for (const dir of ['functions', 'shared'])
    for (const file of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }))
      if (file.endsWith('.ts'))
        for (const [, name] of readFileSync(join(root, dir, file), 'utf8').matchAll(/\.record\(\s*'(\w+)'/g))
          names.add(name);
  return names;
}

function intake(webhooks: WebhookRecording = new InMemoryWebhookRecords()) {
  const label = aLabel();
  const measure = new RecordedMeasure();
  const handler = makeHandler(
    {
      labels: new InMemoryLabels(label),
      webhooks,
      releases: knownReleases(),
      now: () => now,
    },
    measure,
  );
  const send = async (secret: string, id?: string) =>
    (await handler(
      aWebhookEvent(label.labelId, signedWebhook(secret, aReleaseWebhook(), { at: now, id })),
      aContext(),
    )) as HttpResult;
  return { label, measure, send };
}

describe('business metrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  });

  it('counts an accepted webhook, and a rejected one by the reason it was refused', async () => {
    const { label, measure, send } = intake();

    await send(label.secrets[0].value);
    await send('whsec_aW52YWxpZC1zZWNyZXQtdGhhdC1pcy1sb25nLWVub3VnaA==');

    expect(measure.records).toEqual([
      { name: 'WebhooksAccepted', dimensions: {}, value: 1 },
      { name: 'WebhooksRejected', dimensions: { reason: 'signature' }, value: 1 },
    ]);
  });

  it('counts a webhook the label sends again (its retry of the same webhook-id) once: its repeat is answered, not accepted anew', async () => {
    const { label, measure, send } = intake();
    await send(label.secrets[0].value, 'msg_retried');

    const repeat = await send(label.secrets[0].value, 'msg_retried');

    expect(repeat.statusCode).toBe(202);
    expect(measure.totals('WebhooksAccepted')).toEqual({ '': 1 });
  });

  it('counts a webhook whose record landed with its answer lost, and was refused when sent again, as accepted', async () => {
    // The SDK's retry of the put found the record it had written itself.
    const { label, measure, send } = intake({
      record: async (record) => ({ recorded: false, existing: { ...record } }),
    });

    await send(label.secrets[0].value);

    expect(measure.totals('WebhooksAccepted')).toEqual({ '': 1 });
  });

  it('has code that records every metric it declares (the dashboard graphs each one)', () => {
    const recorded = recordedInCode();

    expect((Object.keys(businessMetrics) as MetricName[]).filter((name) => !recorded.has(name))).toEqual([]);
  });

  it('writes each record as a CloudWatch EMF line in the Backline namespace with its dimensions', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false'; // the unit tests' configuration turns them off
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });

    measureFor('deliverability').record('Suppressions', { reason: 'bounce' }, 2);

    const emf = JSON.parse(written.join('').trim().split('\n').at(-1)!);
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Backline',
      Dimensions: [expect.arrayContaining(['service', 'reason'])],
      Metrics: [{ Name: 'Suppressions', Unit: 'Count' }],
    });
    expect(emf).toMatchObject({ service: 'deliverability', reason: 'bounce', Suppressions: 2 });
  });

  it('never fails the work it counts: a record Powertools refuses is logged and dropped', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const warn = vi.spyOn(loggerFor('announcer'), 'warn').mockImplementation(() => {});
    // CloudWatch takes at most 29 dimensions a metric: Powertools throws beyond that.
    const tooMany = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`d${i}`, 'x']));

    expect(() => measureFor('announcer').record('MailsSent', tooMany as never, 3)).not.toThrow();
    expect(warn).toHaveBeenCalledWith(
      'metric not recorded',
      expect.objectContaining({ metric: 'MailsSent' }),
    );
  });

  it('writes a line per record with only its own dimensions, however many records came before', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const measure = measureFor('intake');

    measure.record('WebhooksRejected', { reason: 'signature' });
    measure.record('WebhooksAccepted', {});
    measure.record('WebhooksRejected', { reason: 'too-large' });

    const lines = written
      .join('')
      .trim()
      .split('\n')
      .slice(-3)
      .map((line) => JSON.parse(line));
    expect(lines.map((emf) => [emf._aws.CloudWatchMetrics[0].Dimensions[0], emf.reason])).toEqual([
      [['service', 'reason'], 'signature'],
      [['service'], undefined],
      [['service', 'reason'], 'too-large'],
    ]);
  });
});
