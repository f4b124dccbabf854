import { describe, expect, it } from 'vitest';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import {
  aShow,
  bookedAtStep,
  changeAt,
  mailedThenStopped,
  minutesAfterStep,
  ref,
  runDueSteps,
  settledWithPromoter,
  stopOnceAt,
  takeShowStep,
  toursOutboxOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: the day sheet and the guest list, like an advance step, are recorded with their
// event when their mail reached SES (sent, or its claim open and not stale), however the show stopped
// since: cancelled and then settled it is never on again, and set on again its day sheet is known to
// have gone, so a change of its times on the day sends the update.
const show = aShow({ date: '2027-05-14' });
const tourManager = 'sam@tm.example';
const promoter = show.promoter.email;
const moment = (step: ShowStep) => minutesAfterStep(show, step);
const minuteAfter = (step: ShowStep, minutes = 1) => minutesAfterStep(show, step, minutes);
const cancelled = { type: 'cancel', showId: 'show-1' } as const;

/** show-1 booked on 1 April, the clock at `step`'s moment. */
const bookedAt = (step: ShowStep) => bookedAtStep(show, step);

type World = Awaited<ReturnType<typeof bookedAt>>;

const eventsOf = (w: World, detailType: string) => toursOutboxOf(w.tours, detailType);

/** `step` mailed and its invocation stopped before its record, the show cancelled a minute on, then `step` taken again. */
async function mailedCancelledRetried(step: ShowStep, answerLost = false) {
  const w = await bookedAt(step);
  await mailedThenStopped(w, step, moment(step), answerLost);
  await changeAt(w, minuteAfter(step), cancelled);
  const outcome = await takeShowStep(w, step, moment(step));
  return { w, outcome };
}

describe('a day sheet that mailed and stopped before its record, the show cancelled before its retry', () => {
  for (const answerLost of [false, true])
    it(`records the sheet with Day Sheet Sent, the show then settled (${answerLost ? 'SES’s answer lost' : 'marked sent'})`, async () => {
      const { w, outcome } = await mailedCancelledRetried('day-sheet', answerLost);
      await takeShowStep(w, 'day-sheet', moment('day-sheet'));
      const events = eventsOf(w, 'Day Sheet Sent');

      await settledWithPromoter(w, minuteAfter('day-sheet', 2));

      expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
      expect(events).toEqual([
        expect.objectContaining({
          detail: expect.objectContaining({ data: expect.objectContaining(ref()) }),
        }),
      ]);
      expect(w.ses.receivedBy(tourManager, 'day-sheet')).toHaveLength(1);
      expect((await w.tours.getShow(ref()))?.stepsDone?.['day-sheet']).toBe(moment('day-sheet'));
    });

  it('sends the tour manager the updated sheet once the show is set on again with other doors', async () => {
    const { w } = await mailedCancelledRetried('day-sheet');

    await changeAt(w, minuteAfter('day-sheet', 2), {
      type: 'set',
      show: { ...show, times: { ...show.times, doors: '20:00' } },
    });
    await runDueSteps(w.fakes, w.now);

    expect(w.ses.receivedBy(tourManager, 'day-sheet')).toHaveLength(1);
    expect(w.ses.receivedBy(tourManager, 'day-sheet-update')).toHaveLength(1);
  });
});

describe('a day sheet whose mail never went, the show cancelled', () => {
  it('is ignored, sends nothing and is not recorded', async () => {
    const w = await bookedAt('day-sheet');
    await changeAt(w, w.now.value.toISOString(), cancelled);

    const outcome = await takeShowStep(w, 'day-sheet', moment('day-sheet'));

    expect(outcome).toEqual({ outcome: 'ignored', reason: 'show is cancelled' });
    expect(w.ses.receivedBy(tourManager)).toHaveLength(0);
    expect((await w.tours.getShow(ref()))?.stepsDone?.['day-sheet']).toBeUndefined();
  });
});

describe('a guest list that mailed and stopped before its record, the show cancelled before its retry', () => {
  for (const answerLost of [false, true])
    it(`records the cutoff with Guest List Locked, the show then settled (${answerLost ? 'SES’s answer lost' : 'marked sent'})`, async () => {
      const { w, outcome } = await mailedCancelledRetried('guest-list-cutoff', answerLost);
      await takeShowStep(w, 'guest-list-cutoff', moment('guest-list-cutoff'));
      const events = eventsOf(w, 'Guest List Locked');

      await settledWithPromoter(w, minuteAfter('guest-list-cutoff', 2));

      expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
      expect(events).toHaveLength(1);
      expect(w.ses.receivedBy(promoter, 'guest-list-cutoff')).toHaveLength(1);
      expect((await w.tours.getShow(ref()))?.stepsDone?.['guest-list-cutoff']).toBe(
        moment('guest-list-cutoff'),
      );
    });
});

describe('a cutoff whose invocation stopped before the lock, the show cancelled before its retry', () => {
  it('locks nothing, mails nothing and is not recorded', async () => {
    const w = await bookedAt('guest-list-cutoff');
    const stop = stopOnceAt(w.tours, 'lockGuestList', 'the invocation died before the lock');
    await expect(takeShowStep(w, 'guest-list-cutoff', moment('guest-list-cutoff'))).rejects.toThrow();
    stop.unhook();
    await changeAt(w, minuteAfter('guest-list-cutoff'), cancelled);

    const outcome = await takeShowStep(w, 'guest-list-cutoff', moment('guest-list-cutoff'));

    expect(outcome).toEqual({ outcome: 'ignored', reason: 'show is cancelled' });
    const stored = await w.tours.getShow(ref());
    expect(stored?.guestListLockedAt).toBeUndefined();
    expect(stored?.stepsDone?.['guest-list-cutoff']).toBeUndefined();
    expect(w.ses.receivedBy(promoter)).toHaveLength(0);
  });
});
