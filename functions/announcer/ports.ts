import { functions, settingsOf } from '#infra/topology.ts';
import type { Delivery, DeliveryIdentity } from '#shared/db/deliveries.ts';
import type { MailKind } from '#shared/events/mailing-requested.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { Outlet } from '#shared/outlets.ts';
import type { StoredRelease } from '#shared/releases.ts';

/** The announcer's view of the world: small ports, with adapters in adapters.ts and fakes in tests. */

export interface ReleaseReader {
  get(labelId: string, releaseId: string): Promise<StoredRelease | undefined>;
}

export interface OutletReader {
  /** One page of every outlet, in a stable order; `next` is absent on the last page. */
  page(cursor: string | undefined, limit: number): Promise<{ outlets: Outlet[]; next?: string }>;
  getMany(outletIds: readonly string[]): Promise<Map<string, Outlet>>;
}

export interface DeliveryStore {
  /** The claim (conditional put); undefined when this mail was claimed before. */
  claim(
    identity: DeliveryIdentity & Pick<Delivery, 'outletId' | 'releaseAsOf'>,
    at: string,
  ): Promise<Delivery | undefined>;
  /** Settles an open claim as sent, counting a resend under way; false if it was not open. */
  markSent(deliveryId: string, messageId: string, at: string): Promise<boolean>;
  release(deliveryId: string, claimedAt: string): Promise<void>;
  markFailed(deliveryId: string, failure: string, at: string): Promise<void>;
  getMany(deliveryIds: string[]): Promise<Map<string, Delivery>>;
  stale(before: string, limit: number): Promise<Delivery[]>;
  /** Takes over a stale claim for a resend written from the release as of `releaseAsOf`; marks the resend under way. */
  reclaim(delivery: Delivery, at: string, releaseAsOf: string): Promise<Delivery | undefined>;
}

/** One recipient of a bulk call, with everything the mail needs. */
export interface BulkEntry {
  deliveryId: string;
  email: string;
  unsubscribeUrl: string;
  /** JSON-ready per-recipient template data (merged by SES over `defaultData`). */
  data: unknown;
}

export interface BulkMail {
  kind: MailKind;
  defaultData: unknown;
  entries: BulkEntry[];
}

/** SES's per-entry status (BulkEmailStatus) and message id, in the order of the entries. */
export interface EntryResult {
  status: string;
  messageId?: string;
  error?: string;
}

/**
 * Why a whole SendBulkEmail call failed, which decides what happens to its claims:
 * - `throttled`: SES refused it for the rate or quota; nothing was sent: wait and try again.
 * - `refused`: SES answered a 4xx before sending (a bug or a configuration problem); nothing was sent.
 * - `unknown`: no answer, or a 5xx: SES may have accepted the mail. The claims stay, and the mail is
 *   settled from SES's Email Sent events or, once stale (staleClaimMs) without one, resent by the sweep.
 */
export class MailerError extends Error {
  readonly kind: 'throttled' | 'refused' | 'unknown';
  constructor(kind: MailerError['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export interface Mailer {
  /** One SendBulkEmail call (the caller keeps to 50 entries); throws MailerError. */
  sendBulk(mail: BulkMail): Promise<EntryResult[]>;
}

export interface SendRate {
  /** Recipients per SendBulkEmail call that the account's rate allows (1 to 50). */
  recipientsPerCall(): Promise<number>;
  /** Waits for `count` recipients of the shared budget; false if they cannot be had before `deadline`. */
  acquire(count: number, deadline: number): Promise<boolean>;
}

export interface RecipientLinks {
  forRecipient(
    outlet: Outlet,
    release: StoredRelease,
    sentAt: Date,
  ): Promise<{ unsubscribeUrl: string; promoLinks: { label: string; url: string }[] }>;
}

/** Puts events on the Backline bus directly (for steps with no state write to attach them to); throws if some were refused. */
export interface EventPublisher {
  publish(events: OutboxEntry[]): Promise<void>;
}

export interface AnnouncerSettings {
  /** Outlets read per page of the directory. */
  pageSize: number;
  /** Conditional puts in flight at once when claiming. */
  claimConcurrency: number;
  /** First wait after SES throttled a call (doubles, capped at 20 s). */
  throttleBackoffMs: number;
  /** A claim still open after this long with no Email Sent event is sent again (see staleClaimMs). */
  staleClaimMs: number;
}

export interface AnnouncerDeps {
  releases: ReleaseReader;
  outlets: OutletReader;
  deliveries: DeliveryStore;
  mailer: Mailer;
  sendRate: SendRate;
  links: RecipientLinks;
  events: EventPublisher;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  settings: AnnouncerSettings;
}

/**
 * How long SES's events for a sent mail are given to arrive before a claim counts as stale: they come
 * within seconds, but best effort, through a second bus; the margin keeps a late Email Sent from
 * racing the sweep's resend.
 */
export const sesEventMarginMs = 10 * 60_000;

/**
 * A claim counts as stale (the sweep resends it) only once the invocation that made it cannot still
 * be running, that is after the announcer's timeout, plus the time SES's events take to arrive:
 * before that, the sender may yet send the mail or its Email Sent may yet settle it, and a resend
 * would be a second mail (see docs/design.md#exactly-once-mail). With a 300 s timeout: 15 minutes.
 */
export const staleClaimMs = settingsOf(functions.announcer).timeoutSeconds * 1000 + sesEventMarginMs;

export const defaultSettings: AnnouncerSettings = {
  pageSize: 500,
  claimConcurrency: 25,
  throttleBackoffMs: 1_000,
  staleClaimMs,
};
