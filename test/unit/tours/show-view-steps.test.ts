import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { stepMoment } from '#shared/tours.ts';
import { aShow, fakeToursDeps, metaAt, officeTourRoutes, ref, tourOf } from '#test/support/tours.ts';

describe('GET /labels/{labelId}/tours/{tourId}/shows/{showId}', () => {
  it("does not state the day sheet of a postponed show's new day as done when only the old day's went", async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours } = fakeToursDeps(now);
    await bookTour(tourOf([aShow({ date: '2027-05-14' })]), metaAt('2027-01-01T00:00:00Z'), deps);
    const sheet = stepMoment(aShow({ date: '2027-05-14' }), 'day-sheet');
    now.value = new Date(sheet.scheduledFor);
    await takeStep(
      { ...ref(), step: 'day-sheet', scheduledFor: sheet.scheduledFor },
      { correlationId: 'c' },
      deps,
    );
    // Postponed by a week the evening the sheet went out: the new day's sheet is still to go.
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ date: '2027-05-21' }) },
      metaAt('2027-05-13T19:00:00Z'),
      deps,
    );

    const route = officeTourRoutes(tours, () => now.value).find(
      (r) => r.method === 'GET' && r.path.endsWith('/shows/{showId}'),
    )!;
    const result = (await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: ref(),
    } as never)) as HttpResult;
    const { steps } = JSON.parse(String(result.body)) as {
      steps: { step: string; at: string; done?: boolean }[];
    };

    expect(steps.find((s) => s.step === 'day-sheet')).toEqual({
      step: 'day-sheet',
      at: stepMoment(aShow({ date: '2027-05-21' }), 'day-sheet').scheduledFor,
      localTime: '2027-05-20T18:00:00 Europe/Berlin',
    });
  });

  it('states the guest-list cutoff done when the list closed at an earlier cutoff of the same day, since moved later', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    const cutoff = stepMoment(aShow(), 'guest-list-cutoff');
    now.value = new Date(cutoff.scheduledFor);
    await takeStep(
      { ...ref(), step: 'guest-list-cutoff', scheduledFor: cutoff.scheduledFor },
      { correlationId: 'c' },
      deps,
    );
    // The cutoff moves an hour later the same day: the list stays locked, and nobody is mailed again.
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ guestListCutoff: '18:00' }) },
      metaAt(new Date(now.value.getTime() + 60_000).toISOString()),
      deps,
    );

    const route = officeTourRoutes(tours, () => now.value).find(
      (r) => r.method === 'GET' && r.path.endsWith('/shows/{showId}'),
    )!;
    const result = (await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: ref(),
    } as never)) as HttpResult;
    const { steps } = JSON.parse(String(result.body)) as { steps: { step: string; done?: boolean }[] };

    expect(steps.find((s) => s.step === 'guest-list-cutoff')?.done).toBe(true);
  });
});
