import { Webhook } from 'standardwebhooks';

/** POSTs a label webhook (JSON unless told: DDEX ERN is XML) to `baseUrl`, signed per Standard Webhooks (with the package) as of `at`. */
export const postSignedWebhook = (
  baseUrl: string,
  label: { id: string; secret: string },
  webhookId: string,
  at: Date,
  payload: string,
  contentType = 'application/json',
) =>
  fetch(`${baseUrl}/webhooks/${label.id}`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(label.secret).sign(webhookId, at, payload),
    },
    body: payload,
  });
