import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { timeoutSeconds } from '#infra/function-settings.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { emailSent } from '#test/support/announcer-fakes.ts';
import {
  announcedShow as announced,
  emailsSentSettled,
  kindsToldDe,
  metaAt,
  pressAnnouncementSentAnswerLost,
  putOffAndHeldBySweep,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

const staleClaimMs = defaultMailSettings(timeoutSeconds.tours).staleClaimMs;

/**
 * e9e2e6f holds a stale announcement of a cancelled show at the sweep's time, and the steps read it "as
 * any claim: a change step counts it told while the sweep's last look is within the stale window"
 * (docs/design.md#tours). Once the window since the last look is over, until the next look (a minute),
 * the change step reads it stale, told nothing. The show set on again with new doors in that minute:
 * its step tells the outlet nothing; the sweep, a minute later, holds the same mail from that change,
 * and its late Email Sent within that margin settles it sent. The outlet, told doors at 19:00 by the
 * mail that went, never hears of 20:00; set on again a minute earlier (within the window), it would.
 */
describe('a press announcement held while its show is cancelled, the show set on again with new doors just before the next look (e9e2e6f)', () => {
  it('tells the outlet the new doors when its late Email Sent shows the announcement went', async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost();
    // A day later (the claim stale) the show is cancelled (its step tells the outlet nothing); the sweep
    // holds the announcement at its time.
    expect(await putOffAndHeldBySweep({ now, deps, fakes }, { type: 'cancel', showId: 'show-1' })).toEqual({
      resent: 0,
      closed: 0,
    });
    const look = now.value.getTime();

    // The stale window since that look just over (30 s), before the next look: on again, doors at 20:00.
    now.value = new Date(look + staleClaimMs + 30_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, times: { ...announced.times, doors: '20:00' } } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await takeStepsWritten(fakes);
    // The next look, 30 s later; then the first mail's Email Sent comes: it went (doors at 19:00).
    now.value = new Date(now.value.getTime() + 30_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    await emailsSentSettled({ mail, deps }, [emailSent(announcement)]);
    // The sweep runs on for a day.
    await sweepsOn({ now, deps }, 48);

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-change']);
  });
});
