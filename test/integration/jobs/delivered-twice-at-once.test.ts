import { afterEach, describe, expect, it } from 'vitest';
import { aLabel, aRelease, daysFromNow, mailTo, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import {
  advanceClock,
  armFault,
  busIdle,
  clearFaults,
  clockNow,
  faultsReport,
  firedSince,
  uniqueId,
} from '#test/support/cloud.ts';
import { csvImport, waitForJob } from '#test/support/jobs-cloud.ts';
import { uniqueEmail } from '#test/support/outlets-cloud.ts';

/**
 * EventBridge and Lambda deliver at least once, and the repeat may run beside the first: every event
 * reaching the jobs function and the announcer is handled by two instances at the same instant
 * (invoke.duplicate, docs/design.md#local-faults). An import still counts each row once, and the
 * outlets it made hear of a release once. The instance whose start the other's lease refuses fails,
 * and the delivery is retried past the lease (30 s) by the local clock, as Lambda retries it a minute
 * later (docs/design.md#jobs): the test moves the clock on by that minute rather than wait it out.
 */

afterEach(clearFaults);

describe('an outlet import when every event is delivered twice at the same instant', () => {
  it('imports each row once, counts the rejected and repeated rows once, and the new outlets hear of a release once', async () => {
    const label = await aLabel();
    const genre = uniqueId('genre');
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      releaseTime: '09:00',
      timeZone: 'Europe/London',
    });
    await sendWebhook(label, {
      type: 'release.scheduled',
      timestamp: (await clockNow()).toISOString(),
      data: release,
    });
    await busIdle();
    const emails = [uniqueEmail('one'), uniqueEmail('two'), uniqueEmail('three')];
    const before = await faultsReport();
    await armFault('invoke.duplicate:jobs', 'inf');
    await armFault('invoke.duplicate:announcer', 'inf');

    const accepted = await csvImport(
      [
        'name,email,kind,genres,territories',
        ...emails.map((email, i) => `Outlet ${i},${email},press,${genre},GB`),
        `Repeated,${emails[0].toUpperCase()},press,${genre},GB`,
        `Broken,not-an-address,press,${genre},GB`,
      ].join('\n'),
    );
    await advanceClock(new Date((await clockNow()).getTime() + 60_000).toISOString());
    const job = await waitForJob(((await accepted.json()) as { jobId: string }).jobId);
    await waitForMail(emails, 'New single:');
    await busIdle();

    expect(job).toMatchObject({
      status: 'done',
      result: { created: 3, rejectedCount: 1, repeatedCount: 1 },
    });
    for (const email of emails) expect(await mailTo(email)).toHaveLength(1);
    expect((await firedSince(before))['invoke.duplicate:jobs']).toBeGreaterThanOrEqual(1);
  });
});
