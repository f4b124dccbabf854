import { describe, expect, it } from 'vitest';
import { openAdvancePage } from '#functions/recipients/tour-links.ts';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { signAdvanceToken } from '#shared/tokens.ts';
import { advanceLinkExpiry, stepMoment } from '#shared/tours.ts';
import {
  advanceAnswers,
  aShow,
  bookedWithMailModule,
  changeAt,
  metaAt,
  ref,
  runDueSteps,
  takeShowStep,
} from '#test/support/tours.ts';

// docs/design.md#tours: the advance (load-in, parking, power, the rider's answers) is about a venue. A
// show moved to another venue with the same promoter is advanced again: its promoter asked once more,
// the old venue's answers not shown as the new one's; a change that keeps the venue changes nothing of it.
const show = aShow({ date: '2027-05-14' });
const promoter = show.promoter.email;
const moment = (step: ShowStep, of: Show = show) => stepMoment(of, step).scheduledFor;
const tempodrom = { ...show.venue, name: 'Tempodrom', address: 'Möckernstraße 10' };
const key = 'k'.repeat(48);

/** show-1 (`booked`) booked on 1 April, its promoter asked at the request's moment and their answers in (power: Columbiahalle's). */
async function askedAndAnswered(booked = show) {
  const w = await bookedWithMailModule('2027-04-01T00:00:00Z', [booked]);
  w.now.value = new Date(moment('advance-request', booked));
  await takeShowStep(w, 'advance-request', moment('advance-request', booked));
  await w.tours.saveAdvance(
    { ...ref(), promoterId: promoterIdOf(promoter) },
    { ...advanceAnswers, power: 'COLUMBIAHALLE 125 A' },
    '2027-04-17T09:00:00.000Z',
    () => [],
  );
  return w;
}

type World = Awaited<ReturnType<typeof askedAndAnswered>>;

/** The label's change of show-1 at `at`, and the steps it makes due taken. */
async function changedAt(w: World, at: string, changed: Show) {
  await changeAt(w, at, { type: 'set', show: changed });
  await runDueSteps(w.fakes, w.now);
}

/** The promoter's advance form as their link opens it now. */
async function formNow(w: World, of: Show) {
  const token = signAdvanceToken(key, {
    ...ref(),
    promoterId: promoterIdOf(promoter),
    expiresAt: advanceLinkExpiry(of),
  });
  const deps = { signingKey: async () => key, tours: w.tours, now: () => w.now.value };
  return String((await openAdvancePage(token, deps)).body);
}

/** The promoter's advance mails of each step (advance-request, reminders, escalation), as SES got them. */
const asked = (w: World, kind: string) => w.ses.receivedBy(promoter, kind).length;

describe('a show moved to another venue with the same promoter', () => {
  it('asks the promoter again at once, and forgets the old venue’s answers on the form', async () => {
    const w = await askedAndAnswered();

    await changedAt(w, '2027-04-20T12:00:00Z', { ...show, venue: tempodrom });

    expect(asked(w, 'advance-request')).toBe(2);
    expect((await w.tours.getShow(ref()))?.advance).toBeUndefined();
    const form = await formNow(w, { ...show, venue: tempodrom });
    expect(form).toContain('Tempodrom');
    expect(form).not.toContain('COLUMBIAHALLE 125 A');
  });

  it('asks once when the change is delivered again, and reminds and escalates once as for a new show', async () => {
    const w = await askedAndAnswered();
    const moved = { ...show, venue: tempodrom };
    await changedAt(w, '2027-04-20T12:00:00Z', moved);

    await applyShowChange('tour-1', { type: 'set', show: moved }, metaAt('2027-04-20T12:00:00Z'), w.deps);
    await runDueSteps(w.fakes, w.now);
    for (const step of ['advance-reminder-1', 'advance-reminder-2', 'advance-escalation'] as const) {
      w.now.value = new Date(moment(step, moved));
      for (const due of w.schedules.firing(w.now.value).filter((d) => d.step === step)) {
        await takeShowStep(w, due.step, due.scheduledFor);
        await takeShowStep(w, due.step, due.scheduledFor);
      }
    }

    expect(asked(w, 'advance-request')).toBe(2);
    // The first reminder's moment (23 April) is ahead of the move: it goes, once.
    expect(asked(w, 'advance-reminder-1')).toBe(1);
    expect(asked(w, 'advance-reminder-2')).toBe(1);
    expect(w.ses.receivedBy('sam@tm.example', 'advance-escalation')).toHaveLength(1);
  });

  it('forgets the old venue’s answers but asks nobody when moved on show day, the form locked', async () => {
    const w = await askedAndAnswered();

    await changedAt(w, '2027-05-14T08:00:00Z', { ...show, venue: tempodrom });

    expect(asked(w, 'advance-request')).toBe(1);
    expect((await w.tours.getShow(ref()))?.advance).toBeUndefined();
  });
});

describe('a change that keeps the venue', () => {
  it.each([
    ['new times', { ...show, times: { ...show.times, doors: '18:30' } }],
    [
      'the venue as the label spells it otherwise, its address corrected',
      {
        ...show,
        venue: { ...show.venue, name: ' columbiahalle', city: 'BERLIN', address: 'Columbiadamm 13-21' },
      },
    ],
  ])('keeps the answers and asks nobody again (%s)', async (_what, changed) => {
    const w = await askedAndAnswered();

    await changedAt(w, '2027-04-20T12:00:00Z', changed);

    expect(asked(w, 'advance-request')).toBe(1);
    expect((await w.tours.getShow(ref()))?.advance?.answers.power).toBe('COLUMBIAHALLE 125 A');
    expect(await formNow(w, changed)).toContain('COLUMBIAHALLE 125 A');
  });

  it('keeps the answers and asks nobody again when the label writes the name’s accents decomposed (e and U+0301 for é)', async () => {
    const composed = { ...show, venue: { ...show.venue, name: 'Café Zénith', city: 'Köln' } };
    const w = await askedAndAnswered(composed);
    const decomposed = {
      ...composed,
      venue: { ...composed.venue, name: 'Café Zénith'.normalize('NFD'), city: 'Köln'.normalize('NFD') },
    };

    await changedAt(w, '2027-04-20T12:00:00Z', decomposed);

    expect(asked(w, 'advance-request')).toBe(1);
    expect((await w.tours.getShow(ref()))?.advance?.answers.power).toBe('COLUMBIAHALLE 125 A');
  });
});
