import { listKept } from '#shared/db/context-lists.ts';
import type { Delivery } from '#shared/db/deliveries.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import type { SesEventDetail } from '#shared/events/ses.ts';
import { TourPressSettled } from '#shared/events/tour-press-settled.ts';
import { announcerSource } from '#shared/first-mails.ts';
import { settleFromEmailsSent as settleSent } from '#shared/mail/email-sent.ts';
import { announceAgainAfterWithdrawals, settledAsks } from '#shared/mail/release-settled.ts';
import type { SettlementDeps } from './ports.ts';

/**
 * Settles claims from a batch of SES's Email Sent events (shared/mail/email-sent.ts). What must follow a
 * first mail or a withdrawal these events mark sent (or record as having gone after its claim was
 * closed unsent) is asked by the write that marks it: a `Release Mails Settled` in the outbox with the
 * mark (`settledAsks`), worked out by the announcer (`followUpSettledMails`) once the mark is committed
 * (docs/design.md#the-outbox). A withdrawal these events find marked by another writer (its sender,
 * which asks nothing) is asked from here, at once: these events write nothing, and a failure fails
 * them, so their retry finds it marked and asks again (docs/design.md#exactly-once-mail). Answers the
 * indexes of the events to try again.
 */
export async function settleFromEmailsSent(
  details: SesEventDetail[],
  deps: SettlementDeps,
): Promise<number[]> {
  const { failed, alreadySent } = await settleSent(details, deps, emailSentAsks);
  await announceAgainAfterWithdrawals(alreadySent, deps);
  return failed;
}

/**
 * The asks of a write of marks by Email Sent events: the releases' (`settledAsks`), and one `Tour Press
 * Settled` per tour press mail the stale-claim sweep held (`heldAt`), still open or closed since, for the news of its shows the steps
 * held back from its address since (docs/design.md#tours). Each mark asks at most one entry, so a write's
 * entries are at most its marks (docs/design.md#exactly-once-mail).
 */
export const emailSentAsks = (marked: Delivery[]): OutboxEntry[] => [
  ...settledAsks(marked),
  ...marked.flatMap(({ labelId, subject, email, heldAt, context: { country, news } }) =>
    subject[0] === 'tour-shows' && heldAt && country && news
      ? outboxEntry(
          TourPressSettled,
          { labelId, tourId: subject[1], country, email, showIds: listKept(news) },
          { labelId, source: announcerSource },
        )
      : [],
  ),
];
