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
import { type HttpEvent, type HttpResult, httpErrors, pathIdLimits } from '#shared/http/index.ts';
import { invocationDeadline } from '#shared/lambda/deadline.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { observability } from '#shared/lambda/observability.ts';
import { liveDeps, livePagesDeps } from './adapters.ts';
import { applyShowChange, bookTour, changeMetaOf } from './apply-change.ts';
import type { PagesDeps } from './links.ts';
import type { ToursDeps } from './ports.ts';
import { sweepStaleTourMail } from './resend.ts';
import { tourPageRoutes } from './routes.ts';
import { takeStep } from './steps.ts';
import { alertPromoterUnreachable } from './unreachable.ts';

/** Label changes to tours and shows (from intake) and the shows' steps (from their schedules). */
const makeEventHandler = (deps: ToursDeps) =>
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
    on(OutboxSweepDue, (_data, _metadata, context) =>
      sweepStaleTourMail(deps, invocationDeadline(deps.now, context)),
    ),
  ]);

const makePagesHandler = (deps: PagesDeps) =>
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
