import { describe, expect, it } from 'vitest';
import { countryZones, isZoneOf } from '#shared/country-zones.ts';

const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
/** Every two-letter code Intl lists zones for, with them. */
const countriesWithZones = letters
  .flatMap((first) => letters.map((second) => first + second))
  .map((country) => ({ country, zones: countryZones(country) }))
  .filter(({ zones }) => zones.length > 0);

/**
 * docs/design.md#tours: a venue's zone is one of its country's, by any of Intl's names for it. Intake
 * passes the name as the schema keeps it (ICU's canonical one); these call the check with the name as
 * written, which Intl lists under another.
 */
describe('isZoneOf', () => {
  it('takes each of every country’s own zones', () => {
    const refused = countriesWithZones.flatMap(({ country, zones }) =>
      zones.filter((zone) => !isZoneOf(country, zone)).map((zone) => `${country} ${zone}`),
    );

    expect(countriesWithZones.length).toBeGreaterThan(240);
    expect(refused).toEqual([]);
  });

  it.each([
    ['UA', 'Europe/Kyiv'],
    ['IN', 'Asia/Kolkata'],
    ['US', 'US/Pacific'],
    ['VN', 'Asia/Ho_Chi_Minh'],
  ])('takes %s in %s, a name Intl lists the zone under another of', (country, timeZone) => {
    const listed = countryZones(country).includes(timeZone);

    const taken = isZoneOf(country, timeZone);

    expect(listed).toBe(false);
    expect(taken).toBe(true);
  });

  it.each([
    ['DE', 'America/New_York'],
    ['GB', 'UTC'],
    ['CH', 'Europe/Busingen'],
  ])('refuses %s in %s, no zone of it', (country, timeZone) => {
    expect(isZoneOf(country, timeZone)).toBe(false);
  });
});
