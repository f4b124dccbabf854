import { afterEach, describe, expect, it } from 'vitest';
import { mailSettlementQueue } from '#infra/function-settings.ts';
import type { Outlet } from '#shared/outlets.ts';
import { aLabel, aRelease, daysFromNow, mailTo, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import {
  advanceClock,
  api,
  armFault,
  busIdle,
  clearFaults,
  clockNow,
  deadLetters,
  faultsReport,
  firedSince,
  uniqueId,
  waitFor,
} from '#test/support/cloud.ts';
import { aDomain, createOutlet, uniqueEmail } from '#test/support/outlets-cloud.ts';

/**
 * EventBridge and Lambda deliver at least once, and the repeat may run beside the first: every event
 * reaching releases and the announcer is handled by two instances at the same instant
 * (invoke.duplicate, docs/design.md#local-faults). Each outlet still gets each mail once.
 */

afterEach(clearFaults);

async function outletsOfAGenre(count: number, domain?: string) {
  const genre = uniqueId('genre');
  const outlets: Outlet[] = [];
  for (let i = 0; i < count; i++) {
    outlets.push(
      await createOutlet({
        genres: [genre],
        territories: ['GB'],
        contactName: `Host ${i}`,
        ...(domain ? { email: uniqueEmail('outlet', domain) } : {}),
      }),
    );
  }
  // The outlets' own Outlets Changed are handled before the faults are armed.
  await busIdle();
  return { genre, outlets };
}

const labelTime = async (minutesAfter = 0) =>
  new Date((await clockNow()).getTime() + minutesAfter * 60_000).toISOString();

const deliveries = async (labelId: string, releaseId: string) =>
  (
    (await (await api(`/labels/${labelId}/releases/${releaseId}/deliveries`)).json()) as {
      deliveries: { outletId: string; kind: string; status: string; messageId: string | null }[];
    }
  ).deliveries;

describe('release mail when every event is delivered twice at the same instant', () => {
  it('announces the release to each outlet once, tells each of the new date once and of the cancellation once', async () => {
    const label = await aLabel();
    const { genre, outlets } = await outletsOfAGenre(4);
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      releaseTime: '09:00',
      timeZone: 'Europe/London',
    });
    const emails = outlets.map((outlet) => outlet.email);
    const before = await faultsReport();
    await armFault('invoke.duplicate:releases', 'inf');
    await armFault('invoke.duplicate:announcer', 'inf');

    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail(emails, 'New single:');
    await sendWebhook(label, {
      type: 'release.updated',
      timestamp: await labelTime(1),
      data: { ...release, releaseDate: await daysFromNow(40) },
    });
    await waitForMail(emails, 'New date:');
    await sendWebhook(label, {
      type: 'release.cancelled',
      timestamp: await labelTime(2),
      data: { releaseId: release.releaseId, reason: 'The artist withdrew the single.' },
    });
    await waitForMail(emails, 'Cancelled:');
    await busIdle();

    for (const outlet of outlets) {
      const subjects = (await mailTo(outlet.email)).map((mail) => mail.subject.split(':')[0]).sort();
      expect(subjects).toEqual(['Cancelled', 'New date', 'New single']);
    }
    const rows = (await deliveries(label.id, release.releaseId)).filter((row) =>
      outlets.some((outlet) => outlet.id === row.outletId),
    );
    expect(rows.filter((row) => row.kind === 'announcement')).toHaveLength(outlets.length);
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    const fired = await firedSince(before);
    expect(fired['invoke.duplicate:releases']).toBeGreaterThanOrEqual(3);
    expect(fired['invoke.duplicate:announcer']).toBeGreaterThanOrEqual(3);
    expect((await deadLetters()).filter((d) => JSON.stringify(d.event).includes(release.releaseId))).toEqual(
      [],
    );
    // Three mailings, each waited for to the last mail and an idle bus, with every invocation of both
    // functions run twice, the shared cloud's minute sweeps included: 6 s on a fresh cloud, past 90 s late
    // in a run on a machine at load 10 (two clean-clone CIs beside the chaos suite).
  }, 180_000);

  it('announces the release once to an outlet added afterwards, and mails each outlet out now once on release day', async () => {
    const label = await aLabel();
    const { genre, outlets } = await outletsOfAGenre(2);
    const releaseDate = await daysFromNow(2);
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate,
      releaseTime: '09:00',
      timeZone: 'Europe/London',
    });
    const before = await faultsReport();
    await armFault('invoke.duplicate:releases', 'inf');
    await armFault('invoke.duplicate:announcer', 'inf');

    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail(
      outlets.map((outlet) => outlet.email),
      'New single:',
    );
    const added = await createOutlet({ genres: [genre], territories: ['GB'] });
    await waitForMail([added.email], 'New single:');
    await advanceClock(`${releaseDate}T12:00:00Z`);
    const everyone = [...outlets, added].map((outlet) => outlet.email);
    await waitForMail(everyone, 'Out now:');
    await busIdle();

    for (const email of everyone) {
      const subjects = (await mailTo(email)).map((mail) => mail.subject.split(':')[0]).sort();
      expect(subjects).toEqual(['New single', 'Out now']);
    }
    expect((await firedSince(before))['invoke.duplicate:releases']).toBeGreaterThanOrEqual(2);
  });

  it("settles each mail whose send's answer was lost once, from SES's Email Sent read by two settlement batches at once, and sends none again", async () => {
    const label = await aLabel();
    // Addresses at a domain of its own, where its lost answer is aimed: no other mail takes it.
    const domain = aDomain('answer-lost');
    const { genre, outlets } = await outletsOfAGenre(3, domain);
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      releaseTime: '09:00',
      timeZone: 'Europe/London',
    });
    const before = await faultsReport();
    await armFault(`ses.accept-then-fail:${domain}`, 1);
    await armFault('invoke.duplicate:announcer', 'inf');
    await armFault(`sqs.duplicate:${mailSettlementQueue}`, 'inf');

    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail(
      outlets.map((outlet) => outlet.email),
      'New single:',
    );
    const rows = await waitFor(
      async () => {
        const found = (await deliveries(label.id, release.releaseId)).filter((row) =>
          outlets.some((outlet) => outlet.id === row.outletId),
        );
        return found.length === outlets.length && found.every((row) => row.status === 'sent') && found;
      },
      { what: 'every delivery settled as sent' },
    );
    const fired = await firedSince(before);
    // Past the window after which a claim still open is sent again: none is.
    await advanceClock(new Date((await clockNow()).getTime() + 30 * 60_000).toISOString());
    await busIdle();

    expect(rows.every((row) => row.messageId)).toBe(true);
    for (const outlet of outlets) expect(await mailTo(outlet.email)).toHaveLength(1);
    expect(fired[`ses.accept-then-fail:${domain}`]).toBe(1);
    expect(fired[`sqs.duplicate:${mailSettlementQueue}`]).toBeGreaterThanOrEqual(1);
  });
});
