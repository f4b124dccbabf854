import type { Metadata } from '#shared/events/envelope.ts';
import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import {
  announceAtOf,
  embargoed,
  momentOf,
  type ReleaseEffect,
  type ReleaseMoment,
  revisionOf,
  type StoredRelease,
  sameMoment,
} from '#shared/releases.ts';
import type { ReleasesDeps } from './ports.ts';

export type ReleaseChange =
  | { type: 'Release Scheduled' | 'Release Updated'; details: ReleaseDetails }
  | { type: 'Release Cancelled'; releaseId: string; reason?: string; territories?: string[] };

export interface ChangeMeta {
  labelId: string;
  eventId: string;
  correlationId: string;
  /** When the change happened at the label (the webhook's `timestamp`). */
  occurredAt: string;
}

export type ChangeOutcome =
  | { outcome: 'applied' | 'replayed'; effects: ReleaseEffect[] }
  | { outcome: 'ignored'; reason: string };

const releaseIdOf = (change: ReleaseChange) =>
  change.type === 'Release Cancelled' ? change.releaseId : change.details.releaseId;

const widened = (before: readonly string[], after: readonly string[]) => {
  const known = new Set(before.map((value) => value.toLowerCase()));
  return after.some((value) => !known.has(value.toLowerCase()));
};

/** The territories `before` lists and `after` no longer does. */
const dropped = (before: readonly string[], after: readonly string[]) =>
  before.filter((territory) => !after.includes(territory));

/** The release without `territories` (and their street dates): what stays when it is withdrawn there. */
function withdrawnFrom(details: ReleaseDetails, territories: readonly string[]): ReleaseDetails {
  const stays = (territory: string) => !territories.includes(territory);
  const territoryDates = details.territoryDates
    ?.map((entry) => ({ ...entry, territories: entry.territories.filter(stays) }))
    .filter((entry) => entry.territories.length > 0);
  const { territoryDates: _before, ...rest } = details;
  return {
    ...rest,
    territories: details.territories.filter(stays),
    ...(territoryDates && territoryDates.length > 0 ? { territoryDates } : {}),
  };
}

/**
 * The effects of the change applied before, if they may not have happened (its schedule failed and
 * this newer change overtook its retry, which will now be ignored as older), restated for the
 * release as it is now: the release day at the current moment while scheduled. Its mailings need no
 * carrying: they were asked for in the outbox, in the same write as that change. A cancellation
 * supersedes them.
 */
function carriedForward(
  stored: StoredRelease | undefined,
  next: Omit<StoredRelease, 'lastEffects'>,
  now: string,
): ReleaseEffect[] {
  if (!stored?.effectsPending || next.state !== 'scheduled' || !next.details) return [];
  const carried: ReleaseEffect[] = [];
  if (stored.lastEffects.some((effect) => effect.type === 'schedule-release-day')) {
    carried.push({ type: 'schedule-release-day', moment: momentOf(next.details) });
  }
  const announceAt = announceAtOf(next.details);
  if (
    announceAt &&
    embargoed(next.details, now) &&
    stored.lastEffects.some((effect) => effect.type === 'schedule-announcement')
  ) {
    carried.push({ type: 'schedule-announcement', announceAt });
  }
  return carried;
}

/**
 * Announcing the release: at once, or, under embargo, by a schedule at its `announceAt` (see
 * docs/design.md#embargoes). The announcer holds any announcement asked for earlier as well.
 */
const announcement = (details: ReleaseDetails, now: string): ReleaseEffect => {
  const announceAt = announceAtOf(details);
  return announceAt && embargoed(details, now)
    ? { type: 'schedule-announcement', announceAt }
    : { type: 'request-mailing', kind: 'announcement' };
};

const effectKey = (effect: ReleaseEffect) =>
  effect.type === 'request-mailing'
    ? JSON.stringify([effect.type, effect.kind, effect.revision ?? '', effect.territories ?? []])
    : effect.type;

/**
 * The release after the change, and what it asks of the world: its own effects plus those of an
 * earlier change still pending. Merging is safe: schedules are upserts and mail claims exactly once. Pure.
 */
export function decideChange(
  stored: StoredRelease | undefined,
  change: ReleaseChange,
  meta: ChangeMeta & { occurredAt: string },
  now: string,
): { next: StoredRelease; effects: ReleaseEffect[] } {
  const { next, effects: own } = decideOwnEffects(stored, change, meta, now);
  const byKey = new Map(
    [...carriedForward(stored, next, now), ...own].map((effect) => [effectKey(effect), effect]),
  );
  const effects = [...byKey.values()];
  const { effectsPending: _earlier, ...release } = next;
  const pending = effects.some((effect) => effect.type !== 'request-mailing');
  return {
    next: { ...release, lastEffects: effects, ...(pending ? { effectsPending: true } : {}) },
    effects,
  };
}

function decideOwnEffects(
  stored: StoredRelease | undefined,
  change: ReleaseChange,
  meta: ChangeMeta & { occurredAt: string },
  now: string,
): { next: Omit<StoredRelease, 'lastEffects'>; effects: ReleaseEffect[] } {
  const base = {
    labelId: meta.labelId,
    releaseId: releaseIdOf(change),
    occurredAt: meta.occurredAt,
    lastEventId: meta.eventId,
    lastCorrelationId: meta.correlationId,
    createdAt: stored?.createdAt ?? now,
    updatedAt: now,
  };

  if (change.type === 'Release Cancelled' && change.territories && stored?.details) {
    // Withdrawn from some territories: a change like any other, narrowing the release (below). If
    // none stays, it is cancelled as a whole.
    const details = withdrawnFrom(stored.details, change.territories);
    if (details.territories.length > 0) {
      return decideOwnEffects(stored, { type: 'Release Updated', details }, meta, now);
    }
  }

  if (change.type === 'Release Cancelled') {
    const effects: ReleaseEffect[] = [
      { type: 'unschedule-release-day' },
      { type: 'unschedule-announcement' },
    ];
    // Only outlets that were told about the release hear that it is cancelled.
    if (stored?.details) effects.push({ type: 'request-mailing', kind: 'cancellation' });
    return {
      next: {
        ...stored,
        ...base,
        state: 'cancelled',
        ...(change.reason ? { cancellationReason: change.reason } : {}),
      },
      effects,
    };
  }

  const details = change.details;
  const moment = momentOf(details);
  if (!stored?.details) {
    const effects: ReleaseEffect[] = [{ type: 'schedule-release-day', moment }, announcement(details, now)];
    return { next: { ...base, state: 'scheduled', details }, effects };
  }

  const before = stored.details;
  const effects: ReleaseEffect[] = [];
  const moved = !sameMoment(momentOf(before), moment);
  if (stored.state === 'scheduled') {
    if (moved) {
      effects.push({ type: 'schedule-release-day', moment });
      effects.push({ type: 'request-mailing', kind: 'date-change', revision: revisionOf(moment) });
    }
    // Newly matching outlets get the first announcement; claims keep the others from a second one.
    const wider = widened(before.territories, details.territories) || widened(before.genres, details.genres);
    // A new or moved embargo reschedules the announcement; one lifted early announces now.
    const embargoChanged = announceAtOf(before) !== announceAtOf(details);
    if (wider || embargoChanged) effects.push(announcement(details, now));
    if (embargoChanged && !embargoed(details, now)) effects.push({ type: 'unschedule-announcement' });
  }
  // The label's description is the whole release as it now stands (an ERN message replaces what earlier
  // ones said): a territory it no longer lists is withdrawn there, and that territory's outlets are told.
  const withdrawn = dropped(before.territories, details.territories);
  if (stored.state !== 'cancelled' && withdrawn.length > 0) {
    effects.push({ type: 'request-mailing', kind: 'cancellation', territories: withdrawn });
  }
  const previousMoment: ReleaseMoment | undefined = moved ? momentOf(before) : stored.previousMoment;
  return {
    next: {
      ...stored,
      ...base,
      details,
      ...(previousMoment ? { previousMoment } : {}),
      ...(moved ? { movedAt: meta.occurredAt } : {}),
    },
    effects,
  };
}

/**
 * Applies one label change to a release: only if the label made it after the change applied last
 * (see docs/design.md#ordering-by-the-labels-timestamp; older ones are recorded and ignored), and a
 * cancelled release stays cancelled. The mailings it asks for are outbox entries written with the
 * release (docs/design.md#the-outbox), so they cannot be lost. Its schedule effects are stored with
 * the release, marked pending until performed: a redelivered event (same event id) replays them,
 * and a newer change that overtakes it carries them on (decideChange). Replaying is safe because
 * schedules are upserts and mail claims are exactly-once.
 */
export async function applyReleaseChange(
  change: ReleaseChange,
  meta: ChangeMeta,
  deps: ReleasesDeps,
): Promise<ChangeOutcome> {
  const releaseId = releaseIdOf(change);
  const occurredAt = new Date(meta.occurredAt).toISOString();
  const now = deps.now().toISOString();
  const stored = await deps.releases.get(meta.labelId, releaseId);
  const record = (applied: boolean) =>
    deps.releases.recordChange({
      labelId: meta.labelId,
      releaseId,
      occurredAt,
      eventId: meta.eventId,
      detailType: change.type,
      applied,
      receivedAt: now,
    });

  if (stored?.lastEventId === meta.eventId) {
    await perform(stored, meta, deps);
    return { outcome: 'replayed', effects: stored.lastEffects };
  }
  if (stored && !(occurredAt > stored.occurredAt)) {
    await record(false);
    return { outcome: 'ignored', reason: `not newer than the change of ${stored.occurredAt}` };
  }
  if (stored?.state === 'cancelled') {
    await record(false);
    return { outcome: 'ignored', reason: 'the release is cancelled' };
  }
  if (change.type === 'Release Cancelled' && change.territories && !stored?.details) {
    await record(false);
    return { outcome: 'ignored', reason: 'withdrawn from territories of a release never described' };
  }

  const { next, effects } = decideChange(stored, change, { ...meta, occurredAt }, now);
  if (!(await deps.releases.putIfNewer(next, mailingRequests(next, meta)))) {
    await record(false);
    return { outcome: 'ignored', reason: 'a newer change was stored meanwhile' };
  }
  await record(true);
  await perform(next, meta, deps);
  return { outcome: 'applied', effects };
}

/** The `Mailing Requested` events of the release's `lastEffects`, for the outbox. */
function mailingRequests(release: StoredRelease, meta: Pick<ChangeMeta, 'correlationId'>): OutboxEntry[] {
  return release.lastEffects.flatMap((effect) =>
    effect.type === 'request-mailing'
      ? [
          outboxEntry(
            MailingRequested,
            {
              labelId: release.labelId,
              releaseId: release.releaseId,
              kind: effect.kind,
              ...(effect.revision ? { revision: effect.revision } : {}),
              ...(effect.territories ? { territories: effect.territories } : {}),
            },
            { correlationId: meta.correlationId, labelId: release.labelId },
          ),
        ]
      : [],
  );
}

/**
 * Performs the release's schedule effects (its mailings went to the outbox with it), then clears
 * their pending mark: a failure leaves it for a retry or a newer change.
 */
async function perform(
  release: StoredRelease,
  meta: Pick<ChangeMeta, 'correlationId'>,
  deps: ReleasesDeps,
): Promise<void> {
  for (const effect of release.lastEffects) {
    if (effect.type === 'schedule-release-day') {
      await deps.schedules.upsertReleaseDay({
        labelId: release.labelId,
        releaseId: release.releaseId,
        moment: effect.moment,
        correlationId: meta.correlationId,
      });
    } else if (effect.type === 'unschedule-release-day') {
      await deps.schedules.deleteReleaseDay(release.labelId, release.releaseId);
    } else if (effect.type === 'schedule-announcement') {
      await deps.schedules.upsertAnnouncement({
        labelId: release.labelId,
        releaseId: release.releaseId,
        announceAt: effect.announceAt,
        correlationId: meta.correlationId,
      });
    } else if (effect.type === 'unschedule-announcement') {
      await deps.schedules.deleteAnnouncement(release.labelId, release.releaseId);
    }
  }
  if (release.effectsPending)
    await deps.releases.markEffectsPerformed(release.labelId, release.releaseId, release.lastEventId);
}

/** `metadata.labelId` is required on release events (intake always sets it). */
export function changeMetaOf(metadata: Metadata): ChangeMeta {
  if (!metadata.labelId) throw new Error(`release event ${metadata.eventId} has no metadata.labelId`);
  return {
    labelId: metadata.labelId,
    eventId: metadata.eventId,
    correlationId: metadata.correlationId,
    occurredAt: metadata.occurredAt,
  };
}
