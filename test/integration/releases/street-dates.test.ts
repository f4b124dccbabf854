import { describe, expect, it } from 'vitest';
import { instantOf, type ReleaseMoment } from '#shared/releases.ts';
import { aLabel, aRelease, daysFromNow, mailTo, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import { advanceClock, api, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';

/**
 * Street dates per territory end to end on the local cloud, advancing its clock across three dates in
 * three time zones: outlets in one territory and in several.
 */
const labelTime = async (minutesAfter = 0) =>
  new Date((await clockNow()).getTime() + minutesAfter * 60_000).toISOString();

const justAfter = (moment: ReleaseMoment) => new Date(instantOf(moment) + 60_000).toISOString();

describe('street dates per territory on the local cloud', () => {
  it('announces each outlet its dates, mails a moved territory’s outlets only, and out-now once per outlet at its earliest date', {
    timeout: 120_000,
  }, async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const [gb, de, deAndUs, us] = await Promise.all(
      [['GB'], ['DE'], ['DE', 'US'], ['US']].map((territories) =>
        createOutlet({ genres: [genre], territories }),
      ),
    );
    const gbMoment = { releaseDate: await daysFromNow(10), releaseTime: '09:00', timeZone: 'Europe/London' };
    const deMoment = { releaseDate: await daysFromNow(12), releaseTime: '09:00', timeZone: 'Europe/Berlin' };
    const deMoved = { ...deMoment, releaseDate: await daysFromNow(13) };
    const usMoment = {
      releaseDate: await daysFromNow(14),
      releaseTime: '09:00',
      timeZone: 'America/New_York',
    };
    const release = aRelease({
      genres: [genre],
      territories: ['GB', 'DE', 'US'],
      ...gbMoment,
      territoryDates: [
        { territories: ['DE'], releaseDate: deMoment.releaseDate, timeZone: 'Europe/Berlin' },
        { territories: ['US'], ...usMoment },
      ],
    });

    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail(
      [gb, de, deAndUs, us].map((o) => o.email),
      'New single:',
    );
    await sendWebhook(label, {
      type: 'release.updated',
      timestamp: await labelTime(1),
      data: {
        ...release,
        territoryDates: [
          { territories: ['DE'], releaseDate: deMoved.releaseDate, timeZone: 'Europe/Berlin' },
          { territories: ['US'], ...usMoment },
        ],
      },
    });
    await waitForMail([de.email, deAndUs.email], 'New date:');

    const [toBoth] = await mailTo(deAndUs.email, 'New single:');
    expect(toBoth.body.text).toMatch(/in DE; .* in US/);
    expect((await mailTo(gb.email, 'New single:'))[0].body.text).not.toContain(' in DE');
    expect(await mailTo(gb.email, 'New date:')).toHaveLength(0);
    expect(await mailTo(us.email, 'New date:')).toHaveLength(0);
    expect((await mailTo(de.email, 'New date:'))[0].body.text).toContain('in DE');

    await advanceClock(justAfter(gbMoment));
    await waitForMail([gb.email], 'Out now:');
    const afterGb = await Promise.all([de, deAndUs, us].map((o) => mailTo(o.email, 'Out now:')));
    await advanceClock(justAfter(deMoment));
    await busIdle();
    const atOldGermanDate = await Promise.all([de, deAndUs].map((o) => mailTo(o.email, 'Out now:')));
    await advanceClock(justAfter(deMoved));
    await waitForMail([de.email, deAndUs.email], 'Out now:');
    await advanceClock(justAfter(usMoment));
    await waitForMail([us.email], 'Out now:');

    expect(afterGb.map((mails) => mails.length)).toEqual([0, 0, 0]);
    expect(atOldGermanDate.map((mails) => mails.length)).toEqual([0, 0]);
    for (const outlet of [gb, de, deAndUs, us])
      expect(await mailTo(outlet.email, 'Out now:')).toHaveLength(1);
  });

  it('mails an address out-now once, at its first street date, though the outlet at it is deleted and imported again in a territory that comes out later', {
    timeout: 120_000,
  }, async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const gbOutlet = await createOutlet({ genres: [genre], territories: ['GB'] });
    const gbMoment = { releaseDate: await daysFromNow(10), releaseTime: '09:00', timeZone: 'Europe/London' };
    const deMoment = { releaseDate: await daysFromNow(11), releaseTime: '09:00', timeZone: 'Europe/Berlin' };
    const release = aRelease({
      genres: [genre],
      territories: ['GB', 'DE'],
      ...gbMoment,
      territoryDates: [{ territories: ['DE'], ...deMoment }],
    });
    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail([gbOutlet.email], 'New single:');
    await advanceClock(justAfter(gbMoment));
    await waitForMail([gbOutlet.email], 'Out now:');

    // The same person, now listed for Germany only: a second outlet record at the same address.
    const deleted = await api(`/media-outlets/${gbOutlet.id}`, { method: 'DELETE' });
    const deOutlet = await createOutlet({ email: gbOutlet.email, genres: [genre], territories: ['DE'] });
    await advanceClock(justAfter(deMoment));
    await busIdle();

    expect([deleted.status, deOutlet.email]).toEqual([204, gbOutlet.email]);
    expect(await mailTo(gbOutlet.email, 'Out now:')).toHaveLength(1);
  });
  it('tells a territory already out nothing when its date moves: no date change, no second out-now, and an outlet added there hears it is out', {
    timeout: 120_000,
  }, async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const [gb, de] = await Promise.all(
      [['GB'], ['DE']].map((territories) => createOutlet({ genres: [genre], territories })),
    );
    const gbMoment = { releaseDate: await daysFromNow(10), releaseTime: '09:00', timeZone: 'Europe/London' };
    const gbLater = { ...gbMoment, releaseDate: await daysFromNow(11) };
    const gbEarlier = { ...gbMoment, releaseDate: await daysFromNow(9) };
    const deMoment = { releaseDate: await daysFromNow(12), releaseTime: '09:00', timeZone: 'Europe/Berlin' };
    const release = aRelease({
      genres: [genre],
      territories: ['GB', 'DE'],
      ...gbMoment,
      territoryDates: [{ territories: ['DE'], ...deMoment }],
    });
    const gbOn = (moment: ReleaseMoment, minutesAfter: number) =>
      sendWebhook(label, {
        type: 'release.updated',
        timestamp: new Date(Date.parse(justAfter(gbMoment)) + minutesAfter * 60_000).toISOString(),
        data: { ...release, ...moment },
      });
    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail([gb.email, de.email], 'New single:');
    await advanceClock(justAfter(gbMoment));
    await waitForMail([gb.email], 'Out now:');

    // Out in GB, the label moves GB's date to one still to come; an outlet added in GB then hears it is out.
    await gbOn(gbLater, 1);
    await busIdle();
    const added = await createOutlet({ genres: [genre], territories: ['GB'] });
    await waitForMail([added.email], 'New single:');
    await busIdle();
    const addedOutNow = await mailTo(added.email, 'Out now:');
    await advanceClock(justAfter(gbLater));
    await busIdle();
    // Then to one gone by, whose release day would fire at once.
    await gbOn(gbEarlier, 2);
    await busIdle();
    await advanceClock(justAfter(deMoment));
    await waitForMail([de.email], 'Out now:');

    expect(addedOutNow).toHaveLength(1);
    for (const outlet of [gb, de, added]) expect(await mailTo(outlet.email, 'Out now:')).toHaveLength(1);
    expect(await mailTo(gb.email, 'New date:')).toHaveLength(0);
  });
});
