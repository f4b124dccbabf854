import type { EventData, Metadata } from '#shared/events/envelope.ts';
import {
  MailUndeliverable,
  OutboxSweepDue,
  OutletsChanged,
  ShowStepDue,
  TourBooked,
  TourPressSettled,
  TourShowAdded,
  TourShowCancelled,
  TourShowSettled,
  TourShowUpdated,
} from '#shared/events/index.ts';
import { invocationDeadline } from '#shared/lambda/deadline.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { type Measure, measureFor } from '#shared/lambda/metrics.ts';
import { liveDeps } from './adapters.ts';
import { applyShowChange, bookTour, changeMetaOf } from './apply-change.ts';
import { pressForChangedOutlets } from './outlets-changed.ts';
import type { ToursDeps } from './ports.ts';
import { followUpHeldPress, sweepStaleTourMail } from './resend.ts';
import { takeStep } from './steps.ts';
import { alertPromoterUnreachable } from './unreachable.ts';

/**
 * Label changes to tours and shows (from intake), the shows' steps (from their schedules) and press for
 * outlets added to the directory later (Outlets Changed). The
 * pages behind the links it mails (advance form, tour manager's page) are served by the recipients
 * function.
 */
export const makeHandler = (deps: ToursDeps, measure: Measure = measureFor('tours')) => {
  // A show added and a show updated are one change: the show as it now is (shared/events/tour-show-changes.ts).
  const setShow = (data: EventData<typeof TourShowAdded>, metadata: Metadata) =>
    applyShowChange(data.tourId, { type: 'set', show: data.show }, changeMetaOf(metadata), deps);
  return eventHandler('tours', [
    on(TourBooked, (data, metadata) => bookTour(data, changeMetaOf(metadata), deps)),
    on(TourShowAdded, setShow),
    on(TourShowUpdated, setShow),
    on(TourShowCancelled, (data, metadata) =>
      applyShowChange(data.tourId, { type: 'cancel', ...data }, changeMetaOf(metadata), deps),
    ),
    on(TourShowSettled, (data, metadata) =>
      applyShowChange(data.tourId, { type: 'settle', settlement: data }, changeMetaOf(metadata), deps),
    ),
    on(ShowStepDue, async (data, metadata, context) => {
      const outcome = await takeStep(
        data,
        { correlationId: metadata.correlationId },
        deps,
        invocationDeadline(deps.now, context),
      );
      // The escalation is taken once per show and promoter: a redelivered step is ignored as taken before, and
      // of two deliveries at once, the one whose record is refused is ignored too (takeStep).
      if (data.step === 'advance-escalation' && outcome.outcome === 'taken')
        measure.record('AdvancesOverdue', {});
      return outcome;
    }),
    on(MailUndeliverable, (data) => alertPromoterUnreachable(data, deps)),
    on(OutletsChanged, (data, metadata) => pressForChangedOutlets(data.outletIds, metadata, deps)),
    on(TourPressSettled, (data) => followUpHeldPress(data, deps)),
    on(OutboxSweepDue, (_data, _metadata, context) =>
      sweepStaleTourMail(deps, invocationDeadline(deps.now, context)),
    ),
  ]);
};

export const handler = makeHandler(liveDeps());
