import fc from 'fast-check';
import { describe, it } from 'vitest';
import { linkRoutes, makeHandler } from '#functions/recipients/handler.ts';
import type { RecipientsDeps } from '#functions/recipients/recipients.ts';
import { openAdvancePage, openTourManagerPage, type PagesDeps } from '#functions/recipients/tour-links.ts';
import type { DocumentedRoute } from '#shared/http/docs.ts';
import {
  signAdvanceToken,
  signPromoToken,
  signTourManagerToken,
  signUnsubscribeToken,
} from '#shared/tokens.ts';
import { advanceLinkExpiry } from '#shared/tours.ts';
import { FakeDeliveries } from '#test/support/announcer-fakes.ts';
import {
  anOutlet,
  InMemoryOutletDirectory,
  InMemoryPromoCounters,
  WrittenOutbox,
} from '#test/support/outlets.ts';
import { aReleaseDetails, knownReleases } from '#test/support/releases.ts';
import { aRequestTo, expectEveryRouteAt4xxWorst } from '#test/support/route-fuzz.ts';
import {
  advanceAnswers,
  advanceFormAnswers,
  aShow,
  InMemoryTours,
  storeTourWithShow,
} from '#test/support/tours.ts';

/**
 * Every page behind a signed link (unsubscribe, promo, the promoter's advance form, the tour manager's
 * page and guest form), driven by the route list the function serves and its API document is generated
 * from, under random and mutated requests: tokens signed for the link or another, damaged or odd, forms
 * mutated from the page's own: never a 5xx nor a throw, and a 4xx changes nothing
 * (docs/design.md#signed-pages).
 */
const key = 'k'.repeat(48);
const now = new Date('2027-03-05T12:00:00Z');
const show = aShow();

/** The world the links are read in: the show's advance and guests, when `answered`, given already. */
async function aRecipientsWorld(answered = false) {
  const bus = new WrittenOutbox();
  const outlets = new InMemoryOutletDirectory(bus);
  outlets.outlets.set('out-1', anOutlet({ id: 'out-1' }));
  const promos = new InMemoryPromoCounters(bus);
  const deliveries = new FakeDeliveries();
  const deps: RecipientsDeps = {
    signingKey: async () => key,
    outlets,
    promos,
    releases: knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({ releaseId: 'rel-1' }),
    }),
    deliveries,
    now: () => now,
  };
  const tours = new InMemoryTours();
  const stored = await storeTourWithShow(tours, show);
  if (answered) {
    const ref = { labelId: 'lbl-1', tourId: 'tour-1', showId: show.showId };
    await tours.saveAdvance(
      { ...ref, promoterId: stored.promoterId },
      advanceAnswers,
      '2027-03-01T10:00:00.000Z',
      () => [],
    );
    await tours.addGuests(ref, [{ name: 'Alex Doe', plusOnes: 1, addedAt: '2027-03-01T10:00:00.000Z' }]);
  }
  const pages: PagesDeps = { signingKey: deps.signingKey, tours, now: deps.now };
  return { deps, pages, stores: [bus, outlets, promos, deliveries, tours], promoterId: stored.promoterId };
}

/** Each link's token, signed as Backline mails it, by the route's first segment. */
const tokensOf = (promoterId: string): Record<string, string> => ({
  a: signAdvanceToken(key, {
    labelId: 'lbl-1',
    tourId: 'tour-1',
    showId: show.showId,
    promoterId,
    expiresAt: advanceLinkExpiry(show),
  }),
  tm: signTourManagerToken(key, { labelId: 'lbl-1', tourId: 'tour-1', expiresAt: advanceLinkExpiry(show) }),
  u: signUnsubscribeToken(key, { outletId: 'out-1' }),
  p: signPromoToken(key, {
    labelId: 'lbl-1',
    releaseId: 'rel-1',
    outletId: 'out-1',
    assetIndex: 0,
    assetKind: 'stream',
    url: 'https://promo.example.com/night-drive',
    expiresAt: Math.floor(now.getTime() / 1000) + 3600,
    maxAccesses: 2,
  }),
});

/** The hidden fields of a page's form, as the browser posts them back (the CSRF token among them). */
const hiddenFieldsIn = (page: { body?: string }): Record<string, string> =>
  Object.fromEntries(
    [...String(page.body).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      ([, name, value]) => [name, value],
    ),
  );

/** A token with one character changed: damaged on its way. */
const damaged = (token: string) => `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;

describe('the signed pages under random and mutated requests', () => {
  it('answers each with a 2xx or 3xx, or a 4xx page that changes nothing', async () => {
    // The routes and tokens are the same in every world; each request is sent to a world of its own.
    const { deps: listed, pages: listedPages, promoterId } = await aRecipientsWorld();
    const tokens = tokensOf(promoterId);
    const own = (route: DocumentedRoute) => tokens[route.path.split('/')[1]];
    const routes = linkRoutes(listed, listedPages);
    const requests = aRequestTo(routes, {
      ids: {
        token: (route) => [own(route), own(route), own(route), ...Object.values(tokens), damaged(own(route))],
      },
      bodies: {
        'POST /a/{token}': {
          ...hiddenFieldsIn(await openAdvancePage(tokens.a, listedPages)),
          ...advanceFormAnswers,
        },
        'POST /tm/{token}': {
          ...hiddenFieldsIn(await openTourManagerPage(tokens.tm, listedPages)),
          name: 'Sam Roe',
          plusOnes: '1',
          note: 'band family',
        },
        'POST /u/{token}': { 'List-Unsubscribe': 'One-Click' },
      },
    });

    await expectEveryRouteAt4xxWorst(routes, requests, fc.boolean(), async (answered) => {
      const { deps, pages, stores } = await aRecipientsWorld(answered);
      return { handler: makeHandler(deps, pages), stores };
    });
  }, 60_000);
});
