import { CountryOrWorldwide } from './events/fields.ts';
import { genreKey } from './genres.ts';
import * as z from './zod.ts';

/**
 * Media outlets: who hears about releases. Shared by the management API (the directory), the
 * announcer (who matches a release), recipients (unsubscribe) and deliverability (suppression).
 */

export const outletKinds = ['radio', 'press', 'blog', 'playlist', 'tv', 'podcast'] as const;
export const OutletKind = z.enum(outletKinds);
export type OutletKind = z.infer<typeof OutletKind>;

/** Trimmed and lower-cased before it is validated, so ` News@Radio.Example ` is `news@radio.example`. */
export const OutletEmail = z.pipe(
  z.string().check(z.trim(), z.toLowerCase()),
  z.email('must be an email address').check(z.maxLength(254)),
);

export const normaliseEmail = (address: string): string => address.trim().toLowerCase();

const Territory = z.pipe(z.string().check(z.trim(), z.toUpperCase()), CountryOrWorldwide);
const Genre = z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(60));
/** A radio format, as stations name them (`AAA`, `CHR`, `specialist`). */
const Format = z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(40));

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/** What a manager sends to create or replace an outlet (JSON body or one CSV row). */
export const OutletInput = z
  .object({
    name: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)),
    email: OutletEmail,
    kind: OutletKind,
    /** Empty: the outlet covers every genre. */
    genres: z.pipe(z._default(z.array(Genre).check(z.maxLength(50)), []), z.transform(unique)),
    territories: z.pipe(
      z.array(Territory).check(z.minLength(1, 'must name at least one territory (or WW)'), z.maxLength(250)),
      z.transform(unique),
    ),
    contactName: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
    /** Radio outlets only: the formats the station programmes, for radio servicing. */
    formats: z.optional(z.pipe(z.array(Format).check(z.maxLength(20)), z.transform(unique))),
  })
  .check(
    z.superRefine((outlet, context) => {
      if (outlet.formats?.length && outlet.kind !== 'radio') {
        context.addIssue({ code: 'custom', path: ['formats'], message: 'only radio outlets have formats' });
      }
    }),
  );
export type OutletInput = z.infer<typeof OutletInput>;

export interface Outlet {
  id: string;
  name: string;
  email: string;
  kind: OutletKind;
  genres: string[];
  territories: string[];
  contactName?: string;
  formats?: string[];
  unsubscribedAt?: string;
  suppressedAt?: string;
  suppressionReason?: 'bounce' | 'complaint';
  createdAt: string;
  updatedAt: string;
}

export interface ReleaseAudience {
  genres: readonly string[];
  territories: readonly string[];
}

const worldwide = 'WW';

/**
 * Whether a release should go to an outlet: an outlet with no genres matches every genre, otherwise
 * it must share one (case-insensitive); the territories must intersect, and "WW" on either side
 * matches all. Suppression and unsubscription are a separate question (`isMailable`).
 */
export function outletMatchesRelease(outlet: ReleaseAudience, release: ReleaseAudience): boolean {
  return (
    genresMatch(outlet.genres, release.genres) && territoriesMatch(outlet.territories, release.territories)
  );
}

function genresMatch(outletGenres: readonly string[], releaseGenres: readonly string[]): boolean {
  if (outletGenres.length === 0) return true;
  const wanted = new Set(releaseGenres.map(genreKey));
  return outletGenres.some((genre) => wanted.has(genreKey(genre)));
}

/** Whether an outlet's territories and a release's (or some of its territories) meet; `WW` meets every one. */
export function territoriesMatch(
  outletTerritories: readonly string[],
  releaseTerritories: readonly string[],
): boolean {
  const outlet = outletTerritories.map((code) => code.toUpperCase());
  const release = releaseTerritories.map((code) => code.toUpperCase());
  if (outlet.length === 0 || release.length === 0) return false;
  if (outlet.includes(worldwide) || release.includes(worldwide)) return true;
  const covered = new Set(release);
  return outlet.some((code) => covered.has(code));
}

/** Unsubscribed and suppressed outlets get nothing. */
export const isMailable = (outlet: Pick<Outlet, 'unsubscribedAt' | 'suppressedAt'>): boolean =>
  !outlet.unsubscribedAt && !outlet.suppressedAt;
