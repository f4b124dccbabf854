import * as z from 'zod';
import { defineEvent } from './envelope.ts';

export const PromoAccessed = defineEvent({
  detailType: 'Promo Accessed',
  source: 'backline.recipients',
  schemaVersion: 1,
  description: 'A recipient opened one of their personal promo links.',
  data: z.object({
    labelId: z.string().min(1),
    releaseId: z.string().min(1),
    outletId: z.string().min(1),
    assetIndex: z.number().int().min(0),
    assetKind: z.enum(['stream', 'download', 'artwork', 'epk', 'radio-edit', 'clean']),
    accessCount: z.number().int().min(1),
  }),
  sample: {
    labelId: 'lbl-nightshift',
    releaseId: 'rel-2027-nightdrive',
    outletId: 'out-7f3a',
    assetIndex: 0,
    assetKind: 'stream',
    accessCount: 1,
  },
});
