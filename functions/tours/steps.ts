import { type MailSubject, mailSubjects } from '#shared/db/deliveries.ts';
import { keyParts } from '#shared/db/keys.ts';
import { type ShowRef, showRefOf } from '#shared/db/tours.ts';
import {
  AdvanceOverdue,
  AdvanceReminderSent,
  AdvanceRequested,
  DaySheetSent,
  type EventData,
  GuestListLocked,
  type OutboxEntry,
  outboxEntry,
  ShowStepDue,
} from '#shared/events/index.ts';
import type { ShowStep } from '#shared/events/show-step-due.ts';
import { type Show, type ShowStatus, showLocalDateTime } from '#shared/events/tour-booked.ts';
import { invocationDeadline } from '#shared/lambda/deadline.ts';
import { type Notice, noticeTemplateData, templateDataJson, templateDataLimit } from '#shared/mail/data.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { noticeTemplateName } from '#shared/mail/template-names.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import {
  advancedAt,
  advanceLinkExpiry,
  advanceSteps,
  daySheetWent,
  guestCount,
  guestListClosedBefore,
  guestListCutoff,
  isAdvancing,
  isAnnounced,
  pressDue,
  type StoredShow,
  type StoredTour,
  showFacts,
  showFactsHash,
  stepLapsesAt,
  stepMoment,
  stepTaken,
  tourManagerLinkExpiry,
  tourManagerLinkWithoutShows,
} from '#shared/tours.ts';
import { identityOf, isoNow, sentUnlessUnawaited, type TourMail, type ToursDeps } from './ports.ts';
import { announceToMedia, calendarFor, cancelToMedia, changeToMedia, countriesLeft } from './press.ts';
import {
  advanceRequestSheet,
  daySheet,
  escalationSheet,
  guestListFile,
  guestListSheet,
  unreachableSheet,
} from './sheets.ts';

export type StepOutcome =
  | { outcome: 'taken'; mailed: number }
  | { outcome: 'continued'; mailed: number; cursor: string }
  | { outcome: 'ignored'; reason: string };

type LiveShow = StoredShow & { show: Show };

const ignored = (reason: string): StepOutcome => ({ outcome: 'ignored', reason });
const taken = (mailed: number): StepOutcome => ({ outcome: 'taken', mailed });
const changedSince = 'show changed since';

/** An operational mail about one show (its own stream: no unsubscribe, docs/design.md#two-mail-streams). */
export const operationalMail = (
  ref: ShowRef,
  to: { name: string; email: string },
  kind: string,
  notice: Notice,
  moment?: string,
): TourMail => ({
  stream: 'operational',
  to,
  labelId: ref.labelId,
  subject: mailSubjects.show(ref.tourId, ref.showId, moment),
  kind,
  template: noticeTemplateName,
  data: noticeTemplateData(notice),
  context: { tourId: ref.tourId, showId: ref.showId },
});

/** The show a show mail's subject names, its tour and the show as stored, read together. */
export async function showOfMail(labelId: string, subject: MailSubject, deps: ToursDeps) {
  const [, tourId, showId] = subject;
  const ref = { labelId, tourId, showId };
  return [
    ref,
    ...(await Promise.all([deps.tours.getTour(labelId, tourId), deps.tours.getShow(ref)])),
  ] as const;
}

/**
 * The tour manager's alert that the show's promoter cannot be reached (`why`): someone must call them.
 * Its identity is the show's, the kind's and, as the escalation's, the instant the show was given to its
 * promoter (`promoterSince`): once per show and promoter, so a promoter the show is given to after an
 * unreachable one is alerted of too (docs/design.md#two-mail-streams).
 */
export const unreachableAlert = (
  ref: ShowRef,
  tour: StoredTour,
  stored: Pick<StoredShow, 'promoterSince'> & { show: Show },
  why = 'the address was suppressed after a bounce or a complaint',
) =>
  operationalMail(
    ref,
    tour.tourManager,
    'promoter-unreachable',
    unreachableSheet(tour, stored.show, why),
    stored.promoterSince,
  );

/**
 * What tours does for a show's mail left out because its address is suppressed (the mail module's
 * leftOutSuppressed hook, docs/design.md#exactly-once-mail), on a step's send and on the stale-claim
 * sweep's resend alike: a mail to the show's promoter (a bounce or complaint on any mail, press
 * included) becomes the tour manager's alert (unreachableAlert), once per show and promoter by the
 * alert's identity. One to the tour manager or the crew tells nobody.
 */
export const alertInsteadOfSuppressed = (deps: ToursDeps) => async (mail: OutgoingMail) => {
  const [ref, tour, stored] = await showOfMail(mail.identity.labelId, mail.identity.subject, deps);
  if (
    tour &&
    stored?.show &&
    normaliseEmail(stored.show.promoter.email) === normaliseEmail(mail.identity.email)
  )
    await deps.mailer.send([unreachableAlert(ref, tour, { ...stored, show: stored.show })]);
};

/**
 * Why a step stopped: `reason` as the step's ignored outcome states it, and `forNow` when the show may
 * yet take it (on hold or cancelled: either may be undone), else it is stopped for good.
 */
export interface StepStop {
  reason: string;
  forNow: boolean;
}

/** A show on hold or cancelled takes no step for now: a hold may be confirmed, a cancellation set on again. */
export const stoppedForNow: ReadonlySet<ShowStatus> = new Set(['hold', 'cancelled']);

/**
 * Whether a step's mail reached SES before this invocation (its claim sent, or open and not stale; one
 * that sent it stopped before the step's record), or, the show stopped for now, its claim went stale: the
 * sweep holds such a claim to send once the show is on again (docs/design.md#tours).
 */
async function reachedBefore(deps: ToursDeps, mail: TourMail, stopped: StepStop | undefined) {
  const [reach] = await deps.mailer.reached([identityOf(mail)]);
  return Boolean(reach) || (reach === undefined && stopped?.forNow === true);
}

/** The steps whose mail stepWork writes: the advance steps, the day sheet and the guest list. */
export const stepKinds: ReadonlySet<string> = new Set([...advanceSteps, 'day-sheet', 'guest-list-cutoff']);

/**
 * Why a step (its mail) no longer stands for the show as it is now, if it does not: too late (the
 * form locked, or the show over: stepLapsesAt), a show not being advanced takes no step but the
 * press's, and the advance steps stop once the advance is in. The one rule for a step's firing and
 * for the stale-claim sweep's resend of its mail (resend.ts), which leaves the claim of a stop for
 * now open and closes any other.
 */
export const stepStopped = (show: LiveShow, step: string, now: string): StepStop | undefined =>
  now >= stepLapsesAt(show.show, step)
    ? { reason: 'too late', forNow: false }
    : !isAdvancing(show.show.status)
      ? { reason: `show is ${show.show.status}`, forNow: stoppedForNow.has(show.show.status) }
      : show.advance && advanceSteps.includes(step as ShowStep)
        ? { reason: 'advance submitted', forNow: false }
        : undefined;

/**
 * A day sheet update's stop (stepStopped), but for the cancellation's own update (`change` the label's
 * time of it), which tells the tour manager and crew that the show is cancelled (docs/design.md#tours).
 */
export const updateStopped = (show: LiveShow, change: string | undefined, now: string) => {
  const stopped = stepStopped(show, 'day-sheet-update', now);
  return stopped?.forNow && show.show.status === 'cancelled' && change === show.occurredAt
    ? undefined
    : stopped;
};

/**
 * A show's step fell due (its schedule fired, or it was overdue when the show was booked). The step
 * is ignored when the show changed since (it carries the instant it was set for, as release days do),
 * is no longer being advanced, or was taken before; advance steps stop once the promoter submitted.
 * Otherwise its mail is sent exactly once (claims) and then the step is recorded with its event, so a
 * retry after a crash between the two sends nothing twice and still states the step, even one that
 * finds the show stopped or (an advance step) moved since, once its mail reached SES (below).
 */
export async function takeStep(
  due: EventData<typeof ShowStepDue>,
  meta: { correlationId: string },
  deps: ToursDeps,
  deadline = invocationDeadline(deps.now, undefined),
): Promise<StepOutcome> {
  const ref = showRefOf(due);
  const [tour, stored] = await Promise.all([
    deps.tours.getTour(ref.labelId, ref.tourId),
    deps.tours.getShow(ref),
  ]);
  if (!stored?.show) return ignored('unknown show');
  // Its booking not applied yet (delivered after the show's own change): retried, not dropped (docs/design.md#tours).
  if (!tour) throw new Error('tour not booked yet');
  const show = stored as LiveShow;
  const eventMeta = { correlationId: meta.correlationId, labelId: ref.labelId };
  if (stepTaken(show, due.step, due.scheduledFor) && due.step !== 'press-announcement')
    return ignored('step taken before');

  if (due.step === 'press-cancellation') {
    if (show.show.status !== 'cancelled') return ignored('show not cancelled');
    const { mailed, events } = await cancelToMedia(tour, show, deps, eventMeta);
    // Once per cancellation, as a day sheet update is (below): one retried after a later one is recorded
    // beside it, so the later one's redelivered firing still finds it taken.
    await deps.tours.recordChangeStep(ref, due.step, due.scheduledFor, events);
    return taken(mailed);
  }
  if (due.step === 'press-change') {
    if (!isAnnounced(show.show.status)) return ignored(`show is ${show.show.status}`);
    // A step for an earlier change still tells the countries the show left (the change since may
    // send no step of its own); the news of its date, times or venue is the latest change's, and it
    // waits for the show's announceAt (pressDue): its press-announcement's firing then takes it (below).
    const current = show.occurredAt === due.scheduledFor;
    const told = current && pressDue(show.show, isoNow(deps));
    if (!told && countriesLeft(show).length === 0)
      return ignored(current ? 'press embargoed until announceAt' : changedSince);
    const { mailed } = await changeToMedia(tour, show, deps, told, due.replaced);
    if (told) await deps.tours.markStepDone(ref, due.step, due.scheduledFor, []);
    return taken(mailed);
  }
  if (due.step === 'day-sheet-update') {
    const stopped = updateStopped(show, due.scheduledFor, isoNow(deps));
    // For the change it was put on the bus for, the label's or the promoter's advance: a later one sends its
    // own. Stopped or changed since, it sends nothing, but the update it was fired for (as the show states it
    // now) is recorded if it reached SES, as a stopped step's mail is (below, docs/design.md#tours).
    const away =
      stopped?.reason ??
      ([show.occurredAt, advancedAt(show)].includes(due.scheduledFor) ? undefined : changedSince);
    if (!daySheetWent(show)) return ignored(away ?? 'no day sheet went for this day');
    const { mails, events } = await daySheetWork(tour, show, deps, eventMeta, due.scheduledFor);
    if (away && !(await reachedBefore(deps, mails[0], stopped))) return ignored(away);
    const mailed = away ? 0 : await deps.mailer.send(mails);
    // Once per change, an update retried after a later one recorded beside it (a redelivered firing of
    // the later one still finds it taken).
    await deps.tours.recordChangeStep(ref, due.step, due.scheduledFor, events);
    return taken(mailed);
  }
  const stopped = stepStopped(show, due.step, isoNow(deps));
  // Stopped, for good or for now, a step whose mail stepWork writes goes on to look for its mail's claim
  // (below, as a day sheet update does above): a show on hold or cancelled may never be on again, and on
  // again its past reminders have no firing left, nor is a day sheet not recorded updated when the show
  // changes on its day.
  if (stopped && !stepKinds.has(due.step)) return ignored(stopped.reason);
  // Moved since, a step is ignored, but an advance step's mail is the promoter's whatever the date (its
  // identity names promoterSince): as when stopped, it goes on to look for its mail's claim (below), and is
  // recorded for the moment it is due now, so the firing for that moment states nothing twice.
  const dueAt = stepMoment(show.show, due.step).scheduledFor;
  const moved = dueAt !== due.scheduledFor;
  if (moved && !advanceSteps.includes(due.step)) return ignored(changedSince);
  if (due.step === 'press-announcement') {
    if (!isAnnounced(show.show.status)) return ignored('show not announced');
    // Early (a clock's skew): fail, so the event is retried after the embargo rather than lost.
    if (due.scheduledFor > isoNow(deps))
      throw new Error(`press for ${ref.showId} fired before its embargo of ${due.scheduledFor}`);
    // Announced before, its press embargoed again since (announced again after a hold, or a later
    // announceAt): at the embargo's end its press hears what changed meanwhile, the press-change step
    // the embargo held back (docs/design.md#tours). A page of a firing (its cursor) is still taken: the
    // same page taken twice at once, the one that gave its claims back unsent and failed is retried after
    // the other went on to the step's end, and its addresses are still to be announced.
    if (show.stepsDone?.[due.step] && !(due.cursor || due.outletIds))
      return takeStep({ ...due, step: 'press-change', scheduledFor: show.occurredAt }, meta, deps, deadline);
    const { mailed, events, next } = await announceToMedia(tour, show, deps, eventMeta, {
      ...(due.cursor ? { cursor: due.cursor } : {}),
      deadline,
      outletIds: due.outletIds,
    });
    // For outlets added later: the step's own firing records it (docs/design.md#tours).
    if (due.outletIds) return taken(mailed);
    if (next) {
      // The rest of the directory in a new invocation: the same step, on from the next page, through the
      // outbox once per page and show as read (a redelivered invocation continues nothing twice; fired
      // again after a change, the step goes on past the pages an earlier firing continued).
      await deps.tours.continueStep(
        ref,
        due.step,
        due.scheduledFor,
        show.occurredAt,
        next,
        stepDue({ ...due, cursor: next }, eventMeta),
        isoNow(deps),
      );
      return { outcome: 'continued', mailed, cursor: next };
    }
    // It stated the show as read: the press of that change has no firing left to wait for (pressToldLatest).
    await deps.tours.markStepDone(ref, due.step, due.scheduledFor, events, { announced: show.occurredAt });
    return taken(mailed);
  }
  if (due.step === 'guest-list-cutoff') {
    // Closed at an earlier cutoff and not reopened (moved earlier, or changed on the same day): the
    // promoter has the list, which cannot have changed since. A lock whose step was never recorded (the
    // invocation died before the mail's claim) is not closed: this cutoff mails the list as locked.
    if (guestListClosedBefore(show, due.scheduledFor))
      return ignored('guest list closed at an earlier cutoff');
    // Locked first: from here on no name is added, so the mail lists every guest there will be. Only
    // while the show is on this date: a postponement landing meanwhile keeps its list open. Stopped, the
    // step locks nothing: it only looks for the mail of a lock taken before.
    if (!stopped)
      await deps.tours.lockGuestList(ref, isoNow(deps), {
        date: show.show.date,
        scheduledFor: due.scheduledFor,
      });
  }
  const work =
    due.step === 'guest-list-cutoff'
      ? await guestListWork(tour, ref, deps, eventMeta, due.scheduledFor)
      : await stepWork(due.step, tour, show, deps, eventMeta);
  if (!work) return ignored(stopped?.reason ?? changedSince);
  // An advance step's mail is claimed only while the show still awaits the advance from the promoter read
  // here: a submission or change landing since leaves it unsent. A step so refused, or read stopped (on
  // hold, cancelled, settled, lapsed, the advance in) or, an advance step, moved, sends nothing; it is still
  // recorded, with its event, if its mail reached SES before (an invocation that sent it stopped before its
  // record): its claim sent, or open and not stale. The show stopped for now, a stale claim counts too, as
  // the sweep holds it (then 'held') to send once the show is on again. Else the step is ignored
  // (docs/design.md#tours).
  const sent =
    stopped || moved
      ? undefined
      : await sentUnlessUnawaited(deps.mailer.send(work.mails, alertInsteadOfSuppressed(deps)));
  if (sent === undefined && !(await reachedBefore(deps, work.mails[0], stopped)))
    return ignored(stopped?.reason ?? changedSince);
  const mailed = sent ?? 0;
  // The day sheet is recorded with the answers it went without, if any; an advance step only for the
  // promoter it mailed, as the show was given to them when read: given to another promoter meanwhile (and
  // perhaps back), the show's change cleared the step for the promoter it has now, who is still to be asked.
  // A record refused (so too the same firing delivered twice at once, the other recording it first) is no
  // step taken here: the handler counts an escalation taken once.
  if (due.step === 'day-sheet') await recordDaySheet(show, due.scheduledFor, work, mailed, deps, eventMeta);
  else if (
    !(await deps.tours.markStepDone(
      ref,
      due.step,
      dueAt,
      work.events,
      advanceSteps.includes(due.step)
        ? { promoterId: show.promoterId, promoterSince: show.promoterSince }
        : {},
    ))
  )
    return ignored('step not recorded');
  return taken(mailed);
}

/**
 * Records the day sheet, written from `read` (`mailed` of its mails sent now), while the show's advance
 * is as the sheet stated it: as read, or, its tour manager's mail claimed before (a retry after a crash
 * before the record), as that mail's claim keeps it. Answers given or amended since found the sheet not
 * gone and sent no update: the sheet went without them, so the record's own write puts their update in
 * the outbox, at the advance's time as the form's step would be (one identity: mailed once). Read again
 * until it is recorded, or found taken before.
 */
async function recordDaySheet(
  read: LiveShow,
  scheduledFor: string,
  { mails, events }: { mails: TourMail[]; events: OutboxEntry[] },
  mailed: number,
  deps: ToursDeps,
  eventMeta: { correlationId: string; labelId: string },
) {
  const ref = showRefOf(read);
  const [claim] = mailed < mails.length ? await deps.mailer.claimsOf([identityOf(mails[0])]) : [];
  const kept = claim?.told?.advanced;
  const stated = typeof kept === 'string' ? kept || undefined : advancedAt(read);
  for (let advanced = stated; ; ) {
    const update =
      advanced && advanced !== stated
        ? [stepDue({ ...ref, step: 'day-sheet-update', scheduledFor: advanced }, eventMeta)]
        : [];
    if (
      await deps.tours.markStepDone(ref, 'day-sheet', scheduledFor, [...events, ...update], {
        advanced: advanced ?? null,
      })
    )
      return updateMissedBy(read, ref, deps, eventMeta);
    const now = await deps.tours.getShow(ref);
    if (!now || now.stepsDone?.['day-sheet'] === scheduledFor || advancedAt(now) === advanced) return;
    advanced = advancedAt(now);
  }
}

/**
 * A change of the show applied between the day sheet's mails and its record found no sheet gone, and so
 * asked no update of it (applyShowChange asks one only once the sheet went): the sheet went with what the
 * show was. Once recorded, the show is read again, and where a change since `read` moved its times or
 * venue on the same day, or cancelled it, the update that change would have asked is put in the outbox,
 * at that change's time (its identity: a change after the record asked the same, and it is taken once).
 */
async function updateMissedBy(
  read: LiveShow,
  ref: ShowRef,
  deps: ToursDeps,
  eventMeta: { correlationId: string; labelId: string },
) {
  const now = await deps.tours.getShow(ref);
  if (!now?.show || now.occurredAt === read.occurredAt || now.show.date !== read.show.date) return;
  const moved = isAdvancing(now.show.status) && showFacts(now.show) !== showFacts(read.show);
  if (!(moved || now.show.status === 'cancelled')) return;
  // Past the show, the step lapses (stepLapsesAt) and sends nothing.
  await deps.tours.putEntries(
    [stepDue({ ...ref, step: 'day-sheet-update', scheduledFor: now.occurredAt }, eventMeta)],
    isoNow(deps),
  );
}

/**
 * A show's step due (tours' own Show Step Due), for the outbox of the write that makes it due: its
 * identity is the step and the moment it is due for.
 */
export const stepDue = (
  data: EventData<typeof ShowStepDue>,
  meta: { correlationId: string; labelId: string },
): OutboxEntry =>
  outboxEntry(ShowStepDue, data, {
    correlationId: meta.correlationId,
    labelId: meta.labelId,
    source: 'backline.tours',
  });

/** When a show starts on its day (its doors, else its set), to order the shows of one date. */
const startsAt = (show: Show) => {
  const time = show.times?.doors ?? show.times?.set;
  return time ? showLocalDateTime(show.date, time) : '';
};

/**
 * The show after `show` on its day sheet: a later one the same date (an early and a late show, by their
 * starts), else the first of the next date.
 */
const nextShow = (show: Show, live: Show[]): Show | undefined =>
  live
    .filter(
      (s) =>
        s.date > show.date || (s.date === show.date && startsAt(show) !== '' && startsAt(s) > startsAt(show)),
    )
    .sort((a, b) => a.date.localeCompare(b.date) || startsAt(a).localeCompare(startsAt(b)))[0];

/**
 * The day sheet to the tour manager and the crew. Its identity is the day it states, so a show moved
 * after its sheet went out gets a new one; an update after a change on the same day (`change`, the
 * label's time of the change) adds the change and what the show now is, so a redelivered change is
 * mailed once and each new change once more.
 */
export async function daySheetWork(
  tour: StoredTour,
  stored: LiveShow,
  deps: ToursDeps,
  eventMeta: { correlationId: string; labelId: string },
  change?: string,
): Promise<{ mails: TourMail[]; events: OutboxEntry[] }> {
  const ref = showRefOf(stored);
  const show = stored.show;
  const { shows } = await deps.tours.tourWithShows(ref.labelId, ref.tourId);
  const live = shows.flatMap((s) => (s.show && isAdvancing(s.show.status) ? [s.show] : []));
  const next = nextShow(show, live);
  const link = await deps.links.tourManager({
    ...ref,
    expiresAt: tourManagerLinkExpiry(
      shows.flatMap((s) => (s.show ? [s.show] : [])),
      tourManagerLinkWithoutShows(deps.now()),
    ),
  });
  const recipients = [tour.tourManager, ...(tour.crew ?? [])];
  const day = stepMoment(show, 'day-sheet').scheduledFor;
  const moment = change ? keyParts(day, change, showFactsHash(show)) : day;
  // The day's show as a calendar, as the press has it (docs/design.md#tours).
  const attachments = [calendarFor(tour, [stored], isoNow(deps))];
  return {
    mails: recipients.map((to) => {
      const mail = {
        ...operationalMail(
          ref,
          to,
          change ? 'day-sheet-update' : 'day-sheet',
          daySheet(tour, stored, next, to, link, Boolean(change)),
          moment,
        ),
        attachments,
      };
      // The change it tells of, so that a resend after a crash writes the same mail again; the sheet,
      // the advance it states, kept with its claim (recordDaySheet).
      return change
        ? { ...mail, context: { ...mail.context, change } }
        : { ...mail, told: { advanced: advancedAt(stored) ?? '' } };
    }),
    events: [outboxEntry(DaySheetSent, { ...ref, recipients: recipients.length }, eventMeta)],
  };
}

export async function stepWork(
  step: Exclude<ShowStep, 'press-announcement' | 'press-cancellation' | 'press-change' | 'day-sheet-update'>,
  tour: StoredTour,
  stored: LiveShow,
  deps: ToursDeps,
  eventMeta: { correlationId: string; labelId: string },
): Promise<{ mails: TourMail[]; events: OutboxEntry[] }> {
  const ref = showRefOf(stored);
  const show = stored.show;
  const promoterId = stored.promoterId;
  // Claimed only while the show awaits this promoter's advance (docs/design.md#tours).
  const awaiting = { ...ref, promoterId, promoterSince: stored.promoterSince };
  switch (step) {
    case 'advance-request':
    case 'advance-reminder-1':
    case 'advance-reminder-2': {
      // advanceSteps lists the request, then the reminders in order: 0 is the request itself.
      const reminder = advanceSteps.indexOf(step);
      const link = await deps.links.advance({ ...ref, promoterId, expiresAt: advanceLinkExpiry(show) });
      return {
        mails: [
          {
            ...operationalMail(
              ref,
              show.promoter,
              step,
              advanceRequestSheet(tour, show, link, reminder),
              stored.promoterSince,
            ),
            awaiting,
          },
        ],
        events: [
          reminder
            ? outboxEntry(AdvanceReminderSent, { ...ref, promoterId, reminder }, eventMeta)
            : outboxEntry(AdvanceRequested, { ...ref, promoterId }, eventMeta),
        ],
      };
    }
    case 'advance-escalation':
      return {
        mails: [
          {
            ...operationalMail(
              ref,
              tour.tourManager,
              step,
              escalationSheet(tour, show, stored.stepsDone),
              stored.promoterSince,
            ),
            awaiting,
          },
        ],
        events: [outboxEntry(AdvanceOverdue, { ...ref, promoterId }, eventMeta)],
      };
    case 'day-sheet':
      return daySheetWork(tour, stored, deps, eventMeta);
    case 'guest-list-cutoff':
      // Written again (a stale claim): the list as it was locked, whichever cutoff closed it (one moved
      // later the same day keeps it closed, and its step does not mail it again); none once reopened.
      return guestListMail(tour, stored, eventMeta);
  }
}

/**
 * The guest list to the promoter as locked (none while it is open). Its identity is the instant the
 * list was locked: each closing of the list is a mail of its own (a postponed show's at the new
 * date's cutoff, one moved back at once), and a repeated firing of one cutoff, which finds the list
 * locked, mails once.
 */
const guestListMail = (
  tour: StoredTour,
  locked: LiveShow,
  eventMeta: { correlationId: string; labelId: string },
) => {
  const ref = showRefOf(locked);
  const guests = locked.guests ?? [];
  const mail = (attached?: string) =>
    operationalMail(
      ref,
      locked.show.promoter,
      'guest-list-cutoff',
      guestListSheet(tour, locked.show, guests, attached),
      locked.guestListLockedAt,
    );
  // A list the mail cannot state within what SES takes of its data (a full one: 256 KB of names and
  // notes, twice over with the HTML view) goes as a file: SES refused the mail, and nothing was sent.
  const cutoffMail = () => {
    const stated = mail();
    if (templateDataJson(stated.data).length <= templateDataLimit) return stated;
    const file = 'guest-list.txt';
    const attachment = {
      fileName: file,
      contentType: 'text/plain; charset=utf-8',
      content: guestListFile(guests),
    };
    return { ...mail(file), attachments: [attachment] };
  };
  return {
    mails: locked.guestListLockedAt ? [cutoffMail()] : [],
    events: [outboxEntry(GuestListLocked, { ...ref, guests: guestCount(guests) }, eventMeta)],
  };
};

/**
 * The guest list as locked for the cutoff `scheduledFor` (read after the lock, so it lists every
 * guest there will be); undefined when the list is not locked for that cutoff of the show as it is
 * now (moved since, reopened).
 */
async function guestListWork(
  tour: StoredTour,
  ref: ShowRef,
  deps: ToursDeps,
  eventMeta: { correlationId: string; labelId: string },
  scheduledFor: string,
): Promise<{ mails: TourMail[]; events: OutboxEntry[] } | undefined> {
  const locked = await deps.tours.getShow(ref);
  if (!locked?.show || !locked.guestListLockedAt) return undefined;
  if (guestListCutoff(locked.show) !== scheduledFor) return undefined;
  if (guestListClosedBefore(locked, scheduledFor)) return undefined;
  return guestListMail(tour, locked as LiveShow, eventMeta);
}
