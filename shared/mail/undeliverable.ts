import type { Delivery } from '#shared/db/deliveries.ts';
import type { EventData } from '#shared/events/envelope.ts';
import { MailUndeliverable } from '#shared/events/mail-undeliverable.ts';
import { outboxEntry } from '#shared/events/outbox.ts';

/**
 * What an operational mail that cannot reach its address leads to (a permanent bounce, a complaint or
 * SES rejecting it after taking it, from deliverability; SES refusing it for good when it is sent, from
 * the mail module): its `Mail Undeliverable`, so that whoever relies on the mail (the tour manager, the
 * budget owner) is told, written with the mark of its delivery, so once per mail. None for campaign mail (docs/design.md#two-mail-streams).
 */
export const undeliverableEntries = (
  delivery: Delivery,
  why: Pick<EventData<typeof MailUndeliverable>, 'reason' | 'detail'>,
  meta: { at: string; source?: string },
) =>
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
            reason: why.reason,
            ...(why.detail ? { detail: why.detail } : {}),
            context: delivery.context,
          },
          {
            occurredAt: meta.at,
            correlationId: delivery.deliveryId,
            labelId: delivery.labelId,
            ...(meta.source ? { source: meta.source } : {}),
          },
        ),
      ]
    : [];
