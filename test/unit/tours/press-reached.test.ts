import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import type { EventData, ShowStepDue } from '#shared/events/index.ts';
import { MailerError } from '#shared/mail/ports.ts';
import {
  aPressOutlet,
  aShow,
  fakeToursDeps,
  lostAnswers,
  metaAt,
  runDueSteps,
  stepsWritten,
  toldDePressOf,
  tourOf,
} from '#test/support/tours.ts';

/**
 * A note's `before` is itself a statement whose mail may not have reached SES (its claim was open, so
 * counted as reached, when `before` was written): it is judged against its delivery too, so an address
 * is never told "back on" of a cancellation that never reached it (docs/design.md#tours).
 */
describe('press notes whose `before` never reached SES', () => {
  const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

  const toldDePress = () => toldDePressOf(announced);

  it('a cancellation step taken again while its claim is open (answer lost), then the show set on again as it was after the claim went stale: nobody is told "back on"', async () => {
    const { now, deps, mailer, tours } = await toldDePress();
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
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

    // Same as without the retry (tours.test.ts 'the stale-claim sweep closes a cancellation of a show set on again as it was').
    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual(['press-announcement']);
  });

  it('a cancellation and its "back on" both left open (answers lost): the stale-claim sweep closes the cancellation but sends "back on" alone', async () => {
    const { now, deps, mailer, tours } = await toldDePress();
    mailer.ses.script = lostAnswers;
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-02-03T00:00:00Z'),
      deps,
    );
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    // Set on again as it was, minutes later: the cancellation's claim is open and fresh, so taken as reached.
    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-02-03T00:01:00Z'), deps);
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
    mailer.ses.script = undefined;

    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);

    const press = mailer.ses.receivedBy('de@press.example').map((m) => m.kind);
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
    const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, tours } = fakes;
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    mailer.ses.script = () => new MailerError('unknown', 'the answer was lost');
    await bookTour({ ...tourOf([announced]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    await runDueSteps(fakes, now);
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
    for (const e of tours.outbox.splice(0).filter((e) => e.detailType === 'Show Step Due'))
      await takeStep(e.detail.data as EventData<typeof ShowStepDue>, { correlationId: 'c' }, deps);

    expect(mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).not.toContain('press-change');
  });
});
