import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { Context } from 'aws-lambda';
import {
  MailUndeliverable,
  OutboxSweepDue,
  ShowStepDue,
  TourBooked,
  TourShowAdded,
  TourShowCancelled,
  TourShowSettled,
  TourShowUpdated,
} from '#shared/events/index.ts';
import type { DocumentedRoute, RouteDoc } from '#shared/http/docs.ts';
import { type HttpEvent, type HttpResult, httpErrors, pathIdLimits, rawBody } from '#shared/http/index.ts';
import { invocationDeadline } from '#shared/lambda/deadline.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { observability } from '#shared/lambda/observability.ts';
import { liveDeps, livePagesDeps } from './adapters.ts';
import { applyShowChange, bookTour, changeMetaOf } from './apply-change.ts';
import {
  addGuestFromPage,
  openAdvancePage,
  openTourManagerPage,
  type PagesDeps,
  submitAdvancePage,
} from './links.ts';
import type { ToursDeps } from './ports.ts';
import { sweepStaleTourMail } from './resend.ts';
import { takeStep } from './steps.ts';
import { alertPromoterUnreachable } from './unreachable.ts';

/** How long one stale-claim sweep may run (well inside the tours function's timeout). */
const sweepBudgetMs = 60_000;

/** Label changes to tours and shows (from intake) and the shows' steps (from their schedules). */
export const makeEventHandler = (deps: ToursDeps) =>
  eventHandler('tours', [
    on(TourBooked, (data, metadata) => bookTour(data, changeMetaOf(metadata), deps)),
    on(TourShowAdded, (data, metadata) =>
      applyShowChange(data.tourId, { type: 'set', show: data.show }, changeMetaOf(metadata), deps),
    ),
    on(TourShowUpdated, (data, metadata) =>
      applyShowChange(data.tourId, { type: 'set', show: data.show }, changeMetaOf(metadata), deps),
    ),
    on(TourShowCancelled, (data, metadata) =>
      applyShowChange(data.tourId, { type: 'cancel', ...data }, changeMetaOf(metadata), deps),
    ),
    on(TourShowSettled, (data, metadata) =>
      applyShowChange(data.tourId, { type: 'settle', settlement: data }, changeMetaOf(metadata), deps),
    ),
    on(ShowStepDue, (data, metadata, context) =>
      takeStep(data, { correlationId: metadata.correlationId }, deps, invocationDeadline(deps.now, context)),
    ),
    on(MailUndeliverable, (data) => alertPromoterUnreachable(data, deps)),
    on(OutboxSweepDue, () => sweepStaleTourMail(deps, deps.now().getTime() + sweepBudgetMs)),
  ]);

const token = (event: HttpEvent) => event.pathParameters?.token ?? '';
const form = (event: HttpEvent) => rawBody(event).toString('utf8');

const page = (summary: string): RouteDoc => ({
  summary,
  responses: {
    200: { description: 'the page (HTML)', mediaType: 'text/html' },
    404: { description: 'a forged or damaged link: a page saying so', mediaType: 'text/html' },
    410: { description: 'an expired link: a page saying so', mediaType: 'text/html' },
  },
});
const formPost = (summary: string): RouteDoc => ({
  ...page(summary),
  body: {
    mediaType: 'application/x-www-form-urlencoded',
    description: "the page's form, with the CSRF token bound to the link",
  },
});

/** The pages behind signed links (topology auth `public`): the promoter's advance form and the tour manager's page. */
export const tourPageRoutes = (deps: PagesDeps): DocumentedRoute[] => [
  {
    method: 'GET',
    path: '/a/{token}',
    handler: (event: HttpEvent) => openAdvancePage(token(event), deps),
    doc: page("The promoter's advance form for one show, prefilled (read-only after show day 00:00)"),
  },
  {
    method: 'POST',
    path: '/a/{token}',
    handler: (event: HttpEvent) => submitAdvancePage(token(event), form(event), deps),
    doc: formPost('Submits or amends the advance'),
  },
  {
    method: 'GET',
    path: '/tm/{token}',
    handler: (event: HttpEvent) => openTourManagerPage(token(event), deps),
    doc: page("The tour manager's page for one tour: shows, advance status, guest lists"),
  },
  {
    method: 'POST',
    path: '/tm/{token}',
    handler: (event: HttpEvent) => addGuestFromPage(token(event), form(event), deps),
    doc: formPost("Adds a name to a show's guest list until its cutoff"),
  },
];

export const makePagesHandler = (deps: PagesDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(observability('tours'))
    .use(httpErrors())
    .use(pathIdLimits())
    .handler(httpRouterHandler<HttpEvent, HttpResult>(tourPageRoutes(deps)));

const isHttp = (event: unknown): event is HttpEvent =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

/** One function for tours: HTTP requests go to the pages, everything else is an event. */
export const makeHandler = (deps: ToursDeps, pagesDeps: PagesDeps) => {
  const events = makeEventHandler(deps);
  const pages = makePagesHandler(pagesDeps);
  return (event: unknown, context: Context) =>
    isHttp(event) ? pages(event, context) : events(event, context);
};

export const handler = makeHandler(liveDeps(), livePagesDeps());
