import { againFromFreshRead, readAgain } from '#shared/db/conflicts.ts';
import { promoterIdOf, type ShowRef, showRefOf } from '#shared/db/tours.ts';
import type { EventData, Metadata, TourBooked, TourShowSettled } from '#shared/events/index.ts';
import { type OutboxEntry, outboxEntry, ShowConfirmed } from '#shared/events/index.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import {
  advanceLockAt,
  advanceSteps,
  daySheetWent,
  guestListReopens,
  isAdvancing,
  isAnnounced,
  type PressFacts,
  pressGatherMoment,
  pressToldLatest,
  type StepMoment,
  type StoredShow,
  sameVenue,
  scheduledSteps,
  showFacts,
  stepLapsesAt,
  stepMoment,
  stepMoments,
  stepTaken,
} from '#shared/tours.ts';
import { isoNow, type ToursDeps } from './ports.ts';
import { stepDue } from './steps.ts';

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
  // Shows of one country announced together are one press mail: every show is written before any of
  // their schedules is put in place, and no press step runs before the gathering window after that
  // (pressGatherMoment), so the first to run finds them all, however long the writes took.
  const written: (WrittenChange & { showId: string })[] = [];
  try {
    for (const show of shows) {
      const change = await writeShowChange(tour.tourId, { type: 'set', show }, meta, deps);
      written.push({ ...change, showId: show.showId });
    }
  } finally {
    // Also when a show's write failed (for good, it may be: an item too big, a condition that never
    // holds): the shows written before it get their schedules all the same, then the event fails and is
    // retried or dead-lettered. Left to a redrive, which may fail the same way, they would have no
    // advance request, day sheet or press. A show the label changed again while the others were written
    // has its schedules from that change, where its new date puts them: the booking's, older, would move
    // them back.
    for (const { schedules, showId } of written) {
      const ref = { labelId: meta.labelId, tourId: tour.tourId, showId };
      if (schedules && (await deps.tours.getShow(ref))?.lastEventId === meta.eventId) await schedules();
    }
  }
  return written.map(({ outcome }) => outcome);
}

const withoutSteps = (show: StoredShow, steps: ShowStep[]): StoredShow => {
  if (!steps.length || !show.stepsDone) return show;
  const stepsDone = { ...show.stepsDone };
  for (const step of steps) delete stepsDone[step];
  return { ...show, stepsDone };
};

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
 * Show Step Due event a schedule would put: the advance request while its form still takes answers
 * (until show day 00:00 at the venue, when the form locks), the day sheet and guest-list cutoff until
 * the show is over. Reminders and the escalation that are already past are skipped: the request that
 * goes out at once is the promoter's first word. Not so for a show advanced again (taken off hold, set
 * on again after a cancellation) whose promoter was asked before it stopped and has given no advance:
 * its escalation, past while it stopped, is taken at once, so the tour manager hears of it. (Press past
 * its embargo is not at once: it waits for the gathering window, see performSchedules.)
 */
const overdueAtOnce = (step: ShowStep, show: Show, now: string, askedBefore: boolean): boolean =>
  now < stepLapsesAt(show, step) &&
  (['advance-request', 'day-sheet', 'guest-list-cutoff'].includes(step) ||
    (askedBefore && step === 'advance-escalation'));

/** The Show Step Due entries of the steps that are due at once. */
function stepsDueAtOnce(
  show: StoredShow,
  stored: StoredShow | undefined,
  meta: ChangeMeta,
  now: string,
): OutboxEntry[] {
  const ref = showRefOf(show);
  if (!show.show || !isAdvancing(show.show.status)) return [];
  const askedBefore =
    stored?.show !== undefined &&
    !isAdvancing(stored.show.status) &&
    !show.advance &&
    show.stepsDone?.['advance-request'] !== undefined;
  const entries: OutboxEntry[] = [];
  for (const moment of stepMoments(show.show)) {
    if (moment.scheduledFor > now || stepTaken(show, moment.step, moment.scheduledFor)) continue;
    if (!overdueAtOnce(moment.step, show.show, now, askedBefore)) continue;
    entries.push(stepDue({ ...ref, step: moment.step, scheduledFor: moment.scheduledFor }, meta));
  }
  return entries;
}

function outboxOf(
  next: StoredShow,
  stored: StoredShow | undefined,
  meta: ChangeMeta,
  now: string,
): OutboxEntry[] {
  const show = next.show;
  const eventMeta = { correlationId: meta.correlationId, labelId: meta.labelId };
  const ref = showRefOf(next);
  // A step due at once for this very change (the label's time of it).
  const dueNow = (step: ShowStep, replaced?: PressFacts) =>
    stepDue({ ...ref, step, scheduledFor: meta.occurredAt, ...(replaced ? { replaced } : {}) }, meta);
  // The tour manager and crew hold the day sheet of the show's day as it is now, and it is not over yet.
  const updateDue =
    show !== undefined && daySheetWent({ ...next, show }) && now < stepLapsesAt(show, 'day-sheet-update');
  if (show?.status === 'cancelled' && stored?.show) {
    // Outlets told of the show hear that it is cancelled (press keeps who was told of what), also when it
    // was put on hold (or back to confirmed) since, which told them nothing: they hold its announcement all
    // the same; the tour manager and crew, once its day sheet went, by an update of it (before, the sheet
    // will not go), also when the show was put on hold since: they hold the sheet all the same.
    return [
      ...(isAnnounced(stored.show.status) || (stored.pressCountries && stored.show.status !== 'cancelled')
        ? [dueNow('press-cancellation')]
        : []),
      ...((isAdvancing(stored.show.status) || stored.show.status === 'hold') && updateDue
        ? [dueNow('day-sheet-update')]
        : []),
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
    isAnnounced(show.status) &&
    (isAnnounced(stored.show.status)
      ? showFacts(stored.show) !== showFacts(show)
      : stored.show.status === 'cancelled' || stored.pressCountries)
  ) {
    // Outlets told of the show hear of its new date, times or venue, or that a show they heard was
    // cancelled is on again, with the calendar that replaces theirs; moved to another country, those
    // of each country it left hear that it moved (the show keeps which countries' press was told of it).
    // Announced again after a hold (or as confirmed), a show some press was told of tells them so too:
    // what changed meanwhile, a move included.
    // With the date, times and venue it replaced, which the "Changed" mail states to those told them.
    const { date, times, venue } = stored.show;
    entries.push(
      dueNow('press-change', isAnnounced(stored.show.status) ? { date, times, venue } : undefined),
    );
  }
  if (
    stored?.show &&
    stored.show.date === show.date &&
    (showFacts(stored.show) !== showFacts(show) || stored.show.status === 'cancelled') &&
    updateDue
  ) {
    // The tour manager and crew have the day sheet of this very day: they get it again with the new
    // times or venue, or the show on again after they were told it is cancelled (before it went, the
    // scheduled sheet reads the show as it is then).
    entries.push(dueNow('day-sheet-update'));
  }
  return [...entries, ...stepsDueAtOnce(next, stored, meta, now)];
}

/**
 * Applies one label change to a show, only if the label made it after the change applied last (see
 * docs/design.md#ordering-by-the-labels-timestamp): the show is stored with its events (Show
 * Confirmed, overdue steps) in the outbox, then its schedules are put in place. The schedules are
 * marked pending until done, so a redelivered event (same event id) redoes them. A refused write is
 * read again and decided again: a newer change stored meanwhile, or this very change, its write
 * landed and its answer lost (docs/design.md#failures-and-retries), which is then replayed.
 */
export async function applyShowChange(
  tourId: string,
  change: ShowChange,
  meta: ChangeMeta,
  deps: ToursDeps,
): Promise<ChangeOutcome> {
  const { outcome, schedules } = await writeShowChange(tourId, change, meta, deps);
  await schedules?.();
  return outcome;
}

/** A change to a show written (or found written), and its schedules to put in place after it. */
interface WrittenChange {
  outcome: ChangeOutcome;
  schedules?: () => Promise<void>;
}

const writeShowChange = (
  tourId: string,
  change: ShowChange,
  meta: ChangeMeta,
  deps: ToursDeps,
): Promise<WrittenChange> =>
  againFromFreshRead(showIdOf(change), () => applyToShowAsRead(tourId, change, meta, deps));

async function applyToShowAsRead(
  tourId: string,
  change: ShowChange,
  meta: ChangeMeta,
  deps: ToursDeps,
): Promise<WrittenChange | typeof readAgain> {
  const ref = { labelId: meta.labelId, tourId, showId: showIdOf(change) };
  const now = isoNow(deps);
  const stored = await deps.tours.getShow(ref);
  if (stored?.lastEventId === meta.eventId) {
    // Written before: what the show was before this change is not known any more, so any of its
    // schedules may exist (while its pending mark says they were not all put in place).
    return {
      outcome: { outcome: 'replayed' },
      schedules: () => performSchedules(stored, stored, meta, deps),
    };
  }
  if (stored && !(meta.occurredAt > stored.occurredAt)) {
    return { outcome: { outcome: 'ignored', reason: `not newer than the change of ${stored.occurredAt}` } };
  }
  // Moved to another country, the show is news for that country's press: its announcement is due
  // again there (what each address was told is kept per country, so nobody hears of it twice).
  const movedCountry =
    change.type === 'set' && stored?.show && stored.show.venue.country !== change.show.venue.country;
  // Given to another promoter while the form still takes answers, the show is advanced again with
  // them: the old promoter's link opens nothing any more, so the request (at once when its moment has
  // passed) and the reminders go to the new one, and the old promoter's answers are not taken for
  // theirs. Their advance mails name the change's time (`promoterSince`), so a promoter the show comes
  // back to is asked again, and the tour manager told of each promoter's overdue advance. From show
  // day 00:00 the answers stand (the day sheet states them; nobody could give new ones), but the show
  // is the new promoter's all the same: `promoterSince` moves on, so the tour manager's alert that they
  // cannot be reached is theirs, not taken for the old promoter's (docs/design.md#two-mail-streams), and
  // the advance steps the old promoter was sent are forgotten, so a postponement that opens the form
  // again asks the new one (docs/design.md#tours).
  const otherPromoter =
    change.type === 'set' &&
    stored?.show !== undefined &&
    stored.promoterId !== promoterIdOf(change.show.promoter.email);
  const newPromoter = otherPromoter && now < advanceLockAt(change.show);
  // Moved to another venue (`sameVenue`), the show's advance is another venue's: its answers are
  // forgotten, and while the form still takes answers its promoter is asked again as for a new show, the
  // request, reminders and escalation named by the change's time as for a new promoter (`promoterSince`).
  // From show day 00:00 nobody could give new ones: the day sheet states none (docs/design.md#tours).
  const otherVenue =
    change.type === 'set' && stored?.show && !sameVenue(stored.show.venue, change.show.venue);
  const askAgain = newPromoter || (otherVenue && now < advanceLockAt(change.show));
  // Postponed with the new date's cutoff ahead, the guest list takes guests again until then, when
  // it goes to the new date's promoter (docs/design.md#tours): the lock goes in this very write.
  const reopened =
    change.type === 'set' && stored?.show !== undefined && guestListReopens(stored.show, change.show, now);
  // Moved on its day to a venue in another zone after its day sheet went: the sheet of that day went,
  // though its moment (18:00 the day before at the venue) is another instant there. It is recorded at
  // that instant in this very write, so the tour manager and crew get the update at once, as for a
  // venue of the same zone, and the sheet due there sends nothing: else the sheet went again at the new
  // instant (hours later for a zone to the west, at once for one to the east), not saying that it replaced
  // the first (docs/design.md#tours).
  const daySheetAt = change.type === 'set' ? stepMoment(change.show, 'day-sheet').scheduledFor : undefined;
  const daySheetFor =
    change.type === 'set' &&
    stored?.show?.date === change.show.date &&
    daySheetWent({ ...stored, show: stored.show }) &&
    daySheetAt !== stored.stepsDone?.['day-sheet']
      ? daySheetAt
      : undefined;
  // A reopened list's cutoff is due again, even at the instant it closed at before: a show postponed
  // and then moved back to a day whose cutoff has passed closes its list at once (stepsDueAtOnce) and
  // mails it with the guests added meanwhile.
  const forget = {
    steps: [
      ...(movedCountry ? (['press-announcement'] as const) : []),
      ...(askAgain || otherPromoter ? advanceSteps : []),
      ...(reopened ? (['guest-list-cutoff'] as const) : []),
    ],
    advance: newPromoter || !!otherVenue,
    guestListLock: reopened,
    daySheetFor,
  };
  const read = withoutSteps(nextShow(stored, ref, change, meta, now), forget.steps);
  const changed = daySheetFor
    ? { ...read, stepsDone: { ...read.stepsDone, 'day-sheet': daySheetFor } }
    : read;
  const { advance: _replaced, ...withoutAdvance } = changed;
  // `promoterSince` moves on when the show is asked again (a new promoter, another venue before show day:
  // always an advance forgotten) and when it is another promoter's from show day (its answers kept).
  const since = askAgain || otherPromoter ? { promoterSince: meta.occurredAt } : {};
  const kept = forget.advance ? { ...withoutAdvance, ...since } : { ...changed, ...since };
  const { guestListLockedAt: _at, guestListLockedFor: _for, ...unlocked } = kept;
  const next = reopened ? unlocked : kept;
  const outbox = outboxOf(next, stored, meta, now);
  // Before the show's write: one that lands with its answer lost is taken again as this change delivered
  // again (replayed), which saves nothing (docs/design.md#failures-and-retries).
  if (change.type === 'set') {
    await deps.tours.savePromoter({
      ...change.show.promoter,
      promoterId: next.promoterId,
      occurredAt: meta.occurredAt,
    });
  }
  if (!(await deps.tours.putShowIfNewer(next, outbox, forget))) return readAgain;
  // Its own press-change step, past the embargo now, tells: no firing is kept for it (firingOf).
  const telling = outbox.some((entry) => (entry.detail.data as { step?: string }).step === 'press-change');
  return {
    outcome: { outcome: 'applied' },
    schedules: () => performSchedules(next, stored, meta, deps, telling),
  };
}

/**
 * Where a step's schedule fires now: at its moment while that is ahead; press past its embargo (or
 * without one), at the end of the gathering window, so that shows of one country added together (in
 * one webhook or several) are one mail (docs/design.md#tours), while it has work: the announcement not
 * yet taken, or, taken, the press-change of the show's latest change not done (the embargo held it
 * back, and was lifted since or its end passed before the schedule was put in place), unless the change
 * applied now sends a press-change of its own (`telling`), which, the embargo past, tells; else nowhere.
 * A change delivered again keeps it: its step may have run while the embargo held.
 */
function firingOf(
  show: StoredShow & { show: Show },
  step: ShowStep,
  now: string,
  telling?: boolean,
): StepMoment | undefined {
  const moment = stepMoments(show.show).find((m) => m.step === step);
  if (!moment) return undefined;
  if (moment.scheduledFor > now) return moment;
  if (
    step === 'press-announcement' &&
    !(stepTaken(show, step, moment.scheduledFor) && (telling || pressToldLatest(show)))
  )
    return pressGatherMoment(show.show, now);
  return undefined;
}

/**
 * The steps whose schedules a show may have before a change: those of the show as it was `before`
 * (a new show has none, so it costs no DeleteSchedule call); every scheduled step while `before`
 * still carries its pending mark, since the change that wrote it (this very change, when it is
 * redelivered) may have stopped midway, after the show's steps were gone from its current state
 * (cancelled, on hold) but before its schedules were. Deleting a schedule that is gone is no error.
 */
function schedulesThatMayExist(before: StoredShow | undefined): ReadonlySet<ShowStep> {
  if (!before?.show) return new Set();
  if (before.effectsPending) return new Set(scheduledSteps);
  return new Set(stepMoments(before.show).map((moment) => moment.step));
}

/**
 * Puts the show's step schedules where its current date and times say: a step still ahead is
 * created or moved; a step already past, or every step of a show that is not being advanced
 * (on hold, cancelled, settled), is deleted if it may exist (schedulesThatMayExist). A step that was
 * still ahead when the change was written (its `updatedAt`), so not due at once then, and is past now
 * (the change delivered again after its schedules failed) is late, as a schedule firing late is: its
 * Show Step Due goes in the outbox, and takeStep ignores one taken before (docs/design.md#tours). Then
 * clears the pending mark.
 */
async function performSchedules(
  show: StoredShow,
  before: StoredShow | undefined,
  meta: ChangeMeta,
  deps: ToursDeps,
  telling?: boolean,
) {
  const now = isoNow(deps);
  const ref = showRefOf(show);
  const details = show.show;
  const mayExist = schedulesThatMayExist(before);
  if (details) {
    await deps.tours.putEntries(
      stepMoments(details).flatMap(({ step, scheduledFor }) =>
        step !== 'press-announcement' && scheduledFor > show.updatedAt && scheduledFor <= now
          ? [stepDue({ ...ref, step, scheduledFor }, meta)]
          : [],
      ),
      now,
    );
    for (const step of scheduledSteps) {
      const moment = firingOf({ ...show, show: details }, step, now, telling);
      if (moment) await deps.schedules.upsert({ ...ref, moment, correlationId: meta.correlationId });
      else if (mayExist.has(step)) await deps.schedules.delete({ ...ref, step });
    }
  }
  if (show.effectsPending) await deps.tours.markEffectsPerformed(ref, show.lastEventId);
}
