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
  withdrawDe,
} from '#test/support/announcer-fakes.ts';

/**
 * A withdrawal still claimed when a giving back's announcement passes its address is followed, once
 * it is marked sent, by the address's next round (announceAgainAfterWithdrawals,
 * docs/design.md#exactly-once-mail). That ask goes through firstMailRequests, which asks nothing of a
 * release out everywhere (outEverywhere), where the giving back's own announcement (naming DE) does
 * announce again the outlets told of the withdrawal: the German outlet is left told the release is
 * withdrawn in DE, while DE is the release's again.
 */
describe('a release out everywhere given back while its withdrawal was still being sent', () => {
  it('announces the release again to the outlet once its withdrawal is marked sent', async () => {
    const { german, release, world, store, label, releaseDay } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await releaseDay();
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
    // The label gives DE back while SES sends the withdrawal: the giving back's announcement passes the
    // address, its withdrawal still claimed; the withdrawal's sender marks it sent after.
    const send = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      const results = await send(mail);
      if (mail.kind === 'cancellation') await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
      return results;
    };
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    world.deps.mailer.sendBulk = send;
    const [withdrawal] = world.mailer.receivedBy(german.email, 'cancellation');

    await settleFromEmailsSent([emailSent(withdrawal)], world.deps);
    await runRequested(world, 'announcement');

    // Told DE was withdrawn, and DE is the release's again: announced again, as a giving back does.
    expect(world.mailer.receivedBy(german.email).map((m) => m.kind)).toEqual([
      'announcement',
      'out-now',
      'cancellation',
      'announcement',
    ]);
  });
});
