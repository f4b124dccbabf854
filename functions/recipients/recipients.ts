import type { DeliveryOutcomes } from '#shared/db/deliveries.ts';
import type { OutletDirectory } from '#shared/db/outlets.ts';
import type { PromoCounters, PromoLink } from '#shared/db/promo.ts';
import type { ReleaseReads } from '#shared/db/release-reads.ts';
import { mailSubjects, wentOut } from '#shared/db/subject-deliveries.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { OutletUnsubscribed } from '#shared/events/outlet-unsubscribed.ts';
import { PromoAccessed } from '#shared/events/promo-accessed.ts';
import { outletHold, type StoredRelease, standingWithdrawalConcerns } from '#shared/releases.ts';
import { verifyPromoToken, verifyUnsubscribeToken } from '#shared/token-payloads.ts';
import type { PromoClaims } from '#shared/tokens.ts';

/**
 * What a mail recipient can do without logging in: unsubscribe (RFC 8058 one-click or the page's
 * button) and open their personal promo links. Tokens are checked first; a bad one throws
 * InvalidTokenError (shared/tokens.ts), which the handler answers with a 404 page.
 */

export interface RecipientsDeps {
  signingKey: () => Promise<string>;
  outlets: Pick<OutletDirectory, 'get' | 'markUnsubscribed' | 'markAddressUnsubscribed' | 'isUnsubscribed'>;
  promos: Pick<PromoCounters, 'countAccess' | 'accessCount'>;
  releases: ReleaseReads;
  /** A release's mails, read only for a link whose outlet is gone (was it told of a withdrawal?). */
  deliveries: Pick<DeliveryOutcomes, 'ofSubject'>;
  now: () => Date;
}

/** What the unsubscribe page shows before the recipient confirms; a GET never unsubscribes (link scanners follow GETs). */
export async function unsubscribePage(
  token: string,
  deps: RecipientsDeps,
): Promise<{ outletName?: string; alreadyUnsubscribed: boolean }> {
  const claims = verifyUnsubscribeToken(await deps.signingKey(), token);
  const found = await deps.outlets.get(claims.outletId);
  // An outlet that has moved to another address is not what this link unsubscribes.
  const outlet = found && (claims.email === undefined || found.email === claims.email) ? found : undefined;
  // With the outlet gone or moved away, the POST opted out the address mailed (unsubscribe): the page
  // opened again says so, rather than ask again.
  const alreadyUnsubscribed = outlet
    ? Boolean(outlet.unsubscribedAt)
    : claims.email !== undefined && (await deps.outlets.isUnsubscribed(claims.email));
  return { ...(outlet ? { outletName: outlet.name } : {}), alreadyUnsubscribed };
}

export type UnsubscribeVia = 'one-click' | 'page';

/** RFC 8058: the one-click POST carries `List-Unsubscribe=One-Click` (form-urlencoded or multipart). */
export const unsubscribeVia = (body: string): UnsubscribeVia =>
  /List-Unsubscribe=One-Click|name="List-Unsubscribe"\s+One-Click/i.test(body) ? 'one-click' : 'page';

/**
 * Unsubscribes the address the mail went to (the one in the token) at once, and the outlet with it
 * while the outlet still has that address; repeating it changes nothing. An outlet that has moved to
 * a new address since keeps getting mail there: the old mail's link opts out the old address only,
 * with whichever outlet holds that address now.
 * `Outlet Unsubscribed` is stated once, on the outlet's transition: it goes to the outbox in the
 * same write (see docs/design.md#the-outbox), so concurrent POSTs state it once and a failing bus
 * cannot lose it.
 */
export async function unsubscribe(
  token: string,
  via: UnsubscribeVia,
  deps: RecipientsDeps,
): Promise<{ outcome: 'unsubscribed' | 'already' | 'unknown-outlet' | 'address-only' }> {
  const claims = verifyUnsubscribeToken(await deps.signingKey(), token);
  const at = deps.now().toISOString();
  // The release is the mailed outlet's: an outlet holding the address now was not mailed it.
  const unsubscribed = (outletId: string) => [
    outboxEntry(
      OutletUnsubscribed,
      {
        outletId,
        ...(claims.releaseId && outletId === claims.outletId ? { releaseId: claims.releaseId } : {}),
        via,
      },
      { occurredAt: at, ...(claims.labelId ? { labelId: claims.labelId } : {}) },
    ),
  ];
  const result = await deps.outlets.markUnsubscribed(
    claims.outletId,
    at,
    unsubscribed(claims.outletId),
    claims.email,
  );
  if (result.state === 'missing' || result.state === 'moved') {
    // The outlet was deleted, or moved to another address: the mailed address stays opted out, so
    // re-importing it brings no mail, and an outlet that holds it now is unsubscribed (the same
    // person). Tokens issued before they carried the address cannot do that (and, without an
    // address, never report `moved`); the recipient still sees 200.
    if (claims.email) await deps.outlets.markAddressUnsubscribed(claims.email, at, unsubscribed);
    return { outcome: result.state === 'moved' ? 'address-only' : 'unknown-outlet' };
  }
  return { outcome: result.state };
}

export type PromoOutcome = { outcome: 'redirect'; url: string; accessCount: number } | PromoClosed;

/**
 * Whether the link's outlet, deleted since, was told the release is withdrawn from its territories and
 * that withdrawal still stands: with the outlet gone, its territories are those its withdrawal mail
 * kept (a cancellation of the release, not cancelled as a whole, claimed for it and not closed unsent:
 * failed, unless its late Email Sent showed it went, wentOut), judged
 * against the withdrawal standing now as a listed outlet's are, so a territory given back since opens
 * its links again. A mail claimed before it kept them closes the link while any withdrawal stands.
 * Read only on this path, rare (a deleted outlet's link while a withdrawal stands): every mail of the
 * release, since a mail's key is its address, which a link (by outlet id) of a deleted outlet cannot know.
 */
async function toldOfWithdrawal(
  claims: { labelId: string; releaseId: string; outletId: string },
  release: StoredRelease,
  deps: RecipientsDeps,
): Promise<boolean> {
  const mails = await deps.deliveries.ofSubject(claims.labelId, mailSubjects.release(claims.releaseId));
  return mails.some((mail) => {
    if (
      mail.kind !== 'cancellation' ||
      mail.context.outletId !== claims.outletId ||
      (mail.status === 'failed' && !wentOut(mail))
    )
      return false;
    const kept = mail.context.territories;
    return kept === undefined || standingWithdrawalConcerns({ territories: kept.split(',') }, release);
  });
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * When a link stops opening (epoch ms; none without an expiry): its days counted from the send, or
 * from the release's `promoAvailableAt` as it is now when that is later, so a promo the label moved
 * later keeps all its days, and one moved earlier opens and ends earlier, never counting from before
 * the mail (docs/design.md#embargoes). A link mailed before links carried their days keeps the expiry
 * it was sent with.
 */
const promoLinkEnds = (claims: PromoClaims, release: StoredRelease | undefined): number | undefined => {
  if (!claims.lasts) return claims.expiresAt === undefined ? undefined : claims.expiresAt * 1000;
  const availableAt = Date.parse(release?.details?.promoAvailableAt ?? '') || 0;
  return Math.max(availableAt, claims.lasts.sentAt * 1000) + claims.lasts.days * dayMs;
};

/** Why a promo link opens nothing now (docs/design.md#embargoes); used up: opened `maxAccesses` times. */
export type PromoClosed =
  | { outcome: 'not-yet'; availableFrom: string; timeZone: string }
  | { outcome: 'expired' }
  | { outcome: 'withdrawn' }
  | { outcome: 'used-up' };

/**
 * Whether the link opens now, read without counting anything: before the release's
 * `promoAvailableAt` it answers when the promo opens (see docs/design.md#embargoes): that is read from
 * the release, not the token, since the label can move it after the mail went out, and so is when the
 * link's days end. So is whether the release still reaches the outlet: once it is cancelled, or
 * withdrawn from the outlet's territories (the outlets its cancellation mail told to disregard it),
 * the link opens nothing.
 */
async function promoStanding(
  claims: PromoClaims,
  now: Date,
  deps: RecipientsDeps,
): Promise<PromoClosed | { outcome: 'open'; release: StoredRelease | undefined }> {
  const release = await deps.releases.get(claims.labelId, claims.releaseId);
  if (now.getTime() >= (promoLinkEnds(claims, release) ?? Number.POSITIVE_INFINITY))
    return { outcome: 'expired' };
  if (release?.state === 'cancelled') return { outcome: 'withdrawn' };
  const details = release?.details;
  const opensAt = details?.promoAvailableAt;
  const notYet = opensAt !== undefined && now.getTime() < Date.parse(opensAt);
  // The outlet is read only where it decides something: a withdrawal, or the zone "not yet" speaks in.
  const outlet =
    details && (release.withdrawn || notYet) ? await deps.outlets.get(claims.outletId) : undefined;
  if (details && release.withdrawn) {
    if (
      outlet ? standingWithdrawalConcerns(outlet, release) : await toldOfWithdrawal(claims, release, deps)
    ) {
      return { outcome: 'withdrawn' };
    }
  }
  if (details && opensAt && notYet) {
    // In the zone the outlet's mail said it in (outletHold); the release's once the outlet is gone.
    const timeZone = outlet ? outletHold(outlet.territories, details).timeZone : details.timeZone;
    return { outcome: 'not-yet', availableFrom: opensAt, timeZone };
  }
  return { outcome: 'open', release };
}

/** The counter a link's opens are counted on: one per recipient and asset. */
const promoLinkOf = (claims: PromoClaims): PromoLink => ({
  labelId: claims.labelId,
  releaseId: claims.releaseId,
  outletId: claims.outletId,
  assetIndex: claims.assetIndex,
});

/** What the promo link's page shows: the release and the asset its button opens. */
export interface PromoView {
  outcome: 'page';
  assetKind: PromoClaims['assetKind'];
  url: string;
  release?: { title: string; artists: string };
}

/**
 * The page a GET of a promo link shows, counting nothing: link scanners (Safe Links, mail gateways)
 * fetch every link of a mail before its reader clicks, so only the page's button, a POST no scanner
 * sends, opens the asset and counts (docs/design.md#embargoes).
 */
export async function promoPage(token: string, deps: RecipientsDeps): Promise<PromoView | PromoClosed> {
  const claims = verifyPromoToken(await deps.signingKey(), token);
  const standing = await promoStanding(claims, deps.now(), deps);
  if (standing.outcome !== 'open') return standing;
  // A link opened as often as it allows says so before its button is clicked (read, never counted).
  if (
    claims.maxAccesses !== undefined &&
    (await deps.promos.accessCount(promoLinkOf(claims))) >= claims.maxAccesses
  )
    return { outcome: 'used-up' };
  const details = standing.release?.details;
  return {
    outcome: 'page',
    assetKind: claims.assetKind,
    url: claims.url,
    ...(details
      ? {
          release: { title: details.title, artists: details.artists.map((artist) => artist.name).join(', ') },
        }
      : {}),
  };
}

/**
 * Opens a promo link from its page's button: while it is valid (promoStanding), counts the access
 * (never past `maxAccesses`) with its `Promo Accessed` in the same write (the outbox: see
 * docs/design.md#the-outbox), and answers where to redirect.
 */
export async function openPromoLink(token: string, deps: RecipientsDeps): Promise<PromoOutcome> {
  const claims = verifyPromoToken(await deps.signingKey(), token);
  const now = deps.now();
  const standing = await promoStanding(claims, now, deps);
  if (standing.outcome !== 'open') return standing;
  const link = promoLinkOf(claims);
  const accessCount = await deps.promos.countAccess(
    link,
    {
      at: now.toISOString(),
      ...(claims.maxAccesses !== undefined ? { maxAccesses: claims.maxAccesses } : {}),
    },
    (count) => [
      outboxEntry(
        PromoAccessed,
        { ...link, assetKind: claims.assetKind, accessCount: count },
        { occurredAt: now.toISOString(), labelId: claims.labelId },
      ),
    ],
  );
  if (accessCount === undefined) return { outcome: 'used-up' };
  return { outcome: 'redirect', url: claims.url, accessCount };
}
