import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  announcedWithAnswersLost,
  changeAt,
  putOnHold,
  runDueSteps,
  stepsWritten,
  sweepAt,
  sweepsOn,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: a held announcement whose shows are on again "is written again, the same mail,
 * and sent" once the margin after their latest change has passed: written "from the shows as they are
 * now", and each address "keeps what it was last told of each show", so "a `press-change` ... mails only
 * an address told otherwise than what stands". The resend states the show as it is now, but the
 * address's note keeps the details of the show as the first, unsent, mail read them: a later change back
 * to those details reads the address as told them, and tells it nothing. The German outlet's announcement
 * of show-1 (doors 19:00) claimed, never sent (SES's answer lost); on 3 February the show goes on hold and
 * the sweep holds the claim; on 10 February it is announced again with doors 20:00 (its step counts the
 * held mail as telling nothing), and the sweep, the margin passed, sends the held mail again: 'live in
 * Germany', doors 20:00; on 17 February the label moves doors back to 19:00: its step reads the note
 * (19:00) and mails nothing, so the outlet's only word is 20:00 for a show at 19:00.
 */
describe('a held press announcement resent with the doors changed meanwhile, the doors then changed back', () => {
  // The sweep's resend of a held announcement states the shows as they are now, and notes them so before
  // it goes: the change back is news.
  it("leaves the German outlet's last word the doors that stand (19:00)", async () => {
    const { now, fakes, deps, mailer, tours } = await announcedWithAnswersLost([announced]);
    stepsWritten(tours);
    const world = { now, deps, fakes };
    expect(mailer.ses.receivedBy('de@press.example')).toEqual([]);

    // 3 February: on hold; the sweep holds the stale announcement.
    await putOnHold(world, announced);
    await sweepAt(world, '2027-02-03T00:01:00.000Z');

    // 10 February: announced again, doors 20:00; the sweep, the margin passed, sends the held mail.
    await changeAt(world, '2027-02-10T00:00:00.000Z', {
      type: 'set',
      show: { ...announced, times: { ...announced.times, doors: '20:00' } },
    });
    await runDueSteps(fakes, now);
    await sweepsOn(world, 4);
    const doors = () =>
      mailer.ses.receivedBy('de@press.example').map(({ deliveryId, kind }) => {
        const call = mailer.ses.calls.findLast((c) =>
          c.entries.some((entry) => entry.deliveryId === deliveryId),
        );
        // The doors the mail states now: a change's last, after the doors it replaced ('Before').
        return `${kind} ${[...JSON.stringify(call).matchAll(/doors (\d\d:\d\d)/g)].at(-1)?.[1]}`;
      });
    expect(doors()).toEqual(['press-announcement 20:00']);

    // 17 February: doors back to 19:00; its steps run, and the sweep runs on for a day.
    await changeAt(world, '2027-02-17T00:00:00.000Z', { type: 'set', show: announced });
    await runDueSteps(fakes, now);
    await sweepsOn(world, 48);

    // The outlet's last word must be the doors that stand.
    expect(doors().at(-1)).toBe('press-change 19:00');
  });
});
