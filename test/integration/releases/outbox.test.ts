import { describe, expect, it } from 'vitest';
import { dynamoOutbox } from '#shared/db/outbox-publishing.ts';
import type { Outlet } from '#shared/outlets.ts';
import { aLabel, aRelease, daysFromNow, mailTo, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import {
  advanceClock,
  armFault,
  busIdle,
  clearFaults,
  clockNow,
  cloud,
  deadLetters,
  documentClient,
  faultsReport,
  firedSince,
  redriveDeadLetters,
  streamDeadLetters,
  uniqueId,
} from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';

/**
 * The outbox end to end: a release's effects are written with the release and published from the
 * table's stream, so a bus that keeps refusing them delays the announcement but cannot lose it.
 */
async function world(outletCount: number) {
  const genre = uniqueId('genre');
  const label = await aLabel();
  const outlets: Outlet[] = await Promise.all(
    Array.from({ length: outletCount }, (_, i) =>
      createOutlet({ name: `Radio ${i}`, genres: [genre], territories: ['GB'] }),
    ),
  );
  // The outlets' own Outlets Changed are handled before the release exists: handled after, they would
  // have the announcer announce it to them whatever becomes of the releases function's events.
  await busIdle();
  const release = aRelease({
    genres: [genre],
    territories: ['GB'],
    releaseDate: await daysFromNow(30),
    releaseTime: '09:00',
    timeZone: 'Europe/London',
  });
  return { label, outlets, release };
}

const scheduledNow = async (release: ReturnType<typeof aRelease>) => ({
  type: 'release.scheduled',
  timestamp: (await clockNow()).toISOString(),
  data: release,
});

const everyOneMailed = async (outlets: { email: string }[]) =>
  (await Promise.all(outlets.map((o) => mailTo(o.email, 'New single:')))).every((mail) => mail.length > 0);

/** Past the age at which the sweep republishes an entry left unpublished. */
const afterTheSweep = async () =>
  advanceClock(new Date((await clockNow()).getTime() + 4 * 60_000).toISOString());

describe('the outbox on the local cloud', () => {
  it('still announces a release to every outlet when PutEvents fails for the releases source 12 times', async () => {
    const { label, outlets, release } = await world(3);
    const before = await faultsReport();
    await armFault('events.put-fail:backline.releases', 12);

    const response = await sendWebhook(label, await scheduledNow(release));
    await busIdle();
    // Counted before the clock moves: with the bus idle when they were armed (world) and no sweep or
    // schedule due, only this release's puts could take them (`:source` is the narrowest target).
    const fired = (await firedSince(before))['events.put-fail:backline.releases'];
    // Past the sweep's age, then a minute at a time (each minute's sweep takes the oldest entries first:
    // on the shared cloud, another file's may come before this one) until the mail is out.
    await afterTheSweep();
    await busIdle();
    for (let minutes = 0; minutes < 5 && !(await everyOneMailed(outlets)); minutes++) {
      await advanceClock(new Date((await clockNow()).getTime() + 60_000).toISOString());
      await busIdle();
    }
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );

    expect(response.status).toBe(202);
    expect(fired).toBe(12);
    for (const outlet of outlets) expect(await mailTo(outlet.email, 'New single:')).toHaveLength(1);
    await clearFaults();
  }, 90_000);

  it('republishes from the sweep what the stream path gave up on, once the bus takes events again', async () => {
    const { label, outlets, release } = await world(3);
    const deadBefore = (await streamDeadLetters()).length;
    await armFault('events.put-fail:backline.releases', 'inf');

    await sendWebhook(label, await scheduledNow(release));
    await busIdle();
    const dead = (await streamDeadLetters()).slice(deadBefore);
    const mailedWhileRefused = await mailTo(outlets[0].email);
    await clearFaults();
    await afterTheSweep();
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );

    expect(mailedWhileRefused).toEqual([]);
    expect(dead).toEqual([
      expect.objectContaining({
        function: 'publisher',
        attempts: 4,
        DDBStreamBatchInfo: expect.objectContaining({ batchSize: 1 }),
      }),
    ]);
    for (const outlet of outlets) expect(await mailTo(outlet.email, 'New single:')).toHaveLength(1);
  });

  it('parks an entry the bus refuses for good, so the sweep succeeds for the rest, and the redrive puts it back', async () => {
    const { label, outlets, release } = await world(2);
    const outbox = dynamoOutbox(documentClient(), cloud().tableName);
    const since = (await clockNow()).toISOString();
    const deadBefore = (await deadLetters()).length;
    const streamDeadBefore = (await streamDeadLetters()).length;
    await armFault('events.put-refuse:backline.releases', 'inf');

    await sendWebhook(label, await scheduledNow(release));
    await busIdle();
    await afterTheSweep();
    const parked = (await outbox.parked(1000)).filter((entry) => entry.parkedAt >= since);
    // What every minute's sweep reports for the parked alarm, counted on the parked index.
    const countedWhileParked = await outbox.parkedCount();
    const mailedWhileRefused = await mailTo(outlets[0].email);
    const deadWhileRefused = (await deadLetters()).slice(deadBefore);
    const streamDeadWhileRefused = (await streamDeadLetters()).slice(streamDeadBefore);
    await clearFaults();
    const redriven = await redriveDeadLetters();
    await waitForMail(
      outlets.map((o) => o.email),
      'New single:',
    );

    expect(mailedWhileRefused).toEqual([]);
    expect(parked.length).toBeGreaterThan(0);
    expect(countedWhileParked).toBeGreaterThanOrEqual(parked.length);
    for (const entry of parked) {
      expect(entry).toMatchObject({ source: 'backline.releases', code: 'NotAuthorizedForSourceException' });
      expect(entry.message).toMatch(/events\.put-refuse/);
    }
    // Parked at the first refusal: neither the stream path's retries nor the minute's sweeps failed on them.
    expect(streamDeadWhileRefused).toEqual([]);
    expect(deadWhileRefused.filter((letter) => letter.function === 'publisher')).toEqual([]);
    expect(redriven.outboxEntries).toBeGreaterThanOrEqual(parked.length);
    expect((await outbox.parked(1000)).filter((entry) => entry.parkedAt >= since)).toEqual([]);
    for (const outlet of outlets) expect(await mailTo(outlet.email, 'New single:')).toHaveLength(1);
  });
});
