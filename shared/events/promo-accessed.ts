import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

export const PromoAccessed = defineEvent({
  detailType: 'Promo Accessed',
  source: 'backline.recipients',
  schemaVersion: 1,
  data: () =>
    z.object({
      labelId: NonEmpty,
      releaseId: NonEmpty,
      outletId: NonEmpty,
      assetIndex: z.int().check(z.gte(0)),
      assetKind: z.enum(['stream', 'download', 'artwork', 'epk', 'radio-edit', 'clean']),
      accessCount: z.int().check(z.gte(1)),
    }),
});
DOCS: describeEvent(PromoAccessed, {
  description:
    "A recipient opened one of their personal promo links: its page's button, which a link scanner's fetch of the link does not press.",
  sample: {
    labelId: 'lbl-nightshift',
    releaseId: 'rel-2027-nightdrive',
    outletId: 'out-7f3a',
    assetIndex: 0,
    assetKind: 'stream',
    accessCount: 1,
  },
});
