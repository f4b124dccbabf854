import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import {
  aPressOutlet,
  aShow,
  fakeToursDeps,
  lostAnswers,
  metaAt,
  runDueSteps,
  tourOf,
} from '#test/support/tours.ts';

/**
 * An announcement whose claim went stale (SES's answer lost, no Email Sent) still counts as told for the
 * country's next announcement step (docs/design.md#tours): the stale-claim sweep, running after that
 * step, writes it again as the same mail and sends it. Were the step to count it as never reached, it
 * would announce its show again in a set of its own and the address would hear of the first show twice.
 */
describe('an announcement claimed stale when the next show of the country is announced', () => {
  const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  it('tells the address of the first show once, whichever of the step and the sweep runs first', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    fakes.mailer.ses.script = lostAnswers;
    await bookTour(
      { ...tourOf([announced]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );
    await runDueSteps(fakes, now);
    fakes.mailer.ses.script = undefined;
    const lost = fakes.mailer.ses.calls.length;
    // The claim is stale now; the next show's step runs before the sweep has looked at it.
    now.value = new Date(now.value.getTime() + 2 * 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, showId: 'show-2', date: '2027-05-20' } },
      metaAt(now.value.toISOString()),
      fakes.deps,
    );
    await runDueSteps(fakes, now);
    await sweepStaleTourMail(fakes.deps, now.value.getTime() + 60_000);

    // Every mail SES accepted for the address since (the first call's answer was lost: it sent nothing).
    const subjects = fakes.mailer.ses.calls
      .slice(lost)
      .flatMap((call) =>
        call.entries
          .filter((entry) => entry.email === 'de@press.example')
          .map((entry) => JSON.stringify([call.defaultData, entry.data]).match(/"subject":"([^"]*)"/)?.[1]),
      );
    expect(subjects.filter((subject) => subject?.includes('Berlin 2027-05-14'))).toHaveLength(1);
  });
});
