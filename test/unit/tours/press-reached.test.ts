import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { listKept } from '#shared/db/context-lists.ts';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  aPressOutlet,
  aShow,
  cancelledAndOnAgainAnswersLost,
  kindsToldDe,
  lostAnswers,
  metaAt,
  runDueSteps,
  stepsWritten,
  takeStepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * A note's `before` is itself a statement whose mail may not have reached SES (its claim was open, so
 * counted as reached, when `before` was written): it is judged against its delivery too, so an address
 * is never told "back on" of a cancellation that never reached it (docs/design.md#tours).
 */
describe('press notes whose `before` never reached SES', () => {
  const toldDePress = () => toldDePressOf(announced);

  it('a cancellation step taken again while its claim is open (answer lost), then the show set on again as it was after the claim went stale: nobody is told "back on"', async () => {
    const { now, fakes, deps, mailer, tours } = await toldDePress();
    mailer.ses.script = lostAnswers;
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-02-03T00:00:00Z'),
      deps,
    );
    const cancellation = stepsWritten(tours);
    for (const step of cancellation) await takeStep(step, { correlationId: 'c' }, deps);
    // The function stopped before recording the step: it is taken again (claim still open, within the window).
    const stored = tours.shows.get(JSON.stringify(['lbl-1', 'tour-1', 'show-1']));
    delete stored?.stepsDone?.['press-cancellation'];
    for (const step of cancellation) await takeStep(step, { correlationId: 'c' }, deps);
    mailer.ses.script = undefined;

    // The cancellation's claim goes stale (it never reached SES); the show is set on again as announced.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-02-04T00:00:00Z'), deps);
    await takeStepsWritten(fakes);

    // Same as without the retry (tours.test.ts 'the stale-claim sweep closes a cancellation of a show set on again as it was').
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
  });

  it('a cancellation and its "back on" both left open (answers lost): the stale-claim sweep closes the cancellation but sends "back on" alone', async () => {
    // Cancelled, then set on again as it was, minutes later: the cancellation's claim is open and fresh, so taken as reached.
    const { now, deps, mailer } = await cancelledAndOnAgainAnswersLost(announced, announced);

    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    const press = kindsToldDe(mailer.ses);
    // Either both (cancelled, then back on) or neither; never "back on" for a cancellation never sent.
    expect(press.filter((kind) => kind !== 'press-announcement')).not.toEqual(['press-reinstated']);
  });
});

/**
 * An announcement's note may be written while its claim is open and fresh (SES's answer lost): it is
 * read against its delivery at later steps, as a change's is, so if that mail never reaches SES (the
 * sweep's resend refused for good) the address hears nothing of changes to a show it never heard of
 * (docs/design.md#tours).
 */
describe('an announcement whose claim was open when noted, then never reached SES', () => {
  it('is not followed by a "Changed" for a show the address never heard of', async () => {
    const { now, fakes, deps, mailer } = await announcedWithAnswersLost([announced]);
    // The stale-claim sweep sends it again, and SES refuses it for good.
    mailer.ses.script = (mail) => mail.entries.map(() => ({ status: 'MESSAGE_REJECTED' }));
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    mailer.ses.script = undefined;

    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, times: { ...announced.times, doors: '20:00' } } },
      metaAt('2027-02-03T00:00:00Z'),
      deps,
    );
    await takeStepsWritten(fakes);

    expect(kindsToldDe(mailer.ses)).not.toContain('press-change');
  });
});

/**
 * One mail told the address of every show of its set, so its delivery is at most one read per address,
 * however many shows the set holds, never one per show: the announcement step reads it to know whether
 * it ended failed (docs/design.md#tours).
 */
describe('an announcement of three shows noted while claimed (SES answer lost)', () => {
  const show = (showId: string, date: string) =>
    aShow({ showId, date, status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  it("is not read once per show by the country's next announcement step", async () => {
    const { now, fakes } = await announcedWithAnswersLost(
      [show('show-1', '2027-05-14'), show('show-2', '2027-05-15'), show('show-3', '2027-05-16')],
      [aPressOutlet('de', ['DE']), aPressOutlet('de2', ['DE'])],
    );
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

    expect(fakes.mailer.sent.map((m) => [m.to.email, m.kind, listKept(m.context.news)])).toEqual([
      ['de@press.example', 'press-update', ['show-4']],
      ['de2@press.example', 'press-update', ['show-4']],
    ]);
    expect(read).toHaveLength(2);
    expect(new Set(read).size).toBe(2);
  });
});
