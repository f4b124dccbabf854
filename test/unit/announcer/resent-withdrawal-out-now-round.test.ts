import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  anAnnouncedPress,
  far,
  giveDeBack,
  givenBackOnTheReleaseDay,
  runRequested,
  runSettled,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: an address told to disregard the release and announced again "is
 * told again that it is out"; the mailing passes an address whose round-0 out-now was claimed after the
 * withdrawal it last heard, because such an out-now "told it, after the withdrawal, that the release is
 * out". A withdrawal the sweep resent went after that out-now: it did not.
 *
 * DE is withdrawn; SES answers the withdrawal's call for no entry (nothing sent, its claim open). The
 * release day comes, DE is given back and the out-now tells the German outlet the release is out. DE is
 * withdrawn again; the sweep resends the withdrawal, which now tells the German outlet to disregard the
 * release. DE is given back again: the German outlet is announced again (round given-back-1), but its
 * out-now is passed. ee41b19 keeps the withdrawal's first claim time on its resend, and eb15f6d counts a
 * round-0 out-now claimed after that claim time as told in the round: the German outlet's last word is
 * "announced again", never that the release is out. (Before ee41b19 the resend moved the withdrawal's
 * claim time past the out-now, and the round's out-now went.)
 */
describe('a withdrawal the sweep resent after the out-now, DE then given back again', () => {
  it('tells the German outlet again that the release is out after announcing it again', async () => {
    const press = await anAnnouncedPress();
    const { german, british, world, label } = press;
    // DE withdrawn: SES answers the withdrawal's call for no entry, nothing sent, its claim open.
    world.mailer.script = (mail) => (mail.kind === 'cancellation' ? [] : (undefined as never));
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    world.mailer.script = undefined;
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toEqual([]);

    // The release day comes; DE is given back and the out-now tells the German outlet it is out.
    await givenBackOnTheReleaseDay(press, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'out-now']);

    // DE withdrawn again; the sweep finds the withdrawal's claim stale and resends it: it goes now.
    world.clock.now += 60_000;
    await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    await runSettled(world);
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'out-now', 'cancellation']);

    // DE given back again: the German outlet is announced again, and that announcement's out-now is asked.
    world.clock.now += 60_000;
    await label(giveDeBack, 'evt-given-back-again', '2026-02-04T10:00:00.000Z');
    await runRequested(world, 'announcement');
    await runRequested(world, 'out-now');

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
      'out-now',
    ]);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'out-now']);
  });
});
