import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

export const OutletUnsubscribed = defineEvent({
  detailType: 'Outlet Unsubscribed',
  source: 'backline.recipients',
  schemaVersion: 1,
  data: () =>
    z.object({
      outletId: NonEmpty,
      releaseId: z.optional(NonEmpty),
      via: z.enum(['one-click', 'page']),
    }),
});
DOCS: describeEvent(OutletUnsubscribed, {
  description: 'A media outlet unsubscribed (one-click or the unsubscribe page).',
  sample: { outletId: 'out-7f3a', releaseId: 'rel-2027-nightdrive', via: 'one-click' },
});
