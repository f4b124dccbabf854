import * as z from '../zod.ts';
import { defineEvent, describeEvent } from './envelope.ts';
import { NonEmpty } from './fields.ts';

export const MailUndeliverable = defineEvent({
  detailType: 'Mail Undeliverable',
  source: 'backline.deliverability',
  // The mail module, sending for tours or budgets, when SES refuses an operational mail for good.
  alsoFrom: ['backline.tours', 'backline.budgets'],
  schemaVersion: 1,
  data: () =>
    z.object({
      deliveryId: NonEmpty,
      address: z.string().check(z.minLength(3)),
      stream: z.enum(['campaign', 'operational']),
      labelId: NonEmpty,
      /** What the mail was about: its type, then the ids that name it (`["show", tourId, showId]`). */
      subject: z.array(z.string()).check(z.minLength(1)),
      kind: NonEmpty,
      /**
       * `refused`: SES refused the mail for good when it was sent (a per-entry MESSAGE_REJECTED,
       * INVALID_PARAMETER or FAILED), `detail` its status and message, or took it and then rejected it
       * (`Email Rejected`), `detail` `Email Rejected: <reason>`. A new value at version 1: only
       * Backline's own functions consume this event (docs/design.md#event-catalogue).
       */
      reason: z.enum(['bounce', 'complaint', 'refused']),
      detail: z.optional(z.string()),
      /** Who the mail concerns, as its sender stored it (`{tourId, showId}`, `{budgetId}`). */
      context: z.record(z.string(), z.string()),
    }),
});
DOCS: describeEvent(MailUndeliverable, {
  description:
    "An operational mail (advance request, day sheet, budget alert, ...) bounced permanently or drew a complaint (its address now gets no mail), or SES refused it for good (`refused`: when it was sent, with SES's status and message, or after taking it, `Email Rejected: Bad content`): whoever relies on that mail (the tour manager, the budget owner) must be told. Once per mail.",
  sample: {
    deliveryId: '3f9c2a7be1d04c5a9e8f7a6b5c4d3e2f',
    address: 'advance@venue.example',
    stream: 'operational',
    labelId: 'lbl-nightshift',
    subject: ['show', 'tour-2027-eu', 'show-paris'],
    kind: 'advance-request',
    reason: 'bounce',
    detail: 'Permanent/General',
    context: { tourId: 'tour-2027-eu', showId: 'show-paris' },
  },
});
