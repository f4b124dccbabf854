import { describe, expect, it } from 'vitest';
import { stepMoment } from '#shared/tours.ts';
import { calendarOfMail } from '#test/support/calendar.ts';
import { advanceClock, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';
import {
  afterPressWindow,
  aPressTour,
  aVenue,
  mailsTo,
  sendWebhook,
  tourWebhook,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/** A show cancelled on the local cloud: the tour manager and crew hold it as the press does (docs/design.md#tours). */
describe('a show cancelled after its day sheet went', () => {
  it('mails the tour manager and crew once that it is cancelled, with the reason and the press’s cancelled calendar, for a redelivered webhook too', async () => {
    const { genre, label, tourId, tourManager, aShow } = await aPressTour('Called Off', 'Storno');
    const crew = { name: 'Kai', email: `${uniqueId('crew')}@crew.example` };
    const show = aShow(5, aVenue('Bergen', 'NO', 'Europe/Oslo'));
    const no = await createOutlet({ name: 'Bergens Tidende', genres: [genre], territories: ['NO'] });
    await tourWebhook(label, 'tour.booked', {
      tourId,
      artist: { name: 'Called Off' },
      genres: [genre],
      tourManager,
      crew: [crew],
      shows: [show],
    });
    await afterPressWindow();
    await waitForMailTo(no.email, 'Called Off live in Norway');
    await advanceClock(
      new Date(Date.parse(stepMoment(show, 'day-sheet').scheduledFor) + 60_000).toISOString(),
    );
    const [sheet] = await waitForMailTo(tourManager.email, 'Day sheet: Called Off at Bergen Hall');

    // Redelivered as a label's retry is: the same message (id and body) again.
    const cancellation = {
      type: 'tour.show.cancelled',
      timestamp: (await clockNow()).toISOString(),
      data: { tourId, showId: show.showId, reason: 'The stage roof failed its inspection.' },
    };
    const id = `msg_${uniqueId('cancel')}`;
    expect((await sendWebhook(label, cancellation, { id })).status).toBe(202);
    const [toTourManager] = await waitForMailTo(tourManager.email, 'Cancelled: Called Off at Bergen Hall');
    const [toCrew] = await waitForMailTo(crew.email, 'Cancelled: Called Off at Bergen Hall');
    const [toPress] = await waitForMailTo(no.email, 'Cancelled: Called Off in Norway');
    expect((await sendWebhook(label, cancellation, { id })).status).toBe(202);
    await busIdle();

    expect(toTourManager.body.text).toContain('The stage roof failed its inspection.');
    const [event] = calendarOfMail(toTourManager);
    expect(calendarOfMail(toTourManager)).toEqual(calendarOfMail(toPress));
    expect(calendarOfMail(toCrew)).toEqual([event]);
    expect([event.uid, event.status]).toEqual([calendarOfMail(sheet)[0].uid, 'CANCELLED']);
    expect(event.sequence).toBeGreaterThan(calendarOfMail(sheet)[0].sequence);
    expect(await mailsTo(tourManager.email, 'Cancelled:')).toHaveLength(1);
    expect(await mailsTo(crew.email, 'Cancelled:')).toHaveLength(1);
  }, 300_000);
});

describe('a show cancelled before its day sheet went', () => {
  it('mails the tour manager nothing, and no day sheet goes', async () => {
    const { label, tourId, tourManager, aShow, book } = await aPressTour('Never Played', 'Storno');
    const show = aShow(5, aVenue('Tromsø', 'NO', 'Europe/Oslo'));
    await book([show]);
    await busIdle();

    await tourWebhook(label, 'tour.show.cancelled', { tourId, showId: show.showId }, 1);
    await busIdle();
    await advanceClock(
      new Date(Date.parse(stepMoment(show, 'day-sheet').scheduledFor) + 60_000).toISOString(),
    );
    await busIdle();

    expect((await mailsTo(tourManager.email)).map((mail) => mail.subject)).toEqual([]);
  }, 300_000);
});
