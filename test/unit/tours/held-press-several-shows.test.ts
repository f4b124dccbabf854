import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { emailSent } from '#test/support/announcer-fakes.ts';
import {
  announcedShow as berlin,
  emailsSentSettled,
  announcedInHamburg as hamburg,
  kindsToldDe,
  metaAt,
  announcedInMunich as munich,
  pressAnnouncementSentAnswerLost,
  runDueSteps,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a press announcement the sweep held, whose late Email Sent
 * shows it went, asks for what stands now of each of its shows (Tour Press Settled): "an announcement
 * SES sent whose show was cancelled while its claim was held ... is followed by that news". The ask is
 * made for a held claim still open or closed since. One mail told the German outlet of Berlin, Hamburg and
 * Munich (SES sent it, its answer lost); a day later Berlin is cancelled (its step reads the stale claim
 * as telling nothing, and mails nothing), Hamburg and Munich go on hold; the sweep holds the mail. On 10
 * February Hamburg (doors 20:00) and Munich are announced again; the sweep's next look writes them as a
 * mail of their own (Berlin left out: not the same mail) and closes the held claim. The first mail's
 * Email Sent then comes: the claim is closed, and its record as having gone asks all the same, so the
 * outlet, told of Berlin by the mail that went, hears that it is cancelled. With one show (press-held-went-cancellation-untold)
 * the claim stays held and the ask tells it.
 */
describe('a press announcement of three shows, held while one is cancelled and two on hold, whose late Email Sent comes after the sweep looked at it again', () => {
  it('is followed by the cancellation of the show cancelled', async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost(
      [],
      [berlin, hamburg, munich],
    );
    expect(kindsToldDe(ses)).toEqual(['press-announcement']);

    // A day later (the claim stale): Berlin cancelled, Hamburg and Munich on hold; the sweep holds it.
    now.value = new Date('2027-02-03T00:00:00Z');
    const at = () => metaAt(now.value.toISOString());
    await applyShowChange('tour-1', { type: 'cancel', showId: 'show-1' }, at(), deps);
    await applyShowChange('tour-1', { type: 'set', show: { ...hamburg, status: 'hold' } }, at(), deps);
    await applyShowChange('tour-1', { type: 'set', show: { ...munich, status: 'hold' } }, at(), deps);
    await takeStepsWritten(fakes);
    now.value = new Date('2027-02-03T00:01:00Z');
    expect(await sweepStaleTourMail(deps, now.value.getTime() + 60_000)).toEqual({ resent: 0, closed: 0 });

    // 10 February: Hamburg announced again with doors at 20:00, Munich as it was; their steps run.
    now.value = new Date('2027-02-10T00:00:00Z');
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...hamburg, times: { ...hamburg.times, doors: '20:00' } } },
      at(),
      deps,
    );
    await applyShowChange('tour-1', { type: 'set', show: munich }, at(), deps);
    await runDueSteps(fakes, now);
    // The sweep looks on; then the first mail's Email Sent comes, late: it went. The sweep runs on.
    for (let look = 0; look < 48; look++) {
      now.value = new Date(now.value.getTime() + 31 * 60_000);
      await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
      if (look === 0) await emailsSentSettled({ mail, deps }, [emailSent(announcement)]);
    }

    const received = ses.receivedBy('de@press.example');
    // Told of Berlin by the mail that went, the outlet must hear that it is cancelled.
    expect(received.map((m) => m.kind)).toContain('press-cancellation');
  });
});
