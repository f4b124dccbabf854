import { describe, expect, it } from 'vitest';
import { emailSent } from '#test/support/announcer-fakes.ts';
import {
  answerLostThenInParis,
  cancelledOn11February,
  dePressSettledAgain,
  emailsSentSettled,
  kindsToldDe,
  runOnTo,
  sweepAt,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: of a show moved to Paris, the country forgotten, and cancelled before the late
 * `Email Sent`, "the outlet told of Berlin hears 'Cancelled'"; a held mail's follow-up notes what it tells
 * before its mail goes, and its Tour Press Settled, taken again, tells what stands. d852a80 leaves out of
 * a follow-up's cancellation in a country the show left any address whose note is a "moved", whether or
 * not that mail went. The German outlet's announcement of show-1 (Berlin; SES sent it, its answer lost),
 * held while on hold; announced again on 10 February at the Olympia in Paris (the move's step forgets
 * Germany); the late Email Sent: its follow-up notes "moved" and stops before its mail (none claimed);
 * cancelled in Paris on 11 February (its step tells France only); the Tour Press Settled delivered again
 * (the event's retry), the due steps and a sweep: the outlet's last word is its announcement of a show in
 * Berlin that is cancelled (with the filter before d852a80 it hears "Cancelled").
 */
describe('a held announcement that went, its follow-up "Moved" stopped before its mail, the show then cancelled in Paris', () => {
  // The follow-up's notes are written with its mails' claims: stopped before that write, the outlet's note
  // is its announcement, and the follow-up taken again tells it the cancellation.
  it('tells the German outlet that the show is cancelled', async () => {
    const world = await answerLostThenInParis();
    const { now, mail, ses, deps, fakes, announcement } = world;
    // The late Email Sent: its follow-up stops before its mail (and so before its note).
    const mailer = deps.mailer;
    let stops = 1;
    deps.mailer = {
      ...mailer,
      send: async (mails) => {
        if (stops > 0 && mails.some((m) => m.kind === 'press-moved')) {
          stops--;
          throw new Error('the follow-up stopped here');
        }
        return mailer.send(mails);
      },
    };
    now.value = new Date('2027-02-10T00:05:00Z');
    await expect(emailsSentSettled({ mail, deps }, [emailSent(announcement)])).rejects.toThrow(
      'the follow-up stopped here',
    );
    expect(kindsToldDe(ses)).toEqual(['press-announcement']);

    // 11 February: cancelled in Paris; its step tells France (Germany forgotten).
    await cancelledOn11February(world);
    // The Tour Press Settled delivered again (the event's retry), then the due steps and a sweep.
    await dePressSettledAgain(world, '2027-02-11T00:05:00Z');
    await runOnTo({ now, fakes }, '2027-02-11T00:07:00Z');
    await sweepAt({ now, deps }, '2027-02-12T00:07:00Z');
    await runOnTo({ now, fakes }, '2027-02-12T00:08:00Z');

    expect(ses.receivedBy('de@press.example').at(-1)?.kind).toBe('press-cancellation');
  });
});
