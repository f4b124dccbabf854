import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import {
  Country,
  CountryOrWorldwide,
  Genre,
  Id,
  IsoDate,
  LabelTimeZone,
  Line,
  LocalTime,
  Name,
  OffsetInstant,
  RadioFormat,
  Text,
} from './fields.ts';

/**
 * An asset's address. It travels whole in each outlet's signed promo link, whose token a path holds
 * up to 2,048 characters of (`maxPathTokenLength`): 1,000 leaves room for the longest ids
 * (docs/design.md#embargoes). The token carries it as JSON in UTF-8, so that is what is measured: a
 * character outside ASCII takes two to four bytes there, and 1,000 such characters would make every
 * link to the asset too long to open.
 */
const utf8 = new TextEncoder();
const carriedBytes = (url: string) => utf8.encode(JSON.stringify(url)).length - 2;
const AssetUrl = z.url({ protocol: /^https?$/ }).check(
  // The length first, for the JSON Schema and the API document; the bytes only if it holds.
  z.maxLength(1000, { abort: true }),
  z.refine(
    (url) => carriedBytes(url) <= 1000,
    'must be at most 1,000 bytes in UTF-8 (a character outside ASCII counts 2 to 4): each promo link carries it',
  ),
);

/**
 * The most an asset URL and the release id take together of each promo link to it, in bytes as it
 * carries them: the 1,000 of the URL and 128, the longest release id in ASCII, which the URL's 1,000 left
 * room for. A release id outside ASCII takes two to four bytes a character (384 for 128 in Japanese),
 * which, beside the longest URL, made every link to the asset too long to open.
 */
const linkedBytes = 1128;

export const PromoAsset = z.lazy(() =>
  z.object({
    kind: z.enum(['stream', 'download', 'artwork', 'epk']),
    url: AssetUrl,
    expiresInDays: z.optional(z.int().check(z.gte(1), z.lte(365))),
    maxAccesses: z.optional(z.int().check(z.gte(1))),
  }),
);

/**
 * Kept as the label wrote it, not in UTC: a territory's embargo schedule is named by this string
 * (announcementScheduleName), so normalising it would rename the schedules already made.
 */
const Instant = OffsetInstant;

/**
 * A street date that differs by territory: the territories it applies to, their date, and what they
 * do not say taken from the release (its time and zone). `announceAt` holds the announcement to
 * those territories' outlets until then; `preOrderDate` and `previewAt` are what a DDEX deal list
 * says about pre-orders and previews there.
 */
export const TerritoryDate = z.lazy(() =>
  z.object({
    territories: z.array(CountryOrWorldwide).check(z.minLength(1)),
    releaseDate: IsoDate,
    releaseTime: z.optional(LocalTime),
    timeZone: z.optional(LabelTimeZone),
    announceAt: z.optional(Instant),
    preOrderDate: z.optional(IsoDate),
    previewAt: z.optional(Instant),
  }),
);
export type TerritoryDate = z.infer<typeof TerritoryDate>;

/** The kinds of edit a release services radio with; promo links to them count as promo assets do. */
export const radioEditKinds = ['radio-edit', 'clean'] as const;

/**
 * Servicing a release to radio (see docs/design.md#radio-servicing): radio outlets get the servicing
 * mail at 09:00 on `servicingDate` in their territory's zone instead of the press announcement, with
 * the edits' promo links and the add date for their format and territory.
 */
export const RadioServicing = z.lazy(() =>
  z.object({
    servicingDate: IsoDate,
    addDates: z._default(
      z
        .array(
          z.object({
            format: RadioFormat,
            territory: CountryOrWorldwide,
            date: IsoDate,
          }),
        )
        .check(z.maxLength(500)),
      [],
    ),
    edits: z._default(
      z.array(z.object({ kind: z.enum(radioEditKinds), assetUrl: AssetUrl })).check(z.maxLength(10)),
      [],
    ),
  }),
);
export type RadioServicing = z.infer<typeof RadioServicing>;

/** A release as a label describes it (webhook types `release.scheduled` and `release.updated`). */
export const ReleaseDetails = z.lazy(() =>
  z
    .object({
      releaseId: Id,
      title: Line(300),
      artists: z.array(z.object({ name: Name })).check(z.minLength(1)),
      kind: z.enum(['single', 'ep', 'album']),
      releaseDate: IsoDate,
      releaseTime: z._default(LocalTime, '00:00'),
      timeZone: z._default(LabelTimeZone, 'UTC'),
      territories: z.array(CountryOrWorldwide).check(z.minLength(1)),
      /**
       * Beside `WW` in `territories` only: the countries worldwide leaves out ("worldwide except DE", ERN's
       * ExcludedTerritoryCode). A country listed here is not reached: its outlets are not announced, and a
       * country newly listed is a withdrawal there.
       */
      excludedTerritories: z.optional(z.array(Country).check(z.minLength(1), z.maxLength(250))),
      genres: z.array(Genre),
      upc: z.optional(z.string().check(z.regex(/^\d{12,13}$/, 'must be a 12 or 13 digit UPC/EAN'))),
      tracks: z
        .array(
          z.object({
            title: Line(300),
            isrc: z.optional(
              z.string().check(z.regex(/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/, 'must be an ISRC such as GBAYE2600001')),
            ),
            durationSeconds: z.optional(z.int().check(z.gte(0), z.lte(86_400))),
          }),
        )
        .check(z.minLength(1)),
      pressRelease: z.optional(
        z.object({
          subject: z.optional(Name),
          // Several lines, kept whole as sent (untrimmed): the mail trims what it shows (multiLine).
          text: Text(20_000, { trim: false }),
        }),
      ),
      promoAssets: z.optional(z.array(PromoAsset).check(z.maxLength(20))),
      /** No announcement before this instant: it is scheduled for then instead. */
      announceAt: z.optional(Instant),
      /** The older name of `announceAt`, still accepted; `announceAt` wins when both are given. */
      embargoUntil: z.optional(Instant),
      /** Promo links opened before this instant answer "available from" instead of the asset. */
      promoAvailableAt: z.optional(Instant),
      /** Street dates that differ by territory; territories not listed here come out on `releaseDate`. */
      territoryDates: z.optional(z.array(TerritoryDate).check(z.maxLength(250))),
      /** When and how radio hears of the release; without it radio outlets get the announcement as press does. */
      radioServicing: z.optional(RadioServicing),
    })
    .check(
      z.superRefine((release, context) => {
        const listed = new Set(release.territories);
        const excluded = new Set<string>();
        release.excludedTerritories?.forEach((territory, at) => {
          const path = ['excludedTerritories', at];
          const problem = !listed.has('WW')
            ? 'excludes a country only from WW, which territories does not list'
            : listed.has(territory)
              ? `${territory} is one of the release's territories`
              : excluded.has(territory)
                ? `${territory} is excluded earlier`
                : undefined;
          if (problem) context.addIssue({ code: 'custom', path, message: problem });
          excluded.add(territory);
        });
        const dated = new Set<string>();
        release.territoryDates?.forEach((entry, index) => {
          entry.territories.forEach((territory, at) => {
            const path = ['territoryDates', index, 'territories', at];
            if (!listed.has(territory)) {
              context.addIssue({
                code: 'custom',
                path,
                message: `${territory} is not one of the release's territories`,
              });
            } else if (dated.has(territory)) {
              context.addIssue({
                code: 'custom',
                path,
                message: `${territory} has a street date in an earlier entry`,
              });
            }
            dated.add(territory);
          });
        });
        // Each promo link carries the release id with the asset's URL (docs/design.md#embargoes).
        const idBytes = carriedBytes(release.releaseId);
        const tooLong = (url: string, path: (string | number)[]) => {
          if (idBytes + carriedBytes(url) <= linkedBytes) return;
          context.addIssue({
            code: 'custom',
            path,
            message: `must be at most ${linkedBytes - idBytes} bytes in UTF-8 for this release: each promo link carries it with the release id (${idBytes} bytes), ${linkedBytes} together`,
          });
        };
        release.promoAssets?.forEach((asset, index) => {
          tooLong(asset.url, ['promoAssets', index, 'url']);
        });
        release.radioServicing?.edits.forEach((edit, index) => {
          tooLong(edit.assetUrl, ['radioServicing', 'edits', index, 'assetUrl']);
        });
        const addDates = new Set<string>();
        release.radioServicing?.addDates.forEach((entry, index) => {
          const path = ['radioServicing', 'addDates', index];
          const same = JSON.stringify([entry.format.toLowerCase(), entry.territory]);
          if (
            entry.territory !== 'WW' &&
            !listed.has(entry.territory) &&
            (!listed.has('WW') || excluded.has(entry.territory))
          ) {
            context.addIssue({
              code: 'custom',
              path: [...path, 'territory'],
              message: `${entry.territory} is not one of the release's territories`,
            });
          } else if (addDates.has(same)) {
            context.addIssue({
              code: 'custom',
              path,
              message: `${entry.format} in ${entry.territory} has an add date in an earlier entry`,
            });
          }
          addDates.add(same);
        });
      }),
    ),
);
export type ReleaseDetails = z.infer<typeof ReleaseDetails>;

export const sampleRelease: z.input<typeof ReleaseDetails> = {
  releaseId: 'rel-2027-nightdrive',
  title: 'Night Drive',
  artists: [{ name: 'The Midnight Echoes' }],
  kind: 'single',
  releaseDate: '2027-03-05',
  releaseTime: '00:00',
  timeZone: 'Europe/London',
  territories: ['GB', 'IE'],
  genres: ['synthpop'],
  tracks: [{ title: 'Night Drive', isrc: 'GBAYE2700001' }],
  pressRelease: { text: 'The Midnight Echoes return with a late-night single.' },
  promoAssets: [{ kind: 'stream', url: 'https://promo.example.com/night-drive', expiresInDays: 30 }],
};

export const ReleaseScheduled = defineEvent({
  detailType: 'Release Scheduled',
  source: 'backline.intake',
  schemaVersion: 1,
  data: () => ReleaseDetails,
});
DOCS: describeEvent(ReleaseScheduled, {
  description: 'A label scheduled a release.',
  sample: sampleRelease,
});
