import { describe, expect, it } from 'vitest';
import {
  givenBackOnTheReleaseDay,
  lateEmailSent,
  withdrawnWithItsAnswerLost,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: the mailing passes an address whose round-0 out-now was claimed
 * after the withdrawal it last heard before its current round. An out-now asked while that withdrawal
 * was still being sent (SES sent it, its answer lost) and its territory already given back goes under
 * the round the address is still in, round 0, after the withdrawal: it told the address that the
 * release is out, and the round the withdrawal's settling opens tells it no second time.
 */
describe('an out-now asked while the withdrawal before it is still being sent, DE given back', () => {
  it('is the German outlet’s out-now of the round its withdrawal’s settling opens', async () => {
    // Announced, then DE withdrawn: SES sends the withdrawal, its answer lost (the claim stays open).
    const press = await withdrawnWithItsAnswerLost();
    const { german, british, world } = press;
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    // The release day comes while DE is withdrawn; DE is given back (its announcement passes the
    // German outlet, its withdrawal still claimed), and the out-now is asked: it tells the German outlet.
    await givenBackOnTheReleaseDay(press, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'cancellation', 'out-now']);

    // The withdrawal's late Email Sent marks it: the German outlet is announced again (round
    // given-back-1), and that announcement's out-now is asked.
    world.clock.now += 60_000;
    await lateEmailSent(world, withdrawal, ['announcement', 'out-now']);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'out-now',
      'announcement',
    ]);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'out-now']);
  });
});
