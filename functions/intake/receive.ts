import { randomUUID } from 'node:crypto';
import { activeSecrets, isLabelId, type LabelReads } from '#shared/db/labels.ts';
import type { ReleaseReads } from '#shared/db/release-reads.ts';
import { type WebhookRecord, type WebhookRecording, webhookRetentionMs } from '#shared/db/webhooks.ts';
import {
  conflict,
  notFound,
  payloadTooLarge,
  unauthorized,
  unsupportedMediaType,
  ValidationError,
} from '#shared/http/errors.ts';
import { isJsonMediaType, isXmlMediaType, refuseNonUtf8Charset } from '#shared/http/responses.ts';
import {
  ernWebhookBody,
  ernWebhookType,
  maxWebhookBodyBytes,
  type ParsedWebhook,
  parseWebhookBody,
} from '#shared/webhooks.ts';
import type { CachedLabels } from './label-cache.ts';
import {
  type SignedRequest,
  timestampToleranceSeconds,
  type Verification,
  verifySignature,
  webhookIdPattern,
} from './signature.ts';

/** A webhook request as intake sees it, free of API Gateway types. */
export interface WebhookRequest {
  labelId: string | undefined;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface IntakeDeps {
  /** With `reread` when labels are cached (label-cache.ts): a signature no cached secret matches reads the label again. */
  labels: LabelReads & Partial<Pick<CachedLabels, 'reread'>>;
  webhooks: WebhookRecording;
  /** Whether an ERN message's release is known already (then it is an update). */
  releases: ReleaseReads;
  now: () => Date;
  newEventId?: () => string;
}

export interface Accepted {
  eventId: string;
  /**
   * A repeat of a webhook recorded before (a label's retry, an ERN message sent again): its first
   * answer, no second event, and not counted again (docs/design.md#observability).
   */
  repeated: boolean;
}

/** Why a webhook was refused, by its answer's status (the order of the checks below), as the metrics name it. */
export const rejectionReasons: Record<number, string> = {
  413: 'too-large',
  404: 'unknown-label',
  401: 'signature',
  415: 'content-type',
  400: 'invalid-body',
  409: 'webhook-id-reused',
};

/**
 * Why a signature was refused, naming the headers a label left out, the one it malformed (and what it
 * must be), or how far its timestamp is from Backline's clock, and which way, so that whoever signs by hand sees what to mend (a
 * label's clock off, or the local clock moved ahead); which secret or MAC failed stays unsaid.
 */
function rejection(
  reason: Extract<Verification, { ok: false }>['reason'],
  headers: WebhookRequest['headers'],
  now: Date,
): string {
  if (reason === 'missing headers')
    return `${reason}: ${signatureHeaders.filter((name) => !headers[name]).join(', ')}`;
  if (reason === 'malformed headers')
    return `${reason}: ${
      webhookIdPattern.test(headers['webhook-id'] ?? '')
        ? 'webhook-timestamp must be whole Unix seconds'
        : 'webhook-id must be 1 to 256 printable ASCII characters'
    }`;
  if (reason === 'stale timestamp') {
    const seconds = Number(headers['webhook-timestamp']);
    const off = seconds - Math.floor(now.getTime() / 1000);
    const signedAt = new Date(seconds * 1000).toISOString().replace('.000', '');
    return `${reason}: webhook-timestamp ${seconds} (${signedAt}) is ${Math.abs(off)} seconds ${off < 0 ? 'before' : 'after'} Backline's clock (${now.toISOString()}): it must be within ${timestampToleranceSeconds} seconds of it`;
  }
  return reason;
}

const signatureHeaders = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Takes one label webhook (in this order, see docs/design.md#routes-and-auth: 413 size, 404 label, 401
 * signature, 415 Content-Type, 400 body), then records it with one conditional write (the label itself is usually in memory: label-cache.ts). The record is itself an outbox entry: the publisher
 * builds its event from the raw body and puts it on the bus from the table's stream, so the answer,
 * 202 `{eventId}`, never waits for the bus (see docs/design.md#the-outbox). A repeated `webhook-id`
 * (an ERN message's MessageId) gets the first answer and no second event; with another body, a 409. Rejected requests record and publish nothing.
 */
export async function receiveWebhook(request: WebhookRequest, deps: IntakeDeps): Promise<Accepted> {
  if (request.body.length > maxWebhookBodyBytes) throw payloadTooLarge(maxWebhookBodyBytes);

  const labelId = request.labelId ?? '';
  const label = isLabelId(labelId) ? await deps.labels.get(labelId) : undefined;
  if (!label) throw notFound('label');

  const now = deps.now();
  const signed: SignedRequest = {
    webhookId: request.headers['webhook-id'],
    timestamp: request.headers['webhook-timestamp'],
    signature: request.headers['webhook-signature'],
    body: request.body,
  };
  let verification = verifySignature(signed, activeSecrets(label, now), now);
  if (!verification.ok && verification.reason === 'no matching signature' && deps.labels.reread) {
    // Perhaps signed with a secret rotated in since the label was cached.
    const fresh = await deps.labels.reread(labelId);
    if (fresh) verification = verifySignature(signed, activeSecrets(fresh, now), now);
  }
  if (!verification.ok)
    throw unauthorized(`webhook signature rejected: ${rejection(verification.reason, request.headers, now)}`);

  const contentType = request.headers['content-type'];
  const xml = isXmlMediaType(contentType);
  if (!xml && !isJsonMediaType(contentType)) {
    throw unsupportedMediaType(
      'application/json (or an application/*+json type), or application/xml (text/xml, or an application/*+xml type) for a DDEX ERN 4.3, 4.3.1 or 4.3.2 message',
    );
  }
  // Refused, not decoded: the body is recorded and read again as UTF-8 by the publisher and every replay,
  // and the signature is over its bytes as sent (docs/design.md#routes-and-auth).
  refuseNonUtf8Charset(contentType, request.body);

  const { parsed, recordId } = xml
    ? await readErn(labelId, request.body, deps)
    : { parsed: parseWebhookBody(request.body), recordId: verification.webhookId };
  if (!parsed.ok) throw parsed.error;
  // Changes apply by the label's timestamp (docs/design.md#ordering-by-the-labels-timestamp): one dated
  // ahead of Backline's clock would outrank every correction sent after it, so it may be ahead only
  // by as much as a signature may (a label's clock a little fast).
  if (Date.parse(parsed.body.timestamp) - now.getTime() > timestampToleranceSeconds * 1000) {
    const path = xml ? 'NewReleaseMessage/MessageHeader/MessageCreatedDateTime' : 'timestamp';
    // An ERN date-time with no zone is read as UTC (shared/ern.ts): local time east of UTC lands ahead.
    const read = xml ? ` (read as ${parsed.body.timestamp}; one with no zone is UTC)` : '';
    const message = `must not be more than ${timestampToleranceSeconds} seconds after Backline's clock (${now.toISOString()})${read}: it is when the change happened at the label`;
    throw new ValidationError([{ path, message }]);
  }

  const record: WebhookRecord = {
    labelId,
    webhookId: recordId,
    ...(xml ? { format: 'ern' as const } : {}),
    eventId: (deps.newEventId ?? randomUUID)(),
    type: parsed.body.type,
    body: request.body.toString('utf8'),
    receivedAt: now.toISOString(),
    status: 'pending',
    expiresAt: Math.floor((now.getTime() + webhookRetentionMs) / 1000),
  };
  const outcome = await deps.webhooks.record(record, now);
  if (outcome.recorded) return { eventId: record.eventId, repeated: false };
  // A webhook-id names one message (Standard Webhooks), as an ERN message's MessageId does (its record's
  // id): another body under it is another change, which the first's answer would acknowledge and drop.
  if (outcome.existing.body !== record.body) {
    const [path, id] = xml
      ? ['NewReleaseMessage/MessageHeader/MessageId', 'MessageId']
      : ['header.webhook-id', 'webhook-id'];
    const message = `was received before with another body: send a different change under a new ${id}`;
    throw conflict(`${path}: ${message}`, { issues: [{ path, message }] });
  }
  // This very record, its put landed with its answer lost, is no repeat (docs/design.md#failures-and-retries).
  return { eventId: outcome.existing.eventId, repeated: outcome.existing.eventId !== record.eventId };
}

/**
 * An ERN message as a webhook: its type is an update when Backline knows the release already (ERN 4
 * has no update indicator; each message replaces what earlier ones said), and it is recorded under its
 * MessageId, so a message received before is a duplicate however it is delivered (see docs/design.md#ddex-ern).
 * The XML reader (fast-xml-parser with it) is loaded with the first ERN message an instance takes: most
 * webhooks are JSON, and building it at load is init time every cold start pays (docs/design.md#bundles).
 */
async function readErn(
  labelId: string,
  body: Buffer,
  deps: IntakeDeps,
): Promise<{ parsed: ParsedWebhook; recordId: string }> {
  const { parseErn } = await import('#shared/ern.ts');
  const read = parseErn(body);
  if (!read.ok) return { parsed: read, recordId: '' };
  const { release } = read;
  if (!webhookIdPattern.test(release.messageId)) {
    const path = 'NewReleaseMessage/MessageHeader/MessageId';
    const error = new ValidationError([{ path, message: 'must be 1 to 256 printable ASCII characters' }]);
    return { parsed: { ok: false, error }, recordId: '' };
  }
  // Checked against its schema before the release is looked up: a key DynamoDB refuses (an id too
  // long, say) is a 400 naming the field, not a failed read.
  const checked = ernWebhookBody(release, ernWebhookType(release, false));
  if (!checked.ok) return { parsed: checked, recordId: '' };
  const known = (await deps.releases.get(labelId, release.releaseId))?.details !== undefined;
  return {
    parsed: known ? ernWebhookBody(release, ernWebhookType(release, true)) : checked,
    recordId: release.messageId,
  };
}
