import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { CountryOrWorldwide, Id, Text } from './fields.ts';

export const ReleaseCancelled = defineEvent({
  detailType: 'Release Cancelled',
  source: 'backline.intake',
  schemaVersion: 1,
  data: () =>
    z.object({
      releaseId: Id,
      // Several lines, kept whole as sent (untrimmed, as it always was): the mail trims what it shows.
      reason: z.optional(Text(2000, { trim: false })),
      territories: z.optional(z.array(CountryOrWorldwide).check(z.minLength(1))),
    }),
});
DOCS: describeEvent(ReleaseCancelled, {
  description:
    'A label cancelled a release, or with `territories` withdrew it from those territories only (it stays scheduled elsewhere).',
  sample: { releaseId: 'rel-2027-nightdrive', reason: 'Artist withdrew the single.' },
});
