import type { Delivery } from '#shared/db/deliveries.ts';
import type { EmailSentClaims } from '#shared/db/email-sent-claims.ts';
import { deliveryTag } from '#shared/db/subject-deliveries.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { SesEventDetail } from '#shared/events/ses.ts';
import type { MailDeps } from './ports.ts';

/** What settling a batch of Email Sent events came to. */
export interface Settled {
  /** The deliveries whose open claim these events settled as sent (as read before settling). */
  settled: Delivery[];
  /** Indexes (in the batch) of the events whose settling failed: to be tried again. */
  failed: number[];
  /**
   * The deliveries these events found marked sent by another writer (their sender, a resend, or an
   * earlier event): read so, or read still claimed, their mark refused, and read again marked sent.
   * Given with the failed events too, since these events are not tried again. What follows a mail's
   * sending and marked by a writer that asked nothing (its sender) is asked from here, at once: these
   * events write nothing, so an ask that fails fails them, and their retry finds the mail marked again
   * (the announcer's withdrawals, docs/design.md#exactly-once-mail).
   */
  alreadySent: Delivery[];
  /**
   * Claims closed unsent (failed: the sweep found them no longer wanted) whose Email Sent shows they
   * went after all: recorded so (`markSentAfterClosed`), their status kept, by these events or found
   * recorded already (a messageId on a failed delivery: an earlier event of the same mail), as read.
   * A claim these events read open whose mark was refused because the sweep closed it meanwhile is
   * read again and recorded so too: never taken for found marked sent.
   */
  sentAfterClosed: Delivery[];
}

/**
 * SES's Email Sent event is the evidence that a claimed mail went out, even when the sender never
 * heard SES's answer (a crash, a lost response): the claim is settled as sent from it. Events come
 * in batches (the settlement queue, see docs/design.md#exactly-once-mail), after the queue's delivery
 * delay has given each sender time to mark its own mails, so nearly all of them find their delivery
 * already marked sent: one BatchGetItem reads the batch's deliveries, and the claims still open are
 * settled together in one batched conditional write. A claim the sweep closed unsent before its
 * Email Sent came (rare: the sweep waits out SES's events) is recorded as having gone, one write each.
 */
export async function settleFromEmailsSent(
  details: SesEventDetail[],
  deps: Pick<MailDeps, 'now'> & { deliveries: EmailSentClaims },
  /**
   * What must follow the mails these events mark sent, or record as having gone (the announcer's
   * follow-ups): events stored in the outbox by the same write as those marks, so the ask is made
   * once the mark is, and is never lost after it (docs/design.md#the-outbox). Given the deliveries a
   * write marks, as read.
   */
  asks?: (marked: Delivery[]) => OutboxEntry[],
): Promise<Settled> {
  const tagged = details.flatMap((detail, index) => {
    const deliveryId = detail.mail.tags[deliveryTag]?.[0];
    return deliveryId ? [{ index, deliveryId, detail }] : [];
  });
  const outcome: Settled = { settled: [], failed: [], alreadySent: [], sentAfterClosed: [] };
  if (tagged.length === 0) return outcome;
  let deliveries: Map<string, Delivery>;
  try {
    deliveries = await deps.deliveries.getMany([...new Set(tagged.map((e) => e.deliveryId))]);
  } catch {
    return { ...outcome, failed: tagged.map(({ index }) => index) };
  }
  outcome.alreadySent = [...deliveries.values()].filter((delivery) => delivery.status === 'sent');
  // The first event of a mail settles it (SES may repeat one); each mail is marked at its own send time.
  const firstOf = (events: typeof tagged) => {
    const firsts = new Map<string, (typeof tagged)[number]>();
    for (const event of events) if (!firsts.has(event.deliveryId)) firsts.set(event.deliveryId, event);
    return [...firsts.values()];
  };
  const sentAt = (detail: SesEventDetail) => new Date(detail.mail.timestamp).toISOString();
  // Closed unsent (failed) before its Email Sent came: recorded as having gone, once, with what follows it
  // (`asks`) in the same write; one read so with a messageId was recorded already (by an earlier event,
  // or one racing this, whose write asked) and is given all the same (docs/design.md#exactly-once-mail).
  const recordSentAfterClosed = async (events: typeof tagged) => {
    for (const { deliveryId, detail } of firstOf(events)) {
      const delivery = deliveries.get(deliveryId)!;
      if (delivery.messageId !== undefined) {
        outcome.sentAfterClosed.push(delivery);
        continue;
      }
      try {
        await deps.deliveries.markSentAfterClosed(
          deliveryId,
          detail.mail.messageId,
          sentAt(detail),
          deps.now().toISOString(),
          asks?.([delivery]),
        );
        // Refused only when another event recorded it between the read and the write.
        outcome.sentAfterClosed.push(delivery);
      } catch {
        outcome.failed.push(...events.filter((e) => e.deliveryId === deliveryId).map(({ index }) => index));
      }
    }
  };
  await recordSentAfterClosed(
    tagged.filter(({ deliveryId }) => deliveries.get(deliveryId)?.status === 'failed'),
  );
  const open = tagged.filter(({ deliveryId }) => deliveries.get(deliveryId)?.status === 'claimed');
  if (open.length > 0) {
    const first = firstOf(open);
    try {
      const marked = await deps.deliveries.markSentMany(
        first.map(({ deliveryId, detail }) => ({
          deliveryId,
          messageId: detail.mail.messageId,
          at: sentAt(detail),
        })),
        deps.now().toISOString(),
        asks && ((ids) => asks(ids.map((id) => deliveries.get(id)!))),
      );
      for (const { deliveryId } of first)
        if (marked.has(deliveryId)) outcome.settled.push(deliveries.get(deliveryId)!);
      // A mark refused: another marked it sent between the read and the mark (its sender, a resend, an
      // earlier event), or the sweep closed it unsent; read again, a closed one is recorded as having gone.
      // Not this mark's own, applied with its answer lost: that one is marked (markSentPage's `markedBy`).
      const refused = [...new Set(open.map(({ deliveryId }) => deliveryId))].filter((id) => !marked.has(id));
      if (refused.length > 0) {
        const again = await deps.deliveries.getMany(refused, { consistent: true });
        for (const [deliveryId, delivery] of again) deliveries.set(deliveryId, delivery);
        const unsettled = open.filter(({ deliveryId }) => refused.includes(deliveryId));
        for (const id of refused)
          if (again.get(id)?.status === 'sent') outcome.alreadySent.push(again.get(id)!);
        await recordSentAfterClosed(
          unsettled.filter(({ deliveryId }) => again.get(deliveryId)?.status === 'failed'),
        );
        outcome.failed.push(
          ...unsettled
            .filter(({ deliveryId }) => !['sent', 'failed'].includes(again.get(deliveryId)?.status ?? ''))
            .map(({ index }) => index),
        );
      }
    } catch {
      outcome.failed.push(...open.map(({ index }) => index));
    }
  }
  outcome.failed.sort((a, b) => a - b);
  return outcome;
}
