import { describe, expect, it } from 'vitest';
import { advanceLockAt } from '#shared/tours.ts';
import {
  aShow,
  bookedWithMailModule,
  changeAt,
  runDueSteps,
  showMailClaim,
  sweepAt,
} from '#test/support/tours.ts';

// docs/design.md#tours: a stale claim of a show's own mail held open while the show is on hold is looked at
// again only when the show changes (the change wakes it) or when its mail lapses (stepLapsesAt), whichever
// comes first: a hold of weeks costs the minute's sweep no read of the tour or the show in between.

const minute = 60_000;

async function heldAdvanceRequest() {
  const w = await bookedWithMailModule('2027-04-16T08:00:00Z');
  // The request's mail was claimed, then the invocation died before SES; the show is then held.
  await w.mail.deliveries.claim(
    showMailClaim('advance-request', 'booking@nacht.example'),
    w.now.value.toISOString(),
  );
  await changeAt(w, '2027-04-16T08:05:00Z', { type: 'set', show: aShow({ status: 'hold' }) });
  await sweepAt(w, '2027-04-16T09:00:00Z');
  // The sweep's reads of the tour and its shows from here on.
  const reads = { count: 0 };
  for (const method of ['getTour', 'getShow', 'tourWithShows'] as const) {
    const read = w.tours[method].bind(w.tours) as (...args: unknown[]) => Promise<unknown>;
    (w.tours as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      reads.count++;
      return read(...args);
    };
  }
  /** The sweep every minute from `from` for `minutes`, its reads counted. */
  const sweepEveryMinute = async (from: string, minutes: number) => {
    const before = reads.count;
    for (let i = 0; i < minutes; i++) await sweepAt(w, new Date(Date.parse(from) + i * minute).toISOString());
    return reads.count - before;
  };
  const requests = () => w.ses.delivered.filter((m) => m.kind === 'advance-request');
  return { ...w, sweepEveryMinute, requests };
}

describe('a stale advance request held while its show is on hold for days', () => {
  it('costs the sweep no read while the show stays on hold, and goes within a minute of the show being confirmed again', async () => {
    const w = await heldAdvanceRequest();

    const whileHeld = await w.sweepEveryMinute('2027-04-16T09:01:00Z', 120);
    const daysLater = await w.sweepEveryMinute('2027-04-20T12:00:00Z', 30);
    await changeAt(w, '2027-04-21T09:00:00Z', { type: 'set', show: aShow() });
    await runDueSteps(w.fakes, w.now);
    await w.sweepEveryMinute('2027-04-21T09:01:00Z', 5);

    expect(whileHeld).toBe(0);
    expect(daysLater).toBe(0);
    expect(w.requests()).toHaveLength(1);
  });

  it('is closed once too late (the form locked), the show still on hold, and no read before', async () => {
    const w = await heldAdvanceRequest();
    const locked = Date.parse(advanceLockAt(aShow()));

    const beforeLock = await w.sweepEveryMinute(new Date(locked - 30 * minute).toISOString(), 30);
    const atLock = await sweepAt(w, new Date(locked + minute).toISOString());

    expect(beforeLock).toBe(0);
    expect(atLock).toEqual({ resent: 0, closed: 1 });
    expect(w.requests()).toEqual([]);
  });

  it('is looked at again when the show is moved while on hold, and held again until the new date locks its form', async () => {
    const w = await heldAdvanceRequest();

    await changeAt(w, '2027-04-20T09:00:00Z', {
      type: 'set',
      show: aShow({ status: 'hold', date: '2027-06-11' }),
    });
    const afterMove = await w.sweepEveryMinute('2027-04-20T09:01:00Z', 3);
    const oldLock = Date.parse(advanceLockAt(aShow()));
    const pastOldLock = await sweepAt(w, new Date(oldLock + minute).toISOString());
    await changeAt(w, '2027-05-20T09:00:00Z', { type: 'set', show: aShow({ date: '2027-06-11' }) });
    await runDueSteps(w.fakes, w.now);
    await w.sweepEveryMinute('2027-05-20T09:01:00Z', 3);

    // Read once after the move (tour and show), then held again: nothing to read until the next change.
    expect(afterMove).toBe(2);
    expect(pastOldLock).toEqual({ resent: 0, closed: 0 });
    expect(w.requests()).toHaveLength(1);
  });

  it('is sent once when the show is confirmed again while the sweep is holding it (after its read of the show, before its note)', async () => {
    const w = await bookedWithMailModule('2027-04-16T08:00:00Z');
    await w.mail.deliveries.claim(
      showMailClaim('advance-request', 'booking@nacht.example'),
      w.now.value.toISOString(),
    );
    await changeAt(w, '2027-04-16T08:05:00Z', { type: 'set', show: aShow({ status: 'hold' }) });
    const note = w.tours.noteHeldMail.bind(w.tours);
    w.tours.noteHeldMail = async (...args) => {
      // The label's confirmation lands between the sweep's read of the show and its note.
      await changeAt(w, '2027-04-16T09:00:00Z', { type: 'set', show: aShow() });
      w.tours.noteHeldMail = note;
      return note(...args);
    };

    await sweepAt(w, '2027-04-16T09:00:00Z');
    await runDueSteps(w.fakes, w.now);
    await sweepAt(w, '2027-04-16T09:01:00Z');
    await sweepAt(w, '2027-04-16T09:02:00Z');

    expect(w.ses.delivered.filter((m) => m.kind === 'advance-request')).toHaveLength(1);
  });
});
