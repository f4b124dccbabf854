import type { Delivery, DeliveryStore } from '#shared/db/deliveries.ts';
import type { OutletDirectory } from '#shared/db/outlets.ts';
import { deliveryTag } from '#shared/db/subject-deliveries.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { OutletSuppressed } from '#shared/events/outlet-suppressed.ts';
import type { SesEvent } from '#shared/events/ses.ts';
import { undeliverableEntries } from '#shared/mail/undeliverable.ts';
import { normaliseEmail } from '#shared/outlets.ts';

/**
 * SES reviews an account at 5 % bounces or 0.1 % complaints: the first permanent bounce or any
 * complaint suppresses the address for good. Transient bounces (mailbox full, ...) change nothing, nor
 * does a `not-spam` report (RFC 6430): it says the mail was wrongly taken for spam, the opposite of a
 * complaint (see docs/design.md#two-mail-streams).
 */

export interface DeliverabilityDeps {
  outlets: Pick<OutletDirectory, 'suppress' | 'findByEmail'>;
  /** Marks the delivery (a mail claim, docs/design.md#exactly-once-mail) that bounced, was complained about or was rejected. */
  deliveries: Pick<DeliveryStore, 'markOutcome'>;
  now: () => Date;
}

export interface SuppressionOutcome {
  /**
   * The addresses this event suppressed (not those suppressed before it), as the writes' answers say: one
   * whose answer was lost reads as suppressed before. The Suppressions metric is counted by the publisher,
   * from the Outlet Suppressed of the write that suppressed it (docs/design.md#observability).
   */
  suppressed: string[];
  deliveryId?: string;
  ignored?: Ignored;
}

/** SES feedback that suppresses nothing: a transient bounce, or a report that the mail is not spam. */
type Ignored = 'transient-bounce' | 'not-spam';

/** What an SES bounce or complaint means for Backline: which addresses to suppress, and why. */
export function suppressionsOf(
  event: SesEvent,
): { reason: 'bounce' | 'complaint'; detail?: string; emails: string[] } | { ignored: Ignored } {
  const { detail } = event;
  // Backline mails one address a mail: that address is suppressed, with whatever the report names (a
  // mailbox that forwards reports the address it forwarded to, which Backline never mailed).
  const named = (reported: string[]) =>
    unique([
      ...reported,
      ...(detail.mail.destination.length === 1 || reported.length === 0 ? detail.mail.destination : []),
    ]);
  if (event['detail-type'] === 'Email Bounced') {
    if (detail.bounce?.bounceType !== 'Permanent') return { ignored: 'transient-bounce' };
    return {
      reason: 'bounce',
      detail: ['Permanent', detail.bounce.bounceSubType].filter(Boolean).join('/'),
      emails: named(detail.bounce.bouncedRecipients.map((recipient) => recipient.emailAddress)),
    };
  }
  if (event['detail-type'] === 'Email Complaint Received') {
    const { complaintFeedbackType: feedback, complaintSubType: subType } = detail.complaint ?? {};
    // SES not sending to an address on the account's suppression list says so whatever the report:
    // the address stays suppressed, so Backline's list keeps it too (no operational mail claimed for it).
    if (feedback === 'not-spam' && subType !== 'OnAccountSuppressionList') return { ignored: 'not-spam' };
    const why = [feedback, subType].filter(Boolean).join('/');
    return {
      reason: 'complaint',
      ...(why ? { detail: why } : {}),
      emails: named(detail.complaint?.complainedRecipients.map((recipient) => recipient.emailAddress) ?? []),
    };
  }
  // onSes hands over bounces and complaints alone.
  return { ignored: 'transient-bounce' };
}

const unique = (emails: string[]) => [...new Set(emails.map(normaliseEmail))];

/**
 * Suppresses the addresses (for both mail streams), marks their outlets and the delivery, and states
 * `Outlet Suppressed` once per address and, for operational mail, `Mail Undeliverable` once per mail:
 * each event goes to the outbox in the same write as its state (see docs/design.md#the-outbox). Safe to repeat (events arrive at least once), also concurrently: only
 * the write that suppresses the address writes its event.
 */
export async function handleSesFeedback(
  event: SesEvent,
  deps: DeliverabilityDeps,
): Promise<SuppressionOutcome> {
  const deliveryId = event.detail.mail.tags[deliveryTag]?.[0];
  const suppression = suppressionsOf(event);
  if ('ignored' in suppression)
    return { suppressed: [], ignored: suppression.ignored, ...(deliveryId ? { deliveryId } : {}) };

  const at = deps.now().toISOString();
  const suppressedNow: string[] = [];
  for (const email of suppression.emails) {
    const outlet = await deps.outlets.findByEmail(email);
    const suppressed = outboxEntry(
      OutletSuppressed,
      {
        email,
        reason: suppression.reason,
        ...(outlet ? { outletId: outlet.id } : {}),
        ...(suppression.detail ? { detail: suppression.detail } : {}),
      },
      { occurredAt: at, correlationId: deliveryId ?? event.detail.mail.messageId },
    );
    const result = await deps.outlets.suppress(
      {
        email,
        reason: suppression.reason,
        ...(suppression.detail ? { detail: suppression.detail } : {}),
        at,
      },
      [suppressed],
    );
    if (result.suppressedNow) suppressedNow.push(email);
  }

  if (deliveryId) {
    // Operational mail is relied on (an advance request, a budget alert): whoever relies on it is told,
    // once per mail, in the same write that marks it (see docs/design.md#two-mail-streams).
    const undeliverable = (delivery: Delivery) =>
      undeliverableEntries(
        delivery,
        { reason: suppression.reason, ...(suppression.detail ? { detail: suppression.detail } : {}) },
        { at },
      );
    await deps.deliveries.markOutcome(
      deliveryId,
      suppression.reason === 'bounce' ? 'bounced' : 'complained',
      { at, messageId: event.detail.mail.messageId },
      undeliverable,
    );
  }
  return { suppressed: suppressedNow, ...(deliveryId ? { deliveryId } : {}) };
}
