import { AnnouncementDue } from '#shared/events/announcement-due.ts';
import { RadioServicingDue } from '#shared/events/radio-servicing-due.ts';
import { ReleaseCancelled } from '#shared/events/release-cancelled.ts';
import { ReleaseDayReached } from '#shared/events/release-day-reached.ts';
import { ReleaseScheduled } from '#shared/events/release-scheduled.ts';
import { ReleaseUpdated } from '#shared/events/release-updated.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { liveDeps } from './adapters.ts';
import { applyReleaseChange, changeMetaOf } from './apply-change.ts';
import { endEmbargo } from './embargo.ts';
import type { ReleasesDeps } from './ports.ts';
import { reachRadioServicing } from './radio-servicing.ts';
import { reachReleaseDay } from './release-day.ts';

/** Label changes to releases (from intake), release days, embargo ends and radio servicing moments (from their schedules). */
export const makeHandler = (deps: ReleasesDeps) =>
  eventHandler('releases', [
    on(ReleaseScheduled, (data, metadata) =>
      applyReleaseChange({ type: 'Release Scheduled', details: data }, changeMetaOf(metadata), deps),
    ),
    on(ReleaseUpdated, (data, metadata) =>
      applyReleaseChange({ type: 'Release Updated', details: data }, changeMetaOf(metadata), deps),
    ),
    on(ReleaseCancelled, (data, metadata) =>
      applyReleaseChange({ type: 'Release Cancelled', ...data }, changeMetaOf(metadata), deps),
    ),
    on(ReleaseDayReached, (data, metadata) =>
      reachReleaseDay(data, { correlationId: metadata.correlationId }, deps),
    ),
    on(AnnouncementDue, (data, metadata) =>
      endEmbargo(data, { correlationId: metadata.correlationId }, deps),
    ),
    on(RadioServicingDue, (data, metadata) =>
      reachRadioServicing(data, { correlationId: metadata.correlationId }, deps),
    ),
  ]);

export const handler = makeHandler(liveDeps());
