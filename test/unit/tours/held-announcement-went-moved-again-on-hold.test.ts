import { describe, expect, it } from 'vitest';
import { emailSent } from '#test/support/announcer-fakes.ts';
import {
  answerLostThenInParis,
  aPressOutlet,
  changeAt,
  dePressSettledAgain,
  emailsSentSettled,
  heldThenInParis,
  kindsToldDe,
  lateEmailSentAt,
  heldInParis as paris,
  pressAnnouncementSentAnswerLost,
  putOnHold,
  runOnTo,
  sweepAt,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a held mail's follow-up "Moved", the country forgotten, "taken again after a later
 * change of the show (its Tour Press Settled delivered twice ...) writes the same mail and the outlet
 * hears 'Moved' once" (d7acfb3); of a show on hold at the follow-up it "tells nothing and notes the country
 * again ..., so the move's step tells the outlet 'Moved' once the show is announced again, not those that
 * step told before (their note is an earlier stay's 'moved')" (d6b25dd). Taken again with the show on hold,
 * the follow-up that already told "Moved" notes the country again too, and its own note (a "moved" with
 * no stay) is not one the move's step leaves out. The German outlet's announcement of show-1 (Berlin; SES
 * sent it, its answer lost), held while on hold; announced again on 10 February at the Olympia in Paris
 * (the move's step forgets Germany); the late Email Sent: "Moved"; on hold on 11 February; the Tour Press
 * Settled delivered again; announced again in Paris on 12 February: its steps, the due steps and a sweep
 * run, and the outlet hears "Moved" a second time. So too when it is a second German outlet's held
 * announcement, its late Email Sent on 11 February, whose follow-up notes Germany again.
 */
describe('a held announcement that went, its follow-up "Moved" taken again while the show is on hold in Paris', () => {
  // The move's step leaves out an address whose note is a "moved" of another stay, a follow-up's (no stay)
  // included: the outlet told "Moved" by the follow-up hears it once.
  it('tells the German outlet that the show moved once', async () => {
    const world = await answerLostThenInParis();
    const { now, ses, deps, fakes } = world;
    // The late Email Sent: it went; its follow-up tells the outlet that the show moved.
    await lateEmailSentAt(world, '2027-02-10T00:05:00Z');
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);

    // 11 February: on hold in Paris, its steps taken; the Tour Press Settled delivered again.
    await putOnHold({ now, deps, fakes }, paris, '2027-02-11T00:00:00.000Z');
    await dePressSettledAgain(world, '2027-02-11T00:05:00Z');
    // 12 February: announced again in Paris; its steps, a day of due steps and a sweep run.
    await changeAt({ now, deps }, '2027-02-12T00:00:00.000Z', { type: 'set', show: paris });
    await takeStepsWritten(fakes);
    await runOnTo({ now, fakes }, '2027-02-12T00:02:00Z');
    await sweepAt({ now, deps }, '2027-02-13T00:02:00Z');

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });

  // So too when another held announcement's follow-up notes Germany again.
  it("tells the German outlet that the show moved once when another outlet's follow-up notes Germany", async () => {
    const world = await pressAnnouncementSentAnswerLost([aPressOutlet('de2', ['DE'])]);
    const { now, mail, ses, deps, fakes } = world;
    const [other] = ses.receivedBy('de2@press.example');
    // Both announcements held by the sweep while on hold; announced again in Paris, the move's step counts
    // both held mails' addresses told nothing, and forgets Germany.
    await heldThenInParis({ now, deps, fakes });
    // The first outlet's Email Sent, late: it went; its follow-up tells that outlet that the show moved.
    await lateEmailSentAt(world, '2027-02-10T00:05:00Z');
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);

    // 11 February: on hold in Paris; the second outlet's Email Sent, late: its follow-up notes Germany.
    await putOnHold({ now, deps, fakes }, paris, '2027-02-11T00:00:00.000Z');
    now.value = new Date('2027-02-11T00:05:00Z');
    await emailsSentSettled({ mail, deps }, [emailSent(other)]);
    // 12 February: announced again in Paris; its steps, a day of due steps and a sweep run.
    await changeAt({ now, deps }, '2027-02-12T00:00:00.000Z', { type: 'set', show: paris });
    await takeStepsWritten(fakes);
    await runOnTo({ now, fakes }, '2027-02-12T00:02:00Z');
    await sweepAt({ now, deps }, '2027-02-13T00:02:00Z');

    // The second outlet hears that the show moved; the first, told before, nothing more.
    expect(ses.kindsReceivedBy('de2@press.example')).toEqual(['press-announcement', 'press-moved']);
    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
