import { mailSettlementLatencySeconds } from '#infra/function-settings.ts';
import type { Config } from '#shared/config.ts';
import type { KeptTold, MailClaims, MailIdentity, MailStream } from '#shared/db/deliveries.ts';
import type { SuppressionList } from '#shared/db/suppression-list.ts';
import type { Measure } from '#shared/lambda/metrics.ts';

/** The mail module's view of the world: small ports, adapters in ses.ts, fakes in tests. */

/** A file sent with a mail (SES v2 `Attachments`: no raw MIME needed). */
export interface MailAttachment {
  fileName: string;
  contentType: string;
  /** The file's bytes; a string is taken as UTF-8 text. */
  content: string | Uint8Array;
}

/** One mail a sender wants sent exactly once (see send.ts for how to send it). */
export interface OutgoingMail {
  /** What makes it the same mail; built with `mailSubjects` from shared/db/deliveries.ts. */
  identity: MailIdentity;
  stream: MailStream;
  /** A template `name` from shared/mail/templates.ts (`templateNames`). */
  template: string;
  /** This recipient's template data (JSON-ready; merged by SES over `sharedData`). */
  data: unknown;
  /**
   * Template data every recipient of the same template and attachments shares: sent once per SES call
   * (SendBulkEmail's default data) instead of once per recipient. Mails are grouped into calls by it.
   */
  sharedData?: unknown;
  /** The recipient's signed one-click unsubscribe link: required on campaign mail, refused on operational. */
  unsubscribeUrl?: string;
  attachments?: MailAttachment[];
  /** Who the mail concerns, stored on the delivery so a bounce can be traced back (`{tourId, showId}`, `{budgetId}`). */
  context?: Record<string, string>;
  /** The version of the subject (its label `occurredAt`) the mail was written from. */
  asOf?: string;
  /** What the mail tells that a later mail restates, kept on its delivery (`KeptTold`, shared/db/deliveries.ts). */
  told?: KeptTold;
}

/** The configuration variable naming each stream's SES configuration set (see docs/design.md#two-mail-streams). */
export const configurationSetVariable = {
  campaign: 'SES_CONFIGURATION_SET',
  operational: 'SES_OPERATIONAL_CONFIGURATION_SET',
} as const satisfies Record<MailStream, keyof Config>;

/** One recipient of a bulk call. */
export interface BulkEntry {
  deliveryId: string;
  email: string;
  unsubscribeUrl?: string;
  data: unknown;
}

/** One SendBulkEmail call: mails of one stream, template, kind, shared data and attachments. */
export interface BulkMail {
  stream: MailStream;
  template: string;
  kind: string;
  defaultData: unknown;
  attachments?: MailAttachment[];
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
 * - `throttled`: SES refused it for the send rate; nothing was sent: wait (seconds) and try again.
 * - `paused`: SES refused it because sending is paused for the account, or its daily quota is spent;
 *   nothing was sent, and SES sends nothing for hours: what the sender does is `MailSettings.whenPaused`.
 * - `refused`: SES answered a 4xx before sending (a bug or a configuration problem); nothing was sent.
 * - `unknown`: no answer, or a 5xx: SES may have accepted the mail. The claims stay, and the mail is
 *   settled from SES's Email Sent events or, once stale (staleClaimMs) without one, resent by the sweep.
 */
export class MailerError extends Error {
  readonly kind: 'throttled' | 'paused' | 'refused' | 'unknown';
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
  /** The account's send rate in whole recipients per second (at least 1): the most one `acquire` takes at once. */
  recipientsPerSecond(): Promise<number>;
  /** Waits for `count` recipients of the shared budget; false if they cannot be had before `deadline`. */
  acquire(count: number, deadline: number): Promise<boolean>;
}

export interface MailSettings {
  /** Conditional writes in flight at once when claiming and settling. */
  claimConcurrency: number;
  /** First wait after SES throttled a call (doubles, capped at 20 s). */
  throttleBackoffMs: number;
  /** A claim still open after this long with no Email Sent event is sent again (see staleClaimMsFor). */
  staleClaimMs: number;
  /**
   * What a send does while SES has sending paused or the daily quota spent (MailerError `paused`, or
   * such an entry status): `sweep` stops at once and leaves the claims open, unsent, for the stale-claim
   * sweep to send once SES sends again; `wait` waits as for throttling, up to the deadline, and then gives
   * them back (the announcer, which continues its mailing in a new invocation). See
   * docs/design.md#send-rate. Absent: `sweep`.
   */
  whenPaused?: 'sweep' | 'wait';
}

export interface MailDeps {
  deliveries: MailClaims;
  /**
   * Addresses suppressed (a hard bounce or complaint) or, for campaign mail, unsubscribed: asked before
   * each claim (withoutSuppressed in send.ts).
   */
  suppressions: Pick<SuppressionList, 'suppressedAmong' | 'optedOutAmong'>;
  mailer: Mailer;
  sendRate: SendRate;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  settings: MailSettings;
  /** Where the module counts the mails SES accepted (`MailsSent` by kind and stream), whichever sender sent them. */
  measure: Measure;
  /**
   * The sender's source (`backline.<context>`): that of the `Mail Undeliverable` the module writes when
   * SES refuses an operational mail for good (docs/design.md#two-mail-streams).
   */
  source: string;
}

/**
 * How long SES's events for a sent mail are given to arrive before a claim counts as stale: they come
 * within seconds, but best effort, through a second bus; the margin keeps a late Email Sent from
 * racing the sweep's resend.
 */
export const sesEventMarginMs = 10 * 60_000;

/**
 * A claim counts as stale (the sweep resends it) only once the invocation that made it cannot still
 * be running, that is after the sending function's timeout, plus the time SES's events take to
 * arrive, plus the longest the settlement queue can take to settle from one (its batching window,
 * its retries, the settling invocation): before that, the sender may yet send the mail or its Email
 * Sent may yet settle it, and a resend would be a second mail (docs/design.md#exactly-once-mail works
 * the sum for the announcer).
 */
export const staleClaimMsFor = (senderTimeoutSeconds: number) =>
  senderTimeoutSeconds * 1000 + sesEventMarginMs + mailSettlementLatencySeconds * 1000;

export const defaultMailSettings = (senderTimeoutSeconds: number): MailSettings => ({
  claimConcurrency: 25,
  throttleBackoffMs: 1_000,
  staleClaimMs: staleClaimMsFor(senderTimeoutSeconds),
  whenPaused: 'sweep',
});
