import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { applyReleaseChange } from '#functions/releases/apply-change.ts';
import type { ReleasesDeps } from '#functions/releases/ports.ts';
import { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { firstMailsDue } from '#shared/first-mails.ts';
import { type StoredRelease, standingWithdrawalConcerns } from '#shared/releases.ts';
import { announce, detailOf, fakeWorld, far, mailTextOf, meta } from '#test/support/announcer-fakes.ts';
import {
  anOutlet,
  aReleaseDetails,
  aStoredRelease,
  InMemoryReleases,
  idleSchedules,
} from '#test/support/releases.ts';

/**
 * A release for the whole world (`WW`, as an ERN `Worldwide` deal gives it) narrowed by a later
 * description to some countries: every other country is withdrawn, and the outlets announced there
 * that the release no longer reaches are told (docs/design.md#ddex-ern).
 */
/**
 * Releases applies the label's `change` (event `eventId`, of 1 February 2026) to `release` as stored, its
 * schedules kept nowhere: the store holds what it published.
 */
async function releasesApply(
  release: StoredRelease,
  change: Parameters<typeof applyReleaseChange>[0],
  eventId: string,
) {
  const store = new InMemoryReleases();
  await store.putIfNewer(release, []);
  const deps: ReleasesDeps = {
    releases: store,
    schedules: idleSchedules,
    now: () => new Date('2026-06-01T12:00:00Z'),
  };
  await applyReleaseChange(
    change,
    { labelId: 'lbl-nightshift', eventId, correlationId: 'corr', occurredAt: '2026-02-01T10:00:00.000Z' },
    deps,
  );
  return store;
}

/** The announcer of `world` sends each mailing releases asked for in `store`, the release as `store` keeps it. */
async function sendMailingsAsked(world: ReturnType<typeof fakeWorld>, store: InMemoryReleases) {
  world.releases.set(
    'lbl-nightshift/rel-night-drive',
    (await store.get('lbl-nightshift', 'rel-night-drive'))!,
  );
  for (const entry of store.published.filter((e) => e.detailType === 'Mailing Requested')) {
    await sendMailing(detailOf(entry).data, meta, world.deps, far());
  }
}

describe('a worldwide release narrowed to one country', () => {
  it('tells the outlets announced in the countries it no longer reaches that it is withdrawn there', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const british = anOutlet({ kind: 'press', territories: ['GB'] });
    const worldwide = aStoredRelease({ details: aReleaseDetails({ territories: ['WW'] }) });
    const world = fakeWorld({ releases: [worldwide], outlets: [german, british] });
    await sendMailing(announce, meta, world.deps, far());
    expect(world.mailer.delivered.map((m) => m.email).sort()).toEqual([british.email, german.email].sort());

    // The label's next description lists GB only: releases applies it and asks for the withdrawal.
    const store = await releasesApply(
      worldwide,
      { type: 'Release Updated', details: aReleaseDetails({ territories: ['GB'] }) },
      'evt-narrowed',
    );
    // Releases asks for it (the withdrawal from WW); the announcer must find who it concerns.
    expect(
      store.published.map((e) => detailOf(e).data).filter((d) => d.kind === 'cancellation'),
    ).toMatchObject([{ territories: ['WW'] }]);
    await sendMailingsAsked(world, store);

    // The German outlet was announced a release it no longer gets; the British one still gets it.
    expect(world.mailer.delivered.filter((m) => m.kind === 'cancellation').map((m) => m.email)).toEqual([
      german.email,
    ]);
  });
});

describe('a withdrawal from a territory with the label’s reason', () => {
  it('states the label’s reason in the withdrawal mail to that territory’s outlets', async () => {
    const british = anOutlet({ kind: 'press', territories: ['GB'] });
    const release = aStoredRelease({ details: aReleaseDetails({ territories: ['GB', 'IE'] }) });
    const world = fakeWorld({ releases: [release], outlets: [british] });
    await sendMailing(announce, meta, world.deps, far());

    const store = await releasesApply(
      release,
      {
        type: 'Release Cancelled',
        releaseId: 'rel-night-drive',
        territories: ['GB'],
        reason: 'The rights in the United Kingdom have lapsed.',
      },
      'evt-gb-out',
    );
    await sendMailingsAsked(world, store);

    const text = mailTextOf(world, british.email, 'cancellation') as
      | { cancellationReason?: string }
      | undefined;
    expect(text?.cancellationReason).toContain('The rights in the United Kingdom have lapsed.');
  });
});

describe('a withdrawal mail’s record', () => {
  it('keeps the territories of the outlet it told, by which its links are judged once the outlet is deleted', async () => {
    const british = anOutlet({ kind: 'press', territories: ['GB', 'FR'] });
    const release = aStoredRelease({ details: aReleaseDetails({ territories: ['GB', 'FR', 'IE'] }) });
    const world = fakeWorld({ releases: [release], outlets: [british] });
    await sendMailing(announce, meta, world.deps, far());

    const store = await releasesApply(
      release,
      { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['GB', 'FR'] },
      'evt-gb-fr-out',
    );
    await sendMailingsAsked(world, store);

    const withdrawal = [...world.deliveries.items.values()].filter((d) => d.kind === 'cancellation');
    expect(withdrawal.map((d) => d.context)).toEqual([{ outletId: british.id, territories: 'GB,FR' }]);
  });
});

describe('a worldwide release withdrawn from one country', () => {
  it('tells that country’s outlets of the withdrawal, announces nothing there afterwards, and leaves the others', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const british = anOutlet({ kind: 'press', territories: ['GB'] });
    const everywhere = anOutlet({ kind: 'press', territories: ['WW'] });
    const germanAndFrench = anOutlet({ kind: 'press', territories: ['DE', 'FR'] });
    const worldwide = aStoredRelease({ details: aReleaseDetails({ territories: ['WW'] }) });
    const world = fakeWorld({
      releases: [worldwide],
      outlets: [german, british, everywhere, germanAndFrench],
    });
    await sendMailing(announce, meta, world.deps, far());
    expect(world.mailer.delivered).toHaveLength(4);

    const store = await releasesApply(
      worldwide,
      { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['DE'] },
      'evt-de-out',
    );
    const stored = (await store.get('lbl-nightshift', 'rel-night-drive'))!;
    // Worldwide but Germany: the release still lists WW, and leaves DE out of it.
    expect(stored.details).toMatchObject({ territories: ['WW'], excludedTerritories: ['DE'] });
    expect(stored.withdrawn?.territories).toEqual(['DE']);
    await sendMailingsAsked(world, store);

    // Only the outlet the release no longer reaches is told; FR still reaches the other German one.
    expect(world.mailer.delivered.filter((m) => m.kind === 'cancellation').map((m) => m.email)).toEqual([
      german.email,
    ]);
    expect(standingWithdrawalConcerns(german, stored)).toBe(true);
    expect(standingWithdrawalConcerns(germanAndFrench, stored)).toBe(false);

    // Announced afterwards (a German outlet new to the directory, or the announcement asked again): not in DE.
    const newGerman = anOutlet({ kind: 'press', territories: ['DE'] });
    world.directory.push(newGerman);
    await sendMailing(announce, meta, world.deps, far());
    expect(firstMailsDue([newGerman], stored, world.deps.now())).toEqual([]);
    expect(world.mailer.receivedBy(newGerman.email)).toEqual([]);
    expect(world.mailer.delivered.filter((m) => m.kind === 'announcement')).toHaveLength(4);
  });

  it('refuses, naming the field, countries excluded from a release that does not list WW', () => {
    const parsed = ReleaseDetails.safeParse({
      ...aReleaseDetails({ territories: ['GB'] }),
      excludedTerritories: ['DE'],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path)).toEqual([['excludedTerritories', 0]]);
    expect(
      ReleaseDetails.safeParse({ ...aReleaseDetails({ territories: ['WW'] }), excludedTerritories: ['DE'] })
        .success,
    ).toBe(true);
  });
});
