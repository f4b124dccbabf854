import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

export const TourPressSettled = defineEvent({
  detailType: 'Tour Press Settled',
  source: 'backline.announcer',
  schemaVersion: 1,
  data: () =>
    z.object({
      labelId: NonEmpty,
      tourId: NonEmpty,
      /** The mail's country, its address and the shows it told of (docs/design.md#tours). */
      country: NonEmpty,
      email: NonEmpty,
      showIds: z.array(NonEmpty).check(z.minLength(1)),
    }),
});
DOCS: describeEvent(TourPressSettled, {
  description:
    "The settling of SES's Email Sent (the settlement function, for the announcer) marked sent a tour's press mail the stale-claim sweep held (its show on hold, cancelled or not yet due), in the outbox with that mark; tours then tells that address what stands now for the mail's shows: a cancellation of a show cancelled since, a change of one changed since, that it moved of one moved to another country since (see docs/design.md#tours).",
  sample: {
    labelId: 'lbl-nightshift',
    tourId: 'tour-2027-eu',
    country: 'DE',
    email: 'desk@press.example',
    showIds: ['show-berlin'],
  },
});
