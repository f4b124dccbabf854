import middy from '@middy/core';
import { z } from 'zod';
import { ReleaseCancelled } from '#shared/events/release-cancelled.ts';
import { ReleaseDayReached } from '#shared/events/release-day-reached.ts';
import { ReleaseScheduled } from '#shared/events/release-scheduled.ts';
import { ReleaseUpdated } from '#shared/events/release-updated.ts';
import { liveDeps } from './adapters.ts';
import { applyReleaseChange, changeMetaOf } from './apply-change.ts';
import type { ReleasesDeps } from './ports.ts';
import { reachReleaseDay } from './release-day.ts';

const DetailType = z.looseObject({
  'detail-type': z.enum(['Release Scheduled', 'Release Updated', 'Release Cancelled', 'Release Day Reached']),
});

/** Label changes to releases (from intake) and release days (from their schedules). */
export const makeHandler = (deps: ReleasesDeps) =>
  middy(async (event: unknown) => {
    const detailType = DetailType.parse(event)['detail-type'];
    switch (detailType) {
      case 'Release Scheduled':
      case 'Release Updated': {
        const contract = detailType === 'Release Scheduled' ? ReleaseScheduled : ReleaseUpdated;
        const { metadata, data } = contract.event.parse(event).detail;
        return applyReleaseChange({ type: detailType, details: data }, changeMetaOf(metadata), deps);
      }
      case 'Release Cancelled': {
        const { metadata, data } = ReleaseCancelled.event.parse(event).detail;
        return applyReleaseChange({ type: detailType, ...data }, changeMetaOf(metadata), deps);
      }
      case 'Release Day Reached': {
        const { metadata, data } = ReleaseDayReached.event.parse(event).detail;
        return reachReleaseDay(data, { correlationId: metadata.correlationId }, deps);
      }
    }
  });

export const handler = makeHandler(liveDeps());
