import { failure, type RouteDoc } from '#shared/http/index.ts';
import { maxWebhookBodyBytes, WebhookBody } from '#shared/webhooks.ts';
import * as z from '#shared/zod.ts';

/** Intake's one route, as the API document shows it (the handler reads no router). */
export const intakeRoutes: { method: 'POST'; path: string; doc: RouteDoc }[] = [
  {
    method: 'POST',
    path: '/webhooks/{labelId}',
    doc: {
      summary: "A label's webhook (Standard Webhooks)",
      description:
        'Signed with one of the label\'s secrets: `webhook-signature` is `v1,` + base64(HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")), where the secret is the base64 after `whsec_`. Checked in this order: 413 size, 404 label, 401 signature, 415 Content-Type (its media type, then its charset: UTF-8 only), 400 body. A repeated `webhook-id` (an ERN message\'s `MessageId`) gets the first answer and no second event; with another body, a 409. Each `type` becomes the event of the same name in docs/events.asyncapi.json.',
      body: {
        schema: WebhookBody,
        description: `up to ${maxWebhookBodyBytes} bytes: JSON (\`application/json\` or \`application/*+json\`), or a DDEX ERN 4.3, 4.3.1 or 4.3.2 \`NewReleaseMessage\` as \`application/xml\`, \`text/xml\` or an \`application/*+xml\` type (\`application/vnd.ddex.ern+xml\`), signed alike, which becomes a \`release.scheduled\`, \`release.updated\` or \`release.cancelled\` (docs/design.md#ddex-ern)`,
        textMediaTypes: ['application/xml', 'text/xml'],
      },
      headers: {
        'webhook-id': { description: 'unique per webhook; repeats are answered once', required: true },
        'webhook-timestamp': {
          description: 'Unix seconds; within 5 minutes of the server clock',
          required: true,
        },
        'webhook-signature': {
          description: 'space-separated `v1,<base64>` signatures (several during a secret rotation)',
          required: true,
        },
      },
      responses: {
        202: { description: 'recorded', schema: z.lazy(() => z.object({ eventId: z.string() })) },
        400: failure(
          "the body is not valid JSON or XML, is labelled US-ASCII and holds a byte above 0x7F, is not a valid webhook of its type, or an ERN message Backline cannot read, or its timestamp is more than 300 seconds after Backline's clock (each issue names the field or element path)",
        ),
        401: failure('the signature or timestamp is rejected'),
        404: failure('no such label'),
        413: failure(`the body exceeds ${maxWebhookBodyBytes} bytes`),
        409: failure("the webhook-id (an ERN message's MessageId) was received before with another body"),
        415: failure(
          'Content-Type is neither JSON (application/json, application/*+json) nor XML (application/xml, text/xml, application/*+xml), or names a charset other than utf-8 or us-ascii (utf8 and the other names the Encoding Standard gives UTF-8 are taken as utf-8, ascii and ANSI_X3.4-1968 as us-ascii; the body is read as UTF-8 and refused, not decoded, in any other: docs/design.md#routes-and-auth)',
        ),
      },
    },
  },
];
