import { describe, expect, it } from 'vitest';
import { tourRoutes } from '#functions/office/tours.ts';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aShow, metaAt, ref, runDueSteps, takeStepsWritten, toldDePressOf } from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

/**
 * docs/design.md#tours (not yet right): the office's show view states a press
 * announcement taken before not done "while that moment (its announceAt) is ahead, since its firing
 * then is still to tell the press what changed meanwhile"; and that firing "stays while it has that
 * work: past its embargo, the announcement taken, it fires at the end of the gathering window while the
 * press-change of the show's latest change is not done". The view reads the moment alone, not that
 * work. The German outlet told of show-1 (doors 19:00); on hold 3 February; announced again 10 February
 * with doors 20:00 and announceAt 1 March; on 15 February at 10:00 the label lifts the embargo
 * (announceAt 09:00 that day). Until the firing at the end of the gathering window tells the outlet of
 * 20:00 (or, its schedule's write failed, until the change is delivered again and the firing runs), the
 * office reads the press step done while the outlet has only 19:00.
 */
describe("the office's view of a show whose press embargo the label lifts, its news still to be told", () => {
  // Known failure: the view reads the press announcement's moment, not whether its firing still has
  // the latest change's news to tell.
  it.fails('does not state the press step done before the firing has told the press', async () => {
    const { now, fakes, deps, tours, mailer } = await toldDePressOf(announced);

    now.value = new Date('2027-02-03T00:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, status: 'hold' } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
    now.value = new Date('2027-02-10T00:00:00Z');
    const retimed = {
      ...announced,
      announceAt: '2027-03-01T09:00:00.000Z',
      times: { ...announced.times, doors: '20:00' },
    };
    await applyShowChange('tour-1', { type: 'set', show: retimed }, metaAt(now.value.toISOString()), deps);
    await runDueSteps(fakes, now);

    // 15 February, 10:00: the label lifts the embargo; its steps run, the firing is a minute ahead.
    now.value = new Date('2027-02-15T10:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...retimed, announceAt: '2027-02-15T09:00:00.000Z' } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
    now.value = new Date('2027-02-15T10:00:30Z');
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual(['press-announcement']);

    const route = tourRoutes({ tours, tourManagerLink: async () => '', now: () => now.value }).find(
      (r) => r.method === 'GET' && r.path.endsWith('/shows/{showId}'),
    )!;
    const result = (await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: ref(),
    } as never)) as HttpResult;
    const { steps } = JSON.parse(String(result.body)) as {
      steps: { step: string; at: string; done?: boolean }[];
    };
    // The outlet has only doors 19:00: the press step is not done.
    expect(steps.find((s) => s.step === 'press-announcement')?.done).toBeUndefined();
  });
});
