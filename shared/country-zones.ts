/**
 * A country's time zones (CLDR's, through `Intl.Locale#getTimeZones`) and the one it keeps on a day,
 * and whether a wall time occurs in a zone, with Intl alone: intake and the publisher read version 1
 * tour dates, check the local times labels send and read DDEX deals' starts in their territories'
 * zones, and hold no Temporal (docs/design.md#bundles); radio servicing goes at 09:00 in that zone.
 */

/**
 * Each country's zones, read once: `getTimeZones` takes some 0.2 ms a call, and a DDEX deal may list
 * every country (docs/design.md#ddex-ern). At most 676 entries, one per two-letter code.
 */
const zonesByCountry = new Map<string, string[]>();

/** None for what is no two-letter region code (`IRL`), which Intl.Locale would throw on. */
export function countryZones(country: string): string[] {
  if (!/^[A-Z]{2}$/.test(country)) return [];
  let zones = zonesByCountry.get(country);
  if (!zones) {
    const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & { getTimeZones?: () => string[] };
    zones = locale.getTimeZones?.() ?? [];
    zonesByCountry.set(country, zones);
  }
  return zones;
}

/** A zone's name as Intl canonicalises it (`Asia/Kolkata` is ICU's `Asia/Calcutta`). */
const canonical = (timeZone: string): string =>
  new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;

/**
 * Whether `timeZone`, an IANA name, is one of `country`'s zones, by any of Intl's names for it (Europe/Kyiv
 * and Europe/Kiev alike). Any is of a country Intl lists none for: Kosovo (XK), whose IANA zone is Serbia's,
 * and the uninhabited BV and HM (docs/design.md#tours).
 */
export function isZoneOf(country: string, timeZone: string): boolean {
  const zones = countryZones(country);
  if (zones.length === 0 || zones.includes(timeZone)) return true;
  const named = canonical(timeZone);
  return zones.some((zone) => canonical(zone) === named);
}

/** One formatter a zone: a country of many zones (the United States has 29) reads each several times. */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** A zone's offset from UTC at an instant, in minutes (`+09:00` is 540). */
function offsetMinutes(timeZone: string, epochMs: number): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  // "1/5/2027, GMT+09:00"; London in winter is written "GMT".
  const written = format.format(epochMs);
  const [, sign, hours = '0', minutes = '0'] = written.match(/GMT([+-])(\d\d):(\d\d)/) ?? [];
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

/**
 * The zone `country` keeps on `date` when all its zones show one time at noon UTC that day (Germany's
 * Berlin and Busingen: Europe/Berlin); undefined for a country whose zones keep several (the United
 * States) and for one with none.
 */
export function countryZone(country: string, date: string): string | undefined {
  const zones = countryZones(country);
  const noon = Date.parse(`${date}T12:00:00Z`);
  return new Set(zones.map((zone) => offsetMinutes(zone, noon))).size === 1 ? zones[0] : undefined;
}

const dayMs = 86_400_000;

/**
 * The instants that might show the wall time `wall` (read as if in UTC) in `timeZone`: the wall time less
 * the offset in force a day before it, and less the one a day after it. An instant shows that wall time
 * only if one of them does: a zone changes its offset at most once a day.
 */
const candidates = (wall: number, timeZone: string): number[] =>
  [-dayMs, dayMs].map((away) => wall - offsetMinutes(timeZone, wall + away) * 60_000);
const shows = (at: number, wall: number, timeZone: string) =>
  at + offsetMinutes(timeZone, at) * 60_000 === wall;

/**
 * Whether the wall time `time` (`HH:MM`) occurs on `date` in `timeZone`: false for one a change of
 * offset skips (01:30 in Europe/London on 2027-03-28, the clocks going from 01:00 to 02:00), true for
 * one an overlap repeats. Only the check: instants are Temporal's (docs/design.md#the-local-clock), but
 * for the ERN reader's, which intake and the publisher run (`wallTimeInstant`).
 */
export function wallTimeOccurs(date: string, time: string, timeZone: string): boolean {
  const wall = Date.parse(`${date}T${time}Z`);
  if (Number.isNaN(wall)) return true;
  return candidates(wall, timeZone).some((at) => shows(at, wall, timeZone));
}

/**
 * The instant (epoch ms) the wall time `time` on `date` in `timeZone` stands for, as Temporal's
 * `compatible` reading has it, which releases use for the same moment (docs/design.md#street-dates-per-territory):
 * a wall time the clocks repeat is its first occurrence; one they skip is read at the offset before the
 * skip, so 00:00 where Cairo's clocks skip midnight is when they resume, 01:00.
 */
export function wallTimeInstant(date: string, time: string, timeZone: string): number {
  const wall = Date.parse(`${date}T${time}Z`);
  const [before = wall, after = wall] = candidates(wall, timeZone);
  const occurring = [before, after].filter((at) => shows(at, wall, timeZone));
  return occurring.length > 0 ? Math.min(...occurring) : before;
}

/**
 * The zone in which a start naming none (a DDEX deal's `StartDate`) is read in `country`
 * (docs/design.md#ddex-ern): `countryZone` where all its zones keep one time that day; else, of its
 * zones, the one where the wall time `time` on `date` comes last, so that no outlet in the country is
 * told a release is out before it is out where the outlet is (Pacific/Honolulu's midnight for the
 * United States in June; the first listed of those it comes last in); undefined for a country with none.
 */
export function latestZone(country: string, date: string, time: string): string | undefined {
  const uniform = countryZone(country, date);
  if (uniform) return uniform;
  let latest: { zone: string; at: number } | undefined;
  for (const zone of countryZones(country)) {
    const at = wallTimeInstant(date, time, zone);
    if (!latest || at > latest.at) latest = { zone, at };
  }
  return latest?.zone;
}
