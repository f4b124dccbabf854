import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

/** The most mails one `Release Mails Settled` names: a settlement batch holds at most 100 Email Sent events. */
export const maxSettledMails = 100;

export const ReleaseMailsSettled = defineEvent({
  detailType: 'Release Mails Settled',
  source: 'backline.announcer',
  schemaVersion: 1,
  data: () =>
    z.object({
      labelId: NonEmpty,
      releaseId: NonEmpty,
      /**
       * The release's first mails (announcement, radio servicing) and withdrawals whose Email Sent
       * marked them sent, or recorded them as having gone after their claim was closed unsent, in the
       * write this event was stored with (docs/design.md#exactly-once-mail).
       */
      deliveryIds: z.array(NonEmpty).check(z.minLength(1), z.maxLength(maxSettledMails)),
    }),
});
DOCS: describeEvent(ReleaseMailsSettled, {
  description:
    "The settling of SES's Email Sent (the settlement function, for the announcer) marked some of a release's first mails or withdrawals sent (or recorded one closed unsent as having gone), in the outbox with that mark; the announcer then asks what must follow them: the follow-ups a late first mail missed, the next round's announcement after a withdrawal of a release given back since (see docs/design.md#exactly-once-mail).",
  sample: {
    labelId: 'lbl-nightshift',
    releaseId: 'rel-2027-nightdrive',
    deliveryIds: ['3f9a0c5e7b2d4186a1c0e9f8d7b6a5c4'],
  },
});
