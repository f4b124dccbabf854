import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { announceToChangedOutlets } from '#functions/announcer/outlets-changed.ts';
import { firstMailsDue } from '#shared/first-mails.ts';
import type { Outlet } from '#shared/outlets.ts';
import type { StoredRelease } from '#shared/releases.ts';
import { announce, detailOf, type FakeWorld, fakeWorld, far, meta } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

/**
 * Outlets added to the directory (or changed to match) after a release was announced: the fake world's
 * clock stands at 2027-03-01 12:00 UTC, aStoredRelease comes out in GB and IE on 2027-03-05.
 */
const now = new Date('2027-03-01T12:00:00Z');
const london = '2027-03-05T00:00 Europe/London';

/** GB out on 5 March (come), DE on 12 March (still to come). */
const partlyOut = (overrides: Partial<StoredRelease> = {}) =>
  aStoredRelease({
    state: 'out',
    outMoments: [london],
    details: aReleaseDetails({
      territories: ['GB', 'DE'],
      territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-12', timeZone: 'Europe/Berlin' }],
    }),
    ...overrides,
  });

const kindsFor = (outlet: Outlet, release: StoredRelease, at = now) =>
  firstMailsDue([outlet], release, at).map((due) => due.kind);

describe('which first mails an outlet added or changed is due', () => {
  it('is the announcement of a release still to come that it matches, and nothing for one it does not match', () => {
    expect(kindsFor(anOutlet({ territories: ['GB'] }), aStoredRelease())).toEqual(['announcement']);
    expect(kindsFor(anOutlet({ territories: ['FR'] }), aStoredRelease())).toEqual([]);
    expect(kindsFor(anOutlet({ genres: ['metal'] }), aStoredRelease())).toEqual([]);
  });

  it('is nothing for a release cancelled, out everywhere, or withdrawn from the outlet’s territory', () => {
    const gb = anOutlet({ territories: ['GB'] });
    expect(kindsFor(gb, aStoredRelease({ state: 'cancelled' }))).toEqual([]);
    expect(kindsFor(gb, aStoredRelease({ state: 'out', outAt: '2027-03-05T00:00:00Z' }))).toEqual([]);
    expect(kindsFor(gb, aStoredRelease(), new Date('2027-03-06T00:00:00Z'))).toEqual([]);
    expect(kindsFor(gb, partlyOut({ outMoments: [london, '2027-03-12T00:00 Europe/Berlin'] }))).toEqual([]);
    const withdrawnFromGb = aStoredRelease({
      details: aReleaseDetails({ territories: ['IE'] }),
      withdrawn: { territories: ['GB'], at: '2026-02-01T10:00:00.000Z' },
    });
    expect(kindsFor(gb, withdrawnFromGb)).toEqual([]);
    expect(kindsFor(anOutlet({ territories: ['IE'] }), withdrawnFromGb)).toEqual(['announcement']);
  });

  it('is the announcement of a release out where the outlet is while still to come elsewhere (its out-now follows it)', () => {
    expect(kindsFor(anOutlet({ territories: ['GB'] }), partlyOut())).toEqual(['announcement']);
    expect(kindsFor(anOutlet({ territories: ['DE'] }), partlyOut())).toEqual(['announcement']);
  });

  it('holds to the embargoes: the release’s own, and the one of the outlet’s territory', () => {
    const gb = anOutlet({ territories: ['GB'] });
    const embargoed = aStoredRelease({
      details: aReleaseDetails({ announceAt: '2027-03-02T09:00:00Z' }),
    });
    expect(kindsFor(gb, embargoed)).toEqual([]);
    expect(kindsFor(gb, embargoed, new Date('2027-03-02T09:00:00Z'))).toEqual(['announcement']);
    const deHeld = partlyOut();
    deHeld.details!.territoryDates![0].announceAt = '2027-03-03T09:00:00Z';
    expect(kindsFor(anOutlet({ territories: ['DE'] }), deHeld)).toEqual([]);
    expect(kindsFor(anOutlet({ territories: ['GB'] }), deHeld)).toEqual(['announcement']);
  });

  it('passes opted-out outlets, and names only the outlets each mail is for', () => {
    const release = aStoredRelease();
    const [gb, fr] = [anOutlet({ territories: ['GB'] }), anOutlet({ territories: ['FR'] })];
    const unsubscribed = anOutlet({ territories: ['GB'], unsubscribedAt: '2027-01-01T00:00:00Z' });
    const suppressed = anOutlet({ territories: ['GB'], suppressedAt: '2027-01-01T00:00:00Z' });
    expect(firstMailsDue([gb, fr, unsubscribed, suppressed], release, now)).toEqual([
      { kind: 'announcement', outletIds: [gb.id] },
    ]);
  });

  it('is radio servicing for a radio outlet of a release serviced to radio once servicing began, nothing before', () => {
    const serviced = (servicingDate: string) =>
      aStoredRelease({
        details: aReleaseDetails({ radioServicing: { servicingDate, addDates: [], edits: [] } }),
      });
    const radio = anOutlet({ kind: 'radio', territories: ['GB'] });
    const press = anOutlet({ kind: 'press', territories: ['GB'] });
    expect(kindsFor(radio, serviced('2027-02-20'))).toEqual(['radio-servicing']);
    expect(kindsFor(press, serviced('2027-02-20'))).toEqual(['announcement']);
    expect(kindsFor(radio, serviced('2027-03-04'))).toEqual([]);
  });
});

/** Plays the bus for the announcer: every Mailing Requested published, and those they ask for, in turn. */
async function runMailings(world: FakeWorld) {
  for (let done = 0; done < world.published.length; done++) {
    const entry = world.published[done];
    if (entry.detailType === 'Mailing Requested')
      await sendMailing(detailOf(entry).data, meta, world.deps, far());
  }
}

describe('outlets added after a release was announced', () => {
  it('announces the release to an outlet added since, once, and nothing more to those told before', async () => {
    const first = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [first] });
    await sendMailing(announce, meta, world.deps, far());
    const added = anOutlet({ territories: ['GB'] });
    world.directory.push(added);
    world.published.length = 0;

    await announceToChangedOutlets([added.id], meta, world.deps);
    await runMailings(world);
    // The same event again (at least once delivery), or a later edit of the outlet: nothing more.
    await announceToChangedOutlets([added.id], meta, world.deps);
    await runMailings(world);

    expect(world.mailer.kindsReceivedBy(added.email)).toEqual(['announcement']);
    expect(world.mailer.kindsReceivedBy(first.email)).toEqual(['announcement']);
    // Asked for the added outlet only, not the directory.
    const requests = world.published
      .filter((e) => e.detailType === 'Mailing Requested')
      .map((e) => detailOf(e).data);
    expect(requests.every((r) => JSON.stringify(r.outletIds) === JSON.stringify([added.id]))).toBe(true);
  });

  it('tells an outlet added where the release is out, while it is still to come elsewhere, of the release and that it is out', async () => {
    const world = fakeWorld({ releases: [partlyOut()], outlets: [] });
    const gb = anOutlet({ territories: ['GB'] });
    const de = anOutlet({ territories: ['DE'] });
    world.directory.push(gb, de);

    await announceToChangedOutlets([gb.id, de.id], meta, world.deps);
    await runMailings(world);

    expect(world.mailer.kindsReceivedBy(gb.email)).toEqual(['announcement', 'out-now']);
    expect(world.mailer.kindsReceivedBy(de.email)).toEqual(['announcement']);
  });

  it('asks nothing of a release cancelled or out everywhere, and nothing for outlets gone or opted out', async () => {
    const cancelled = aStoredRelease({ releaseId: 'rel-cancelled', state: 'cancelled' });
    const out = aStoredRelease({ releaseId: 'rel-out', state: 'out', outAt: '2027-02-01T00:00:00Z' });
    out.details!.releaseDate = '2027-02-01';
    const world = fakeWorld({ releases: [cancelled, out], outlets: [] });
    const gb = anOutlet({ territories: ['GB'] });
    const unsubscribed = anOutlet({ territories: ['GB'], unsubscribedAt: '2027-01-01T00:00:00Z' });
    world.directory.push(gb);
    world.releases.set('lbl-nightshift/rel-night-drive', aStoredRelease());
    world.directory.push(unsubscribed);

    const asked = await announceToChangedOutlets([gb.id, unsubscribed.id, 'out-deleted'], meta, world.deps);
    await runMailings(world);

    expect(asked).toEqual({ outlets: 1, mailings: 1 });
    expect(world.mailer.delivered.map((m) => [m.email, m.kind])).toEqual([[gb.email, 'announcement']]);
  });
});

// A late mailing (outletIds) completed like the release's own, stating `Release Announced` ("Every
// matching outlet has been sent the announcement of a release", README: outside consumers) again for
// each outlet added, with nothing in it saying it was for some outlets only; its follow-ups likewise.
describe('the fact a late mailing states', () => {
  it('does not state Release Announced for the release a second time, as if the directory were announced again', async () => {
    const first = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [first] });
    await sendMailing(announce, meta, world.deps, far());
    const added = anOutlet({ territories: ['GB'] });
    world.directory.push(added);

    await announceToChangedOutlets([added.id], meta, world.deps);
    await runMailings(world);

    const announced = world.published
      .filter((e) => e.detailType === 'Release Announced')
      .map((e) => detailOf(e).data);
    expect(announced).toHaveLength(1);
  });

  it('states no fact for the follow-ups asked for those outlets only, and still mails them', async () => {
    const world = fakeWorld({ releases: [partlyOut()], outlets: [] });
    const gb = anOutlet({ territories: ['GB'] });
    world.directory.push(gb);

    await announceToChangedOutlets([gb.id], meta, world.deps);
    await runMailings(world);

    expect(world.mailer.kindsReceivedBy(gb.email)).toEqual(['announcement', 'out-now']);
    expect(world.published.map((e) => e.detailType)).toEqual(['Mailing Requested', 'Mailing Requested']);
  });
});
