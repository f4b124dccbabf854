import type { AdvanceClaims, PromoClaims, TourManagerClaims, UnsubscribeClaims } from './tokens.ts';
import { InvalidTokenError, openToken, promoAssetKinds } from './tokens.ts';
import * as z from './zod.ts';

/**
 * What each link's token claims, checked where a page opens it (the recipients function): a token
 * whose signature holds but whose payload is not one of its purpose is `wrong-purpose`. Apart from
 * `shared/tokens.ts`, which signs them, so the functions that only sign links (the announcer, tours,
 * the office) build none of these schemas (see docs/design.md#bundles).
 */

const id = z.string().check(z.minLength(1), z.maxLength(256));

const UnsubscribePayload = z.object({
  t: z.literal('u'),
  o: id,
  l: z.optional(id),
  r: z.optional(id),
  // RFC 5321: a path is at most 256 octets with its angle brackets, so an address at most 254.
  e: z.optional(z.string().check(z.minLength(3), z.maxLength(254))),
});

const PromoPayload = z.object({
  t: z.literal('p'),
  l: id,
  r: id,
  o: id,
  i: z.int().check(z.gte(0)),
  k: z.enum(promoAssetKinds),
  // As a Location header holds it (`href`: ASCII, percent-encoded), whatever characters the label's URL holds.
  u: z.url({ protocol: /^https?$/, normalize: true }),
  d: z.optional(z.int().check(z.positive())),
  s: z.optional(z.int().check(z.positive())),
  e: z.optional(z.int().check(z.positive())),
  m: z.optional(z.int().check(z.gte(1))),
});

const AdvancePayload = z.object({
  t: z.literal('a'),
  l: id,
  r: id,
  s: id,
  m: id,
  e: z.int().check(z.positive()),
});
const TourManagerPayload = z.object({ t: z.literal('tm'), l: id, r: id, e: z.int().check(z.positive()) });

export function verifyUnsubscribeToken(key: string, token: string): UnsubscribeClaims {
  const parsed = UnsubscribePayload.safeParse(openToken(key, token));
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
  const parsed = PromoPayload.safeParse(openToken(key, token));
  if (!parsed.success) throw new InvalidTokenError('wrong-purpose');
  const { l, r, o, i, k, u, d, s, e, m } = parsed.data;
  return {
    labelId: l,
    releaseId: r,
    outletId: o,
    assetIndex: i,
    assetKind: k,
    url: u,
    ...(d !== undefined && s !== undefined ? { lasts: { days: d, sentAt: s } } : {}),
    ...(e !== undefined ? { expiresAt: e } : {}),
    ...(m !== undefined ? { maxAccesses: m } : {}),
  };
}

/** Throws `expired` once `now` reaches `expiresAt` (epoch seconds). */
export const notExpired = (expiresAt: number, now: Date) => {
  if (now.getTime() >= expiresAt * 1000) throw new InvalidTokenError('expired');
};

/**
 * The claims of an advance link whose signature and purpose hold, its expiry not checked: the page
 * checks it against the show's date as it is now (`notExpired`), since a show can be postponed or
 * brought forward after its link was mailed.
 */
export function openAdvanceToken(key: string, token: string): AdvanceClaims {
  const parsed = AdvancePayload.safeParse(openToken(key, token));
  if (!parsed.success) throw new InvalidTokenError('wrong-purpose');
  const { l, r, s, m, e } = parsed.data;
  return { labelId: l, tourId: r, showId: s, promoterId: m, expiresAt: e };
}

/**
 * The claims of a tour manager's link whose signature and purpose hold, its expiry not checked: the
 * page checks it against the tour's shows as they are now (`notExpired`), since shows can be
 * postponed or brought forward after the link was mailed.
 */
export function openTourManagerToken(key: string, token: string): TourManagerClaims {
  const parsed = TourManagerPayload.safeParse(openToken(key, token));
  if (!parsed.success) throw new InvalidTokenError('wrong-purpose');
  const { l, r, e } = parsed.data;
  return { labelId: l, tourId: r, expiresAt: e };
}
