import { wallTimeIn } from './calendar.ts';
import { addDays } from './days.ts';
import { nameHash } from './db/keys.ts';
import type { ShowStep } from './events/show-step-due.ts';
import {
  type Contact,
  clockTime,
  isNextDay,
  isNextMorning,
  type Show,
  type ShowStatus,
  showDayEnds,
  showTimeDate,
} from './events/tour-booked.ts';
import { wholeMinuteFrom } from './whole-minute.ts';

/**
 * Tours and shows as Backline keeps them: the label's latest description plus what Backline did with
 * them. Shared by tours (which writes them), the management API and the pages promoters and tour
 * managers open.
 */

export interface StoredTour {
  labelId: string;
  tourId: string;
  artist: { name: string };
  genres?: string[];
  tourManager: Contact;
  crew?: Contact[];
  currency?: string;
  /** The label's time of the change applied last (UTC ISO 8601, docs/design.md#ordering-by-the-labels-timestamp). */
  occurredAt: string;
}

export interface Guest {
  name: string;
  plusOnes: number;
  note?: string;
  addedAt: string;
}

/**
 * A name as the list tells names apart: case, spaces between words and the writing of accents aside
 * (an ë sent as e and U+0308 is one, NFC), so two entries that read the same are one guest.
 */
export const sameName = (name: string) => name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The names of `adding` a show's list holds already (`listed`), or that `adding` holds twice: a list
 * names a guest once, so a form sent twice (a double click, a reload of its POST) adds nobody twice.
 */
export const listedAlready = (
  listed: readonly Pick<Guest, 'name'>[],
  adding: readonly Pick<Guest, 'name'>[],
): string[] => {
  const seen = new Set(listed.map((guest) => sameName(guest.name)));
  return adding.flatMap(({ name }) => {
    const key = sameName(name);
    if (seen.has(key)) return [name];
    seen.add(key);
    return [];
  });
};

/**
 * Whether two venues are one: the same name in the same city and country, told apart as names are
 * (`sameName`). The label's events carry no venue id; a corrected address or capacity is the same
 * venue, a venue under another name another one, whose advance is asked again (docs/design.md#tours).
 */
export const sameVenue = (a: Show['venue'], b: Show['venue']): boolean => {
  const same = (x: string, y: string) => sameName(x) === sameName(y);
  return a.country === b.country && same(a.name, b.name) && same(a.city, b.city);
};

/** Names plus their plus-ones. */
export const guestCount = (guests: Guest[]): number =>
  guests.reduce((total, guest) => total + 1 + guest.plusOnes, 0);

/** What a promoter answers on the advance form. */
export interface AdvanceAnswers {
  loadInAccess: string;
  parking: string;
  power: string;
  backline: string;
  wifi: string;
  hospitality: string;
  dressingRooms: string;
  merchSplit: string;
  merchSeller: string;
  guestListAllotment: number;
  localCrewCall: string;
  settlementMethod: string;
  settlementCurrency: string;
  dayContact: { name: string; phone: string };
}

export interface StoredShow {
  labelId: string;
  tourId: string;
  showId: string;
  /** Absent only for a cancellation that arrived before the show itself (a tombstone). */
  show?: Show;
  promoterId: string;
  /**
   * The label's time of the change since which the show's advance is asked of its promoter, when that
   * was not the booking: the change that gave it to another promoter, or moved it to another venue
   * (`sameVenue`). Part of the advance mails' identity, so each promoter the show is given to, and its
   * promoter for each venue, is asked, and the tour manager told of their overdue advance, once
   * (docs/design.md#tours).
   */
  promoterSince?: string;
  occurredAt: string;
  /** The event that applied the change last, so a redelivered event redoes its schedules. */
  lastEventId: string;
  lastCorrelationId: string;
  /** Set while the schedules of the last change may not be in place yet (cleared once they are). */
  effectsPending?: true;
  /**
   * The countries whose outlets were told of the show, each with when press first went out about it
   * there: written before the press mail goes, removed once those outlets heard that it moved away.
   */
  pressCountries?: Record<string, string>;
  /** The steps taken, with the instant each was scheduled for. */
  stepsDone?: Partial<Record<ShowStep, string>>;
  /**
   * The label's time of the change whose show the press announcement stated (the show as its step read
   * it), written with its step: the press of that change needs no firing of its own (`pressToldLatest`).
   */
  pressAnnounced?: string;
  advance?: { answers: AdvanceAnswers; submittedAt: string; amendedAt?: string };
  guests?: Guest[];
  /**
   * The id of the last add of guests (a new one each add, the same in the SDK's retries of it), so an
   * add refused by its own landing, its answer lost, reads as added (docs/design.md#failures-and-retries).
   */
  guestsAddedBy?: string;
  guestListLockedAt?: string;
  /**
   * The cutoff instant (UTC ISO 8601) the list was locked and mailed for; absent on lists locked
   * before it was kept (those were locked for the cutoff in `stepsDone`).
   */
  guestListLockedFor?: string;
  cancellationReason?: string;
  settlement?: unknown;
  createdAt: string;
  updatedAt: string;
}

export type AdvanceStatus = 'not-requested' | 'requested' | 'reminded' | 'submitted' | 'overdue';

export function advanceStatusOf(show: Pick<StoredShow, 'advance' | 'stepsDone'>): AdvanceStatus {
  const done = show.stepsDone ?? {};
  if (show.advance) return 'submitted';
  if (done['advance-escalation']) return 'overdue';
  if (done['advance-reminder-1'] || done['advance-reminder-2']) return 'reminded';
  if (done['advance-request']) return 'requested';
  return 'not-requested';
}

/** Shows in these states are being advanced; a hold is not yet, a cancelled or settled show no longer. */
const advancing: ReadonlySet<ShowStatus> = new Set(['confirmed', 'announced', 'on-sale']);
export const isAdvancing = (status: ShowStatus): boolean => advancing.has(status);

/** Shows in these states are public: the press may hear of them (from `announceAt`). */
const announced: ReadonlySet<ShowStatus> = new Set(['announced', 'on-sale']);
export const isAnnounced = (status: ShowStatus): boolean => announced.has(status);
/**
 * The press may announce the show now: announced and its `announceAt` passed. What an announcement step
 * requires, and what "on again" means for an announcement the stale-claim sweep held (docs/design.md#tours).
 */
export const pressDue = (show: Show, now: string): boolean =>
  isAnnounced(show.status) && !(show.announceAt! > now);

/** A step's moment: the wall time in the venue's zone (as people read it) and the instant (the schedule's). */
export interface StepMoment {
  step: ShowStep;
  /** `YYYY-MM-DDTHH:MM:SS` in `timeZone`, already moved past a DST gap. */
  wallTime: string;
  timeZone: string;
  /** The instant, UTC ISO 8601: what the schedule's event carries, and what a firing is checked against. */
  scheduledFor: string;
  /**
   * When the schedule fires, UTC ISO 8601 (its `at()` is the next whole minute): `scheduledFor`, but
   * for press past its embargo the end of the gathering window (`pressGatherMoment`).
   */
  firesAt: string;
}

type AdvancingStep = Exclude<
  ShowStep,
  'press-announcement' | 'press-cancellation' | 'press-change' | 'day-sheet-update'
>;

/** Days before the show and the venue's local time of each step (docs/design.md#tours). */
const stepTimes: Record<AdvancingStep, { daysBefore: number; time: (show: Show) => string }> = {
  'advance-request': { daysBefore: 28, time: () => '10:00' },
  'advance-reminder-1': { daysBefore: 21, time: () => '10:00' },
  'advance-reminder-2': { daysBefore: 14, time: () => '10:00' },
  'advance-escalation': { daysBefore: 10, time: () => '10:00' },
  'day-sheet': { daysBefore: 1, time: () => '18:00' },
  'guest-list-cutoff': { daysBefore: 0, time: (show) => show.guestListCutoff ?? '17:00' },
};
const advancingSteps = Object.keys(stepTimes) as AdvancingStep[];

/** Every step that has a schedule of its own (the press cancellation follows the cancellation at once). */
export const scheduledSteps: ShowStep[] = [...advancingSteps, 'press-announcement'];

/** Without an embargo a show may be announced at any time: its press step is due at once. */
const noEmbargo = '1970-01-01T00:00:00.000Z';

const utcIso = (epochMs: number): string => new Date(epochMs).toISOString();

export function stepMoment(show: Show, step: ShowStep): StepMoment {
  if (step === 'press-announcement' || step === 'press-cancellation' || step === 'press-change') {
    // The embargo is an instant: its schedule is written in UTC, on the next whole minute (an at()
    // has no fractions, and Scheduler's precision is about a minute), so it never fires before it.
    const scheduledFor = show.announceAt ? new Date(show.announceAt).toISOString() : noEmbargo;
    return {
      step,
      wallTime: wholeMinuteFrom(Date.parse(scheduledFor)),
      timeZone: 'UTC',
      scheduledFor,
      firesAt: scheduledFor,
    };
  }
  // An updated day sheet belongs to the day sheet's day.
  const { daysBefore, time } = stepTimes[step === 'day-sheet-update' ? 'day-sheet' : step];
  const at = wallTimeIn(addDays(show.date, -daysBefore), time(show), show.venue.timeZone);
  const scheduledFor = utcIso(at.epochMs);
  return { step, wallTime: at.wallTime, timeZone: show.venue.timeZone, scheduledFor, firesAt: scheduledFor };
}

/**
 * Press that is due at once (no embargo, or one already over) waits this long, to the whole minute
 * after: shows of one country added together, in one webhook or in several landing within it, are
 * then one mail (docs/design.md#tours).
 */
export const pressGatherSeconds = 60;

/**
 * The press step of a show past its embargo: a schedule on the first whole minute at least
 * `pressGatherSeconds` after `now`, carrying the embargo's instant (what a firing is checked against).
 */
export function pressGatherMoment(show: Show, now: string): StepMoment {
  const firesAt = Date.parse(now) + pressGatherSeconds * 1000;
  return {
    ...stepMoment(show, 'press-announcement'),
    wallTime: wholeMinuteFrom(firesAt),
    firesAt: utcIso(firesAt),
  };
}

/** The steps that ask the promoter for the advance: they stop once it is in. */
export const advanceSteps: readonly ShowStep[] = [
  'advance-request',
  'advance-reminder-1',
  'advance-reminder-2',
  'advance-escalation',
];

/**
 * Steps taken again when the moment they are due for changes: a moved show's day sheet states the
 * new day, the day sheet goes again for each change of the show on its day, the press hears of
 * each change, and of each cancellation (a show back on may be cancelled again), and a postponed
 * show's guest list goes to the promoter at the new date's cutoff (only a list open again, see
 * `guestListReopens` and `guestListClosedBefore`). The others are taken once per show.
 */
const takenAgainWhenMoved: ReadonlySet<ShowStep> = new Set([
  'day-sheet',
  'guest-list-cutoff',
  'day-sheet-update',
  'press-change',
  'press-cancellation',
]);

/** Whether `step` was taken already for a firing set for `scheduledFor`. */
export function stepTaken(
  show: Pick<StoredShow, 'stepsDone'>,
  step: ShowStep,
  scheduledFor: string,
): boolean {
  const done = show.stepsDone?.[step];
  return done !== undefined && (done === scheduledFor || !takenAgainWhenMoved.has(step));
}

/**
 * Whether the press was told what the show's latest change holds: the press-change of that change done,
 * or the press announcement stated the show as of that change. Until then a press announcement taken has
 * its firing still to tell (firingOf), and the office's view does not state it done (docs/design.md#tours).
 */
export const pressToldLatest = (show: Pick<StoredShow, 'stepsDone' | 'occurredAt' | 'pressAnnounced'>) =>
  stepTaken(show, 'press-change', show.occurredAt) || show.pressAnnounced === show.occurredAt;

/**
 * Whether a change reopens the guest list (docs/design.md#tours): the show is postponed (its date at
 * the venue is later) and the new date's cutoff is still ahead. The list then takes guests again
 * until that cutoff, when it goes to the promoter again. A show moved earlier, changed on the same
 * day (times, venue, cutoff time), or postponed to a date whose cutoff has passed keeps it as it is.
 */
export const guestListReopens = (before: Show, after: Show, now: string): boolean =>
  after.date > before.date && guestListCutoff(after) > now;

/** The instant the show's guest list closes (its cutoff on show day, in the venue's zone). */
export const guestListCutoff = (show: Show): string => stepMoment(show, 'guest-list-cutoff').scheduledFor;

/**
 * Whether the list takes no guest added at `at`: it is locked, or its cutoff has passed. The list closes at
 * its cutoff, a time, whether or not the step that locks it and mails it to the promoter has run: one
 * running late mails it as it stood then, with no guest added since (docs/design.md#tours).
 */
export const guestListClosed = (
  stored: Pick<StoredShow, 'guestListLockedAt' | 'show'>,
  at: string,
): boolean => Boolean(stored.guestListLockedAt || (stored.show && at >= guestListCutoff(stored.show)));

/**
 * Whether the list closed at a cutoff other than `scheduledFor` (locked for it, and no postponement
 * reopened it) and that closing is done: its step recorded, which a cutoff's step does only once the
 * list's mail is claimed. That cutoff then neither locks nor mails it again. A list locked for
 * `scheduledFor` itself is a firing taken again after a crash, which mails what was locked; so is a
 * lock whose step was never recorded (the invocation died between the lock and the mail's claim),
 * whichever cutoff of the show fires next: the list as locked, claimed once by its identity (the
 * instant it was locked, docs/design.md#tours).
 */
export const guestListClosedBefore = (
  show: Pick<StoredShow, 'guestListLockedAt' | 'guestListLockedFor' | 'stepsDone'>,
  scheduledFor: string,
): boolean =>
  show.guestListLockedAt !== undefined &&
  show.stepsDone?.['guest-list-cutoff'] !== undefined &&
  (show.guestListLockedFor ?? show.stepsDone['guest-list-cutoff']) !== scheduledFor;

/** When the show's advance was last given (submitted, or amended since), if it was: the time naming its day sheet update. */
export const advancedAt = (show: Pick<StoredShow, 'advance'>): string | undefined =>
  show.advance?.amendedAt ?? show.advance?.submittedAt;

/** Whether the day sheet went out for the show's day as it is now (not for a day it was moved from). */
export const daySheetWent = (show: Pick<StoredShow, 'stepsDone'> & { show: Show }): boolean =>
  show.stepsDone?.['day-sheet'] === stepMoment(show.show, 'day-sheet').scheduledFor;

/** A show's times in the order of its day, each with its name as the day sheet and the calendars write it. */
export const showTimeLabels: readonly (readonly [keyof Show['times'], string])[] = [
  ['loadIn', 'Load-in'],
  ['soundcheck', 'Soundcheck'],
  ['doors', 'Doors'],
  ['set', 'Set'],
  ['curfew', 'Curfew'],
];

/**
 * A show's times in the order of its day, which is their schema's: a show read back from the table has
 * them in no set order (DynamoDB keeps no order of a map's keys).
 */
export const timesInDayOrder = (times: Show['times'] = {}): Show['times'] =>
  Object.fromEntries(showTimeLabels.flatMap(([key]) => (times[key] ? [[key, times[key]]] : [])));

/** What press states of a show: its date, times and venue (`showFacts`). */
export type PressFacts = Pick<Show, 'date' | 'times' | 'venue'>;

/**
 * What a calendar and a day sheet state of a show: a change to any of it is news for those told. The
 * times in their day's order, so that a stored show and the same show as a label sends it state the same.
 */

export const showFacts = (show: PressFacts): string =>
  JSON.stringify([
    show.date,
    timesInDayOrder(show.times),
    show.venue.name,
    show.venue.address,
    show.venue.city,
    show.venue.country,
    show.venue.timeZone,
  ]);

/**
 * `showFacts` as a short name: what a press statement keeps of the show it told, part of a day sheet
 * update's identity, and the version of the show an advance form posts back (docs/design.md#tours).
 */
export const showFactsHash = (show: PressFacts): string => nameHash([showFacts(show)], 16);

/** The steps a show has now: the advancing steps while it is advanced, the press step once it is announced. */
export const stepMoments = (show: Show): StepMoment[] => [
  ...(isAdvancing(show.status) ? advancingSteps.map((step) => stepMoment(show, step)) : []),
  ...(isAnnounced(show.status) ? [stepMoment(show, 'press-announcement')] : []),
];

/** Show day 00:00 at the venue: the advance form locks, and the tour manager's page stops taking guests for it after its cutoff. */
export const advanceLockAt = (show: Show): string =>
  utcIso(wallTimeIn(show.date, '00:00', show.venue.timeZone).epochMs);

/**
 * When a show runs, as its calendar event states it: from the doors (else the set, else the soundcheck,
 * else 20:00) to the curfew; without one (or one not after the start), 4 hours from the start, and an
 * hour past a set that starts later (00:15 after doors at 20:00).
 */
export function showSpan(show: Show): { startMs: number; endMs: number } {
  const times = show.times ?? {};
  const startMs = showTime(show, times.doors ?? times.set ?? times.soundcheck ?? '20:00').epochMs;
  const curfewMs = times.curfew ? showTime(show, times.curfew).epochMs : undefined;
  const setMs = times.set ? showTime(show, times.set).epochMs : startMs;
  const endMs =
    curfewMs !== undefined && curfewMs > startMs
      ? curfewMs
      : Math.max(startMs + 4 * 3600_000, setMs + 3600_000);
  return { startMs, endMs };
}

/**
 * The end of show day at the venue: the next day at `showDayEnds`, or the show's end (`showSpan`) when
 * it runs on past that, its set or curfew marked for the next morning (a curfew at `07:00+1`): step
 * mail and links of an all-night show last until its curfew (see docs/design.md#tours).
 */
export const showOverAt = (show: Show): string => {
  const dayEndsMs = wallTimeIn(addDays(show.date, 1), showDayEnds, show.venue.timeZone).epochMs;
  const { set, curfew } = show.times ?? {};
  const runsOn = [set, curfew].some((time) => time !== undefined && isNextMorning(time));
  return utcIso(runsOn ? Math.max(dayEndsMs, showSpan(show).endMs) : dayEndsMs);
};

/**
 * Until when a step's mail is of use: an advance step's until the form locks, any other's until the
 * show is over. The one rule for a step due at once (apply-change.ts), a step's firing and a stale
 * claim's resend (`stepStopped`, functions/tours/steps.ts).
 */
export const stepLapsesAt = (show: Show, step: string): string =>
  advanceSteps.includes(step as ShowStep) ? advanceLockAt(show) : showOverAt(show);

const epochSeconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
/** An advance link stays valid a day past the show's end at the venue (epoch seconds). */
export const advanceLinkExpiry = (show: Show): number => epochSeconds(showOverAt(show)) + 24 * 3600;
/**
 * The tour manager's link: the advance link's rule for the tour's last show still on (not cancelled),
 * so it follows the shows as they are now; `withoutShows` when no show is on (epoch seconds).
 */
export const tourManagerLinkExpiry = (shows: Show[], withoutShows: number): number => {
  const on = shows.filter((show) => show.status !== 'cancelled');
  return on.length ? Math.max(...on.map(advanceLinkExpiry)) : withoutShows;
};
/** A tour manager's link mailed for a tour with no show on yet lasts 30 days from `now`. */
export const tourManagerLinkWithoutShows = (now: Date): number =>
  epochSeconds(now.toISOString()) + 30 * 24 * 3600;

/** A show's time at the venue (a time before `showDayEnds`, or marked `+1`, is on the next calendar day). */
export function showTime(show: Show, time: string): { epochMs: number; wallTime: string } {
  return wallTimeIn(showTimeDate(show.date, time), clockTime(time), show.venue.timeZone);
}

/** The show's times as instants (UTC ISO 8601). */
export const showInstant = (show: Show, time: string): string => utcIso(showTime(show, time).epochMs);

/**
 * One of the show's times as a person reads it, the clock at the venue (`07:00`, never the stored
 * `07:00+1`); a time after midnight says so (a load-in, before the show, never is). Where the zone is
 * stated once for all the times (the calendar's description); `statedTime` elsewhere.
 */
export const clockReading = (key: keyof Show['times'], time: string): string =>
  `${clockTime(time)}${isNextDay(time) && key !== 'loadIn' ? ' (after midnight)' : ''}`;

/** One of the show's times in venue local time, with its zone (`clockReading`, 'doors 19:00 Europe/Berlin'). */
export const statedTime = (show: Pick<Show, 'venue'>, key: keyof Show['times'], time: string): string =>
  `${clockReading(key, time)} ${show.venue.timeZone}`;

/** The show's times as mails and pages state them (`statedTime`), in the order of its day. */
export const scheduleRows = (show: Show) =>
  showTimeLabels.flatMap(([key, label]) => {
    const time = show.times?.[key];
    return time ? [{ label, value: statedTime(show, key, time) }] : [];
  });

/** The advance form's fields as the promoter's page and the tour manager's sheets name them. */
export const advanceFieldLabels: Record<keyof AdvanceAnswers, string> = {
  loadInAccess: 'Load-in access',
  parking: 'Parking',
  power: 'Power',
  backline: 'Backline provided',
  wifi: 'Wi-Fi',
  hospitality: 'Hospitality and catering',
  dressingRooms: 'Dressing rooms',
  merchSplit: 'Merch split',
  merchSeller: 'Merch seller',
  guestListAllotment: 'Guest-list allotment',
  localCrewCall: 'Local crew call',
  settlementMethod: 'Settlement method',
  settlementCurrency: 'Settlement currency',
  dayContact: 'Contact on the day',
};

// An answer stored before the form took a line break as LF (December 2026) keeps the browser's CR LF:
// the same answer sent back now (docs/design.md#signed-pages).
const asTaken = (answer: unknown) => (typeof answer === 'string' ? answer.replace(/\r\n?/g, '\n') : answer);

/** Whether two advances give the same answers, field by field (a map read back from the table keeps no key order). */
export const sameAnswers = (a: AdvanceAnswers, b: AdvanceAnswers): boolean =>
  (Object.keys(advanceFieldLabels) as (keyof AdvanceAnswers)[]).every((key) =>
    key === 'dayContact'
      ? a.dayContact.name === b.dayContact.name && a.dayContact.phone === b.dayContact.phone
      : asTaken(a[key]) === asTaken(b[key]),
  );
