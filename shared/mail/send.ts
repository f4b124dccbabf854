/**
 * The mail module: every sender (releases, tours, budgets) sends a mail exactly once with one call.
 *   const deps = liveMailDeps('tours', timeoutSeconds);   // shared/mail/ses.ts, at module scope
 *   await sendMails(deps, [{
 *     identity: { labelId, subject: mailSubjects.show(tourId, showId), email, kind: 'advance-request' },
 *     stream: 'operational', template: templateNames.advanceRequest, data: { text, html },
 *     context: { tourId, showId }, attachments: [{ fileName: 'show.ics', contentType: 'text/calendar', content }],
 *   }], deadline);
 * The identity says what the mail is about, never when it is sent: the same identity again (a retry, a replay)
 * sends nothing. Campaign mail needs `unsubscribeUrl`. `unfinished` in the outcome: call again later. Stale
 * claims: give `sweepStaleClaims` (settle.ts) a Resender for your subject type on `Outbox Sweep Due`.
 */
import { type Delivery, deliveryIdOf, type MailClaims, type SentMark } from '#shared/db/deliveries.ts';
import { inParts } from '#shared/db/transact-page.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import type { BulkEntry, BulkMail, EntryResult, MailDeps, OutgoingMail } from './ports.ts';
import { MailerError } from './ports.ts';
import { undeliverableEntries } from './undeliverable.ts';

/** SES v2: at most 50 destinations per SendBulkEmail. */
export const maxDestinationsPerCall = 50;

/** Recipients per SendBulkEmail call at a send rate of `perSecond` (SendRate.recipientsPerSecond). */
export const recipientsPerCall = (perSecond: number) =>
  Math.max(1, Math.min(maxDestinationsPerCall, perSecond));

export interface SendOutcome {
  /** Claimed by this call. */
  claimed: number;
  /**
   * Found claimed before, by another call or run (sent or being sent, never again), in the rounds this
   * call reached: the mails neither claimed now nor left out (`leftOutSuppressed`, `optedOut`).
   */
  claimedBefore: number;
  /**
   * Operational mails not sent because their address is suppressed (a hard bounce or complaint), as
   * given, from the suppression list's one read per round: a sender that says something of a mail left
   * out (budgets, tours) reads the list no second time, which could answer otherwise.
   */
  leftOutSuppressed: OutgoingMail[];
  /**
   * Campaign mails not sent because their address was suppressed or unsubscribed after the sender read
   * its outlets (a bounce seconds into a mailing).
   */
  optedOut: number;
  /** Accepted by SES (marked sent). */
  sent: number;
  /** Claims left open because SES's answer was lost: settled later from Email Sent events or the sweep. */
  unsettled: number;
  /** Refused for good by SES for these recipients (marked failed). */
  failed: number;
  /**
   * Claims left open unsent because SES has sending paused or its daily quota spent (`whenPaused: 'sweep'`):
   * the stale-claim sweep sends them once SES sends again, so the sender is done with them
   * (docs/design.md#send-rate).
   */
  leftForSweep: number;
  /** Some mails were neither sent nor claimed because time ran out (throttling, deadline): call again later. */
  unfinished: boolean;
  /**
   * With `unfinished`, how many mails a later call must send (sendMails): the claims this call gave back
   * unsent (`claimed` counts those of the rounds it reached) and every mail of the rounds it never
   * claimed, a round whose claim ahead failed among them; those of a mail claimed before by another run
   * too, since telling them apart would take a read of their claims past the deadline.
   */
  left: number;
}

/** A mail this invocation has claimed and now must send (or give back). */
export interface ClaimedMail {
  delivery: Delivery;
  mail: OutgoingMail;
}

const noOutcome = (): SendOutcome => ({
  claimed: 0,
  claimedBefore: 0,
  leftOutSuppressed: [],
  optedOut: 0,
  sent: 0,
  unsettled: 0,
  failed: 0,
  leftForSweep: 0,
  unfinished: false,
  left: 0,
});

// Per-entry statuses that last hours: SES paused, or the daily quota spent (MailSettings.whenPaused).
const paused = new Set([
  'ACCOUNT_DAILY_QUOTA_EXCEEDED',
  'ACCOUNT_SENDING_PAUSED',
  'CONFIGURATION_SET_SENDING_PAUSED',
]);
// Per-entry statuses that mean "not sent now, try later" (the claim is given back and retried): those and
// a moment's throttling.
const later = new Set(['ACCOUNT_THROTTLED', 'TRANSIENT_FAILURE', ...paused]);
// Per-entry statuses that are about this recipient's mail: recorded as failed, never retried.
const recipientFailures = new Set(['MESSAGE_REJECTED', 'INVALID_PARAMETER', 'FAILED']);
// Anything else (TEMPLATE_NOT_FOUND, MAIL_FROM_DOMAIN_NOT_VERIFIED, ...) is a configuration problem:
// the claims are given back and the invocation fails, so Lambda retries and then dead-letters it.

const maxBackoffMs = 20_000;

/** Runs `work` on each of `items`, at most `limit` at a time. */
export async function forEachBounded<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}

/** Attempts at recording what SES accepted, 0.2 s to 3.2 s apart (about 6 s in all). */
const persistAttempts = 5;
const persistFirstBackoffMs = 200;

/**
 * Tries a write again after a failure the SDK's own retries did not get past (a run of DynamoDB
 * errors), with a doubling pause: for the one write whose loss would send a mail twice.
 */
async function persist(deps: Pick<MailDeps, 'sleep'>, write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      if (attempt >= persistAttempts) throw error;
      await deps.sleep(persistFirstBackoffMs * 2 ** (attempt - 1));
    }
  }
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
 * Shared data as JSON, written once per object: a sender hands the same object to every mail of a
 * mailing, and writing it out again for each mail cost more than the rest of the grouping.
 */
const sharedJson = new WeakMap<object, string>();
const jsonOfShared = (data: unknown): string => {
  if (data === null || typeof data !== 'object') return JSON.stringify(data ?? null);
  let json = sharedJson.get(data);
  if (json === undefined) {
    json = JSON.stringify(data);
    sharedJson.set(data, json);
  }
  return json;
};

/** Mails that can share one SendBulkEmail call: same stream, template, kind, shared data and attachments. */
const callShapeOf = (mail: OutgoingMail) =>
  JSON.stringify([
    mail.stream,
    mail.template,
    mail.identity.kind,
    jsonOfShared(mail.sharedData),
    (mail.attachments ?? []).map((a) => [
      a.fileName,
      a.contentType,
      typeof a.content === 'string' ? a.content : Buffer.from(a.content).toString('base64'),
    ]),
  ]);

/** Groups keyed by call shape, in the order their first mail came. */
export function byCallShape<T>(items: T[], mailOf: (item: T) => OutgoingMail): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const shape = callShapeOf(mailOf(item));
    const group = groups.get(shape);
    if (group) group.push(item);
    else groups.set(shape, [item]);
  }
  return [...groups.values()];
}

function checkStream(mail: OutgoingMail): void {
  // RFC 8058 one-click unsubscribe on every campaign mail; none on operational mail (see docs/design.md#two-mail-streams).
  if (mail.stream === 'campaign' && !mail.unsubscribeUrl)
    throw new Error(`a campaign mail (${mail.identity.kind}) needs an unsubscribeUrl`);
  if (mail.stream === 'operational' && mail.unsubscribeUrl)
    throw new Error(`an operational mail (${mail.identity.kind}) carries no unsubscribe link`);
}

/**
 * Sends each mail exactly once (see docs/design.md#exactly-once-mail): claims it (a mail claimed
 * before is skipped), sends the claimed ones in SendBulkEmail calls of at most 50 recipients within
 * the shared send rate, and settles each claim from SES's answer. A claim is given back only when
 * SES certainly did not send the mail; when SES's answer is lost the claim stays open, to be settled
 * from SES's Email Sent event or resent by the sender's stale-claim sweep.
 *
 * The three steps overlap (see docs/design.md#sending-in-a-pipeline): the next round's claims are
 * made while this round's calls go out, and one call's answer is settled while the next call goes
 * out. Each call still waits for the send rate right before it goes, and claims this run made but did
 * not send (the next round's too) are given back when it stops early.
 */
export async function sendMails(
  deps: MailDeps,
  mails: OutgoingMail[],
  deadline: number,
  /**
   * How a round's claims are written, with what a sender writes along with them (tours' press notes);
   * the deliveries' own `claimMany` by default (claimMails).
   */
  claimMany?: ClaimPage,
): Promise<SendOutcome> {
  mails.forEach(checkStream);
  const outcome = noOutcome();
  if (mails.length === 0) return outcome;
  const perSecond = await deps.sendRate.recipientsPerSecond();
  const perCall = recipientsPerCall(perSecond);
  // The claims of as many calls as one transaction holds are made in one request.
  const perRound = perCall * Math.max(1, Math.floor(maxClaimsPerRequest / perCall));
  const rounds = byCallShape(mails, (mail) => mail).flatMap((group) => inParts(group, perRound));
  const settling = new Settling();
  // As many calls' recipients as one second of the send rate holds are taken at once.
  const rate = takenRate(deps, deadline, perCall, perCall * Math.max(1, Math.floor(perSecond / perCall)));
  // Mails not yet in a call (those of rounds still to claim counted as if all will be claimed).
  let remaining = mails.length;
  const take = (count: number) => rate.spend(count, remaining);
  // The first take, one call's worth, goes out beside the first claims (a run whose mails were all
  // claimed before leaves no more than that unspent).
  const first = Math.min(perCall, remaining);
  rate.ahead(first, first);
  let upcoming: Promise<ClaimedRound> | undefined;
  // Rounds whose claims were asked (this one's and the one claimed ahead).
  let asked = 0;
  // Claimed by this run and neither sent nor given back yet.
  let unsent: ClaimedMail[] = [];
  try {
    sending: for (let index = 0; index < rounds.length; index++) {
      if (deps.now().getTime() >= deadline) {
        outcome.unfinished = true;
        break;
      }
      const round = await (upcoming ?? claimRound(deps, rounds[index], claimMany));
      upcoming = undefined;
      outcome.leftOutSuppressed.push(...round.leftOut);
      outcome.optedOut += round.optedOut;
      outcome.claimed += round.claimed.length;
      outcome.claimedBefore +=
        rounds[index].length - round.claimed.length - round.leftOut.length - round.optedOut;
      remaining -= rounds[index].length - round.claimed.length;
      unsent = round.claimed;
      if (index + 1 < rounds.length) upcoming = quietly(claimRound(deps, rounds[index + 1], claimMany));
      asked = index + 2;
      while (unsent.length > 0) {
        // A settle that failed for good stops the sending: finish() below throws its error.
        if (settling.failed) break sending;
        if (deps.now().getTime() >= deadline) {
          outcome.unfinished = true;
          break sending;
        }
        const call = unsent.slice(0, perCall);
        unsent = unsent.slice(perCall);
        remaining -= call.length;
        await dispatchClaimed(deps, call, deadline, outcome, settling, take);
        // Claimed but not sent: given back below, so the next invocation sends them.
        if (outcome.unfinished) break sending;
      }
    }
  } finally {
    // The round claimed ahead and never reached, undefined when its claim failed: none of it was claimed.
    const ahead = upcoming && (await upcoming.catch(() => undefined));
    const claimedAhead = ahead?.claimed ?? [];
    // Each claim this run made was sent, refused, left unsettled or for the sweep, or is given back.
    outcome.left =
      outcome.claimed +
      claimedAhead.length -
      outcome.sent -
      outcome.failed -
      outcome.unsettled -
      outcome.leftForSweep +
      rounds.slice(upcoming && !ahead ? asked - 1 : asked).flat().length;
    try {
      await giveBack(deps, [...unsent, ...claimedAhead]);
    } finally {
      try {
        await settling.finish();
      } finally {
        await rate.done();
      }
    }
  }
  return outcome;
}

/**
 * The send rate as one run takes it (see docs/design.md#send-rate): up to one second's worth of
 * recipients (`perTake`) in one take, so the calls it covers go out without a request to the bucket
 * each, and the take for the next calls made while the call before them is out, so that waiting on
 * the bucket is not on the way of every call. A call never goes out before its recipients were
 * granted; recipients taken and not sent (a run that stops early, claims that found their mail
 * claimed before) are left unspent, at most one take's worth.
 */
function takenRate(deps: MailDeps, deadline: number, perCall: number, perTake: number) {
  let held = 0;
  let next: { count: number; granted: Promise<boolean> } | undefined;
  /** Starts a take for at most `upcoming` recipients if none is under way and what is held does not cover `call`. */
  const ahead = (call: number, upcoming: number) => {
    if (next || call <= held) return;
    const count = Math.min(perTake, upcoming) - held;
    next = { count, granted: quietly(deps.sendRate.acquire(count, deadline)) };
  };
  return {
    ahead,
    /**
     * Spends `count` recipients for a call going out now, waiting for a take if it must, then starts
     * the take for the next call of the `upcoming` recipients (those after this one) if it needs one.
     * False when the rate cannot be had before the deadline.
     */
    async spend(count: number, upcoming: number): Promise<boolean> {
      while (held < count) {
        ahead(count, count + upcoming);
        const take = next!;
        next = undefined;
        if (!(await take.granted)) return false;
        held += take.count;
      }
      held -= count;
      ahead(Math.min(perCall, upcoming), upcoming);
      return true;
    },
    /** Waits for a take still under way (its recipients go unspent). */
    done: async () => {
      await next?.granted.catch(() => {});
    },
  };
}

interface ClaimedRound {
  claimed: ClaimedMail[];
  /** Operational mails left out unclaimed because their address is suppressed. */
  leftOut: OutgoingMail[];
  /** Campaign mails left out unclaimed because their address opted out or was suppressed. */
  optedOut: number;
}

/** Writes a page of claims (`MailClaims.claimMany`): the deliveries claimed now. */
export type ClaimPage = MailClaims['claimMany'];

/** Claims one round's mails (at most one transaction's worth) that are not suppressed. */
async function claimRound(
  deps: MailDeps,
  mails: OutgoingMail[],
  claimMany?: ClaimPage,
): Promise<ClaimedRound> {
  const { mails: wanted, leftOut, optedOut } = await withoutSuppressed(deps, mails);
  return { claimed: await claimMails(deps, wanted, { claimMany }), leftOut, optedOut };
}

/** A promise awaited later: its rejection is not unhandled meanwhile. */
export const quietly = <T>(promise: Promise<T>): Promise<T> => {
  promise.catch(() => {});
  return promise;
};

/**
 * The writes that settle SES's answers (the marks of what it accepted, then its refusals), each
 * started once the one before has finished, so that one is written while the next SES call goes out.
 * A failure is kept: the sender stops sending, and `finish` throws it once every write started is done.
 */
class Settling {
  #last: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;

  /** Starts `work` once the write before it has finished, and returns then (not when `work` ends). */
  async add(work: () => Promise<void>): Promise<void> {
    const before = this.#last;
    this.#last = before.then(work).catch((error: unknown) => {
      this.#failure ??= { error };
    });
    await before;
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  async finish(): Promise<void> {
    await this.#last;
    if (this.#failure) throw this.#failure.error;
  }
}

/** DynamoDB: at most 100 items per TransactWriteItems, so at most 100 claims per request. */
const maxClaimsPerRequest = 100;

/** Gives back claims this caller made, for mails SES certainly did not take. */
async function giveBack(deps: MailDeps, claims: ClaimedMail[]): Promise<void> {
  await forEachBounded(claims, deps.settings.claimConcurrency, ({ delivery }) =>
    deps.deliveries.release(delivery.deliveryId, delivery.claimedAt),
  );
}

/**
 * Leaves out, just before their claim, the mails whose address must not get their stream's mail now
 * (see docs/design.md#two-mail-streams). Operational mail goes to people outside the outlet directory:
 * the suppression list answers for it (`leftOut`), and an opt-out never silences it. Campaign mail is
 * written from outlets read earlier, which carry their suppression and opt-out as they were then: an
 * address suppressed or unsubscribed since (a bounce seconds into a mailing) is asked by address
 * (counted in `optedOut`), so no campaign mail is claimed for it after that.
 */
export async function withoutSuppressed(
  deps: MailDeps,
  mails: OutgoingMail[],
): Promise<{ mails: OutgoingMail[]; leftOut: OutgoingMail[]; optedOut: number }> {
  const addressesOf = (stream: OutgoingMail['stream']) =>
    mails.filter((mail) => mail.stream === stream).map((mail) => mail.identity.email);
  const [suppressed, optedOut] = await Promise.all([
    deps.suppressions.suppressedAmong(addressesOf('operational')),
    deps.suppressions.optedOutAmong(addressesOf('campaign')),
  ]);
  const isLeftOut = (mail: OutgoingMail) =>
    (mail.stream === 'operational' ? suppressed : optedOut).has(normaliseEmail(mail.identity.email));
  const kept = mails.filter((mail) => !isLeftOut(mail));
  const leftOut = mails.filter((mail) => mail.stream === 'operational' && isLeftOut(mail));
  // The others left out are campaign mails.
  return { mails: kept, leftOut, optedOut: mails.length - kept.length - leftOut.length };
}

/**
 * Claims mails and holds them open, unsent (`hold`, at their claim time): mails their sender cannot yet
 * tell are due, which the sweep sends or closes once stale, as its sender's `Resender` decides then
 * (docs/design.md#exactly-once-mail). Suppressed addresses and mails claimed before are left out.
 * `claimMany`: a sender's claim writer, as for sendMails (tours' press notes). Gives how many it claimed
 * and held now.
 */
export async function claimHeld(
  deps: MailDeps,
  mails: OutgoingMail[],
  claimMany?: ClaimPage,
): Promise<number> {
  if (mails.length === 0) return 0;
  const wanted = (await withoutSuppressed(deps, mails)).mails;
  let held = 0;
  for (const part of inParts(wanted, maxClaimsPerRequest)) {
    const claimed = await claimMails(deps, part, { held: true, claimMany });
    for (const { delivery } of claimed) await deps.deliveries.hold(delivery, delivery.claimedAt);
    held += claimed.length;
  }
  return held;
}

/**
 * Claims a page of mails (the next SES calls) in one request; those claimed before are left out.
 * `held`: claimed to be held, unsent (claimHeld), so the sweep's sending of them is no resend.
 */
async function claimMails(
  deps: MailDeps,
  mails: OutgoingMail[],
  {
    claimMany = (claims, at) => deps.deliveries.claimMany(claims, at),
    held = false,
  }: { claimMany?: ClaimPage; held?: boolean } = {},
): Promise<ClaimedMail[]> {
  const deliveries = await claimMany(
    mails.map((mail) => ({
      ...mail.identity,
      ...(held ? { claimedHeld: true as const } : {}),
      stream: mail.stream,
      ...(mail.context ? { context: mail.context } : {}),
      ...(mail.asOf ? { asOf: mail.asOf } : {}),
      ...(mail.told ? { told: mail.told } : {}),
    })),
    deps.now().toISOString(),
  );
  const mailOf = new Map(mails.map((mail) => [deliveryIdOf(mail.identity), mail]));
  return deliveries.map((delivery) => ({ delivery, mail: mailOf.get(delivery.deliveryId)! }));
}

/**
 * Sends mails already claimed, of one call shape, in one SendBulkEmail call (the caller keeps to
 * 50), inside the shared send rate, and settles each claim from SES's per-entry result. A resend's
 * claim (`resend`) is kept when unsent, marked as not handed to SES (`markUnsent`): only the next sweep
 * can send it.
 */
export async function sendClaimed(
  deps: MailDeps,
  claimed: ClaimedMail[],
  deadline: number,
  options: ClaimedOptions = {},
): Promise<SendOutcome> {
  const settling = new Settling();
  const take = (count: number) => deps.sendRate.acquire(count, deadline);
  try {
    return await dispatchClaimed(deps, claimed, deadline, noOutcome(), settling, take, options);
  } finally {
    await settling.finish();
  }
}

/**
 * How claimed mails are sent: `resend`, a resend's claim, kept when unsent; `mark`, how the mails SES
 * took are marked sent, where not by the claims' own `markSentMany`: the announcer's resends mark them
 * asking what must follow, stored in the outbox by the same write as the mark
 * (docs/design.md#the-outbox), given `claimedOf`, the deliveries a write marks as claimed.
 */
export interface ClaimedOptions {
  resend?: boolean;
  mark?: (sent: SentMark[], at: string, claimedOf: (ids: string[]) => Delivery[]) => Promise<Set<string>>;
}

/**
 * sendClaimed, counting what it came to in `outcome` (a run's, added to), with the settling writes
 * handed to `settling` (which the caller finishes) and the recipients of each attempt taken from the
 * send rate with `take`.
 */
async function dispatchClaimed(
  deps: MailDeps,
  claimed: ClaimedMail[],
  deadline: number,
  outcome: SendOutcome,
  settling: Settling,
  take: (count: number) => Promise<boolean>,
  options: ClaimedOptions = {},
): Promise<SendOutcome> {
  if (claimed.length === 0) return outcome;
  const first = claimed[0].mail;
  const entries = new Map<string, { claim: ClaimedMail; entry: BulkEntry }>();
  for (const claim of claimed) {
    entries.set(claim.delivery.deliveryId, {
      claim,
      entry: {
        deliveryId: claim.delivery.deliveryId,
        email: claim.mail.identity.email,
        ...(claim.mail.unsubscribeUrl ? { unsubscribeUrl: claim.mail.unsubscribeUrl } : {}),
        data: claim.mail.data,
      },
    });
  }

  const claimsOf = (ids: string[]) => ids.map((id) => entries.get(id)!.claim);
  const deliveriesOf = (ids: string[]) => claimsOf(ids).map(({ delivery }) => delivery);
  // Marked as not handed to SES: a later sweep's sending of them is a resend only where it was one.
  const markUnsent = (ids: string[]) => deps.deliveries.markUnsent(deliveriesOf(ids));
  const giveBackPending = async (ids: string[]) => {
    if (options.resend) return markUnsent(ids);
    await giveBack(deps, claimsOf(ids));
  };
  // Left open for the sweep, marked so.
  const leaveForSweep = async (ids: string[]) => {
    outcome.leftForSweep += ids.length;
    await markUnsent(ids);
  };

  let pending = [...entries.keys()];
  let backoff = deps.settings.throttleBackoffMs;
  // While SES is paused, claims are left open for the stale-claim sweep rather than waited on here: a
  // pause outlasts any invocation and its retries (docs/design.md#send-rate).
  const leaveOpen = deps.settings.whenPaused !== 'wait';
  const waitOrGiveUp = async (): Promise<boolean> => {
    if (deps.now().getTime() + backoff > deadline) {
      await giveBackPending(pending);
      outcome.unfinished = true;
      return false;
    }
    await deps.sleep(backoff);
    backoff = Math.min(backoff * 2, maxBackoffMs);
    return true;
  };

  while (pending.length > 0) {
    let acquired: boolean;
    try {
      acquired = await take(pending.length);
    } catch (error) {
      // Not sent: given back, never left open for the stale-claim sweep.
      await giveBackPending(pending);
      throw error;
    }
    if (!acquired) {
      await giveBackPending(pending);
      outcome.unfinished = true;
      return outcome;
    }
    let results: EntryResult[];
    try {
      const call: BulkMail = {
        stream: first.stream,
        template: first.template,
        kind: first.identity.kind,
        defaultData: first.sharedData ?? {},
        ...(first.attachments ? { attachments: first.attachments } : {}),
        entries: pending.map((id) => entries.get(id)!.entry),
      };
      results = await deps.mailer.sendBulk(call);
    } catch (error) {
      if (error instanceof MailerError && error.kind === 'paused' && leaveOpen) {
        await leaveForSweep(pending);
        return outcome;
      }
      if (error instanceof MailerError && (error.kind === 'throttled' || error.kind === 'paused')) {
        if (await waitOrGiveUp()) continue;
        return outcome;
      }
      if (error instanceof MailerError && error.kind === 'unknown') {
        // SES may have accepted these mails: never send them again from here.
        outcome.unsettled += pending.length;
        return outcome;
      }
      await giveBackPending(pending);
      throw error;
    }

    const retry: string[] = [];
    const leftOpen: string[] = [];
    const accepted: { deliveryId: string; messageId: string }[] = [];
    const refused: { deliveryId: string; failure: string }[] = [];
    let configurationProblem: string | undefined;
    const at = deps.now().toISOString();
    pending.forEach((id, index) => {
      const result = results[index];
      if (!result) {
        outcome.unsettled++; // no answer for this entry: as good as a lost answer
      } else if (result.status === 'SUCCESS' && result.messageId) {
        accepted.push({ deliveryId: id, messageId: result.messageId });
      } else if (leaveOpen && paused.has(result.status)) {
        leftOpen.push(id);
      } else if (later.has(result.status)) {
        retry.push(id);
      } else if (recipientFailures.has(result.status)) {
        refused.push({
          deliveryId: id,
          failure: `${result.status}${result.error ? `: ${result.error}` : ''}`,
        });
      } else {
        retry.push(id);
        configurationProblem ??= result.status;
      }
    });
    // What SES accepted is recorded first, and held on to: a mark lost here leaves the claim to SES's
    // best-effort Email Sent alone (docs/design.md#exactly-once-mail).
    await settling.add(async () => {
      const { mark } = options;
      await persist(deps, () =>
        mark ? mark(accepted, at, deliveriesOf) : deps.deliveries.markSentMany(accepted, at),
      );
      await forEachBounded(refused, deps.settings.claimConcurrency, ({ deliveryId, failure }) =>
        deps.deliveries.markFailed(
          deliveryId,
          failure,
          at,
          // An operational mail SES refused for good is as undeliverable as one that bounced: whoever
          // relies on it is told, with the mark that fails its claim (docs/design.md#two-mail-streams).
          undeliverableEntries(
            entries.get(deliveryId)!.claim.delivery,
            { reason: 'refused', detail: failure },
            { at, source: deps.source },
          ),
        ),
      );
    });
    await leaveForSweep(leftOpen);
    outcome.failed += refused.length;
    outcome.sent += accepted.length;
    if (accepted.length > 0)
      deps.measure.record('MailsSent', { kind: first.identity.kind, stream: first.stream }, accepted.length);
    pending = retry;
    if (configurationProblem) {
      await giveBackPending(pending);
      throw new Error(
        `SES refused the ${first.identity.kind} mail of ${JSON.stringify(first.identity.subject)}: ${configurationProblem}`,
      );
    }
    if (pending.length > 0 && !(await waitOrGiveUp())) return outcome;
  }
  return outcome;
}
