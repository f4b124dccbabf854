/**
 * A country's time zones (CLDR's, through `Intl.Locale#getTimeZones`) and the one it keeps on a day,
 * and whether a wall time occurs in a zone, with Intl alone: intake and the publisher read version 1
 * tour dates and check the local times labels send, and hold no Temporal (docs/design.md#bundles);
 * radio servicing goes at 09:00 in that zone.
 */

/** None for what is no two-letter region code (`IRL`), which Intl.Locale would throw on. */
export function countryZones(country: string): string[] {
  if (!/^[A-Z]{2}$/.test(country)) return [];
  const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & { getTimeZones?: () => string[] };
  return locale.getTimeZones?.() ?? [];
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

/** A zone's offset from UTC at an instant, in minutes (`+09:00` is 540). */
function offsetMinutes(timeZone: string, epochMs: number): number {
  // "1/5/2027, GMT+09:00"; London in winter is written "GMT".
  const written = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'longOffset' }).format(epochMs);
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
 * Whether the wall time `time` (`HH:MM`) occurs on `date` in `timeZone`: false for one a change of
 * offset skips (01:30 in Europe/London on 2027-03-28, the clocks going from 01:00 to 02:00), true for
 * one an overlap repeats. The wall time read as if in UTC, less the offset in force a day before it or
 * a day after it, is an instant showing that wall time if any instant does: a zone changes its offset
 * at most once a day. Only the check: instants are Temporal's (docs/design.md#the-local-clock).
 */
export function wallTimeOccurs(date: string, time: string, timeZone: string): boolean {
  const wall = Date.parse(`${date}T${time}Z`);
  if (Number.isNaN(wall)) return true;
  return [-dayMs, dayMs].some((away) => {
    const at = wall - offsetMinutes(timeZone, wall + away) * 60_000;
    return at + offsetMinutes(timeZone, at) * 60_000 === wall;
  });
}
