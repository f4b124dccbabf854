import { randomUUID } from 'node:crypto';
import { activeSecrets, isLabelId, type Labels } from '#shared/db/labels.ts';
import { type WebhookRecord, type WebhookRecords, webhookRetentionMs } from '#shared/db/webhooks.ts';
import { notFound, payloadTooLarge, unauthorized, unsupportedMediaType } from '#shared/http/errors.ts';
import type { Log } from '#shared/lambda/observability.ts';
import { type PublishEntries, publishRecorded } from '#shared/webhook-publishing.ts';
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
  webhooks: WebhookRecords;
  publish: PublishEntries;
  busName: string;
  now: () => Date;
  newEventId?: () => string;
  log: Log;
}

export interface Accepted {
  eventId: string;
}

/** A record still pending this long after it arrived is the outbox sweep's to publish (docs/design.md#the-outbox). */
export const stalePendingMs = 60_000;

const isJson = (contentType: string | undefined): boolean => {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
};

/**
 * Takes one label webhook (in this order, see docs/design.md#routes-and-auth: 413 size, 404 label, 401 signature, 415 Content-Type, 400 body),
 * records it durably as pending, then publishes its event and marks it published (docs/design.md#the-outbox).
 * The answer is 202 `{eventId}` once recorded, even when the bus is down: the outbox sweep publishes it later.
 * A repeated `webhook-id` gets the first answer and no second event. Rejected requests record and publish nothing.
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
  if (!outcome.recorded) {
    const { existing } = outcome;
    // A redelivery of a webhook whose first publication never finished (the first request may have crashed):
    // publish it now rather than wait for the sweep. A younger pending one may still be publishing.
    if (existing.status === 'pending' && now.getTime() - Date.parse(existing.receivedAt) >= stalePendingMs) {
      await publishSafely(existing, deps);
    }
    return { eventId: existing.eventId };
  }

  await publishSafely(record, deps);
  return { eventId: record.eventId };
}

/** The record is durable: whatever goes wrong now, the outbox sweep publishes it later, so the label still gets its 202. */
async function publishSafely(record: WebhookRecord, deps: IntakeDeps): Promise<void> {
  try {
    await publishRecorded([record], deps);
  } catch (error) {
    deps.log.warn('published or not, a recorded webhook is left to the outbox sweep', {
      labelId: record.labelId,
      webhookId: record.webhookId,
      error: (error as Error).message,
    });
  }
}
