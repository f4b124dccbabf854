import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';

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
  let payload: string;
  try {
    payload = readFileSync(file, 'utf8');
  } catch (error) {
    process.stderr.write(
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}): give the webhook body's file\n`,
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
  const headers = signedHeaders(secret, payload, local ?? new Date());
  for (const [name, value] of Object.entries(headers)) process.stdout.write(`${name}: ${value}\n`);
}
