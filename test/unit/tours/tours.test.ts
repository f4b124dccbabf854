import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour, type ShowChange } from '#functions/tours/apply-change.ts';
import { makeHandler } from '#functions/tours/handler.ts';
import type { ToursDeps } from '#functions/tours/ports.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { alertPromoterUnreachable } from '#functions/tours/unreachable.ts';
import { listKept } from '#shared/db/context-lists.ts';
import { buildDetail, type EventData, MailUndeliverable, ShowStepDue } from '#shared/events/index.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { calendarSequence } from '#shared/ics.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { templateNames } from '#shared/mail/templates.ts';
import { advanceLockAt, guestListReopens, stepMoment, stepMoments } from '#shared/tours.ts';
import { readCalendar } from '#test/support/calendar.ts';
import { RecordedMeasure } from '#test/support/measure.ts';
import {
  announcedShow as announced,
  aPressOutlet,
  aShow,
  cancelShow,
  fakeToursDeps,
  kindsToldDe,
  metaAt,
  raceAt,
  ref,
  runDueSteps,
  stepsWritten,
  stopOnceAt,
  toldDePressOf,
  tourOf,
} from '#test/support/tours.ts';

describe('show steps in the venue time zone', () => {
  it('puts each step at its local time in the venue zone, however far the zone is from UTC', () => {
    const show = aShow({
      date: '2027-05-14',
      venue: { ...aShow().venue, timeZone: 'America/Los_Angeles', city: 'Los Angeles', country: 'US' },
    });

    const moments = stepMoments(show);

    expect(moments.map((m) => [m.step, m.wallTime, m.scheduledFor])).toEqual([
      ['advance-request', '2027-04-16T10:00:00', '2027-04-16T17:00:00.000Z'],
      ['advance-reminder-1', '2027-04-23T10:00:00', '2027-04-23T17:00:00.000Z'],
      ['advance-reminder-2', '2027-04-30T10:00:00', '2027-04-30T17:00:00.000Z'],
      ['advance-escalation', '2027-05-04T10:00:00', '2027-05-04T17:00:00.000Z'],
      ['day-sheet', '2027-05-13T18:00:00', '2027-05-14T01:00:00.000Z'],
      ['guest-list-cutoff', '2027-05-14T17:00:00', '2027-05-15T00:00:00.000Z'],
    ]);
  });

  it('keeps 10:00 local across a DST change between two steps', () => {
    // Europe/Berlin moves to summer time on 28 March 2027: the request is in winter time, the reminder in summer time.
    const show = aShow({ date: '2027-04-15' });

    expect(stepMoment(show, 'advance-request').scheduledFor).toBe('2027-03-18T09:00:00.000Z');
    expect(stepMoment(show, 'advance-reminder-1').scheduledFor).toBe('2027-03-25T09:00:00.000Z');
    expect(stepMoment(show, 'advance-reminder-2').scheduledFor).toBe('2027-04-01T08:00:00.000Z');
  });

  it('moves a time that does not exist forward, and takes the first of a time that occurs twice', () => {
    const gap = aShow({ date: '2027-03-28', guestListCutoff: '02:30' });
    const overlap = aShow({ date: '2027-10-31', guestListCutoff: '02:30' });

    expect(stepMoment(gap, 'guest-list-cutoff')).toMatchObject({
      wallTime: '2027-03-28T03:30:00',
      scheduledFor: '2027-03-28T01:30:00.000Z',
    });
    expect(stepMoment(overlap, 'guest-list-cutoff')).toMatchObject({
      wallTime: '2027-10-31T02:30:00',
      scheduledFor: '2027-10-31T00:30:00.000Z',
    });
  });
});

describe('tours', () => {
  it('keeps a booked tour, its shows and promoters, and schedules every step of each confirmed show', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours, schedules } = fakeToursDeps(now);
    const held = aShow({ showId: 'show-2', status: 'hold', date: '2027-05-20' });

    await bookTour(tourOf([aShow(), held]), metaAt('2027-01-01T00:00:00Z'), deps);

    expect(tours.tours.size).toBe(1);
    expect(tours.shows.size).toBe(2);
    expect([...tours.promoters.values()].map((p) => p.email)).toEqual(['booking@nacht.example']);
    expect(schedules.forShow('show-1').map((s) => s.moment.step)).toHaveLength(6);
    expect(schedules.forShow('show-2')).toEqual([]);
    expect(tours.outbox.map((e) => e.detailType)).toEqual(['Show Confirmed']);
    expect((await tours.getShow(ref()))?.effectsPending).toBeUndefined();
  });

  it('sends the advance request at once for a show booked after its moment, and skips the past reminders', async () => {
    const now = { value: new Date('2027-05-01T12:00:00Z') };
    const { deps, tours, schedules } = fakeToursDeps(now);

    await bookTour(tourOf([aShow({ date: '2027-05-14' })]), metaAt('2027-05-01T12:00:00Z'), deps);

    const due = tours.outbox.filter((e) => e.detailType === 'Show Step Due').map((e) => e.detail.data);
    expect(due).toEqual([
      expect.objectContaining({ step: 'advance-request', scheduledFor: '2027-04-16T08:00:00.000Z' }),
    ]);
    expect(schedules.forShow('show-1').map((s) => s.moment.step)).toEqual([
      'advance-escalation',
      'day-sheet',
      'guest-list-cutoff',
    ]);
  });

  it('tells the tour manager of an overdue advance only of the mails the promoter was sent, for a show booked after its reminders', async () => {
    // Booked 13 days before the show: the request goes at once, the reminders' moments are past.
    const now = { value: new Date('2027-05-01T12:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer } = fakes;
    await bookTour(tourOf([aShow({ date: '2027-05-14' })]), metaAt('2027-05-01T12:00:00Z'), deps);
    await runDueSteps(fakes, now);
    const escalation = stepMoment(aShow({ date: '2027-05-14' }), 'advance-escalation');
    now.value = new Date(escalation.scheduledFor);

    await takeStep(
      { ...ref(), step: 'advance-escalation', scheduledFor: escalation.scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    expect(mailer.sent.map((m) => m.kind)).toEqual(['advance-request', 'advance-escalation']);
    const told = JSON.stringify(mailer.sent[1].data.text);
    expect(told).not.toContain('reminder');
    expect(told).toContain('after the request');
  });

  it('escalates at once to the tour manager a show taken off hold after its escalation date, its promoter asked before the hold and no advance in', async () => {
    const now = { value: new Date('2027-04-01T12:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, tours } = fakes;
    await bookTour(tourOf([aShow({ date: '2027-05-14' })]), metaAt('2027-04-01T12:00:00Z'), deps);
    const request = stepMoment(aShow({ date: '2027-05-14' }), 'advance-request');
    now.value = new Date(request.scheduledFor);
    await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: request.scheduledFor },
      { correlationId: 'c' },
      deps,
    );
    // On hold over the escalation's moment (4 May, 10:00 in Berlin), confirmed again on 6 May.
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ date: '2027-05-14', status: 'hold' }) },
      metaAt('2027-05-01T12:00:00Z'),
      deps,
    );
    now.value = new Date('2027-05-06T12:00:00Z');
    tours.outbox.splice(0);

    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ date: '2027-05-14' }) },
      metaAt('2027-05-06T12:00:00Z'),
      deps,
    );
    await runDueSteps(fakes, now);

    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      [aShow().promoter.email, 'advance-request'],
      [tourOf([]).tourManager.email, 'advance-escalation'],
    ]);
  });

  it('escalates nothing at once for a show taken off hold whose promoter had not been asked: the request is their first word', async () => {
    const now = { value: new Date('2027-04-01T12:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer } = fakes;
    await bookTour(
      tourOf([aShow({ date: '2027-05-14', status: 'hold' })]),
      metaAt('2027-04-01T12:00:00Z'),
      deps,
    );
    now.value = new Date('2027-05-06T12:00:00Z');

    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ date: '2027-05-14' }) },
      metaAt('2027-05-06T12:00:00Z'),
      deps,
    );
    await runDueSteps(fakes, now);

    expect(mailer.sent.map((m) => m.kind)).toEqual(['advance-request']);
  });

  it('sends no advance request for a show booked on its own show day, when its form is already locked', async () => {
    // Show day in Berlin, 14:00 local: the advance form locked at 00:00.
    const now = { value: new Date('2027-05-14T12:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    const show = aShow({ date: '2027-05-14' });
    expect(now.value.toISOString() >= advanceLockAt(show)).toBe(true);

    await bookTour(tourOf([show]), metaAt('2027-05-14T12:00:00Z'), deps);
    for (const entry of tours.outbox.filter((e) => e.detailType === 'Show Step Due'))
      await takeStep(entry.detail.data as EventData<typeof ShowStepDue>, { correlationId: 'c' }, deps);

    expect(mailer.sent.filter((m) => m.kind === 'advance-request')).toEqual([]);
    expect(mailer.sent.map((m) => m.kind)).toContain('day-sheet');
  });

  it('moves the schedules of a show moved by a week, and ignores a step set for the old date', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, schedules, mailer } = fakeToursDeps(now);
    await bookTour(tourOf([aShow({ date: '2027-05-14' })]), metaAt('2027-01-01T00:00:00Z'), deps);
    const old = stepMoment(aShow({ date: '2027-05-14' }), 'advance-request');

    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ date: '2027-05-21' }) },
      metaAt('2027-01-02T00:00:00Z'),
      deps,
    );
    now.value = new Date(old.scheduledFor);
    const outcome = await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: old.scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    expect(
      schedules.forShow('show-1').find((s) => s.moment.step === 'advance-request')?.moment.wallTime,
    ).toBe('2027-04-23T10:00:00');
    expect(outcome).toEqual({ outcome: 'ignored', reason: 'show changed since' });
    expect(mailer.sent).toEqual([]);
  });

  it('sends the day sheet again for the new day of a show moved after its sheet went out, and keeps the advance request done', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, schedules, mailer } = fakeToursDeps(now);
    await bookTour(tourOf([aShow({ date: '2027-05-14' })]), metaAt('2027-01-01T00:00:00Z'), deps);
    const step = (moment: { step: ShowStep; scheduledFor: string }) => {
      now.value = new Date(moment.scheduledFor);
      return takeStep(
        { ...ref(), step: moment.step, scheduledFor: moment.scheduledFor },
        { correlationId: 'c' },
        deps,
      );
    };
    await step(stepMoment(aShow({ date: '2027-05-14' }), 'advance-request'));
    await step(stepMoment(aShow({ date: '2027-05-14' }), 'day-sheet'));

    // Postponed by a week the evening the sheet went out.
    const moved = aShow({ date: '2027-05-21', venue: { ...aShow().venue, timeZone: 'Europe/Lisbon' } });
    await applyShowChange('tour-1', { type: 'set', show: moved }, metaAt('2027-05-13T19:00:00Z'), deps);
    const sheet = stepMoment(moved, 'day-sheet');
    const outcomes = [await step(stepMoment(moved, 'advance-request')), await step(sheet), await step(sheet)];

    expect(schedules.forShow('show-1').find((s) => s.moment.step === 'day-sheet')?.moment).toMatchObject({
      wallTime: '2027-05-20T18:00:00',
      timeZone: 'Europe/Lisbon',
    });
    expect(outcomes.map((o) => o.outcome)).toEqual(['ignored', 'taken', 'ignored']);
    const sheets = mailer.sent.filter((m) => m.kind === 'day-sheet' && m.to.email === 'sam@tm.example');
    expect(sheets.map((m) => (m.data.text as { subject: string }).subject)).toEqual([
      expect.stringContaining('Friday, 14 May 2027'),
      expect.stringContaining('Friday, 21 May 2027'),
    ]);
    expect(mailer.sent.filter((m) => m.kind === 'advance-request')).toHaveLength(1);
  });

  it('deletes the schedules of a cancelled show and ignores its steps', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, schedules } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    const request = stepMoment(aShow(), 'advance-request');

    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1', reason: 'Flood' },
      metaAt('2027-01-03T00:00:00Z'),
      deps,
    );
    const outcome = await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: request.scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    expect(schedules.forShow('show-1')).toEqual([]);
    expect(outcome).toEqual({ outcome: 'ignored', reason: 'show is cancelled' });
  });

  it('deletes no schedule a new show never had, and every one a show had when it is cancelled', async () => {
    const now = { value: new Date('2027-04-20T00:00:00Z') };
    const { deps, schedules } = fakeToursDeps(now);
    // Booked late (its request and reminders are past) and announced with no embargo.
    await bookTour(
      tourOf([aShow({ status: 'announced' }), aShow({ showId: 'show-2', date: '2027-05-20' })]),
      metaAt('2027-04-20T00:00:00Z'),
      deps,
    );
    const booked = [...schedules.log];
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-04-21T00:00:00Z'),
      deps,
    );

    expect(booked.filter((entry) => entry.startsWith('delete'))).toEqual([]);
    expect(schedules.log.slice(booked.length).filter((entry) => entry.startsWith('delete'))).toEqual(
      [...stepMoments(aShow({ status: 'announced' }))].map((moment) => `delete show-1 ${moment.step}`),
    );
    expect(schedules.forShow('show-1')).toEqual([]);
  });

  it('deletes every schedule of a cancelled show when the cancellation is redelivered after deleting them failed', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, schedules } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    expect(schedules.forShow('show-1')).toHaveLength(6);
    // The cancellation is stored, then the first DeleteSchedule fails (throttled, a timeout, a
    // crash): the handler throws and Lambda delivers the very same event again.
    const cancel = metaAt('2027-01-03T00:00:00Z');
    stopOnceAt(schedules, 'delete', 'ThrottlingException');
    await expect(
      applyShowChange('tour-1', { type: 'cancel', showId: 'show-1' }, cancel, deps),
    ).rejects.toThrow('ThrottlingException');

    const outcome = await applyShowChange('tour-1', { type: 'cancel', showId: 'show-1' }, cancel, deps);

    expect(outcome).toEqual({ outcome: 'replayed' });
    expect(schedules.forShow('show-1')).toEqual([]);
  });

  it("ignores a change older than the show's last one: a late booking does not undo a cancellation", async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours } = fakeToursDeps(now);

    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-01-05T00:00:00Z'),
      deps,
    );
    const late = await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow() },
      metaAt('2027-01-04T00:00:00Z'),
      deps,
    );

    expect(late.outcome).toBe('ignored');
    expect((await tours.getShow(ref()))?.show).toBeUndefined();
  });

  it('sends nothing new for a repeated booking', async () => {
    const now = { value: new Date('2027-05-01T12:00:00Z') };
    const { deps, tours } = fakeToursDeps(now);
    const booking = tourOf([aShow()]);
    await bookTour(booking, metaAt('2027-05-01T12:00:00Z'), deps);
    const published = tours.outbox.length;

    await bookTour(booking, metaAt('2027-05-01T12:00:00Z'), deps);

    expect(tours.outbox.length).toBe(published);
  });

  it('mails the promoter the advance link, reminds twice, escalates to the tour manager, and stops once the advance is in', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    await bookTour(
      tourOf([
        aShow(),
        aShow({
          showId: 'show-2',
          date: '2027-05-15',
          promoter: { name: 'Other', email: 'o@promo.example' },
        }),
      ]),
      metaAt('2027-01-01T00:00:00Z'),
      deps,
    );
    const step = async (showId: string, name: Parameters<typeof stepMoment>[1]) =>
      takeStep(
        {
          ...ref(showId),
          step: name,
          scheduledFor: stepMoment((await tours.getShow(ref(showId)))!.show!, name).scheduledFor,
        },
        { correlationId: 'c' },
        deps,
      );

    await step('show-1', 'advance-request');
    await step('show-2', 'advance-request');
    await tours.saveAdvance(
      (await tours.getShow(ref('show-2')))!,
      {} as never,
      '2027-04-20T00:00:00Z',
      () => [],
    );
    for (const name of ['advance-reminder-1', 'advance-reminder-2', 'advance-escalation'] as const) {
      await step('show-1', name);
      await step('show-2', name);
    }

    expect(mailer.sent.map((m) => [m.to.email, m.kind, m.stream])).toEqual([
      ['booking@nacht.example', 'advance-request', 'operational'],
      ['o@promo.example', 'advance-request', 'operational'],
      ['booking@nacht.example', 'advance-reminder-1', 'operational'],
      ['booking@nacht.example', 'advance-reminder-2', 'operational'],
      ['sam@tm.example', 'advance-escalation', 'operational'],
    ]);
    expect(JSON.stringify(mailer.sent[0].data)).toContain('https://backline.example/a/show-1');
    expect(JSON.stringify(mailer.sent[4].data.text)).toContain('after a request and two reminders');
    expect(tours.outbox.map((e) => e.detailType)).toEqual(
      expect.arrayContaining(['Advance Requested', 'Advance Reminder Sent', 'Advance Overdue']),
    );
  });

  it('asks the new promoter of a show given to another after the request went, and reminds them, not the old one', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, tours, mailer } = fakes;
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    const step = async (name: ShowStep) =>
      takeStep(
        {
          ...ref(),
          step: name,
          scheduledFor: stepMoment((await tours.getShow(ref()))!.show!, name).scheduledFor,
        },
        { correlationId: 'c' },
        deps,
      );
    now.value = new Date(stepMoment(aShow(), 'advance-request').scheduledFor);
    await step('advance-request');
    await tours.saveAdvance(
      (await tours.getShow(ref()))!,
      { power: 'old answers' } as never,
      now.value.toISOString(),
      () => [],
    );

    // After the first reminder's moment, the label gives the show to another promoter.
    now.value = new Date(Date.parse(stepMoment(aShow(), 'advance-reminder-1').scheduledFor) + 60_000);
    const replaced = aShow({ promoter: { name: 'New', email: 'new@promo.example' } });
    await applyShowChange('tour-1', { type: 'set', show: replaced }, metaAt(now.value.toISOString()), deps);
    await runDueSteps(fakes, now);
    await step('advance-reminder-2');

    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      ['booking@nacht.example', 'advance-request'],
      ['new@promo.example', 'advance-request'],
      ['new@promo.example', 'advance-reminder-2'],
    ]);
    expect((await tours.getShow(ref()))?.advance).toBeUndefined();
  });

  it('keeps the answers of a show given to another promoter on show day, when the form no longer takes new ones', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    await tours.saveAdvance(
      (await tours.getShow(ref()))!,
      { power: '32 A' } as never,
      '2027-04-20T10:00:00.000Z',
      () => [],
    );

    now.value = new Date(Date.parse(advanceLockAt(aShow())) + 3_600_000);
    const replaced = aShow({ promoter: { name: 'New', email: 'new@promo.example' } });
    await applyShowChange('tour-1', { type: 'set', show: replaced }, metaAt(now.value.toISOString()), deps);

    expect((await tours.getShow(ref()))?.advance?.answers).toEqual({ power: '32 A' });
  });

  /** The scheduler's Show Step Due for aShow()'s step, as the tours function is handed it. */
  const due = (step: ShowStep) => ({
    'detail-type': ShowStepDue.detailType,
    source: 'backline.scheduler',
    detail: buildDetail(
      ShowStepDue,
      { ...ref(), step, scheduledFor: stepMoment(aShow(), step).scheduledFor },
      { labelId: 'lbl-1' },
    ),
  });

  it('counts an overdue advance once as AdvancesOverdue, however often its escalation step comes', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps } = fakeToursDeps(now);
    const measure = new RecordedMeasure();
    const handler = makeHandler(deps, measure);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);

    for (const step of ['advance-request', 'advance-escalation', 'advance-escalation'] as const) {
      now.value = new Date(stepMoment(aShow(), step).scheduledFor);
      await handler(due(step), {} as Context);
    }

    expect(measure.records).toEqual([{ name: 'AdvancesOverdue', dimensions: {}, value: 1 }]);
  });

  it('counts an overdue advance once as AdvancesOverdue when its escalation step is delivered twice at the same moment', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer } = fakeToursDeps(now);
    const measure = new RecordedMeasure();
    const handler = makeHandler(deps, measure);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    now.value = new Date(stepMoment(aShow(), 'advance-request').scheduledFor);
    await handler(due('advance-request'), {} as Context);
    now.value = new Date(stepMoment(aShow(), 'advance-escalation').scheduledFor);
    const escalation = due('advance-escalation');

    // Both read the show before either records the step: one records it, the other finds it recorded.
    await Promise.all([handler(escalation, {} as Context), handler(escalation, {} as Context)]);

    expect(mailer.sent.filter((mail) => mail.kind === 'advance-escalation')).toHaveLength(1);
    expect(measure.records).toEqual([{ name: 'AdvancesOverdue', dimensions: {}, value: 1 }]);
  });

  it('locks the guest list at the cutoff, mails it to the promoter once, and refuses later guests', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    await tours.addGuests(ref(), [{ name: 'Alex Doe', plusOnes: 1, addedAt: '2027-05-01T00:00:00Z' }]);
    const cutoff = stepMoment(aShow(), 'guest-list-cutoff');

    await takeStep(
      { ...ref(), step: 'guest-list-cutoff', scheduledFor: cutoff.scheduledFor },
      { correlationId: 'c' },
      deps,
    );
    await takeStep(
      { ...ref(), step: 'guest-list-cutoff', scheduledFor: cutoff.scheduledFor },
      { correlationId: 'c' },
      deps,
    );
    const late = await tours.addGuests(ref(), [
      { name: 'Late', plusOnes: 0, addedAt: '2027-05-14T16:00:00Z' },
    ]);

    expect(mailer.sent.map((m) => m.kind)).toEqual(['guest-list-cutoff']);
    expect(JSON.stringify(mailer.sent[0].data)).toContain('Alex Doe');
    expect(late).toBe('locked');
    expect(
      tours.outbox
        .filter((e) => e.detailType === 'Guest List Locked')
        .map((e) => (e.detail.data as { guests: number }).guests),
    ).toEqual([2]);
  });

  it('mails the day sheet to the tour manager and crew: local times, contacts, advance, guests, travel to the next city', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    const hamburg = aShow({
      showId: 'show-2',
      date: '2027-05-15',
      venue: { ...aShow().venue, name: 'Docks', city: 'Hamburg' },
    });
    await bookTour(tourOf([aShow(), hamburg]), metaAt('2027-01-01T00:00:00Z'), deps);
    await tours.addGuests(ref(), [{ name: 'Alex', plusOnes: 2, addedAt: '2027-05-01T00:00:00Z' }]);

    await takeStep(
      { ...ref(), step: 'day-sheet', scheduledFor: stepMoment(aShow(), 'day-sheet').scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    expect(mailer.sent.map((m) => m.to.email)).toEqual(['sam@tm.example', 'jo@crew.example']);
    const text = JSON.stringify(mailer.sent[0].data.text);
    expect(text).toContain('Doors","value":"19:00 Europe/Berlin');
    expect(text).toContain('booking@nacht.example');
    expect(text).toContain('not submitted by the promoter');
    expect(text).toContain('"Guests","value":"3"');
    expect(text).toContain('"Travel time","value":"not known"');
  });

  it("attaches the day's show to the day sheet as a calendar, as the press has it", async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);

    await takeStep(
      { ...ref(), step: 'day-sheet', scheduledFor: stepMoment(aShow(), 'day-sheet').scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    const [sheet] = mailer.sent;
    expect(sheet.attachments?.map((a) => [a.fileName, a.contentType])).toEqual([
      ['The-Midnight-Echoes-shows.ics', 'text/calendar; charset=utf-8; method=PUBLISH'],
    ]);
    expect(
      readCalendar(String(sheet.attachments?.[0].content)).map((e) => [e.summary, e.zone, e.localStart]),
    ).toEqual([['The Midnight Echoes at Columbiahalle, Berlin', 'Europe/Berlin', '2027-05-14T19:00:00']]);
  });
});

describe('a show retimed on its own day', () => {
  const laterDoors = { ...announced, times: { ...announced.times, doors: '20:00' } };
  const pressOutlet = aPressOutlet('de', ['DE'], { name: 'de' });
  const doorsIn = (mail: { data: { text: object } }) =>
    /"Doors","value":"(\d\d:\d\d)/.exec(JSON.stringify(mail.data.text))?.[1];

  async function world() {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    fakes.outlets.push(pressOutlet);
    const runDue = () => runDueSteps(fakes, now);
    await bookTour(
      { ...tourOf([announced]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );
    await runDue();
    const daySheet = stepMoment(announced, 'day-sheet');
    const sheetStep = async () => {
      now.value = new Date(daySheet.scheduledFor);
      return takeStep(
        { ...ref(), step: 'day-sheet', scheduledFor: daySheet.scheduledFor },
        { correlationId: 'c' },
        fakes.deps,
      );
    };
    return { ...fakes, now, runDue, sheetStep };
  }

  it('mails no updated day sheet and tells the press nothing when a change leaves the times as they were, read back from the table in another order', async () => {
    const { deps, mailer, now, runDue, sheetStep, tours } = await world();
    await sheetStep();
    // DynamoDB keeps no order of a map's keys: the stored show's times come back in another than the label's.
    for (const stored of tours.shows.values())
      if (stored.show)
        stored.show = {
          ...stored.show,
          times: Object.fromEntries(Object.entries(stored.show.times).reverse()),
        };
    const promoterPhoned = { ...announced, promoter: { ...announced.promoter, phone: '+49 30 1234567' } };

    now.value = new Date('2027-05-13T17:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: promoterPhoned },
      metaAt('2027-05-13T17:00:00Z'),
      deps,
    );
    await runDue();

    expect(
      mailer.sent.map((m) => m.kind).filter((kind) => kind === 'day-sheet-update' || kind === 'press-change'),
    ).toEqual([]);
  });

  /**
   * The day sheet taken while `change` lands at 17:00 after its mails went, before the step records that
   * the sheet went: the change finds no sheet gone, and asks no update. Then what is due runs.
   */
  async function sheetRacedBy(change: ShowChange) {
    const w = await world();
    const race = raceAt(
      w.tours,
      'markStepDone',
      async () => {
        w.now.value = new Date('2027-05-13T17:00:00Z');
        await applyShowChange('tour-1', change, metaAt('2027-05-13T17:00:00Z'), w.deps);
      },
      (_, step) => step === 'day-sheet',
    );
    await w.sheetStep();
    race.unhook();
    expect(race.raced()).toBe(true);
    await w.runDue();
    return w.mailer.sent.filter((m) => m.to.email === 'sam@tm.example');
  }

  it('mails the tour manager an updated day sheet when the doors move between the sheet going and its record', async () => {
    const sheets = await sheetRacedBy({ type: 'set', show: laterDoors });

    expect(sheets.map((m) => [m.kind, doorsIn(m)])).toEqual([
      ['day-sheet', '19:00'],
      ['day-sheet-update', '20:00'],
    ]);
  });

  it('tells the tour manager the show is cancelled when the cancellation lands between the sheet going and its record', async () => {
    const sheets = await sheetRacedBy({ type: 'cancel', showId: 'show-1', reason: 'The venue is flooded.' });

    expect(sheets.map((m) => m.kind)).toEqual(['day-sheet', 'day-sheet-update']);
    expect(JSON.stringify(sheets[1].data)).toContain('The venue is flooded.');
  });

  it('mails the tour manager and crew an updated day sheet once per change when the doors move after the sheet went, and tells the press once', async () => {
    const { deps, mailer, now, runDue, sheetStep } = await world();
    await sheetStep();

    now.value = new Date('2027-05-13T17:00:00Z');
    await applyShowChange('tour-1', { type: 'set', show: laterDoors }, metaAt('2027-05-13T17:00:00Z'), deps);
    const due = await runDue();
    // The same change again (a redelivered step), then the doors back to 19:00: a change of its own.
    for (const step of due) await takeStep(step, { correlationId: 'c' }, deps);
    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-05-13T18:30:00Z'), deps);
    await runDue();

    const sheets = mailer.sent.filter((m) => m.to.email === 'sam@tm.example');
    expect(sheets.map((m) => [m.kind, doorsIn(m)])).toEqual([
      ['day-sheet', '19:00'],
      ['day-sheet-update', '20:00'],
      ['day-sheet-update', '19:00'],
    ]);
    expect(JSON.stringify(sheets[1].data.text)).toContain('This replaces the day sheet we sent.');
    expect(mailer.sent.filter((m) => m.to.email === 'jo@crew.example')).toHaveLength(3);
    expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
      'press-change',
      'press-change',
    ]);
    // The promoter, who agreed the times with the label, gets no mail of the change.
    expect(
      mailer.sent.filter((m) => m.to.email === 'booking@nacht.example' && m.kind.startsWith('day-sheet')),
    ).toEqual([]);
  });

  it("mails the tour manager an updated day sheet for the promoter's advance given after the sheet went, for its latest answers only", async () => {
    const { deps, mailer, now, sheetStep, tours } = await world();
    await sheetStep();
    const answers = (phone: string) => ({ dayContact: { name: 'Kim', phone } }) as never;
    const update = (scheduledFor: string) =>
      takeStep({ ...ref(), step: 'day-sheet-update', scheduledFor }, { correlationId: 'c' }, deps);
    const promoterId = (await tours.getShow(ref()))!.promoterId;

    now.value = new Date('2027-05-13T19:00:00Z');
    await tours.saveAdvance({ ...ref(), promoterId }, answers('+49 1'), '2027-05-13T17:00:00.000Z', () => []);
    await tours.saveAdvance({ ...ref(), promoterId }, answers('+49 2'), '2027-05-13T17:30:00.000Z', () => []);
    // The first answers' step lands after the amendment: the amendment's own step sends the update.
    const outcomes = [await update('2027-05-13T17:00:00.000Z'), await update('2027-05-13T17:30:00.000Z')];

    expect(outcomes.map((o) => o.outcome)).toEqual(['ignored', 'taken']);
    const sheets = mailer.sent.filter((m) => m.to.email === 'sam@tm.example');
    expect(sheets.map((m) => m.kind)).toEqual(['day-sheet', 'day-sheet-update']);
    expect(JSON.stringify(sheets[1].data.text)).toContain('Kim, +49 2');
  });

  it.each([
    ['west, its sheet an hour later there', 'Roundhouse', 'London', 'GB', 'Europe/London'],
    ['east, its sheet an hour earlier there', 'Tavastia', 'Helsinki', 'FI', 'Europe/Helsinki'],
  ])(
    'mails the tour manager an updated day sheet at once, and no second sheet, when the show moves on its day to a venue in a zone %s',
    async (_, name, city, country, timeZone) => {
      const { deps, mailer, now, runDue, sheetStep, schedules } = await world();
      await sheetStep();
      const moved = { ...announced, venue: { ...announced.venue, name, city, country, timeZone } };
      const sheets = () =>
        mailer.sent.filter((m) => m.to.email === 'sam@tm.example' && m.kind.startsWith('day-sheet'));

      now.value = new Date('2027-05-13T16:30:00Z');
      await applyShowChange('tour-1', { type: 'set', show: moved }, metaAt('2027-05-13T16:30:00Z'), deps);
      await runDue();
      const atOnce = sheets().map((m) => m.kind);
      // Then the show's day passes: every schedule of it fires.
      now.value = new Date('2027-05-15T06:00:00Z');
      for (const due of schedules.firing(now.value)) await takeStep(due, { correlationId: 'c' }, deps);

      expect(atOnce).toEqual(['day-sheet', 'day-sheet-update']);
      expect(sheets().map((m) => m.kind)).toEqual(atOnce);
      expect(JSON.stringify(sheets()[1].data.text)).toContain('This replaces the day sheet we sent.');
      expect(JSON.stringify(sheets()[1].data.text)).toContain(`${name}`);
    },
  );

  it('sends no update when the doors move before the sheet went: the scheduled sheet carries the new times', async () => {
    const { deps, mailer, now, runDue, sheetStep } = await world();

    now.value = new Date('2027-05-12T09:00:00Z');
    await applyShowChange('tour-1', { type: 'set', show: laterDoors }, metaAt('2027-05-12T09:00:00Z'), deps);
    await runDue();
    await sheetStep();

    const sheets = mailer.sent.filter((m) => m.to.email === 'sam@tm.example');
    expect(sheets.map((m) => [m.kind, doorsIn(m)])).toEqual([['day-sheet', '20:00']]);
  });
});

/** The Berlin show, announced, and the same show moved to Paris. */
const berlin = announced;
const paris = {
  ...berlin,
  venue: { ...berlin.venue, name: 'Olympia', city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
};

describe('press for the shows', () => {
  const hamburg = aShow({
    showId: 'show-2',
    date: '2027-05-16',
    venue: { ...aShow().venue, name: 'Docks', city: 'Hamburg' },
    status: 'announced',
    announceAt: '2027-02-01T09:00:00.000Z',
  });

  it('tells matching outlets of the announced shows in their territory once the embargo is over, in one mail with a calendar', async () => {
    const now = { value: new Date('2027-01-10T00:00:00Z') };
    const { deps, schedules, mailer, outlets, tours } = fakeToursDeps(now);
    outlets.push(
      aPressOutlet('de', ['DE']),
      aPressOutlet('ww', ['WW']),
      aPressOutlet('fr', ['FR']),
      aPressOutlet('jazz', ['DE'], { genres: ['jazz'] }),
      aPressOutlet('gone', ['DE'], { unsubscribedAt: '2027-01-02T00:00:00Z' }),
    );
    await bookTour(
      { ...tourOf([berlin, hamburg]), genres: ['Synthpop'] },
      metaAt('2027-01-10T00:00:00Z'),
      deps,
    );
    const press = schedules.forShow('show-1').find((s) => s.moment.step === 'press-announcement');

    now.value = new Date('2027-02-01T09:00:00Z');
    await takeStep(
      { ...ref('show-1'), step: 'press-announcement', scheduledFor: press!.moment.scheduledFor },
      { correlationId: 'c' },
      deps,
    );
    await takeStep(
      { ...ref('show-2'), step: 'press-announcement', scheduledFor: press!.moment.scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    expect(press?.moment).toMatchObject({ timeZone: 'UTC', wallTime: '2027-02-01T09:00:00' });
    expect(mailer.sent.map((m) => [m.to.email, m.stream, m.kind])).toEqual([
      ['de@press.example', 'campaign', 'press-announcement'],
      ['ww@press.example', 'campaign', 'press-announcement'],
    ]);
    const calendar = String(mailer.sent[0].attachments?.[0].content ?? '');
    expect(calendar.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(mailer.sent[0].outletId).toBe('de');
    expect(tours.outbox.filter((e) => e.detailType === 'Show Announced To Media')).toHaveLength(2);
  });

  it('tells an outlet of two shows booked together in one country in one mail', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    fakes.outlets.push(aPressOutlet('de', ['DE']));

    await bookTour(
      { ...tourOf([berlin, hamburg, aShow({ showId: 'show-3', date: '2027-05-20' })]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      fakes.deps,
    );
    await runDueSteps(fakes, now);

    const press = fakes.mailer.sent.filter((m) => m.stream === 'campaign');
    expect(press.map((m) => [m.to.email, m.kind, listKept(m.context.listed)])).toEqual([
      ['de@press.example', 'press-announcement', ['show-1', 'show-2']],
    ]);
    expect(String(press[0].attachments?.[0].content).match(/BEGIN:VEVENT/g)).toHaveLength(2);
    const done = async (showId: string) =>
      (await fakes.tours.getShow(ref(showId)))?.stepsDone?.['press-announcement'];
    expect([await done('show-1'), await done('show-2')]).toEqual([expect.any(String), expect.any(String)]);
  });

  it('tells an outlet of two shows added by separate webhooks within the gathering window in one announcement, and of a show added after it in an update', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    const cologne = aShow({
      showId: 'show-3',
      date: '2027-05-18',
      venue: { ...aShow().venue, city: 'Cologne' },
      status: 'announced',
    });
    await bookTour({ ...tourOf([]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), fakes.deps);

    // Two webhooks at about the same moment, each with a show past its embargo, 20 s apart; what
    // each writes is delivered at once.
    for (const show of [berlin, hamburg]) {
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(now.value.toISOString()), fakes.deps);
      for (const entry of fakes.tours.outbox.splice(0).filter((e) => e.detailType === 'Show Step Due'))
        await takeStep(
          entry.detail.data as EventData<typeof ShowStepDue>,
          { correlationId: 'c' },
          fakes.deps,
        );
      now.value = new Date(now.value.getTime() + 20_000);
    }
    await runDueSteps(fakes, now);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: cologne },
      metaAt(now.value.toISOString()),
      fakes.deps,
    );
    await runDueSteps(fakes, now);

    const press = fakes.mailer.sent.filter((m) => m.stream === 'campaign');
    expect(press.map((m) => [m.kind, listKept(m.context.news)])).toEqual([
      ['press-announcement', ['show-1', 'show-2']],
      ['press-update', ['show-3']],
    ]);
  });

  it('continues press to a large directory page by page in new invocations (the step on the bus again with a cursor, through the outbox once a page), telling each outlet once', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const { deps, mailer, outlets, tours, schedules } = fakeToursDeps(now);
    deps.settings.pressPageSize = 2;
    outlets.push(...['a', 'b', 'c', 'd', 'e'].map((id) => aPressOutlet(id, ['DE'])));
    await bookTour({ ...tourOf([berlin]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    now.value = new Date('2027-02-02T00:05:00Z');
    const [first] = schedules.firing(now.value);
    const continuations = () => tours.outbox.filter((e) => (e.detail.data as { cursor?: string }).cursor);

    // Every invocation is out of time after its first page.
    const hops = [await takeStep(first, { correlationId: 'c' }, deps, now.value.getTime())];
    while (hops.at(-1)?.outcome === 'continued') {
      const next = continuations().at(-1)!.detail.data as EventData<typeof ShowStepDue>;
      if (hops.length === 1) await takeStep(next, { correlationId: 'c' }, deps, now.value.getTime());
      hops.push(await takeStep(next, { correlationId: 'c' }, deps, now.value.getTime()));
    }

    expect(hops.map((hop) => hop.outcome)).toEqual(['continued', 'continued', 'taken']);
    // The second hop ran twice (a redelivery): it continued twice, its page put once, and told nobody twice.
    expect(
      continuations().map((e) => [e.source, e.detailType, (e.detail.data as { cursor?: string }).cursor]),
    ).toEqual([
      ['backline.tours', 'Show Step Due', '2'],
      ['backline.tours', 'Show Step Due', '4'],
    ]);
    expect(mailer.sent.map((m) => m.to.email).sort()).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((id) => `${id}@press.example`),
    );
    expect(tours.outbox.filter((e) => e.detailType === 'Show Announced To Media')).toHaveLength(1);
    expect((await tours.getShow(ref()))?.stepsDone?.['press-announcement']).toBeDefined();
  });

  it('sends one update for a show announced later in the same territory, and a cancellation to those told of a show', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const { deps, mailer, outlets, tours } = fakeToursDeps(now);
    outlets.push(aPressOutlet('de', ['DE']));
    await bookTour({ ...tourOf([berlin]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    const pressStep = (showId: string, scheduledFor: string) =>
      takeStep({ ...ref(showId), step: 'press-announcement', scheduledFor }, { correlationId: 'c' }, deps);
    await pressStep('show-1', '2027-02-01T09:00:00.000Z');

    await applyShowChange('tour-1', { type: 'set', show: hamburg }, metaAt('2027-02-03T00:00:00Z'), deps);
    await pressStep('show-2', '2027-02-01T09:00:00.000Z');
    await cancelShow({ deps, tours }, 'show-1', '2027-02-04T00:00:00Z');

    expect(
      mailer.sent.map((m) => [m.kind, String(m.attachments?.[0].content).match(/BEGIN:VEVENT/g)?.length]),
    ).toEqual([
      ['press-announcement', 1],
      ['press-update', 1],
      ['press-cancellation', 1],
    ]);
    expect(mailer.sent[1].data.text).toMatchObject({ subject: expect.stringContaining('Hamburg') });
    expect(mailer.sent[2].attachments?.[0].content).toContain('STATUS:CANCELLED');
  });
});

describe('a cancelled show back on', () => {
  const calendarOf = (mail: { attachments?: { content: unknown }[] }) =>
    readCalendar(String(mail.attachments?.[0].content))[0];

  const toldDePress = () => toldDePressOf(announced);

  it('tells the outlets told of its cancellation that it is on again, with a calendar that replaces the cancelled one, and of a second cancellation', async () => {
    const { now, fakes, deps, mailer, tours } = await toldDePress();
    await cancelShow({ deps, tours }, 'show-1', '2027-02-03T00:00:00Z');

    // The label takes the cancellation back: the show is on, as it was announced.
    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-02-04T00:00:00Z'), deps);
    await runDueSteps(fakes, now);
    // And cancels it after all.
    await cancelShow({ deps, tours }, 'show-1', '2027-02-05T00:00:00Z');

    const press = mailer.sent.filter((m) => m.to.email === 'de@press.example');
    expect(press.map((m) => [m.kind, calendarOf(m).status])).toEqual([
      ['press-announcement', 'CONFIRMED'],
      ['press-cancellation', 'CANCELLED'],
      ['press-reinstated', 'CONFIRMED'],
      ['press-cancellation', 'CANCELLED'],
    ]);
    const sequences = press.map((m) => calendarOf(m).sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(4);
  });

  it.each([
    ['its cancellation step runs first', (due: EventData<typeof ShowStepDue>[]) => due],
    ['its on-again step runs first', (due: EventData<typeof ShowStepDue>[]) => [...due].reverse()],
  ])(
    'tells nobody anything when the show is set on again as it was before its cancellation reached the press (%s)',
    async (_, order) => {
      const { deps, mailer, tours } = await toldDePress();

      // Cancelled, and set on again with the same facts, before either press step ran.
      await applyShowChange(
        'tour-1',
        { type: 'cancel', showId: 'show-1' },
        metaAt('2027-02-03T00:00:00Z'),
        deps,
      );
      await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-02-03T00:01:00Z'), deps);
      const due = stepsWritten(tours);
      for (const step of order(due)) await takeStep(step, { correlationId: 'c' }, deps);

      expect(due.map((d) => d.step).sort()).toEqual(['press-cancellation', 'press-change']);
      expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => m.kind)).toEqual([
        'press-announcement',
      ]);
    },
  );

  it('tells those told of its cancellation once that it is on again, however often the step is delivered or taken again', async () => {
    const { deps, mailer, tours } = await toldDePress();
    await cancelShow({ deps, tours }, 'show-1', '2027-02-03T00:00:00Z');
    stepsWritten(tours);

    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-02-04T00:00:00Z'), deps);
    const due = stepsWritten(tours);
    for (const step of [...due, ...due]) await takeStep(step, { correlationId: 'c' }, deps);
    // Taken again as after a crash before the step was recorded: its mail is the same one.
    const stored = tours.shows.get(JSON.stringify(['lbl-1', 'tour-1', 'show-1']));
    delete stored?.stepsDone?.['press-change'];
    for (const step of due) await takeStep(step, { correlationId: 'c' }, deps);

    expect(due.map((d) => d.step)).toEqual(['press-change']);
    expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
      'press-cancellation',
      'press-reinstated',
    ]);
  });

  it('tells those its cancellation reached that it is on again, even when the cancellation step was not recorded as taken', async () => {
    const { deps, mailer, tours } = await toldDePress();
    await cancelShow({ deps, tours }, 'show-1', '2027-02-03T00:00:00Z');
    stepsWritten(tours);
    // The step's function stopped after the mail went, before it recorded the step.
    const stored = tours.shows.get(JSON.stringify(['lbl-1', 'tour-1', 'show-1']));
    delete stored?.stepsDone?.['press-cancellation'];

    await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-02-04T00:00:00Z'), deps);
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

    expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
      'press-cancellation',
      'press-reinstated',
    ]);
  });

  /** SES refusing the press mails: each recipient for good (their deliveries failed), or every call (the step fails, its claims given back, until its retries run out). */
  const refusals = [
    ['for good', 'MESSAGE_REJECTED'],
    ['past the step retries', 'TEMPLATE_NOT_FOUND'],
  ] as const;

  /** The show cancelled with SES refusing its press-cancellation's mails; SES takes mail again after. */
  async function cancelledUnheard(status: string) {
    const told = await toldDePress();
    told.mailer.ses.script = (mail) => mail.entries.map(() => ({ status }));
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-02-03T00:00:00Z'),
      told.deps,
    );
    const cancellation = stepsWritten(told.tours);
    for (const step of cancellation)
      await takeStep(step, { correlationId: 'c' }, told.deps).catch(() => undefined);
    told.mailer.ses.script = undefined;
    return { ...told, cancellation };
  }

  it.each(refusals)(
    'tells nobody "back on" of a cancellation SES refused (%s) when the show is set on again as it was',
    async (_, status) => {
      const { deps, mailer, tours } = await cancelledUnheard(status);

      await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-02-04T00:00:00Z'), deps);
      for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

      expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => m.kind)).toEqual([
        'press-announcement',
      ]);
    },
  );

  it.each(refusals)(
    'tells those a refused cancellation (%s) never reached what changed when the show is set on again with other facts',
    async (_, status) => {
      const { deps, mailer, tours } = await cancelledUnheard(status);
      const later = { ...announced, times: { ...announced.times, doors: '20:00' } };

      await applyShowChange('tour-1', { type: 'set', show: later }, metaAt('2027-02-04T00:00:00Z'), deps);
      for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

      const press = mailer.sent.filter((m) => m.to.email === 'de@press.example');
      expect(press.map((m) => [m.kind, calendarOf(m).localStart])).toEqual([
        ['press-announcement', '2027-05-14T19:00:00'],
        ['press-change', '2027-05-14T20:00:00'],
      ]);
    },
  );

  it.each(refusals)(
    'tells nobody of a change SES refused (%s) when the show is changed back to what they were told',
    async (_, status) => {
      const { deps, mailer, tours } = await toldDePress();
      const later = { ...announced, times: { ...announced.times, doors: '20:00' } };
      mailer.ses.script = (mail) => mail.entries.map(() => ({ status }));
      await applyShowChange('tour-1', { type: 'set', show: later }, metaAt('2027-02-03T00:00:00Z'), deps);
      for (const step of stepsWritten(tours))
        await takeStep(step, { correlationId: 'c' }, deps).catch(() => undefined);
      mailer.ses.script = undefined;

      await applyShowChange('tour-1', { type: 'set', show: announced }, metaAt('2027-02-04T00:00:00Z'), deps);
      for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

      expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => m.kind)).toEqual([
        'press-announcement',
      ]);
    },
  );

  it('mails a cancellation SES refused for a while once when its step is taken again with the show still cancelled', async () => {
    const { deps, mailer, cancellation } = await cancelledUnheard('TEMPLATE_NOT_FOUND');

    for (const step of [...cancellation, ...cancellation]) await takeStep(step, { correlationId: 'c' }, deps);

    expect(mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
      'press-cancellation',
    ]);
  });

  /**
   * The show changed (`first`) while SES's answers to its press step's mails were lost (their claims
   * left open, as after a crash before the send); the stale window then passed, `then` changed the
   * show again (or nothing did) with its step taken, and the stale-claim sweep ran.
   */
  async function sweptAfter(first: (deps: ToursDeps) => Promise<unknown>, then?: Show) {
    const told = await toldDePress();
    told.mailer.ses.script = () => new MailerError('unknown', 'the answer was lost');
    await first(told.deps);
    for (const step of stepsWritten(told.tours)) await takeStep(step, { correlationId: 'c' }, told.deps);
    told.mailer.ses.script = undefined;
    told.now.value = new Date(told.now.value.getTime() + 24 * 3600_000);
    if (then) {
      await applyShowChange('tour-1', { type: 'set', show: then }, metaAt('2027-02-04T00:00:00Z'), told.deps);
      for (const step of stepsWritten(told.tours)) await takeStep(step, { correlationId: 'c' }, told.deps);
    }
    const swept = await sweepStaleTourMail(told.deps, told.now.value.getTime() + 60_000);
    const press = kindsToldDe(told.mailer.ses);
    return { swept, press };
  }
  const cancelled = (deps: ToursDeps) =>
    applyShowChange('tour-1', { type: 'cancel', showId: 'show-1' }, metaAt('2027-02-03T00:00:00Z'), deps);
  const doorsAt = (doors: string) => ({ ...announced, times: { ...announced.times, doors } });
  const changed = (deps: ToursDeps) =>
    applyShowChange('tour-1', { type: 'set', show: doorsAt('20:00') }, metaAt('2027-02-03T00:00:00Z'), deps);

  it.each([
    ['a cancellation, the show still cancelled', cancelled, undefined, ['press-cancellation']],
    ['a change, the show still as it says', changed, undefined, ['press-change']],
  ] as const)('the stale-claim sweep sends %s again', async (_, first, then, resent) => {
    const { swept, press } = await sweptAfter(first, then);

    expect(swept).toEqual({ resent: 1, closed: 0 });
    expect(press).toEqual(['press-announcement', ...resent]);
  });

  it.each([
    ['a cancellation of a show set on again as it was', cancelled, announced, []],
    ['a cancellation of a show set on again with other facts', cancelled, doorsAt('21:00'), ['press-change']],
    ['a change whose facts changed again', changed, doorsAt('21:00'), ['press-change']],
  ] as const)(
    'the stale-claim sweep closes %s without sending it (the step told what stands)',
    async (_, first, then, told) => {
      const { swept, press } = await sweptAfter(first, then);

      expect(swept).toEqual({ resent: 0, closed: 1 });
      expect(press).toEqual(['press-announcement', ...told]);
    },
  );

  it.each(refusals)(
    'counts an address told of its shows only once their announcement reached SES (%s): it hears of no change to them, and the next announcement lists them',
    async (_, status) => {
      const now = { value: new Date('2027-02-02T00:00:00Z') };
      const fakes = fakeToursDeps(now);
      const { deps, mailer, tours } = fakes;
      fakes.outlets.push(aPressOutlet('de', ['DE']));
      mailer.ses.script = (mail) => mail.entries.map(() => ({ status }));
      await bookTour({ ...tourOf([announced]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
      await runDueSteps(fakes, now).catch(() => undefined);
      mailer.ses.script = undefined;

      await applyShowChange(
        'tour-1',
        { type: 'set', show: doorsAt('20:00') },
        metaAt('2027-02-03T00:00:00Z'),
        deps,
      );
      for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);
      const hamburg = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });
      await applyShowChange('tour-1', { type: 'set', show: hamburg }, metaAt('2027-02-04T00:00:00Z'), deps);
      await runDueSteps(fakes, now);

      const press = mailer.sent.filter((m) => m.to.email === 'de@press.example');
      expect(
        press.map((m) => [
          m.kind,
          readCalendar(String(m.attachments?.[0].content)).map((e) => [e.localStart, e.status]),
        ]),
      ).toEqual([
        [
          'press-announcement',
          [
            ['2027-05-14T20:00:00', 'CONFIRMED'],
            ['2027-05-16T19:00:00', 'CONFIRMED'],
          ],
        ],
      ]);
    },
  );

  it('tells those never told of its cancellation what changed when the show is set on again with other facts', async () => {
    const { deps, mailer, tours } = await toldDePress();
    const later = { ...announced, times: { ...announced.times, doors: '20:00' } };

    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-02-03T00:00:00Z'),
      deps,
    );
    await applyShowChange('tour-1', { type: 'set', show: later }, metaAt('2027-02-03T00:01:00Z'), deps);
    for (const step of stepsWritten(tours)) await takeStep(step, { correlationId: 'c' }, deps);

    const press = mailer.sent.filter((m) => m.to.email === 'de@press.example');
    expect(press.map((m) => [m.kind, calendarOf(m).status, calendarOf(m).localStart])).toEqual([
      ['press-announcement', 'CONFIRMED', '2027-05-14T19:00:00'],
      ['press-change', 'CONFIRMED', '2027-05-14T20:00:00'],
    ]);
  });

  it('tells those told of a show each change once, even one back to what they were told before', async () => {
    const { now, fakes, deps, mailer } = await toldDePress();
    const later = { ...announced, times: { ...announced.times, doors: '20:00' } };
    const earlier = { ...announced, times: { ...announced.times, doors: '18:00' } };

    for (const [show, at] of [
      [later, '2027-02-03T00:00:00Z'],
      [earlier, '2027-02-04T00:00:00Z'],
      [later, '2027-02-05T00:00:00Z'],
    ] as const) {
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(at), deps);
      await runDueSteps(fakes, now);
    }

    const press = mailer.sent.filter((m) => m.to.email === 'de@press.example');
    expect(press.map((m) => [m.kind, calendarOf(m).localStart])).toEqual([
      ['press-announcement', '2027-05-14T19:00:00'],
      ['press-change', '2027-05-14T20:00:00'],
      ['press-change', '2027-05-14T18:00:00'],
      ['press-change', '2027-05-14T20:00:00'],
    ]);
  });
});

describe('a moved show in the press', () => {
  it('tells the outlets told of a show its new date and times once per change, with the calendar that replaces theirs', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, outlets } = fakes;
    outlets.push(aPressOutlet('de', ['DE'], { name: 'de' }));
    await bookTour({ ...tourOf([announced]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    const runDue = () => runDueSteps(fakes, now);
    await runDue();
    const change = async (show: Show, at: string) => {
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(at), deps);
      return runDue();
    };

    const retimed = { ...announced, times: { ...announced.times, doors: '20:00' } };
    const dueFirst = await change(retimed, '2027-02-03T00:00:00Z');
    await change(
      { ...retimed, promoter: { ...retimed.promoter, phone: '+49 30 1234' } },
      '2027-02-04T00:00:00Z',
    );
    await change({ ...retimed, date: '2027-05-15' }, '2027-02-05T00:00:00Z');
    // A redelivery of the first change's step finds the show changed since: nothing.
    await takeStep(dueFirst[0], { correlationId: 'c' }, deps);

    const press = mailer.sent.filter((m) => m.to.email === 'de@press.example');
    expect(press.map((m) => m.kind)).toEqual(['press-announcement', 'press-change', 'press-change']);
    expect(readCalendar(String(press[1].attachments?.[0].content)).map((e) => e.localStart)).toEqual([
      '2027-05-14T20:00:00',
    ]);
    expect(readCalendar(String(press[2].attachments?.[0].content)).map((e) => e.localStart)).toEqual([
      '2027-05-15T20:00:00',
    ]);
    expect(new Set(press.map((m) => readCalendar(String(m.attachments?.[0].content))[0].uid)).size).toBe(1);
    const sequences = press.map((m) => readCalendar(String(m.attachments?.[0].content))[0].sequence);
    // The announcement states the show as booked, at that change's SEQUENCE.
    expect(sequences[0]).toBe(calendarSequence('2027-02-02T00:00:00Z'));
    expect(sequences[1]).toBeGreaterThan(sequences[0]);
    expect(sequences[2]).toBeGreaterThan(sequences[1]);
  });
});

describe('a show moved to another country', () => {
  it('tells the outlets of the country it left that it moved, once, and announces it to the new country as a new show', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, outlets } = fakes;
    outlets.push(aPressOutlet('de', ['DE']), aPressOutlet('fr', ['FR']));
    const runDue = () => runDueSteps(fakes, now);
    await bookTour({ ...tourOf([berlin]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    await runDue();

    await applyShowChange('tour-1', { type: 'set', show: paris }, metaAt('2027-02-03T00:00:00Z'), deps);
    const due = await runDue();
    // Each step delivered again: nobody hears twice.
    for (const step of due) await takeStep(step, { correlationId: 'c' }, deps);

    const to = (id: string) => mailer.sent.filter((m) => m.to.email === `${id}@press.example`);
    expect(to('de').map((m) => m.kind)).toEqual(['press-announcement', 'press-moved']);
    expect(JSON.stringify(to('de')[1].data.text)).toContain('moved to Paris, France');
    expect(readCalendar(String(to('de')[1].attachments?.[0].content))[0].localStart).toBe(
      '2027-05-14T19:00:00',
    );
    expect(to('fr').map((m) => [m.kind, listKept(m.context.listed)])).toEqual([
      ['press-announcement', ['show-1']],
    ]);
    expect((to('fr')[0].data.text as { subject: string }).subject).toContain('live in France');
  });
  it("gives an outlet of both countries the new country's announcement at the SEQUENCE of the details it states, above the moved mail's", async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer, outlets, tours } = fakes;
    outlets.push(aPressOutlet('both', ['DE', 'FR']));
    await bookTour({ ...tourOf([berlin]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    await runDueSteps(fakes, now);
    const takeWritten = async () => {
      for (const entry of tours.outbox.splice(0).filter((e) => e.detailType === 'Show Step Due'))
        await takeStep(entry.detail.data as EventData<typeof ShowStepDue>, { correlationId: 'c' }, deps);
    };

    // Moved to Paris: the German press hears at once that it moved.
    await applyShowChange('tour-1', { type: 'set', show: paris }, metaAt('2027-02-03T00:00:00Z'), deps);
    await takeWritten();
    // Retimed within the gathering window, before the French announcement went.
    const retimed = { ...paris, times: { ...paris.times, doors: '20:00' } };
    await applyShowChange('tour-1', { type: 'set', show: retimed }, metaAt('2027-02-03T00:00:30Z'), deps);
    await takeWritten();
    await runDueSteps(fakes, now);

    const calendars = mailer.sent
      .filter((m) => m.to.email === 'both@press.example')
      .map((m) => [m.kind, readCalendar(String(m.attachments?.[0].content))[0]] as const);
    expect(calendars.map(([kind, event]) => [kind, event.localStart])).toEqual([
      ['press-announcement', '2027-05-14T19:00:00'],
      ['press-moved', '2027-05-14T19:00:00'],
      ['press-announcement', '2027-05-14T20:00:00'],
    ]);
    // The calendar keeps the copy of highest SEQUENCE: the latest details must carry the highest.
    expect(calendars[2][1].sequence).toBe(calendarSequence('2027-02-03T00:00:30Z'));
    expect(calendars[2][1].sequence).toBeGreaterThan(calendars[1][1].sequence);
    expect(calendars[0][1].sequence).toBe(calendarSequence('2027-02-02T00:00:00Z'));
  });
});

describe('a show that moved country and changed again before its press heard', () => {
  /** A tour whose Berlin show the German press was told of; then `changes` land before any step runs. */
  async function toldInGermanyThen(changes: [Show | 'cancel', string][]) {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, tours, outlets } = fakes;
    outlets.push(aPressOutlet('de', ['DE']), aPressOutlet('fr', ['FR']));
    await bookTour({ ...tourOf([berlin]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    await runDueSteps(fakes, now);
    for (const [change, at] of changes)
      await applyShowChange(
        'tour-1',
        change === 'cancel' ? { type: 'cancel', showId: 'show-1' } : { type: 'set', show: change },
        metaAt(at),
        deps,
      );
    const due = tours.outbox
      .splice(0)
      .filter((e) => e.detailType === 'Show Step Due')
      .map((e) => e.detail.data as EventData<typeof ShowStepDue>);
    return { ...fakes, now, due };
  }
  const kindsTo = (sent: { to: { email: string }; kind: string }[], id: string) =>
    sent.filter((m) => m.to.email === `${id}@press.example`).map((m) => m.kind);

  it('tells the country it left that it moved once, whichever of the two steps runs first and however often', async () => {
    const retimed = { ...paris, times: { ...paris.times, doors: '20:00' } };
    const { deps, mailer, due } = await toldInGermanyThen([
      [paris, '2027-02-03T00:00:00Z'],
      [retimed, '2027-02-04T00:00:00Z'],
    ]);

    // EventBridge keeps no order: the later change's step first, then the earlier one, each twice.
    for (const step of [...due].reverse()) await takeStep(step, { correlationId: 'c' }, deps);
    for (const step of due) await takeStep(step, { correlationId: 'c' }, deps);

    expect(due.map((d) => d.step)).toEqual(['press-change', 'press-change']);
    expect(kindsTo(mailer.sent, 'de')).toEqual(['press-announcement', 'press-moved']);
    const moved = mailer.sent.find((m) => m.kind === 'press-moved');
    expect(JSON.stringify(moved?.data.text)).toContain('moved to Paris, France');
    expect(readCalendar(String(moved?.attachments?.[0].content))[0].localStart).toBe('2027-05-14T20:00:00');
  });

  it('tells the country it left that it moved when the change since sends no press step of its own', async () => {
    const newPhone = { ...paris, promoter: { ...paris.promoter, phone: '+33 1 2345' } };
    const { deps, mailer, due, tours } = await toldInGermanyThen([
      [paris, '2027-02-03T00:00:00Z'],
      [newPhone, '2027-02-04T00:00:00Z'],
    ]);

    for (const step of due) await takeStep(step, { correlationId: 'c' }, deps);

    expect(due.map((d) => d.step)).toEqual(['press-change']);
    expect(kindsTo(mailer.sent, 'de')).toEqual(['press-announcement', 'press-moved']);
    expect(kindsTo(mailer.sent, 'fr')).toEqual([]);
    expect((await tours.getShow(ref()))?.pressCountries).toEqual({});
  });

  it('tells the country it left of a cancellation that came before its press heard of the move', async () => {
    const { deps, mailer, due } = await toldInGermanyThen([
      [paris, '2027-02-03T00:00:00Z'],
      ['cancel', '2027-02-04T00:00:00Z'],
    ]);

    for (const step of due) await takeStep(step, { correlationId: 'c' }, deps);

    expect(due.map((d) => d.step)).toEqual(['press-change', 'press-cancellation']);
    expect(kindsTo(mailer.sent, 'de')).toEqual(['press-announcement', 'press-cancellation']);
  });
});

describe('an unreachable promoter', () => {
  const undeliverable = (overrides: Partial<EventData<typeof MailUndeliverable>> = {}) => ({
    ...MailUndeliverable.sample,
    labelId: 'lbl-1',
    address: 'booking@nacht.example',
    subject: ['show', 'tour-1', 'show-1'],
    kind: 'advance-request',
    context: { tourId: 'tour-1', showId: 'show-1' },
    ...overrides,
  });

  it('tells the tour manager of each show still ahead once when a mail to the promoter is undeliverable, and mails the promoter nothing more', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer, suppressed, tours } = fakeToursDeps(now);
    const past = aShow({ showId: 'show-0', date: '2026-12-01' });
    await bookTour(
      tourOf([aShow(), aShow({ showId: 'show-2', date: '2027-05-20' }), past]),
      metaAt('2027-01-01T00:00:00Z'),
      deps,
    );
    suppressed.add('booking@nacht.example');

    await alertPromoterUnreachable(undeliverable(), deps);
    await alertPromoterUnreachable(undeliverable(), deps);
    now.value = new Date(stepMoment(aShow(), 'advance-request').scheduledFor);
    await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: now.value.toISOString() },
      { correlationId: 'c' },
      deps,
    );

    expect(mailer.sent.map((m) => [m.to.email, m.kind, m.context.showId])).toEqual([
      ['sam@tm.example', 'promoter-unreachable', 'show-1'],
      ['sam@tm.example', 'promoter-unreachable', 'show-2'],
    ]);
    expect(mailer.sent[0].template).toBe(templateNames.notice);
    expect(mailer.sent[0].data.text).toMatchObject({
      lines: [expect.stringContaining('the address bounced')],
    });
    expect((await tours.getShow(ref()))?.stepsDone?.['advance-request']).toBeDefined();
  });

  it("tells nobody when the undeliverable mail went to the tour manager or was not a show's", async () => {
    const { deps, mailer } = fakeToursDeps({ value: new Date('2027-01-01T00:00:00Z') });
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);

    await alertPromoterUnreachable(undeliverable({ address: 'sam@tm.example', kind: 'day-sheet' }), deps);
    await alertPromoterUnreachable(
      undeliverable({ subject: ['budget', 'b-1'], context: { budgetId: 'b-1' } }),
      deps,
    );

    expect(mailer.sent).toEqual([]);
  });

  it('alerts the tour manager instead when a step finds its promoter suppressed (a bounce on press mail)', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer, suppressed } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    suppressed.add('booking@nacht.example');
    now.value = new Date(stepMoment(aShow(), 'advance-request').scheduledFor);

    await takeStep(
      { ...ref(), step: 'advance-request', scheduledFor: now.value.toISOString() },
      { correlationId: 'c' },
      deps,
    );

    expect(mailer.sent.map((m) => [m.to.email, m.kind])).toEqual([
      ['sam@tm.example', 'promoter-unreachable'],
    ]);
  });
});

describe('a guest list closed at its cutoff, then the show changed (docs/design.md#tours)', () => {
  // 14 May in Berlin: the list closed at 17:00 (15:00 UTC).
  const cutoff = stepMoment(aShow(), 'guest-list-cutoff');
  const after = '2027-05-14T16:00:00.000Z';

  it('reopens only for a postponement whose new cutoff is still ahead', () => {
    expect([
      guestListReopens(aShow(), aShow({ date: '2027-05-21' }), after),
      guestListReopens(aShow(), aShow({ date: '2027-05-13' }), after),
      guestListReopens(aShow(), aShow({ guestListCutoff: '20:00' }), after),
      guestListReopens(
        aShow(),
        aShow({ venue: { ...aShow().venue, timeZone: 'America/Los_Angeles' } }),
        after,
      ),
      guestListReopens(aShow(), aShow({ date: '2027-05-15' }), '2027-05-15T15:00:00.000Z'),
    ]).toEqual([true, false, false, false, false]);
  });

  async function closedAtCutoff() {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const world = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), world.deps);
    await world.tours.addGuests(ref(), [{ name: 'Alex Doe', plusOnes: 1, addedAt: '2027-05-01T00:00:00Z' }]);
    now.value = new Date(cutoff.scheduledFor);
    await takeStep(
      { ...ref(), step: 'guest-list-cutoff', scheduledFor: cutoff.scheduledFor },
      { correlationId: 'c' },
      world.deps,
    );
    now.value = new Date(after);
    const fire = (scheduledFor: string) => {
      now.value = new Date(Math.max(now.value.getTime(), Date.parse(scheduledFor)));
      return takeStep(
        { ...ref(), step: 'guest-list-cutoff', scheduledFor },
        { correlationId: 'c' },
        world.deps,
      );
    };
    return { ...world, now, fire };
  }

  it('takes guests again for a postponed show, and mails the list with them to the promoter at the new cutoff, once', async () => {
    const { deps, tours, mailer, schedules, fire } = await closedAtCutoff();
    const postponed = aShow({ date: '2027-05-21' });
    const newCutoff = stepMoment(postponed, 'guest-list-cutoff');

    await applyShowChange('tour-1', { type: 'set', show: postponed }, metaAt(after), deps);
    const added = await tours.addGuests(ref(), [{ name: 'Sam Roe', plusOnes: 0, addedAt: after }]);
    const outcomes = [
      await fire(cutoff.scheduledFor),
      await fire(newCutoff.scheduledFor),
      await fire(newCutoff.scheduledFor),
    ];
    const late = await tours.addGuests(ref(), [
      { name: 'Late', plusOnes: 0, addedAt: '2027-05-21T16:00:00Z' },
    ]);

    expect(added).toBe('added');
    expect(
      schedules.forShow('show-1').find((s) => s.moment.step === 'guest-list-cutoff')?.moment.scheduledFor,
    ).toBe(newCutoff.scheduledFor);
    expect(outcomes.map((o) => o.outcome)).toEqual(['ignored', 'taken', 'ignored']);
    const lists = mailer.sent.filter((m) => m.kind === 'guest-list-cutoff');
    expect(lists).toHaveLength(2);
    expect(JSON.stringify(lists[1].data)).toContain('Sam Roe');
    expect(JSON.stringify(lists[1].data)).toContain('Alex Doe');
    expect(late).toBe('locked');
    expect((await tours.getShow(ref()))?.guestListLockedFor).toBe(newCutoff.scheduledFor);
  });

  it('keeps the list closed, and mails nothing again, for a show moved earlier or changed on the same day', async () => {
    for (const changed of [aShow({ guestListCutoff: '20:00' }), aShow({ date: '2027-05-13' })]) {
      const { deps, tours, mailer, schedules, now, fire } = await closedAtCutoff();

      await applyShowChange('tour-1', { type: 'set', show: changed }, metaAt(after), deps);
      await runDueSteps({ deps, tours, schedules }, now);
      const outcome = await fire(stepMoment(changed, 'guest-list-cutoff').scheduledFor);

      expect(await tours.addGuests(ref(), [{ name: 'Late', plusOnes: 0, addedAt: after }])).toBe('locked');
      expect(outcome.outcome).toBe('ignored');
      expect(mailer.sent.filter((m) => m.kind === 'guest-list-cutoff')).toHaveLength(1);
    }
  });

  it('mails the list again, with the guests added meanwhile, to a show postponed and then moved back to a day whose cutoff has passed', async () => {
    const { deps, tours, mailer, schedules, now, fire } = await closedAtCutoff();
    await applyShowChange(
      'tour-1',
      { type: 'set', show: aShow({ date: '2027-05-21' }) },
      metaAt(after),
      deps,
    );
    await tours.addGuests(ref(), [{ name: 'Sam Roe', plusOnes: 0, addedAt: after }]);
    // Half an hour later the label takes the postponement back: the show is tonight after all.
    const back = '2027-05-14T16:30:00.000Z';
    now.value = new Date(back);

    await applyShowChange('tour-1', { type: 'set', show: aShow() }, metaAt(back), deps);
    await runDueSteps({ deps, tours, schedules }, now);
    for (const due of schedules.firing(now.value).filter((d) => d.step === 'guest-list-cutoff'))
      await fire(due.scheduledFor);

    const lists = mailer.sent.filter((m) => m.kind === 'guest-list-cutoff');
    expect(lists).toHaveLength(2);
    expect(JSON.stringify(lists[1].data)).toContain('Sam Roe');
    expect(await tours.addGuests(ref(), [{ name: 'Late', plusOnes: 0, addedAt: back }])).toBe('locked');
  });

  it('does not lock a postponed list again for a cutoff of the old date landing after the move', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    // The old cutoff's firing read the show before the postponement was written, and locks after it.
    const getShow = tours.getShow.bind(tours);
    let moved = false;
    tours.getShow = async (r) => {
      const read = await getShow(r);
      if (!moved) {
        moved = true;
        await applyShowChange(
          'tour-1',
          { type: 'set', show: aShow({ date: '2027-05-21' }) },
          metaAt(after),
          deps,
        );
      }
      return read;
    };
    now.value = new Date(cutoff.scheduledFor);

    const outcome = await takeStep(
      { ...ref(), step: 'guest-list-cutoff', scheduledFor: cutoff.scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    expect(outcome.outcome).toBe('ignored');
    expect((await tours.getShow(ref()))?.guestListLockedAt).toBeUndefined();
    expect(await tours.addGuests(ref(), [{ name: 'Sam Roe', plusOnes: 0, addedAt: after }])).toBe('added');
    expect(mailer.sent.filter((m) => m.kind === 'guest-list-cutoff')).toEqual([]);
  });
});
