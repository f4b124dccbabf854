import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import {
  hasTerritoryDates,
  momentOf,
  type ReleaseMoment,
  revisionOf,
  sameMoment,
  territoryMomentsOf,
} from '#shared/releases.ts';
import type { ReleasesDeps } from './ports.ts';

export type ReleaseDayOutcome = { outcome: 'out-now-requested' } | { outcome: 'ignored'; reason: string };

/**
 * A release-day schedule fired. It carries the moment it was set for (docs/design.md#schedules): if the
 * release has moved since, or was cancelled, the firing is stale and ignored. Otherwise the release
 * is out and every announced outlet still subscribed gets the out-now mail (claimed exactly once,
 * so a redelivered firing requests it again harmlessly).
 */
export async function reachReleaseDay(
  fired: { labelId: string; releaseId: string } & ReleaseMoment,
  meta: { correlationId: string },
  deps: ReleasesDeps,
): Promise<ReleaseDayOutcome> {
  const release = await deps.releases.get(fired.labelId, fired.releaseId);
  if (!release?.details) return { outcome: 'ignored', reason: 'unknown release' };
  if (release.state === 'cancelled') return { outcome: 'ignored', reason: 'release cancelled' };
  // With street dates per territory, each moment has its schedule and its out-now (see
  // docs/design.md#street-dates-per-territory); the mail names the moment it is about.
  const perTerritory = hasTerritoryDates(release.details);
  const moments = perTerritory
    ? territoryMomentsOf(release.details).map((g) => g.moment)
    : [momentOf(release.details)];
  if (!moments.some((moment) => sameMoment(moment, fired)))
    return { outcome: 'ignored', reason: 'release moved since' };
  const outNow = outboxEntry(
    MailingRequested,
    {
      labelId: fired.labelId,
      releaseId: fired.releaseId,
      kind: 'out-now',
      ...(perTerritory ? { moment: revisionOf(fired) } : {}),
    },
    { correlationId: meta.correlationId, labelId: fired.labelId },
  );
  const marked = await deps.releases.markOut(
    fired.labelId,
    fired.releaseId,
    fired,
    deps.now().toISOString(),
    [outNow],
  );
  if (!marked) return { outcome: 'ignored', reason: 'release changed meanwhile' };
  return { outcome: 'out-now-requested' };
}
