import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { announceToChangedOutlets } from '#functions/announcer/outlets-changed.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import {
  anAnnouncementWithItsAnswerLost,
  announce,
  detailOf,
  emailSent,
  type FakeWorld,
  fakeWorld,
  far,
  meta,
  moveDate,
  runRequested,
  runSettled,
  whileAnnouncing,
} from '#test/support/announcer-fakes.ts';
import { aMovedRelease, anOutlet, aStoredRelease } from '#test/support/releases.ts';

/**
 * An announcement whose completion fails (its follow-ups' publish, or its fact's write) is retried by
 * Lambda: a failed publish or write fails the invocation. The retry must still ask for the date change
 * that the date-change mailing passed the in-flight announcement by, and state the fact once.
 */
describe('an announcement mailing retried after its completion failed', () => {
  const arrange = () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    const moved = aMovedRelease('2027-04-02');
    // While the announcement is in flight, the date moves and the date change is mailed (passing it).
    whileAnnouncing(world, () => moveDate(world, moved));
    return { outlet, world };
  };
  const facts = (world: FakeWorld) =>
    world.published.filter((e) => e.detailType === 'Release Announced').map((e) => detailOf(e).data);

  it('still asks for the date change its in-flight mails need when the follow-ups fail to be published', async () => {
    const { outlet, world } = arrange();
    const publish = world.deps.events.publish;
    // The announcement's follow-ups (the date change asked again) fail to be put on the bus.
    world.deps.events.publish = async (events) => {
      if (events.some((e) => e.detailType === 'Mailing Requested' && detailOf(e).data.kind === 'date-change'))
        throw new Error('EventBridge refused 1 event(s): InternalFailure');
      return publish(events);
    };
    await expect(sendMailing(announce, meta, world.deps, far())).rejects.toThrow();
    world.deps.events.publish = publish;

    // Lambda's async retry of the same Mailing Requested.
    await sendMailing(announce, meta, world.deps, far());
    await runRequested(world, 'date-change');

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
    // Stated by the retry, which mailed no one: the mail the failed run sent is the mailing's, and counted.
    expect(facts(world)).toEqual([expect.objectContaining({ sent: 1 })]);
  });

  it('states the fact once, after its write failed, and asks the follow-ups again', async () => {
    const { outlet, world } = arrange();
    const state = world.deps.facts.state;
    // The announcement's fact fails to be written (the date change's, stated while it was in flight, is).
    world.deps.facts.state = async (mailing, fact) => {
      if (fact.detailType === 'Release Announced')
        throw new Error('TransactWriteItems failed: InternalServerError');
      return state(mailing, fact);
    };
    await expect(sendMailing(announce, meta, world.deps, far())).rejects.toThrow();
    world.deps.facts.state = state;

    await sendMailing(announce, meta, world.deps, far());
    // A third run (the event delivered again) states nothing more.
    await sendMailing(announce, meta, world.deps, far());
    await runRequested(world, 'date-change');

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
    expect(facts(world)).toEqual([expect.objectContaining({ sent: 1 })]);
  });
});

describe('settling a late announcement while PutEvents fails', () => {
  it('still gets the date change to the outlet, asked in the outbox with the mark', async () => {
    // SES accepts the announcement, its answer is lost: the claim stays open.
    const { outlet, world } = await anAnnouncementWithItsAnswerLost();
    // The label moves the date; the date-change mailing passes the outlet (its announcement is still claimed).
    await moveDate(world, aMovedRelease('2027-04-02'));
    const [mail] = world.mailer.delivered;
    const batch = [emailSent({ messageId: mail.messageId, email: mail.email, deliveryId: mail.deliveryId })];

    // First delivery of the settlement batch: PutEvents fails (EventBridge refusing, retries
    // exhausted); SQS redelivers the event all the same.
    const publish = world.deps.events.publish;
    world.deps.events.publish = async () => {
      throw new Error('EventBridge refused 1 event(s): InternalFailure');
    };
    const failed = await settleFromEmailsSent(batch, world.deps);
    world.deps.events.publish = publish;
    const retried = await settleFromEmailsSent(batch, world.deps);

    // Settling publishes nothing: the ask is in the outbox with the mark (docs/design.md#the-outbox).
    expect([failed, retried]).toEqual([[], []]);

    await runRequested(world, 'date-change');
    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
  });
});

/**
 * An announcement to an outlet added after the release went out, whose SES answer is lost: the claim
 * stays open, and SES's Email Sent (or the stale-claim sweep) settles it. The follow-ups it then needs
 * are that outlet's, as the late mailing's own completion asks them (docs/design.md#exactly-once-mail),
 * not a mailing of the whole directory for each.
 */
describe('the follow-ups of a late announcement settled by its Email Sent, or resent by the sweep', () => {
  async function aLateAnnouncementWithItsAnswerLost() {
    const told = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [told] });
    await sendMailing(announce, meta, world.deps, far());
    const added = anOutlet({ territories: ['GB'] });
    world.directory.push(added);
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never);
    await announceToChangedOutlets([added.id], meta, world.deps);
    await runRequested(world, 'announcement');
    world.mailer.script = undefined;
    return { told, added, world };
  }
  const askedFor = (world: FakeWorld) =>
    world.published
      .filter((e) => e.detailType === 'Mailing Requested')
      .map((e) => [detailOf(e).data.kind, detailOf(e).data.outletIds]);

  it('asks them for the outlet it went to when Email Sent settles it', async () => {
    const { told, added, world } = await aLateAnnouncementWithItsAnswerLost();
    // The date-change mailing passes the outlet added: its announcement is still claimed.
    await moveDate(world, aMovedRelease('2027-04-02'));
    const mail = world.mailer.receivedBy(added.email, 'announcement')[0];
    world.published.length = 0;

    await settleFromEmailsSent([emailSent({ ...mail })], world.deps);
    await runSettled(world);

    // Asked once the claim is settled (the ask is written with the mark), for the outlet.
    expect(askedFor(world)).toEqual([['date-change', [added.id]]]);
    await runRequested(world, 'date-change');
    expect(world.mailer.kindsReceivedBy(added.email)).toEqual(['announcement', 'date-change']);
    expect(world.mailer.kindsReceivedBy(told.email)).toEqual(['announcement', 'date-change']);
  });

  it('asks them for the outlet it went to when the sweep sends it again', async () => {
    const { added, world } = await aLateAnnouncementWithItsAnswerLost();
    // The release came out meanwhile: the resent announcement needs its out-now.
    world.releases.set('lbl-nightshift/rel-night-drive', aStoredRelease({ state: 'out' }));
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    world.published.length = 0;

    await sweepStaleClaims(world.deps, far());
    // Asked with the resend's mark (a Release Mails Settled in the outbox), once the mark is committed.
    await runSettled(world);

    expect(askedFor(world)).toEqual([['out-now', [added.id]]]);
  });
});
