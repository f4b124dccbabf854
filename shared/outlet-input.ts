import { CountryOrWorldwide, Email, Genre, Name, RadioFormat } from './events/fields.ts';
import { genreKey, outletKinds } from './outlets.ts';
import * as z from './zod.ts';

/** What a manager sends to create or replace a media outlet (shared/outlets.ts), and its checks. */

/** A kind in any case, trimmed, as a territory is: a JSON body's and an import's cell (shared/outlet-csv.ts). */
const oneOfTheKinds = `must be one of ${outletKinds.join(', ')}`;
export const OutletKind = z.pipe(
  z.string(oneOfTheKinds).check(z.trim(), z.toLowerCase()),
  z.enum(outletKinds, oneOfTheKinds),
);

/** An outlet's address: an `Email`, the one rule for an address (shared/events/fields.ts). */
export const OutletEmail = Email;

/**
 * A territory as an outlet covers one, trimmed and upper-cased, then a `CountryOrWorldwide` (UK is no ISO
 * code: GB): the outlet's own, and the directory's `territory` filter (functions/management/outlets.ts).
 */
export const OutletTerritory = z.pipe(z.string().check(z.trim(), z.toUpperCase()), CountryOrWorldwide);

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/**
 * Genres and radio formats once each as they are matched (`genreKey`: in NFC, trimmed, in lower case;
 * a radio format so too, `sameFormat` in shared/radio.ts), each as first spelt: `Indie;indie` is one
 * genre to every release, so the outlet keeps one.
 */
const uniqueAsMatched = (values: string[]): string[] => {
  const keys = new Set<string>();
  return values.filter((value) => {
    const key = genreKey(value);
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
};

/**
 * What a manager sends to create or replace an outlet (JSON body or one CSV row). Strict: a PUT
 * replaces the whole outlet, so a misspelt field (`contactname`) would clear the real one; it is a
 * 400 naming it instead, as an unknown CSV column or query parameter is.
 */
export const OutletInput = z.lazy(() =>
  z
    .strictObject({
      name: Name,
      email: OutletEmail,
      kind: OutletKind,
      /** Empty: the outlet covers every genre. */
      genres: z.pipe(z._default(z.array(Genre).check(z.maxLength(50)), []), z.transform(uniqueAsMatched)),
      territories: z.pipe(
        z
          .array(OutletTerritory)
          .check(z.minLength(1, 'must name at least one territory (or WW)'), z.maxLength(250)),
        z.transform(unique),
      ),
      contactName: z.optional(Name),
      /** Radio outlets only: the formats the station programmes, for radio servicing. */
      formats: z.optional(z.pipe(z.array(RadioFormat).check(z.maxLength(20)), z.transform(uniqueAsMatched))),
    })
    .check(
      z.superRefine((outlet, context) => {
        if (outlet.formats?.length && outlet.kind !== 'radio') {
          context.addIssue({ code: 'custom', path: ['formats'], message: 'only radio outlets have formats' });
        }
      }),
    ),
);
export type OutletInput = z.infer<typeof OutletInput>;
