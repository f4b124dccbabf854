import middy, { type MiddlewareObj, type Request } from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { Context } from 'aws-lambda';
import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { isBusyError } from '#shared/db/conflicts.ts';
import { deliveriesOfSubject } from '#shared/db/delivery-reads.ts';
import { dynamoOutletLookup } from '#shared/db/outlet-lookup.ts';
import { dynamoPromoCounters } from '#shared/db/promo.ts';
import { dynamoReleaseReads } from '#shared/db/release-reads.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import {
  type DocumentedRoute,
  errorResponse,
  type HttpEvent,
  type HttpResult,
  html,
  pagePostingOnTo,
  pathIdLimits,
  rawBody,
  seeOther,
  ValidationError,
} from '#shared/http/index.ts';
import { observability } from '#shared/lambda/observability.ts';
import { tokenSigningKey } from '#shared/secrets.ts';
import { InvalidTokenError } from '#shared/tokens.ts';
import {
  busyPage,
  confirmUnsubscribePage,
  invalidLinkPage,
  promoGonePage,
  promoNotYetPage,
  promoOpenPage,
  unsubscribedPage,
} from './pages.ts';
import {
  openPromoLink,
  type PromoClosed,
  promoPage,
  type RecipientsDeps,
  unsubscribe,
  unsubscribePage,
  unsubscribeVia,
} from './recipients.ts';
import type { PagesDeps } from './tour-links.ts';
import { busyPageDoc, tourPageRoutes } from './tour-routes.ts';

/**
 * Public routes behind the signed links in Backline's mail (topology auth `public`): an outlet's
 * unsubscribe (`/u/{token}`) and promo links (`/p/{token}`), a promoter's advance form (`/a/{token}`)
 * and a tour manager's page (`/tm/{token}`).
 */

const token = (event: HttpEvent) => event.pathParameters?.token ?? '';

/**
 * A forged, damaged or misused token is the recipient's 404 page, never a 5xx; DynamoDB busy (throttled,
 * failing on its side, or a write that kept meeting concurrent writes: `isBusyError`) is a page saying to
 * try again in a moment (503, Retry-After), as people open these, where the gateway answered its 500 JSON.
 */
const recipientErrors = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    if (request.error instanceof InvalidTokenError)
      request.response = html(404, invalidLinkPage(request.error.message));
    // A token past its length (pathIdLimits) is the 400 the API documents, as a page a person reads.
    else if (
      request.error instanceof ValidationError &&
      request.error.issues.some((i) => i.path === 'path.token')
    )
      request.response = html(400, invalidLinkPage('this link is longer than any link Backline sends'));
    else if (isBusyError(request.error))
      request.response = html(503, busyPage(request.event.requestContext?.http?.method !== 'POST'));
    else request.response = errorResponse(request.error);
  },
});

const page = (description: string) => ({ description, mediaType: 'text/html' });

/** A promo link that opens nothing now: when it will (403), or why it no longer does (410). */
const promoClosedPage = (closed: PromoClosed): HttpResult =>
  closed.outcome === 'not-yet'
    ? html(403, promoNotYetPage(closed.availableFrom, closed.timeZone))
    : html(410, promoGonePage(closed.outcome));

export const recipientRoutes = (deps: RecipientsDeps): DocumentedRoute[] => [
  {
    method: 'GET',
    path: '/u/{token}',
    handler: async (event: HttpEvent): Promise<HttpResult> =>
      html(200, confirmUnsubscribePage(await unsubscribePage(token(event), deps))),
    doc: {
      summary: 'The unsubscribe page of a mail recipient',
      responses: { 200: page('asks to confirm'), 404: page('the link is not valid'), 503: busyPageDoc },
    },
  },
  {
    method: 'POST',
    path: '/u/{token}',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      await unsubscribe(token(event), unsubscribeVia(rawBody(event).toString('utf8')), deps);
      return html(200, unsubscribedPage());
    },
    doc: {
      summary: 'Unsubscribe (RFC 8058 one-click, or the confirm form)',
      body: { mediaType: 'application/x-www-form-urlencoded', description: '`List-Unsubscribe=One-Click`' },
      responses: { 200: page('unsubscribed'), 404: page('the link is not valid'), 503: busyPageDoc },
    },
  },
  {
    method: 'GET',
    path: '/p/{token}',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const shown = await promoPage(token(event), deps);
      if (shown.outcome === 'page') return html(200, promoOpenPage(shown), pagePostingOnTo(shown.url));
      return promoClosedPage(shown);
    },
    doc: {
      summary: "A recipient's promo link: its page, whose button opens the asset (a GET counts nothing)",
      responses: {
        200: page('the button that opens the promo asset, while the link is valid'),
        403: page('the promo is not available yet: from when'),
        404: page('the link is not valid'),
        410: page('expired, used up, or the release withdrawn for the recipient or cancelled'),
        503: busyPageDoc,
      },
    },
  },
  {
    method: 'POST',
    path: '/p/{token}',
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const opened = await openPromoLink(token(event), deps);
      if (opened.outcome === 'redirect') return seeOther(opened.url);
      return promoClosedPage(opened);
    },
    doc: {
      summary: "Open a recipient's promo asset (the page's button): counts the access",
      responses: {
        303: {
          description: 'to the promo asset, while the link is valid',
          headers: { Location: { description: 'the promo asset', type: 'string' } },
        },
        403: page('the promo is not available yet: from when'),
        404: page('the link is not valid'),
        410: page('expired, used up, or the release withdrawn for the recipient or cancelled'),
        503: busyPageDoc,
      },
    },
  },
];

/**
 * A page's HEAD: its GET, whose answer `headWithoutBody` then empties. Mail clients and link scanners
 * send it, so it reads what the GET reads and, like the GET, unsubscribes and counts nothing.
 */
const headOf = (get: DocumentedRoute): DocumentedRoute => {
  const { description: _page, ...doc } = get.doc;
  return {
    ...get,
    method: 'HEAD',
    doc: {
      ...doc,
      summary: `GET ${get.path} without its page: the status and headers it answers (mail clients and link scanners check links so)`,
    },
  };
};

/** RFC 9110: a HEAD is answered as its GET, with no content; an error page too. */
const headWithoutBody = (): MiddlewareObj<HttpEvent, HttpResult> => {
  const empty = (request: Request<HttpEvent, HttpResult>) => {
    if (request.event.requestContext?.http?.method !== 'HEAD' || !request.response) return;
    const { body: _page, isBase64Encoded: _encoded, ...statusAndHeaders } = request.response;
    request.response = statusAndHeaders;
  };
  return { after: empty, onError: empty };
};

/** Every route the function serves: the recipients' own and the tour pages; a test holds them against the topology's. */
export const linkRoutes = (deps: RecipientsDeps, tourPages: PagesDeps): DocumentedRoute[] => {
  const routes = [...recipientRoutes(deps), ...tourPageRoutes(tourPages)];
  return [...routes, ...routes.filter((route) => route.method === 'GET').map(headOf)];
};

/**
 * A page's route takes what follows `/u/` whole (`ANY /u/{token+}`, docs/design.md#routes-and-auth): a
 * link with a trailing slash, as a mail client or a person typing it writes it, is a 308 to the link
 * without (the method and the form's body kept), where the page's relative form posts and the address
 * bar are as on the link sent; anything more after the token is no link Backline sends.
 */
const onLinkAsSent =
  (router: (event: HttpEvent, context: Context) => Promise<HttpResult>) =>
  async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    if ((event.pathParameters?.token ?? '').replace(/\/+$/, '').includes('/'))
      throw new InvalidTokenError('malformed');
    // By the path as requested, whether or not the token a greedy route hands over keeps the slash.
    const path = event.rawPath.replace(/\/+$/, '');
    if (path !== event.rawPath) {
      const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
      return {
        statusCode: 308,
        headers: { location: `${path}${query}`, 'cache-control': 'no-store' },
        body: '',
      };
    }
    return router(event, context);
  };

export const makeHandler = (deps: RecipientsDeps, tourPages: PagesDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(observability('recipients'))
    // Before the errors' pages are made (onError runs in reverse): it empties them too.
    .use(headWithoutBody())
    .use(recipientErrors())
    .use(pathIdLimits())
    .handler(onLinkAsSent(httpRouterHandler<HttpEvent, HttpResult>(linkRoutes(deps, tourPages))));

export const liveDeps = (): RecipientsDeps => ({
  signingKey: tokenSigningKey,
  outlets: dynamoOutletLookup(),
  promos: dynamoPromoCounters(),
  releases: dynamoReleaseReads(dynamo(), config().TABLE_NAME),
  // Only the read: the claims' module holds writes and deletes this public function must not reach.
  deliveries: {
    ofSubject: (labelId, subject) => deliveriesOfSubject(dynamo(), config().TABLE_NAME, labelId, subject),
  },
  now: () => new Date(),
});

export const liveTourPagesDeps = (): PagesDeps => ({
  signingKey: tokenSigningKey,
  tours: dynamoTours(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
});

export const handler = makeHandler(liveDeps(), liveTourPagesDeps());
