import { afterAll, describe, expect, it } from 'vitest';
import { aLabel, aRelease, daysFromNow, mailTo, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import { api, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import { importOutlets } from '#test/support/jobs-cloud.ts';
import { createOutlet, uniqueEmail } from '#test/support/outlets-cloud.ts';

/**
 * Outlets added to the directory after a release was announced hear of it (docs/design.md#exactly-once-mail).
 * Each test's releases and outlets share a genre of their own, so no other test's release reaches these
 * outlets; and every release still to come is cancelled once the file is done, so outlets other files
 * create afterwards (those covering every genre) are not announced these releases.
 */
const label = aLabel();
const comingReleases: string[] = [];

const labelTime = async (minutesAfter = 0) =>
  new Date((await clockNow()).getTime() + minutesAfter * 60_000).toISOString();

async function schedule(genre: string, title = 'Night Drive') {
  const release = aRelease({
    title,
    genres: [genre],
    territories: ['GB'],
    releaseDate: await daysFromNow(30),
    releaseTime: '09:00',
    timeZone: 'Europe/London',
  });
  await sendWebhook(await label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
  comingReleases.push(release.releaseId);
  return release;
}

async function cancel(releaseId: string) {
  await sendWebhook(await label, {
    type: 'release.cancelled',
    timestamp: await labelTime(1),
    data: { releaseId, reason: 'Test over.' },
  });
  comingReleases.splice(comingReleases.indexOf(releaseId), 1);
}

afterAll(async () => {
  for (const releaseId of [...comingReleases]) await cancel(releaseId);
  await busIdle();
});

describe('outlets added after a release was announced', () => {
  it('announces the release to an outlet created afterwards, once, and nothing more to the outlets told before', async () => {
    const genre = uniqueId('genre');
    const first = await createOutlet({ kind: 'press', genres: [genre], territories: ['GB'] });
    const release = await schedule(genre);
    await waitForMail([first.email], 'New single:');

    const added = await createOutlet({ kind: 'press', genres: [genre], territories: ['GB'] });
    await waitForMail([added.email], 'New single:');
    // Edited afterwards to match more (another territory): the claim keeps it to the one announcement.
    const edited = await api(`/media-outlets/${added.id}`, {
      method: 'PUT',
      json: {
        name: added.name,
        email: added.email,
        kind: 'press',
        genres: [genre],
        territories: ['GB', 'IE'],
      },
    });
    expect(edited.status).toBe(200);
    await busIdle();

    const toAdded = await mailTo(added.email);
    expect(toAdded.map((mail) => mail.subject)).toEqual([expect.stringContaining(release.title)]);
    expect(await mailTo(first.email)).toHaveLength(1);
  });

  it('announces nothing of a cancelled release to an outlet created afterwards, and does announce the one still to come', async () => {
    const genre = uniqueId('genre');
    const cancelled = await schedule(genre, 'Called Off');
    await cancel(cancelled.releaseId);
    await busIdle();
    const coming = await schedule(genre, 'Still Coming');
    await busIdle();

    const added = await createOutlet({ kind: 'press', genres: [genre], territories: ['GB'] });
    await waitForMail([added.email], 'New single:');

    const subjects = (await mailTo(added.email)).map((mail) => mail.subject);
    expect(subjects).toHaveLength(1);
    expect(subjects[0]).toContain(coming.title);
  });

  it('announces the release once to each matching outlet an import adds, and to none that does not match', async () => {
    const genre = uniqueId('genre');
    await schedule(genre);
    await busIdle();
    const [one, two, elsewhere, otherGenre] = [
      uniqueEmail('one'),
      uniqueEmail('two'),
      uniqueEmail('elsewhere'),
      uniqueEmail('other'),
    ];

    const job = await importOutlets(
      [
        'name,email,kind,genres,territories',
        `One,${one},press,${genre},GB`,
        `Two,${two},blog,${genre},GB`,
        `Elsewhere,${elsewhere},press,${genre},FR`,
        `Other,${otherGenre},press,${genre}-not,GB`,
      ].join('\n'),
    );
    await waitForMail([one, two], 'New single:');
    // The same file again: every row unchanged, nobody told twice.
    await importOutlets(
      [
        'name,email,kind,genres,territories',
        `One,${one},press,${genre},GB`,
        `Two,${two},blog,${genre},GB`,
      ].join('\n'),
    );
    await busIdle();

    expect(job.result).toMatchObject({ created: 4, rejectedCount: 0 });
    expect(await mailTo(one)).toHaveLength(1);
    expect(await mailTo(two)).toHaveLength(1);
    expect(await mailTo(elsewhere)).toHaveLength(0);
    expect(await mailTo(otherGenre)).toHaveLength(0);
  });
});
