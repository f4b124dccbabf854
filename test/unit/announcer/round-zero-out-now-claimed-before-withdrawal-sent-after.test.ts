import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import {
  anAnnouncedPress,
  announce,
  far,
  giveDeBack,
  meta,
  roundZeroOutNowsSentLateThenSwept,
  runRequested,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: the mailing passes an address "whose round-0 out-now went out ...
 * and was sent after the withdrawal it last heard" ("Sending times, not claim times"), and holds the
 * round's out-now for one still open that may yet show it went after that withdrawal.
 *
 * The release day comes: the out-now is claimed for the German outlet, and its SES call goes seconds
 * later (the sender paces its calls by the send rate); in those seconds DE is withdrawn and the
 * withdrawal goes out, marked sent. SES sends the out-now after it, its answer lost (the claim stays
 * open). DE is given back: the German outlet is announced again (round given-back-1) and that round's
 * out-now is asked while the round-0 out-now's Email Sent is still on its way. Claimed before the
 * withdrawal was sent, the round-0 out-now is not held for: the round's out-now goes at once, and the
 * round-0 out-now's late Email Sent then shows it went after the withdrawal. The German outlet hears
 * "out" twice after the withdrawal, where, had that Email Sent come first, the mailing would have passed it.
 */
describe('a round-0 out-now claimed before the withdrawal went, sent by SES after it, its answer lost', () => {
  it('tells the German outlet the release is out once after the withdrawal', async () => {
    const { german, british, world, label, releaseDay } = await anAnnouncedPress();

    // The release day comes; the out-now is claimed; before its SES call DE is withdrawn (the
    // withdrawal sent and marked); SES then sends the out-now, its answer lost.
    await releaseDay();
    world.clock.now += 60_000;
    let outNowSentAt = '';
    world.mailer.script = async (mail) => {
      if (mail.kind !== 'out-now' || outNowSentAt) return undefined as never;
      world.clock.now += 5_000;
      await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
      world.clock.now += 1_000;
      outNowSentAt = new Date(world.clock.now).toISOString();
      return 'accept-then-fail' as const;
    };
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    const [roundZeroOutNow] = world.mailer.receivedBy(german.email, 'out-now');
    const [britishOutNow] = world.mailer.receivedBy(british.email, 'out-now');
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'cancellation', 'out-now']);

    // DE given back: the German outlet is announced again, and that round's out-now asked.
    world.clock.now += 60_000;
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    await runRequested(world, 'announcement');
    await runRequested(world, 'out-now');
    // The round-0 out-nows' late Email Sent (SES's time: the German outlet's went after the withdrawal);
    // the sweep past the held round out-now's stale window, then its runs of the next hour.
    await roundZeroOutNowsSentLateThenSwept(world, [roundZeroOutNow, britishOutNow], outNowSentAt);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'out-now',
      'announcement',
    ]);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'out-now']);
  });
});
