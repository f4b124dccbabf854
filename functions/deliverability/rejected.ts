import { deliveryTag } from '#shared/db/subject-deliveries.ts';
import type { SesEvent } from '#shared/events/ses.ts';
import { undeliverableEntries } from '#shared/mail/undeliverable.ts';
import type { DeliverabilityDeps } from './suppress.ts';

export interface RejectionOutcome {
  deliveryId?: string;
  /** Whether a delivery was marked rejected: not for mail that names none, or an id no delivery has. */
  marked: boolean;
}

/**
 * SES took the mail and then sent nothing (`Email Rejected`: it found a virus in it). The mail reached
 * nobody, so its delivery is marked rejected, no longer counted as sent, and the sweep no longer sends
 * a claim still open; for operational mail, `Mail Undeliverable` (reason `refused`, as for a mail SES
 * refuses when it is sent, `detail` naming the rejection and SES's reason) tells whoever relies on it, in
 * the same write as the mark, so once per mail however often SES repeats the event. A rejection is of
 * the message, not the address: nothing is suppressed, and the next mail to it is sent
 * (docs/design.md#two-mail-streams).
 */
export async function markRejected(
  event: SesEvent,
  deps: Pick<DeliverabilityDeps, 'deliveries' | 'now'>,
): Promise<RejectionOutcome> {
  const deliveryId = event.detail.mail.tags[deliveryTag]?.[0];
  if (!deliveryId) return { marked: false };
  const at = deps.now().toISOString();
  const detail = ['Email Rejected', event.detail.reject?.reason].filter(Boolean).join(': ');
  const marked = await deps.deliveries.markOutcome(
    deliveryId,
    'rejected',
    { at, messageId: event.detail.mail.messageId },
    (delivery) => undeliverableEntries(delivery, { reason: 'refused', detail }, { at }),
  );
  return { deliveryId, marked: marked !== undefined };
}
