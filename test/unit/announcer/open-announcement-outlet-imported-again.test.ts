import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { announceToChangedOutlets } from '#functions/announcer/outlets-changed.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  aLabelAndItsPress,
  anAnnouncedPress,
  announce,
  deOnItsOwnDate,
  fakeWorld,
  far,
  meta,
  roundZeroOutNowUnanswered,
  runRequested,
  runSettled,
  sweepEachMinute,
  sweptPastStale,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

/**
 * docs/design.md#exactly-once-mail: "It is the person, not the outlet: an outlet deleted and imported
 * again with the same address is found in the mails that address already had". The announcement's
 * claim, open (SES answered its call for no entry: nothing went), keeps the re-imported outlet's own
 * announcement from a second mail; the sweep, once the claim is stale, must send it to the outlet now at
 * its address, not close it unsent because the outlet it names is gone.
 */
describe('an open announcement whose outlet is deleted and imported again at its address within the stale window', () => {
  it('is sent to the outlet imported again, once', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    world.mailer.script = (mail) => (mail.kind === 'announcement' ? [] : (undefined as never));
    await sendMailing(announce, meta, world.deps, far());
    world.mailer.script = undefined;

    // Ten minutes on, the manager deletes the outlet and imports it again: same address, a new id.
    world.clock.now += 10 * 60_000;
    const imported = anOutlet({ email: outlet.email });
    world.directory.splice(world.directory.indexOf(outlet), 1, imported);
    await announceToChangedOutlets([imported.id], meta, world.deps);
    await runRequested(world, 'announcement');
    await sweptPastStale(world, 10 * 60_000);
    await sweepEachMinute(world, 60);

    expect(world.mailer.receivedBy(outlet.email, 'announcement')).toHaveLength(1);
  });

  it('names on its delivery the outlet imported again, which it was sent to, its identity kept', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    world.mailer.script = (mail) => (mail.kind === 'announcement' ? [] : (undefined as never));
    await sendMailing(announce, meta, world.deps, far());
    world.mailer.script = undefined;
    const [claimed] = world.deliveries.of('claimed');

    world.clock.now += 10 * 60_000;
    const imported = anOutlet({ email: outlet.email });
    world.directory.splice(world.directory.indexOf(outlet), 1, imported);
    await sweptPastStale(world, 10 * 60_000);

    expect(world.deliveries.of('sent')).toEqual([
      expect.objectContaining({
        deliveryId: claimed.deliveryId,
        context: { ...claimed.context, outletId: imported.id },
        resends: 1,
      }),
    ]);
  });

  it('names on its delivery the outlet imported again a cancellation was resent to', async () => {
    const press = await anAnnouncedPress();
    const { german, world, label } = press;
    world.mailer.script = (mail) => (mail.kind === 'cancellation' ? [] : (undefined as never));
    await label(
      { type: 'Release Cancelled', releaseId: 'rel-night-drive' },
      'evt-cancelled',
      '2026-02-01T10:00:00.000Z',
    );
    world.mailer.script = undefined;
    const cancellation = world.deliveries.of('claimed').find((d) => d.email === german.email)!;

    world.clock.now += 10 * 60_000;
    const imported = { ...german, id: `${german.id}-again` };
    world.directory.splice(world.directory.indexOf(german), 1, imported);
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);
    expect(world.deliveries.items.get(cancellation.deliveryId)).toMatchObject({
      status: 'sent',
      context: { ...cancellation.context, outletId: imported.id },
    });
  });

  it('sends the withdrawal left open to the outlet imported again at its address, once, naming it', async () => {
    const press = await anAnnouncedPress();
    const { german, world, label } = press;
    world.mailer.script = (mail) => (mail.kind === 'cancellation' ? [] : (undefined as never));
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    world.mailer.script = undefined;
    const withdrawal = world.deliveries.of('claimed').find((d) => d.email === german.email)!;

    // Ten minutes on, the German outlet deleted and imported again: same address, a new id.
    world.clock.now += 10 * 60_000;
    const imported = { ...german, id: `${german.id}-again` };
    world.directory.splice(world.directory.indexOf(german), 1, imported);
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    await sweepEachMinute(world, 60);

    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);
    expect(world.deliveries.items.get(withdrawal.deliveryId)).toMatchObject({
      status: 'sent',
      context: { ...withdrawal.context, outletId: imported.id },
    });
  });

  it('sends the cancellation left open to the outlet imported again for another genre, as its mailing would', async () => {
    const press = await anAnnouncedPress();
    const { german, world, label } = press;
    world.mailer.script = (mail) => (mail.kind === 'cancellation' ? [] : (undefined as never));
    await label(
      { type: 'Release Cancelled', releaseId: 'rel-night-drive' },
      'evt-cancelled',
      '2026-02-01T10:00:00.000Z',
    );
    world.mailer.script = undefined;

    // The address was told of the release: its cancellation goes to whoever is there, whatever its genres.
    world.clock.now += 10 * 60_000;
    const imported = { ...german, id: `${german.id}-again`, genres: ['jazz'] };
    world.directory.splice(world.directory.indexOf(german), 1, imported);
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);
  });

  // The address was told of the release: its out-now and date changes go to it, as their mailings send
  // them (to the addresses told, by territory and date), whatever genres its outlet now lists.
  it('sends the out-now left open to the outlet imported again for another genre, as its mailing would', async () => {
    const press = await anAnnouncedPress();
    const { german, world } = press;
    await roundZeroOutNowUnanswered(press);
    const outNow = world.deliveries.of('claimed').find((d) => d.email === german.email)!;

    world.clock.now += 10 * 60_000;
    const imported = { ...german, id: `${german.id}-again`, genres: ['jazz'] };
    world.directory.splice(world.directory.indexOf(german), 1, imported);
    await sweptPastStale(world, 10 * 60_000);

    expect(world.mailer.receivedBy(german.email, 'out-now')).toHaveLength(1);
    expect(world.deliveries.items.get(outNow.deliveryId)).toMatchObject({
      status: 'sent',
      context: { ...outNow.context, outletId: imported.id },
    });
  });

  it.each([
    ['the release', aReleaseDetails({ territories: ['GB', 'DE'], releaseDate: '2027-03-12' })],
    ['its territory', deOnItsOwnDate('2027-03-12')],
  ])(
    'sends the date change of %s left open to the outlet imported again for another genre, as its mailing would',
    async (_, moved) => {
      const press = await anAnnouncedPress();
      const { german, world, label } = press;
      world.mailer.script = (mail) => (mail.kind === 'date-change' ? [] : (undefined as never));
      await label({ type: 'Release Updated', details: moved }, 'evt-moved', '2026-02-01T10:00:00.000Z');
      world.mailer.script = undefined;
      const dateChange = world.deliveries.of('claimed').find((d) => d.email === german.email)!;

      world.clock.now += 10 * 60_000;
      const imported = { ...german, id: `${german.id}-again`, genres: ['jazz'] };
      world.directory.splice(world.directory.indexOf(german), 1, imported);
      await sweptPastStale(world, 10 * 60_000);

      expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(1);
      expect(world.deliveries.items.get(dateChange.deliveryId)).toMatchObject({
        status: 'sent',
        context: { ...dateChange.context, outletId: imported.id },
      });
    },
  );

  it('closes unsent the withdrawal left open to an outlet deleted and not imported again', async () => {
    const press = await anAnnouncedPress();
    const { german, world, label } = press;
    world.mailer.script = (mail) => (mail.kind === 'cancellation' ? [] : (undefined as never));
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    world.mailer.script = undefined;
    const withdrawal = world.deliveries.of('claimed').find((d) => d.email === german.email)!;

    world.clock.now += 10 * 60_000;
    world.directory.splice(world.directory.indexOf(german), 1);
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(0);
    expect(world.deliveries.items.get(withdrawal.deliveryId)).toMatchObject({ status: 'failed' });
  });

  // The release (synthpop, GB and IE) reaches neither: its own mailing never announces the address there.
  it.each([
    ['in a territory', { territories: ['FR'] }],
    ['for a genre', { genres: ['jazz'] }],
  ])('is not sent to the outlet imported again %s the release does not reach', async (_, imported) => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    world.mailer.script = (mail) => (mail.kind === 'announcement' ? [] : (undefined as never));
    await sendMailing(announce, meta, world.deps, far());
    world.mailer.script = undefined;

    world.clock.now += 10 * 60_000;
    world.directory.splice(
      world.directory.indexOf(outlet),
      1,
      anOutlet({ email: outlet.email, ...imported }),
    );
    await sweptPastStale(world, 10 * 60_000);
    await sweepEachMinute(world, 60);

    expect(world.mailer.receivedBy(outlet.email, 'announcement')).toHaveLength(0);
  });

  it('is followed by the out-now the release day asked while it was open, to the outlet imported again', async () => {
    const { world, german, store, release, releaseDay } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    world.mailer.script = (mail) => (mail.kind === 'announcement' ? [] : (undefined as never));
    await sendMailing(announce, meta, world.deps, far());
    world.mailer.script = undefined;

    // Five minutes on, the German outlet deleted and imported again; the release day comes and its
    // out-now passes the address, whose announcement is still open. The sweep resends it past the window.
    world.clock.now += 5 * 60_000;
    const imported = anOutlet({ kind: 'press', territories: ['DE'], email: german.email });
    world.directory.splice(world.directory.indexOf(german), 1, imported);
    await announceToChangedOutlets([imported.id], meta, world.deps);
    await runRequested(world, 'announcement');
    await releaseDay();
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
    await sweptPastStale(world, 5 * 60_000);
    await runSettled(world);
    await runRequested(world, 'out-now');

    expect(world.mailer.receivedBy(german.email).map((mail) => mail.kind)).toEqual([
      'announcement',
      'out-now',
    ]);
  });
});
