import type { Context } from 'aws-lambda';
import { SesEvent, type sesDetailTypes } from '#shared/events/ses.ts';
import type { EventRoute } from './event-handler.ts';

/**
 * SES's own events on the default bus (source `aws.ses`, SES's record as `detail`). Apart from
 * event-handler.ts, so that a function taking none does not build SES's schemas (docs/design.md#bundles).
 */
export const onSes = (
  detailTypes: readonly (typeof sesDetailTypes)[number][],
  handle: (event: SesEvent, context: Context) => Promise<unknown> | unknown,
): EventRoute => ({
  detailTypes,
  run: async (event, context) => handle(SesEvent.parse(event), context),
});
