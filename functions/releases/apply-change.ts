import { buildEntry, type Metadata } from '#shared/events/envelope.ts';
import { MailingRequested } from '#shared/events/mailing-requested.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import {
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
  | { type: 'Release Cancelled'; releaseId: string; reason?: string };

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

/** The release after the change, and what the change asks of the world. Pure. */
export function decideChange(
  stored: StoredRelease | undefined,
  change: ReleaseChange,
  meta: ChangeMeta & { occurredAt: string },
  now: string,
): { next: StoredRelease; effects: ReleaseEffect[] } {
  const base = {
    labelId: meta.labelId,
    releaseId: releaseIdOf(change),
    occurredAt: meta.occurredAt,
    lastEventId: meta.eventId,
    lastCorrelationId: meta.correlationId,
    createdAt: stored?.createdAt ?? now,
    updatedAt: now,
  };

  if (change.type === 'Release Cancelled') {
    const effects: ReleaseEffect[] = [{ type: 'unschedule-release-day' }];
    // Only outlets that were told about the release hear that it is cancelled.
    if (stored?.details) effects.push({ type: 'request-mailing', kind: 'cancellation' });
    return {
      next: {
        ...stored,
        ...base,
        state: 'cancelled',
        ...(change.reason ? { cancellationReason: change.reason } : {}),
        lastEffects: effects,
      },
      effects,
    };
  }

  const details = change.details;
  const moment = momentOf(details);
  if (!stored?.details) {
    const effects: ReleaseEffect[] = [
      { type: 'schedule-release-day', moment },
      { type: 'request-mailing', kind: 'announcement' },
    ];
    return { next: { ...base, state: 'scheduled', details, lastEffects: effects }, effects };
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
    if (widened(before.territories, details.territories) || widened(before.genres, details.genres)) {
      effects.push({ type: 'request-mailing', kind: 'announcement' });
    }
  }
  const previousMoment: ReleaseMoment | undefined = moved ? momentOf(before) : stored.previousMoment;
  return {
    next: {
      ...stored,
      ...base,
      details,
      ...(previousMoment ? { previousMoment } : {}),
      lastEffects: effects,
    },
    effects,
  };
}

/**
 * Applies one label change to a release: only if the label made it after the change applied last
 * (DESIGN Decision 8; older ones are recorded and ignored), and a cancelled release stays cancelled.
 * The effects are stored with the release, so a redelivered event (same event id) replays them;
 * replaying is safe because schedules are upserts and mail claims are exactly-once.
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
    await perform(stored, stored.lastEffects, meta, deps);
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

  const { next, effects } = decideChange(stored, change, { ...meta, occurredAt }, now);
  if (!(await deps.releases.putIfNewer(next))) {
    await record(false);
    return { outcome: 'ignored', reason: 'a newer change was stored meanwhile' };
  }
  await record(true);
  await perform(next, effects, meta, deps);
  return { outcome: 'applied', effects };
}

async function perform(
  release: StoredRelease,
  effects: ReleaseEffect[],
  meta: Pick<ChangeMeta, 'correlationId'>,
  deps: ReleasesDeps,
): Promise<void> {
  const mailings = [];
  for (const effect of effects) {
    if (effect.type === 'schedule-release-day') {
      await deps.schedules.upsertReleaseDay({
        labelId: release.labelId,
        releaseId: release.releaseId,
        moment: effect.moment,
        correlationId: meta.correlationId,
      });
    } else if (effect.type === 'unschedule-release-day') {
      await deps.schedules.deleteReleaseDay(release.labelId, release.releaseId);
    } else {
      mailings.push(
        buildEntry(
          MailingRequested,
          {
            labelId: release.labelId,
            releaseId: release.releaseId,
            kind: effect.kind,
            ...(effect.revision ? { revision: effect.revision } : {}),
          },
          { correlationId: meta.correlationId, labelId: release.labelId },
          deps.eventBusName(),
        ),
      );
    }
  }
  if (mailings.length > 0) await deps.events.publish(mailings);
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
