import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { tokenSigningKey } from './secrets.ts';

/**
 * Tokens for the links in mail: `/u/{token}` (unsubscribe), `/p/{token}` (promo), `/a/{token}` (a
 * promoter's advance form) and `/tm/{token}` (a tour manager's page).
 * The payload is compact JSON whose `t` names the purpose, so an unsubscribe token never opens a
 * promo link. Without the token-signing key a token can be neither read, guessed nor forged.
 *
 * - `v1.<payload>.<signature>` (promo links): the payload base64url, readable (ids and the asset's URL,
 *   which the redirect shows anyway); the signature is HMAC-SHA256 over `v1.<payload>` with the
 *   token-signing key, truncated to 128 bits (RFC 2104 section 5 allows truncation to half the hash
 *   length), and checked in constant time.
 * - `v2.<sealed>` (unsubscribe links, which carry the recipient's address): the payload encrypted with
 *   AES-256-GCM under a key derived from the token-signing key (HKDF-SHA256), `sealed` =
 *   base64url(12-byte random IV | ciphertext | 16-byte tag). The tag authenticates it, so a changed
 *   token fails as a forged one does, and nothing in it is readable.
 * Unsubscribe tokens mailed as `v1` before tokens were sealed keep verifying: an opt-out must still
 * work from an old mail (RFC 8058), and their address has been readable since they were sent.
 */

const signedVersion = 'v1';
const sealedVersion = 'v2';
const signatureBytes = 16;
const ivBytes = 12;
const tagBytes = 16;

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

/** The release's promo assets' kinds, and its radio edits' (see docs/design.md#radio-servicing). */
export const promoAssetKinds = ['stream', 'download', 'artwork', 'epk', 'radio-edit', 'clean'] as const;
export type PromoAssetKind = (typeof promoAssetKinds)[number];

export interface PromoClaims {
  labelId: string;
  releaseId: string;
  outletId: string;
  assetIndex: number;
  assetKind: PromoAssetKind;
  /** Where `/p` redirects to: carried in the token so a promo link needs no release lookup. */
  url: string;
  /**
   * The asset's `expiresInDays` and when the mail was sent (epoch seconds): the link opens for those
   * days from the send, or from the release's `promoAvailableAt` as it is when the link is opened,
   * whichever is later (docs/design.md#embargoes).
   */
  lasts?: { days: number; sentAt: number };
  /** Epoch seconds: the expiry fixed at the send, in links mailed before they carried `lasts`. */
  expiresAt?: number;
  maxAccesses?: number;
}

/** The promoter's advance link `/a/{token}`: one show of one tour, for one promoter, until after the show. */
export interface AdvanceClaims {
  labelId: string;
  tourId: string;
  showId: string;
  promoterId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** The tour manager's link `/tm/{token}`: one tour, until after its last show. */
export interface TourManagerClaims {
  labelId: string;
  tourId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type TokenFailure =
  | 'malformed'
  | 'unsupported-version'
  | 'bad-signature'
  | 'wrong-purpose'
  | 'expired';

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
        expired: 'this link has expired',
      }[reason],
    );
    this.reason = reason;
  }
}

/**
 * The signing key as a KeyObject, made once per key: building one from the string for each token cost
 * more than the HMAC itself when a mailing signs a link for every recipient.
 */
const signingKeys = new Map<string, KeyObject>();
const signingKey = (key: string): KeyObject => {
  let object = signingKeys.get(key);
  if (!object) {
    object = createSecretKey(Buffer.from(key, 'utf8'));
    signingKeys.set(key, object);
  }
  return object;
};

const sign = (key: string, signed: string): Buffer =>
  createHmac('sha256', signingKey(key)).update(signed).digest().subarray(0, signatureBytes);

/** The AES-256 key for sealed tokens: derived, so the signing key itself never encrypts anything. */
const sealingKeys = new Map<string, KeyObject>();
const sealingKey = (key: string): KeyObject => {
  let derived = sealingKeys.get(key);
  if (!derived) {
    derived = createSecretKey(Buffer.from(hkdfSync('sha256', key, '', 'backline token v2 aes-256-gcm', 32)));
    sealingKeys.set(key, derived);
  }
  return derived;
};

function signed(key: string, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const content = `${signedVersion}.${body}`;
  return `${content}.${sign(key, content).toString('base64url')}`;
}

function sealed(key: string, payload: object): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(key), iv);
  cipher.setAAD(Buffer.from(sealedVersion));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return `${sealedVersion}.${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url')}`;
}

// The canonical encoding only: base64url's last character has spare bits, which must not make a second valid token.
const decodeCanonical = (part: string): Buffer | undefined => {
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidTokenError('malformed');
  }
};

function openSigned(key: string, body: string, signature: string): unknown {
  const given = decodeCanonical(signature);
  const expected = sign(key, `${signedVersion}.${body}`);
  if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidTokenError('bad-signature');
  }
  return parseJson(Buffer.from(body, 'base64url').toString('utf8'));
}

function openSealed(key: string, body: string): unknown {
  const bytes = decodeCanonical(body);
  if (!bytes) throw new InvalidTokenError('bad-signature');
  if (bytes.length <= ivBytes + tagBytes) throw new InvalidTokenError('malformed');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(key), bytes.subarray(0, ivBytes));
  decipher.setAAD(Buffer.from(sealedVersion));
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([
      decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)),
      decipher.final(),
    ]);
  } catch {
    // GCM's tag check failed: changed, or sealed under another key.
    throw new InvalidTokenError('bad-signature');
  }
  return parseJson(plaintext.toString('utf8'));
}

/**
 * The verified payload of a token (either version), or InvalidTokenError; what it claims is checked
 * by the page that opens it (`shared/token-payloads.ts`).
 */
export function openToken(key: string, token: string): unknown {
  const parts = token.split('.');
  if (parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) throw new InvalidTokenError('malformed');
  const [tokenVersion, body, signature] = parts;
  if (tokenVersion === signedVersion && parts.length === 3) return openSigned(key, body, signature);
  if (tokenVersion === sealedVersion && parts.length === 2) return openSealed(key, body);
  if (tokenVersion === signedVersion || tokenVersion === sealedVersion)
    throw new InvalidTokenError('malformed');
  throw new InvalidTokenError(parts.length >= 2 ? 'unsupported-version' : 'malformed');
}

/** A sealed (`v2`) unsubscribe token: the address in it cannot be read from the link. */
export function signUnsubscribeToken(key: string, claims: UnsubscribeClaims): string {
  return sealed(key, {
    t: 'u',
    o: claims.outletId,
    ...(claims.labelId ? { l: claims.labelId } : {}),
    ...(claims.releaseId ? { r: claims.releaseId } : {}),
    ...(claims.email ? { e: claims.email } : {}),
  });
}

export function signPromoToken(key: string, claims: PromoClaims): string {
  return signed(key, {
    t: 'p',
    l: claims.labelId,
    r: claims.releaseId,
    o: claims.outletId,
    i: claims.assetIndex,
    k: claims.assetKind,
    u: claims.url,
    ...(claims.lasts ? { d: claims.lasts.days, s: claims.lasts.sentAt } : {}),
    ...(claims.expiresAt !== undefined ? { e: claims.expiresAt } : {}),
    ...(claims.maxAccesses !== undefined ? { m: claims.maxAccesses } : {}),
  });
}

export const signAdvanceToken = (key: string, claims: AdvanceClaims): string =>
  signed(key, {
    t: 'a',
    l: claims.labelId,
    r: claims.tourId,
    s: claims.showId,
    m: claims.promoterId,
    e: claims.expiresAt,
  });

export const signTourManagerToken = (key: string, claims: TourManagerClaims): string =>
  signed(key, { t: 'tm', l: claims.labelId, r: claims.tourId, e: claims.expiresAt });

/**
 * The CSRF token of a page's form: an HMAC of the link's own token, so it is bound to that link, and
 * only a page Backline served (with the token-signing key) can carry it.
 */
export const csrfTokenFor = (key: string, linkToken: string): string =>
  createHmac('sha256', signingKey(key))
    .update(`csrf.${linkToken}`)
    .digest()
    .subarray(0, signatureBytes)
    .toString('base64url');

export function sameCsrfToken(key: string, linkToken: string, given: string): boolean {
  const expected = Buffer.from(csrfTokenFor(key, linkToken));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** An unsubscribe token signed with the token-signing key from Secrets Manager (cached). */
export const unsubscribeToken = async (claims: UnsubscribeClaims): Promise<string> =>
  signUnsubscribeToken(await tokenSigningKey(), claims);

/**
 * The one-click unsubscribe URL for `claims`, at most `limit` characters long (what its List-Unsubscribe
 * header holds, `unsubscribeUrlLimit` in shared/mail/data.ts): the sealed token grows with the release
 * id, three bytes for each character of a Japanese one, so beside a long address it can pass what SES
 * takes and have the whole call refused. The release and then the label, which only say what mail the
 * link came from (`Outlet Unsubscribed`), are left out of it then; the outlet and the address it opts
 * out always stay (docs/design.md#two-mail-streams).
 */
export async function unsubscribeUrlWithin(
  baseUrl: string,
  claims: UnsubscribeClaims,
  limit: number,
): Promise<string> {
  const key = await tokenSigningKey();
  const { releaseId: _release, ...withoutRelease } = claims;
  const { labelId: _label, ...addressOnly } = withoutRelease;
  // Signed one at a time, shortest last: nearly every link fits whole, and each signing seals a token.
  let url = '';
  for (const shorter of [claims, withoutRelease, addressOnly]) {
    url = unsubscribeUrl(baseUrl, signUnsubscribeToken(key, shorter));
    if (url.length <= limit) break;
  }
  return url;
}

/** A promo-link token signed with the token-signing key from Secrets Manager (cached). */
export const promoToken = async (claims: PromoClaims): Promise<string> =>
  signPromoToken(await tokenSigningKey(), claims);

const trimSlash = (baseUrl: string) => baseUrl.replace(/\/+$/, '');

export const unsubscribeUrl = (baseUrl: string, token: string): string => `${trimSlash(baseUrl)}/u/${token}`;
export const promoUrl = (baseUrl: string, token: string): string => `${trimSlash(baseUrl)}/p/${token}`;
export const advanceUrl = (baseUrl: string, token: string): string => `${trimSlash(baseUrl)}/a/${token}`;
export const tourManagerUrl = (baseUrl: string, token: string): string => `${trimSlash(baseUrl)}/tm/${token}`;
