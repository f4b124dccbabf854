import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import {
  advanceLinkExpiry,
  showOverAt,
  stepLapsesAt,
  stepMoment,
  tourManagerLinkExpiry,
} from '#shared/tours.ts';
import { aShow, fakeToursDeps, metaAt, ref, runDueSteps, tourOf } from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a set or curfew the next morning from 06:00 on is sent marked `07:00+1`. The
 * show is over at the latest of 06:00 the next morning and its end when it runs on past it: an all-night
 * show on 14 May in Berlin (CEST, UTC+2) with its curfew at 07:00+1 is over at 07:00 on the 15th
 * (05:00 UTC), not at 06:00 (04:00 UTC), before its curfew.
 */
const allNight = aShow({ times: { doors: '22:00', set: '23:30', curfew: '07:00+1' } });
const epochSeconds = (iso: string) => Date.parse(iso) / 1000;

describe('an all-night show with its curfew the next morning (07:00+1)', () => {
  it('is over at its curfew, and its step mail and links last until then and a day past it', () => {
    const over = '2027-05-15T05:00:00.000Z';

    const [overAt, lapses, advanceLink, tourManagerLink] = [
      showOverAt(allNight),
      stepLapsesAt(allNight, 'day-sheet-update'),
      advanceLinkExpiry(allNight),
      tourManagerLinkExpiry([allNight], 0),
    ];

    expect([overAt, lapses, advanceLink, tourManagerLink]).toEqual([
      over,
      over,
      epochSeconds(over) + 24 * 3600,
      epochSeconds(over) + 24 * 3600,
    ]);
  });

  it('is over at the end of a set the next morning (06:30+1, an hour on) with no curfew, as its calendar event ends', () => {
    const show = aShow({ times: { doors: '22:00', set: '06:30+1' } });

    const overAt = showOverAt(show);

    expect(overAt).toBe('2027-05-15T05:30:00.000Z');
  });

  it('leaves a show of no next-morning time over at 06:00 the next morning, whatever its curfew after midnight', () => {
    const show = aShow({ times: { doors: '22:00', set: '23:30', curfew: '05:00' } });

    const overAt = showOverAt(show);

    expect(overAt).toBe('2027-05-15T04:00:00.000Z');
  });

  it('mails the tour manager an updated day sheet for a change at 06:30, half an hour before its curfew', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    await bookTour(tourOf([allNight]), metaAt('2027-02-02T00:00:00Z'), fakes.deps);
    await runDueSteps(fakes, now);
    const sheet = stepMoment(allNight, 'day-sheet').scheduledFor;
    now.value = new Date(sheet);
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: sheet }, { correlationId: 'c' }, fakes.deps);
    const later = { ...allNight, times: { ...allNight.times, curfew: '08:00+1' } };

    // 06:30 in Berlin on 15 May: the show plays on until 07:00.
    now.value = new Date('2027-05-15T04:30:00Z');
    await applyShowChange('tour-1', { type: 'set', show: later }, metaAt('2027-05-15T04:30:00Z'), fakes.deps);
    await runDueSteps(fakes, now);

    expect(fakes.mailer.sent.filter((m) => m.to.email === 'sam@tm.example').map((m) => m.kind)).toEqual([
      'day-sheet',
      'day-sheet-update',
    ]);
  });
});
