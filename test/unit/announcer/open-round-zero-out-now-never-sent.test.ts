import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { settleFromEmailsSent } from '#functions/announcer/settle.ts';
import {
  aLabelAndItsPress,
  announce,
  emailSent,
  far,
  giveDeBack,
  meta,
  runRequested,
  sweepEachMinute,
  sweptPastStale,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: a round-0 out-now still claimed, claimed after the withdrawal the
 * address last heard before its round was sent, counts as told in that round (it may have gone after
 * the withdrawal), so the round's out-now is held; if nothing went, the sweep resends it once stale
 * rather than close it.
 *
 * DE withdrawn: SES sends the withdrawal, its answer lost. The release day comes, DE is given back and
 * the out-now is asked while the withdrawal is still claimed: SES answers its call for no entry, so the
 * German outlet's round-0 out-now stays claimed, nothing sent. The withdrawal's late Email Sent
 * announces the German outlet again (round given-back-1) and asks that round's out-now, which passes
 * it for the open round-0 out-now. The sweep past the stale window must tell it, once: closing the
 * round-0 out-now as of a round the address has left would leave the German outlet never told.
 */
describe('a round-0 out-now claimed and never sent while the new round out-now is asked', () => {
  it('tells the German outlet the release is out once in its new round, by the sweep', async () => {
    const { german, british, release, world, store, label, releaseDay } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    // DE withdrawn: SES sends the withdrawal, its answer lost (the claim stays open).
    world.mailer.script = (mail) =>
      mail.kind === 'cancellation' ? 'accept-then-fail' : (undefined as never);
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z').catch(() => {});
    world.mailer.script = undefined;
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');
    const withdrawalSentAt = new Date(world.clock.now).toISOString();

    // The release day comes; DE is given back; the out-now is asked: SES answers its call for no entry.
    await releaseDay();
    world.clock.now += 60_000;
    world.mailer.script = (mail) => (mail.kind === 'out-now' ? [] : (undefined as never));
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
    world.mailer.script = undefined;

    // The withdrawal's late Email Sent: the German outlet is announced again, and that round's out-now
    // asked, which holds it for the open round-0 out-now.
    world.clock.now += 60_000;
    await settleFromEmailsSent([emailSent({ ...withdrawal, at: withdrawalSentAt })], world.deps);
    await runRequested(world, 'announcement');
    await runRequested(world, 'out-now');
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
    ]);

    // The sweep past the round-0 out-now's stale window, then its runs of the next hour.
    await sweptPastStale(world, 2 * 60_000);
    await sweepEachMinute(world, 60);
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'out-now',
    ]);
    expect(world.mailer.receivedBy(british.email).map((m) => m.kind)).toEqual(['announcement', 'out-now']);

    // Every out-now mailing asked so far delivered once more (a redelivery of the bus): nothing more.
    const told = [...world.mailer.delivered];
    await runRequested(world, 'out-now');
    expect(world.mailer.delivered).toEqual(told);
  });
});
