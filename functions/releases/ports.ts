import type { ReleaseStore } from '#shared/db/releases.ts';
import type { ReleaseMoment } from '#shared/releases.ts';

/** What releases needs from the world: small ports, adapters in adapters.ts, fakes in tests. */

export interface ReleaseDaySchedule {
  labelId: string;
  releaseId: string;
  moment: ReleaseMoment;
  /** One of the release's street dates per territory: the schedule is named by the moment as well. */
  perMoment?: true;
  correlationId: string;
}

export interface AnnouncementSchedule {
  labelId: string;
  releaseId: string;
  /** The release's `announceAt` as the label gave it: the firing carries it, and is stale once it changed. */
  announceAt: string;
  /** A territory entry's embargo: the schedule is named by the instant as well. */
  perInstant?: true;
  correlationId: string;
}

/** One of a release's radio servicing moments (see docs/design.md#radio-servicing). */
export interface RadioServicingSchedule {
  labelId: string;
  releaseId: string;
  moment: ReleaseMoment;
  correlationId: string;
}

export interface Schedules {
  /** Creates the release's one-time release-day schedule, or moves it (docs/design.md#schedules). */
  upsertReleaseDay(schedule: ReleaseDaySchedule): Promise<void>;
  /** Deletes it (with `moment`, that moment's); a schedule that is not there (fired, never made) is fine. */
  deleteReleaseDay(labelId: string, releaseId: string, moment?: ReleaseMoment): Promise<void>;
  /** Creates or moves the one-time schedule that ends the release's embargo (see docs/design.md#embargoes). */
  upsertAnnouncement(schedule: AnnouncementSchedule): Promise<void>;
  /** Deletes it; one that is not there is fine. */
  deleteAnnouncement(labelId: string, releaseId: string): Promise<void>;
  /** Creates (or updates) the one-time schedule of one radio servicing moment. */
  upsertRadioServicing(schedule: RadioServicingSchedule): Promise<void>;
  /** Deletes that moment's schedule; one that is not there is fine. */
  deleteRadioServicing(labelId: string, releaseId: string, moment: ReleaseMoment): Promise<void>;
}

export interface ReleasesDeps {
  releases: ReleaseStore;
  schedules: Schedules;
  now: () => Date;
}
