import { describe, expect, it } from 'vitest';
import {
  anAnnouncedPress,
  giveDeBack,
  lateEmailSent,
  roundZeroOutNowUnanswered,
  staleWindowMinutes,
  sweptPastStale,
  withdrawDeItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: the mailing passes an address announced again whose round-0 out-now
 * was sent after the withdrawal it last heard (an out-now resent after the withdrawal went told it,
 * and counts), or is still claimed since after it; what decides it must see the writes of moments
 * before, as what decides a round is "read strongly consistently". The round's out-now reads round 0's
 * out-now with an eventually consistent BatchGetItem, which may return the item as it was before a
 * write of a moment ago.
 *
 * The release day comes: round 0's out-now is asked, SES answers for no entry (the claim open, nothing
 * sent). Halfway through the stale window DE is withdrawn: SES sends the withdrawal, its answer lost; a minute on
 * DE is given back (the announcement passes the German outlet, its withdrawal still claimed). The sweep
 * finds round 0's out-now stale and resends it (the address still in round 0): the German outlet is
 * told, after the withdrawal, that the release is out. Moments later the withdrawal's Email Sent (SES's
 * sending time) announces it again and asks the round's out-now, whose read still sees round 0's
 * out-now as it was before the sweep took it over: claimed before the withdrawal, so counted as
 * telling nothing. The German outlet hears "out" twice after the withdrawal.
 */
describe("a round-0 out-now resent moments before the round's out-now reads it", () => {
  // The round's out-now reads round 0's out-now strongly consistently (docs/design.md#exactly-once-mail);
  // read eventually consistently it failed with [announcement, cancellation, out-now, announcement,
  // out-now] where the last is not due.
  it('tells the German outlet the release is out once after the withdrawal', async () => {
    const press = await anAnnouncedPress();
    const { german, world, label } = press;
    // The release day: round 0's out-now asked, SES answering for no entry (the claim stays open).
    await roundZeroOutNowUnanswered(press);
    const roundZeroOutNow = [...world.deliveries.items.values()].find(
      (d) => d.kind === 'out-now' && d.email === german.email,
    )!;

    // DE withdrawn halfway through the stale window: SES sends the withdrawal, its answer lost. DE given
    // back a minute on.
    const halfway = Math.floor(staleWindowMinutes / 2) * 60_000;
    world.clock.now += halfway;
    // Its Email Sent dated now, SES's sending time.
    const withdrawal = await withdrawDeItsAnswerLost(press, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    world.clock.now += 60_000;
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');

    // The sweep resends round 0's out-now (the German outlet still in round 0): it goes after the withdrawal.
    const beforeTheSweep = structuredClone(world.deliveries.items.get(roundZeroOutNow.deliveryId)!);
    await sweptPastStale(world, halfway + 60_000);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'cancellation', 'out-now']);

    // Moments later, reads that are not strongly consistent still see round 0's out-now as it was
    // before the sweep's takeover and mark (DynamoDB's replicas not yet caught up).
    const getMany = world.deps.deliveries.getMany.bind(world.deps.deliveries);
    world.deps.deliveries.getMany = async (ids, options) => {
      const found = await getMany(ids, options);
      if (!options?.consistent && found.has(beforeTheSweep.deliveryId))
        found.set(beforeTheSweep.deliveryId, structuredClone(beforeTheSweep));
      return found;
    };
    // The withdrawal's Email Sent: the German outlet announced again, and that round's out-now asked.
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);
    world.deps.deliveries.getMany = getMany;

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'out-now',
      'announcement',
    ]);
  });
});
