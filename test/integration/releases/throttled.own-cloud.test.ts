import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import { type CloudProcess, startCloudProcess } from '#test/support/cloud-process.ts';

/**
 * SES throttling means "later", never "lost" (docs/design.md#limits): a cloud of its own whose SES allows
 * 3 recipients a second, and a release that matches more outlets than that.
 */
let cloud: CloudProcess;
beforeAll(async () => {
  cloud = await startCloudProcess({ BACKLINE_SES_SEND_RATE: '3', BACKLINE_RETRY_BASE_MS: '50' });
});
afterAll(() => cloud?.stop());

const api = async <T = Record<string, string>>(path: string, init: RequestInit = {}) => {
  const response = await fetch(`${cloud.urls.http}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as T };
};

describe('announcing above the SES send rate', () => {
  it('delivers every announcement exactly once, spread over time, with nothing dead-lettered', async () => {
    const label = await api('/labels', {
      method: 'POST',
      body: JSON.stringify({ name: 'Slow Lane Records' }),
    });
    const emails = Array.from(
      { length: 10 },
      (_, i) => `outlet${i}-${randomBytes(4).toString('hex')}@radio.example`,
    );
    for (const [i, email] of emails.entries()) {
      const created = await api('/media-outlets', {
        method: 'POST',
        body: JSON.stringify({ name: `Radio ${i}`, email, kind: 'radio', genres: [], territories: ['WW'] }),
      });
      expect(created.status).toBe(201);
    }
    const { now } = (await (await fetch(`${cloud.urls.http}/_local/clock`)).json()) as { now: string };
    const releaseDate = new Date(Date.parse(now) + 30 * 86_400_000).toISOString().slice(0, 10);
    const payload = JSON.stringify({
      type: 'release.scheduled',
      timestamp: now,
      data: { ...sampleRelease, releaseId: `rel-${randomBytes(4).toString('hex')}`, releaseDate },
    });
    const webhookId = `msg_${randomBytes(8).toString('hex')}`;
    const sentAt = new Date(now);

    const accepted = await fetch(`${cloud.urls.http}/webhooks/${label.body.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': new Webhook(label.body.webhookSecret).sign(webhookId, sentAt, payload),
      },
      body: payload,
    });
    let mail: { destination: { to: string[] }; subject: string; at: number }[] = [];
    for (let waited = 0; waited < 30_000; waited += 200) {
      mail = ((await (await fetch(`${cloud.urls.ses}/store`)).json()) as { emails: typeof mail }).emails;
      if (emails.every((email) => mail.some((m) => m.destination.to.includes(email)))) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await fetch(`${cloud.urls.http}/_local/idle`);
    const { deadLetters } = (await (await fetch(`${cloud.urls.http}/_local/dlq`)).json()) as {
      deadLetters: unknown[];
    };

    expect(accepted.status).toBe(202);
    for (const email of emails) {
      expect(
        mail.filter((m) => m.destination.to.includes(email) && m.subject.startsWith('New')),
      ).toHaveLength(1);
    }
    // When SES took each one (its store's second, on the local cloud's clock): at 3 recipients a second,
    // from a full bucket of 3, the 10 span at least 2 seconds, and no two seconds running hold more than
    // 3 + 2 x 3. A slow machine only spreads them more; sending them unthrottled puts them in one or two.
    const seconds = mail
      .filter((m) => m.subject.startsWith('New') && emails.some((email) => m.destination.to.includes(email)))
      .map((m) => m.at);
    expect(Math.max(...seconds) - Math.min(...seconds)).toBeGreaterThanOrEqual(2);
    for (const second of seconds) {
      expect(seconds.filter((at) => at === second || at === second + 1).length).toBeLessThanOrEqual(9);
    }
    expect(deadLetters).toEqual([]);
  });
});
