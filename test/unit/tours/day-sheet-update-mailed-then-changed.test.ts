import { describe, expect, it } from 'vitest';
import { promoterIdOf } from '#shared/db/tours.ts';
import { stepMoment } from '#shared/tours.ts';
import {
  advanceAnswers,
  aShow,
  bookedWithMailModule,
  changeAt,
  mailedThenStopped,
  ref,
  settledWithPromoter,
  takeShowStep,
} from '#test/support/tours.ts';

// docs/design.md#tours: a day sheet update whose mail reached SES is recorded with Day Sheet Sent by its
// retry whatever came after (the show cancelled, settled, or changed again: each later change sends its
// own update); an update for an outdated change that never reached SES sends nothing.
const show = aShow({ date: '2027-05-14' });
const tourManager = 'sam@tm.example';
const sheetAt = stepMoment(show, 'day-sheet').scheduledFor;
const minutesAfterSheet = (minutes: number) => new Date(Date.parse(sheetAt) + minutes * 60_000).toISOString();
const cancelled = { type: 'cancel', showId: 'show-1' } as const;

/** show-1's day sheet sent and recorded at its moment, the outbox then cleared. */
async function sheetWent() {
  const w = await bookedWithMailModule('2027-04-01T00:00:00Z', [show]);
  w.now.value = new Date(sheetAt);
  await takeShowStep(w, 'day-sheet', sheetAt);
  w.tours.outbox.splice(0);
  return w;
}

type World = Awaited<ReturnType<typeof sheetWent>>;

/** The label moves the doors to 20:00 ten minutes after the sheet went: the time its update is due for. */
async function doorsMoved(w: World) {
  const change = minutesAfterSheet(10);
  await changeAt(w, change, { type: 'set', show: { ...show, times: { ...show.times, doors: '20:00' } } });
  w.tours.outbox.splice(0);
  return change;
}

/** The promoter gives (or amends) the advance at `at`: the time its update is due for. */
async function advanceGiven(w: World, at: string) {
  w.now.value = new Date(at);
  await w.tours.saveAdvance(
    { ...ref(), promoterId: promoterIdOf(show.promoter.email) },
    advanceAnswers,
    at,
    () => [],
  );
  return at;
}

const sheetsSent = (w: World) => w.tours.outbox.filter((e) => e.detailType === 'Day Sheet Sent');
const updateRecorded = async (w: World) => (await w.tours.getShow(ref()))?.stepsDone?.['day-sheet-update'];

describe('a day sheet update that mailed and stopped before its record, the show cancelled before its retry', () => {
  for (const answerLost of [false, true])
    it(`records the update with Day Sheet Sent, the show then settled (${answerLost ? 'SES’s answer lost' : 'marked sent'})`, async () => {
      const w = await sheetWent();
      const change = await doorsMoved(w);
      await mailedThenStopped(w, 'day-sheet-update', change, answerLost);
      await changeAt(w, minutesAfterSheet(11), cancelled);
      w.tours.outbox.splice(0);

      const outcome = await takeShowStep(w, 'day-sheet-update', change);
      const events = sheetsSent(w);
      await settledWithPromoter(w, minutesAfterSheet(12));

      expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
      expect(events).toHaveLength(1);
      expect(w.ses.receivedBy(tourManager, 'day-sheet-update')).toHaveLength(1);
      expect(await updateRecorded(w)).toBe(change);
    });
});

describe('a day sheet update for the promoter’s answers that mailed and stopped before its record, amended again before its retry', () => {
  it('records the update with Day Sheet Sent, and the amendment sends its own', async () => {
    const w = await sheetWent();
    const given = await advanceGiven(w, minutesAfterSheet(10));
    await mailedThenStopped(w, 'day-sheet-update', given);
    const amended = await advanceGiven(w, minutesAfterSheet(11));

    const outcome = await takeShowStep(w, 'day-sheet-update', given);
    const recorded = await updateRecorded(w);
    await takeShowStep(w, 'day-sheet-update', amended);

    expect(outcome).toEqual({ outcome: 'taken', mailed: 0 });
    expect(recorded).toBe(given);
    expect(sheetsSent(w)).toHaveLength(2);
    expect(w.ses.receivedBy(tourManager, 'day-sheet-update')).toHaveLength(2);
    expect(await updateRecorded(w)).toBe(amended);
  });
});

describe('a day sheet update whose mail never reached SES, for a change outdated since', () => {
  it('sends nothing and records nothing, the answers amended since', async () => {
    const w = await sheetWent();
    const given = await advanceGiven(w, minutesAfterSheet(10));
    await advanceGiven(w, minutesAfterSheet(11));

    const outcome = await takeShowStep(w, 'day-sheet-update', given);

    expect(outcome).toEqual({ outcome: 'ignored', reason: 'show changed since' });
    expect(w.ses.receivedBy(tourManager, 'day-sheet-update')).toHaveLength(0);
    expect(sheetsSent(w)).toHaveLength(0);
    expect(await updateRecorded(w)).toBeUndefined();
  });

  it('sends nothing and records nothing, the show cancelled since', async () => {
    const w = await sheetWent();
    const change = await doorsMoved(w);
    await changeAt(w, minutesAfterSheet(11), cancelled);
    w.tours.outbox.splice(0);

    const outcome = await takeShowStep(w, 'day-sheet-update', change);

    expect(outcome).toEqual({ outcome: 'ignored', reason: 'show is cancelled' });
    expect(w.ses.receivedBy(tourManager, 'day-sheet-update')).toHaveLength(0);
    expect(sheetsSent(w)).toHaveLength(0);
    expect(await updateRecorded(w)).toBeUndefined();
  });
});

describe('a day sheet update recorded after a later one (its retry came late)', () => {
  it('records it once beside the later one, which stays recorded: that firing redelivered states nothing again', async () => {
    const w = await sheetWent();
    const given = await advanceGiven(w, minutesAfterSheet(10));
    await mailedThenStopped(w, 'day-sheet-update', given);
    const amended = await advanceGiven(w, minutesAfterSheet(11));
    await takeShowStep(w, 'day-sheet-update', amended);

    const late = await takeShowStep(w, 'day-sheet-update', given);
    const recorded = await updateRecorded(w);
    const redelivered = await takeShowStep(w, 'day-sheet-update', amended);
    await takeShowStep(w, 'day-sheet-update', given);

    expect(sheetsSent(w)).toHaveLength(2);
    expect(late).toEqual({ outcome: 'taken', mailed: 0 });
    expect(recorded).toBe(amended);
    expect(redelivered).toEqual({ outcome: 'ignored', reason: 'step taken before' });
    expect(w.ses.receivedBy(tourManager, 'day-sheet-update')).toHaveLength(2);
  });

  it('states nothing again for an update recorded in its turn whose firing is redelivered after a later one', async () => {
    const w = await sheetWent();
    const given = await advanceGiven(w, minutesAfterSheet(10));
    await takeShowStep(w, 'day-sheet-update', given);
    const amended = await advanceGiven(w, minutesAfterSheet(11));
    await takeShowStep(w, 'day-sheet-update', amended);

    await takeShowStep(w, 'day-sheet-update', given);

    expect(sheetsSent(w)).toHaveLength(2);
    expect(w.ses.receivedBy(tourManager, 'day-sheet-update')).toHaveLength(2);
    expect(await updateRecorded(w)).toBe(amended);
  });
});
