import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

export const OutletSuppressed = defineEvent({
  detailType: 'Outlet Suppressed',
  source: 'backline.deliverability',
  schemaVersion: 1,
  data: () =>
    z.object({
      email: z.string().check(z.minLength(3)),
      outletId: z.optional(NonEmpty),
      reason: z.enum(['bounce', 'complaint']),
      detail: z.optional(z.string()),
    }),
});
DOCS: describeEvent(OutletSuppressed, {
  description: 'An address bounced permanently or complained; nothing more is sent to it.',
  sample: {
    email: 'news@radio.example',
    outletId: 'out-7f3a',
    reason: 'bounce',
    detail: 'Permanent/General',
  },
});
