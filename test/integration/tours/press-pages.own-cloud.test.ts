import { randomBytes } from 'node:crypto';
import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionEnvironment } from '#infra/function-settings.ts';
import type { BusEventRecord, SentMail } from '#test/support/cloud.ts';
import { type CloudProcess, startCloudProcess } from '#test/support/cloud-process.ts';
import { postSignedWebhook } from '#test/support/signing.ts';

/**
 * Press to a directory larger than one page, on a cloud of its own (DynamoDB Local, the local bus and
 * SES) whose tours function reads the directory two outlets at a time and one page per invocation: the
 * press step continues itself on the bus with the real listing's cursor.
 */
let cloud: CloudProcess;
beforeAll(async () => {
  cloud = await startCloudProcess({
    BACKLINE_RETRY_BASE_MS: '50',
    [functionEnvironment.tours.pressPageSize]: '2',
    [functionEnvironment.tours.pressPagesPerInvocation]: '1',
  });
}, 240_000);
afterAll(() => cloud?.stop());

const id = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function call<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const response = await fetch(`${cloud.urls.http}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${cloud.apiKey}`,
      'content-type': 'application/json',
      'x-backline-local': '1',
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

const sent = async () =>
  ((await (await fetch(`${cloud.urls.ses}/store`)).json()) as { emails: SentMail[] }).emails;

describe('press to a directory of several pages', () => {
  it('tells every matching outlet once, the step continuing on the bus page by page with the cursor of the next', async () => {
    const label = { id: id('label'), secret: '' };
    label.secret = (
      await call<{ webhookSecret: string }>('/labels', {
        method: 'POST',
        json: { id: label.id, name: 'Paged' },
      })
    ).webhookSecret;
    const genre = id('genre');
    const emails = ['a', 'b', 'c', 'd', 'e'].map((name) => `${name}-${id('press')}@press.example`);
    for (const [i, email] of emails.entries())
      await call('/media-outlets', {
        method: 'POST',
        json: { name: `Blatt ${i}`, email, kind: 'press', genres: [genre], territories: ['DE'] },
      });
    const { now } = await call<{ now: string }>('/_local/clock');
    const tourId = id('tour');
    const payload = JSON.stringify({
      type: 'tour.booked',
      timestamp: now,
      data: {
        tourId,
        artist: { name: 'Long Directory' },
        genres: [genre],
        tourManager: { name: 'Tam', email: `${id('tm')}@tm.example` },
        shows: [
          {
            showId: id('show'),
            date: Temporal.PlainDate.from(now.slice(0, 10)).add({ days: 60 }).toString(),
            venue: {
              name: 'Astra',
              address: 'Revaler Str. 99',
              city: 'Berlin',
              country: 'DE',
              timeZone: 'Europe/Berlin',
            },
            times: { loadIn: '14:00', soundcheck: '16:30', doors: '19:00', set: '21:00', curfew: '23:00' },
            promoter: { name: 'Nacht', email: `${id('promoter')}@promoter.example` },
            status: 'announced',
          },
        ],
      },
    });
    const accepted = await postSignedWebhook(cloud.urls.http, label, id('msg'), new Date(now), payload);
    expect(accepted.status).toBe(202);

    // Press waits for its gathering window (a schedule); then the clock moves past it.
    await call('/_local/idle');
    await call('/_local/clock', {
      method: 'POST',
      json: { advanceTo: new Date(Date.parse(now) + 5 * 60_000).toISOString() },
    });
    await call('/_local/idle');
    const mail = (await sent()).filter((m) => m.subject.includes('Long Directory live in Germany'));
    const steps = (
      await call<{ events: BusEventRecord[] }>(
        `/_local/events?${new URLSearchParams({ detailType: 'Show Step Due' })}`,
      )
    ).events.filter((e) => e.detail.data?.tourId === tourId && e.detail.data?.step === 'press-announcement');
    const { deadLetters } = await call<{ deadLetters: unknown[] }>('/_local/dlq');

    for (const email of emails) expect(mail.filter((m) => m.destination.to.includes(email))).toHaveLength(1);
    expect(mail).toHaveLength(emails.length);
    // The first firing, then one continuation per page after the first (pages of 2: 2 + 2 + 1).
    const continued = steps.filter((e) => e.detail.data?.cursor);
    expect(continued).toHaveLength(2);
    expect(new Set(continued.map((e) => e.detail.data?.cursor)).size).toBe(2);
    expect(continued.every((e) => e.source === 'backline.tours')).toBe(true);
    expect(deadLetters).toEqual([]);
  }, 300_000);
});
