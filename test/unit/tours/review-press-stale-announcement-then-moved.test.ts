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
 * A show moved to another country is news to the addresses told of it where it was (docs/design.md#tours).
 * Here the address's announcement in Germany is claimed stale (SES's answer lost, no Email Sent) when
 * the show moves to Paris: the move tells it that the show moved, and the stale-claim sweep, running
 * after the move, leaves the show out of that announcement (it is no longer in the mail's country), so
 * the address is not left last told that the show plays in Germany.
 */
describe('a show moved away while its announcement there is claimed stale', () => {
  const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  it('does not leave the address last told of the show in the country it left', async () => {
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
    // The claim is stale now; the move's step runs before the sweep has looked at it.
    now.value = new Date(now.value.getTime() + 2 * 3600_000);
    await applyShowChange(
      'tour-1',
      {
        type: 'set',
        show: {
          ...announced,
          venue: { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
        },
      },
      metaAt(now.value.toISOString()),
      fakes.deps,
    );
    await runDueSteps(fakes, now);
    await sweepStaleTourMail(fakes.deps, now.value.getTime() + 60_000);

    const kinds = fakes.mailer.ses.receivedBy('de@press.example').map((mail) => mail.kind);
    expect(kinds.at(-1) ?? 'nothing').not.toBe('press-announcement');
  });
});
