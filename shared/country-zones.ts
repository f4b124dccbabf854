/**
 * A country's time zones (CLDR's, through `Intl.Locale#getTimeZones`) and the one it keeps on a day,
 * with Intl alone: intake and the publisher read version 1 tour dates, and hold no Temporal
 * (docs/design.md#bundles); radio servicing goes at 09:00 in that zone.
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
