import { describe, expect, it } from 'vitest';
import { countMail } from '#functions/management/releases.ts';
import {
  anAnnouncedPress,
  detailOf,
  giveDeBack,
  roundZeroOutNowUnanswered,
  runRequested,
  sweptPastStale,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';

/**
 * The release day comes: round 0's out-now is claimed and SES answers its call for no entry (nothing
 * sent, the claims open). DE is withdrawn and given back: the German outlet is announced again (round
 * given-back-1) and that round's out-now is held, unsent, for the open round-0 out-now
 * (docs/design.md#exactly-once-mail). Gives the press and the German outlet's deliveries.
 */
async function roundOutNowHeld() {
  const press = await anAnnouncedPress();
  const { german, world, label } = press;
  await roundZeroOutNowUnanswered(press);
  await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
  await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
  await runRequested(world, 'out-now');
  const deliveries = () => [...world.deliveries.items.values()].filter((d) => d.email === german.email);
  return { ...press, deliveries };
}

/**
 * docs/design.md#exactly-once-mail: the mailing claims the round's out-now "and holds it open, unsent
 * (`claimHeld`)", and the sweep sends it "if it told nothing". Held unsent, it never reached SES: the
 * sweep's sending is its first, and the release view counts resends (`resent`).
 */
describe('a round out-now held unsent, then sent by the sweep', () => {
  it('goes once and is counted as no resend', async () => {
    const { german, world, deliveries } = await roundOutNowHeld();

    // The sweep closes round 0's out-now (its round left) and sends the held one.
    await sweptPastStale(world);

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual([
      'announcement',
      'cancellation',
      'announcement',
      'out-now',
    ]);
    const outNow = deliveries().find((d) => d.kind === 'out-now' && d.revision === 'given-back-1');
    expect(outNow).toMatchObject({ status: 'sent' });
    expect(outNow?.resends ?? 0).toBe(0);
    expect(countMail(deliveries())['out-now'].resent).toBe(0);
  });
});

/**
 * docs/design.md#exactly-once-mail: a mailing's completion fact (`Release Out Now Sent`) says every
 * outlet it concerns has been sent the mail; an out-now the mailing held is still to be decided by the
 * sweep, sent or not.
 */
describe("the giving back's out-now mailing, its German outlet's out-now held", () => {
  it('states the out-now held, not the mailing done', async () => {
    const { world, deliveries } = await roundOutNowHeld();

    expect(deliveries().find((d) => d.kind === 'out-now' && d.revision === 'given-back-1')).toMatchObject({
      status: 'claimed',
    });
    const facts = world.published.filter((e) => e.detailType === 'Release Out Now Sent');
    expect(detailOf(facts.at(-1)!).data).toEqual({
      labelId: 'lbl-nightshift',
      releaseId: 'rel-night-drive',
      sent: 0,
      skipped: 0,
      held: 1,
    });
  });
});
