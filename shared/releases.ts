import { wallTimeIn } from './calendar.ts';
import type { MailKind } from './events/mailing-requested.ts';
import type { ReleaseDetails } from './events/release-scheduled.ts';
import { type Outlet, territoriesMatch } from './outlets.ts';

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
  /** `perMoment`: one of a release's street dates per territory, its schedule named by its moment too. */
  | { type: 'schedule-release-day'; moment: ReleaseMoment; perMoment?: true }
  | { type: 'unschedule-release-day'; moment?: ReleaseMoment }
  /** `perInstant`: a `territoryDates` entry's embargo, its schedule named by the instant too. */
  | { type: 'schedule-announcement'; announceAt: string; perInstant?: true }
  | { type: 'unschedule-announcement' }
  /** A radio servicing moment (docs/design.md#radio-servicing), its schedule named by the moment. */
  | { type: 'schedule-radio-servicing'; moment: ReleaseMoment }
  | { type: 'unschedule-radio-servicing'; moment: ReleaseMoment }
  | {
      type: 'request-mailing';
      kind: MailKind;
      revision?: string;
      territories?: string[];
      /** The territory moment the mail is about (its key): out-now at it, or a date change from it. */
      moment?: string;
      /** A date change's territories' old moments (keys) where they are not `moment` (MailingRequested). */
      movedFrom?: Record<string, string>;
    };

/** A territory date change as asked for: from moment `moment` (its key) to `revision`, in `territories`. */
export interface TerritoryDateChange {
  moment: string;
  revision: string;
  territories: string[];
  /** The label's time of the change that moved them. */
  at: string;
}

/**
 * A date change releases asked for: the release's (`revision` only) or some territories' (from moment
 * `moment`, its key, in `territories`), with the label's time of the change that asked.
 */
export interface AskedDateChange {
  revision: string;
  moment?: string;
  territories?: string[];
  /** Its territories' old moments where they are not `moment` (as asked: MailingRequested's `movedFrom`). */
  movedFrom?: Record<string, string>;
  at: string;
}

/** How many of a release's date changes it keeps asked (`dateChangesAsked`): the latest, a date change's few reads. */
export const askedDateChangesKept = 20;

/**
 * A radio add date moved (or added) and still standing: its key (`addDateKey`, shared/radio.ts), the
 * date it moved to, and the label's time of the change that moved it (see docs/design.md#radio-servicing).
 */
export interface AddDateChange {
  key: string;
  date: string;
  at: string;
  /** The date the add date had before the move, which its mail states as replaced (docs/design.md#radio-servicing). */
  was?: string;
  /**
   * A move kept while the release did not reach the add date's territory: the date its outlets had when
   * the first such move was made (a move back to it is news to nobody).
   */
  from?: string;
}

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
  /**
   * The date the last move went to (revisionOf), its date change's identity: a later change that
   * leaves the release day's instant where it was (a new zone only) moves nothing, and keeps it.
   */
  movedTo?: string;
  /**
   * The moment (its key) the last move went from: with `movedTo`, its date change's identity, so a move
   * back to a date told before (19, then 26, then 19 March) is a mail of its own (docs/design.md#exactly-once-mail).
   * A move repeating an identity asked before names the label's time of the move after the key (5 -> 19
   * -> 5 -> 19 March: the second move to 19 is a mail of its own; momentOfKey reads the key out of it).
   * Absent for a move made before it was kept, whose date change named no moment and keeps that identity.
   */
  movedFromMoment?: string;
  /**
   * The date changes of territories asked for and still standing (each territory still has the date
   * it moved to), with the label's time of the change that asked: a first mail settled after them is
   * followed by them (see docs/design.md#street-dates-per-territory).
   */
  dateChanges?: TerritoryDateChange[];
  /**
   * Every date change asked (standing or not; the last `askedDateChangesKept`), a restatement at the
   * same instant being none: the date-change mails an address may have had since its first mail, which
   * a later date change reads to state the date that address was last told (see
   * docs/design.md#exactly-once-mail). Absent on releases stored before it was kept.
   */
  dateChangesAsked?: AskedDateChange[];
  /**
   * The label's time of the latest date change asked that `dateChangesAsked` no longer keeps: an
   * address whose first mail was written before it may have had date changes the list no longer
   * names, so a date change never takes it as already told the date that stands.
   */
  dateChangesForgottenUntil?: string;
  /**
   * The add dates moved and still standing, with the label's time of the move: a radio servicing
   * settled after them is followed by their change mail (see docs/design.md#radio-servicing).
   */
  addDateChanges?: AddDateChange[];
  /**
   * The territories the release was withdrawn from and not given back, and the label's time of the last
   * withdrawal; `moments`, each one's street date (its key) when it was withdrawn, the date its outlets
   * were told, which the withdrawal states (absent for withdrawals stored before it was kept);
   * `reasons`, the label's reason for each territory's withdrawal when it gave one, which the
   * withdrawal's mail states; `applied`, when each was applied (the time it was read, not the label's;
   * absent for withdrawals stored before it was kept, '', applied before any claim, for their
   * territories once the release is written again, its later withdrawals keeping their times).
   */
  withdrawn?: {
    territories: string[];
    at: string;
    moments?: Record<string, string>;
    reasons?: Record<string, string>;
    applied?: Record<string, string>;
  };
  /**
   * Each giving back of territories the release was withdrawn from (a later description listing them
   * again), with the label's time of the change: how many turns an address may have had of being told
   * the release and told to disregard it, each a mail of its own (docs/design.md#exactly-once-mail).
   * `withdrawnApplied`: the `applied` of the withdrawal it ended, every territory withdrawn then, by
   * territory: a first mail of an outlet that withdrawal concerned, claimed after it came to concern the
   * outlet, no write since, was held by the sweep before holds kept `heldAt`, that hold having moved its
   * claim time (docs/design.md#exactly-once-mail).
   */
  givenBack?: {
    territories: string[];
    at: string;
    withdrawnApplied?: Record<string, string>;
  }[];
  cancellationReason?: string;
  outAt?: string;
  /** The territory moments (keys) whose street date has come, for a release with street dates per territory. */
  outMoments?: string[];
  /** Every `announceAt` of the release and its territory entries: what an embargo schedule must still find. */
  announceAts?: string[];
  /** The release's current territory moments (keys): what a per-moment release-day schedule must still find. */
  momentKeys?: string[];
  /**
   * The instant (UTC ISO 8601) of the release's last street date, after which it is out everywhere: what
   * lists it among the releases still to come (shared/db/releases.ts `comingKeys`).
   */
  lastStreetDateAt?: string;
  /** The release's current radio servicing moments (keys): what a servicing schedule must still find. */
  servicingKeys?: string[];
  /** The servicing moments (keys) whose schedule fired and asked for the servicing mailing. */
  servicedMoments?: string[];
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

/** A street date and the territories it applies to; `key` names the moment in schedules and mail identities. */
export interface TerritoryMoment {
  key: string;
  moment: ReleaseMoment;
  territories: string[];
}

/** The instant a moment (a calendar date and time in a zone) falls on; a time skipped by DST moves forward. */
export const instantOf = (moment: ReleaseMoment): number =>
  wallTimeIn(moment.releaseDate, moment.releaseTime, moment.timeZone).epochMs;

/**
 * Whether two moments fall on the same instant. A new zone that leaves the instant where it was (the
 * same wall time in an equivalent zone, or the same instant stated in another) moves nothing for an
 * outlet: it is no date change (see docs/design.md#street-dates-per-territory).
 */
export const sameInstant = (a: ReleaseMoment, b: ReleaseMoment): boolean => instantOf(a) === instantOf(b);

/** Whether the moment a key names (as revisionOf writes it) falls on the same instant as `moment`. */
export const sameInstantAsKey = (key: string | undefined, moment: ReleaseMoment): boolean =>
  key !== undefined && sameInstant(momentOfKey(key), moment);

/** Whether the release comes out at different moments in different territories (see docs/design.md#street-dates-per-territory). */
export const hasTerritoryDates = (details: Pick<ReleaseDetails, 'territoryDates'>): boolean =>
  (details.territoryDates?.length ?? 0) > 0;

/**
 * The release's street dates, one per distinct moment (date, time, zone), earliest first, each with
 * the territories it applies to: a `territoryDates` entry's territories at its date (its time and zone,
 * or else the release's), every other territory at the release's own date.
 */
export function territoryMomentsOf(details: ReleaseDetails): TerritoryMoment[] {
  const groups = new Map<string, TerritoryMoment>();
  const add = (territories: string[], moment: ReleaseMoment) => {
    if (territories.length === 0) return;
    const key = revisionOf(moment);
    const group = groups.get(key) ?? { key, moment, territories: [] };
    group.territories.push(...territories.filter((territory) => !group.territories.includes(territory)));
    groups.set(key, group);
  };
  const dated = new Set(details.territoryDates?.flatMap((entry) => entry.territories) ?? []);
  add(
    details.territories.filter((territory) => !dated.has(territory)),
    momentOf(details),
  );
  for (const entry of details.territoryDates ?? []) {
    add(entry.territories, {
      releaseDate: entry.releaseDate,
      releaseTime: entry.releaseTime ?? details.releaseTime,
      timeZone: entry.timeZone ?? details.timeZone,
    });
  }
  return [...groups.values()].sort(
    (a, b) => instantOf(a.moment) - instantOf(b.moment) || a.key.localeCompare(b.key),
  );
}

/** The instant (UTC ISO 8601) of the release's last street date: once it has passed, it is out everywhere. */
export const lastStreetDateOf = (details: ReleaseDetails): string =>
  new Date(
    Math.max(
      instantOf(momentOf(details)),
      ...territoryMomentsOf(details).map((group) => instantOf(group.moment)),
    ),
  ).toISOString();

/**
 * Whether the street date of `territories` (some of the release's, sharing one moment) applies to an
 * outlet in `outletTerritories`: a country's own, where the release names it; WW's only in a country
 * it names nowhere else ("worldwide on the 5th, Japan on the 12th": Japan's outlets are out on the
 * 12th). An outlet covering WW covers every country, so each date applies to it (see
 * docs/design.md#street-dates-per-territory).
 */
export function streetDateApplies(
  outletTerritories: readonly string[],
  territories: readonly string[],
  details: ReleaseDetails,
): boolean {
  return appliesAmong(
    outletTerritories,
    territories,
    territoryMomentsOf(details),
    details.excludedTerritories,
  );
}

function appliesAmong(
  outletTerritories: readonly string[],
  territories: readonly string[],
  groups: readonly TerritoryMoment[],
  excluded: readonly string[] = [],
): boolean {
  if (!territoriesMatch(outletTerritories, territories, excluded)) return false;
  const codes = outletTerritories.map((code) => code.toUpperCase());
  if (codes.includes('WW')) return true;
  const names = (listed: readonly string[], code: string) => listed.some((t) => t.toUpperCase() === code);
  return codes.some(
    (code) =>
      names(territories, code) ||
      (names(territories, 'WW') &&
        !names(excluded, code) &&
        !groups.some((group) => names(group.territories, code))),
  );
}

/**
 * The street dates that apply to an outlet in `outletTerritories` (streetDateApplies), earliest first;
 * among `groups` when given (dates the release had before, say), else the release's.
 */
export const momentsForOutlet = (
  outletTerritories: readonly string[],
  details: ReleaseDetails,
  groups: readonly TerritoryMoment[] = territoryMomentsOf(details),
): TerritoryMoment[] => {
  return groups.filter((group) =>
    appliesAmong(outletTerritories, group.territories, groups, details.excludedTerritories),
  );
};

/** Each territory's moment key. */
export const momentKeyByTerritory = (details: ReleaseDetails): Map<string, string> =>
  new Map(
    territoryMomentsOf(details).flatMap((group) => group.territories.map((t) => [t, group.key] as const)),
  );

/**
 * A territory's street date (its key) among `keys` (momentKeyByTerritory): its own where the release
 * names it, else WW's, which applies in a country named nowhere else (streetDateApplies), so a country
 * whose own date is dropped while WW's stands has WW's (see docs/design.md#street-dates-per-territory).
 */
export const streetDateIn = (keys: ReadonlyMap<string, string>, territory: string): string | undefined =>
  keys.get(territory) ?? keys.get('WW');

/** The moment a key names (`2027-03-05T00:00 Europe/London`, as revisionOf writes it). */
export function momentOfKey(key: string): ReleaseMoment {
  const [dateTime = '', timeZone = ''] = key.split(' ');
  const [releaseDate = '', releaseTime = ''] = dateTime.split('T');
  return { releaseDate, releaseTime, timeZone };
}

/** Every embargo instant the release states: its own and its territory entries'. */
export const announceAtsOf = (details: ReleaseDetails): string[] => [
  ...new Set([
    ...(announceAtOf(details) ? [announceAtOf(details) as string] : []),
    ...(details.territoryDates ?? []).flatMap((entry) => (entry.announceAt ? [entry.announceAt] : [])),
  ]),
];

/**
 * The latest embargo among the territory entries whose date applies to an outlet (streetDateApplies: a
 * `WW` entry's embargo does not hold an outlet in a country with a date of its own), since its one
 * announcement states each of their dates: its end (epoch ms) and the zone of the entry that sets it
 * (the entry's own, else the release's), or undefined when no entry holds the outlet.
 */
export const outletEmbargo = (
  outletTerritories: readonly string[],
  details: ReleaseDetails,
): { until: number; timeZone: string } | undefined => {
  const groups = territoryMomentsOf(details);
  let latest: { until: number; timeZone: string } | undefined;
  for (const entry of details.territoryDates ?? []) {
    if (!entry.announceAt) continue;
    if (!appliesAmong(outletTerritories, entry.territories, groups, details.excludedTerritories)) continue;
    const until = Date.parse(entry.announceAt);
    if (!latest || until > latest.until) latest = { until, timeZone: entry.timeZone ?? details.timeZone };
  }
  return latest;
};

/**
 * The latest embargo that applies to an outlet in `outletTerritories` and the zone its mail states it
 * in, with the promo's opening (see docs/design.md#embargoes): the release's `announceAt`
 * (`embargoUntil` its older name) in the zone of the outlet's own street date (the earliest that
 * applies to it, as its mail states it: a US outlet reads America/New_York where the US has a date of
 * its own), or its territory's own in that territory's zone when that ends later (`until` 0: none).
 */
export const outletHold = (
  outletTerritories: readonly string[],
  details: ReleaseDetails,
): { until: number; timeZone: string } => {
  const [first] = momentsForOutlet(outletTerritories, details);
  const own = {
    until: Date.parse(announceAtOf(details) ?? '') || 0,
    timeZone: first?.moment.timeZone ?? details.timeZone,
  };
  const territorial = outletEmbargo(outletTerritories, details);
  return territorial && territorial.until > own.until ? territorial : own;
};

/** Until when an outlet may not be announced to (epoch ms; 0 when it may): its territories' embargo. */
export const outletEmbargoedUntil = (outletTerritories: readonly string[], details: ReleaseDetails): number =>
  outletEmbargo(outletTerritories, details)?.until ?? 0;

/** Whether the outlet's territories meet `territories` (WW on either side meets every one). */
export const concernsTerritories = (outlet: Pick<Outlet, 'territories'>, territories: readonly string[]) =>
  territories.includes('WW') ||
  outlet.territories.some((territory) => territories.includes(territory) || territory === 'WW');

/**
 * Whether a withdrawal from `territories` concerns the outlet: it covers one of them (a withdrawal
 * from WW, a worldwide release narrowed to some countries, covers every outlet), and the release no
 * longer reaches it through another territory (an outlet in GB and DE keeps the release while GB
 * does). Territories alone decide it, not genres: the withdrawal's mail goes to the outlets told of
 * the release, whatever its genres are now, and a later change of the release's genres must not
 * make an outlet never told of the withdrawal count as told (docs/design.md#sending-in-a-pipeline).
 * The withdrawal's mail goes to such outlets, and their promo links close (docs/design.md#embargoes).
 */
export const withdrawnFor = (
  outlet: Pick<Outlet, 'territories'>,
  release: Pick<StoredRelease, 'details'>,
  territories: readonly string[],
) =>
  concernsTerritories(outlet, territories) &&
  !territoriesMatch(outlet.territories, release.details!.territories, release.details!.excludedTerritories);

/**
 * Whether the release reaches `territory` (a country, or `WW`): it lists it, or, for a country, lists
 * `WW` without excluding it (docs/design.md#street-dates-per-territory).
 */
export const coversTerritory = (
  details: Pick<ReleaseDetails, 'territories' | 'excludedTerritories'>,
  territory: string,
): boolean =>
  details.territories.includes(territory) ||
  (territory !== 'WW' &&
    details.territories.includes('WW') &&
    !(details.excludedTerritories ?? []).includes(territory));

/**
 * The territory under which a withdrawal from `withdrawn` (its territories, as kept) keeps `territory`'s
 * date, reason and time applied: its own where it lists it, else, for a country, WW's where it lists WW
 * (a country withdrawn with WW was told WW's date and reason, and was withdrawn when WW was); none
 * where it lists neither (docs/design.md#street-dates-per-territory).
 */
export const withdrawnAs = (withdrawn: readonly string[], territory: string): string | undefined =>
  withdrawn.includes(territory)
    ? territory
    : territory !== 'WW' && withdrawn.includes('WW')
      ? 'WW'
      : undefined;

/**
 * Whether the release's standing withdrawal concerns the outlet (`withdrawnFor` its territories): the
 * outlet was told to disregard the release there, so no other mail about it follows and its promo links
 * close (docs/design.md#exactly-once-mail).
 */
export const standingWithdrawalConcerns = (
  outlet: Pick<Outlet, 'territories'>,
  release: Pick<StoredRelease, 'details' | 'withdrawn'>,
): boolean => release.withdrawn !== undefined && withdrawnFor(outlet, release, release.withdrawn.territories);
