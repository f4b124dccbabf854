import type { Delivery, MailClaims } from '#shared/db/deliveries.ts';
import { inParts } from '#shared/db/transact-page.ts';
import type { MailDeps, OutgoingMail } from './ports.ts';
import {
  byCallShape,
  type ClaimedMail,
  type ClaimedOptions,
  recipientsPerCall,
  sendClaimed,
  withoutSuppressed,
} from './send.ts';

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
    /**
     * Of the deliveries left out, why each is closed where the sender says more than that it is no longer
     * wanted (a budget warning superseded by a higher threshold's): kept as its closed claim's failure.
     */
    closed?: ReadonlyMap<string, string>;
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
  /**
   * How a stale claim is taken over to be sent again, where not by the claims' own `reclaim`: tours'
   * advance mails, in one write with a check of their show as the rebuild read it (docs/design.md#tours).
   */
  reclaim?: MailClaims['reclaim'];
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
  const reclaim = resender.reclaim ?? deps.deliveries.reclaim.bind(deps.deliveries);
  for (const deliveries of groups.values()) {
    const { mails, asOf, held, wanted: again, closed } = await resender.rebuild(deliveries);
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
          closed?.get(delivery.deliveryId) ?? 'no longer wanted when resending',
          now.toISOString(),
        );
        result.closed++;
        continue;
      }
      const reclaimed = await reclaim(delivery, now.toISOString(), asOf, mail.told);
      if (reclaimed) resend.push({ delivery: reclaimed, mail });
    }
    const calls = byCallShape(resend, (claim) => claim.mail).flatMap((shape) => inParts(shape, perCall));
    // Taken over, the calls from `at` on never go (the deadline, SES paused): their claims stay open for a
    // later sweep, marked as not handed to SES (`markUnsent`) as a refused call's are, so that its sending
    // of them is a resend only where it was one (docs/design.md#send-rate).
    const stop = async (at: number) => {
      await deps.deliveries.markUnsent(
        calls
          .slice(at)
          .flat()
          .map(({ delivery }) => delivery),
      );
      return result;
    };
    for (const [at, call] of calls.entries()) {
      if (deps.now().getTime() >= deadline) return stop(at);
      const outcome = await sendClaimed(deps, call, deadline, {
        resend: true,
        ...(resender.resendMark ? { mark: resender.resendMark } : {}),
      });
      result.resent += outcome.sent;
      // SES paused: the claims stay open, and a later sweep sends them once it sends again.
      if (outcome.leftForSweep > 0) return stop(at + 1);
    }
  }
  return result;
}
