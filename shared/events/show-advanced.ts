import * as z from '../zod.ts';
import { describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';
import { ShowRef, sample, toursEvent } from './tour-progress.ts';

/**
 * The promoter's advance of a show, published by the function that serves the advance form (recipients)
 * under tours' source. A module of its own, apart from what tours states as it advances a show
 * (`tour-progress.ts`), so that the tours function, which never publishes it, bundles none of its schema
 * (see docs/design.md#bundles).
 */

export const ShowAdvanced = toursEvent('Show Advanced', () =>
  z.object({
    ...ShowRef.shape,
    promoterId: NonEmpty,
    submittedAt: z.isoDateTime(),
    amended: z.boolean(),
  }),
);
DOCS: describeEvent(ShowAdvanced, {
  description: 'The promoter submitted (or amended) the advance form; reminders stop.',
  sample: { ...sample, promoterId: 'prm-1f3a', submittedAt: '2027-04-20T12:00:00.000Z', amended: false },
});
