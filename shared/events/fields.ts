import * as z from '../zod.ts';

/** Field types shared by several event schemas. */

export const IsoDate = z.iso.date();
export const LocalTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)'));

export const TimeZone = z.string().check(
  z.refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/London'),
);

/** ISO 3166-1 alpha-2 (upper case), or "WW" for worldwide. */
export const CountryOrWorldwide = z.string().check(
  z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as GB, or WW for worldwide'),
  z.refine((code) => code === 'WW' || isCountry(code), 'is not an ISO 3166-1 alpha-2 country code'),
);

// ICU knows every assigned ISO 3166-1 region code; with fallback 'none' an unknown code has no name.
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const isCountry = (code: string): boolean =>
  /^[A-Z]{2}$/.test(code) && code !== 'ZZ' && regionNames.of(code) !== undefined; // of() throws on a malformed code

export const Country = CountryOrWorldwide.check(
  z.refine((code) => code !== 'WW', 'must be a country, not WW'),
);

/** Money is integer minor units plus an ISO 4217 code, never floats. */
export const Money = z.object({
  minor: z.int('must be an integer amount of minor units'),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')),
});

export const Email = z.pipe(
  z.email().check(z.maxLength(254)),
  z.transform((address) => address.trim().toLowerCase()),
);
