import type { Delivery } from '#shared/db/deliveries.ts';
import { deliveryTag, type SesEventDetail } from '#shared/events/ses.ts';
import { isMailable, normaliseEmail } from '#shared/outlets.ts';
import { momentOf, revisionOf, type StoredRelease } from '#shared/releases.ts';
import { followUpIfChangedSince, maxDestinationsPerCall } from './mailing.ts';
import type { AnnouncerDeps } from './ports.ts';
import { type Claimed, sendClaimed } from './send.ts';

/**
 * SES's Email Sent event is the evidence that a claimed mail went out, even when the sender never
 * heard SES's answer (a crash, a lost response): the claim is settled as sent from it.
 */
export async function settleFromEmailSent(detail: SesEventDetail, deps: AnnouncerDeps): Promise<boolean> {
  const deliveryId = detail.mail.tags[deliveryTag]?.[0];
  if (!deliveryId) return false;
  const settled = await deps.deliveries.markSent(
    deliveryId,
    detail.mail.messageId,
    new Date(detail.mail.timestamp).toISOString(),
  );
  if (settled) await followUpForLateAnnouncement(deliveryId, deps);
  return settled;
}

/**
 * An announcement settled only now may have been passed, while still claimed, by the cancellation
 * or date-change mailing.
 */
async function followUpForLateAnnouncement(deliveryId: string, deps: AnnouncerDeps): Promise<void> {
  const delivery = (await deps.deliveries.getMany([deliveryId])).get(deliveryId);
  if (delivery?.kind !== 'announcement') return;
  // Deliveries from before `releaseAsOf` was kept: assume they stated the date before any move.
  const followUp = await followUpIfChangedSince(delivery, delivery.releaseAsOf ?? '', undefined, deps);
  if (followUp) await deps.events.publish([followUp]);
}

/**
 * A resend is written from the release as it is now, so a date change for a date since superseded
 * would state the newest date a second time: the newer date change reaches the outlet instead.
 */
const stillWanted = (release: StoredRelease | undefined, delivery: Delivery): boolean =>
  release?.details !== undefined &&
  (delivery.kind === 'cancellation' ? release.state === 'cancelled' : release.state !== 'cancelled') &&
  (delivery.kind !== 'date-change' || delivery.revision === revisionOf(momentOf(release.details)));

/**
 * Claims still open once stale (the announcer's timeout plus a margin for SES's events, see
 * staleClaimMs) have no Email Sent event (it would have settled them) and no sender that may still
 * send them: the mail most likely never left, so it is sent again, and the resend is counted when it
 * settles, by the sender or by its Email Sent event (see docs/design.md#exactly-once-mail). Mails
 * no longer wanted (outlet gone, unsubscribed or suppressed; release cancelled) are closed as failed.
 */
export async function sweepStaleClaims(
  deps: AnnouncerDeps,
  deadline: number,
  limit = 500,
): Promise<{ resent: number; closed: number }> {
  const now = deps.now();
  const before = new Date(now.getTime() - deps.settings.staleClaimMs).toISOString();
  const stale = await deps.deliveries.stale(before, limit);
  const result = { resent: 0, closed: 0 };
  if (stale.length === 0) return result;

  const outlets = await deps.outlets.getMany(stale.map((delivery) => delivery.outletId));
  const groups = new Map<string, Delivery[]>();
  for (const delivery of stale) {
    const key = JSON.stringify([
      delivery.labelId,
      delivery.releaseId,
      delivery.kind,
      delivery.revision ?? '',
    ]);
    groups.set(key, [...(groups.get(key) ?? []), delivery]);
  }
  for (const deliveries of groups.values()) {
    const { labelId, releaseId, kind } = deliveries[0];
    const release = await deps.releases.get(labelId, releaseId);
    const resend: Claimed[] = [];
    for (const delivery of deliveries) {
      const outlet = outlets.get(delivery.outletId);
      // The mail is the address's: an outlet that has moved to another address no longer wants it there.
      const atAddress = outlet && normaliseEmail(outlet.email) === delivery.email ? outlet : undefined;
      if (!stillWanted(release, delivery) || !atAddress || !isMailable(atAddress)) {
        await deps.deliveries.markFailed(
          delivery.deliveryId,
          'no longer wanted when resending',
          now.toISOString(),
        );
        result.closed++;
        continue;
      }
      // The resend is written from the release as it is now: it states the current date.
      const reclaimed = await deps.deliveries.reclaim(delivery, now.toISOString(), release!.occurredAt);
      if (reclaimed) resend.push({ delivery: reclaimed, outlet: atAddress });
    }
    const perCall = Math.max(1, Math.min(maxDestinationsPerCall, await deps.sendRate.recipientsPerCall()));
    for (let start = 0; start < resend.length; start += perCall) {
      if (deps.now().getTime() >= deadline) return result;
      const outcome = await sendClaimed(
        release!,
        kind,
        resend.slice(start, start + perCall),
        deps,
        deadline,
        {
          resend: true,
        },
      );
      result.resent += outcome.sent;
    }
    if (kind === 'announcement' && resend.length > 0) {
      // As for a mailing: the date may have moved while these were resent with the date read above.
      const followUp = await followUpIfChangedSince(release!, release!.occurredAt, undefined, deps);
      if (followUp) await deps.events.publish([followUp]);
    }
  }
  return result;
}
