import { describe, expect, it } from 'vitest';
import { instantOf, type ReleaseMoment } from '#shared/releases.ts';
import { atExpression } from '#shared/scheduler.ts';
import {
  aLabel,
  aRelease,
  daysFromNow,
  mailTo,
  radioServicingSchedule,
  sendWebhook,
  waitForMail,
} from '#test/support/announcing.ts';
import { advanceClock, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';

/**
 * Radio servicing end to end on the local cloud, advancing its clock to 09:00 on the servicing date
 * in London, then in Los Angeles (the release's zone, for the United States with its several zones).
 */
const labelTime = async (minutesAfter = 0) =>
  new Date((await clockNow()).getTime() + minutesAfter * 60_000).toISOString();

const justAfter = (moment: ReleaseMoment) => new Date(instantOf(moment) + 60_000).toISOString();

const promoLinkIn = (text: string) => /(http:\/\/\S+\/p\/\S+)/.exec(text)?.[1];

describe('radio servicing on the local cloud', () => {
  it('services radio outlets at 09:00 in their territory’s zone instead of announcing them, tells a moved add date to its format and territory only, and a cancellation to all', {
    timeout: 120_000,
  }, async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const press = await createOutlet({ kind: 'press', genres: [genre], territories: ['GB'] });
    const [aaaGb, chrGb, aaaUs] = await Promise.all(
      [
        { territories: ['GB'], formats: ['AAA'] },
        { territories: ['GB'], formats: ['CHR'] },
        { territories: ['US'], formats: ['AAA'] },
      ].map((outlet) => createOutlet({ kind: 'radio', genres: [genre], ...outlet })),
    );
    const servicingDate = await daysFromNow(5);
    const london = { releaseDate: servicingDate, releaseTime: '09:00', timeZone: 'Europe/London' };
    const losAngeles = { ...london, timeZone: 'America/Los_Angeles' };
    const addDates = [
      { format: 'AAA', territory: 'GB', date: await daysFromNow(10) },
      { format: 'CHR', territory: 'GB', date: await daysFromNow(11) },
      { format: 'AAA', territory: 'US', date: await daysFromNow(12) },
    ];
    const release = aRelease({
      genres: [genre],
      territories: ['GB', 'US'],
      releaseDate: await daysFromNow(20),
      timeZone: 'America/Los_Angeles',
      radioServicing: {
        servicingDate,
        addDates,
        edits: [{ kind: 'radio-edit', assetUrl: 'https://promo.example.com/night-drive-radio-edit' }],
      },
    });

    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail([press.email], 'New single:');
    const beforeServicing = await Promise.all([aaaGb, chrGb, aaaUs].map((o) => mailTo(o.email)));
    await advanceClock(justAfter(london));
    await waitForMail([aaaGb.email, chrGb.email], 'For radio:');
    const usAtLondonMoment = await mailTo(aaaUs.email);
    await advanceClock(justAfter(losAngeles));
    await waitForMail([aaaUs.email], 'For radio:');

    expect(beforeServicing.map((mails) => mails.length)).toEqual([0, 0, 0]);
    expect(usAtLondonMoment).toHaveLength(0);
    expect(await mailTo(press.email, 'For radio:')).toHaveLength(0);
    const [toAaaGb] = await mailTo(aaaGb.email, 'For radio:');
    expect(toAaaGb.body.text).toMatch(/AAA in GB: /);
    expect(toAaaGb.body.text).not.toMatch(/CHR in GB|AAA in US/);
    expect(toAaaGb.body.text).toContain('Radio edit #1');
    const promo = await fetch(promoLinkIn(toAaaGb.body.text ?? '') ?? 'missing', {
      method: 'POST',
      redirect: 'manual',
    });
    expect(promo.status).toBe(303);
    expect(promo.headers.get('location')).toBe('https://promo.example.com/night-drive-radio-edit');

    const moved = { ...addDates[0], date: await daysFromNow(15) };
    await sendWebhook(label, {
      type: 'release.updated',
      timestamp: await labelTime(1),
      data: {
        ...release,
        radioServicing: { ...release.radioServicing, addDates: [moved, ...addDates.slice(1)] },
      },
    });
    await waitForMail([aaaGb.email], 'New add date:');

    expect((await mailTo(aaaGb.email, 'New add date:'))[0].body.text).toMatch(/It is now AAA in GB: /);
    expect(await mailTo(chrGb.email, 'New add date:')).toHaveLength(0);
    expect(await mailTo(aaaUs.email, 'New add date:')).toHaveLength(0);

    await sendWebhook(label, {
      type: 'release.cancelled',
      timestamp: await labelTime(2),
      data: { releaseId: release.releaseId, reason: 'Artist withdrew the single.' },
    });
    await waitForMail([press.email, aaaGb.email, chrGb.email, aaaUs.email], 'Cancelled:');
    await busIdle();

    for (const outlet of [aaaGb, chrGb, aaaUs]) {
      expect(await mailTo(outlet.email, 'For radio:')).toHaveLength(1);
      expect(await mailTo(outlet.email, 'New single:')).toHaveLength(0);
      expect(await mailTo(outlet.email, 'Cancelled:')).toHaveLength(1);
    }
  });

  it('gives a serviced station the radio edit in its out-now, as its servicing did, and the press its promo asset', {
    timeout: 120_000,
  }, async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const press = await createOutlet({ kind: 'press', genres: [genre], territories: ['GB'] });
    const station = await createOutlet({
      kind: 'radio',
      genres: [genre],
      territories: ['GB'],
      formats: ['AAA'],
    });
    const servicingDate = await daysFromNow(3);
    const servicing = { releaseDate: servicingDate, releaseTime: '09:00', timeZone: 'Europe/London' };
    const releaseDay = { releaseDate: await daysFromNow(6), releaseTime: '00:00', timeZone: 'Europe/London' };
    const release = aRelease({
      genres: [genre],
      territories: ['GB'],
      ...releaseDay,
      promoAssets: [{ kind: 'stream', url: 'https://promo.example.com/night-drive' }],
      radioServicing: {
        servicingDate,
        addDates: [{ format: 'AAA', territory: 'GB', date: await daysFromNow(8) }],
        edits: [{ kind: 'radio-edit', assetUrl: 'https://promo.example.com/night-drive-radio-edit' }],
      },
    });
    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail([press.email], 'New single:');
    await advanceClock(justAfter(servicing));
    await waitForMail([station.email], 'For radio:');

    await advanceClock(justAfter(releaseDay));
    await waitForMail([press.email, station.email], 'Out now:');

    const openedBy = async (text: string | undefined) =>
      (await fetch(promoLinkIn(text ?? '') ?? 'missing', { method: 'POST', redirect: 'manual' })).headers.get(
        'location',
      );
    const [toStation, ...againToStation] = await mailTo(station.email, 'Out now:');
    expect(againToStation).toHaveLength(0);
    expect(toStation.body.text).toContain('Radio edit #1');
    expect(await openedBy(toStation.body.text)).toBe('https://promo.example.com/night-drive-radio-edit');
    const [toPress] = await mailTo(press.email, 'Out now:');
    expect(toPress.body.text).not.toContain('Radio edit');
    expect(await openedBy(toPress.body.text)).toBe('https://promo.example.com/night-drive');
  });

  it('services a territory with a street date of its own at 09:00 in that date’s zone, not the release’s', {
    timeout: 120_000,
  }, async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const [aaaGb, aaaUs] = await Promise.all(
      [['GB'], ['US']].map((territories) =>
        createOutlet({ kind: 'radio', genres: [genre], territories, formats: ['AAA'] }),
      ),
    );
    const servicingDate = await daysFromNow(5);
    const london = { releaseDate: servicingDate, releaseTime: '09:00', timeZone: 'Europe/London' };
    const newYork = { ...london, timeZone: 'America/New_York' };
    const release = aRelease({
      genres: [genre],
      territories: ['GB', 'US'],
      releaseDate: await daysFromNow(20),
      timeZone: 'Europe/London',
      territoryDates: [
        { territories: ['US'], releaseDate: await daysFromNow(21), timeZone: 'America/New_York' },
      ],
      radioServicing: { servicingDate, addDates: [], edits: [] },
    });

    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await busIdle();
    const schedules = await Promise.all(
      [london, newYork].map((moment) => radioServicingSchedule(label.id, release.releaseId, moment)),
    );
    await advanceClock(justAfter(london));
    await waitForMail([aaaGb.email], 'For radio:');
    const usAtLondonMoment = await mailTo(aaaUs.email, 'For radio:');
    await advanceClock(justAfter(newYork));
    await waitForMail([aaaUs.email], 'For radio:');

    expect(schedules.map((schedule) => schedule?.ScheduleExpression)).toEqual([
      atExpression(instantOf(london)),
      atExpression(instantOf(newYork)),
    ]);
    expect(usAtLondonMoment).toHaveLength(0);
    expect(await mailTo(aaaUs.email, 'For radio:')).toHaveLength(1);
  });
});
