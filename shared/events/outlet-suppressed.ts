import * as z from 'zod';
import { defineEvent } from './envelope.ts';

export const OutletSuppressed = defineEvent({
  detailType: 'Outlet Suppressed',
  source: 'backline.deliverability',
  schemaVersion: 1,
  description: 'An address bounced permanently or complained; nothing more is sent to it.',
  data: z.object({
    email: z.string().min(3),
    outletId: z.string().min(1).optional(),
    reason: z.enum(['bounce', 'complaint']),
    detail: z.string().optional(),
  }),
  sample: {
    email: 'news@radio.example',
    outletId: 'out-7f3a',
    reason: 'bounce',
    detail: 'Permanent/General',
  },
});
