import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
import { announcedWithAnswersLost, aPressOutlet, aShow, metaAt, runDueSteps } from '#test/support/tours.ts';

const show = (showId: string, date: string) =>
  aShow({ showId, date, status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

/**
 * Review (tours, 5b3ddcc): pressToldAsReached reads the delivery of every note naming a set, on every
 * announcement and change step of the country, and such a note keeps its set once its mail is found sent
 * for good. One SendBulkEmail whose answer was lost (50 addresses; a page, 500) is read again by every
 * later step of the tour in that country, though nothing it can answer changes any more: before 5b3ddcc
 * only a note whose show was taken off the address's set was read (none here).
 */
describe("a country's announcement whose SES answers were lost, every mail since resent and sent", () => {
  it("costs the country's next announcement step no read of those deliveries", async () => {
    const outlets = Array.from({ length: 20 }, (_, i) => aPressOutlet(`de${i}`, ['DE']));
    const { now, fakes } = await announcedWithAnswersLost([show('show-1', '2027-05-14')], outlets);
    // A day later the sweep sends every stale announcement again, and SES takes them all: sent, for good.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(fakes.deps, now.value.getTime() + 60_000);
    expect(fakes.mailer.ses.receivedBy('de0@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
    ]);
    const read: string[] = [];
    const reached = fakes.mailer.reached;
    fakes.mailer.reached = (mails) => {
      read.push(...mails.map(deliveryIdOf));
      return reached(mails);
    };

    await applyShowChange(
      'tour-1',
      { type: 'set', show: show('show-2', '2027-05-20') },
      metaAt(now.value.toISOString()),
      fakes.deps,
    );
    await runDueSteps(fakes, now);

    expect(fakes.mailer.sent.filter((m) => m.kind === 'press-update')).toHaveLength(20);
    // Each announcement the sweep sent is settled for good: nothing to read (20 here; 500 a page).
    expect(read).toHaveLength(0);
  });
});
