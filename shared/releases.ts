import type { MailKind } from './events/mailing-requested.ts';
import type { ReleaseDetails } from './events/release-scheduled.ts';

/**
 * A release as Backline keeps it: the label's latest description plus what Backline did with it.
 * Shared by releases (which writes it), the announcer (which mails it) and the management API.
 */
export type ReleaseState = 'scheduled' | 'out' | 'cancelled';

export interface ReleaseMoment {
  releaseDate: string;
  releaseTime: string;
  timeZone: string;
}

/** What applying one label change asks of the world; kept with the release so a retry can redo it. */
export type ReleaseEffect =
  | { type: 'schedule-release-day'; moment: ReleaseMoment }
  | { type: 'unschedule-release-day' }
  | { type: 'schedule-announcement'; announceAt: string }
  | { type: 'unschedule-announcement' }
  | { type: 'request-mailing'; kind: MailKind; revision?: string; territories?: string[] };

export interface StoredRelease {
  labelId: string;
  releaseId: string;
  state: ReleaseState;
  /** Absent only for a cancellation that arrived before the release itself (a tombstone). */
  details?: ReleaseDetails;
  /** The label's time of the change applied last (UTC ISO 8601): newer changes only (docs/design.md#ordering-by-the-labels-timestamp). */
  occurredAt: string;
  /** The event that applied it, and the effects it asked for, so a redelivered event replays them. */
  lastEventId: string;
  lastCorrelationId: string;
  lastEffects: ReleaseEffect[];
  /**
   * Set while `lastEffects` may not have happened yet (stored before they are performed, cleared
   * after): a newer change that overtakes the retry of this one carries them on.
   */
  effectsPending?: true;
  previousMoment?: ReleaseMoment;
  /** The label's time of the change that last moved the release day: outlets announced before it get the date change. */
  movedAt?: string;
  cancellationReason?: string;
  outAt?: string;
  /** When the schedule set for the release's `announceAt` fired and asked for the announcement. */
  embargoLiftedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export const momentOf = (
  details: Pick<ReleaseDetails, 'releaseDate' | 'releaseTime' | 'timeZone'>,
): ReleaseMoment => ({
  releaseDate: details.releaseDate,
  releaseTime: details.releaseTime,
  timeZone: details.timeZone,
});

export const sameMoment = (a: ReleaseMoment, b: ReleaseMoment): boolean =>
  a.releaseDate === b.releaseDate && a.releaseTime === b.releaseTime && a.timeZone === b.timeZone;

/** A date change's revision: the new date, time and zone, part of the mail's identity (docs/design.md#exactly-once-mail). */
export const revisionOf = (moment: ReleaseMoment): string =>
  `${moment.releaseDate}T${moment.releaseTime} ${moment.timeZone}`;

/** The instant before which the release may not be announced (`announceAt`, or its older name `embargoUntil`). */
export const announceAtOf = (
  details: Pick<ReleaseDetails, 'announceAt' | 'embargoUntil'>,
): string | undefined => details.announceAt ?? details.embargoUntil;

/** Whether the release is still under embargo at `now` (an ISO instant or a Date). */
export const embargoed = (
  details: Pick<ReleaseDetails, 'announceAt' | 'embargoUntil'>,
  now: string | Date,
): boolean => {
  const until = announceAtOf(details);
  return until !== undefined && Date.parse(until) > new Date(now).getTime();
};
