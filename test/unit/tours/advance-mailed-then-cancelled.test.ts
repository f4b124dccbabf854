import { describe, expect, it } from 'vitest';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import { advanceStatusOf, stepMoment } from '#shared/tours.ts';
import {
  aShow,
  bookedAtStep,
  changeAt,
  lostAnswers,
  mailedThenStopped,
  minutesAfterStep,
  pastStale,
  raceAt,
  ref,
  runDueSteps,
  settledWithPromoter,
  showMailClaim,
  stopOnceAt,
  sweepAt,
  takeShowStep,
  toursOutboxOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: an advance step whose mail reached SES (sent, or its claim open and not stale)
// is recorded with its event for the promoter it mailed, however the show stopped since (on hold,
// cancelled, settled, the advance in, the step lapsed): the show stopped for now may never be on again,
// and once on again a past reminder or escalation has no firing left to record it.
const show = aShow({ date: '2027-05-14' });
const promoter = show.promoter.email;
const tourManager = 'sam@tm.example';
const moment = (step: ShowStep) => minutesAfterStep(show, step);
const minuteAfter = (step: ShowStep, minutes = 1) => minutesAfterStep(show, step, minutes);

/** show-1 booked on 1 April, the clock at `step`'s moment. */
const bookedAt = (step: ShowStep) => bookedAtStep(show, step);

type World = Awaited<ReturnType<typeof bookedAt>>;

const eventsOf = (w: World, detailType: string) => toursOutboxOf(w.tours, detailType);
const cancelled = { type: 'cancel', showId: 'show-1' } as const;

describe('an advance request that mailed and stopped before its record, the show cancelled before its retry', () => {
  for (const answerLost of [false, true])
    it(`records the request, the show then settled (${answerLost ? 'SES’s answer lost' : 'marked sent'})`, async () => {
      const w = await bookedAt('advance-request');
      await mailedThenStopped(w, 'advance-request', moment('advance-request'), answerLost);
      await changeAt(w, minuteAfter('advance-request'), cancelled);

      const outcome = await takeShowStep(w, 'advance-request', moment('advance-request'));
      await takeShowStep(w, 'advance-request', moment('advance-request'));
      await settledWithPromoter(w, minuteAfter('advance-request', 2));

      expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
      expect(w.ses.receivedBy(promoter, 'advance-request')).toHaveLength(1);
      const stored = await w.tours.getShow(ref());
      expect(stored?.stepsDone?.['advance-request']).toBe(moment('advance-request'));
      expect(advanceStatusOf(stored!)).toBe('requested');
    });

  it('states Advance Requested once in the outbox', async () => {
    const w = await bookedAt('advance-request');
    await mailedThenStopped(w, 'advance-request', moment('advance-request'));
    await changeAt(w, minuteAfter('advance-request'), cancelled);

    await takeShowStep(w, 'advance-request', moment('advance-request'));
    await takeShowStep(w, 'advance-request', moment('advance-request'));

    expect(eventsOf(w, 'Advance Requested')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ data: expect.objectContaining(ref()) }) }),
    ]);
  });

  it('has the tour manager told of the overdue advance once the show is set on again past the escalation', async () => {
    const w = await bookedAt('advance-request');
    await mailedThenStopped(w, 'advance-request', moment('advance-request'));
    await changeAt(w, minuteAfter('advance-request'), cancelled);
    await takeShowStep(w, 'advance-request', moment('advance-request'));

    await changeAt(w, minuteAfter('advance-escalation'), { type: 'set', show });
    await runDueSteps(w.fakes, w.now);

    expect(w.ses.receivedBy(promoter, 'advance-request')).toHaveLength(1);
    expect(w.ses.receivedBy(tourManager, 'advance-escalation')).toHaveLength(1);
  });
});

// Moved (the same promoter), the request's firing for its old moment is its retry still: the mail's
// identity is the promoter's (promoterSince), not the date's, and cancelled the show has no firing left.
describe('an advance request that mailed and stopped before its record, the show moved and cancelled', () => {
  const moved = { type: 'set', show: aShow({ date: '2027-06-18' }) } as const;

  it('records the request, the show moved and cancelled before its retry, then settled', async () => {
    const w = await bookedAt('advance-request');
    await mailedThenStopped(w, 'advance-request', moment('advance-request'));
    await changeAt(w, minuteAfter('advance-request'), moved);
    await changeAt(w, minuteAfter('advance-request', 2), cancelled);

    const outcome = await takeShowStep(w, 'advance-request', moment('advance-request'));
    await settledWithPromoter(w, minuteAfter('advance-request', 3));

    expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
    expect(w.ses.receivedBy(promoter, 'advance-request')).toHaveLength(1);
    expect(advanceStatusOf((await w.tours.getShow(ref()))!)).toBe('requested');
  });

  it('records the request, its retry after the move and before the cancellation', async () => {
    const w = await bookedAt('advance-request');
    await mailedThenStopped(w, 'advance-request', moment('advance-request'));
    await changeAt(w, minuteAfter('advance-request'), moved);

    const outcome = await takeShowStep(w, 'advance-request', moment('advance-request'));
    await changeAt(w, minuteAfter('advance-request', 2), cancelled);
    await settledWithPromoter(w, minuteAfter('advance-request', 3));

    expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
    expect(advanceStatusOf((await w.tours.getShow(ref()))!)).toBe('requested');
  });

  it('states Advance Requested once, its retry recording it while the firing for the new moment does', async () => {
    const w = await bookedAt('advance-request');
    await mailedThenStopped(w, 'advance-request', moment('advance-request'));
    await changeAt(w, minuteAfter('advance-request'), moved);
    const movedAt = stepMoment(moved.show, 'advance-request').scheduledFor;
    w.now.value = new Date(movedAt);
    const race = raceAt(w.tours, 'markStepDone', () =>
      takeShowStep(w, 'advance-request', moment('advance-request')),
    );

    await takeShowStep(w, 'advance-request', movedAt);
    race.unhook();

    expect(race.raced()).toBe(true);
    expect(eventsOf(w, 'Advance Requested')).toHaveLength(1);
    expect((await w.tours.getShow(ref()))?.stepsDone?.['advance-request']).toBe(movedAt);
  });
});

describe('a reminder that mailed and stopped before its record, the show put on hold before its retry', () => {
  it('is recorded, so the escalation after the show is confirmed again names it', async () => {
    const w = await bookedAt('advance-request');
    await takeShowStep(w, 'advance-request', moment('advance-request'));
    w.now.value = new Date(moment('advance-reminder-1'));
    await mailedThenStopped(w, 'advance-reminder-1', moment('advance-reminder-1'));
    await changeAt(w, minuteAfter('advance-reminder-1'), { type: 'set', show: { ...show, status: 'hold' } });
    await takeShowStep(w, 'advance-reminder-1', moment('advance-reminder-1'));

    await changeAt(w, minuteAfter('advance-escalation'), { type: 'set', show });
    await runDueSteps(w.fakes, w.now);

    const escalations = w.ses.calls.filter((call) => call.kind === 'advance-escalation');
    expect(escalations).toHaveLength(1);
    expect(JSON.stringify(escalations[0])).toContain('after a request and a reminder.');
    expect((await w.tours.getShow(ref()))?.stepsDone?.['advance-reminder-1']).toBe(
      moment('advance-reminder-1'),
    );
  });
});

// A stale claim of a show stopped for now is the sweep's to hold and to send once the show is on again
// (its step standing): its step's retry, before the sweep's hold or after it, records the step as the
// held claim reads ('held'); the show stopped for good, the sweep closes it unsent and the step stays
// unrecorded (docs/design.md#tours).
describe('a reminder SES took, its answer lost, the show on hold, its retry after the claim went stale', () => {
  async function retriedStale(order: 'retry, then sweep' | 'sweep, then retry') {
    const w = await bookedAt('advance-request');
    await takeShowStep(w, 'advance-request', moment('advance-request'));
    w.now.value = new Date(moment('advance-reminder-1'));
    await mailedThenStopped(w, 'advance-reminder-1', moment('advance-reminder-1'), true);
    await changeAt(w, minuteAfter('advance-reminder-1'), { type: 'set', show: { ...show, status: 'hold' } });
    const stale = pastStale(w, moment('advance-reminder-1'), 1000);
    if (order === 'sweep, then retry') await sweepAt(w, stale);
    w.now.value = new Date(stale);
    const outcome = await takeShowStep(w, 'advance-reminder-1', moment('advance-reminder-1'));
    if (order === 'retry, then sweep') await sweepAt(w, stale);
    return { w, outcome };
  }

  for (const order of ['retry, then sweep', 'sweep, then retry'] as const)
    it(`records it, so the escalation after the show is confirmed again names it (${order})`, async () => {
      const { w, outcome } = await retriedStale(order);

      await changeAt(w, minuteAfter('advance-escalation'), { type: 'set', show });
      await runDueSteps(w.fakes, w.now);
      await sweepAt(w, pastStale(w, w.now.value.toISOString(), 1000));

      expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
      const escalations = w.ses.calls.filter((call) => call.kind === 'advance-escalation');
      expect(escalations).toHaveLength(1);
      expect(JSON.stringify(escalations[0])).toContain('after a request and a reminder.');
    });

  it('is not recorded when the show was settled before the retry, its claim closed unsent by the sweep', async () => {
    const w = await bookedAt('advance-request');
    await takeShowStep(w, 'advance-request', moment('advance-request'));
    w.now.value = new Date(moment('advance-reminder-1'));
    await mailedThenStopped(w, 'advance-reminder-1', moment('advance-reminder-1'), true);
    await settledWithPromoter(w, minuteAfter('advance-reminder-1'));
    w.now.value = new Date(pastStale(w, moment('advance-reminder-1'), 1000));

    const outcome = await takeShowStep(w, 'advance-reminder-1', moment('advance-reminder-1'));
    await sweepAt(w);

    expect(outcome).toEqual({ outcome: 'ignored', reason: 'show is settled' });
    expect((await w.tours.getShow(ref()))?.stepsDone?.['advance-reminder-1']).toBeUndefined();
    const id = deliveryIdOf(showMailClaim('advance-reminder-1', promoter));
    expect((await w.mail.deliveries.getMany([id])).get(id)?.status).toBe('failed');
  });
});

// The sweep leaves a stale advance mail's claim open while its show is on hold or cancelled (either may
// be undone), and closes it unsent once the show is stopped for good: settled, or the form locked.
describe('a stale reminder claim held while the show is on hold, the show then cancelled for good', () => {
  /** The reminder claimed at its moment, SES taking nothing (answer lost), the invocation dying before its record; the show put on hold and the claim held by the sweep. */
  async function heldOnHold() {
    const w = await bookedAt('advance-request');
    await takeShowStep(w, 'advance-request', moment('advance-request'));
    w.now.value = new Date(moment('advance-reminder-1'));
    w.ses.script = () => lostAnswers();
    const stop = stopOnceAt(w.tours, 'markStepDone', 'the invocation died after the send');
    await expect(takeShowStep(w, 'advance-reminder-1', moment('advance-reminder-1'))).rejects.toThrow();
    stop.unhook();
    w.ses.script = undefined;
    await changeAt(w, minuteAfter('advance-reminder-1'), { type: 'set', show: { ...show, status: 'hold' } });
    await sweepAt(w, pastStale(w, moment('advance-reminder-1'), 1000));
    return w;
  }
  const reminderClaim = async (w: World) => {
    const id = deliveryIdOf(showMailClaim('advance-reminder-1', promoter));
    return (await w.mail.deliveries.getMany([id])).get(id);
  };
  const sweptAgain = (w: World) => sweepAt(w, pastStale(w, w.now.value.toISOString(), 1000));

  it('keeps the claim open and unsent while the show is on hold, then cancelled', async () => {
    const w = await heldOnHold();

    await changeAt(w, w.now.value.toISOString(), cancelled);
    await sweptAgain(w);

    expect((await reminderClaim(w))?.status).toBe('claimed');
    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(0);
  });

  it('closes the claim unsent once the cancelled show is settled', async () => {
    const w = await heldOnHold();
    await changeAt(w, w.now.value.toISOString(), cancelled);
    await sweptAgain(w);

    await settledWithPromoter(w, w.now.value.toISOString());
    await sweptAgain(w);
    await sweptAgain(w);

    expect((await reminderClaim(w))?.status).toBe('failed');
    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(0);
    expect((await w.tours.getShow(ref()))?.stepsDone?.['advance-reminder-1']).toBeUndefined();
  });

  it('closes the claim unsent once the form of the show, cancelled still, has locked', async () => {
    const w = await heldOnHold();
    await changeAt(w, w.now.value.toISOString(), cancelled);

    await sweepAt(w, '2027-05-14T00:00:00.000Z');
    await sweptAgain(w);

    expect((await reminderClaim(w))?.status).toBe('failed');
    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(0);
  });
});
