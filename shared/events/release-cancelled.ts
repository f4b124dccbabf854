import * as z from 'zod';
import { defineEvent } from './envelope.ts';
import { CountryOrWorldwide } from './fields.ts';

export const ReleaseCancelled = defineEvent({
  detailType: 'Release Cancelled',
  source: 'backline.intake',
  schemaVersion: 1,
  description:
    'A label cancelled a release, or with `territories` withdrew it from those territories only (it stays scheduled elsewhere).',
  data: z.object({
    releaseId: z.string().min(1).max(128),
    reason: z.string().max(2000).optional(),
    territories: z.array(CountryOrWorldwide).min(1).optional(),
  }),
  sample: { releaseId: 'rel-2027-nightdrive', reason: 'Artist withdrew the single.' },
});
