import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { stepMoment } from '#shared/tours.ts';
import {
  announcedShow,
  aPressOutlet,
  aShow,
  fakeToursDeps,
  InMemoryTours,
  metaAt,
  officeGet,
  ref,
  storeTourWithShow,
  tourOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: a calendar states when it was written (DTSTAMP, RFC 5545 3.8.7.2) by the clock of
// the handler writing it, as every instant tours and the office compare and store is.
const stampOf = (calendar: unknown) => /^DTSTAMP:(\S+)\r?$/m.exec(String(calendar))?.[1];
/** An instant as a DTSTAMP states it: UTC, to the second. */
const stampAt = (at: Date) => at.toISOString().replace(/[-:]|\.\d+/g, '');

describe('the calendar stamped by the handler clock', () => {
  it("stamps the day sheet's calendar at the tours handler's clock", async () => {
    const now = { value: new Date('2027-05-13T16:00:37Z') };
    const { deps, mailer } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);

    await takeStep(
      { ...ref(), step: 'day-sheet', scheduledFor: stepMoment(aShow(), 'day-sheet').scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    // The tour manager's and the crew's.
    expect(mailer.sent.map((mail) => stampOf(mail.attachments?.[0].content))).toEqual([
      stampAt(now.value),
      stampAt(now.value),
    ]);
  });

  it("stamps the press announcement's calendar at the tours handler's clock", async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer, outlets, schedules } = fakeToursDeps(now);
    outlets.push(aPressOutlet('de', ['DE']));
    await bookTour(
      { ...tourOf([announcedShow]), genres: ['synthpop'] },
      metaAt('2027-01-01T00:00:00Z'),
      deps,
    );
    const press = schedules.forShow('show-1').find((s) => s.moment.step === 'press-announcement')!;
    now.value = new Date(Date.parse(press.moment.scheduledFor) + 37_000);

    await takeStep(
      { ...ref(), step: 'press-announcement', scheduledFor: press.moment.scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    expect(mailer.sent.map((mail) => stampOf(mail.attachments?.[0].content))).toEqual([stampAt(now.value)]);
  });

  it("stamps the office's itinerary download at the office handler's clock", async () => {
    const tours = new InMemoryTours();
    await storeTourWithShow(tours, aShow());

    const result = await officeGet(
      { tours },
      '/labels/{labelId}/tours/{tourId}/itinerary.ics',
      { labelId: 'lbl-1', tourId: 'tour-1' },
      () => new Date('2027-01-02T03:04:05Z'),
    );

    expect(result.status, String(result.body)).toBe(200);
    expect(stampOf(result.body)).toBe('20270102T030405Z');
  });
});
