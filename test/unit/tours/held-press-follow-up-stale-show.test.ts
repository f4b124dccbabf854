import { describe, expect, it } from 'vitest';
import { emailSentAsks } from '#functions/settlement/settle.ts';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { followUpHeldPress } from '#functions/tours/resend.ts';
import { settleFromEmailsSent } from '#shared/mail/email-sent.ts';
import { detailOf, emailSent, type FakeDeliveries } from '#test/support/announcer-fakes.ts';
import {
  announcedShow as announced,
  changeAt,
  kindsToldDe,
  metaAt,
  pressAnnouncementSentAnswerLost,
  putOffAndHeldBySweep,
  raceAt,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the follow-up of a held press announcement's late Email
 * Sent (followUpHeldPress) tells its address "what stands now" of each show, as the show's step would.
 * It reads the show once, then the address's notes (tellThoseToldOf); it must not write the change of
 * the show as it read it whatever the notes say was told since (a note of a later change, sent, read as what
 * the address was told, and its own older news written over it). The German outlet's announcement of show-1 (doors 19:00; SES sent it, its answer
 * lost), held while the show was on hold; announced again on 10 February with doors 20:00 (its step
 * counts the held mail as telling nothing); the Email Sent then comes and asks the follow-up, which
 * reads the show (doors 20:00). Meanwhile the label moves doors to 21:00 and that change's step tells
 * the outlet (the announcement now marked sent): 'Changed', doors 21:00. The follow-up then reads the
 * notes (told 21:00, a later change than the show it read) and mails nothing: were it to mail 'Changed',
 * doors 20:00, the outlet's last word would be 20:00 for a show at 21:00, and its note would say so, so
 * no later step would correct it.
 */
describe('the follow-up of a held press announcement, the show changed again while it runs', () => {
  it("leaves the German outlet's last word the doors that stand (21:00)", async () => {
    const { now, mail, ses, deps, fakes, announcement } = await pressAnnouncementSentAnswerLost();
    // A day later (the claim stale) the show is put on hold; the sweep holds the announcement.
    await putOffAndHeldBySweep({ now, deps, fakes }, { type: 'set', show: { ...announced, status: 'hold' } });

    // 10 February: announced again, doors 20:00; its step counts the held mail as telling nothing.
    const at20 = { ...announced, times: { ...announced.times, doors: '20:00' } };
    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', { type: 'set', show: at20 });
    await takeStepsWritten(fakes);

    // 00:05: the first mail's Email Sent comes (it went), asking the follow-up.
    now.value = new Date('2027-02-10T00:05:00Z');
    await settleFromEmailsSent([emailSent(announcement)], mail, emailSentAsks);
    const asks = (mail.deliveries as FakeDeliveries).outbox.splice(0);
    expect(asks.map((entry) => entry.detailType)).toEqual(['Tour Press Settled']);
    const ask = detailOf(asks[0]);

    // The follow-up has read the show (doors 20:00) when the label moves doors to 21:00, and that
    // change's step runs, before the follow-up reads the outlet's notes.
    const race = raceAt(fakes.tours, 'pressTold', async () => {
      await applyShowChange(
        'tour-1',
        { type: 'set', show: { ...announced, times: { ...announced.times, doors: '21:00' } } },
        metaAt(now.value.toISOString()),
        deps,
      );
      await takeStepsWritten(fakes);
    });
    await followUpHeldPress(ask.data, deps);
    expect(race.raced()).toBe(true);

    // Each 'Changed' the outlet got, by the doors it states, in the order sent: the last must be 21:00.
    const doors = ses.calls
      .filter((call) => call.kind === 'press-change')
      .map((call) => JSON.stringify(call).match(/doors (\d\d:\d\d)/)?.[1]);
    expect(kindsToldDe(ses)).toContain('press-change');
    expect(doors.at(-1)).toBe('21:00');
  });
});
