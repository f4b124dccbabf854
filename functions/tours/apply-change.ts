import { promoterIdOf, type ShowRef } from '#shared/db/tours.ts';
import type { EventData, Metadata, TourBooked, TourShowSettled } from '#shared/events/index.ts';
import { type OutboxEntry, outboxEntry, ShowConfirmed, ShowStepDue } from '#shared/events/index.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import {
  daySheetWent,
  isAdvancing,
  isAnnounced,
  type StoredShow,
  scheduledSteps,
  showFacts,
  showOverAt,
  stepMoments,
  stepTaken,
} from '#shared/tours.ts';
import type { ToursDeps } from './ports.ts';

export type ShowChange =
  | { type: 'set'; show: Show }
  | { type: 'cancel'; showId: string; reason?: string }
  | { type: 'settle'; settlement: EventData<typeof TourShowSettled> };

export interface ChangeMeta {
  labelId: string;
  eventId: string;
  correlationId: string;
  /** When the change happened at the label (the webhook's `timestamp`). */
  occurredAt: string;
}

export type ChangeOutcome = { outcome: 'applied' | 'replayed' } | { outcome: 'ignored'; reason: string };

/** `metadata.labelId` is required on tour events (intake always sets it); without it the event is retried, then dead-lettered. */
export function changeMetaOf(metadata: Metadata): ChangeMeta {
  if (!metadata.labelId) throw new Error(`tour event ${metadata.eventId} has no labelId`);
  return {
    labelId: metadata.labelId,
    eventId: metadata.eventId,
    correlationId: metadata.correlationId,
    occurredAt: new Date(metadata.occurredAt).toISOString(),
  };
}

const showIdOf = (change: ShowChange) =>
  change.type === 'set'
    ? change.show.showId
    : change.type === 'cancel'
      ? change.showId
      : change.settlement.showId;

/**
 * A booked tour: the tour (newest change wins) and each of its shows as a change of its own. A
 * repeated booking changes nothing and sends nothing: every show compares by the label's time, and
 * each schedule is an upsert and each mail claimed once.
 */
export async function bookTour(data: EventData<typeof TourBooked>, meta: ChangeMeta, deps: ToursDeps) {
  const { shows, ...tour } = data;
  await deps.tours.saveTour({ ...tour, labelId: meta.labelId, occurredAt: meta.occurredAt });
  // Shows of one country announced together are one press mail: the press steps due at once are
  // held back and written with the country's last show of the booking, so the first of them to run
  // finds every show of the booking stored (docs/design.md#tours).
  const lastOfCountry = new Map(shows.map((show) => [show.venue.country, show.showId]));
  const held = new Map<string, OutboxEntry[]>();
  const outcomes: ChangeOutcome[] = [];
  for (const show of shows) {
    const country = show.venue.country;
    const pressWith = (press: OutboxEntry[]) => {
      const waiting = [...(held.get(country) ?? []), ...press];
      if (lastOfCountry.get(country) === show.showId) return waiting;
      held.set(country, waiting);
      return [];
    };
    outcomes.push(await applyShowChange(tour.tourId, { type: 'set', show }, meta, deps, pressWith));
  }
  return outcomes;
}

/** The show after the change. Pure. */
function nextShow(
  stored: StoredShow | undefined,
  ref: ShowRef,
  change: ShowChange,
  meta: ChangeMeta,
  now: string,
): StoredShow {
  const base = {
    ...ref,
    occurredAt: meta.occurredAt,
    lastEventId: meta.eventId,
    lastCorrelationId: meta.correlationId,
    createdAt: stored?.createdAt ?? now,
    updatedAt: now,
    effectsPending: true as const,
  };
  if (change.type === 'set') {
    const { cancellationReason: _reason, ...rest } = stored ?? ({} as Partial<StoredShow>);
    return { ...rest, ...base, show: change.show, promoterId: promoterIdOf(change.show.promoter.email) };
  }
  const show = stored?.show && {
    ...stored.show,
    status: change.type === 'cancel' ? ('cancelled' as const) : ('settled' as const),
  };
  return {
    ...stored,
    ...base,
    ...(show ? { show } : {}),
    promoterId: stored?.promoterId ?? 'unknown',
    ...(change.type === 'cancel' && change.reason ? { cancellationReason: change.reason } : {}),
    ...(change.type === 'settle' ? { settlement: change.settlement } : {}),
  };
}

/**
 * Steps that fell due before the show was booked (or moved) are taken at once, through the same
 * Show Step Due event a schedule would put: the advance request while the show is still ahead, the
 * day sheet and guest-list cutoff until the show is over. Reminders and the escalation that are
 * already past are skipped: the request that goes out at once is the promoter's first word.
 */
function overdueAtOnce(step: ShowStep, show: Show, now: string): boolean {
  if (now >= showOverAt(show)) return false;
  return (
    step === 'advance-request' ||
    step === 'day-sheet' ||
    step === 'guest-list-cutoff' ||
    step === 'press-announcement'
  );
}

/** The Show Step Due entries of the steps that are due at once: the press step, and the others. */
function stepsDueAtOnce(show: StoredShow, meta: ChangeMeta, now: string) {
  const ref = { labelId: show.labelId, tourId: show.tourId, showId: show.showId };
  const press: OutboxEntry[] = [];
  const others: OutboxEntry[] = [];
  if (!show.show || !isAdvancing(show.show.status)) return { press, others };
  for (const moment of stepMoments(show.show)) {
    if (moment.scheduledFor > now || stepTaken(show, moment.step, moment.scheduledFor)) continue;
    if (!overdueAtOnce(moment.step, show.show, now)) continue;
    (moment.step === 'press-announcement' ? press : others).push(
      outboxEntry(
        ShowStepDue,
        { ...ref, step: moment.step, scheduledFor: moment.scheduledFor },
        { correlationId: meta.correlationId, labelId: meta.labelId, source: 'backline.tours' },
      ),
    );
  }
  return { press, others };
}

/** Which of a show's press entries due at once to write with it now (a booking holds some back). */
export type PressWith = (press: OutboxEntry[]) => OutboxEntry[];

function outboxOf(
  next: StoredShow,
  stored: StoredShow | undefined,
  meta: ChangeMeta,
  now: string,
  pressWith: PressWith,
): OutboxEntry[] {
  const show = next.show;
  const eventMeta = { correlationId: meta.correlationId, labelId: meta.labelId };
  const ref = { labelId: next.labelId, tourId: next.tourId, showId: next.showId };
  if (show?.status === 'cancelled' && stored?.show && isAnnounced(stored.show.status)) {
    // Outlets told of the show hear that it is cancelled (press keeps who was told of what).
    return [
      outboxEntry(
        ShowStepDue,
        { ...ref, step: 'press-cancellation', scheduledFor: meta.occurredAt },
        { ...eventMeta, source: 'backline.tours' },
      ),
    ];
  }
  if (!show || !isAdvancing(show.status)) return [];
  const entries: OutboxEntry[] = [];
  if (!stored?.show || !isAdvancing(stored.show.status)) {
    entries.push(
      outboxEntry(ShowConfirmed, { ...ref, date: show.date, timeZone: show.venue.timeZone }, eventMeta),
    );
  }
  if (
    stored?.show &&
    isAnnounced(stored.show.status) &&
    isAnnounced(show.status) &&
    showFacts(stored.show) !== showFacts(show)
  ) {
    // Outlets told of the show hear of its new date, times or venue, with the calendar that replaces theirs.
    entries.push(
      outboxEntry(
        ShowStepDue,
        { ...ref, step: 'press-change', scheduledFor: meta.occurredAt },
        { ...eventMeta, source: 'backline.tours' },
      ),
    );
  }
  if (
    stored?.show &&
    stored.show.date === show.date &&
    showFacts(stored.show) !== showFacts(show) &&
    daySheetWent({ ...next, show }) &&
    now < showOverAt(show)
  ) {
    // The tour manager and crew have the day sheet of this very day: they get it again with the new
    // times or venue (before it went, the scheduled sheet reads the show as it is then).
    entries.push(
      outboxEntry(
        ShowStepDue,
        { ...ref, step: 'day-sheet-update', scheduledFor: meta.occurredAt },
        { ...eventMeta, source: 'backline.tours' },
      ),
    );
  }
  const { press, others } = stepsDueAtOnce(next, meta, now);
  return [...entries, ...others, ...pressWith(press)];
}

/**
 * Applies one label change to a show, only if the label made it after the change applied last (see
 * docs/design.md#ordering-by-the-labels-timestamp): the show is stored with its events (Show
 * Confirmed, overdue steps) in the outbox, then its schedules are put in place. The schedules are
 * marked pending until done, so a redelivered event (same event id) redoes them.
 */
export async function applyShowChange(
  tourId: string,
  change: ShowChange,
  meta: ChangeMeta,
  deps: ToursDeps,
  pressWith: PressWith = (press) => press,
): Promise<ChangeOutcome> {
  const ref = { labelId: meta.labelId, tourId, showId: showIdOf(change) };
  const now = deps.now().toISOString();
  const stored = await deps.tours.getShow(ref);
  if (stored?.lastEventId === meta.eventId) {
    // Written before: a press step it held back for a later show of the booking is held again.
    pressWith(stepsDueAtOnce(stored, meta, now).press);
    await performSchedules(stored, meta, deps);
    return { outcome: 'replayed' };
  }
  if (stored && !(meta.occurredAt > stored.occurredAt)) {
    return { outcome: 'ignored', reason: `not newer than the change of ${stored.occurredAt}` };
  }
  const next = nextShow(stored, ref, change, meta, now);
  if (!(await deps.tours.putShowIfNewer(next, outboxOf(next, stored, meta, now, pressWith)))) {
    return { outcome: 'ignored', reason: 'a newer change was stored meanwhile' };
  }
  if (change.type === 'set') {
    await deps.tours.savePromoter({
      ...change.show.promoter,
      promoterId: next.promoterId,
      occurredAt: meta.occurredAt,
    });
  }
  await performSchedules(next, meta, deps);
  return { outcome: 'applied' };
}

/**
 * Puts the show's step schedules where its current date and times say: a step still ahead is
 * created or moved; a step already past, or every step of a show that is not being advanced
 * (on hold, cancelled, settled), is deleted. Then clears the pending mark.
 */
async function performSchedules(show: StoredShow, meta: Pick<ChangeMeta, 'correlationId'>, deps: ToursDeps) {
  const now = deps.now().toISOString();
  const ref = { labelId: show.labelId, tourId: show.tourId, showId: show.showId };
  const details = show.show;
  if (details) {
    const due = new Map(stepMoments(details).map((moment) => [moment.step, moment]));
    for (const step of scheduledSteps) {
      const moment = due.get(step);
      if (moment && moment.scheduledFor > now) {
        await deps.schedules.upsert({ ...ref, moment, correlationId: meta.correlationId });
      } else {
        await deps.schedules.delete({ ...ref, step });
      }
    }
  }
  if (show.effectsPending) await deps.tours.markEffectsPerformed(ref, show.lastEventId);
}
