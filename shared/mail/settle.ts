import { type Delivery, deliveryTag, type SettlementClaims } from '#shared/db/deliveries.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { SesEventDetail } from '#shared/events/ses.ts';
import type { MailDeps, OutgoingMail } from './ports.ts';
import {
  byCallShape,
  type ClaimedMail,
  type ClaimedOptions,
  recipientsPerCall,
  sendClaimed,
  withoutSuppressed,
} from './send.ts';

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
  deps: Pick<MailDeps, 'now'> & { deliveries: SettlementClaims },
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

/** What a sender gives the sweep for its own subject type: how to write its stale mails again. */
export interface Resender {
  /** The subject type whose claims this sender settles (`release`, `show`, `budget-alert`, ...). */
  subjectType: string;
  /**
   * For stale claims of one mail (same label, subject, kind, revision and moment), the mail to send
   * again, written from the subject as it is now, per delivery id; a delivery left out is no longer
   * wanted (recipient gone, opted out or suppressed; subject cancelled) and is closed as failed.
   * `asOf`: the version of the subject the resends are written from.
   */
  rebuild(stale: Delivery[]): Promise<{
    mails: Map<string, OutgoingMail>;
    asOf?: string;
    /**
     * Not wanted now, but maybe once the subject is on again: the claims are left open, neither sent nor
     * closed. `true` (a show on hold) holds every claim of the group at the stale boundary, so the next
     * sweep looks at it again; a map (a release withdrawn where the recipient is) holds the claims whose
     * delivery ids it names at the time it gives (`heldAt`: the claim time stays), so the sweep looks at
     * each again only once stale after that time (docs/design.md#exactly-once-mail).
     */
    held?: true | ReadonlyMap<string, string>;
    /** Of the claims `held` names, those held though wanted again, for the margin of a late Email Sent. */
    wanted?: ReadonlySet<string>;
  }>;
  /**
   * What the sender does for a mail left out because its address is suppressed: it records it (budgets
   * mark the owner unreachable: docs/design.md#budgets) or sends a mail in its place under that mail's
   * own identity (tours: the tour manager's alert for a promoter's step mail). The sender runs the same
   * function for what its own send leaves out; the sweep runs it for a stale claim whose mail, written
   * again, goes to an address suppressed since, before closing the claim unsent, so a failure leaves
   * the claim stale for the next sweep: it must be idempotent (docs/design.md#exactly-once-mail).
   */
  leftOutSuppressed?(mail: OutgoingMail, delivery: Delivery): Promise<void>;
  /**
   * How the resends SES took are marked sent, where not by the claims' own marking (`ClaimedOptions.mark`):
   * the announcer's asks with the marks what must follow them (its follow-ups, for a change the resend
   * may have missed), stored in the outbox by the same write as the mark, as settling's asks are, so the
   * ask is never lost after it (docs/design.md#the-outbox).
   */
  resendMark?: ClaimedOptions['mark'];
}

/**
 * Claims opened before this instant are stale (the sender's timeout plus a margin, staleClaimMs): the
 * sweep sends them again; one opened since may still be being sent, so it counts as having reached SES.
 */
export const staleBefore = (deps: MailDeps, now = deps.now()): string =>
  new Date(now.getTime() - deps.settings.staleClaimMs).toISOString();

/**
 * Claims still open once stale (the sender's timeout plus a margin for SES's events, see
 * staleClaimMsFor) have no Email Sent event (it would have settled them) and no sender that may
 * still send them: the mail most likely never left, so it is sent again, and the resend is counted
 * when it settles, by the sender or by its Email Sent event (see docs/design.md#exactly-once-mail).
 */
export async function sweepStaleClaims(
  deps: MailDeps,
  resender: Resender,
  deadline: number,
  limit = 500,
): Promise<{ resent: number; closed: number }> {
  const now = deps.now();
  const stale = await deps.deliveries.stale(resender.subjectType, staleBefore(deps, now), limit);
  const result = { resent: 0, closed: 0 };
  if (stale.length === 0) return result;

  const groups = new Map<string, Delivery[]>();
  for (const delivery of stale) {
    const key = JSON.stringify([
      delivery.labelId,
      delivery.subject,
      delivery.kind,
      delivery.revision ?? '',
      delivery.moment ?? '',
    ]);
    groups.set(key, [...(groups.get(key) ?? []), delivery]);
  }
  const perCall = recipientsPerCall(await deps.sendRate.recipientsPerSecond());
  for (const deliveries of groups.values()) {
    const { mails, asOf, held, wanted: again } = await resender.rebuild(deliveries);
    // Taken over unsent, its place among the open claims moved to the stale boundary (`heldAt`; the claim
    // time stays): the next sweep looks at it again (a show confirmed again gets its mail within a
    // minute, before its step lapses), but after every claim stale since longer. Claims the resender
    // holds itself (a map) get the time it names (`wanted`: held though wanted again, without `heldAt`):
    // a release's held at the sweep's time are looked at again once stale again, never read ahead of
    // claims just gone stale. No resend is marked: nothing was sent again, and the first sending's
    // Email Sent, arriving late, settles it as sent once (docs/design.md#exactly-once-mail).
    if (held === true) {
      const heldAt = staleBefore(deps, now);
      for (const delivery of deliveries) await deps.deliveries.hold(delivery, heldAt);
      continue;
    }
    // As when it was claimed: an address suppressed since gets no operational mail, and one suppressed
    // or unsubscribed since no campaign mail.
    const { mails: wantedMails, leftOut } = await withoutSuppressed(deps, [...mails.values()]);
    const wanted = new Set(wantedMails);
    const suppressed = new Set(leftOut);
    const resend: ClaimedMail[] = [];
    for (const delivery of deliveries) {
      const heldAt = held?.get(delivery.deliveryId);
      if (heldAt !== undefined) {
        await deps.deliveries.hold(delivery, heldAt, again?.has(delivery.deliveryId));
        continue;
      }
      const mail = mails.get(delivery.deliveryId);
      if (!mail || !wanted.has(mail)) {
        if (mail && suppressed.has(mail)) await resender.leftOutSuppressed?.(mail, delivery);
        await deps.deliveries.markFailed(
          delivery.deliveryId,
          'no longer wanted when resending',
          now.toISOString(),
        );
        result.closed++;
        continue;
      }
      const reclaimed = await deps.deliveries.reclaim(delivery, now.toISOString(), asOf, mail.told);
      if (reclaimed) resend.push({ delivery: reclaimed, mail });
    }
    for (const shape of byCallShape(resend, (claim) => claim.mail)) {
      for (let start = 0; start < shape.length; start += perCall) {
        if (deps.now().getTime() >= deadline) return result;
        const outcome = await sendClaimed(deps, shape.slice(start, start + perCall), deadline, {
          resend: true,
          ...(resender.resendMark ? { mark: resender.resendMark } : {}),
        });
        result.resent += outcome.sent;
      }
    }
  }
  return result;
}
