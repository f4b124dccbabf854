import { conflictRetries, WriteConflictError } from '#shared/db/conflicts.ts';
import type { Metadata } from '#shared/events/envelope.ts';
import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import {
  type AddDate,
  addDateKey,
  addDateStated,
  changedAddDates,
  movesRegained,
  servicesRadio,
  servicingMomentsOf,
} from '#shared/radio.ts';
import {
  type AddDateChange,
  type AskedDateChange,
  announceAtOf,
  announceAtsOf,
  askedDateChangesKept,
  coversTerritory,
  embargoed,
  hasTerritoryDates,
  instantOf,
  lastStreetDateOf,
  momentKeyByTerritory,
  momentOf,
  momentOfKey,
  type ReleaseEffect,
  type ReleaseMoment,
  revisionOf,
  type StoredRelease,
  sameInstant,
  sameInstantAsKey,
  sameMoment,
  streetDateIn,
  type TerritoryDateChange,
  territoryMomentsOf,
  withdrawnAs,
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

/**
 * The territories `before` reaches and `after` no longer does (coversTerritory): those it no longer
 * lists, and the countries a worldwide release newly excludes. A country's own entry dropped while WW
 * still reaches it is no withdrawal (docs/design.md#street-dates-per-territory).
 */
const dropped = (before: ReleaseDetails, after: ReleaseDetails) => [
  ...before.territories.filter((territory) => !coversTerritory(after, territory)),
  ...(after.excludedTerritories ?? []).filter(
    (territory) => !before.territories.includes(territory) && coversTerritory(before, territory),
  ),
];

/**
 * The release without `territories` (and their street dates): what stays when it is withdrawn there.
 * Withdrawn from WW (worldwide), nothing stays; a country withdrawn while WW stays is excluded from it
 * ("worldwide except", docs/design.md#street-dates-per-territory), since WW would go on reaching it.
 */
function withdrawnFrom(details: ReleaseDetails, territories: readonly string[]): ReleaseDetails {
  const stays = (territory: string) => !territories.includes('WW') && !territories.includes(territory);
  const territoryDates = details.territoryDates
    ?.map((entry) => ({ ...entry, territories: entry.territories.filter(stays) }))
    .filter((entry) => entry.territories.length > 0);
  const { territoryDates: _before, excludedTerritories: _excluded, ...rest } = details;
  const remaining = details.territories.filter(stays);
  const excludedTerritories = remaining.includes('WW')
    ? [...new Set([...(details.excludedTerritories ?? []), ...territories])]
    : [];
  return {
    ...rest,
    territories: remaining,
    ...(excludedTerritories.length > 0 ? { excludedTerritories } : {}),
    ...(territoryDates && territoryDates.length > 0 ? { territoryDates } : {}),
  };
}

/** The keys of the release's current moments, stored with it so a per-moment schedule can check it still applies. */
const momentKeysOf = (details: ReleaseDetails): string[] =>
  territoryMomentsOf(details).map((group) => group.key);

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
    carried.push(...releaseDays(next.details, next.outMoments));
  }
  if (stored.lastEffects.some((effect) => effect.type === 'schedule-radio-servicing')) {
    carried.push(...radioServicing(next.details, now));
  }
  if (stored.lastEffects.some((effect) => effect.type === 'schedule-announcement')) {
    carried.push(
      ...announcement(next.details, now).filter((effect) => effect.type === 'schedule-announcement'),
    );
  }
  return carried;
}

/**
 * Announcing the release: at once, or, under embargo, by a schedule at its `announceAt` (see
 * docs/design.md#embargoes); a territory entry's embargo still to come has a schedule of its own, at
 * which the outlets it held are announced. The announcer holds any announcement asked for earlier.
 */
const announcement = (details: ReleaseDetails, now: string): ReleaseEffect[] => {
  const announceAt = announceAtOf(details);
  const own: ReleaseEffect =
    announceAt && embargoed(details, now)
      ? { type: 'schedule-announcement', announceAt }
      : { type: 'request-mailing', kind: 'announcement' };
  const territorial = announceAtsOf(details)
    .filter((at) => at !== announceAt && Date.parse(at) > Date.parse(now))
    .map((at): ReleaseEffect => ({ type: 'schedule-announcement', announceAt: at, perInstant: true }));
  return [own, ...territorial];
};

const effectKey = (effect: ReleaseEffect) => {
  if (effect.type === 'request-mailing') {
    return JSON.stringify([
      effect.type,
      effect.kind,
      effect.revision ?? '',
      effect.territories ?? [],
      effect.moment ?? '',
    ]);
  }
  if (effect.type === 'schedule-radio-servicing' || effect.type === 'unschedule-radio-servicing') {
    return JSON.stringify([effect.type, revisionOf(effect.moment)]);
  }
  if (effect.type === 'schedule-announcement' && effect.perInstant) {
    return JSON.stringify([effect.type, effect.announceAt]);
  }
  // The release's one schedule is one effect, whatever its moment; per-moment schedules one each.
  const perMoment =
    (effect.type === 'schedule-release-day' && effect.perMoment) ||
    (effect.type === 'unschedule-release-day' && effect.moment);
  return perMoment ? JSON.stringify([effect.type, revisionOf(effect.moment!)]) : effect.type;
};

/**
 * The release-day schedules a release needs (see docs/design.md#street-dates-per-territory): one at
 * its date, or, with street dates per territory, one per distinct moment still to come, not per
 * territory or outlet.
 */
function releaseDays(details: ReleaseDetails, outMoments: readonly string[] = []): ReleaseEffect[] {
  if (!hasTerritoryDates(details))
    return outMoments.includes(revisionOf(momentOf(details)))
      ? []
      : [{ type: 'schedule-release-day', moment: momentOf(details) }];
  return territoryMomentsOf(details)
    .filter((group) => !outMoments.includes(group.key))
    .map((group) => ({ type: 'schedule-release-day', moment: group.moment, perMoment: true }));
}

/** The moments (keys) of a release first described whose street date has come by `now`. */
const alreadyOut = (details: ReleaseDetails, now: string): string[] =>
  (hasTerritoryDates(details)
    ? territoryMomentsOf(details)
    : [{ key: revisionOf(momentOf(details)), moment: momentOf(details) }]
  )
    .filter((group) => instantOf(group.moment) <= Date.parse(now))
    .map((group) => group.key);

/**
 * The moments of `after` out with the change: a territory already out (its street date came,
 * `outMoments`) stays out wherever its date moves, so a moment all of whose territories were out
 * before is out as it stands, with no release day to fire and no out-now to ask again. One shared with
 * a territory not out yet keeps its release day, whose out-now reaches that territory's outlets
 * (docs/design.md#street-dates-per-territory).
 */
function stayingOut(before: ReleaseDetails, after: ReleaseDetails, outMoments: readonly string[]): string[] {
  const was = momentKeyByTerritory(before);
  const wasOut = (territory: string) =>
    coversTerritory(before, territory) && outMoments.includes(streetDateIn(was, territory) ?? '');
  return territoryMomentsOf(after)
    .filter((group) => !outMoments.includes(group.key) && group.territories.every(wasOut))
    .map((group) => group.key);
}

/** The schedules `before` had that `after` no longer needs, as deletions (the one left is moved, not deleted). */
function staleReleaseDays(before: ReleaseDetails, after: ReleaseDetails | undefined): ReleaseEffect[] {
  if (!hasTerritoryDates(before)) {
    return after && !hasTerritoryDates(after) ? [] : [{ type: 'unschedule-release-day' }];
  }
  const kept = new Set(after && hasTerritoryDates(after) ? territoryMomentsOf(after).map((g) => g.key) : []);
  return territoryMomentsOf(before)
    .filter((group) => !kept.has(group.key))
    .map((group) => ({ type: 'unschedule-release-day', moment: group.moment }));
}

/**
 * The date changes a change of territory dates makes: per territory whose moment moved and had not
 * come yet, grouped by old and new moment (a country moved to the instant WW moves to, in whatever
 * zone, with WW's), so each goes to that territory's outlets only. A country
 * whose own date is dropped while WW's stands moves to WW's date (and one given a date of its own
 * moves from WW's): its outlets were told the one and now have the other. A territory the release
 * newly excludes, or covers again, has no date change (docs/design.md#street-dates-per-territory).
 */
function territoryDateChanges(
  before: ReleaseDetails,
  after: ReleaseDetails,
  outMoments: readonly string[],
): ReleaseEffect[] {
  const was = momentKeyByTerritory(before);
  const now = momentKeyByTerritory(after);
  const moves = new Map<string, { old: string; key: string }>();
  for (const territory of new Set([...now.keys(), ...was.keys()])) {
    // Only a territory the release reaches before and after moves: one it no longer covers (excluded
    // from WW) is withdrawn, and one it did not cover (given back) is announced again, with its date.
    if (!coversTerritory(before, territory) || !coversTerritory(after, territory)) continue;
    const old = streetDateIn(was, territory);
    const key = streetDateIn(now, territory);
    // A new zone that leaves the street date's instant where it was tells its outlets nothing new.
    if (
      !old ||
      !key ||
      old === key ||
      outMoments.includes(old) ||
      sameInstant(momentOfKey(old), momentOfKey(key))
    )
      continue;
    moves.set(territory, { old, key });
  }
  const worldwide = moves.get('WW');
  const changes = new Map<string, Extract<ReleaseEffect, { type: 'request-mailing' }>>();
  for (const [territory, { old, key }] of moves) {
    // A country this change moves to the date it moves WW's to (its own date dropped, say) moves with
    // WW: one date change for both, so an outlet there, or covering WW, hears once, from the dates it
    // was told in each territory (read per address, docs/design.md#exactly-once-mail), in whatever
    // order the mailings run. The same instant, whatever zone states it (19 March 09:00 Tokyo for WW's
    // 00:00 London): one mail, named by WW's old and new moments.
    const withWorldwide = worldwide && sameInstant(momentOfKey(worldwide.key), momentOfKey(key));
    const [from, to] = withWorldwide ? [worldwide.old, worldwide.key] : [old, key];
    const id = JSON.stringify([from, to]);
    const change = changes.get(id) ?? {
      type: 'request-mailing',
      kind: 'date-change',
      revision: to,
      moment: from,
      territories: [],
    };
    change.territories?.push(territory);
    // Its own old moment kept where it is not WW's: what an address told nothing else heard there.
    if (old !== from) change.movedFrom = { ...change.movedFrom, [territory]: old };
    changes.set(id, change);
  }
  return [...changes.values()];
}

/**
 * Servicing radio (see docs/design.md#radio-servicing): a schedule per servicing moment still to
 * come, and for moments already past (a servicing date set late) the servicing mailing at once.
 */
function radioServicing(details: ReleaseDetails, now: string): ReleaseEffect[] {
  const moments = servicingMomentsOf(details);
  const due = moments.some((group) => instantOf(group.moment) <= Date.parse(now));
  return [
    ...moments
      .filter((group) => instantOf(group.moment) > Date.parse(now))
      .map((group): ReleaseEffect => ({ type: 'schedule-radio-servicing', moment: group.moment })),
    ...(due ? [{ type: 'request-mailing' as const, kind: 'radio-servicing' as const }] : []),
  ];
}

/** The servicing schedules `before` had that `after` no longer needs (cancelled: all of them). */
function staleServicing(before: ReleaseDetails, after: ReleaseDetails | undefined): ReleaseEffect[] {
  const kept = new Set(after ? servicingMomentsOf(after).map((group) => group.key) : []);
  return servicingMomentsOf(before)
    .filter((group) => !kept.has(group.key))
    .map((group) => ({ type: 'unschedule-radio-servicing', moment: group.moment }));
}

/** What changing radio servicing asks: schedules moved with its moments, each moved add date mailed to its format and territory. */
function servicingChanges(before: ReleaseDetails, after: ReleaseDetails, now: string): ReleaseEffect[] {
  const keys = (details: ReleaseDetails) =>
    servicingMomentsOf(details)
      .map((group) => group.key)
      .join('|');
  const moved = keys(before) !== keys(after);
  return [
    ...(moved ? [...staleServicing(before, after), ...radioServicing(after, now)] : []),
    ...changedAddDates(before, after).told.map(addDateChangeAsked),
  ];
}

const addDateChangeAsked = (addDate: AddDate): ReleaseEffect => ({
  type: 'request-mailing',
  kind: 'radio-add-date-change',
  revision: addDate.date,
  moment: addDateKey(addDate),
  territories: [addDate.territory],
});

const servicingKeysOf = (details: ReleaseDetails): string[] =>
  servicingMomentsOf(details).map((group) => group.key);

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
  /** The label's reason for a withdrawal from territories, decided as the narrowing it is. */
  withdrawalReason?: string,
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
      return decideOwnEffects(stored, { type: 'Release Updated', details }, meta, now, change.reason);
    }
  }

  if (change.type === 'Release Cancelled') {
    const effects: ReleaseEffect[] = [
      ...(stored?.details
        ? staleReleaseDays(stored.details, undefined)
        : [{ type: 'unschedule-release-day' as const }]),
      ...(stored?.details ? staleServicing(stored.details, undefined) : []),
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
    // Described first with street dates that came already (a surprise drop, back catalogue): out there
    // with this write, no release day to fire, so its first mail tells the outlets there it is out, one
    // mail, not an announcement of a date gone by and an out-now a second later
    // (docs/design.md#street-dates-per-territory).
    const outAlready = alreadyOut(details, now);
    const effects: ReleaseEffect[] = [
      ...releaseDays(details, outAlready),
      ...announcement(details, now),
      ...radioServicing(details, now),
    ];
    return {
      next: {
        ...base,
        ...(outAlready.length > 0
          ? { state: 'out' as const, outAt: now, outMoments: outAlready }
          : { state: 'scheduled' as const }),
        details,
        momentKeys: momentKeysOf(details),
        lastStreetDateAt: lastStreetDateOf(details),
        announceAts: announceAtsOf(details),
        servicingKeys: servicingKeysOf(details),
      },
      effects,
    };
  }

  const before = stored.details;
  const effects: ReleaseEffect[] = [];
  const perTerritory = hasTerritoryDates(before) || hasTerritoryDates(details);
  const outBefore = stored.outMoments ?? [];
  // Territories already out that moved stay out: their new moments are out with this change.
  const outMoments =
    perTerritory && stored.state !== 'cancelled'
      ? [...outBefore, ...stayingOut(before, details, outBefore)]
      : outBefore;
  const moved = perTerritory
    ? momentKeysOf(before).join('|') !== momentKeysOf(details).join('|') ||
      territoryDateChanges(before, details, []).length > 0
    : !sameMoment(momentOf(before), moment);
  // Moved to a moment that has come already (brought forward to a date gone by): a schedule names a
  // moment still to come (docs/design.md#schedules), so no release day is scheduled for it; it is out
  // with this change, as a first description's is (alreadyOut), and the change asks its out-now.
  const cameBy =
    moved && stored.state !== 'cancelled' && (perTerritory || stored.state === 'scheduled')
      ? alreadyOut(details, now).filter((key) => !outMoments.includes(key))
      : [];
  // What outlets were told moved: the release day's instant, not merely the zone it is stated in (the
  // schedule still moves to the new moment, so its firing matches the release).
  const datesMoved = perTerritory ? moved : !sameInstant(momentOf(before), moment);
  // The release's move's identity: the date it moves to and the one it moves from (moveFromIdentity).
  const movedFromMoment = moveFromIdentity(
    stored,
    revisionOf(moment),
    revisionOf(momentOf(before)),
    meta.occurredAt,
  );
  // Each territory's move is named as a release's is: repeated between the same two dates, by its time too.
  const dateChanges =
    perTerritory && moved && stored.state !== 'cancelled'
      ? territoryDateChanges(before, details, outBefore).map((change) =>
          change.type === 'request-mailing' && change.revision && change.moment
            ? { ...change, moment: moveFromIdentity(stored, change.revision, change.moment, meta.occurredAt) }
            : change,
        )
      : [];
  if (perTerritory && moved && stored.state !== 'cancelled') {
    // Some territories can be out while others are still to come: each moment moves on its own.
    effects.push(...staleReleaseDays(before, details), ...releaseDays(details, [...outMoments, ...cameBy]));
    effects.push(...dateChanges);
    // A territory moved to a moment that has already come (brought forward to another territory's
    // date, out there, or to a date gone by) has no release day still to fire for it: its outlets are
    // told it is out now.
    const outAlready = new Set([
      ...dateChanges.flatMap((change) =>
        change.type === 'request-mailing' && change.revision && outBefore.includes(change.revision)
          ? [change.revision]
          : [],
      ),
      ...cameBy,
    ]);
    for (const key of outAlready) effects.push({ type: 'request-mailing', kind: 'out-now', moment: key });
  }
  // Out in some territories and still to come in others: what reaches the others is announced as
  // for a release still scheduled (a territory added, an embargo moved or lifted there).
  const stillToCome = perTerritory && momentKeysOf(details).some((key) => !outMoments.includes(key));
  // A new or moved embargo reschedules the announcement; one lifted early announces now. So too for a
  // release already out everywhere (a surprise release, its press held past the street date): its
  // announcement is still to come, and "lifting it announces at once" (docs/design.md#embargoes).
  const embargoChanged =
    announceAtOf(before) !== announceAtOf(details) ||
    announceAtsOf(before).join('|') !== announceAtsOf(details).join('|');
  const comingSomewhere = stored.state === 'scheduled' || (stored.state === 'out' && stillToCome);
  if (comingSomewhere || (stored.state === 'out' && embargoChanged)) {
    if (moved && !perTerritory && comingSomewhere) {
      effects.push(
        cameBy.length > 0 ? { type: 'unschedule-release-day' } : { type: 'schedule-release-day', moment },
      );
      if (datesMoved) {
        // Its identity: the date it moves to and the one it moves from (docs/design.md#exactly-once-mail).
        effects.push({
          type: 'request-mailing',
          kind: 'date-change',
          revision: revisionOf(moment),
          moment: movedFromMoment,
        });
      }
      if (cameBy.length > 0) effects.push({ type: 'request-mailing', kind: 'out-now' });
    }
    // Newly matching outlets get the first announcement; claims keep the others from a second one.
    const wider =
      widened(before.territories, details.territories) ||
      widened(before.genres, details.genres) ||
      (before.excludedTerritories ?? []).some((territory) => coversTerritory(details, territory));
    // Radio outlets it newly reaches, or that an embargo lifted early frees, are serviced alike once their moment has come.
    if (wider || embargoChanged) effects.push(...announcement(details, now), ...radioServicing(details, now));
    if (embargoChanged && !embargoed(details, now)) effects.push({ type: 'unschedule-announcement' });
  }
  const servicing = stored.state !== 'cancelled' ? servicingChanges(before, details, now) : [];
  // A move kept while the release did not reach its territory is told once it reaches it again.
  if (stored.state !== 'cancelled')
    servicing.push(...movesRegained(stored.addDateChanges ?? [], before, details).map(addDateChangeAsked));
  effects.push(...servicing);
  // The label's description is the whole release as it now stands (an ERN message replaces what earlier
  // ones said): a territory it no longer lists is withdrawn there, and that territory's outlets are told.
  const withdrawn = dropped(before, details);
  if (stored.state !== 'cancelled' && withdrawn.length > 0) {
    effects.push({ type: 'request-mailing', kind: 'cancellation', territories: withdrawn });
  }
  const previousMoment: ReleaseMoment | undefined = datesMoved ? momentOf(before) : stored.previousMoment;
  const standing = standingDateChanges(stored.dateChanges, dateChanges, details, meta.occurredAt);
  const stillWithdrawn = withdrawnSince(
    stored.withdrawn,
    withdrawn,
    before,
    details,
    meta.occurredAt,
    now,
    withdrawalReason,
  );
  // Territories withdrawn before that the label lists again: given back, their outlets told of the
  // withdrawal are announced again (the announcement this widening asks), once per giving back.
  const givenBackNow = stored.state !== 'cancelled' ? givenBackBy(stored.withdrawn, before, details) : [];
  const givenBack = [
    ...(stored.givenBack ?? []),
    ...(givenBackNow.length > 0
      ? [
          {
            territories: givenBackNow,
            at: meta.occurredAt,
            ...(stored.withdrawn?.applied ? { withdrawnApplied: stored.withdrawn.applied } : {}),
          },
        ]
      : []),
  ];
  // Out everywhere, a widening announces nobody (no outlet hears of a release already out), but a
  // giving back makes it theirs again for the outlets told of its withdrawal: those alone are announced
  // again, by a first mail naming the territories given back (docs/design.md#exactly-once-mail).
  if (stored.state === 'out' && !comingSomewhere && givenBackNow.length > 0 && !embargoed(details, now)) {
    effects.push({ type: 'request-mailing', kind: 'announcement', territories: givenBackNow });
    if (servicesRadio(details))
      effects.push({ type: 'request-mailing', kind: 'radio-servicing', territories: givenBackNow });
  }
  const addDateChanges = standingAddDateChanges(
    stored.addDateChanges,
    servicing,
    stored.state !== 'cancelled' ? changedAddDates(before, details).kept : [],
    before,
    details,
    meta.occurredAt,
  );
  const { asked: dateChangesAsked, forgottenUntil } = askedSince(
    stored,
    effects,
    meta.occurredAt,
    givenBackDateChanges(stored, givenBackNow, details, meta.occurredAt),
  );
  const { dateChanges: _was, withdrawn: _wasWithdrawn, addDateChanges: _wasMoved, ...kept } = stored;
  return {
    next: {
      ...kept,
      ...base,
      details,
      momentKeys: momentKeysOf(details),
      lastStreetDateAt: lastStreetDateOf(details),
      announceAts: announceAtsOf(details),
      servicingKeys: servicingKeysOf(details),
      ...(outMoments.length + cameBy.length > 0 ? { outMoments: [...outMoments, ...cameBy] } : {}),
      ...(cameBy.length > 0 && stored.state === 'scheduled' ? { state: 'out' as const, outAt: now } : {}),
      ...(previousMoment ? { previousMoment } : {}),
      ...(datesMoved
        ? {
            movedAt: meta.occurredAt,
            movedTo: revisionOf(moment),
            movedFromMoment,
          }
        : {}),
      ...(standing.length > 0 ? { dateChanges: standing } : {}),
      ...(stillWithdrawn ? { withdrawn: stillWithdrawn } : {}),
      ...(givenBack.length > 0 ? { givenBack } : {}),
      ...(addDateChanges.length > 0 ? { addDateChanges } : {}),
      ...(dateChangesAsked.length > 0 ? { dateChangesAsked } : {}),
      ...(forgottenUntil ? { dateChangesForgottenUntil: forgottenUntil } : {}),
    },
    effects,
  };
}

/**
 * The `moment` of a release's move's date change, part of its identity only (with `revision`, the date
 * it moves to; docs/design.md#street-dates-per-territory): the key of the date it moves from, and where
 * a date change of that same identity was asked before, or asks were forgotten that may have been one,
 * the label's time of this move after it (5 -> 19 March, back to 5, then to 19 again: the second move
 * to 19 is a mail of its own). Every reader takes the date it moves from as `momentOfKey` reads it (the
 * key's date, time and zone, before the label's time). Kept as `movedFromMoment` and on the ask, so a
 * follow-up asked again, a redelivered change and the sweep's resend name this same identity.
 */
function moveFromIdentity(
  stored: Pick<StoredRelease, 'dateChangesAsked' | 'dateChangesForgottenUntil'>,
  to: string,
  from: string,
  at: string,
): string {
  const repeated =
    stored.dateChangesForgottenUntil !== undefined ||
    (stored.dateChangesAsked ?? []).some((asked) => asked.revision === to && asked.moment === from);
  return repeated ? `${from} ${at}` : from;
}

/**
 * The date changes of territories this change gives back at another date than the one their outlets
 * were told (`withdrawn.moments`), grouped by old and new date: no mailing asks them (the outlets
 * announced again hear the new date in their announcement), but an outlet whose first mail was held
 * open while the territory was withdrawn and settled after this by a late Email Sent is asked its date
 * change then (the announcer's askDatesGivenBack), under the identity kept here, named as a move is
 * (moveFromIdentity). Kept among the date changes asked, a later move between the same two dates is a
 * move of its own, and an address told it is read as told it (docs/design.md#exactly-once-mail).
 */
function givenBackDateChanges(
  stored: Pick<StoredRelease, 'withdrawn' | 'dateChangesAsked' | 'dateChangesForgottenUntil'>,
  territories: readonly string[],
  details: ReleaseDetails,
  at: string,
): AskedDateChange[] {
  const standing = momentKeyByTerritory(details);
  const changes = new Map<string, AskedDateChange & { territories: string[] }>();
  for (const territory of territories) {
    const from = stored.withdrawn?.moments?.[territory];
    const to = streetDateIn(standing, territory);
    if (!from || !to || sameInstant(momentOfKey(from), momentOfKey(to))) continue;
    const moment = moveFromIdentity(stored, to, from, at);
    const id = JSON.stringify([moment, to]);
    const change = changes.get(id) ?? { revision: to, moment, territories: [], at };
    change.territories.push(territory);
    changes.set(id, change);
  }
  return [...changes.values()];
}

/**
 * The date changes asked so far, with those this change asks for (a restatement at the same instant
 * asks for none) and those it gives back at another date (`givenBack`, asked by no mailing now), the
 * latest kept: where a later date change looks for the mails an address had. `forgottenUntil` is the
 * label's time of the latest ask no longer kept: a mail written before it may have been followed by
 * date changes the list no longer names.
 */
function askedSince(
  stored: Pick<StoredRelease, 'dateChangesAsked' | 'dateChangesForgottenUntil'>,
  effects: readonly ReleaseEffect[],
  at: string,
  givenBack: readonly AskedDateChange[] = [],
): { asked: AskedDateChange[]; forgottenUntil?: string } {
  const fresh = effects.flatMap((effect): AskedDateChange[] =>
    effect.type === 'request-mailing' && effect.kind === 'date-change' && effect.revision
      ? [
          {
            revision: effect.revision,
            ...(effect.moment ? { moment: effect.moment } : {}),
            ...(effect.territories ? { territories: effect.territories } : {}),
            ...(effect.movedFrom ? { movedFrom: effect.movedFrom } : {}),
            at,
          },
        ]
      : [],
  );
  const all = [...(stored.dateChangesAsked ?? []), ...fresh, ...givenBack];
  const forgotten = all.slice(0, Math.max(0, all.length - askedDateChangesKept));
  const forgottenUntil = [stored.dateChangesForgottenUntil, ...forgotten.map((change) => change.at)]
    .filter((time): time is string => time !== undefined)
    .sort()
    .at(-1);
  return { asked: all.slice(-askedDateChangesKept), ...(forgottenUntil ? { forgottenUntil } : {}) };
}

/**
 * The add-date changes still standing after a change (see followUpsSince in the announcer): those
 * asked before whose add date still has the date they told, and those this change asks for (which
 * replace an earlier one of the same add date).
 */
function standingAddDateChanges(
  before: readonly AddDateChange[] | undefined,
  asked: readonly ReleaseEffect[],
  kept: readonly AddDate[],
  wasDetails: ReleaseDetails,
  details: ReleaseDetails,
  at: string,
): AddDateChange[] {
  // A kept move's `from`: that of the kept move it follows, else the date the release stated before it.
  const fromOf = (key: string) =>
    before?.find((was) => was.key === key)?.from ?? addDateStated(wasDetails, key)?.date;
  // The date a move asked replaces, its mail states: as the kept move it tells now had it (`from`,
  // what its outlets had), else the date the release stated before it.
  const replaced = (key: string, date: string) => {
    const same = before?.find((was) => was.key === key && was.date === date);
    return same ? (same.was ?? same.from) : addDateStated(wasDetails, key)?.date;
  };
  const fresh = [
    ...asked.flatMap((effect) => {
      if (
        effect.type !== 'request-mailing' ||
        effect.kind !== 'radio-add-date-change' ||
        !effect.moment ||
        !effect.revision
      )
        return [];
      const was = replaced(effect.moment, effect.revision);
      return [{ key: effect.moment, date: effect.revision, at, ...(was ? { was } : {}) }];
    }),
    ...kept.map((addDate) => {
      const from = fromOf(addDateKey(addDate));
      return { key: addDateKey(addDate), date: addDate.date, at, ...(from ? { from } : {}) };
    }),
  ].map((change) => ({
    ...change,
    // A kept move told now keeps the time it was made: its audience is the outlets serviced before it.
    at: before?.find((was) => was.key === change.key && was.date === change.date)?.at ?? change.at,
  }));
  // Kept whether or not the release reaches the add date's territory now (addDateStated).
  const earlier = (before ?? []).filter(
    (change) =>
      addDateStated(details, change.key)?.date === change.date && !fresh.some((f) => f.key === change.key),
  );
  return [...earlier, ...fresh];
}

/**
 * The territory date changes still standing after a change (see followUpsSince in the announcer):
 * those asked before, narrowed to the territories that still have the date they moved to, and those
 * this change asks for.
 */
function standingDateChanges(
  before: readonly TerritoryDateChange[] | undefined,
  asked: readonly ReleaseEffect[],
  details: ReleaseDetails,
  at: string,
): TerritoryDateChange[] {
  const now = momentKeyByTerritory(details);
  const earlier = (before ?? [])
    .map((change) => ({
      ...change,
      // Still standing while the territory's date is where the change moved it, whatever zone states it.
      territories: change.territories.filter((territory) => {
        const key = streetDateIn(now, territory);
        return key !== undefined && sameInstantAsKey(change.revision, momentOfKey(key));
      }),
    }))
    .filter((change) => change.territories.length > 0);
  const fresh = asked.flatMap((effect) =>
    effect.type === 'request-mailing' && effect.moment && effect.revision && effect.territories
      ? [{ moment: effect.moment, revision: effect.revision, territories: effect.territories, at }]
      : [],
  );
  return [...earlier, ...fresh];
}

/**
 * The territories a change gives back (docs/design.md#exactly-once-mail): those withdrawn that it
 * covers again, and, while a withdrawal of WW stands (narrowed from worldwide to some countries), every
 * country it covers that the release before it did not: WW's outlets there were told to disregard it.
 */
function givenBackBy(
  withdrawn: StoredRelease['withdrawn'],
  before: ReleaseDetails,
  after: ReleaseDetails,
): string[] {
  const territories = withdrawn?.territories ?? [];
  const again = territories.filter((territory) => coversTerritory(after, territory));
  const countries =
    territories.includes('WW') && !coversTerritory(after, 'WW')
      ? after.territories.filter(
          (territory) =>
            territory !== 'WW' && !coversTerritory(before, territory) && !again.includes(territory),
        )
      : [];
  return [...again, ...countries];
}

/**
 * The territories the release is withdrawn from after a change: those before and now, less those given
 * back (a withdrawn WW covered again leaves the countries the release now excludes withdrawn: their
 * outlets were told to disregard it, and still are not reached), each with the street date its outlets were told (`was`, the release before this change) and
 * the label's reason, if it gave one (`reason`, for those withdrawn now), which their mail states, and
 * when each was applied (`applied`, by territory: `applied`, the time this change is read, for one
 * withdrawn now, a country left withdrawn with WW as WW; '', applied before any claim, for one of a
 * withdrawal stored before times were kept, whose territories withdrawn since keep theirs).
 */
function withdrawnSince(
  before: StoredRelease['withdrawn'],
  now: readonly string[],
  was: ReleaseDetails,
  details: ReleaseDetails,
  at: string,
  applied: string,
  reason?: string,
): StoredRelease['withdrawn'] {
  const fromWorldwide =
    before?.territories.includes('WW') && coversTerritory(details, 'WW')
      ? (details.excludedTerritories ?? [])
      : [];
  const territories = [...new Set([...(before?.territories ?? []), ...now, ...fromWorldwide])].filter(
    (territory) => !coversTerritory(details, territory),
  );
  if (territories.length === 0) return undefined;
  const told = momentKeyByTerritory(was);
  // A country still withdrawn with WW was told WW's date and WW's reason; one withdrawn now, its own.
  const keptAs = (territory: string) =>
    now.includes(territory) ? territory : (withdrawnAs(before?.territories ?? [], territory) ?? territory);
  const moments = Object.fromEntries(
    territories.flatMap((territory) => {
      const key = before?.moments?.[keptAs(territory)] ?? streetDateIn(told, territory);
      return key ? [[territory, key] as const] : [];
    }),
  );
  const reasons = Object.fromEntries(
    territories.flatMap((territory) => {
      const given = now.includes(territory) ? reason : before?.reasons?.[keptAs(territory)];
      return given ? [[territory, given] as const] : [];
    }),
  );
  return {
    territories,
    at: now.length > 0 ? at : before!.at,
    moments,
    ...(Object.keys(reasons).length > 0 ? { reasons } : {}),
    // One withdrawn while a record with no times stood keeps its time too; one of that record, ''.
    applied: Object.fromEntries(
      territories.map((territory) => {
        const as = keptAs(territory);
        return [territory, before?.applied?.[as] ?? (before?.territories.includes(as) ? '' : applied)];
      }),
    ),
  };
}

/**
 * Applies one label change to a release: only if the label made it after the change applied last
 * (see docs/design.md#ordering-by-the-labels-timestamp; older ones are recorded and ignored), and a
 * cancelled release stays cancelled. The mailings it asks for are outbox entries written with the
 * release (docs/design.md#the-outbox), so they cannot be lost. Its schedule effects are stored with
 * the release, marked pending until performed: a redelivered event (same event id) replays them,
 * and a newer change that overtakes it carries them on (decideChange). Replaying is safe because
 * schedules are upserts and mail claims are exactly-once. The release is stored whole, so a street
 * date that comes between its read and its write refuses the write, and the change is decided again
 * from the release with that date out (docs/design.md#street-dates-per-territory).
 */
export async function applyReleaseChange(
  change: ReleaseChange,
  meta: ChangeMeta,
  deps: ReleasesDeps,
): Promise<ChangeOutcome> {
  const releaseId = releaseIdOf(change);
  const occurredAt = new Date(meta.occurredAt).toISOString();
  const now = deps.now().toISOString();
  // Its record: written with the release when it applies (putIfNewer), so a change applied always has
  // it; as ignored only where it has none, so a delivery again after a newer change leaves it applied.
  const received = {
    labelId: meta.labelId,
    releaseId,
    occurredAt,
    eventId: meta.eventId,
    detailType: change.type,
    receivedAt: now,
  };
  const ignored = () => deps.releases.recordChange({ ...received, applied: false });

  // A refused write is a newer change stored meanwhile, or a moment marked since the read (a street
  // date that came): read again and decide again, so neither is lost. Moments are few, so a few tries.
  for (let tried = 1; ; tried++) {
    const stored = await deps.releases.get(meta.labelId, releaseId);
    if (stored?.lastEventId === meta.eventId) {
      // Applied already, with its record: by a run before (or this attempt's own write, landed with its
      // answer lost: docs/design.md#failures-and-retries).
      await perform(stored, meta, deps);
      return { outcome: 'replayed', effects: stored.lastEffects };
    }
    if (stored && !(occurredAt > stored.occurredAt)) {
      await ignored();
      return { outcome: 'ignored', reason: `not newer than the change of ${stored.occurredAt}` };
    }
    if (stored?.state === 'cancelled') {
      await ignored();
      return { outcome: 'ignored', reason: 'the release is cancelled' };
    }
    if (change.type === 'Release Cancelled' && change.territories && !stored?.details) {
      await ignored();
      return { outcome: 'ignored', reason: 'withdrawn from territories of a release never described' };
    }

    const { next, effects } = decideChange(stored, change, { ...meta, occurredAt }, now);
    // Against the moments read: the release may record some out of its own (stayingOut).
    const written = await deps.releases.putIfNewer(
      next,
      mailingRequests(next, meta),
      { ...received, applied: true },
      stored,
    );
    if (written) {
      await perform(next, meta, deps);
      return { outcome: 'applied', effects };
    }
    // Thrown, the event is delivered again and applied then (its change is not recorded as ignored).
    if (tried >= conflictRetries.attempts) throw new WriteConflictError(tried, undefined);
  }
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
              ...(effect.moment ? { moment: effect.moment } : {}),
              ...(effect.movedFrom ? { movedFrom: effect.movedFrom } : {}),
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
        ...(effect.perMoment ? { perMoment: true as const } : {}),
        correlationId: meta.correlationId,
      });
    } else if (effect.type === 'unschedule-release-day') {
      await deps.schedules.deleteReleaseDay(release.labelId, release.releaseId, effect.moment);
    } else if (effect.type === 'schedule-announcement') {
      await deps.schedules.upsertAnnouncement({
        labelId: release.labelId,
        releaseId: release.releaseId,
        announceAt: effect.announceAt,
        ...(effect.perInstant ? { perInstant: true as const } : {}),
        correlationId: meta.correlationId,
      });
    } else if (effect.type === 'unschedule-announcement') {
      await deps.schedules.deleteAnnouncement(release.labelId, release.releaseId);
    } else if (effect.type === 'schedule-radio-servicing') {
      await deps.schedules.upsertRadioServicing({
        labelId: release.labelId,
        releaseId: release.releaseId,
        moment: effect.moment,
        correlationId: meta.correlationId,
      });
    } else if (effect.type === 'unschedule-radio-servicing') {
      await deps.schedules.deleteRadioServicing(release.labelId, release.releaseId, effect.moment);
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
