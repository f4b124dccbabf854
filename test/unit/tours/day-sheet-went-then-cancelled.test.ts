import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import type { TourMail } from '#functions/tours/ports.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { stepMoment } from '#shared/tours.ts';
import { readCalendar } from '#test/support/calendar.ts';
import {
  announcedShow as announced,
  aPressOutlet,
  aShow,
  bookedWithMailModule,
  changeAt,
  fakeToursDeps,
  metaAt,
  ref,
  runDueSteps,
  sweepAt,
  takeShowStep,
  tourOf,
  updateClaimedNotSent,
} from '#test/support/tours.ts';

// docs/design.md#tours: the tour manager and crew hold the day's show as the day sheet's calendar has
// it; a show cancelled after its sheet went tells them so once (a day-sheet-update for the cancellation),
// with the calendar as the press's cancellation has it. Before the sheet went, they are told nothing.
const sheetAt = stepMoment(announced, 'day-sheet').scheduledFor;
const crew = ['sam@tm.example', 'jo@crew.example'];

async function world() {
  const now = { value: new Date('2027-02-02T00:00:00Z') };
  const fakes = fakeToursDeps(now);
  fakes.outlets.push(aPressOutlet('de', ['DE'], { name: 'de' }));
  await bookTour(
    { ...tourOf([announced]), genres: ['synthpop'] },
    metaAt('2027-02-02T00:00:00Z'),
    fakes.deps,
  );
  await runDueSteps(fakes, now);
  return { ...fakes, now };
}

type World = Awaited<ReturnType<typeof world>>;

const calendarOf = (mail: TourMail) => readCalendar(String(mail.attachments?.[0].content))[0];
const toCrew = (w: World) =>
  w.mailer.sent.filter((m) => crew.includes(m.to.email) && m.kind.startsWith('day-sheet'));

/** The label cancels the show at `at` (a reason given), delivered twice, and every step it puts is taken twice. */
async function cancelledAt(w: World, at: string) {
  w.now.value = new Date(at);
  const meta = metaAt(at);
  const cancel = { type: 'cancel', showId: 'show-1', reason: 'The venue is flooded.' } as const;
  await applyShowChange('tour-1', cancel, meta, w.deps);
  await applyShowChange('tour-1', cancel, meta, w.deps);
  const due = await runDueSteps(w, w.now);
  for (const step of due) await takeStep(step, { correlationId: 'c' }, w.deps);
}

describe('a show cancelled after its day sheet went', () => {
  it('tells the tour manager and crew once that it is cancelled, the reason, and the calendar as the press has it', async () => {
    const w = await world();
    w.now.value = new Date(sheetAt);
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: sheetAt }, { correlationId: 'c' }, w.deps);

    await cancelledAt(w, '2027-05-13T17:00:00.000Z');

    const mails = toCrew(w);
    expect(mails.map((m) => [m.to.email, m.kind])).toEqual([
      ['sam@tm.example', 'day-sheet'],
      ['jo@crew.example', 'day-sheet'],
      ['sam@tm.example', 'day-sheet-update'],
      ['jo@crew.example', 'day-sheet-update'],
    ]);
    const update = mails[2];
    expect((update.data.text as { subject: string }).subject).toMatch(/^Cancelled: /);
    expect(JSON.stringify(update.data.text)).toContain('The venue is flooded.');
    const press = w.mailer.sent.find((m) => m.kind === 'press-cancellation')!;
    const sheet = calendarOf(mails[0]);
    expect(calendarOf(update)).toEqual(calendarOf(press));
    expect([calendarOf(update).uid, calendarOf(update).status]).toEqual([sheet.uid, 'CANCELLED']);
    expect(calendarOf(update).sequence).toBeGreaterThan(sheet.sequence);
  });
});

describe('a show put on hold after its day sheet went, then cancelled', () => {
  it('tells the tour manager and crew once that it is cancelled: they hold the sheet all the same', async () => {
    const w = await world();
    w.now.value = new Date(sheetAt);
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: sheetAt }, { correlationId: 'c' }, w.deps);
    w.now.value = new Date('2027-05-13T16:30:00.000Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, status: 'hold' } },
      metaAt('2027-05-13T16:30:00.000Z'),
      w.deps,
    );
    await runDueSteps(w, w.now);

    await cancelledAt(w, '2027-05-13T17:00:00.000Z');

    const mails = toCrew(w);
    expect(mails.map((m) => [m.to.email, m.kind])).toEqual([
      ['sam@tm.example', 'day-sheet'],
      ['jo@crew.example', 'day-sheet'],
      ['sam@tm.example', 'day-sheet-update'],
      ['jo@crew.example', 'day-sheet-update'],
    ]);
    expect((mails[2].data.text as { subject: string }).subject).toMatch(/^Cancelled: /);
  });
});

describe('a show cancelled before its day sheet went', () => {
  it('tells the tour manager and crew nothing, and no sheet goes', async () => {
    const w = await world();

    await cancelledAt(w, '2027-05-12T12:00:00.000Z');
    w.now.value = new Date(sheetAt);
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: sheetAt }, { correlationId: 'c' }, w.deps);

    expect(w.mailer.sent.filter((m) => m.kind === 'press-cancellation')).toHaveLength(1);
    expect(toCrew(w)).toEqual([]);
  });
});

describe('a show cancelled after its day sheet went, then set on again as it was', () => {
  it('sends the tour manager and crew the updated sheet, its calendar confirmed again as the press’s', async () => {
    const w = await world();
    w.now.value = new Date(sheetAt);
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: sheetAt }, { correlationId: 'c' }, w.deps);
    await cancelledAt(w, '2027-05-13T17:00:00.000Z');

    w.now.value = new Date('2027-05-13T17:30:00.000Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: announced },
      metaAt('2027-05-13T17:30:00.000Z'),
      w.deps,
    );
    await runDueSteps(w, w.now);

    const mails = toCrew(w).filter((m) => m.to.email === 'sam@tm.example');
    expect(mails.map((m) => [m.kind, calendarOf(m).status])).toEqual([
      ['day-sheet', 'CONFIRMED'],
      ['day-sheet-update', 'CANCELLED'],
      ['day-sheet-update', 'CONFIRMED'],
    ]);
    const onAgain = w.mailer.sent.filter((m) => m.kind === 'press-reinstated').at(-1)!;
    expect(calendarOf(mails[2])).toEqual(calendarOf(onAgain));
  });
});

describe('the cancellation’s update claimed, its invocation dead before SES', () => {
  it('is sent by the stale-claim sweep while the show is cancelled, once, its step then finding it sent', async () => {
    const booked = aShow({ date: '2027-05-14' });
    const w = await bookedWithMailModule('2027-05-13T16:00:00Z', [booked]);
    await takeShowStep(w, 'day-sheet', stepMoment(booked, 'day-sheet').scheduledFor);
    const cancelledAt = '2027-05-13T17:00:00.000Z';
    await changeAt(w, cancelledAt, { type: 'cancel', showId: 'show-1' });
    await updateClaimedNotSent(w, cancelledAt);

    await sweepAt(w, '2027-05-13T18:00:00Z');
    await takeShowStep(w, 'day-sheet-update', cancelledAt);

    const updates = w.ses.calls.filter(
      (call) => call.kind === 'day-sheet-update' && call.entries.some((e) => e.email === 'sam@tm.example'),
    );
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0].entries[0].data)).toContain('is cancelled');
    expect((await w.tours.getShow(ref()))?.stepsDone?.['day-sheet-update']).toBe(cancelledAt);
  });
});
