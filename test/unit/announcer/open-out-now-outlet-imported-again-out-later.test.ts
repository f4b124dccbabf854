import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { announceToChangedOutlets } from '#functions/announcer/outlets-changed.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { templateNames } from '#shared/mail/template-names.ts';
import type { Outlet } from '#shared/outlets.ts';
import { territoryMomentsOf } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  announce,
  type FakeWorld,
  far,
  mailTextOf,
  meta,
  runRequested,
  sweepEachMinute,
  sweptPastStale,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails } from '#test/support/releases.ts';

/** Out in GB on 5 March 2027 (00:00 Europe/London), in JP a week later (12 March, 00:00 Asia/Tokyo). */
const details = aReleaseDetails({
  territories: ['GB', 'JP'],
  territoryDates: [{ territories: ['JP'], releaseDate: '2027-03-12', timeZone: 'Asia/Tokyo' }],
});
const [britain, japan] = territoryMomentsOf(details);
const hour = 60 * 60_000;

/**
 * The label schedules the release (announced to the British outlet); GB's street date comes and its
 * out-now is claimed for the outlet's address, SES answering its call for no entry (nothing sent, the
 * claim open). Ten minutes on, the outlet is deleted and imported again at the same address in
 * `territories` (what Outlets Changed asks runs). Gives the address and the outlet imported again.
 */
async function outNowLeftOpenThenImportedIn(territories: string[]) {
  const british = anOutlet({ kind: 'press', territories: ['GB'] });
  const press = aLabelAndItsPress(['GB', 'JP'], [british]);
  const { world, label, releaseDay } = press;
  await label({ type: 'Release Scheduled', details }, 'evt-scheduled', '2027-03-01T11:00:00.000Z');
  world.clock.now = Date.parse('2027-03-05T00:00:30Z');
  await releaseDay(britain.moment);
  world.mailer.script = (mail) => (mail.kind === 'out-now' ? [] : (undefined as never));
  await sendMailing({ ...announce, kind: 'out-now', moment: britain.key }, meta, world.deps, far());
  world.mailer.script = undefined;

  world.clock.now += 10 * 60_000;
  const imported = anOutlet({ kind: 'press', territories, email: british.email });
  world.directory.splice(world.directory.indexOf(british), 1, imported);
  await announceToChangedOutlets([imported.id], meta, world.deps);
  await runRequested(world, 'announcement');
  await runRequested(world, 'out-now');
  return { ...press, email: british.email, imported };
}

/**
 * The manager edits the outlet imported again into `territories` (what Outlets Changed asks runs: the
 * announcement it finds claimed before, then the out-nows it asks for the outlet).
 */
async function editedInto(world: FakeWorld, imported: Outlet, territories: string[]) {
  world.directory.splice(world.directory.indexOf(imported), 1, { ...imported, territories });
  await announceToChangedOutlets([imported.id], meta, world.deps);
  await runRequested(world, 'announcement');
  await runRequested(world, 'out-now');
}

/**
 * docs/design.md#exactly-once-mail: a mail is the address's, and the sweep sends an open one to the
 * outlet now at the address when its own mailing would send it there. An out-now keeps no moment, so
 * for an outlet imported again in a territory whose street date is still to come, "once the claim is
 * stale" is not enough: the address would hear the release is out where it is not (an embargo breach
 * for that outlet). The sweep holds it until the date there has come, and Japan's own out-now, which
 * finds the address's claim and passes it, leaves it to the sweep: one out-now, on its day.
 */
describe('an open out-now whose outlet is imported again at its address in a territory out later', () => {
  it('is not sent by the sweep before the street date there', async () => {
    const { world, email } = await outNowLeftOpenThenImportedIn(['JP']);

    world.clock.now = Date.parse('2027-03-06T00:00:00Z');
    await sweepStaleClaims(world.deps, far());

    expect(world.mailer.receivedBy(email, 'out-now')).toEqual([]);
  });

  it('is sent once, on its street date, naming the outlet imported again and stating that date', async () => {
    const { world, email, imported, releaseDay } = await outNowLeftOpenThenImportedIn(['JP']);
    const [outNow] = world.deliveries.of('claimed').filter((d) => d.kind === 'out-now');

    // The sweep's looks through the week, the last five minutes before Japan's date.
    world.clock.now = Date.parse('2027-03-06T00:00:00Z');
    const japanAt = Date.parse('2027-03-11T15:00:00Z');
    while (world.clock.now < japanAt - 5 * 60_000) {
      await sweepStaleClaims(world.deps, far());
      world.clock.now += hour;
    }
    world.clock.now = japanAt - 5 * 60_000;
    await sweepStaleClaims(world.deps, far());
    const outNows = () => world.mailer.receivedBy(email, 'out-now').length;
    const beforeJapan = outNows();
    // Japan's date comes: its own out-now mailing (it finds the address's claim and passes it), then
    // the sweep's runs of the next hour and its run a stale window after the last.
    world.clock.now = japanAt + 30_000;
    await releaseDay(japan.moment);
    await sendMailing({ ...announce, kind: 'out-now', moment: japan.key }, meta, world.deps, far());
    const afterJapansMailing = outNows();
    await sweepEachMinute(world, 60);
    await sweptPastStale(world);

    expect([beforeJapan, afterJapansMailing, outNows()]).toEqual([0, 0, 1]);
    // The call that sent it, the last to it (GB's on the 5th, SES answered for no entry: it sent nothing).
    expect(world.mailer.calls.findLast((call) => call.kind === 'out-now')?.template).toBe(
      templateNames['out-now'],
    );
    expect(mailTextOf(world, email, 'out-now', 'last')?.releaseDate).toContain('12 March 2027');
    expect(world.deliveries.items.get(outNow.deliveryId)).toMatchObject({
      status: 'sent',
      context: { ...outNow.context, outletId: imported.id },
    });
  });

  // Its mailing never tells an outlet none of whose territories the release reaches, and once the release
  // is out everywhere it comes out, no mailing asks an out-now for an outlet edited since: holding it
  // longer would only look at it again every stale window, for ever.
  it('is closed unsent once the release is out everywhere it comes out, to an outlet imported again where it never does', async () => {
    const { world, email, releaseDay } = await outNowLeftOpenThenImportedIn(['FR']);
    const [outNow] = world.deliveries.of('claimed').filter((d) => d.kind === 'out-now');

    await sweptPastStale(world, 10 * 60_000);
    const beforeJapan = world.deliveries.items.get(outNow.deliveryId)?.status;
    world.clock.now = Date.parse('2027-03-11T15:00:30Z');
    await releaseDay(japan.moment);
    await sendMailing({ ...announce, kind: 'out-now', moment: japan.key }, meta, world.deps, far());
    await sweptPastStale(world);

    expect(beforeJapan).toBe('claimed');
    expect(world.mailer.receivedBy(email, 'out-now')).toEqual([]);
    expect(world.deliveries.items.get(outNow.deliveryId)).toMatchObject({ status: 'failed' });
  });

  // The address was told of the release; edited into a territory it comes out in, its outlet is one the
  // out-now's mailing would tell. Closed at the sweep's first look, the claim would keep that mailing,
  // which finds it and passes it, from ever telling the address.
  it("is sent once, on Japan's street date, to an outlet imported again in France and edited into Japan since", async () => {
    const { world, email, imported, releaseDay } = await outNowLeftOpenThenImportedIn(['FR']);
    const [outNow] = world.deliveries.of('claimed').filter((d) => d.kind === 'out-now');

    await sweptPastStale(world, 10 * 60_000);
    world.clock.now = Date.parse('2027-03-06T00:00:00Z');
    await editedInto(world, imported, ['JP']);
    await sweptPastStale(world);
    const beforeJapan = world.mailer.receivedBy(email, 'out-now').length;
    // Japan's date comes: its out-now mailing, delivered twice, then the sweep's runs.
    world.clock.now = Date.parse('2027-03-11T15:00:30Z');
    await releaseDay(japan.moment);
    await sendMailing({ ...announce, kind: 'out-now', moment: japan.key }, meta, world.deps, far());
    await sendMailing({ ...announce, kind: 'out-now', moment: japan.key }, meta, world.deps, far());
    await sweepEachMinute(world, 60);
    await sweptPastStale(world);

    expect(beforeJapan).toBe(0);
    expect(world.mailer.receivedBy(email, 'out-now')).toHaveLength(1);
    expect(mailTextOf(world, email, 'out-now', 'last')?.releaseDate).toContain('12 March 2027');
    expect(world.deliveries.items.get(outNow.deliveryId)).toMatchObject({
      status: 'sent',
      context: { ...outNow.context, outletId: imported.id },
    });
  });

  it('is sent once to an outlet imported again in France and edited into Britain, where the release is out', async () => {
    const { world, email, imported } = await outNowLeftOpenThenImportedIn(['FR']);
    const [outNow] = world.deliveries.of('claimed').filter((d) => d.kind === 'out-now');

    await sweptPastStale(world, 10 * 60_000);
    world.clock.now += 60 * 60_000;
    await editedInto(world, imported, ['GB']);
    const afterItsMailing = world.mailer.receivedBy(email, 'out-now').length;
    await sweepEachMinute(world, 60);
    await sweptPastStale(world);
    // The out-now Outlets Changed asked, delivered again after the sweep sent it.
    await runRequested(world, 'out-now');

    expect(afterItsMailing).toBe(0);
    expect(world.mailer.receivedBy(email, 'out-now')).toHaveLength(1);
    expect(mailTextOf(world, email, 'out-now', 'last')?.releaseDate).toContain('5 March 2027');
    expect(world.deliveries.items.get(outNow.deliveryId)).toMatchObject({ status: 'sent' });
  });

  it('is sent at the sweep once stale to an outlet imported again where the release is out', async () => {
    const { world, email, imported } = await outNowLeftOpenThenImportedIn(['GB']);
    const [outNow] = world.deliveries.of('claimed').filter((d) => d.kind === 'out-now');

    await sweptPastStale(world, 10 * 60_000);

    expect(world.mailer.receivedBy(email, 'out-now')).toHaveLength(1);
    expect(world.deliveries.items.get(outNow.deliveryId)).toMatchObject({
      status: 'sent',
      context: { ...outNow.context, outletId: imported.id },
    });
  });
});
