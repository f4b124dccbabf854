import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { announceToChangedOutlets } from '#functions/announcer/outlets-changed.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import type { ReleaseChange } from '#functions/releases/apply-change.ts';
import type { Delivery } from '#shared/db/deliveries.ts';
import type { Outlet } from '#shared/outlets.ts';
import { askedDateChangesKept } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  anAnnouncedPress,
  announce,
  deOnItsOwnDate,
  type FakeWorld,
  fakeWorld,
  far,
  meta,
  roundZeroOutNowUnanswered,
  runRequested,
  runSettled,
  sweepEachMinute,
  sweptPastStale,
  toldDeOf,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

/** `send` runs while SES answers every call of `kind` for no entry: nothing of it sent, its claims open. */
async function unanswered(world: FakeWorld, kind: string, send: () => Promise<unknown>) {
  world.mailer.script = (mail) => (mail.kind === kind ? [] : (undefined as never));
  await send();
  world.mailer.script = undefined;
}

/** One outlet and the release it covers, announced to it unanswered: the announcement's claim open. */
async function anOpenAnnouncement() {
  const outlet = anOutlet();
  const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
  await unanswered(world, 'announcement', () => sendMailing(announce, meta, world.deps, far()));
  return { outlet, world };
}

/**
 * anAnnouncedPress's label makes `change` on 1 February, SES answering its mail of `kind` unanswered.
 * Gives the German outlet's claim, open.
 */
async function leftOpenToGerman(
  { german, world, label }: Awaited<ReturnType<typeof anAnnouncedPress>>,
  kind: string,
  change: ReleaseChange,
  eventId: string,
) {
  await unanswered(world, kind, () => label(change, eventId, '2026-02-01T10:00:00.000Z'));
  return world.deliveries.of('claimed').find((d) => d.email === german.email)!;
}

/** Ten minutes on, `outlet` is deleted and, when given, `imported` is imported in its place. */
function tenMinutesOnReplaced(world: FakeWorld, outlet: Outlet, imported?: Outlet) {
  world.clock.now += 10 * 60_000;
  if (imported) world.directory.splice(world.directory.indexOf(outlet), 1, imported);
  else world.directory.splice(world.directory.indexOf(outlet), 1);
}

/** anAnnouncedPress's label cancels the release. */
const cancelled: ReleaseChange = { type: 'Release Cancelled', releaseId: 'rel-night-drive' };

/** `outlet` as imported again at its address: a new id, and `more` (another genre, say) when told. */
const againAtItsAddress = (outlet: Outlet, more: Partial<Outlet> = {}) => ({
  ...outlet,
  id: `${outlet.id}-again`,
  ...more,
});

/** The mail of `kind` left open on `claim` went to `email` once, its delivery sent and naming `imported`. */
function expectSentOnceNaming(
  world: FakeWorld,
  email: string,
  kind: string,
  claim: Delivery,
  imported: Outlet,
) {
  expect(world.mailer.receivedBy(email, kind)).toHaveLength(1);
  expect(world.deliveries.items.get(claim.deliveryId)).toMatchObject({
    status: 'sent',
    context: { ...claim.context, outletId: imported.id },
  });
}

/**
 * docs/design.md#exactly-once-mail: "It is the person, not the outlet: an outlet deleted and imported
 * again with the same address is found in the mails that address already had". The announcement's
 * claim, open (SES answered its call for no entry: nothing went), keeps the re-imported outlet's own
 * announcement from a second mail; the sweep, once the claim is stale, must send it to the outlet now at
 * its address, not close it unsent because the outlet it names is gone.
 */
describe('an open announcement whose outlet is deleted and imported again at its address within the stale window', () => {
  it('is sent to the outlet imported again, once', async () => {
    const { outlet, world } = await anOpenAnnouncement();

    // Ten minutes on, the manager deletes the outlet and imports it again: same address, a new id.
    const imported = anOutlet({ email: outlet.email });
    tenMinutesOnReplaced(world, outlet, imported);
    await announceToChangedOutlets([imported.id], meta, world.deps);
    await runRequested(world, 'announcement');
    await sweptPastStale(world, 10 * 60_000);
    await sweepEachMinute(world, 60);

    expect(world.mailer.receivedBy(outlet.email, 'announcement')).toHaveLength(1);
  });

  it('names on its delivery the outlet imported again, which it was sent to, its identity kept', async () => {
    const { outlet, world } = await anOpenAnnouncement();
    const [claimed] = world.deliveries.of('claimed');

    const imported = anOutlet({ email: outlet.email });
    tenMinutesOnReplaced(world, outlet, imported);
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
    const { german, world } = press;
    const cancellation = await leftOpenToGerman(press, 'cancellation', cancelled, 'evt-cancelled');

    const imported = againAtItsAddress(german);
    tenMinutesOnReplaced(world, german, imported);
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    expectSentOnceNaming(world, german.email, 'cancellation', cancellation, imported);
  });

  it('sends the withdrawal left open to the outlet imported again at its address, once, naming it', async () => {
    const press = await anAnnouncedPress();
    const { german, world } = press;
    const withdrawal = await leftOpenToGerman(press, 'cancellation', withdrawDe, 'evt-withdrawn');

    // Ten minutes on, the German outlet deleted and imported again: same address, a new id.
    const imported = againAtItsAddress(german);
    tenMinutesOnReplaced(world, german, imported);
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    await sweepEachMinute(world, 60);

    expectSentOnceNaming(world, german.email, 'cancellation', withdrawal, imported);
  });

  it('sends the cancellation left open to the outlet imported again for another genre, as its mailing would', async () => {
    const press = await anAnnouncedPress();
    const { german, world } = press;
    await leftOpenToGerman(press, 'cancellation', cancelled, 'evt-cancelled');

    // The address was told of the release: its cancellation goes to whoever is there, whatever its genres.
    tenMinutesOnReplaced(world, german, againAtItsAddress(german, { genres: ['jazz'] }));
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

    const imported = againAtItsAddress(german, { genres: ['jazz'] });
    tenMinutesOnReplaced(world, german, imported);
    await sweptPastStale(world, 10 * 60_000);

    expectSentOnceNaming(world, german.email, 'out-now', outNow, imported);
  });

  it.each([
    ['the release', aReleaseDetails({ territories: ['GB', 'DE'], releaseDate: '2027-03-12' })],
    ['its territory', deOnItsOwnDate('2027-03-12')],
  ])(
    'sends the date change of %s left open to the outlet imported again for another genre, as its mailing would',
    async (_, moved) => {
      const press = await anAnnouncedPress();
      const { german, world } = press;
      const update: ReleaseChange = { type: 'Release Updated', details: moved };
      const dateChange = await leftOpenToGerman(press, 'date-change', update, 'evt-moved');

      const imported = againAtItsAddress(german, { genres: ['jazz'] });
      tenMinutesOnReplaced(world, german, imported);
      await sweptPastStale(world, 10 * 60_000);

      expectSentOnceNaming(world, german.email, 'date-change', dateChange, imported);
    },
  );

  // Releases keep the last askedDateChangesKept asks (dateChangesAsked); DE's change, still standing (its
  // dateChanges entry), is no longer among them once Britain's date has moved that many times since.
  it('sends the date change of its territory left open to the outlet imported again, once releases no longer keep its ask', async () => {
    const press = await anAnnouncedPress();
    const { german, world, label } = press;
    const deOn12March = (gb: string) =>
      aReleaseDetails({
        territories: ['GB', 'DE'],
        releaseDate: gb,
        territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-12' }],
      });
    const update = { type: 'Release Updated', details: deOn12March('2027-03-05') } as const;
    const dateChange = await leftOpenToGerman(press, 'date-change', update, 'evt-de-moved');
    for (let move = 1; move <= askedDateChangesKept; move++) {
      const gb = move % 2 === 1 ? '2027-03-06' : '2027-03-05';
      const at = new Date(Date.parse('2026-02-02T10:00:00.000Z') + move * 60_000).toISOString();
      await label({ type: 'Release Updated', details: deOn12March(gb) }, `evt-gb-moved-${move}`, at);
    }
    const stored = world.releases.get('lbl-nightshift/rel-night-drive')!;
    const kept = (asked?: { moment?: string; revision: string }[]) =>
      (asked ?? []).some((a) => a.moment === dateChange.moment && a.revision === dateChange.revision);

    const imported = againAtItsAddress(german);
    tenMinutesOnReplaced(world, german, imported);
    await sweptPastStale(world, 10 * 60_000);

    expect([kept(stored.dateChangesAsked), kept(stored.dateChanges)]).toEqual([false, true]);
    expectSentOnceNaming(world, german.email, 'date-change', dateChange, imported);
    expect(toldDeOf(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '12 March 2027' });
  });

  it('closes unsent the withdrawal left open to an outlet deleted and not imported again', async () => {
    const press = await anAnnouncedPress();
    const { german, world } = press;
    const withdrawal = await leftOpenToGerman(press, 'cancellation', withdrawDe, 'evt-withdrawn');

    tenMinutesOnReplaced(world, german);
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
    const { outlet, world } = await anOpenAnnouncement();

    tenMinutesOnReplaced(world, outlet, anOutlet({ email: outlet.email, ...imported }));
    await sweptPastStale(world, 10 * 60_000);
    await sweepEachMinute(world, 60);

    expect(world.mailer.receivedBy(outlet.email, 'announcement')).toHaveLength(0);
  });

  it('is followed by the out-now the release day asked while it was open, to the outlet imported again', async () => {
    const { world, german, store, release, releaseDay } = aLabelAndItsPress();
    await store.putIfNewer(release, []);
    await unanswered(world, 'announcement', () => sendMailing(announce, meta, world.deps, far()));

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

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'out-now']);
  });
});
