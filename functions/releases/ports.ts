import type { ReleaseStore } from '#shared/db/releases.ts';
import type { ReleaseMoment } from '#shared/releases.ts';

/** What releases needs from the world: small ports, adapters in adapters.ts, fakes in tests. */

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
