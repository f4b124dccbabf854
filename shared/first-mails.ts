import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import { maxChangedOutlets } from '#shared/events/outlets-changed.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { isMailable, type Outlet, outletMatchesRelease } from '#shared/outlets.ts';
import { isServiced, servicingMomentOf } from '#shared/radio.ts';
import {
  concernsTerritories,
  embargoed,
  hasTerritoryDates,
  instantOf,
  outletEmbargoedUntil,
  type StoredRelease,
  territoryMomentsOf,
} from '#shared/releases.ts';

/**
 * A release's first mails (the announcement, radio servicing): who they go to and how they are asked.
 * The announcer's mailings and Outlets Changed, and the settlement of SES's Email Sent events (a
 * withdrawal settled after a giving back), ask them by one rule (docs/design.md#exactly-once-mail).
 */

/**
 * The announcer's own source, for the `Mailing Requested` it states itself (the contract lists it), and
 * for what the settlement function asks on its behalf (its grant names this source alone).
 */
export const announcerSource = 'backline.announcer';

/**
 * The mails that first tell an outlet of a release (the announcement, or radio servicing): the
 * follow-ups (date change, out now, cancellation) go to those told, so a first mail still being sent
 * when the release changed needs its follow-up asked for again (followUpsSince).
 */
export const isFirstMail = (kind: string): boolean => kind === 'announcement' || kind === 'radio-servicing';

/**
 * Who among `outlets` a release's first mail of `kind` goes to, as the release stands at `now` (before
 * opt-outs): the directory's mailing, and outlets added or changed since (firstMailsDue), by one rule.
 * - the announcement: outlets matching the release whose territory's own embargo has ended (one still
 *   under it hears at its end), but for the radio outlets of a release serviced to radio, which hear
 *   through its servicing instead;
 * - radio servicing: those radio outlets, once their servicing moment has come (the earliest among
 *   their territories, so a firing at one moment also serves an outlet held until now by its
 *   territory's embargo).
 */
export function firstMailAudience(
  kind: 'announcement' | 'radio-servicing',
  outlets: readonly Outlet[],
  details: ReleaseDetails,
  now: Date,
): Outlet[] {
  const at = now.getTime();
  return outlets.filter((outlet) => {
    if (!outletMatchesRelease(outlet, details)) return false;
    if (outletEmbargoedUntil(outlet.territories, details) > at) return false;
    if (kind === 'announcement') return !isServiced(outlet, details);
    const moment = servicingMomentOf(outlet.territories, details);
    return isServiced(outlet, details) && moment !== undefined && instantOf(moment.moment) <= at;
  });
}

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
