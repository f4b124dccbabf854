import { countryZone } from './country-zones.ts';
import type { ReleaseDetails } from './events/release-scheduled.ts';
import { genreKey, type Outlet, territoriesMatch } from './outlets.ts';
import {
  coversTerritory,
  instantOf,
  momentsForOutlet,
  type ReleaseMoment,
  revisionOf,
  type TerritoryMoment,
} from './releases.ts';

/**
 * Radio servicing (see docs/design.md#radio-servicing): when radio outlets hear of a release, and
 * which add dates each is told. Shared by releases (which schedules the servicing moments) and the
 * announcer (which mails each radio outlet at its own).
 */

/** The wall time the servicing mail goes at, on the servicing date in the territory's zone. */
export const servicingTime = '09:00';

/** Whether radio outlets are serviced for this release rather than announced to. */
export const servicesRadio = (details: Pick<ReleaseDetails, 'radioServicing'>): boolean =>
  details.radioServicing !== undefined;

/** Whether the outlet gets the release's radio mails (servicing, add-date changes) instead of the announcement. */
export const isServiced = (outlet: Pick<Outlet, 'kind'>, details: Pick<ReleaseDetails, 'radioServicing'>) =>
  outlet.kind === 'radio' && servicesRadio(details);

/**
 * The zone a territory keeps on `date`: the country's own when all its zones show one time that day
 * (`countryZone`: Germany is Europe/Berlin); the release's zone for a territory with several (the
 * United States) and for worldwide.
 */
export const territoryZone = (territory: string, date: string, releaseZone: string): string =>
  (territory !== 'WW' && countryZone(territory, date)) || releaseZone;

/**
 * The zone a territory's stations are serviced in: the zone its own street date is stated in, where a
 * `territoryDates` entry gives one (a US with its own date in America/New_York hears at 09:00 there,
 * not in the release's Europe/London), else `territoryZone` (docs/design.md#radio-servicing).
 */
const servicingZone = (territory: string, details: ReleaseDetails, date: string): string =>
  details.territoryDates?.find((entry) => entry.territories.includes(territory))?.timeZone ??
  territoryZone(territory, date, details.timeZone);

/**
 * The release's servicing moments, one per distinct moment (09:00 on the servicing date in a
 * territory's zone), earliest first, each with the release territories it applies to: what releases
 * schedules, one schedule per moment, not per outlet.
 */
export function servicingMomentsOf(details: ReleaseDetails): TerritoryMoment[] {
  const servicing = details.radioServicing;
  if (!servicing) return [];
  const groups = new Map<string, TerritoryMoment>();
  for (const territory of details.territories) {
    const moment: ReleaseMoment = {
      releaseDate: servicing.servicingDate,
      releaseTime: servicingTime,
      timeZone: servicingZone(territory, details, servicing.servicingDate),
    };
    const key = revisionOf(moment);
    const group = groups.get(key) ?? { key, moment, territories: [] };
    group.territories.push(territory);
    groups.set(key, group);
  }
  return [...groups.values()].sort(
    (a, b) => instantOf(a.moment) - instantOf(b.moment) || a.key.localeCompare(b.key),
  );
}

/**
 * The outlet's servicing moment: the earliest among those of its territories, so it is serviced once.
 * A country's own wins over WW's where the release names it, by the street dates' one rule
 * (momentsForOutlet, docs/design.md#street-dates-per-territory): a station in GB of a release in WW and
 * GB hears at 09:00 in London, not at WW's 09:00 in the release's zone, which may be midnight there.
 */
export const servicingMomentOf = (
  outletTerritories: readonly string[],
  details: ReleaseDetails,
): TerritoryMoment | undefined =>
  momentsForOutlet(outletTerritories, details, servicingMomentsOf(details))[0];

/** A radio format is matched as a genre is (`genreKey`: in NFC, trimmed, in lower case), as an outlet's list keeps it once. */
const sameFormat = (a: string, b: string) => genreKey(a) === genreKey(b);

export interface AddDate {
  format: string;
  territory: string;
  date: string;
}

/** Whether an add date concerns the outlet: one of its formats (any, if it names none) in one of its territories. */
export const addDateConcerns = (outlet: Pick<Outlet, 'formats' | 'territories'>, addDate: AddDate): boolean =>
  (!outlet.formats?.length || outlet.formats.some((format) => sameFormat(format, addDate.format))) &&
  territoriesMatch(outlet.territories, [addDate.territory]);

/**
 * The add dates a radio outlet is told: those of its formats and territories, in territories the release
 * reaches (an add date left for a country withdrawn or excluded from WW is not stated, docs/design.md#radio-servicing).
 */
export const addDatesFor = (
  outlet: Pick<Outlet, 'formats' | 'territories'>,
  details: ReleaseDetails,
): AddDate[] =>
  (details.radioServicing?.addDates ?? []).filter(
    (addDate) => addDateReached(details, addDate) && addDateConcerns(outlet, addDate),
  );

/** What names one add date (its format, any case, and territory) in a mail's identity: unambiguous, as JSON. */
export const addDateKey = (addDate: Pick<AddDate, 'format' | 'territory'>): string =>
  JSON.stringify([addDate.format.trim().toLowerCase(), addDate.territory]);

/**
 * Whether the release reaches an add date's territory, the one rule for which add dates are told: a
 * country it lists or does not exclude, and a `WW` add date, which stands for every country it reaches
 * (docs/design.md#radio-servicing).
 */
export const addDateReached = (details: ReleaseDetails, addDate: Pick<AddDate, 'territory'>): boolean =>
  addDate.territory === 'WW' || coversTerritory(details, addDate.territory);

/**
 * The add date a key names, as the release states it now (undefined once it has none, or once the
 * release no longer reaches its territory: a change of it is then told to nobody, and a mail asked
 * before is obsolete).
 */
export const addDateOf = (details: ReleaseDetails, key: string): AddDate | undefined => {
  const addDate = addDateStated(details, key);
  return addDate && addDateReached(details, addDate) ? addDate : undefined;
};

/** The add date a key names as the release states it, reached or not: what a move kept for later reads. */
export const addDateStated = (details: ReleaseDetails, key: string): AddDate | undefined =>
  details.radioServicing?.addDates.find((addDate) => addDateKey(addDate) === key);

/**
 * The add dates `after` states and `before` did not (moved, or new): `told`, in territories `after`
 * reaches, each mailed to its format and territory; `kept`, in territories it does not reach, mailed to
 * nobody now and kept as moves, so the release reaching that territory again tells them (movesRegained).
 */
export function changedAddDates(
  before: ReleaseDetails,
  after: ReleaseDetails,
): { told: AddDate[]; kept: AddDate[] } {
  // Before any servicing was planned nobody was serviced: there is no one to tell.
  if (!before.radioServicing) return { told: [], kept: [] };
  const was = new Map((before.radioServicing?.addDates ?? []).map((a) => [addDateKey(a), a.date]));
  const moved = (after.radioServicing?.addDates ?? []).filter(
    (addDate) => was.get(addDateKey(addDate)) !== addDate.date,
  );
  return {
    told: moved.filter((addDate) => addDateReached(after, addDate)),
    kept: moved.filter((addDate) => !addDateReached(after, addDate)),
  };
}

/**
 * The add dates of moves kept while the release did not reach their territory (`moves`: key and date)
 * that `after` reaches again and `before` did not, still at the date moved to and not back at the one
 * its outlets had (`from`): told now, to the outlets serviced before the move (docs/design.md#radio-servicing).
 */
export const movesRegained = (
  moves: readonly { key: string; date: string; from?: string }[],
  before: ReleaseDetails,
  after: ReleaseDetails,
): AddDate[] =>
  moves.flatMap((move) => {
    const addDate = addDateOf(after, move.key);
    // Moved back to the date its outlets had when the release stopped reaching it: news to nobody.
    return addDate &&
      addDate.date === move.date &&
      move.date !== move.from &&
      !addDateReached(before, addDate)
      ? [addDate]
      : [];
  });
