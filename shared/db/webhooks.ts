import { keyOf, keyParts } from './keys.ts';

/** How the body is written (shared/webhooks.ts): JSON, or a DDEX ERN message. */
export type WebhookFormat = 'json' | 'ern';

/**
 * Recorded label webhooks, kept with their raw body for replay. A record is itself intake's outbox
 * entry (shared/db/outbox.ts): the publisher builds its event from the raw body. See docs/design.md#the-outbox.
 *
 * Access patterns:
 * - record a webhook once per label and `webhook-id`; find it again for a repeated delivery
 *     pk = WEBHOOK#<labelId>#<webhookId>, sk = WEBHOOK   (one item per partition: no hot label partition)
 * - record a DDEX ERN message once per label and `MessageId`, whatever webhook-id it came under
 *     pk = WEBHOOK#<labelId>#<messageId>, sk = ERN       (its own sort key: a webhook-id can never meet a MessageId)
 * - a label's webhooks received in a time range, oldest first (replay)
 *     gsi1pk = LABEL#<labelId>#WEBHOOKS, gsi1sk = <receivedAt>#<webhookId>
 * - webhooks still pending publication: the outbox's unpublished index (unpublishedKey in outbox-keys.ts),
 *   by receivedAt and eventId; sparse: removed once published
 *
 * Keys are built by `keyOf`/`keyParts` (see docs/design.md#unambiguous-keys).
 */
export const webhookKey = (labelId: string, webhookId: string, format?: WebhookFormat) => ({
  pk: keyOf('WEBHOOK', labelId, webhookId),
  sk: format === 'ern' ? 'ERN' : 'WEBHOOK',
});
export const byLabelKey = (labelId: string, receivedAt: string, webhookId: string) => ({
  gsi1pk: `${keyOf('LABEL', labelId)}#WEBHOOKS`,
  gsi1sk: keyParts(receivedAt, webhookId),
});

/** Raw payloads are kept 30 days for replay (TTL). */
export const webhookRetentionMs = 30 * 24 * 60 * 60 * 1000;

/** `parked`: the bus refused its event for good; see docs/design.md#the-outbox. */
export type WebhookStatus = 'pending' | 'published' | 'unpublishable' | 'parked';

export interface WebhookRecord {
  labelId: string;
  /** The `webhook-id`; for an ERN message, its MessageId (a resend under a new webhook-id is the same message). */
  webhookId: string;
  /** Absent for JSON. */
  format?: 'ern';
  eventId: string;
  type: string;
  /** The body as the label sent it (valid UTF-8 JSON or ERN XML, at most 256 KB). */
  body: string;
  receivedAt: string;
  status: WebhookStatus;
  publishedAt?: string;
  /** Why its event can no longer be built, when `unpublishable`. */
  unpublishableReason?: string;
  /**
   * The replays' pages that put it back in the outbox since it was last published, each told if its event
   * can no longer be built. A list, not the last one alone: two replays of a range may put it back before
   * the publisher reads it, and each counted it replayed (docs/design.md#jobs). Taken off when it is published.
   */
  replayedByPages?: ReplayPage[];
  /** TTL, epoch seconds. */
  expiresAt: number;
}

/** A replay job's page (shared/db/jobs.ts). */
export interface ReplayPage {
  jobId: string;
  page: number;
}

export type WebhookRef = Pick<WebhookRecord, 'labelId' | 'webhookId' | 'format'>;

export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * Recording webhooks as they come, which intake does (shared/db/webhook-recording.ts). Built apart from
 * their replays (`WebhookReplays`, the jobs function's, shared/db/webhook-replays.ts): a store is one
 * object, which esbuild cannot trim (see docs/design.md#bundles), and a function's DynamoDB grants follow
 * the modules it imports (docs/design.md#topology). This module, the records' keys and shape, calls none.
 */
export interface WebhookRecording {
  /** Records a new webhook as pending; when its label and id are already recorded (and not expired), returns that record instead. */
  record(
    record: WebhookRecord,
    now: Date,
  ): Promise<{ recorded: true } | { recorded: false; existing: WebhookRecord }>;
}

/** Reading a label's recorded webhooks and putting them back in the outbox: a replay job's. */
export interface WebhookReplays {
  /**
   * Puts a recorded webhook back in the outbox, so the publisher publishes its event again (same
   * eventId): a replay is a redelivery, `by` the replay's page, which the publisher tells if the event
   * can no longer be built. False when it is gone (expired at `at` included) or its event could not be
   * built before.
   */
  requeue(ref: WebhookRef & Pick<WebhookRecord, 'eventId'>, at: Date, by: ReplayPage): Promise<boolean>;
  /** A label's webhooks received in [from, to], oldest first, one page at a time; expired ones are left out. */
  receivedBetween(
    labelId: string,
    from: Date,
    to: Date,
    now: Date,
    cursor?: string,
  ): Promise<Page<WebhookRecord>>;
}

/** The port over recorded webhooks. */
export type WebhookRecords = WebhookRecording & WebhookReplays;

/** A stored item as a webhook record, without its keys. */
export const webhookRecordOf = (item: Record<string, unknown>): WebhookRecord => {
  const {
    labelId,
    webhookId,
    format,
    eventId,
    type,
    body,
    receivedAt,
    status,
    publishedAt,
    unpublishableReason,
    replayedByPages,
    replayedBy,
    expiresAt,
  } = item;
  const pages = replayPagesOf(replayedByPages, replayedBy);
  return {
    labelId,
    webhookId,
    ...(format === 'ern' ? { format } : {}),
    eventId,
    type,
    body,
    receivedAt,
    status,
    ...(publishedAt ? { publishedAt } : {}),
    ...(unpublishableReason ? { unpublishableReason } : {}),
    ...(pages.length > 0 ? { replayedByPages: pages } : {}),
    expiresAt,
  } as WebhookRecord;
};

/**
 * The pages a record was put back by, each once (a page run again puts it back again). A record put back
 * before these were kept as a list holds its last one alone, as `replayedBy`: read as one more.
 */
const replayPagesOf = (list: unknown, last: unknown): ReplayPage[] => {
  const pages = [...((list as ReplayPage[] | undefined) ?? []), ...(last ? [last as ReplayPage] : [])];
  return pages.filter(
    (page, index) => pages.findIndex((p) => p.jobId === page.jobId && p.page === page.page) === index,
  );
};

/** An instant in epoch seconds, as the TTL attribute `expiresAt` holds it. */
export const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
