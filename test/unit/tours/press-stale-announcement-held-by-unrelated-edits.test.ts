import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  kindsToldDe,
  metaAt,
  stepsWritten,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a stale announcement is written again and sent; only one the sweep held while its
 * show was cancelled or on hold waits, once its shows are on again, `staleClaimMs` after the latest change
 * of its shows (their `updatedAt`), the margin a late Email Sent gets. The resend holds any stale
 * announcement whose shows' `updatedAt` is later than its claim, held or not, and every applied change of
 * the show moves `updatedAt`, whatever it changed: a show never off, whose label sends it again every 20
 * minutes with a change the press is not told of (the promoter's phone, the deal), keeps its stale
 * announcement held for as long as the edits go on.
 */
describe('a stale press announcement of a show never cancelled nor on hold, the show edited every 20 minutes (8b15188)', () => {
  it('is sent again once stale, not held by edits the press is not told of', async () => {
    // The German outlet's announcement of show-1 claimed, SES's answer lost (nothing sent).
    const { now, fakes, deps, mailer, tours } = await announcedWithAnswersLost([announced]);
    stepsWritten(tours);
    const claimed = now.value.getTime();

    // For three hours the label sends the show again every 20 minutes, the promoter's phone edited each
    // time (a change the press is not told of); the sweep runs every 5 minutes.
    for (let minute = 5; minute <= 180; minute += 5) {
      now.value = new Date(claimed + minute * 60_000);
      if (minute % 20 === 0) {
        const promoter = { ...announced.promoter, phone: `+49 30 ${1000 + minute}` };
        await applyShowChange(
          'tour-1',
          { type: 'set', show: { ...announced, promoter } },
          metaAt(now.value.toISOString()),
          deps,
        );
        await takeStepsWritten(fakes);
      }
      await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    }

    // Stale after about 30 minutes, it is sent again then: three hours on, the outlet has it.
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
  });
});
