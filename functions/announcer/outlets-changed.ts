import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import { maxChangedOutlets } from '#shared/events/outlets-changed.ts';
import { isMailable, type Outlet } from '#shared/outlets.ts';
import {
  concernsTerritories,
  embargoed,
  hasTerritoryDates,
  instantOf,
  type StoredRelease,
  territoryMomentsOf,
} from '#shared/releases.ts';
import { announcerSource, firstMailAudience } from './mailing.ts';
import type { AnnouncerDeps } from './ports.ts';

/** A first mail of one release that outlets added or changed are due now, for those outlets only. */
export interface FirstMailDue {
  kind: 'announcement' | 'radio-servicing';
  outletIds: string[];
  /** Of a release out everywhere: the territories given back, whose outlets told of a withdrawal it goes to. */
  territories?: string[];
}

/**
 * Whether the release is out in every territory it lists: each street date has come (recorded, or
 * its instant passed). Such a release is announced to no one any more.
 */
function outEverywhere(release: StoredRelease, now: Date): boolean {
  const details = release.details!;
  const moments = territoryMomentsOf(details);
  if (moments.every((group) => instantOf(group.moment) <= now.getTime())) return true;
  if (!hasTerritoryDates(details)) return release.state === 'out';
  return moments.every((group) => release.outMoments?.includes(group.key));
}

/**
 * The first mails of `release` that `outlets` (added to the directory, or changed what they match,
 * since it was announced) are due now, as the release's own mailings would have sent them had the
 * outlets been there (see docs/design.md#exactly-once-mail):
 * - none for a release cancelled, or under its embargo (its end announces to the whole directory,
 *   these outlets with it), nor for one out in every territory, but to outlets told of a withdrawal
 *   whose territories it was given back since (`givenBack`: the first mail names them, and goes to
 *   the addresses in their next round only, as the giving back's own first mail does);
 * - outlets not opted out that the release's own first mail would reach as it stands
 *   (`firstMailAudience`, the same rule: a territory it is withdrawn from no longer matches, a
 *   territory's own embargo holds; a radio outlet of a release serviced to radio gets the servicing
 *   once its servicing moment has come, before which its schedule services the whole directory).
 * What follows a first mail (the out-now of a street date that came where the outlet is, a date
 * change asked since) is asked by its mailing as it completes, for the same outlets. Claims keep an
 * address to one mail of each kind, so an outlet already told is told nothing again.
 */
export function firstMailsDue(
  outlets: readonly Outlet[],
  release: StoredRelease,
  now: Date,
  givenBack?: string[],
): FirstMailDue[] {
  const details = release.details;
  if (!details || release.state === 'cancelled') return [];
  if (embargoed(details, now)) return [];
  // Out everywhere, only the outlets told of a withdrawal whose territories were given back since are
  // announced again, as the giving back's own first mail names them (docs/design.md#exactly-once-mail).
  const everywhere = outEverywhere(release, now);
  if (everywhere && !givenBack?.length) return [];
  const mailable = outlets.filter(isMailable);
  return (['announcement', 'radio-servicing'] as const).flatMap((kind) => {
    const outletIds = firstMailAudience(kind, mailable, details, now)
      .filter((outlet) => !everywhere || concernsTerritories(outlet, givenBack!))
      .map((outlet) => outlet.id);
    if (outletIds.length === 0) return [];
    return [{ kind, outletIds, ...(everywhere ? { territories: givenBack } : {}) }];
  });
}

/**
 * The `Mailing Requested` of each first mail of `release` that `outlets` are due now (firstMailsDue),
 * for those outlets only, at most `maxChangedOutlets` a request.
 */
export function firstMailRequests(
  outlets: readonly Outlet[],
  release: StoredRelease,
  now: Date,
  correlationId: string,
  givenBack?: string[],
): OutboxEntry[] {
  return firstMailsDue(outlets, release, now, givenBack).flatMap(({ kind, outletIds, territories }) => {
    const requests: OutboxEntry[] = [];
    for (let from = 0; from < outletIds.length; from += maxChangedOutlets) {
      requests.push(
        outboxEntry(
          MailingRequested,
          {
            labelId: release.labelId,
            releaseId: release.releaseId,
            kind,
            ...(territories ? { territories } : {}),
            outletIds: outletIds.slice(from, from + maxChangedOutlets),
          },
          { correlationId, labelId: release.labelId, source: announcerSource },
        ),
      );
    }
    return requests;
  });
}

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
