import { randomBytes } from 'node:crypto';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { radioServicingScheduleName, releaseDayScheduleName } from '#functions/releases/adapters.ts';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import type { ReleaseMoment } from '#shared/releases.ts';
import {
  api,
  busIdle,
  clockNow,
  cloud,
  type SentMail,
  sdkConfig,
  sentMail,
  uniqueId,
  waitFor,
} from './cloud.ts';
import { postSignedWebhook } from './signing.ts';

/** Integration helpers for releases and the announcer, against the test run's local cloud. */

export async function aLabel(id = uniqueId('label')): Promise<{ id: string; secret: string }> {
  const response = await api('/labels', { method: 'POST', json: { name: 'Nightshift Records', id } });
  if (response.status !== 201)
    throw new Error(`POST /labels answered ${response.status}: ${await response.text()}`);
  const { webhookSecret } = (await response.json()) as { webhookSecret: string };
  return { id, secret: webhookSecret };
}

export const aRelease = (overrides: Partial<typeof sampleRelease> = {}) => ({
  ...sampleRelease,
  releaseId: uniqueId('rel'),
  ...overrides,
});

/** Sends a label webhook signed per Standard Webhooks (with the package), dated by the cloud's clock. */
export async function sendWebhook(
  label: { id: string; secret: string },
  body: { type: string; timestamp: string; data: unknown },
  options: { id?: string } = {},
): Promise<{ status: number; webhookId: string }> {
  const webhookId = options.id ?? `msg_${randomBytes(9).toString('hex')}`;
  const at = await clockNow();
  const payload = JSON.stringify(body);
  const response = await postSignedWebhook(cloud().baseUrl, label, webhookId, at, payload);
  await response.text();
  return { status: response.status, webhookId };
}

/** Sends a DDEX ERN message as a label webhook, signed as JSON ones are, dated by the cloud's clock. */
export async function sendErn(
  label: { id: string; secret: string },
  xml: string,
  options: { id?: string; contentType?: string } = {},
): Promise<{ status: number; webhookId: string; body: { eventId?: string; message?: string } }> {
  const webhookId = options.id ?? `msg_${randomBytes(9).toString('hex')}`;
  const at = await clockNow();
  const response = await postSignedWebhook(
    cloud().baseUrl,
    label,
    webhookId,
    at,
    xml,
    options.contentType ?? 'application/xml',
  );
  return { status: response.status, webhookId, body: (await response.json()) as { eventId?: string } };
}

/** Mail the SES store holds for `email`, optionally only subjects starting with `prefix`. */
export async function mailTo(email: string, prefix?: string): Promise<SentMail[]> {
  return (await sentMail()).filter(
    (mail) =>
      mail.destination.to.includes(email) && (prefix === undefined || mail.subject.startsWith(prefix)),
  );
}

/**
 * Waits until every address has at least `count` mails with the prefix, then until the cloud is idle.
 * A deadline, not a timing assertion: a release day's schedule fires on a whole minute, and under a
 * loaded machine (CI beside other work) a mail due at once took more than 20 s.
 */
export async function waitForMail(emails: string[], prefix: string, count = 1): Promise<void> {
  await waitFor(
    async () => {
      const all = await sentMail();
      return emails.every(
        (email) =>
          all.filter((m) => m.destination.to.includes(email) && m.subject.startsWith(prefix)).length >= count,
      );
    },
    { timeoutMs: 60_000, what: `${prefix} mail for ${emails.length} outlet(s)` },
  );
  await busIdle();
}

export const header = (mail: SentMail, name: string) =>
  mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

export const releaseDaySchedule = (labelId: string, releaseId: string) =>
  scheduleNamed(releaseDayScheduleName(labelId, releaseId));

/** The radio servicing schedule of one moment (09:00 on the servicing date in a zone), if there is one. */
export const radioServicingSchedule = (labelId: string, releaseId: string, moment: ReleaseMoment) =>
  scheduleNamed(radioServicingScheduleName(labelId, releaseId, moment));

async function scheduleNamed(name: string) {
  const client = new SchedulerClient(sdkConfig('scheduler'));
  try {
    return await client.send(new GetScheduleCommand({ Name: name, GroupName: cloud().env.SCHEDULE_GROUP }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** ISO date `days` after the cloud's clock (UTC). */
export async function daysFromNow(days: number): Promise<string> {
  const now = await clockNow();
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
