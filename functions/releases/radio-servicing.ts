import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { servicingMomentsOf } from '#shared/radio.ts';
import { type ReleaseMoment, revisionOf } from '#shared/releases.ts';
import type { ReleasesDeps } from './ports.ts';

export type RadioServicingOutcome =
  | { outcome: 'servicing-requested' }
  | { outcome: 'ignored'; reason: string };

/**
 * A radio servicing moment's schedule fired (see docs/design.md#radio-servicing). It carries the
 * moment it was set for: if the servicing date or the territories moved since, or the release was
 * cancelled, the firing is stale and ignored (a moved moment has its own schedule). Otherwise the
 * servicing mailing is asked for, in the outbox with the record that the moment came; the announcer
 * mails each radio outlet whose moment has come, once.
 */
export async function reachRadioServicing(
  fired: { labelId: string; releaseId: string } & ReleaseMoment,
  meta: { correlationId: string },
  deps: ReleasesDeps,
): Promise<RadioServicingOutcome> {
  const release = await deps.releases.get(fired.labelId, fired.releaseId);
  if (!release?.details) return { outcome: 'ignored', reason: 'unknown release' };
  if (release.state === 'cancelled') return { outcome: 'ignored', reason: 'release cancelled' };
  const key = revisionOf(fired);
  if (!servicingMomentsOf(release.details).some((group) => group.key === key))
    return { outcome: 'ignored', reason: 'servicing moved since' };
  const servicing = outboxEntry(
    MailingRequested,
    { labelId: fired.labelId, releaseId: fired.releaseId, kind: 'radio-servicing', moment: key },
    { correlationId: meta.correlationId, labelId: fired.labelId },
  );
  const marked = await deps.releases.markServiced(
    fired.labelId,
    fired.releaseId,
    key,
    deps.now().toISOString(),
    [servicing],
  );
  if (!marked) return { outcome: 'ignored', reason: 'release changed meanwhile' };
  return { outcome: 'servicing-requested' };
}
