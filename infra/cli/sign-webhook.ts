import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { strictUtf8 } from '#shared/http/errors.ts';

/**
 * Signs a label webhook per Standard Webhooks and prints the headers for `curl -H @file`:
 *
 *   npm run --silent sign -- --secret whsec_... --file release.json > headers.txt
 *   curl -X POST http://localhost:3000/webhooks/<labelId> -H @headers.txt --data-binary @release.json
 *
 * The timestamp is the local cloud's clock (`GET /_local/clock`), not this machine's: once the clock
 * has been advanced, a signature dated by the wall clock is more than 5 minutes old and refused.
 * Against a deployed stack (no `/_local/clock`), the wall clock is the right one.
 */

/** The local cloud's now, or undefined when `baseUrl` has no local clock (a deployed stack, or nothing there). */
async function localClockNow(baseUrl: string): Promise<Date | undefined> {
  try {
    const response = await fetch(`${baseUrl}/_local/clock`);
    if (response.ok) return new Date(((await response.json()) as { now: string }).now);
  } catch {
    // no local cloud there
  }
  return undefined;
}

/** The local cloud's now, or the wall clock when `baseUrl` has no local clock (a deployed stack). */
export const clockNow = async (baseUrl: string): Promise<Date> =>
  (await localClockNow(baseUrl)) ?? new Date();

/**
 * Standard Webhooks headers for `payload`, signed with the label's secret as of `at`; a payload that
 * starts with `<` is a DDEX ERN message (XML), any other JSON.
 */
export function signedHeaders(secret: string, payload: string, at: Date, webhookId = newWebhookId()) {
  return {
    'content-type': payload.trimStart().startsWith('<') ? 'application/xml' : 'application/json',
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(webhookId, at, payload),
  };
}

/**
 * Whether `secret` is a webhook secret as `POST /labels` gives it: `whsec_` and the key's bytes in
 * base64, whole. One mistyped or cut short would be decoded all the same, here by `standardwebhooks`
 * (which throws on some) as by Backline (which takes any), and every signature made with it refused 401.
 */
const isWebhookSecret = (secret: string): boolean =>
  /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(secret) &&
  secret.length > 'whsec_'.length;

const newWebhookId = () => `msg_${crypto.randomUUID().replaceAll('-', '')}`;

const usage =
  'usage: npm run --silent sign -- --secret whsec_... (or BACKLINE_WEBHOOK_SECRET) --file body.json [--url http://localhost:3000] > headers.txt';

if (import.meta.main) {
  let values: { secret?: string; file?: string; url?: string; help?: boolean };
  try {
    values = parseArgs({
      options: {
        secret: { type: 'string' },
        file: { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const secret = values.secret ?? process.env.BACKLINE_WEBHOOK_SECRET;
  const file = values.file;
  if (!secret || !file) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  // Where npm start runs, as npm run demo finds it: the clock to sign with is that local cloud's.
  const url =
    values.url ??
    process.env.BACKLINE_API_URL ??
    `http://localhost:${process.env.BACKLINE_HTTP_PORT || 3000}`;
  if (!isWebhookSecret(secret)) {
    process.stderr.write(
      "--secret is not a webhook secret: give the label's webhookSecret whole, whsec_ and its base64, as POST /labels (or a rotation) answered it\n",
    );
    process.exit(2);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    process.stderr.write(
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}): give the webhook body's file\n`,
    );
    process.exit(2);
  }
  // Signed as text, as standardwebhooks signs: bytes that are not UTF-8 would be signed as U+FFFD and
  // sent by curl as they are, so Backline would refuse the signature (401), not the body (400).
  try {
    strictUtf8(bytes);
  } catch {
    process.stderr.write(
      `${file} is not UTF-8: Backline reads a webhook body, JSON (RFC 8259) or an ERN message, as UTF-8; save it as UTF-8\n`,
    );
    process.exit(2);
  }
  const local = await localClockNow(url);
  // A local address with no local cloud is most often npm start on another port: the wall clock's
  // signature is refused once that cloud's clock has been advanced, so the person is told why.
  if (!local && /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(url))
    process.stderr.write(
      `No local cloud answered at ${url} (GET /_local/clock): the headers are dated by this machine's clock, which Backline refuses once its own clock has been advanced. If npm start runs on another port, set BACKLINE_HTTP_PORT or pass --url.\n`,
    );
  // Decoded keeping a byte order mark, which curl sends too (strictUtf8 drops it).
  const headers = signedHeaders(secret, bytes.toString('utf8'), local ?? new Date());
  for (const [name, value] of Object.entries(headers)) process.stdout.write(`${name}: ${value}\n`);
}
