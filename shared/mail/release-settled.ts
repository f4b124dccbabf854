import type { Delivery } from '#shared/db/deliveries.ts';
import type { ReleaseReads } from '#shared/db/release-reads.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import type { EventPublisher } from '#shared/events/publish.ts';
import { maxSettledMails, ReleaseMailsSettled } from '#shared/events/release-mails-settled.ts';
import { announcerSource, firstMailRequests, isFirstMail } from '#shared/first-mails.ts';
import { normaliseEmail, type Outlet } from '#shared/outlets.ts';

/**
 * What follows release mails once they are marked sent, asked alike by the announcer (its mailings'
 * follow-ups, the sweep's resends) and by the settlement of SES's Email Sent events
 * (docs/design.md#exactly-once-mail).
 */

/** What asking a withdrawal's next round reads and publishes through. */
export interface WithdrawalsSettledDeps {
  releases: ReleaseReads;
  outlets: { getMany(outletIds: readonly string[]): Promise<Map<string, Outlet>> };
  events: EventPublisher;
  now: () => Date;
}

/** The release a release mail is about. */
export const releaseOf = (delivery: Delivery) => ({
  labelId: delivery.labelId,
  releaseId: delivery.subject[1],
});

/** The release mails among `marked` of the kinds `kept`, grouped by release. */
const byRelease = (marked: Delivery[], kept: (kind: string) => boolean): Delivery[][] => {
  const groups = new Map<string, Delivery[]>();
  for (const delivery of marked) {
    if (delivery.subject[0] !== 'release' || !kept(delivery.kind)) continue;
    const key = JSON.stringify([delivery.labelId, delivery.subject[1]]);
    groups.set(key, [...(groups.get(key) ?? []), delivery]);
  }
  return [...groups.values()];
};

/**
 * The asks a write of marks stores with them: one `Release Mails Settled` per release among the marked
 * mails, naming its first mails and withdrawals (any other mail asks nothing). Never one per mail: a
 * batch's marks of one release share one entry (docs/design.md#exactly-once-mail).
 */
export const settledAsks = (marked: Delivery[]): OutboxEntry[] => {
  // A settlement batch holds at most 100 events, so a release's marks fit one entry.
  return byRelease(marked, (kind) => isFirstMail(kind) || kind === 'cancellation').flatMap((deliveries) => {
    const { labelId, releaseId } = releaseOf(deliveries[0]);
    const ids = deliveries.map((delivery) => delivery.deliveryId);
    return Array.from({ length: Math.ceil(ids.length / maxSettledMails) }, (_, page) =>
      outboxEntry(
        ReleaseMailsSettled,
        { labelId, releaseId, deliveryIds: ids.slice(page * maxSettledMails, (page + 1) * maxSettledMails) },
        { labelId, source: announcerSource },
      ),
    );
  });
};

/**
 * Withdrawals that went (marked sent: settled by their Email Sent, found marked by it, marked by
 * their sender, or resent by the sweep; or closed unsent and shown sent by a late Email Sent) of a
 * release given back since they were written: a giving back's announcement that
 * passed the address while its withdrawal was still claimed kept it in that round, so the address's
 * next round's first mail is asked now, for those outlets (`firstMailRequests`, the rule of outlets
 * added since: nothing for a release cancelled, under embargo, or withdrawn from them again; for a
 * release out everywhere, the first mail naming the territories given back since, as the giving back's
 * own names them). The round's identity keeps it to once (docs/design.md#exactly-once-mail). One release read
 * per release of the batch with a withdrawal or cancellation among its mails (a withdrawal claimed
 * before withdrawals kept their territories is known from a cancellation only by the release, not
 * cancelled); none for any other mail.
 */
export async function announceAgainAfterWithdrawals(
  marked: Delivery[],
  deps: WithdrawalsSettledDeps,
): Promise<void> {
  for (const withdrawals of byRelease(marked, (kind) => kind === 'cancellation')) {
    const { labelId, releaseId } = releaseOf(withdrawals[0]);
    const release = await deps.releases.get(labelId, releaseId);
    // A cancellation of the whole release: never given back, nothing follows.
    if (!release || release.state === 'cancelled') continue;
    // Given back after the release version the withdrawal was written from (its claim's, or its resend's).
    const since = withdrawals.filter((withdrawal) =>
      (release.givenBack ?? []).some((turn) => turn.at > (withdrawal.asOf ?? '')),
    );
    if (since.length === 0) continue;
    const outlets = await deps.outlets.getMany(
      since.flatMap((withdrawal) => (withdrawal.context.outletId ? [withdrawal.context.outletId] : [])),
    );
    // The address told, by the outlet that still has it (one moved to another address is another person).
    const told = since.flatMap((withdrawal) => {
      const outlet = outlets.get(withdrawal.context.outletId ?? '');
      return outlet && normaliseEmail(outlet.email) === withdrawal.email ? [outlet] : [];
    });
    // Out everywhere, the first mail names the territories given back since (as the giving back's own
    // does): the outlets they concern, in their next round, are announced again.
    const givenBack = [
      ...new Set(
        (release.givenBack ?? [])
          .filter((turn) => since.some((withdrawal) => turn.at > (withdrawal.asOf ?? '')))
          .flatMap((turn) => turn.territories),
      ),
    ];
    const requests = firstMailRequests(told, release, deps.now(), release.lastCorrelationId, givenBack);
    if (requests.length > 0) await deps.events.publish(requests);
  }
}
