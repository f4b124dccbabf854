import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

/**
 * The most outlets one `Outlets Changed` names: the API writes one outlet at a time, and an import page
 * (at most 500 rows, shared/db/jobs.ts `rowsPerPage`) that names more (a row that could not be saved
 * names two) states them in as many events as it takes (docs/design.md#jobs).
 */
export const maxChangedOutlets = 500;

/** Outlet ids, as an `Outlets Changed` and a `Mailing Requested` for those outlets only name them. */
export const OutletIds = z.array(NonEmpty).check(z.minLength(1), z.maxLength(maxChangedOutlets));

export const OutletsChanged = defineEvent({
  detailType: 'Outlets Changed',
  source: 'backline.management',
  alsoFrom: ['backline.jobs'],
  schemaVersion: 1,
  data: () =>
    z.object({
      /**
       * Outlets created, or edited so that they may match other releases (genres, territories, kind,
       * formats) or reach another person (address): one from the API, a page's from an import.
       */
      outletIds: OutletIds,
    }),
});
DOCS: describeEvent(OutletsChanged, {
  description:
    "Media outlets were added to the directory or changed what they match (the API, or one page of a CSV import); the announcer asks for the first mail of each upcoming release they newly match, and tours for the announcement of each tour's shows still to come in the countries they match, for those outlets only (see docs/design.md#exactly-once-mail and docs/design.md#tours).",
  sample: { outletIds: ['out-7f3a', 'out-91c2'] },
});
