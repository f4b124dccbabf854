import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signature verification (https://www.standardwebhooks.com/):
 * `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{raw body}`,
 * keyed with the base64-decoded part of a `whsec_` secret. Done here rather than with the `standardwebhooks`
 * package because that one signs the body as a decoded string (not the raw bytes), accepts timestamps such as
 * `12abc` and throws on a malformed secret.
 */

/** Standard Webhooks: timestamps more than 5 minutes from now are rejected (replay protection). */
export const timestampToleranceSeconds = 5 * 60;

/** Bounds the work one request can cause; rotation needs two or three. */
const maxSignatures = 10;
/** Printable ASCII, so ids are safe in keys and logs (see shared/db/webhooks.ts). */
export const webhookIdPattern = /^[\x21-\x7e]{1,256}$/;
const timestampPattern = /^\d{1,12}$/;
const hmacBytes = 32;

export interface SignedRequest {
  webhookId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
}

export type Verification =
  | { ok: true; webhookId: string }
  | {
      ok: false;
      reason: 'missing headers' | 'malformed headers' | 'stale timestamp' | 'no matching signature';
    };

export const secretKey = (secret: string): Buffer =>
  Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');

/** The `v1,<base64>` signature of a message (what a label computes). */
export function sign(secret: string, webhookId: string, timestamp: string, body: Buffer | string): string {
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${webhookId}.${timestamp}.`)
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('base64');
  return `v1,${mac}`;
}

const givenMacs = (header: string): Buffer[] =>
  header
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .slice(0, maxSignatures)
    .map((part) => Buffer.from(part.slice(3), 'base64'))
    .filter((mac) => mac.length === hmacBytes);

/**
 * Whether one of the given signatures was made with one of `secrets` (the label's current one and those
 * rotated out less than 24 h ago), with a timestamp within 5 minutes of `now`. MACs are compared in constant time.
 */
export function verifySignature(request: SignedRequest, secrets: string[], now: Date): Verification {
  const { webhookId, timestamp, signature, body } = request;
  if (!webhookId || !timestamp || !signature) return { ok: false, reason: 'missing headers' };
  if (!webhookIdPattern.test(webhookId) || !timestampPattern.test(timestamp)) {
    return { ok: false, reason: 'malformed headers' };
  }
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > timestampToleranceSeconds) {
    return { ok: false, reason: 'stale timestamp' };
  }
  const given = givenMacs(signature);
  let matched = false;
  for (const secret of secrets) {
    const key = secretKey(secret);
    if (key.length === 0) continue;
    const expected = createHmac('sha256', key).update(`${webhookId}.${timestamp}.`).update(body).digest();
    // No early exit: every candidate is compared, so timing says nothing about which one matched.
    for (const mac of given) matched = timingSafeEqual(expected, mac) || matched;
  }
  return matched ? { ok: true, webhookId } : { ok: false, reason: 'no matching signature' };
}
