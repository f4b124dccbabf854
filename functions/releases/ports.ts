import type { ReleaseChangeRecord } from '#shared/db/releases.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { ReleaseMoment, StoredRelease } from '#shared/releases.ts';

/** What releases needs from the world: small ports, adapters in adapters.ts, fakes in tests. */

export interface ReleaseStore {
  get(labelId: string, releaseId: string): Promise<StoredRelease | undefined>;
  /**
   * Stores the release only if the stored one is older, with the events it leads to in the same
   * write (see docs/design.md#ordering-by-the-labels-timestamp and docs/design.md#the-outbox);
   * false otherwise, and then neither is written.
   */
  putIfNewer(release: StoredRelease, outbox: OutboxEntry[]): Promise<boolean>;
  recordChange(change: ReleaseChangeRecord): Promise<void>;
  /** Clears `effectsPending`, only while `eventId` is still the change applied last (a newer one carries them on). */
  markEffectsPerformed(labelId: string, releaseId: string, eventId: string): Promise<void>;
  /** Marks the release out while it is scheduled (or already out) for exactly `moment`, with the events it leads to. */
  markOut(
    labelId: string,
    releaseId: string,
    moment: ReleaseMoment,
    at: string,
    outbox: OutboxEntry[],
  ): Promise<boolean>;
}

export interface ReleaseDaySchedule {
  labelId: string;
  releaseId: string;
  moment: ReleaseMoment;
  correlationId: string;
}

export interface Schedules {
  /** Creates the release's one-time release-day schedule, or moves it (docs/design.md#schedules). */
  upsertReleaseDay(schedule: ReleaseDaySchedule): Promise<void>;
  /** Deletes it; a schedule that is not there (fired, never made) is fine. */
  deleteReleaseDay(labelId: string, releaseId: string): Promise<void>;
}

export interface ReleasesDeps {
  releases: ReleaseStore;
  schedules: Schedules;
  now: () => Date;
}
