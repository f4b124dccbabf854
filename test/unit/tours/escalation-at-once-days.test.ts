import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { longDate } from '#functions/tours/sheets.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { stepMoment } from '#shared/tours.ts';
import { aShow, fakeToursDeps, metaAt, ref, runDueSteps, tourOf } from '#test/support/tours.ts';

/**
 * The escalation goes ten days before the show, or at once for a show set on again after that moment
 * (docs/design.md#tours): then it is later than ten days before, and its mail must not say it is not.
 */
describe('an escalation taken at once for a show on again two days before it', () => {
  it('tells the tour manager the advance was due ten days before the show, not that it is ten days before', async () => {
    const now = { value: new Date('2027-04-01T12:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer } = fakes;
    const show = aShow({ date: '2027-05-14' });
    await bookTour(tourOf([show]), metaAt('2027-04-01T12:00:00Z'), deps);
    const request = stepMoment(show, 'advance-request');
    now.value = new Date(request.scheduledFor);
    await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: request.scheduledFor },
      { correlationId: 'c' },
      deps,
    );
    // On hold over the escalation's moment (4 May, 10:00 in Berlin), confirmed again on 12 May.
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...show, status: 'hold' } },
      metaAt('2027-05-01T12:00:00Z'),
      deps,
    );
    now.value = new Date('2027-05-12T12:00:00Z');
    await applyShowChange('tour-1', { type: 'set', show }, metaAt('2027-05-12T12:00:00Z'), deps);
    await runDueSteps(fakes, now);

    const escalation = mailer.sent.find((mail) => mail.kind === 'advance-escalation');
    const [line] = (escalation?.data.text as { lines: string[] } | undefined)?.lines ?? [];
    expect(line).toBe(
      `${show.promoter.name} has not submitted the advance for The Midnight Echoes at ${show.venue.name}, ${show.venue.city}, ${longDate(show.date)}, due ten days before the show, after the request. Please call them.`,
    );
  });
});
