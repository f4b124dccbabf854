import * as z from '../zod.ts';

/**
 * Events that SES publishes through a configuration set to the account's *default* bus
 * (source `aws.ses`; docs/design.md#event-catalogue). They are not Backline envelopes: `detail` is SES's own
 * event record. Only the fields Backline reads are required; the rest passes through.
 */
export const SesMail = z.looseObject({
  messageId: z.string(),
  timestamp: z.string(),
  destination: z.array(z.string()),
  tags: z._default(z.record(z.string(), z.array(z.string())), {}),
});

export const SesEventDetail = z.looseObject({
  eventType: z.string(),
  mail: SesMail,
  bounce: z.optional(
    z.looseObject({
      bounceType: z.string(),
      bounceSubType: z.optional(z.string()),
      bouncedRecipients: z.array(z.looseObject({ emailAddress: z.string() })),
    }),
  ),
  complaint: z.optional(
    z.looseObject({
      complainedRecipients: z.array(z.looseObject({ emailAddress: z.string() })),
      /** The feedback report's Feedback-Type (RFC 5965; `not-spam` RFC 6430, `auth-failure` RFC 6591), where the ISP sent one. */
      complaintFeedbackType: z.optional(z.string()),
      /** `OnAccountSuppressionList` where SES accepted the mail but did not send it, the address being on the account's suppression list. */
      complaintSubType: z.optional(z.nullable(z.string())),
    }),
  ),
  /** `Email Rejected`: SES accepted the mail, then did not send it (`Bad content`: it holds a virus). */
  reject: z.optional(z.looseObject({ reason: z.optional(z.string()) })),
});
export type SesEventDetail = z.infer<typeof SesEventDetail>;

export const sesDetailTypes = [
  'Email Sent',
  'Email Delivered',
  'Email Bounced',
  'Email Complaint Received',
  'Email Rejected',
] as const;

export const SesEvent = z.looseObject({
  'detail-type': z.enum(sesDetailTypes),
  source: z.literal('aws.ses'),
  detail: SesEventDetail,
});
export type SesEvent = z.infer<typeof SesEvent>;
