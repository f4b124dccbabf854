import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import type { FakeMailer } from '#test/support/announcer-fakes.ts';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  aPressOutlet,
  fakeToursDeps,
  metaAt,
  officeGet,
  runDueSteps,
  stopOnceAt,
  tourOf,
} from '#test/support/tours.ts';

const refuseAll: FakeMailer['script'] = (mail) => mail.entries.map(() => ({ status: 'MESSAGE_REJECTED' }));

/** The office's tour view: each show with its count of outlet addresses told of it. */
async function outletsTold(world: Parameters<typeof officeGet>[0]) {
  const result = await officeGet(world, '/labels/{labelId}/tours/{tourId}', {
    labelId: 'lbl-1',
    tourId: 'tour-1',
  });
  expect(result.status, String(result.body)).toBe(200);
  const view = JSON.parse(String(result.body)) as { shows: { showId: string; outletsTold: number }[] };
  return view.shows.map((s) => [s.showId, s.outletsTold]);
}

/**
 * docs/design.md#tours: the office's tour view counts the outlets told of a show as the tours steps
 * count them, by whether each noted mail reached SES (`toldAsReached`), not by the address's set of
 * shows alone, which a step's refused mail (noted with its set) or a sweep stopped before its write
 * leaves naming a show the address was never told of.
 */
describe("the office's count of outlets told of a show", () => {
  it('leaves out an address whose announcement SES refused at the step itself', async () => {
    // Two German outlets; SES refuses the first's announcement for good and sends the second's.
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const world = fakeToursDeps(now);
    world.outlets.push(
      aPressOutlet('de', ['DE']),
      aPressOutlet('de-2', ['DE'], { email: 'de2@press.example' }),
    );
    world.mailer.ses.script = (mail) =>
      mail.entries.map((entry) =>
        entry.email === 'de@press.example' ? { status: 'MESSAGE_REJECTED' } : { status: 'SUCCESS' },
      );
    await bookTour(
      { ...tourOf([announced]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      world.deps,
    );
    await runDueSteps(world, now);
    expect(world.mailer.ses.receivedBy('de@press.example')).toEqual([]);
    expect(world.mailer.ses.kindsReceivedBy('de2@press.example')).toEqual(['press-announcement']);

    expect(await outletsTold(world)).toEqual([['show-1', 1]]);
  });

  it('leaves out an address whose resent announcement SES refused when the sweep stopped before taking its show off', async () => {
    // The announcement claimed, SES's answer lost; a day later the sweep's resend is refused for good,
    // and the write that takes show-1 off the outlet's set fails (the sweep stops there).
    const world = await announcedWithAnswersLost([announced]);
    world.now.value = new Date(world.now.value.getTime() + 24 * 3600_000);
    world.mailer.ses.script = refuseAll;
    stopOnceAt(world.tours, 'settlePressTold', 'the sweep stopped here');
    await expect(sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000)).rejects.toThrow();

    expect(await outletsTold(world)).toEqual([['show-1', 0]]);
  });
});
