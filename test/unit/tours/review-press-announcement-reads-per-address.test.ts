import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
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
 * One mail told the address of every show of its set, so its delivery is at most one read per address,
 * however many shows the set holds, never one per show. The announcement step reads none: it takes
 * each address's notes as they stand (docs/design.md#tours).
 */
describe('an announcement of three shows noted while claimed (SES answer lost)', () => {
  const show = (showId: string, date: string) =>
    aShow({ showId, date, status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  it("is not read once per show by the country's next announcement step", async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    fakes.outlets.push(aPressOutlet('de', ['DE']), aPressOutlet('de2', ['DE']));
    fakes.mailer.ses.script = lostAnswers;
    await bookTour(
      {
        ...tourOf([show('show-1', '2027-05-14'), show('show-2', '2027-05-15'), show('show-3', '2027-05-16')]),
        genres: ['synthpop'],
      },
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );
    await runDueSteps(fakes, now);
    fakes.mailer.ses.script = undefined;
    const read: string[] = [];
    const reached = fakes.mailer.reached;
    fakes.mailer.reached = (mails) => {
      read.push(...mails.map(deliveryIdOf));
      return reached(mails);
    };

    await applyShowChange(
      'tour-1',
      { type: 'set', show: show('show-4', '2027-05-20') },
      metaAt(now.value.toISOString()),
      fakes.deps,
    );
    await runDueSteps(fakes, now);

    expect(fakes.mailer.sent.map((m) => [m.to.email, m.kind, m.context.news])).toEqual([
      ['de@press.example', 'press-update', 'show-4'],
      ['de2@press.example', 'press-update', 'show-4'],
    ]);
    expect(read).toHaveLength(0);
  });
});
