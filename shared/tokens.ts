import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { tokenSigningKey } from './secrets.ts';

/**
 * Signed tokens for the links in campaign mail: `/u/{token}` (unsubscribe) and `/p/{token}` (promo).
 *
 * Format: `v1.<payload>.<signature>`, both parts base64url. The payload is compact JSON whose `t`
 * names the purpose, so an unsubscribe token never opens a promo link; the signature is
 * HMAC-SHA256 over `v1.<payload>` with the token-signing key, truncated to 128 bits (RFC 2104
 * section 5 allows truncation to half the hash length), and checked in constant time. Without the
 * key a token can be neither guessed nor forged; a later format gets `v2` and this one keeps
 * verifying until its links have gone out of use.
 */

const version = 'v1';
const signatureBytes = 16;

export interface UnsubscribeClaims {
  outletId: string;
  labelId?: string;
  releaseId?: string;
  /**
   * The recipient's normalised address, so the opt-out is kept for the address even when the outlet
   * has been deleted meanwhile. Absent in tokens issued before it was carried.
   */
  email?: string;
}

export const promoAssetKinds = ['stream', 'download', 'artwork', 'epk'] as const;
export type PromoAssetKind = (typeof promoAssetKinds)[number];

export interface PromoClaims {
  labelId: string;
  releaseId: string;
  outletId: string;
  assetIndex: number;
  assetKind: PromoAssetKind;
  /** Where `/p` redirects to: carried in the token so a promo link needs no release lookup. */
  url: string;
  /** Epoch seconds, computed by the sender from the asset's `expiresInDays` at send time. */
  expiresAt?: number;
  maxAccesses?: number;
}

const id = z.string().min(1).max(256);

const UnsubscribePayload = z.object({
  t: z.literal('u'),
  o: id,
  l: id.optional(),
  r: id.optional(),
  // RFC 5321: a path is at most 256 octets with its angle brackets, so an address at most 254.
  e: z.string().min(3).max(254).optional(),
});

const PromoPayload = z.object({
  t: z.literal('p'),
  l: id,
  r: id,
  o: id,
  i: z.number().int().min(0),
  k: z.enum(promoAssetKinds),
  u: z.url({ protocol: /^https?$/ }),
  e: z.number().int().positive().optional(),
  m: z.number().int().min(1).optional(),
});

export type TokenFailure = 'malformed' | 'unsupported-version' | 'bad-signature' | 'wrong-purpose';

/** A token that is not one Backline signed for this purpose. The message is safe to show. */
export class InvalidTokenError extends Error {
  readonly reason: TokenFailure;
  constructor(reason: TokenFailure) {
    super(
      {
        malformed: 'this link is incomplete or damaged',
        'unsupported-version': 'this link comes from an unknown format',
        'bad-signature': 'this link is not valid',
        'wrong-purpose': 'this link is not valid here',
      }[reason],
    );
    this.reason = reason;
  }
}

const sign = (key: string, signed: string): Buffer =>
  createHmac('sha256', key).update(signed).digest().subarray(0, signatureBytes);

function seal(key: string, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signed = `${version}.${body}`;
  return `${signed}.${sign(key, signed).toString('base64url')}`;
}

/** The verified payload of a token, or InvalidTokenError. */
function open(key: string, token: string): unknown {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) {
    throw new InvalidTokenError('malformed');
  }
  const [tokenVersion, body, signature] = parts;
  if (tokenVersion !== version) throw new InvalidTokenError('unsupported-version');
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(key, `${tokenVersion}.${body}`);
  // The canonical encoding only: base64url's last character has spare bits, which must not make a second valid token.
  const canonical = given.toString('base64url') === signature;
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || !canonical) {
    throw new InvalidTokenError('bad-signature');
  }
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed');
  }
}

export function signUnsubscribeToken(key: string, claims: UnsubscribeClaims): string {
  return seal(key, {
    t: 'u',
    o: claims.outletId,
    ...(claims.labelId ? { l: claims.labelId } : {}),
    ...(claims.releaseId ? { r: claims.releaseId } : {}),
    ...(claims.email ? { e: claims.email } : {}),
  });
}

export function signPromoToken(key: string, claims: PromoClaims): string {
  return seal(key, {
    t: 'p',
    l: claims.labelId,
    r: claims.releaseId,
    o: claims.outletId,
    i: claims.assetIndex,
    k: claims.assetKind,
    u: claims.url,
    ...(claims.expiresAt !== undefined ? { e: claims.expiresAt } : {}),
    ...(claims.maxAccesses !== undefined ? { m: claims.maxAccesses } : {}),
  });
}

export function verifyUnsubscribeToken(key: string, token: string): UnsubscribeClaims {
  const parsed = UnsubscribePayload.safeParse(open(key, token));
  if (!parsed.success) throw new InvalidTokenError('wrong-purpose');
  const { o, l, r, e } = parsed.data;
  return {
    outletId: o,
    ...(l ? { labelId: l } : {}),
    ...(r ? { releaseId: r } : {}),
    ...(e ? { email: e } : {}),
  };
}

export function verifyPromoToken(key: string, token: string): PromoClaims {
  const parsed = PromoPayload.safeParse(open(key, token));
  if (!parsed.success) throw new InvalidTokenError('wrong-purpose');
  const { l, r, o, i, k, u, e, m } = parsed.data;
  return {
    labelId: l,
    releaseId: r,
    outletId: o,
    assetIndex: i,
    assetKind: k,
    url: u,
    ...(e !== undefined ? { expiresAt: e } : {}),
    ...(m !== undefined ? { maxAccesses: m } : {}),
  };
}

/** An unsubscribe token signed with the token-signing key from Secrets Manager (cached). */
export const unsubscribeToken = async (claims: UnsubscribeClaims): Promise<string> =>
  signUnsubscribeToken(await tokenSigningKey(), claims);

/** A promo-link token signed with the token-signing key from Secrets Manager (cached). */
export const promoToken = async (claims: PromoClaims): Promise<string> =>
  signPromoToken(await tokenSigningKey(), claims);

const trimSlash = (baseUrl: string) => baseUrl.replace(/\/+$/, '');

export const unsubscribeUrl = (baseUrl: string, token: string): string => `${trimSlash(baseUrl)}/u/${token}`;
export const promoUrl = (baseUrl: string, token: string): string => `${trimSlash(baseUrl)}/p/${token}`;

/** Epoch seconds `days` after `sentAt`: a promo link's expiry, fixed when the mail is sent. */
export const promoExpiry = (sentAt: Date, days: number): number =>
  Math.floor(sentAt.getTime() / 1000) + days * 24 * 60 * 60;
