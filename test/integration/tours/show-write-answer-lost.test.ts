import { afterEach, describe, expect, it } from 'vitest';
import {
  armFault,
  busIdle,
  clearFaults,
  clockNow,
  faultsReport,
  firedSince,
  uniqueId,
} from '#test/support/cloud.ts';
import {
  aLabel,
  aPromoter,
  aTourShow,
  aVenue,
  plusDays,
  showStepSchedule,
  tourWebhook,
} from '#test/support/tours-cloud.ts';

afterEach(clearFaults);

/**
 * docs/design.md#failures-and-retries: the booked show's write (a transaction with its outbox) is applied
 * and answered 500 (dynamodb.accept-then-fail); the SDK's retry, with the same request token, is
 * cancelled for a conflict (dynamodb.transaction-conflict), and the write goes again as a new
 * transaction, which the show its first attempt stored refuses. Read as a newer change, that refusal left
 * the show without a schedule: its promoter was never asked for the advance (the chaos scenario's lost
 * show, all four of its advance mails missing).
 */
describe('a booked show whose write landed and whose retry met a conflict', () => {
  it('puts its advance schedules in place', async () => {
    const label = await aLabel();
    const today = (await clockNow()).toISOString().slice(0, 10);
    const show = aTourShow({
      date: plusDays(today, 40),
      venue: aVenue('Berlin', 'DE', 'Europe/Berlin'),
      promoter: aPromoter('Lost'),
    });
    const tourId = uniqueId('tour');
    // Aimed at the show's own items (its key holds its id), so that no other write on the shared cloud takes them.
    const faults = [
      `dynamodb.accept-then-fail:TransactWriteItems.${show.showId}`,
      `dynamodb.transaction-conflict:TransactWriteItems.${show.showId}`,
    ];
    const before = await faultsReport();
    for (const fault of faults) await armFault(fault);

    await tourWebhook(label, 'tour.booked', {
      tourId,
      artist: { name: 'The Midnight Echoes' },
      tourManager: { name: 'Sam Reyes', email: `${uniqueId('tm')}@tm.example` },
      shows: [show],
    });
    await busIdle();

    const fired = await firedSince(before);
    expect(faults.map((fault) => fired[fault])).toEqual([1, 1]);
    const ref = { labelId: label.id, tourId, showId: show.showId };
    expect(await showStepSchedule(ref, 'advance-request')).toBeDefined();
    expect(await showStepSchedule(ref, 'advance-escalation')).toBeDefined();
  });
});
