import { describe, expect, it } from 'vitest';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import { stepMoment } from '#shared/tours.ts';
import {
  advanceAnswers,
  aShow,
  bookedWithMailModule,
  changeAt,
  lostAnswers,
  pastStale,
  raceAt,
  ref,
  showMailClaim,
  stopOnceAt,
  sweepAt,
  takeShowStep,
  toursOutboxOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: an advance step's mail is claimed only while the show still awaits the advance
// from the promoter the step read (no answers in, the same promoter and `promoterSince`, not cancelled),
// in one write with the show's check. The promoter's submission, or the show given to another promoter,
// landing between the step's read and its claim leaves the step's mail unsent and the step unrecorded.
const show = aShow({ date: '2027-05-14' });
const promoter = show.promoter.email;
const tourManager = 'sam@tm.example';
const moment = (step: ShowStep) => stepMoment(show, step).scheduledFor;

/** show-1 booked on 1 April, its promoter asked at the request's moment, the clock at `step`'s. */
async function askedThenAt(step: ShowStep) {
  const w = await bookedWithMailModule('2027-04-01T00:00:00Z', [show]);
  w.now.value = new Date(moment('advance-request'));
  await takeShowStep(w, 'advance-request', moment('advance-request'));
  w.now.value = new Date(moment(step));
  return w;
}

type World = Awaited<ReturnType<typeof askedThenAt>>;

/** The promoter submits the advance from the request's link, a minute after the clock (`now`: at the clock). */
const submitted = (w: World, now?: 'now') => async () => {
  if (!now) w.now.value = new Date(w.now.value.getTime() + 60_000);
  await w.tours.saveAdvance(
    { ...ref(), promoterId: promoterIdOf(promoter) },
    advanceAnswers,
    w.now.value.toISOString(),
    () => [],
  );
};

/** `step` taken while `act` lands between its read of the show and its mail's claim. */
async function takenRacedBy(w: World, step: ShowStep, act: () => Promise<unknown>) {
  const race = raceAt(w.deps.mailer, 'send', act, (mails) => mails.some((mail) => mail.kind === step));
  const outcome = await takeShowStep(w, step, moment(step));
  race.unhook();
  expect(race.raced()).toBe(true);
  return outcome;
}

const eventsOf = (w: World, detailType: string) => toursOutboxOf(w.tours, detailType);

describe('an advance step raced by the promoter’s submission before its claim', () => {
  it('sends the promoter no reminder and records none', async () => {
    const w = await askedThenAt('advance-reminder-1');

    const outcome = await takenRacedBy(w, 'advance-reminder-1', submitted(w));

    expect(outcome.outcome).toBe('ignored');
    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(0);
    expect(eventsOf(w, 'Advance Reminder Sent')).toHaveLength(0);
    expect((await w.tours.getShow(ref()))?.stepsDone?.['advance-reminder-1']).toBeUndefined();
  });

  it('sends the tour manager no escalation for the advance already in', async () => {
    const w = await askedThenAt('advance-escalation');

    await takenRacedBy(w, 'advance-escalation', submitted(w));

    expect(w.ses.receivedBy(tourManager, 'advance-escalation')).toHaveLength(0);
    expect(eventsOf(w, 'Advance Overdue')).toHaveLength(0);
  });
});

describe('an advance step raced by the show given to another promoter before its claim', () => {
  it('sends the old promoter no reminder', async () => {
    const w = await askedThenAt('advance-reminder-1');
    const withB = aShow({ ...show, promoter: { name: 'Lichtspiel Live', email: 'b@lichtspiel.example' } });

    await takenRacedBy(w, 'advance-reminder-1', () =>
      changeAt(w, '2027-04-23T08:01:00.000Z', { type: 'set', show: withB }),
    );

    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(0);
    expect(eventsOf(w, 'Advance Reminder Sent')).toHaveLength(0);
  });
});

// A step whose mail was claimed before (sent, or still open) by an invocation that stopped before its
// record is recorded by its retry, with its event, for the promoter it mailed, though the promoter
// submitted since; one whose claim the sweep closed unsent stays ignored (docs/design.md#tours).
describe('an advance step that mailed and stopped before its record, the promoter submitting before its retry', () => {
  /**
   * `step` taken, its mail sent (marked sent, or with `answerLost` its claim left open: SES took it and
   * its answer was lost), the invocation dying before its record.
   */
  async function mailedThenStopped(w: World, step: ShowStep, answerLost = false) {
    if (answerLost) w.ses.script = () => 'accept-then-fail';
    const stop = stopOnceAt(w.tours, 'markStepDone', 'the invocation died after the send');
    await expect(takeShowStep(w, step, moment(step))).rejects.toThrow();
    stop.unhook();
    w.ses.script = undefined;
  }

  it('records the reminder with its Advance Reminder Sent once, the promoter mailed once', async () => {
    const w = await askedThenAt('advance-reminder-1');
    await mailedThenStopped(w, 'advance-reminder-1');
    await submitted(w)();

    const outcome = await takeShowStep(w, 'advance-reminder-1', moment('advance-reminder-1'));
    await takeShowStep(w, 'advance-reminder-1', moment('advance-reminder-1'));

    expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(1);
    expect(eventsOf(w, 'Advance Reminder Sent')).toHaveLength(1);
    expect((await w.tours.getShow(ref()))?.stepsDone?.['advance-reminder-1']).toBe(
      moment('advance-reminder-1'),
    );
  });

  it('records the escalation with its Advance Overdue when the submission lands between the retry’s read and its claim', async () => {
    const w = await askedThenAt('advance-escalation');
    await mailedThenStopped(w, 'advance-escalation', true);

    const outcome = await takenRacedBy(w, 'advance-escalation', submitted(w));

    expect(outcome.outcome).toBe('taken');
    expect(w.ses.receivedBy(tourManager, 'advance-escalation')).toHaveLength(1);
    expect(eventsOf(w, 'Advance Overdue')).toHaveLength(1);
  });

  it('records nothing when the sweep closed the mail unsent before the retry', async () => {
    const w = await askedThenAt('advance-reminder-1');
    // Claimed, SES's answer lost (it took nothing), the invocation dying before its record: the claim open.
    w.ses.script = () => lostAnswers();
    const stop = stopOnceAt(w.tours, 'markStepDone', 'the invocation died after the send');
    await expect(takeShowStep(w, 'advance-reminder-1', moment('advance-reminder-1'))).rejects.toThrow();
    stop.unhook();
    w.ses.script = undefined;
    await submitted(w)();
    await sweepAt(w, pastStale(w, w.now.value.toISOString(), 1000));

    const outcome = await takeShowStep(w, 'advance-reminder-1', moment('advance-reminder-1'));

    expect(outcome.outcome).toBe('ignored');
    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(0);
    expect(eventsOf(w, 'Advance Reminder Sent')).toHaveLength(0);
  });
});

// The stale-claim sweep takes an advance step's mail over to send it again with the same check of the
// show as the step's claim: a submission, or the show given to another promoter, landing between the
// sweep's read of the show and its takeover leaves the mail unsent; its claim is closed by the next sweep.
describe('a stale advance reminder swept while the show changes between the sweep’s read and its takeover', () => {
  /**
   * The reminder claimed at its moment, the invocation dying before SES; the sweep run once it is stale,
   * raced by `act`, and once more when stale again. The reminder's claim as left.
   */
  async function sweptRacedBy(w: World, act: () => Promise<unknown>) {
    const claimedAt = w.now.value.toISOString();
    const reminder = showMailClaim('advance-reminder-1', promoter);
    await w.mail.deliveries.claim(reminder, claimedAt);
    // The sweep's read of the show is done once it asks the suppression list of the mails it wrote again.
    const race = raceAt(w.mail.suppressions, 'suppressedAmong', act);
    await sweepAt(w, pastStale(w, claimedAt, 1000));
    race.unhook();
    expect(race.raced()).toBe(true);
    await sweepAt(w, pastStale(w, w.now.value.toISOString(), 1000));
    const id = deliveryIdOf(reminder);
    return (await w.mail.deliveries.getMany([id])).get(id);
  }

  it('sends the promoter no reminder once they submitted', async () => {
    const w = await askedThenAt('advance-reminder-1');

    const claim = await sweptRacedBy(w, submitted(w, 'now'));

    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(0);
    expect(claim?.status).toBe('failed');
  });

  it('sends the old promoter no reminder once the show is given to another', async () => {
    const w = await askedThenAt('advance-reminder-1');
    const withB = aShow({ ...show, promoter: { name: 'Lichtspiel Live', email: 'b@lichtspiel.example' } });

    const claim = await sweptRacedBy(w, () =>
      changeAt(w, w.now.value.toISOString(), { type: 'set', show: withB }),
    );

    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(0);
    expect(claim?.status).toBe('failed');
  });

  it('sends the reminder once when nothing changed', async () => {
    const w = await askedThenAt('advance-reminder-1');

    const claim = await sweptRacedBy(w, async () => {});

    expect(w.ses.receivedBy(promoter, 'advance-reminder-1')).toHaveLength(1);
    expect(claim?.status).toBe('sent');
  });
});
