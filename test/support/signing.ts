import { Webhook } from 'standardwebhooks';

/** POSTs a label webhook to `baseUrl`, signed per Standard Webhooks (with the package) as of `at`. */
export const postSignedWebhook = (
  baseUrl: string,
  label: { id: string; secret: string },
  webhookId: string,
  at: Date,
  payload: string,
) =>
  fetch(`${baseUrl}/webhooks/${label.id}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(label.secret).sign(webhookId, at, payload),
    },
    body: payload,
  });
