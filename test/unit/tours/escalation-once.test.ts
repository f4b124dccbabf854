import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { makeHandler } from '#functions/tours/handler.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { buildDetail, type EventData, ShowStepDue } from '#shared/events/index.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import { stepMoment } from '#shared/tours.ts';
import { RecordedMeasure } from '#test/support/measure.ts';
import {
  aShow,
  bookedWithMailModule,
  changeAt,
  fakeToursDeps,
  metaAt,
  ref,
  stepsWritten,
  sweepsOn,
  takeShowStep,
  tourOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: the escalation to the tour manager (the advance overdue ten days before the
// show) is an advance step taken once per show and promoter; its mail is claimed once per recipient,
// kind and promoter given the show, then the step is recorded, so a crash between the two sends nothing twice.
const tourManager = 'sam@tm.example';
const show = aShow({ date: '2027-05-14' });
const moment = (step: ShowStep) => stepMoment(show, step).scheduledFor;

/** show-1 booked on 1 April, its promoter asked at the request's moment, the clock at the escalation's. */
async function askedAndOverdue() {
  const w = await bookedWithMailModule('2027-04-01T00:00:00Z', [show]);
  w.now.value = new Date(moment('advance-request'));
  await takeShowStep(w, 'advance-request', moment('advance-request'));
  w.now.value = new Date(moment('advance-escalation'));
  return w;
}

type World = Awaited<ReturnType<typeof askedAndOverdue>>;

/** The Show Step Due entries the outbox holds (kept, so the events beside them can be counted). */
const stepsDue = (w: World) =>
  w.tours.outbox
    .filter((e) => e.detailType === ShowStepDue.detailType)
    .map((e) => e.detail.data as EventData<typeof ShowStepDue>);

/** What reached the tour manager through SES: the overdue notices, and the Advance Overdue events written. */
const overdueNotices = (w: World) => ({
  mails: w.ses.receivedBy(tourManager, 'advance-escalation').length,
  events: w.tours.outbox.filter((e) => e.detailType === 'Advance Overdue').length,
});

describe('the overdue advance told to the tour manager once', () => {
  it('mails it once when its firing is delivered twice and the schedule fires again', async () => {
    const w = await askedAndOverdue();
    const handler = makeHandler(w.deps, new RecordedMeasure());
    const firing = () => ({
      'detail-type': ShowStepDue.detailType,
      source: 'backline.scheduler',
      detail: buildDetail(
        ShowStepDue,
        {
          ...ref(),
          step: 'advance-escalation',
          scheduledFor: moment('advance-escalation'),
        },
        { labelId: 'lbl-1' },
      ),
    });
    const delivered = firing();

    await handler(delivered, {} as Context);
    await handler(delivered, {} as Context);
    await handler(firing(), {} as Context);
    await sweepsOn(w, 2);

    expect(overdueNotices(w)).toEqual({ mails: 1, events: 1 });
  });

  it('mails it once when the step is taken again after a crash between the send and its record', async () => {
    const w = await askedAndOverdue();
    const markStepDone = w.tours.markStepDone.bind(w.tours);
    w.tours.markStepDone = async () => {
      throw new Error('the invocation died after the send');
    };
    await expect(takeShowStep(w, 'advance-escalation', moment('advance-escalation'))).rejects.toThrow();
    w.tours.markStepDone = markStepDone;

    await takeShowStep(w, 'advance-escalation', moment('advance-escalation'));
    await sweepsOn(w, 2);

    expect(overdueNotices(w)).toEqual({ mails: 1, events: 1 });
    expect((await w.tours.getShow(ref()))?.stepsDone).toEqual(
      expect.objectContaining({ 'advance-escalation': moment('advance-escalation') }),
    );
  });

  it('mails nothing more when the show is postponed after it went, and the escalation fires at the new moment', async () => {
    const w = await askedAndOverdue();
    await takeShowStep(w, 'advance-escalation', moment('advance-escalation'));
    const postponed = aShow({ date: '2027-05-21' });

    await changeAt(w, '2027-05-05T12:00:00Z', { type: 'set', show: postponed });
    const later = stepMoment(postponed, 'advance-escalation').scheduledFor;
    w.now.value = new Date(later);
    const fired = w.schedules.firing(w.now.value).filter((due) => due.step === 'advance-escalation');
    for (const due of fired) await takeShowStep(w, due.step, due.scheduledFor);

    expect(fired.map((due) => due.scheduledFor)).toEqual([later]);
    expect(overdueNotices(w)).toEqual({ mails: 1, events: 1 });
  });

  it('mails it once for a show taken off hold after its moment, however often the change and its step come, and not again after another hold', async () => {
    const w = await askedAndOverdue();
    // On hold over the escalation's moment (4 May, 10:00 in Berlin): its firing is ignored.
    await changeAt(w, '2027-05-01T12:00:00Z', { type: 'set', show: { ...show, status: 'hold' } });
    w.now.value = new Date(moment('advance-escalation'));
    await takeShowStep(w, 'advance-escalation', moment('advance-escalation'));
    const confirmedAgain = { type: 'set' as const, show };
    const meta = metaAt('2027-05-06T12:00:00.000Z');
    w.now.value = new Date(meta.occurredAt);

    await applyShowChange('tour-1', confirmedAgain, meta, w.deps);
    await applyShowChange('tour-1', confirmedAgain, meta, w.deps);
    const due = stepsDue(w);
    for (const step of [...due, ...due]) await takeShowStep(w, step.step, step.scheduledFor);
    // On hold and confirmed again once more: the escalation went, so it is not due at once again.
    await changeAt(w, '2027-05-07T12:00:00Z', { type: 'set', show: { ...show, status: 'hold' } });
    await changeAt(w, '2027-05-08T12:00:00Z', { type: 'set', show });
    for (const step of stepsDue(w).slice(due.length)) await takeShowStep(w, step.step, step.scheduledFor);
    await sweepsOn(w, 2);

    expect(due.map((step) => step.step)).toContain('advance-escalation');
    expect(overdueNotices(w)).toEqual({ mails: 1, events: 1 });
  });
});

describe('the overdue advance told to the tour manager once per promoter', () => {
  const promoterB = { name: 'Lichtspiel Live', email: 'b@lichtspiel.example' };

  it('mails it again, naming the new promoter, when the show given to another promoter and postponed is overdue with them', async () => {
    const w = await askedAndOverdue();
    await takeShowStep(w, 'advance-escalation', moment('advance-escalation'));
    const withB = aShow({ date: '2027-05-21', promoter: promoterB });
    const before = stepsDue(w).length;

    await changeAt(w, '2027-05-05T12:00:00Z', { type: 'set', show: withB });
    for (const step of stepsDue(w).slice(before)) await takeShowStep(w, step.step, step.scheduledFor);
    const later = stepMoment(withB, 'advance-escalation').scheduledFor;
    w.now.value = new Date(later);
    const fired = w.schedules.firing(w.now.value).filter((due) => due.step === 'advance-escalation');
    for (const due of [...fired, ...fired]) await takeShowStep(w, due.step, due.scheduledFor);
    await sweepsOn(w, 2);

    expect(w.ses.receivedBy(promoterB.email, 'advance-request')).toHaveLength(1);
    expect(fired.map((due) => due.scheduledFor)).toEqual([later]);
    expect(overdueNotices(w)).toEqual({ mails: 2, events: 2 });
    const notices = w.ses.calls.filter((call) => call.kind === 'advance-escalation');
    expect(notices.map((call) => JSON.stringify(call.entries[0].data).includes(promoterB.name))).toEqual([
      false,
      true,
    ]);
  });
});

describe('the advance asked again of a promoter the show comes back to', () => {
  it('sends the first promoter the request again when the show, given to another, is given back to them', async () => {
    const w = await askedAndOverdue();
    const withB = { ...show, promoter: { name: 'Lichtspiel Live', email: 'b@lichtspiel.example' } };
    const givenTo = async (at: string, given: typeof show) => {
      const before = stepsDue(w).length;
      await changeAt(w, at, { type: 'set', show: given });
      for (const step of stepsDue(w).slice(before)) await takeShowStep(w, step.step, step.scheduledFor);
    };

    await givenTo('2027-04-20T12:00:00Z', withB);
    await givenTo('2027-04-21T12:00:00Z', show);
    await sweepsOn(w, 2);

    expect(w.ses.receivedBy(withB.promoter.email, 'advance-request')).toHaveLength(1);
    expect(w.ses.receivedBy(show.promoter.email, 'advance-request')).toHaveLength(2);
    expect(w.tours.outbox.filter((e) => e.detailType === 'Advance Requested')).toHaveLength(3);
  });
});

describe('the advance request overdue at booking, sent to the promoter once', () => {
  it('mails it once when the booking is delivered twice, a change writes it due again, and its step dies after the send and is taken again', async () => {
    // Booked 13 days before the show: the request's moment passed, so it goes at once (docs/design.md#tours).
    const now = { value: new Date('2027-05-01T12:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    const booking = metaAt(now.value.toISOString());
    await bookTour(tourOf([show]), booking, deps);
    await bookTour(tourOf([show]), booking, deps);
    // The doors move before the request's step ran: the change writes it due at once again.
    now.value = new Date('2027-05-01T12:05:00Z');
    const retimed = { ...show, times: { ...show.times, doors: '19:30' } };
    await applyShowChange('tour-1', { type: 'set', show: retimed }, metaAt(now.value.toISOString()), deps);
    const due = stepsWritten(tours);
    const markStepDone = tours.markStepDone.bind(tours);
    tours.markStepDone = async () => {
      tours.markStepDone = markStepDone;
      throw new Error('the invocation died after the send');
    };

    for (const step of [...due, ...due])
      await takeStep(step, { correlationId: 'c' }, deps).catch(() => 'retried');

    expect(due.map((step) => step.step)).toEqual(['advance-request', 'advance-request']);
    expect(mailer.ses.receivedBy(show.promoter.email, 'advance-request')).toHaveLength(1);
    expect(tours.outbox.filter((e) => e.detailType === 'Advance Requested')).toHaveLength(1);
  });
});
