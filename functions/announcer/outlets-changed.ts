import type { OutboxEntry } from '#shared/events/outbox.ts';
import { firstMailRequests } from '#shared/first-mails.ts';
import { isMailable } from '#shared/outlets.ts';
import type { AnnouncerDeps } from './ports.ts';

/**
 * `Outlets Changed`: asks, for each release still to come that the outlets newly match, its first mail
 * for those outlets only, through the release's own mailing (`Mailing Requested` with `outletIds`:
 * claim, send, settle, and its follow-ups as it completes). Published directly: there is no state to
 * write with them, and a failed publish fails the invocation, whose retry asks again (claims keep
 * each outlet to one mail).
 */
export async function announceToChangedOutlets(
  outletIds: readonly string[],
  meta: { correlationId: string },
  deps: AnnouncerDeps,
): Promise<{ outlets: number; mailings: number }> {
  const found = await deps.outlets.getMany(outletIds);
  // Outlets deleted since, or opted out, are told nothing.
  const outlets = outletIds.flatMap((id) => found.get(id) ?? []).filter(isMailable);
  if (outlets.length === 0) return { outlets: 0, mailings: 0 };
  const now = deps.now();
  const requests: OutboxEntry[] = [];
  for await (const releases of deps.releases.coming(now)) {
    for (const release of releases) {
      requests.push(...firstMailRequests(outlets, release, now, meta.correlationId));
    }
  }
  if (requests.length > 0) await deps.events.publish(requests);
  return { outlets: outlets.length, mailings: requests.length };
}
