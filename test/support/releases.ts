import { type ChangeMeta, decideChange, type ReleaseChange } from '#functions/releases/apply-change.ts';
import type { ReleasesDeps } from '#functions/releases/ports.ts';
import {
  type AppliedChangeRecord,
  comingKeys,
  type ReleaseChangeRecord,
  type ReleaseStore,
} from '#shared/db/releases.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import type { Outlet } from '#shared/outlets.ts';
import { lastStreetDateOf, revisionOf, type StoredRelease } from '#shared/releases.ts';

/** Builders for the releases and announcer tests: defaults that read like a real release and outlet. */

/** The release function's schedules, doing nothing: for a test that does not look at what is scheduled. */
export const idleSchedules: ReleasesDeps['schedules'] = {
  upsertReleaseDay: async () => {},
  deleteReleaseDay: async () => {},
  upsertAnnouncement: async () => {},
  deleteAnnouncement: async () => {},
  upsertRadioServicing: async () => {},
  deleteRadioServicing: async () => {},
};

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

/**
 * A release in `territories` (GB and DE unless given) serviced to radio on 22 February 2027 (in `timeZone`,
 * Berlin's unless given; due at once), AAA added in GB on 1 March and in DE on `germanAddDate`: the radio
 * tests' release whose German add date moves while DE is withdrawn.
 */
export const servicedWithGermanAddDate = (
  germanAddDate: string,
  territories = ['GB', 'DE'],
  timeZone = 'Europe/Berlin',
): ReleaseDetails =>
  aReleaseDetails({
    territories,
    timeZone,
    radioServicing: {
      servicingDate: '2027-02-22',
      addDates: [
        { format: 'AAA', territory: 'GB', date: '2027-03-01' },
        { format: 'AAA', territory: 'DE', date: germanAddDate },
      ],
      edits: [],
    },
  });

/** The label's change's metadata at `occurredAt`, its event id named by that moment. */
export const releaseMetaAt = (occurredAt: string): ChangeMeta & { occurredAt: string } => ({
  labelId: 'lbl-nightshift',
  eventId: `evt-${occurredAt}`,
  correlationId: 'corr',
  occurredAt,
});

/** The label's `steps` (each change at its moment) decided in order from no release: the release stored after the last, and the last one's effects. */
export const decideChanges = (steps: [ReleaseChange, string][]) => {
  let stored: StoredRelease | undefined;
  let effects: unknown[] = [];
  for (const [change, at] of steps)
    ({ next: stored, effects } = decideChange(stored, change, releaseMetaAt(at), at));
  return { stored: stored!, effects };
};

/** A stored release; its `lastStreetDateAt` is its details' as releases writes it, unless given. */
export const aStoredRelease = (overrides: Partial<StoredRelease> = {}): StoredRelease => {
  const release: StoredRelease = {
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
  };
  if (!('lastStreetDateAt' in overrides) && release.details)
    release.lastStreetDateAt = lastStreetDateOf(release.details);
  return release;
};

/** aStoredRelease with its date moved by the label to `releaseDate` (a change of 1 February 2026). */
export const aMovedRelease = (releaseDate: string): StoredRelease =>
  aStoredRelease({
    details: aReleaseDetails({ releaseDate }),
    occurredAt: '2026-02-01T10:00:00.000Z',
    movedAt: '2026-02-01T10:00:00.000Z',
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
export const knownReleases = (
  ...releases: (Pick<StoredRelease, 'labelId' | 'releaseId' | 'details'> &
    Partial<Pick<StoredRelease, 'state' | 'withdrawn'>>)[]
) => ({
  async get(labelId: string, releaseId: string) {
    const found = releases.find((r) => r.labelId === labelId && r.releaseId === releaseId);
    return found ? (structuredClone(found) as StoredRelease) : undefined;
  },
});

/**
 * The releases still to come as the table's index lists them (shared/db/releases.ts `comingKeys`):
 * not cancelled, last street date after `now`, in that date's order, as one page.
 */
export async function* comingOf(
  releases: Iterable<StoredRelease>,
  now: Date,
): AsyncIterable<StoredRelease[]> {
  const listed = [...releases]
    .map((release) => ({ release, key: comingKeys(release).gsi1sk }))
    .filter((entry): entry is { release: StoredRelease; key: string } => entry.key !== undefined)
    .filter((entry) => entry.key > now.toISOString())
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  if (listed.length > 0) yield listed.map((entry) => structuredClone(entry.release));
}

/** A list the table keeps as a string set: each member once, given back sorted. */
const asSet = (members: readonly string[]) => [...new Set(members)].sort();

/**
 * An in-memory release store with the conditions of shared/db/releases.ts (newer changes only, an
 * applied change's record with its release, an ignored one only where none is; a release marked out, its embargo lifted or a servicing moment recorded only while it is scheduled or
 * out for exactly that moment; effects cleared only by the change applied last), so tests exercise
 * the real invariants. test/contracts/releases.contract.ts holds it to the DynamoDB store.
 */
export class InMemoryReleases implements ReleaseStore {
  /** The releases by `<labelId>/<releaseId>`. */
  readonly stored = new Map<string, StoredRelease>();
  /** The outbox entries written with the releases, in order. */
  readonly published: OutboxEntry[] = [];
  /** The record of every change, applied or not, one a change (its label, release, occurredAt and event id), in the order first recorded. */
  readonly changes: ReleaseChangeRecord[] = [];

  /** Where the record of `change` is in `changes`, or -1. */
  private recordOf = (change: ReleaseChangeRecord) =>
    this.changes.findIndex(
      (held) =>
        held.labelId === change.labelId &&
        held.releaseId === change.releaseId &&
        held.occurredAt === change.occurredAt &&
        held.eventId === change.eventId,
    );

  /** The record held for `change` (by its key: label, release, occurredAt and event id), or none. */
  changeHeld = (change: ReleaseChangeRecord): ReleaseChangeRecord | undefined =>
    this.changes[this.recordOf(change)];

  private readonly keyOf = (labelId: string, releaseId: string) => `${labelId}/${releaseId}`;

  /** The stored release, while it is scheduled or out (the state every mark requires). */
  private live(labelId: string, releaseId: string): StoredRelease | undefined {
    const current = this.stored.get(this.keyOf(labelId, releaseId));
    return current?.state === 'scheduled' || current?.state === 'out' ? current : undefined;
  }

  get = async (labelId: string, releaseId: string) =>
    structuredClone(this.stored.get(this.keyOf(labelId, releaseId)));

  putIfNewer = async (
    release: StoredRelease,
    outbox: OutboxEntry[],
    change?: AppliedChangeRecord,
    read: Pick<StoredRelease, 'outMoments'> = release,
  ) => {
    const key = this.keyOf(release.labelId, release.releaseId);
    const current = this.stored.get(key);
    if (current && !(current.occurredAt < release.occurredAt)) return false;
    // Nothing marked since the read the release was decided from (see dynamoReleases).
    const lacks = (held: readonly string[] | undefined, carried: readonly string[] | undefined) =>
      (held?.length ?? 0) > (carried?.length ?? 0);
    if (
      current &&
      (lacks(current.outMoments, read.outMoments) ||
        lacks(current.servicedMoments, release.servicedMoments) ||
        (current.embargoLiftedAt !== undefined && release.embargoLiftedAt === undefined))
    )
      return false;
    const next = structuredClone(release);
    if (next.outMoments?.length) next.outMoments = asSet(next.outMoments);
    if (next.servicedMoments?.length) next.servicedMoments = asSet(next.servicedMoments);
    this.stored.set(key, next);
    this.published.push(...outbox);
    // The applied record goes with the release, over one of the same change recorded as ignored.
    if (change) {
      const held = this.recordOf(change);
      if (held >= 0) this.changes[held] = structuredClone(change);
      else this.changes.push(structuredClone(change));
    }
    return true;
  };

  /** Only where the change has no record (see dynamoReleases). */
  recordChange = async (change: ReleaseChangeRecord) => {
    if (this.recordOf(change) < 0) this.changes.push(structuredClone(change));
  };

  coming = (now: Date) => comingOf(this.stored.values(), now);

  markEffectsPerformed = async (labelId: string, releaseId: string, eventId: string) => {
    const current = this.stored.get(this.keyOf(labelId, releaseId));
    if (current?.lastEventId === eventId) delete current.effectsPending;
  };

  markOut: ReleaseStore['markOut'] = async (labelId, releaseId, moment, at, outbox) => {
    const current = this.live(labelId, releaseId);
    if (!current) return false;
    const details = current.details;
    const isDate =
      details?.releaseDate === moment.releaseDate &&
      details.releaseTime === moment.releaseTime &&
      details.timeZone === moment.timeZone;
    if (!isDate && !current.momentKeys?.includes(revisionOf(moment))) return false;
    Object.assign(current, {
      state: 'out',
      outAt: current.outAt ?? at,
      updatedAt: at,
      outMoments: asSet([...(current.outMoments ?? []), revisionOf(moment)]),
    });
    this.published.push(...outbox);
    return true;
  };

  markEmbargoLifted: ReleaseStore['markEmbargoLifted'] = async (
    labelId,
    releaseId,
    announceAt,
    at,
    outbox,
  ) => {
    const current = this.live(labelId, releaseId);
    if (!current) return false;
    const details = current.details;
    const matches =
      details?.announceAt === announceAt ||
      (details?.announceAt === undefined && details?.embargoUntil === announceAt) ||
      current.announceAts?.includes(announceAt);
    if (!matches) return false;
    Object.assign(current, { embargoLiftedAt: current.embargoLiftedAt ?? at, updatedAt: at });
    this.published.push(...outbox);
    return true;
  };

  markServiced: ReleaseStore['markServiced'] = async (labelId, releaseId, servicingKey, at, outbox) => {
    const current = this.live(labelId, releaseId);
    if (!current?.servicingKeys?.includes(servicingKey)) return false;
    Object.assign(current, {
      updatedAt: at,
      servicedMoments: asSet([...(current.servicedMoments ?? []), servicingKey]),
    });
    this.published.push(...outbox);
    return true;
  };
}
