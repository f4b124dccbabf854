import { describe, expect, it } from 'vitest';
import {
  advanceClock,
  armFault,
  busEvents,
  busIdle,
  clearFaults,
  clockNow,
  deadLetters,
  faultsReport,
  uniqueId,
  waitFor,
} from '#test/support/cloud.ts';
import {
  aLabel,
  aPromoter,
  aTourShow,
  aVenue,
  mailsTo,
  plusDays,
  tourWebhook,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/**
 * SES with sending paused for the account (`ses.paused`: 400 SendingPausedException) for longer than a
 * show step's attempts last, on the local cloud: the promoter's advance request is sent once SES sends
 * again, not dead-lettered with the step (docs/design.md#send-rate).
 */

const hour = 3_600_000;
const later = async (ms: number) => new Date((await clockNow()).getTime() + ms).toISOString();
const isTheStep = (event: { detail: { data?: Record<string, unknown> } }, showId: string) =>
  event.detail.data?.showId === showId && event.detail.data?.step === 'advance-request';

describe('an advance request while SES has sending paused', () => {
  it('is sent once after SES sends again, an hour later, and the step is not dead-lettered', {
    timeout: 30 * 60_000,
  }, async () => {
    const label = await aLabel();
    const promoter = aPromoter('Paused');
    const today = (await clockNow()).toISOString().slice(0, 10);
    // Three days out: its advance request is overdue and goes at once.
    const show = aTourShow({
      date: plusDays(today, 3),
      venue: aVenue('Leeds', 'GB', 'Europe/London'),
      promoter,
    });
    await armFault('ses.paused', 'inf');

    await tourWebhook(label, 'tour.booked', {
      tourId: uniqueId('tour'),
      artist: { name: 'The Quiet Hours' },
      tourManager: { name: 'Tam', email: `${uniqueId('tm')}@tm.example` },
      shows: [show],
    });
    // The step's attempts end, however they end (before the fix each waited out its 290 s of mail
    // budget, in real time, three times over).
    await waitFor(
      async () => {
        const step = (await busEvents({ detailType: 'Show Step Due' })).find((e) =>
          isTheStep(e, show.showId),
        );
        const tours = step?.invocations.filter((i) => i.function === 'tours') ?? [];
        return (
          tours.length > 0 && tours.every((i) => i.status === 'succeeded' || i.status === 'dead-lettered')
        );
      },
      { timeoutMs: 20 * 60_000, what: "the advance request step's attempts to end" },
    );
    const whilePaused = await mailsTo(promoter.email, 'Advance for');
    const refused = (await faultsReport()).fired['ses.paused'] ?? 0;
    // An hour with SES still paused: the sweeps that fire find it paused.
    await advanceClock(await later(hour));
    await clearFaults();
    // SES sends again; an hour on, the sweeps have run.
    await advanceClock(await later(hour));
    await waitForMailTo(promoter.email, 'Advance for', 1, 60_000);
    await busIdle();

    expect(refused).toBeGreaterThan(0);
    expect(whilePaused).toEqual([]);
    expect(await mailsTo(promoter.email, 'Advance for')).toHaveLength(1);
    expect((await deadLetters()).filter((letter) => isTheStep(letter.event, show.showId))).toEqual([]);
  });
});
