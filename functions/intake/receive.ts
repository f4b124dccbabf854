import { randomUUID } from 'node:crypto';
import { activeSecrets, isLabelId, type Labels } from '#shared/db/labels.ts';
import { type WebhookRecord, type WebhookRecords, webhookRetentionMs } from '#shared/db/webhooks.ts';
import { notFound, payloadTooLarge, unauthorized, unsupportedMediaType } from '#shared/http/errors.ts';
import { maxWebhookBodyBytes, parseWebhookBody } from '#shared/webhooks.ts';
import { verifySignature } from './signature.ts';

/** A webhook request as intake sees it, free of API Gateway types. */
export interface WebhookRequest {
  labelId: string | undefined;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface IntakeDeps {
  labels: Pick<Labels, 'get'>;
  webhooks: Pick<WebhookRecords, 'record'>;
  now: () => Date;
  newEventId?: () => string;
}

export interface Accepted {
  eventId: string;
}

/** Why a webhook was refused, by its answer's status (the order of the checks below), as the metrics name it. */
export const rejectionReasons: Record<number, string> = {
  413: 'too-large',
  404: 'unknown-label',
  401: 'signature',
  415: 'content-type',
  400: 'invalid-body',
};

const isJson = (contentType: string | undefined): boolean => {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
};

/**
 * Takes one label webhook (in this order, see docs/design.md#routes-and-auth: 413 size, 404 label, 401
 * signature, 415 Content-Type, 400 body), then records it with one conditional write. The record is itself an outbox entry: the publisher
 * builds its event from the raw body and puts it on the bus from the table's stream, so the answer,
 * 202 `{eventId}`, never waits for the bus (see docs/design.md#the-outbox). A repeated `webhook-id`
 * gets the first answer and no second event. Rejected requests record and publish nothing.
 */
export async function receiveWebhook(request: WebhookRequest, deps: IntakeDeps): Promise<Accepted> {
  if (request.body.length > maxWebhookBodyBytes) throw payloadTooLarge(maxWebhookBodyBytes);

  const labelId = request.labelId ?? '';
  const label = isLabelId(labelId) ? await deps.labels.get(labelId) : undefined;
  if (!label) throw notFound('label');

  const now = deps.now();
  const verification = verifySignature(
    {
      webhookId: request.headers['webhook-id'],
      timestamp: request.headers['webhook-timestamp'],
      signature: request.headers['webhook-signature'],
      body: request.body,
    },
    activeSecrets(label, now),
    now,
  );
  if (!verification.ok) throw unauthorized(`webhook signature rejected: ${verification.reason}`);

  if (!isJson(request.headers['content-type'])) throw unsupportedMediaType('application/json');

  const parsed = parseWebhookBody(request.body);
  if (!parsed.ok) throw parsed.error;

  const record: WebhookRecord = {
    labelId,
    webhookId: verification.webhookId,
    eventId: (deps.newEventId ?? randomUUID)(),
    type: parsed.body.type,
    body: request.body.toString('utf8'),
    receivedAt: now.toISOString(),
    status: 'pending',
    expiresAt: Math.floor((now.getTime() + webhookRetentionMs) / 1000),
  };
  const outcome = await deps.webhooks.record(record, now);
  return { eventId: outcome.recorded ? record.eventId : outcome.existing.eventId };
}
