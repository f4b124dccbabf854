import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import type { Outlet } from '#shared/outlets.ts';
import type { StoredRelease } from '#shared/releases.ts';

/** Builders for the releases and announcer tests: defaults that read like a real release and outlet. */

export const aReleaseDetails = (overrides: Partial<ReleaseDetails> = {}): ReleaseDetails => ({
  releaseId: 'rel-night-drive',
  title: 'Night Drive',
  artists: [{ name: 'The Midnight Echoes' }],
  kind: 'single',
  releaseDate: '2027-03-05',
  releaseTime: '00:00',
  timeZone: 'Europe/London',
  territories: ['GB', 'IE'],
  genres: ['synthpop'],
  tracks: [{ title: 'Night Drive' }],
  pressRelease: { text: 'The Midnight Echoes return with a late-night single.' },
  promoAssets: [{ kind: 'stream', url: 'https://promo.example.com/night-drive', expiresInDays: 30 }],
  ...overrides,
});

export const aStoredRelease = (overrides: Partial<StoredRelease> = {}): StoredRelease => ({
  labelId: 'lbl-nightshift',
  releaseId: 'rel-night-drive',
  state: 'scheduled',
  details: aReleaseDetails({ releaseId: overrides.releaseId ?? 'rel-night-drive' }),
  occurredAt: '2026-01-01T10:00:00.000Z',
  lastEventId: 'evt-1',
  lastCorrelationId: 'corr-1',
  lastEffects: [],
  createdAt: '2026-01-01T10:00:01.000Z',
  updatedAt: '2026-01-01T10:00:01.000Z',
  ...overrides,
});

let outletCounter = 0;
export const anOutlet = (overrides: Partial<Outlet> = {}): Outlet => {
  outletCounter++;
  const id = overrides.id ?? `out-${String(outletCounter).padStart(5, '0')}`;
  return {
    id,
    name: `Outlet ${id}`,
    email: `${id}@media.example`,
    kind: 'radio',
    genres: [],
    territories: ['GB'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
};

export const outlets = (count: number, overrides: Partial<Outlet> = {}): Outlet[] =>
  Array.from({ length: count }, () => anOutlet(overrides));

/** A release store that only reads (intake and recipients ask it): the releases given, by label and id. */
export const knownReleases = (...releases: Pick<StoredRelease, 'labelId' | 'releaseId' | 'details'>[]) => ({
  async get(labelId: string, releaseId: string) {
    const found = releases.find((r) => r.labelId === labelId && r.releaseId === releaseId);
    return found ? (structuredClone(found) as StoredRelease) : undefined;
  },
});
