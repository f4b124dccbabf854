import { normaliseEmail } from '#shared/outlets.ts';
import type { Delivery, MailClaims, MailIdentity, MailSubject } from './deliveries.ts';
import { keyOf, nameHash } from './keys.ts';

/**
 * A subject's deliveries (see deliveries.ts for the store and its access patterns): the keys of the
 * delivery items and of the subject index, and the delivery an item holds, apart from the claims, so
 * that a function that only reads them (the pages behind a mail's links) reaches none of the claims'
 * writes and deletes, and apart from their reads (shared/db/delivery-reads.ts: the Query over the
 * subject index's shards, the batched reads by id), so that one that marks a delivery by its key (the
 * deliverability function) is granted neither Query nor BatchGetItem (docs/design.md#bundles,
 * docs/design.md#topology).
 */

/**
 * The per-entry tag that carries a mail claim's id to SES and back on its events
 * (docs/design.md#exactly-once-mail).
 */
export const deliveryTag = 'delivery';

/**
 * Whether a mail went out: marked sent, or closed unsent (failed: the sweep found it no longer wanted)
 * and then shown sent by its late Email Sent, which recorded its messageId (`markSentAfterClosed`).
 * Whatever reads a delivery as sent, or as having told its recipient nothing, reads it through this
 * one check (docs/design.md#exactly-once-mail).
 */
export const wentOut = (delivery: Pick<Delivery, 'status' | 'messageId'> | undefined): boolean =>
  delivery?.status === 'sent' || (delivery?.status === 'failed' && delivery.messageId !== undefined);

/**
 * Whether a mail reached SES, by its delivery: `true`, sent (bounced, complained or rejected since included, or
 * closed unsent and then shown sent by its late Email Sent: `wentOut`), for good; `'claimed'`, claimed
 * since `staleBefore`, its send maybe under way (it may yet turn out not to). Refused, or closed unsent,
 * it did not, for good (`false`), nor did one never claimed or given back (`false`: every press note
 * naming a set is written with or after its claim, so none behind it is one given back); a claim gone
 * stale, not for now (`undefined`: the sweep has yet to end it). An open claim is stale by its place among the open
 * claims (its last take-over, a hold included: `updatedAt`), not its claim time, which a hold keeps
 * (docs/design.md#exactly-once-mail); but an announcement or update the sweep held (`heldAt`, no change
 * named) is `'held'` however long held: its late Email Sent, which the hold waits for, may yet show it
 * went, and asks then for the news of its shows (docs/design.md#tours). The tours steps and the
 * office's tour view read a press mail through this one answer.
 */
export type Reach = boolean | 'claimed' | 'held' | undefined;

export function reachOf(delivery: Delivery | undefined, staleBefore: string): Reach {
  if (!delivery || delivery.status === 'failed') return wentOut(delivery);
  return (
    delivery.status !== 'claimed' ||
    (delivery.heldAt && !delivery.context.change
      ? 'held'
      : delivery.updatedAt < staleBefore
        ? undefined
        : 'claimed')
  );
}

const isLegacyRelease = (identity: Pick<MailIdentity, 'subject' | 'moment'>) =>
  identity.subject[0] === 'release' && identity.moment === undefined;

/**
 * Hex only: usable as an SES message tag value (letters, digits, `_`, `-`). The hash is of a JSON
 * tuple, so no choice of ids can make two identities meet (see docs/design.md#unambiguous-keys);
 * release mails hash the tuple they always had (tagged `delivery`), every other one a tuple tagged `mail`.
 */
export const deliveryIdOf = (identity: MailIdentity): string => {
  const email = normaliseEmail(identity.email);
  const revision = identity.revision ?? '';
  if (isLegacyRelease(identity)) {
    return nameHash(['delivery', identity.labelId, identity.subject[1], email, identity.kind, revision], 32);
  }
  return nameHash(
    ['mail', identity.labelId, email, identity.kind, revision, identity.moment ?? '', ...identity.subject],
    32,
  );
};

/**
 * Whether each mail (by its identity) reached SES (`reachOf`), its deliveries read at once, strongly
 * consistent (a step asks about claims and marks it wrote milliseconds before); a claim open since
 * before `staleBefore` is stale.
 */
export async function mailsReached(
  deliveries: Pick<MailClaims, 'getMany'>,
  staleBefore: string,
  mails: MailIdentity[],
): Promise<Reach[]> {
  const ids = mails.map(deliveryIdOf);
  const found = await deliveries.getMany(ids, { consistent: true });
  return ids.map((id) => reachOf(found.get(id), staleBefore));
}

/** The subjects every sender uses, so each is spelled once. */
export const mailSubjects = {
  /** A release's mails (announcement, date change, cancellation, out now). */
  release: (releaseId: string): MailSubject => ['release', releaseId],
  /** Press for a tour: the set of announced shows (by its version) one mail lists. */
  tourShows: (tourId: string, showSetVersion: string): MailSubject => ['tour-shows', tourId, showSetVersion],
  /**
   * One show's operational mail (advance request, reminders, escalation, day sheet, guest list);
   * `moment` for a mail sent again when the show moves (the day sheet, for the day it states; the
   * guest list, for the instant it was locked) or is given to another promoter or moved to another
   * venue (the advance steps' mails and the tour manager's alert that the promoter cannot be reached, for
   * the instant of that change: `promoterSince`).
   */
  show: (tourId: string, showId: string, moment?: string): MailSubject =>
    moment ? ['show', tourId, showId, moment] : ['show', tourId, showId],
  /** A budget alert, once per budget, threshold (or alert name) and period (and plan: its identity's `revision`). */
  budgetAlert: (budgetId: string, threshold: string, period: string): MailSubject => [
    'budget-alert',
    budgetId,
    threshold,
    period,
  ],
  /** The daily report of one owner (normalised address) for one day (YYYY-MM-DD). */
  ownerReport: (ownerEmail: string, day: string): MailSubject => [
    'owner-report',
    normaliseEmail(ownerEmail),
    day,
  ],
} as const;

export const deliveryShards = 8;

export const subjectDeliveriesKey = (labelId: string, subject: MailSubject, shard: number) =>
  subject[0] === 'release'
    ? keyOf('RELEASE_DELIVERIES', labelId, subject[1], shard)
    : keyOf('SUBJECT_DELIVERIES', labelId, ...subject, shard);

/**
 * The delivery an item holds, without its claimer's, marker's and last taker-over's ids (`claimWrites` and
 * `takeOverWrite` in shared/db/deliveries.ts, `markSentPage` in shared/db/email-sent-claims.ts); items
 * claimed before other senders shared the store name the release and outlet themselves.
 */
export const deliveryOf = (item: Record<string, unknown>): Delivery => {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    claimedBy: _by,
    takenBy: _taken,
    markedBy: _marked,
    releaseId,
    outletId,
    releaseAsOf,
    ...rest
  } = item;
  if (releaseId === undefined) return rest as unknown as Delivery;
  return {
    ...(rest as unknown as Delivery),
    subject: mailSubjects.release(releaseId as string),
    stream: 'campaign',
    context: outletId ? { outletId: outletId as string } : {},
    ...(releaseAsOf ? { asOf: releaseAsOf as string } : {}),
  };
};

export const deliveryKey = (deliveryId: string) => ({ pk: keyOf('DELIVERY', deliveryId), sk: 'DELIVERY' });
