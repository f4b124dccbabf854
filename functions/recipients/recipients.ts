import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { OutletDirectory } from '#shared/db/outlets.ts';
import type { PromoCounters } from '#shared/db/promo.ts';
import { buildEntry } from '#shared/events/envelope.ts';
import { OutletUnsubscribed } from '#shared/events/outlet-unsubscribed.ts';
import { PromoAccessed } from '#shared/events/promo-accessed.ts';
import type { Log } from '#shared/lambda/observability.ts';
import { verifyPromoToken, verifyUnsubscribeToken } from '#shared/tokens.ts';

/**
 * What a mail recipient can do without logging in: unsubscribe (RFC 8058 one-click or the page's
 * button) and open their personal promo links. Tokens are checked first; a bad one throws
 * InvalidTokenError (shared/tokens.ts), which the handler answers with a 404 page.
 */

export interface RecipientsDeps {
  signingKey: () => Promise<string>;
  outlets: Pick<
    OutletDirectory,
    | 'get'
    | 'markUnsubscribed'
    | 'markAddressUnsubscribed'
    | 'unsubscribeEventPublished'
    | 'releaseUnsubscribeEvent'
  >;
  promos: Pick<PromoCounters, 'countAccess'>;
  /** Puts entries on the Backline bus, retrying failed ones (throws when some still fail). */
  publish: (entries: PutEventsRequestEntry[]) => Promise<void>;
  busName: string;
  now: () => Date;
  log: Log;
}

/** What the unsubscribe page shows before the recipient confirms; a GET never unsubscribes (link scanners follow GETs). */
export async function unsubscribePage(
  token: string,
  deps: RecipientsDeps,
): Promise<{ outletName?: string; alreadyUnsubscribed: boolean }> {
  const claims = verifyUnsubscribeToken(await deps.signingKey(), token);
  const outlet = await deps.outlets.get(claims.outletId);
  return {
    ...(outlet ? { outletName: outlet.name } : {}),
    alreadyUnsubscribed: Boolean(outlet?.unsubscribedAt),
  };
}

export type UnsubscribeVia = 'one-click' | 'page';

/** RFC 8058: the one-click POST carries `List-Unsubscribe=One-Click` (form-urlencoded or multipart). */
export const unsubscribeVia = (body: string): UnsubscribeVia =>
  /List-Unsubscribe=One-Click|name="List-Unsubscribe"\s+One-Click/i.test(body) ? 'one-click' : 'page';

/**
 * Unsubscribes the outlet at once; repeating it changes nothing. `Outlet Unsubscribed` is owed once,
 * on the transition, and stays owed until the bus has it: the caller holding the publication lease
 * publishes it (shared/db/outlets.ts), so concurrent POSTs publish it once and a failed publish is
 * repaired by the next POST rather than lost.
 */
export async function unsubscribe(
  token: string,
  via: UnsubscribeVia,
  deps: RecipientsDeps,
): Promise<{ outcome: 'unsubscribed' | 'already' | 'unknown-outlet' }> {
  const claims = verifyUnsubscribeToken(await deps.signingKey(), token);
  const owner = randomUUID();
  const at = deps.now().toISOString();
  const result = await deps.outlets.markUnsubscribed(claims.outletId, { owner, at });
  if (result.state === 'missing') {
    // The outlet was deleted: its address stays opted out, so re-importing it brings no mail.
    // Tokens issued before they carried the address cannot do that; the recipient still sees 200.
    if (claims.email) await deps.outlets.markAddressUnsubscribed(claims.email, at);
    return { outcome: 'unknown-outlet' };
  }
  if (result.mustPublish) {
    try {
      await deps.publish([
        buildEntry(
          OutletUnsubscribed,
          { outletId: claims.outletId, ...(claims.releaseId ? { releaseId: claims.releaseId } : {}), via },
          {
            occurredAt: result.outlet.unsubscribedAt ?? deps.now().toISOString(),
            ...(claims.labelId ? { labelId: claims.labelId } : {}),
          },
          deps.busName,
        ),
      ]);
    } catch (error) {
      await deps.outlets.releaseUnsubscribeEvent(claims.outletId, owner);
      throw error;
    }
    await deps.outlets.unsubscribeEventPublished(claims.outletId);
  }
  return { outcome: result.state };
}

export type PromoOutcome =
  | { outcome: 'redirect'; url: string; accessCount: number }
  | { outcome: 'expired' }
  | { outcome: 'used-up' };

/**
 * Opens a promo link: while it is valid, counts the access (never past `maxAccesses`) and answers
 * where to redirect. Everything needed is in the signed token, so no release is read.
 */
export async function openPromoLink(token: string, deps: RecipientsDeps): Promise<PromoOutcome> {
  const claims = verifyPromoToken(await deps.signingKey(), token);
  const now = deps.now();
  if (claims.expiresAt !== undefined && now.getTime() >= claims.expiresAt * 1000)
    return { outcome: 'expired' };
  const link = {
    labelId: claims.labelId,
    releaseId: claims.releaseId,
    outletId: claims.outletId,
    assetIndex: claims.assetIndex,
  };
  const accessCount = await deps.promos.countAccess(link, {
    at: now.toISOString(),
    ...(claims.maxAccesses !== undefined ? { maxAccesses: claims.maxAccesses } : {}),
  });
  if (accessCount === undefined) return { outcome: 'used-up' };
  try {
    await deps.publish([
      buildEntry(
        PromoAccessed,
        { ...link, assetKind: claims.assetKind, accessCount },
        { occurredAt: now.toISOString(), labelId: claims.labelId },
        deps.busName,
      ),
    ]);
  } catch (error) {
    // The access is counted and the recipient is waiting for their file: a lost analytics event
    // is the smaller harm than a failed download (the counter, not the event, is the record).
    deps.log.error('Promo Accessed could not be published', { ...link, accessCount, error: String(error) });
  }
  return { outcome: 'redirect', url: claims.url, accessCount };
}
