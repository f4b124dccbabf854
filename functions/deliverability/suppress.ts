import type { Delivery, DeliveryStore } from '#shared/db/deliveries.ts';
import type { OutletDirectory } from '#shared/db/outlets.ts';
import { deliveryTag } from '#shared/db/subject-deliveries.ts';
import { MailUndeliverable } from '#shared/events/mail-undeliverable.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { OutletSuppressed } from '#shared/events/outlet-suppressed.ts';
import type { SesEvent } from '#shared/events/ses.ts';
import { normaliseEmail } from '#shared/outlets.ts';

/**
 * SES reviews an account at 5 % bounces or 0.1 % complaints: the first permanent bounce or any
 * complaint suppresses the address for good. Transient bounces (mailbox full, ...) change nothing.
 */

export interface DeliverabilityDeps {
  outlets: Pick<OutletDirectory, 'suppress' | 'findByEmail'>;
  /** Marks the delivery (a mail claim, docs/design.md#exactly-once-mail) that bounced or was complained about. */
  deliveries: Pick<DeliveryStore, 'markOutcome'>;
  now: () => Date;
}

export interface SuppressionOutcome {
  suppressed: string[];
  deliveryId?: string;
  ignored?: 'transient-bounce';
}

/** What an SES bounce or complaint means for Backline: which addresses to suppress, and why. */
export function suppressionsOf(
  event: SesEvent,
): { reason: 'bounce' | 'complaint'; detail?: string; emails: string[] } | undefined {
  const { detail } = event;
  // Backline mails one address a mail: that address is suppressed, with whatever the report names (a
  // mailbox that forwards reports the address it forwarded to, which Backline never mailed).
  const named = (reported: string[]) =>
    unique([
      ...reported,
      ...(detail.mail.destination.length === 1 || reported.length === 0 ? detail.mail.destination : []),
    ]);
  if (event['detail-type'] === 'Email Bounced') {
    if (detail.bounce?.bounceType !== 'Permanent') return undefined;
    return {
      reason: 'bounce',
      detail: ['Permanent', detail.bounce.bounceSubType].filter(Boolean).join('/'),
      emails: named(detail.bounce.bouncedRecipients.map((recipient) => recipient.emailAddress)),
    };
  }
  if (event['detail-type'] === 'Email Complaint Received') {
    const feedback = (detail.complaint as { complaintFeedbackType?: unknown } | undefined)
      ?.complaintFeedbackType;
    return {
      reason: 'complaint',
      ...(typeof feedback === 'string' ? { detail: feedback } : {}),
      emails: named(detail.complaint?.complainedRecipients.map((recipient) => recipient.emailAddress) ?? []),
    };
  }
  return undefined;
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
  if (!suppression)
    return { suppressed: [], ignored: 'transient-bounce', ...(deliveryId ? { deliveryId } : {}) };

  const at = deps.now().toISOString();
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
    await deps.outlets.suppress(
      {
        email,
        reason: suppression.reason,
        ...(suppression.detail ? { detail: suppression.detail } : {}),
        at,
      },
      [suppressed],
    );
  }

  if (deliveryId) {
    // Operational mail is relied on (an advance request, a budget alert): whoever relies on it is told,
    // once per mail, in the same write that marks it (see docs/design.md#two-mail-streams).
    const undeliverable = (delivery: Delivery) =>
      delivery.stream === 'operational'
        ? [
            outboxEntry(
              MailUndeliverable,
              {
                deliveryId: delivery.deliveryId,
                address: delivery.email,
                stream: delivery.stream,
                labelId: delivery.labelId,
                subject: [...delivery.subject],
                kind: delivery.kind,
                reason: suppression.reason,
                ...(suppression.detail ? { detail: suppression.detail } : {}),
                context: delivery.context,
              },
              { occurredAt: at, correlationId: deliveryId, labelId: delivery.labelId },
            ),
          ]
        : [];
    await deps.deliveries.markOutcome(
      deliveryId,
      suppression.reason === 'bounce' ? 'bounced' : 'complained',
      { at, messageId: event.detail.mail.messageId },
      undeliverable,
    );
  }
  return { suppressed: suppression.emails, ...(deliveryId ? { deliveryId } : {}) };
}
