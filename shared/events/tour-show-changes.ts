import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { Id, Money, Name, NonNegativeMoney, OffsetInstant, Text } from './fields.ts';
import { Show, sampleShow } from './tour-booked.ts';

/** Changes to one show of a booked tour, from the label's webhooks (`tour.show.*`). */

/** A show added or updated: the show as it now is (one schema, built for each of the two events that use it). */
const showAsItIs = () => z.object({ tourId: Id, show: Show });

export const TourShowAdded = defineEvent({
  detailType: 'Tour Show Added',
  source: 'backline.intake',
  schemaVersion: 1,
  data: showAsItIs,
});
DOCS: describeEvent(TourShowAdded, {
  description: 'A show was added to a booked tour (`tour.show.added`, formerly `tour.date.added`).',
  sample: { tourId: 'tour-2027-eu', show: { ...sampleShow, showId: 'show-hamburg-1' } },
});

export const TourShowUpdated = defineEvent({
  detailType: 'Tour Show Updated',
  source: 'backline.intake',
  schemaVersion: 1,
  data: showAsItIs,
});
DOCS: describeEvent(TourShowUpdated, {
  description: "A show's times, venue, status or promoter changed: the show as it now is.",
  sample: { tourId: 'tour-2027-eu', show: { ...sampleShow, date: '2027-05-21' } },
});

export const TourShowCancelled = defineEvent({
  detailType: 'Tour Show Cancelled',
  source: 'backline.intake',
  schemaVersion: 1,
  data: () =>
    z.object({
      tourId: Id,
      showId: Id,
      reason: z.optional(Text(1000)),
    }),
});
DOCS: describeEvent(TourShowCancelled, {
  description:
    'A show of a booked tour was cancelled (`tour.show.cancelled`, formerly `tour.date.cancelled`).',
  sample: { tourId: 'tour-2027-eu', showId: 'show-berlin-1', reason: 'Venue flooded' },
});

type Amount = z.infer<typeof Money>;
const sameCurrency = (settlement: { gross: Amount; deductions: { amount: Amount }[]; artistNet: Amount }) =>
  [settlement.artistNet, ...settlement.deductions.map((d) => d.amount)].every(
    (money) => money.currency === settlement.gross.currency,
  );

/**
 * A show settled with the promoter: money in integer minor units of one ISO 4217 currency. The tour's
 * budget takes `artistNet` as an income line (and may show `gross` and `deductions` beside it).
 */
export const TourShowSettled = defineEvent({
  detailType: 'Tour Show Settled',
  source: 'backline.intake',
  schemaVersion: 1,
  data: () =>
    z
      .object({
        tourId: Id,
        showId: Id,
        settledAt: OffsetInstant,
        // No box office or cost is below zero; what the artist nets is when the deductions pass the gross.
        gross: NonNegativeMoney,
        deductions: z
          .array(
            z.object({
              kind: z.enum(['tax', 'venue', 'production', 'marketing', 'promoter', 'commission', 'other']),
              description: z.optional(Name),
              amount: NonNegativeMoney,
            }),
          )
          .check(z.maxLength(100)),
        artistNet: Money,
      })
      .check(
        z.refine(sameCurrency, {
          message: 'gross, deductions and artistNet must share one currency',
          path: ['artistNet', 'currency'],
        }),
        // Their total is stated with the budget's line (functions/budgets/settlements.ts): past the safe
        // integers a sum of numbers is rounded.
        z.refine(
          (settlement) =>
            settlement.deductions.reduce((total, d) => total + BigInt(d.amount.minor), 0n) <=
            Number.MAX_SAFE_INTEGER,
          {
            message: `must total at most ${Number.MAX_SAFE_INTEGER} minor units`,
            path: ['deductions'],
          },
        ),
      ),
});
DOCS: describeEvent(TourShowSettled, {
  description:
    'A show was settled: gross box office, the deductions and what the artist nets, in minor units.',
  sample: {
    tourId: 'tour-2027-eu',
    showId: 'show-berlin-1',
    settledAt: '2027-05-15T01:30:00Z',
    gross: { minor: 9_450_000, currency: 'EUR' },
    deductions: [
      { kind: 'tax', description: 'VAT 7 %', amount: { minor: 618_224, currency: 'EUR' } },
      { kind: 'venue', amount: { minor: 1_200_000, currency: 'EUR' } },
    ],
    artistNet: { minor: 6_105_421, currency: 'EUR' },
  },
});
