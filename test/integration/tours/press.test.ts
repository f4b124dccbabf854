import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import type { Show } from '#shared/events/tour-booked.ts';
import { signUnsubscribeToken } from '#shared/tokens.ts';
import { stepMoment } from '#shared/tours.ts';
import { calendarOfMail } from '#test/support/calendar.ts';
import { advanceClock, api, busIdle, cloud, sentMail } from '#test/support/cloud.ts';
import { createOutlet, localTokenKey } from '#test/support/outlets-cloud.ts';
import {
  afterPressWindow,
  aPressTour,
  aVenue,
  mailsTo,
  tourWebhook,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/** Press for a tour's shows on the local cloud: outlets per territory, calendars read back with a parser. */

/** An instant as the wall time of a zone, `YYYY-MM-DDTHH:MM`. */
const localTime = (instant: Date, timeZone: string) =>
  Temporal.Instant.fromEpochMilliseconds(instant.getTime())
    .toZonedDateTimeISO(timeZone)
    .toPlainDateTime()
    .toString()
    .slice(0, 16);

describe('press for the shows of a tour', () => {
  it('tells outlets in two territories once the embargo is over, each with a calendar of its shows; updates and cancels; an opt-out does not stop the advance request', async () => {
    const { genre, label, tourId, now, aShow, book, promoter } = await aPressTour('Glass Harbour', 'Press');
    // Not on a whole minute: the press must still wait for it.
    const announceAt = new Date(now.getTime() + 2 * 86_400_000 + 12_345).toISOString();
    const shows: Record<string, Show> = {
      berlin: aShow(40, aVenue('Berlin', 'DE', 'Europe/Berlin'), { announceAt }),
      munich: aShow(42, aVenue('Munich', 'DE', 'Europe/Berlin'), { announceAt }),
      tokyo: aShow(45, aVenue('Tokyo', 'JP', 'Asia/Tokyo'), { announceAt }),
    };
    const de = await createOutlet({ name: 'Musikexpress', genres: [genre], territories: ['DE'] });
    const jp = await createOutlet({ name: 'Rockin On', genres: [genre], territories: ['JP'] });
    const fr = await createOutlet({ name: 'Les Inrocks', genres: [genre], territories: ['FR'] });
    // The promoter is also in the media list, and has opted out of press mail.
    const optedOut = await createOutlet({
      name: 'Promoter zine',
      email: promoter.email,
      genres: [genre],
      territories: ['DE'],
    });
    const token = signUnsubscribeToken(await localTokenKey(), {
      outletId: optedOut.id,
      email: promoter.email,
    });
    const unsubscribed = await fetch(`${cloud().baseUrl}/u/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribed.status).toBe(200);

    await book(Object.values(shows));
    await busIdle();
    const beforeEmbargo = await mailsTo(de.email);
    await advanceClock(new Date(new Date(announceAt).getTime() + 60_000).toISOString());

    const [toDe] = await waitForMailTo(de.email, 'Glass Harbour live in Germany');
    const [toJp] = await waitForMailTo(jp.email, 'Glass Harbour live in Japan');
    expect(beforeEmbargo).toEqual([]);
    expect(await mailsTo(fr.email)).toEqual([]);
    expect(await mailsTo(promoter.email, 'live in')).toEqual([]);
    expect(toDe.headers?.some((h) => h.name === 'List-Unsubscribe-Post')).toBe(true);
    const deCalendar = calendarOfMail(toDe);
    expect(deCalendar.map((e) => e.summary).sort()).toEqual([
      'Glass Harbour at Berlin Hall, Berlin',
      'Glass Harbour at Munich Hall, Munich',
    ]);
    expect(deCalendar.map((e) => [e.zone, e.localStart]).sort()).toEqual([
      ['Europe/Berlin', `${shows.berlin.date}T19:00:00`],
      ['Europe/Berlin', `${shows.munich.date}T19:00:00`],
    ]);
    expect(deCalendar.map((e) => localTime(new Date(e.start), 'Europe/Berlin')).sort()).toEqual([
      `${shows.berlin.date}T19:00`,
      `${shows.munich.date}T19:00`,
    ]);
    expect(calendarOfMail(toJp).map((e) => localTime(new Date(e.start), 'Asia/Tokyo'))).toEqual([
      `${shows.tokyo.date}T19:00`,
    ]);

    const hamburg = aShow(44, aVenue('Hamburg', 'DE', 'Europe/Berlin'));
    await tourWebhook(label, 'tour.show.added', { tourId, show: hamburg }, 1);
    await afterPressWindow();
    const [update] = await waitForMailTo(de.email, 'New Glass Harbour show in Germany');
    expect(calendarOfMail(update).map((e) => e.summary)).toEqual(['Glass Harbour at Hamburg Hall, Hamburg']);

    const later = { ...shows.berlin, times: { ...shows.berlin.times, doors: '20:00' } };
    await tourWebhook(label, 'tour.show.updated', { tourId, show: later }, 1.5);
    const [changed] = await waitForMailTo(de.email, 'Changed: Glass Harbour in Germany');
    expect(calendarOfMail(changed).map((e) => [e.summary, e.localStart])).toEqual([
      ['Glass Harbour at Berlin Hall, Berlin', `${shows.berlin.date}T20:00:00`],
    ]);
    expect(calendarOfMail(changed)[0].uid).toBe(deCalendar.find((e) => e.summary.includes('Berlin'))?.uid);

    await tourWebhook(label, 'tour.show.cancelled', { tourId, showId: shows.munich.showId }, 2);
    const [cancelled] = await waitForMailTo(de.email, 'Cancelled: Glass Harbour in Germany');
    expect(calendarOfMail(cancelled)).toEqual([expect.objectContaining({ status: 'CANCELLED' })]);
    await busIdle();
    expect(await mailsTo(jp.email)).toHaveLength(1);
    expect(await mailsTo(de.email)).toHaveLength(4);
    const view = (await (await api(`/labels/${label.id}/tours/${tourId}`)).json()) as {
      shows: { showId: string; outletsTold: number }[];
    };
    // Press reaches every matching outlet of the shared test directory (WW outlets of other tests too):
    // the view counts exactly the addresses the SES store shows were told of Tokyo.
    const toldOfTokyo = new Set(
      (await sentMail())
        .filter((mail) => mail.subject.includes('Glass Harbour live in Japan'))
        .flatMap((mail) => mail.destination.to),
    );
    expect(toldOfTokyo.has(jp.email)).toBe(true);
    expect(view.shows.find((s) => s.showId === shows.tokyo.showId)?.outletsTold).toBe(toldOfTokyo.size);

    await advanceClock(
      new Date(
        new Date(stepMoment(shows.berlin, 'advance-request').scheduledFor).getTime() + 60_000,
      ).toISOString(),
    );
    const requests = await waitForMailTo(promoter.email, 'Advance for Glass Harbour at Berlin');
    expect(requests).toHaveLength(1);
  }, 600_000);

  it('tells an outlet of two shows booked together in one country, already past their embargo, in one mail with both in its calendar', async () => {
    const { genre, aShow, book } = await aPressTour('Paper Lanterns', 'Together');
    const lyon = aShow(50, aVenue('Lyon', 'FR', 'Europe/Paris'));
    const lille = aShow(52, aVenue('Lille', 'FR', 'Europe/Paris'), { status: 'on-sale' });
    const fr = await createOutlet({ name: 'Tsugi', genres: [genre], territories: ['FR'] });
    // In the directory before the booking (docs/design.md#tours: one added meanwhile may hear in two mails).
    await busIdle();

    await book([lyon, lille]);
    await afterPressWindow();

    const [told] = await waitForMailTo(fr.email, 'Paper Lanterns live in France');
    await busIdle();
    expect(await mailsTo(fr.email)).toHaveLength(1);
    expect(told.subject).toContain('Lyon');
    expect(told.subject).toContain('Lille');
    expect(
      calendarOfMail(told)
        .map((e) => e.localStart)
        .sort(),
    ).toEqual([`${lyon.date}T19:00:00`, `${lille.date}T19:00:00`]);
  }, 300_000);
  it('tells an outlet of two shows added by separate webhooks at the same moment in one announcement', async () => {
    const { genre, label, tourId, aShow, book } = await aPressTour('Two Webhooks', 'Apart');
    const nl = await createOutlet({ name: 'OOR', genres: [genre], territories: ['NL'] });
    await busIdle();
    const utrecht = aShow(40, aVenue('Utrecht', 'NL', 'Europe/Amsterdam'));
    const tilburg = aShow(41, aVenue('Tilburg', 'NL', 'Europe/Amsterdam'));
    await book([aShow(39, aVenue('Oslo', 'NO', 'Europe/Oslo'), { status: 'confirmed' })]);

    await Promise.all(
      [utrecht, tilburg].map((added) => tourWebhook(label, 'tour.show.added', { tourId, show: added })),
    );
    await afterPressWindow();

    const [told] = await waitForMailTo(nl.email, 'Two Webhooks live in the Netherlands');
    await busIdle();
    expect(await mailsTo(nl.email)).toHaveLength(1);
    expect(
      calendarOfMail(told)
        .map((e) => e.summary)
        .sort(),
    ).toEqual(['Two Webhooks at Tilburg Hall, Tilburg', 'Two Webhooks at Utrecht Hall, Utrecht']);
  }, 300_000);

  it('tells the outlets of the country a show left that it moved, once, and announces it in its new country', async () => {
    const { genre, label, tourId, aShow, book } = await aPressTour('Border Run', 'Moving');
    const be = await createOutlet({ name: 'Focus Knack', genres: [genre], territories: ['BE'] });
    const lu = await createOutlet({ name: 'Lëtzebuerger Land', genres: [genre], territories: ['LU'] });
    await busIdle();
    const brussels = aShow(45, aVenue('Brussels', 'BE', 'Europe/Brussels'));
    await book([brussels]);
    await afterPressWindow();
    await waitForMailTo(be.email, 'Border Run live in Belgium');

    const luxembourg = { ...brussels, venue: aVenue('Luxembourg', 'LU', 'Europe/Luxembourg') };
    await tourWebhook(label, 'tour.show.updated', { tourId, show: luxembourg }, 1);
    await afterPressWindow();

    const [moved] = await waitForMailTo(be.email, 'Moved: Border Run no longer in Belgium');
    const [announced] = await waitForMailTo(lu.email, 'Border Run live in Luxembourg');
    await busIdle();
    expect(moved.body.text).toContain('moved to Luxembourg, Luxembourg');
    expect(calendarOfMail(announced).map((e) => e.summary)).toEqual([
      'Border Run at Luxembourg Hall, Luxembourg',
    ]);
    expect((await mailsTo(be.email)).map((m) => m.subject.split(':')[0])).toEqual([
      'Border Run live in Belgium',
      'Moved',
    ]);
    expect(await mailsTo(lu.email)).toHaveLength(1);
  }, 300_000);
});
