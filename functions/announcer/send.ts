import type { Delivery } from '#shared/db/deliveries.ts';
import type { MailKind } from '#shared/events/mailing-requested.ts';
import { recipientTemplateData, releaseTemplateData } from '#shared/mail/data.ts';
import type { Outlet } from '#shared/outlets.ts';
import type { StoredRelease } from '#shared/releases.ts';
import { type AnnouncerDeps, type BulkEntry, MailerError } from './ports.ts';

/** A mail this invocation has claimed and now must send (or give back). */
export interface Claimed {
  delivery: Delivery;
  outlet: Outlet;
}

export interface SendOutcome {
  /** Accepted by SES (marked sent). */
  sent: number;
  /** Claims left open because SES's answer was lost: settled later from Email Sent events or the sweep. */
  unsettled: number;
  /** Refused for good by SES for these recipients (marked failed). */
  failed: number;
  /** Given back unsent because the invocation ran out of time (throttling): the caller continues later. */
  unfinished: boolean;
}

// Per-entry statuses that mean "not sent now, try later" (the claim is given back and retried).
const later = new Set([
  'ACCOUNT_THROTTLED',
  'TRANSIENT_FAILURE',
  'ACCOUNT_DAILY_QUOTA_EXCEEDED',
  'ACCOUNT_SENDING_PAUSED',
  'CONFIGURATION_SET_SENDING_PAUSED',
]);
// Per-entry statuses that are about this recipient's mail: recorded as failed, never retried.
const recipientFailures = new Set(['MESSAGE_REJECTED', 'INVALID_PARAMETER', 'FAILED']);
// Anything else (TEMPLATE_NOT_FOUND, MAIL_FROM_DOMAIN_NOT_VERIFIED, ...) is a configuration problem:
// the claims are given back and the invocation fails, so Lambda retries and then dead-letters it.

const maxBackoffMs = 20_000;

async function forEachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}

export async function mapBounded<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const indexed = items.map((item, index) => ({ item, index }));
  await forEachBounded(indexed, limit, async ({ item, index }) => {
    results[index] = await work(item);
  });
  return results;
}

/**
 * Sends mails already claimed, in one SendBulkEmail call (the caller keeps to 50), inside the
 * shared send rate, and settles each claim from SES's per-entry result. A claim is given back only
 * when SES certainly did not send the mail; when SES's answer is lost the claim stays open.
 */
export async function sendClaimed(
  release: StoredRelease,
  kind: MailKind,
  claimed: Claimed[],
  deps: AnnouncerDeps,
  deadline: number,
  options: { resend?: boolean } = {},
): Promise<SendOutcome> {
  const outcome: SendOutcome = { sent: 0, unsettled: 0, failed: 0, unfinished: false };
  if (claimed.length === 0) return outcome;
  const sentAt = deps.now();
  const defaultData = releaseTemplateData(release, kind);
  const entries = new Map<string, { claim: Claimed; entry: BulkEntry }>();
  for (const claim of claimed) {
    const links = await deps.links.forRecipient(claim.outlet, release, sentAt);
    const data = recipientTemplateData({
      outletName: claim.outlet.name,
      contactName: claim.outlet.contactName,
      unsubscribeUrl: links.unsubscribeUrl,
      promoLinks: links.promoLinks,
    });
    entries.set(claim.delivery.deliveryId, {
      claim,
      entry: {
        deliveryId: claim.delivery.deliveryId,
        email: claim.outlet.email,
        unsubscribeUrl: links.unsubscribeUrl,
        data,
      },
    });
  }

  // A resend's claim is kept when unsent: its mailing is over, so only the next sweep can send it.
  const giveBack = async (ids: string[]) => {
    if (options.resend) return;
    await forEachBounded(ids, deps.settings.claimConcurrency, async (id) => {
      const { claim } = entries.get(id)!;
      await deps.deliveries.release(id, claim.delivery.claimedAt);
    });
  };

  let pending = [...entries.keys()];
  let backoff = deps.settings.throttleBackoffMs;
  const waitOrGiveUp = async (): Promise<boolean> => {
    if (deps.now().getTime() + backoff > deadline) {
      await giveBack(pending);
      outcome.unfinished = true;
      return false;
    }
    await deps.sleep(backoff);
    backoff = Math.min(backoff * 2, maxBackoffMs);
    return true;
  };

  while (pending.length > 0) {
    if (!(await deps.sendRate.acquire(pending.length, deadline))) {
      await giveBack(pending);
      outcome.unfinished = true;
      return outcome;
    }
    let results: Awaited<ReturnType<AnnouncerDeps['mailer']['sendBulk']>>;
    try {
      results = await deps.mailer.sendBulk({
        kind,
        defaultData,
        entries: pending.map((id) => entries.get(id)!.entry),
      });
    } catch (error) {
      if (error instanceof MailerError && error.kind === 'throttled') {
        if (await waitOrGiveUp()) continue;
        return outcome;
      }
      if (error instanceof MailerError && error.kind === 'unknown') {
        // SES may have accepted these mails: never send them again from here.
        outcome.unsettled += pending.length;
        return outcome;
      }
      await giveBack(pending);
      throw error;
    }

    const retry: string[] = [];
    let configurationProblem: string | undefined;
    const at = deps.now().toISOString();
    await forEachBounded(
      pending.map((id, index) => ({ id, result: results[index] })),
      deps.settings.claimConcurrency,
      async ({ id, result }) => {
        if (!result) {
          outcome.unsettled++; // no answer for this entry: as good as a lost answer
        } else if (result.status === 'SUCCESS' && result.messageId) {
          await deps.deliveries.markSent(id, result.messageId, at);
          outcome.sent++;
        } else if (later.has(result.status)) {
          retry.push(id);
        } else if (recipientFailures.has(result.status)) {
          await deps.deliveries.markFailed(
            id,
            `${result.status}${result.error ? `: ${result.error}` : ''}`,
            at,
          );
          outcome.failed++;
        } else {
          retry.push(id);
          configurationProblem ??= result.status;
        }
      },
    );
    pending = retry;
    if (configurationProblem) {
      await giveBack(pending);
      throw new Error(`SES refused the ${kind} mailing of ${release.releaseId}: ${configurationProblem}`);
    }
    if (pending.length > 0 && !(await waitOrGiveUp())) return outcome;
  }
  return outcome;
}
