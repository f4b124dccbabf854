import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { servicingMomentsOf } from '#shared/radio.ts';
import { announceAtsOf, instantOf } from '#shared/releases.ts';
import type { ReleasesDeps } from './ports.ts';

export type EmbargoOutcome = { outcome: 'announcement-requested' } | { outcome: 'ignored'; reason: string };

/**
 * The schedule set for a release's `announceAt` fired (see docs/design.md#embargoes). It carries the
 * instant it was set for: if the label has moved or lifted the embargo since, or cancelled the release,
 * the firing is stale and ignored (a moved embargo has its own schedule; a lifted one announced at
 * once). Otherwise the announcement is asked for, in the outbox with the record that the embargo ended.
 */
export async function endEmbargo(
  fired: { labelId: string; releaseId: string; announceAt: string },
  meta: { correlationId: string },
  deps: ReleasesDeps,
): Promise<EmbargoOutcome> {
  const release = await deps.releases.get(fired.labelId, fired.releaseId);
  if (!release?.details) return { outcome: 'ignored', reason: 'unknown release' };
  if (release.state === 'cancelled') return { outcome: 'ignored', reason: 'release cancelled' };
  if (!announceAtsOf(release.details).includes(fired.announceAt)) {
    return { outcome: 'ignored', reason: 'embargo changed since' };
  }
  const now = deps.now();
  const request = (kind: 'announcement' | 'radio-servicing') =>
    outboxEntry(
      MailingRequested,
      {
        labelId: fired.labelId,
        releaseId: fired.releaseId,
        kind,
        // The announcement this embargo held states it (docs/design.md#embargoes).
        ...(kind === 'announcement' ? { embargoEnded: true as const } : {}),
      },
      { correlationId: meta.correlationId, labelId: fired.labelId },
    );
  // Radio outlets whose servicing moment came while the embargo held are serviced now (see
  // docs/design.md#radio-servicing).
  const servicingDue = servicingMomentsOf(release.details).some(
    (group) => instantOf(group.moment) <= now.getTime(),
  );
  const lifted = await deps.releases.markEmbargoLifted(
    fired.labelId,
    fired.releaseId,
    fired.announceAt,
    now.toISOString(),
    servicingDue ? [request('announcement'), request('radio-servicing')] : [request('announcement')],
  );
  if (!lifted) return { outcome: 'ignored', reason: 'release changed meanwhile' };
  return { outcome: 'announcement-requested' };
}
