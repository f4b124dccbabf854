import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { CountryOrWorldwide, IsoDate, LocalTime, TimeZone } from './fields.ts';

export const PromoAsset = z.object({
  kind: z.enum(['stream', 'download', 'artwork', 'epk']),
  url: z.url({ protocol: /^https?$/ }),
  expiresInDays: z.number().int().min(1).max(365).optional(),
  maxAccesses: z.number().int().min(1).optional(),
});

const Instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time with a time zone, such as 2027-03-01T09:00:00Z',
});

/**
 * A street date that differs by territory: the territories it applies to, their date, and what they
 * do not say taken from the release (its time and zone). `announceAt` holds the announcement to
 * those territories' outlets until then; `preOrderDate` and `previewAt` are what a DDEX deal list
 * says about pre-orders and previews there.
 */
export const TerritoryDate = z.object({
  territories: z.array(CountryOrWorldwide).min(1),
  releaseDate: IsoDate,
  releaseTime: LocalTime.optional(),
  timeZone: TimeZone.optional(),
  announceAt: Instant.optional(),
  preOrderDate: IsoDate.optional(),
  previewAt: Instant.optional(),
});
export type TerritoryDate = z.infer<typeof TerritoryDate>;

/** The kinds of edit a release services radio with; promo links to them count as promo assets do. */
export const radioEditKinds = ['radio-edit', 'clean'] as const;

/**
 * Servicing a release to radio (see docs/design.md#radio-servicing): radio outlets get the servicing
 * mail at 09:00 on `servicingDate` in their territory's zone instead of the press announcement, with
 * the edits' promo links and the add date for their format and territory.
 */
export const RadioServicing = z.object({
  servicingDate: IsoDate,
  addDates: z
    .array(
      z.object({
        format: z.string().trim().min(1, 'must not be empty').max(40),
        territory: CountryOrWorldwide,
        date: IsoDate,
      }),
    )
    .max(500)
    .default([]),
  edits: z
    .array(z.object({ kind: z.enum(radioEditKinds), assetUrl: z.url({ protocol: /^https?$/ }) }))
    .max(10)
    .default([]),
});
export type RadioServicing = z.infer<typeof RadioServicing>;

/** A release as a label describes it (webhook types `release.scheduled` and `release.updated`). */
export const ReleaseDetails = z
  .object({
    releaseId: z.string().min(1).max(128),
    title: z.string().trim().min(1).max(300),
    artists: z.array(z.object({ name: z.string().trim().min(1).max(200) })).min(1),
    kind: z.enum(['single', 'ep', 'album']),
    releaseDate: IsoDate,
    releaseTime: LocalTime.default('00:00'),
    timeZone: TimeZone.default('UTC'),
    territories: z.array(CountryOrWorldwide).min(1),
    genres: z.array(z.string().trim().min(1).max(60)),
    upc: z
      .string()
      .regex(/^\d{12,13}$/, 'must be a 12 or 13 digit UPC/EAN')
      .optional(),
    tracks: z
      .array(
        z.object({
          title: z.string().trim().min(1).max(300),
          isrc: z
            .string()
            .regex(/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/, 'must be an ISRC such as GBAYE2600001')
            .optional(),
          durationSeconds: z.number().int().min(0).max(86_400).optional(),
        }),
      )
      .min(1),
    pressRelease: z
      .object({ subject: z.string().trim().min(1).max(200).optional(), text: z.string().min(1).max(20_000) })
      .optional(),
    promoAssets: z.array(PromoAsset).max(20).optional(),
    /** No announcement before this instant: it is scheduled for then instead. */
    announceAt: Instant.optional(),
    /** The older name of `announceAt`, still accepted; `announceAt` wins when both are given. */
    embargoUntil: Instant.optional(),
    /** Promo links opened before this instant answer "available from" instead of the asset. */
    promoAvailableAt: Instant.optional(),
    /** Street dates that differ by territory; territories not listed here come out on `releaseDate`. */
    territoryDates: z.array(TerritoryDate).max(250).optional(),
    /** When and how radio hears of the release; without it radio outlets get the announcement as press does. */
    radioServicing: RadioServicing.optional(),
  })
  .superRefine((release, context) => {
    const listed = new Set(release.territories);
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
    const addDates = new Set<string>();
    release.radioServicing?.addDates.forEach((entry, index) => {
      const path = ['radioServicing', 'addDates', index];
      const same = JSON.stringify([entry.format.toLowerCase(), entry.territory]);
      if (entry.territory !== 'WW' && !listed.has(entry.territory) && !listed.has('WW')) {
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
  });
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
  description: 'A label scheduled a release.',
  data: ReleaseDetails,
  sample: sampleRelease,
});
