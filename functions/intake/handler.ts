import middy from '@middy/core';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoLabelReads } from '#shared/db/labels.ts';
import { dynamoReleaseReads } from '#shared/db/release-reads.ts';
import { dynamoWebhookRecording } from '#shared/db/webhook-recording.ts';
import { HttpError, type HttpEvent, type HttpResult, httpErrors, json, rawBody } from '#shared/http/index.ts';
import { webhookSecretOpener } from '#shared/kms.ts';
import { type Measure, measureFor } from '#shared/lambda/metrics.ts';
import { observability } from '#shared/lambda/observability.ts';
import { cachedLabels } from './label-cache.ts';
import { type IntakeDeps, receiveWebhook, rejectionReasons } from './receive.ts';

/** `POST /webhooks/{labelId}` (topology auth `webhook`: the signature is checked here, in receiveWebhook). */
export const makeHandler = (deps: IntakeDeps, measure: Measure = measureFor('intake')) =>
  middy<HttpEvent, HttpResult>()
    .use(observability('intake'))
    .use(httpErrors())
    .handler(async (event) => {
      try {
        const { eventId, repeated } = await receiveWebhook(
          { labelId: event.pathParameters?.labelId, headers: event.headers ?? {}, body: rawBody(event) },
          deps,
        );
        // A repeat was counted when it was first accepted (docs/design.md#observability).
        if (!repeated) measure.record('WebhooksAccepted', {});
        return json(202, { eventId });
      } catch (error) {
        if (error instanceof HttpError)
          measure.record('WebhooksRejected', {
            reason: rejectionReasons[error.status] ?? String(error.status),
          });
        throw error;
      }
    });

export const liveDeps = (): IntakeDeps => ({
  labels: cachedLabels(dynamoLabelReads(dynamo(), config().TABLE_NAME, webhookSecretOpener())),
  webhooks: dynamoWebhookRecording(dynamo(), config().TABLE_NAME),
  releases: dynamoReleaseReads(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
});

export const handler = makeHandler(liveDeps());
