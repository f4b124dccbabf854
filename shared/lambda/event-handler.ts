import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import type { EventContract, EventData, Metadata } from '#shared/events/envelope.ts';
import { SesEvent, type sesDetailTypes } from '#shared/events/ses.ts';
import { observability } from './observability.ts';

/** One detail-type (or several) a function takes, with the logic it runs on the validated event. */
export interface EventRoute {
  detailTypes: readonly string[];
  run(event: unknown, context: Context): Promise<unknown>;
}

/** A Backline event: the whole event is validated with its contract, then `handle` gets typed data. */
export const on = <C extends EventContract>(
  contract: C,
  handle: (data: EventData<C>, metadata: Metadata, context: Context) => Promise<unknown> | unknown,
): EventRoute => ({
  detailTypes: [contract.detailType],
  run: async (event, context) => {
    const { detail } = contract.event.parse(event);
    return handle(detail.data as EventData<C>, detail.metadata, context);
  },
});

/** SES's own events on the default bus (source `aws.ses`, SES's record as `detail`). */
export const onSes = (
  detailTypes: readonly (typeof sesDetailTypes)[number][],
  handle: (event: SesEvent, context: Context) => Promise<unknown> | unknown,
): EventRoute => ({
  detailTypes,
  run: async (event, context) => handle(SesEvent.parse(event), context),
});

const Head = z.looseObject({ 'detail-type': z.string() });

export class UnhandledEventError extends Error {}

/**
 * The one shape of an event-driven handler: dispatch by detail-type to the route that takes it,
 * validating the event with that route's schema first. An event no route takes is refused with a
 * clear error (retried, then kept in the on-failure queue), never handled by a guess.
 */
export function eventHandler(service: string, routes: EventRoute[]) {
  const byDetailType = new Map<string, EventRoute>();
  for (const route of routes) {
    for (const detailType of route.detailTypes) {
      if (byDetailType.has(detailType)) throw new Error(`${service}: two routes take ${detailType}`);
      byDetailType.set(detailType, route);
    }
  }
  return middy(async (event: unknown, context: Context) => {
    const detailType = Head.parse(event)['detail-type'];
    const route = byDetailType.get(detailType);
    if (!route) {
      throw new UnhandledEventError(
        `${service} takes ${[...byDetailType.keys()].join(', ')}; it does not take "${detailType}"`,
      );
    }
    return route.run(event, context);
  }).use(observability(service));
}
