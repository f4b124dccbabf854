import { isDeepStrictEqual } from 'node:util';
import { InternalServerError } from '@aws-sdk/client-dynamodb';
import { tourRoutes } from '#functions/office/tours.ts';
import { emailSentAsks } from '#functions/settlement/settle.ts';
import {
  applyShowChange,
  bookTour,
  type ChangeMeta,
  type ShowChange,
} from '#functions/tours/apply-change.ts';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import {
  defaultToursSettings,
  type ShowSchedules,
  type ShowStepSchedule,
  type TourLinks,
  type TourMail,
  type TourMailer,
  type ToursDeps,
} from '#functions/tours/ports.ts';
import { followUpHeldPress, sweepStaleTourMail } from '#functions/tours/resend.ts';
import { daySheetWork, takeStep } from '#functions/tours/steps.ts';
import { timeoutSeconds } from '#infra/function-settings.ts';
import type { ChangeStep, ChangeSteps } from '#shared/db/change-steps.ts';
import type { MailClaims } from '#shared/db/deliveries.ts';
import type { LabelExistence } from '#shared/db/labels.ts';
import type { ClaimAwaitingAdvance, NotePressAndClaim } from '#shared/db/press-notes.ts';
import { notesPerWrite, type PressNotes } from '#shared/db/press-notes.ts';
import { mailSubjects } from '#shared/db/subject-deliveries.ts';
import type {
  AdvanceOutcome,
  ForgetOnChange,
  GuestsOutcome,
  PressStatement,
  PressTold,
  PromoterRecord,
  ShowRef,
  TourStore,
} from '#shared/db/tours.ts';
import {
  guestBytes,
  maxGuestBytes,
  maxGuestsPerShow,
  promoterIdOf,
  promoterRow,
  promoterShowRow,
  promoterShowsStartKey,
  promotersStartKey,
} from '#shared/db/tours.ts';
import type { EventData } from '#shared/events/envelope.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { ShowStep, ShowStepDue } from '#shared/events/show-step-due.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { managementApi } from '#shared/http/manager-api.ts';
import { settleFromEmailsSent } from '#shared/mail/email-sent.ts';
import { defaultMailSettings, MailerError } from '#shared/mail/ports.ts';
import type { Outlet } from '#shared/outlets.ts';
import {
  type AdvanceAnswers,
  advancedAt,
  type Guest,
  guestListClosed,
  listedAlready,
  pressGatherSeconds,
  type StoredShow,
  type StoredTour,
  showOverAt,
  stepMoment,
} from '#shared/tours.ts';
import { type ApiAnswer, callApi } from '#test/support/api.ts';
import {
  detailOf,
  emailSent,
  type FakeDeliveries,
  type FakeMailer,
  FakeSuppressionList,
  fakeMailDeps,
} from './announcer-fakes.ts';
import { indexPage } from './index-page.ts';
import { InMemoryLabels } from './intake.ts';

/** Tours in memory, with the table's rules (see test/contracts/tours.contract.ts); `outbox` holds what the writes published. */
export class InMemoryTours implements TourStore, PressNotes, ChangeSteps {
  readonly tours = new Map<string, StoredTour>();
  readonly shows = new Map<string, StoredShow>();
  readonly promoters = new Map<string, PromoterRecord>();
  readonly outbox: OutboxEntry[] = [];

  private showKey = (ref: ShowRef) => JSON.stringify([ref.labelId, ref.tourId, ref.showId]);

  async saveTour(tour: StoredTour) {
    const key = JSON.stringify([tour.labelId, tour.tourId]);
    const current = this.tours.get(key);
    if (current && current.occurredAt >= tour.occurredAt) return false;
    this.tours.set(key, structuredClone(tour));
    return true;
  }

  async getTour(labelId: string, tourId: string) {
    return structuredClone(this.tours.get(JSON.stringify([labelId, tourId])));
  }

  async getShow(ref: ShowRef) {
    return structuredClone(this.shows.get(this.showKey(ref)));
  }

  async tourWithShows(labelId: string, tourId: string) {
    const tour = await this.getTour(labelId, tourId);
    const shows = [...this.shows.values()]
      .filter((show) => show.labelId === labelId && show.tourId === tourId)
      .map((show) => structuredClone(show))
      .sort(
        (a, b) => (a.show?.date ?? '').localeCompare(b.show?.date ?? '') || a.showId.localeCompare(b.showId),
      );
    return { ...(tour ? { tour } : {}), shows };
  }

  async putShowIfNewer(
    show: StoredShow,
    entries: OutboxEntry[],
    {
      steps: forgetSteps = [],
      advance: forgetAdvance,
      guestListLock: forgetLock,
      daySheetFor,
    }: ForgetOnChange = {},
  ) {
    const current = this.shows.get(this.showKey(show));
    if (current && current.occurredAt >= show.occurredAt) return false;
    const { effectsPending, pressCountries: _told, ...rest } = structuredClone(show);
    const stepsDone = { ...(current?.stepsDone ?? {}) };
    for (const step of forgetSteps) delete stepsDone[step];
    if (daySheetFor) stepsDone['day-sheet'] = daySheetFor;
    const next: StoredShow = {
      ...current,
      ...rest,
      createdAt: current?.createdAt ?? show.createdAt,
      stepsDone,
      ...(effectsPending ? { effectsPending } : {}),
      ...(current?.advance ? { advance: current.advance } : {}),
      ...(current?.guests ? { guests: current.guests } : {}),
      ...(current?.guestListLockedAt ? { guestListLockedAt: current.guestListLockedAt } : {}),
      ...(current?.guestListLockedFor ? { guestListLockedFor: current.guestListLockedFor } : {}),
    };
    if (!current?.guestListLockedAt) delete next.guestListLockedAt;
    if (!current?.guestListLockedFor) delete next.guestListLockedFor;
    if (forgetAdvance) delete next.advance;
    if (!show.cancellationReason) delete next.cancellationReason;
    if (forgetLock) {
      delete next.guestListLockedAt;
      delete next.guestListLockedFor;
    }
    if (!effectsPending) delete next.effectsPending;
    this.shows.set(this.showKey(show), next);
    this.outbox.push(...entries);
    return true;
  }

  async markEffectsPerformed(ref: ShowRef, eventId: string) {
    const show = this.shows.get(this.showKey(ref));
    if (show?.lastEventId === eventId) delete show.effectsPending;
  }

  async putEntries(entries: OutboxEntry[]) {
    this.outbox.push(...entries);
  }

  async showsComing(now: string) {
    return [...this.shows.values()]
      .filter((stored) => stored.show && showOverAt(stored.show) >= now)
      .map(({ labelId, tourId, showId, show }) => structuredClone({ labelId, tourId, showId, show }));
  }

  async markStepDone(
    ref: ShowRef,
    step: ShowStep,
    scheduledFor: string,
    entries: OutboxEntry[],
    {
      promoterId,
      promoterSince,
      announced,
      advanced,
    }: { promoterId?: string; promoterSince?: string; announced?: string; advanced?: string | null } = {},
  ) {
    const show = this.shows.get(this.showKey(ref));
    if (!show?.stepsDone || show.stepsDone[step] === scheduledFor) return false;
    if (promoterId && (show.promoterId !== promoterId || show.promoterSince !== promoterSince)) return false;
    if (advanced !== undefined && (advancedAt(show) ?? null) !== advanced) return false;
    show.stepsDone[step] = scheduledFor;
    if (announced) show.pressAnnounced = announced;
    this.outbox.push(...entries);
    return true;
  }

  private readonly changesRecorded = new Set<string>();

  async recordChangeStep(ref: ShowRef, step: ChangeStep, change: string, entries: OutboxEntry[]) {
    const show = this.shows.get(this.showKey(ref));
    const marker = JSON.stringify([this.showKey(ref), step, change]);
    const recorded = show?.stepsDone?.[step];
    if (!show?.stepsDone || this.changesRecorded.has(marker) || recorded === change) return false;
    if (recorded === undefined || recorded < change) show.stepsDone[step] = change;
    this.changesRecorded.add(marker);
    this.outbox.push(...entries);
    return true;
  }

  private readonly continued = new Set<string>();

  async continueStep(
    ref: ShowRef,
    step: ShowStep,
    scheduledFor: string,
    read: string,
    cursor: string,
    entry: OutboxEntry,
  ) {
    const key = JSON.stringify([this.showKey(ref), step, scheduledFor, read, cursor]);
    if (this.continued.has(key)) return false;
    this.continued.add(key);
    this.outbox.push(entry);
    return true;
  }

  async saveAdvance(
    ref: ShowRef & { promoterId: string },
    answers: AdvanceAnswers,
    at: string,
    entries: (outcome: 'submitted' | 'amended', stored: StoredShow & { show: Show }) => OutboxEntry[],
    filledFor?: (read: StoredShow & { show: Show }) => boolean,
  ): Promise<AdvanceOutcome> {
    const show = this.shows.get(this.showKey(ref));
    if (!show) return 'unknown';
    if (show.promoterId !== ref.promoterId) return 'replaced';
    if (!show.show || show.show.status === 'cancelled') return 'cancelled';
    if (filledFor && !filledFor(structuredClone({ ...show, show: show.show }))) return 'changed';
    const outcome = show.advance ? 'amended' : 'submitted';
    const written = entries(outcome, structuredClone({ ...show, show: show.show }));
    show.advance = show.advance
      ? { answers, submittedAt: show.advance.submittedAt, amendedAt: at }
      : { answers, submittedAt: at };
    this.outbox.push(...written);
    return outcome;
  }

  async addGuests(ref: ShowRef, guests: Guest[]): Promise<GuestsOutcome> {
    const show = this.shows.get(this.showKey(ref));
    if (!show) return 'unknown';
    if (guests.some((guest) => guestListClosed(show, guest.addedAt))) return 'locked';
    if (!show.show || show.show.status === 'cancelled') return 'cancelled';
    if (listedAlready(show.guests ?? [], guests).length > 0) return 'listed';
    if ((show.guests?.length ?? 0) + guests.length > maxGuestsPerShow) return 'full';
    if (guestBytes(show.guests ?? []) + guestBytes(guests) > maxGuestBytes) return 'full';
    show.guests = [...(show.guests ?? []), ...structuredClone(guests)];
    return 'added';
  }

  async lockGuestList(ref: ShowRef, at: string, cutoff: { date: string; scheduledFor: string }) {
    const show = this.shows.get(this.showKey(ref));
    if (!show || show.guestListLockedAt || show.show?.date !== cutoff.date) return false;
    show.guestListLockedAt = at;
    show.guestListLockedFor = cutoff.scheduledFor;
    return true;
  }

  async savePromoter(promoter: PromoterRecord) {
    const current = this.promoters.get(promoter.promoterId);
    if (current && current.occurredAt >= promoter.occurredAt) return;
    this.promoters.set(promoter.promoterId, structuredClone(promoter));
  }

  async getPromoter(promoterId: string) {
    return structuredClone(this.promoters.get(promoterId));
  }

  async promotersPage(limit: number, after?: string[]) {
    if (after) promotersStartKey(after);
    const { rows, more } = indexPage([...this.promoters.values()], promoterRow, limit, after);
    return { promoters: rows.map((promoter) => structuredClone(promoter)), more };
  }

  async promoterShowsPage(promoterId: string, limit: number, after?: string[]) {
    if (after) promoterShowsStartKey(promoterId, after);
    const theirs = [...this.shows.values()].filter((show) => show.promoterId === promoterId && show.show);
    const { rows, more } = indexPage(theirs, promoterShowRow, limit, after);
    return { shows: rows.map((show) => structuredClone(show)), more };
  }

  readonly told = new Map<string, PressTold>();

  async pressTold(labelId: string, tourId: string, country: string) {
    const prefix = JSON.stringify([labelId, tourId, country]);
    return [...this.told.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, told]) => ({ ...structuredClone(told), showIds: [...told.showIds].sort() }));
  }

  async recordPressTold(
    labelId: string,
    tourId: string,
    country: string,
    told: PressTold,
    asNoted?: Record<string, PressStatement | null>,
  ) {
    // One write a part, each only while its shows' notes are as read (DynamoDB compares maps by value).
    for (let at = 0; at < told.showIds.length; at += notesPerWrite) {
      const part = { ...told, showIds: told.showIds.slice(at, at + notesPerWrite) };
      const noted = this.told.get(`${JSON.stringify([labelId, tourId, country])}${told.email}`)?.stated;
      const read = asNoted ? part.showIds.filter((showId) => part.stated?.[showId]) : [];
      if (read.some((showId) => !isDeepStrictEqual(noted?.[showId] ?? null, asNoted![showId] ?? null)))
        return false;
      this.notePressTold(labelId, tourId, country, part);
    }
    return true;
  }

  private notePressTold(labelId: string, tourId: string, country: string, told: PressTold) {
    if (told.showIds.length === 0) return;
    const key = `${JSON.stringify([labelId, tourId, country])}${told.email}`;
    const current = this.told.get(key);
    // The statements of `showIds` only, as the table's write sets them.
    const stated = {
      ...current?.stated,
      ...structuredClone(
        Object.fromEntries(Object.entries(told.stated ?? {}).filter(([id]) => told.showIds.includes(id))),
      ),
    };
    this.told.set(key, {
      email: told.email,
      outletId: told.outletId,
      showIds: [...new Set([...(current?.showIds ?? []), ...told.showIds])],
      ...(Object.keys(stated).length ? { stated } : {}),
    });
  }

  async recordPressToldAsRead(ref: ShowRef, occurredAt: string, country: string, told: PressTold[]) {
    if (this.shows.get(this.showKey(ref))?.occurredAt !== occurredAt) return false;
    // All at once, as one transaction (not through recordPressTold, which a test may hook).
    for (const entry of told) this.notePressTold(ref.labelId, ref.tourId, country, entry);
    return true;
  }

  /**
   * `NotePressAndClaim` over these notes and the mail module's `claims`: the show checked and the notes
   * written at once (by `recordPressToldAsRead`, which a test may hook), then the claims, as one
   * transaction writes them.
   */
  notePressAndClaim(claims: Pick<MailClaims, 'claimMany'>): NotePressAndClaim {
    return async ({ asRead, country, claims: page }, at) => {
      const notes = page.flatMap(({ told }) => told ?? []);
      const claimAll = () =>
        claims.claimMany(
          page.map(({ claim }) => claim),
          at,
        );
      // No check (the sweep's set of its own): the claims, then each note (by `recordPressTold`, which a
      // test may hook), so a reader between them sees what it would see after the transaction.
      if (!asRead.occurredAt) {
        const claimed = await claimAll();
        for (const note of notes) await this.recordPressTold(asRead.labelId, asRead.tourId, country, note);
        return { claimed, refused: false };
      }
      if (!(await this.recordPressToldAsRead(asRead, asRead.occurredAt, country, notes)))
        return { claimed: [], refused: true };
      return { claimed: await claimAll(), refused: false };
    };
  }

  /**
   * `ClaimAwaitingAdvance` over these shows and the mail module's `claims`: the show checked, then the
   * claims (or the stale claim's takeover), as one transaction writes them.
   */
  claimAwaitingAdvance(claims: Pick<MailClaims, 'claimMany' | 'reclaim'>): ClaimAwaitingAdvance {
    return async ({ promoterId, promoterSince, ...ref }, page, at) => {
      const show = this.shows.get(this.showKey(ref));
      const awaits =
        show?.promoterId === promoterId &&
        show.promoterSince === promoterSince &&
        !show.advance &&
        show.show?.status !== 'cancelled';
      if (!awaits) return { claimed: [], refused: true };
      const claimed = Array.isArray(page)
        ? await claims.claimMany(page, at)
        : [await claims.reclaim(page, at)].flatMap((taken) => taken ?? []);
      return { claimed, refused: false };
    };
  }

  async settlePressTold(
    labelId: string,
    tourId: string,
    country: string,
    email: string,
    sets: Record<string, string>,
    sent: boolean,
  ) {
    const told = this.told.get(`${JSON.stringify([labelId, tourId, country])}${email}`);
    // Each note on its own, only while it names its set.
    for (const [showId, set] of Object.entries(sets)) {
      const note = told?.stated?.[showId];
      if (!told || note?.set !== set) continue;
      told.showIds = told.showIds.filter((id) => id !== showId);
      if (!sent) continue;
      delete note.set;
      told.showIds.push(showId);
    }
  }

  async recordPressCountry(ref: ShowRef, country: string, since: string, anew?: boolean, asRead?: string) {
    const show = this.shows.get(this.showKey(ref));
    if (asRead && show?.occurredAt !== asRead) return false;
    if (!show) throw new Error(`show ${ref.showId} is not stored`);
    show.pressCountries = anew
      ? { ...show.pressCountries, [country]: since }
      : { [country]: since, ...show.pressCountries };
    return true;
  }

  async forgetPressCountry(ref: ShowRef, country: string, since: string) {
    const show = this.shows.get(this.showKey(ref));
    if (show?.pressCountries?.[country] === since && show.show?.venue.country !== country)
      delete show.pressCountries[country];
  }

  async showsOfPromoter(promoterId: string) {
    return [...this.shows.values()]
      .filter((show) => show.promoterId === promoterId && show.show)
      .sort((a, b) => (a.show?.date ?? '').localeCompare(b.show?.date ?? ''));
  }
}

/** Schedules in memory: by name-free identity [labelId, tourId, showId, step]. */
export class InMemoryShowSchedules implements ShowSchedules {
  readonly schedules = new Map<string, ShowStepSchedule>();
  readonly log: string[] = [];
  async upsert(schedule: ShowStepSchedule) {
    const key = JSON.stringify([schedule.labelId, schedule.tourId, schedule.showId, schedule.moment.step]);
    this.schedules.set(key, structuredClone(schedule));
    this.log.push(`upsert ${schedule.showId} ${schedule.moment.step}`);
  }
  async delete(ref: { labelId: string; tourId: string; showId: string; step: ShowStep }) {
    this.schedules.delete(JSON.stringify([ref.labelId, ref.tourId, ref.showId, ref.step]));
    this.log.push(`delete ${ref.showId} ${ref.step}`);
  }
  forShow(showId: string) {
    return [...this.schedules.values()].filter((s) => s.showId === showId);
  }
  /** The Show Step Due of each schedule that fires by `now` (removed, as a fired one-time schedule is), soonest first. */
  firing(now: Date): EventData<typeof ShowStepDue>[] {
    const firesAt = ({ moment }: ShowStepSchedule) =>
      moment.timeZone === 'UTC' ? `${moment.wallTime}.000Z` : moment.scheduledFor;
    const fired = [...this.schedules.entries()]
      .filter(([, schedule]) => firesAt(schedule) <= now.toISOString())
      .sort(([, a], [, b]) => firesAt(a).localeCompare(firesAt(b)));
    for (const [key] of fired) this.schedules.delete(key);
    return fired.map(([, { labelId, tourId, showId, moment }]) => ({
      labelId,
      tourId,
      showId,
      step: moment.step,
      scheduledFor: moment.scheduledFor,
    }));
  }
}

/**
 * Takes the steps due: the Show Step Due entries written so far, then, after the press gathering
 * window (the clock moved on by it), the press schedules that fire by then.
 */
export async function runDueSteps(
  fakes: Pick<ReturnType<typeof fakeToursDeps>, 'deps' | 'tours' | 'schedules'>,
  now: { value: Date },
): Promise<EventData<typeof ShowStepDue>[]> {
  const taken: EventData<typeof ShowStepDue>[] = [];
  const take = async (due: EventData<typeof ShowStepDue>) => {
    taken.push(due);
    await takeStep(due, { correlationId: 'c' }, fakes.deps);
  };
  const written = () =>
    fakes.tours.outbox
      .splice(0)
      .filter((e) => e.detailType === 'Show Step Due')
      .map((e) => e.detail.data as EventData<typeof ShowStepDue>);
  for (const due of written()) await take(due);
  now.value = new Date(now.value.getTime() + (pressGatherSeconds + 60) * 1000);
  const press = fakes.schedules.firing(now.value).filter((due) => due.step === 'press-announcement');
  for (const due of press) await take(due);
  for (const due of written()) await take(due);
  return taken;
}

/**
 * Tour mail through the real mail module (claims, SES calls, marks) on the contract-held fake delivery
 * store and a fake SES: a mail is sent once per identity because the module's claim says so. `sent`
 * keeps each mail the module sent, as the sender wrote it.
 */
export class InMemoryTourMailer implements TourMailer {
  readonly sent: TourMail[] = [];
  /** The fake SES under the module: its `script` makes SES refuse or throttle. */
  readonly ses: FakeMailer;
  readonly #module: TourMailer;
  /** `suppressions`: the mail module's suppression list. */
  constructor(now: () => Date, suppressions = new FakeSuppressionList(), tours = new InMemoryTours()) {
    const { deps, mailer } = fakeMailDeps(now, defaultMailSettings(timeoutSeconds.tours));
    this.ses = mailer;
    deps.suppressions = suppressions;
    this.#module = moduleTourMailer(
      deps,
      async (claims) => `https://backline.example/u/${claims.outletId}`,
      timeoutSeconds.tours * 1000,
      tours.notePressAndClaim(deps.deliveries),
      tours.claimAwaitingAdvance(deps.deliveries),
    );
  }
  async send(mails: TourMail[], leftOutSuppressed?: Parameters<TourMailer['send']>[1]) {
    let sent = 0;
    // One at a time, to know which of them the module sent.
    for (const mail of mails) {
      if ((await this.#module.send([mail], leftOutSuppressed)) === 0) continue;
      this.sent.push(structuredClone(mail));
      sent++;
    }
    return sent;
  }
  reached: TourMailer['reached'] = (mails) => this.#module.reached(mails);
  claimsOf: TourMailer['claimsOf'] = (mails) => this.#module.claimsOf(mails);
  spend: TourMailer['spend'] = (mails) => this.#module.spend(mails);
  sweepStale: TourMailer['sweepStale'] = (subjectType, rebuild, deadline, leftOutSuppressed) =>
    this.#module.sweepStale(subjectType, rebuild, deadline, leftOutSuppressed);
}

export const fakeLinks: TourLinks = {
  advance: async (claims) => `https://backline.example/a/${claims.showId}`,
  tourManager: async (claims) => `https://backline.example/tm/${claims.tourId}`,
};

export function fakeToursDeps(now: { value: Date }) {
  const tours = new InMemoryTours();
  const schedules = new InMemoryShowSchedules();
  const outlets: Outlet[] = [];
  const suppressed = new Set<string>();
  const suppressions = new FakeSuppressionList(suppressed, new Set(), () => outlets);
  const mailer = new InMemoryTourMailer(() => now.value, suppressions, tours);
  const deps: ToursDeps = {
    tours,
    // The directory in pages of `settings.pressPageSize`, in insertion order; the cursor is an index.
    outlets: {
      async list({ limit, cursor, where = () => true }) {
        const from = cursor ? Number(cursor) : 0;
        const page = outlets.slice(from, from + limit);
        const next = from + limit < outlets.length ? String(from + limit) : undefined;
        return { outlets: page.filter(where), ...(next ? { nextCursor: next } : {}) };
      },
      getMany: async (outletIds) =>
        new Map(
          outlets.filter((outlet) => outletIds.includes(outlet.id)).map((outlet) => [outlet.id, outlet]),
        ),
    },
    settings: { ...defaultToursSettings },
    schedules,
    mailer,
    suppressions,
    links: fakeLinks,
    now: () => now.value,
  };
  return { deps, tours, schedules, mailer, outlets, suppressed };
}

/** The booking of tour-1 with `shows` (spread in `genres` for its press). */
export const tourOf = (shows: Show[]) => ({
  tourId: 'tour-1',
  artist: { name: 'The Midnight Echoes' },
  tourManager: { name: 'Sam Reyes', email: 'sam@tm.example' },
  crew: [{ name: 'Jo Kim', email: 'jo@crew.example' }],
  shows,
});

let events = 0;
/** A change's metadata as the label sent it at `occurredAt`, with an event id of its own. */
export const metaAt = (occurredAt: string): ChangeMeta => ({
  labelId: 'lbl-1',
  eventId: `evt-${++events}`,
  correlationId: 'corr-1',
  occurredAt,
});

/** A show of tourOf's tour. */
export const ref = (showId = 'show-1') => ({ labelId: 'lbl-1', tourId: 'tour-1', showId });

/** The kinds of the mails the German press outlet (`aPressOutlet('de', ['DE'])`: toldDePressOf's) got from `ses`, in order. */
export const kindsToldDe = (ses: FakeMailer) => ses.kindsReceivedBy('de@press.example');

/** A press outlet for the tour's genre in `territories`. */
export const aPressOutlet = (id: string, territories: string[], overrides: Partial<Outlet> = {}): Outlet => ({
  id,
  name: `Outlet ${id}`,
  email: `${id}@press.example`,
  kind: 'press',
  genres: ['synthpop'],
  territories,
  createdAt: '2027-01-01T00:00:00Z',
  updatedAt: '2027-01-01T00:00:00Z',
  ...overrides,
});

/** The label cancels `showId` of tourOf's tour at `occurredAt`, and the press-cancellation step the cancel writes is taken. */
export async function cancelShow(
  fakes: Pick<ReturnType<typeof fakeToursDeps>, 'deps' | 'tours'>,
  showId: string,
  occurredAt: string,
) {
  await applyShowChange('tour-1', { type: 'cancel', showId }, metaAt(occurredAt), fakes.deps);
  const cancellation = fakes.tours.outbox.find(
    (e) =>
      e.detailType === 'Show Step Due' && (e.detail.data as { step: string }).step === 'press-cancellation',
  );
  await takeStep(cancellation?.detail.data as never, { correlationId: 'c' }, fakes.deps);
}

/** A show with defaults, dated relative to nothing: give `date` (and the zone) per test. */
export const aShow = (overrides: Partial<Show> = {}): Show => ({
  showId: 'show-1',
  date: '2027-05-14',
  venue: {
    name: 'Columbiahalle',
    address: 'Columbiadamm 13',
    city: 'Berlin',
    country: 'DE',
    timeZone: 'Europe/Berlin',
  },
  times: { loadIn: '14:00', soundcheck: '16:30', doors: '19:00', set: '21:00', curfew: '23:00' },
  promoter: { name: 'Nachtkonzerte', email: 'booking@nacht.example' },
  status: 'confirmed',
  ...overrides,
});

/** The answers a promoter types into the advance form, by field (each field's id and name). */
export const advanceFormAnswers: Readonly<Record<string, string>> = {
  loadInAccess: 'Back door',
  parking: 'Two spaces',
  power: '63 A',
  backline: 'None',
  wifi: 'guest',
  hospitality: 'Dinner',
  dressingRooms: 'Two',
  merchSplit: '80/20',
  merchSeller: 'Venue',
  guestListAllotment: '20',
  localCrewCall: '4 at 14:00',
  settlementMethod: 'Transfer',
  settlementCurrency: 'eur',
  dayContactName: 'Kim',
  dayContactPhone: '+49 30 1',
};

/** The promoter's advance form filled in, as the page posts it (URL-encoded), with `csrf` and `overrides`. */
export const filledAdvanceForm = (csrf: string, overrides: Record<string, string> = {}) =>
  new URLSearchParams({ csrf, ...advanceFormAnswers, ...overrides }).toString();

/** The promoter's answers as the store keeps them once the form is saved (`saveAdvance`). */
export const advanceAnswers: AdvanceAnswers = {
  loadInAccess: 'Back door',
  parking: 'Two',
  power: '63 A',
  backline: 'None',
  wifi: 'guest',
  hospitality: 'Dinner',
  dressingRooms: 'Two',
  merchSplit: '80/20',
  merchSeller: 'Venue',
  guestListAllotment: 20,
  localCrewCall: '4',
  settlementMethod: 'Transfer',
  settlementCurrency: 'EUR',
  dayContact: { name: 'Kim', phone: '+49 30 1' },
};

/** aShow announced (show-1 in Berlin), its press embargoed until 1 February 2027 09:00 UTC. */
export const announcedShow = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

/** announcedShow's tour on: show-2 the next day at the Docks in Hamburg, its press embargoed alike. */
export const announcedInHamburg = aShow({
  ...announcedShow,
  showId: 'show-2',
  date: '2027-05-15',
  venue: { ...announcedShow.venue, name: 'Docks', city: 'Hamburg' },
});

/** announcedShow's tour on: show-3 two days later at the Tonhalle in München, its press embargoed alike. */
export const announcedInMunich = aShow({
  ...announcedShow,
  showId: 'show-3',
  date: '2027-05-16',
  venue: { ...announcedShow.venue, name: 'Tonhalle', city: 'München' },
});

/**
 * A tour of `show` (announced, its press announcement due) booked with one DE press outlet, its due
 * steps run: the outlet was told of the show, its announcement went.
 */
export async function toldDePressOf(show: Show) {
  const now = { value: new Date('2027-02-02T00:00:00Z') };
  const fakes = fakeToursDeps(now);
  fakes.outlets.push(aPressOutlet('de', ['DE']));
  await bookTour({ ...tourOf([show]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), fakes.deps);
  await runDueSteps(fakes, now);
  return { now, fakes, ...fakes };
}

/**
 * A tour of `show` (announced, its press announcement due) booked with one DE press outlet, the steps
 * the booking wrote taken, the clock at the end of the gathering window: `firing` is the press
 * announcement's Show Step Due, fired and not yet taken, so that a test can take it by hand and race it.
 * toldDePressOf's opening, stopped before the announcement.
 */
export async function dePressFiringOf(show: Show) {
  const now = { value: new Date('2027-02-02T00:00:00Z') };
  const fakes = fakeToursDeps(now);
  fakes.outlets.push(aPressOutlet('de', ['DE']));
  await bookTour({ ...tourOf([show]), genres: ['synthpop'] }, metaAt(now.value.toISOString()), fakes.deps);
  await takeStepsWritten(fakes);
  now.value = new Date(now.value.getTime() + (pressGatherSeconds + 60) * 1000);
  const [firing] = fakes.schedules.firing(now.value).filter((due) => due.step === 'press-announcement');
  return { now, fakes, ...fakes, firing };
}

/**
 * toldDePressOf(`show`), then on 3 February 2027 the label cancels show-1: `cancellation` is the first
 * step the cancel wrote, taken off the outbox and not yet taken, so that a test can take it by hand and
 * race it.
 */
export async function dePressCancelledOf(show: Show) {
  const told = await toldDePressOf(show);
  told.now.value = new Date('2027-02-03T00:00:00Z');
  await applyShowChange(
    'tour-1',
    { type: 'cancel', showId: 'show-1' },
    metaAt(told.now.value.toISOString()),
    told.deps,
  );
  const [cancellation] = stepsWritten(told.tours);
  return { ...told, cancellation };
}

type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/**
 * `act` run once, at the first call of `target[method]` that `when` lets through (any, unless given),
 * before that call goes on: a change raced against a step or a follow-up at that point. `raced()` says
 * whether it ran; `unhook()` puts the method back.
 */
export function raceAt<T extends object, K extends keyof T>(
  target: T,
  method: K,
  act: () => Promise<unknown>,
  when: (...args: ArgsOf<T[K]>) => boolean = () => true,
) {
  const original = (target[method] as (...args: ArgsOf<T[K]>) => Promise<unknown>).bind(target);
  let raced = false;
  target[method] = (async (...args: ArgsOf<T[K]>) => {
    if (!raced && when(...args)) {
      raced = true;
      await act();
    }
    return original(...args);
  }) as T[K];
  return {
    raced: () => raced,
    unhook: () => {
      target[method] = original as T[K];
    },
  };
}

/**
 * raceAt whose act throws `message`: the first call of `target[method]` that `when` lets through fails, as
 * a step, sweep or write stopped there would (a timeout, a throttled call); later calls go on.
 */
export const stopOnceAt = <T extends object, K extends keyof T>(
  target: T,
  method: K,
  message: string,
  when?: (...args: ArgsOf<T[K]>) => boolean,
) =>
  raceAt(
    target,
    method,
    async () => {
      throw new Error(message);
    },
    when,
  );

/**
 * dePressCancelledOf's `cancellation` taken while, at the point `race` hooks (it sets the hook and gives
 * back what takes it off), the label sets show-1 on again as `onAgain` a minute later (2027-02-03T00:01)
 * and that change's steps run, once; then whatever the change left due runs and the sweep looks, a day
 * on. Whether the change came, the show's status, and the kinds of the German outlet's mails.
 */
export async function cancellationRacedByOnAgain(
  world: Awaited<ReturnType<typeof dePressCancelledOf>>,
  onAgain: Show,
  race: (setOnAgain: () => Promise<void>) => () => void,
) {
  let raced = false;
  const unhook = race(async () => {
    if (raced) return;
    raced = true;
    await changeAt(world, '2027-02-03T00:01:00.000Z', { type: 'set', show: onAgain });
    await takeStepsWritten(world.fakes);
  });
  await takeStep(world.cancellation, { correlationId: 'c' }, world.deps);
  unhook();
  await runDueSteps(world.fakes, world.now);
  await sweepsOn(world, 48);
  const show = await world.tours.getShow(ref());
  return {
    raced,
    status: show?.show?.status,
    kinds: kindsToldDe(world.mailer.ses),
  };
}

/**
 * A tour of `shows` (announced, their press announcement due) booked with `outlets` (one DE press outlet
 * unless given), its due steps run while SES's answers are lost: each press mail's claim is left open
 * (no Email Sent), as toldDePressOf's would be had SES not answered. SES answers again afterwards.
 */
export async function announcedWithAnswersLost(
  shows: Show[],
  outlets: Outlet[] = [aPressOutlet('de', ['DE'])],
) {
  const now = { value: new Date('2027-02-02T00:00:00Z') };
  const fakes = fakeToursDeps(now);
  fakes.outlets.push(...outlets);
  fakes.mailer.ses.script = lostAnswers;
  await bookTour({ ...tourOf(shows), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), fakes.deps);
  await runDueSteps(fakes, now);
  fakes.mailer.ses.script = undefined;
  return { now, fakes, ...fakes };
}

/**
 * announcedWithAnswersLost([announcedShow]), the steps its booking wrote taken off the outbox; a day later
 * show-1 is put on hold and the sweep holds the German outlet's announcement (putOffAndHeldBySweep):
 * `held`, the sweep's outcome.
 */
export async function announcementLostThenOnHold() {
  const world = await announcedWithAnswersLost([announcedShow]);
  stepsWritten(world.tours);
  const held = await putOffAndHeldBySweep(world, { type: 'set', show: { ...announcedShow, status: 'hold' } });
  return { ...world, held };
}

/**
 * toldDePressOf(`show`), then, SES's answers lost, the label cancels show-1 (2027-02-03T00:00) and sets it
 * on again as `onAgain` a minute later, while the cancellation's claim is open and fresh: each change's
 * steps taken, both mails' claims left open. SES answers again afterwards.
 */
export async function cancelledAndOnAgainAnswersLost(show: Show, onAgain: Show) {
  const told = await toldDePressOf(show);
  const { fakes, deps, mailer } = told;
  mailer.ses.script = lostAnswers;
  await applyShowChange('tour-1', { type: 'cancel', showId: 'show-1' }, metaAt('2027-02-03T00:00:00Z'), deps);
  await takeStepsWritten(fakes);
  await applyShowChange('tour-1', { type: 'set', show: onAgain }, metaAt('2027-02-03T00:01:00Z'), deps);
  await takeStepsWritten(fakes);
  mailer.ses.script = undefined;
  return told;
}

/** Steps the outbox holds (the Show Step Due entries written so far), taken off it. */
export const stepsWritten = (tours: ReturnType<typeof fakeToursDeps>['tours']) =>
  tours.outbox
    .splice(0)
    .filter((e) => e.detailType === 'Show Step Due')
    .map((e) => e.detail.data as EventData<typeof ShowStepDue>);

/** Takes the steps the outbox holds (stepsWritten), each once, in order. */
export async function takeStepsWritten(fakes: Pick<ReturnType<typeof fakeToursDeps>, 'deps' | 'tours'>) {
  for (const step of stepsWritten(fakes.tours)) await takeStep(step, { correlationId: 'c' }, fakes.deps);
}

/** SES's answer lost: the fake SES's script for a call whose outcome is unknown (its claims stay open). */
export const lostAnswers = () => new MailerError('unknown', 'the answer was lost');

/**
 * tourOf(`shows`) booked (at the turn of 2027) at `at`, its tour mail through the real mail module on a
 * fake SES (`ses`, claims in `mail.deliveries`, a claim stale after 60 s): the steps the booking wrote
 * are taken off the outbox, for each test to take the ones it means to. The shape of toldDePressOf's,
 * `deps` (and `fakes.deps`) mailing through the module.
 */
export async function bookedWithMailModule(at: string, shows: Show[] = [aShow()]) {
  const now = { value: new Date(at) };
  const { deps: mail, mailer: ses } = fakeMailDeps(() => now.value, defaultMailSettings(60));
  const world = fakeToursDeps(now);
  const deps: ToursDeps = {
    ...world.deps,
    mailer: moduleTourMailer(
      mail,
      async () => 'https://b.example/u/x',
      60_000,
      world.tours.notePressAndClaim(mail.deliveries),
      world.tours.claimAwaitingAdvance(mail.deliveries),
    ),
  };
  await bookTour(tourOf(shows), metaAt('2027-01-01T00:00:00Z'), deps);
  stepsWritten(world.tours);
  const fakes = { ...world, deps };
  return { now, fakes, ...fakes, mail, ses };
}

/** `step`'s moment for `show`, `minutes` after it: the clock of a step's scene. */
export const minutesAfterStep = (show: Show, step: ShowStep, minutes = 0) =>
  new Date(Date.parse(stepMoment(show, step).scheduledFor) + minutes * 60_000).toISOString();

/** `show` booked on 1 April 2027 with the mail module (bookedWithMailModule), the clock at `step`'s moment. */
export async function bookedAtStep(show: Show, step: ShowStep) {
  const w = await bookedWithMailModule('2027-04-01T00:00:00Z', [show]);
  w.now.value = new Date(stepMoment(show, step).scheduledFor);
  return w;
}

/** The events of `detailType` in the tours store's outbox. */
export const toursOutboxOf = (tours: InMemoryTours, detailType: string) =>
  tours.outbox.filter((e) => e.detailType === detailType);

type MailModuleWorld = Awaited<ReturnType<typeof bookedWithMailModule>>;

/**
 * The German outlet's announcement of show-1 (announced, press from 1 February 2027) sent by SES, its
 * answer lost (the claim stays open), its Email Sent not yet come: the press goes through the mail
 * module with the tours function's settings, its delivery store at hand (`mail`) for the Email Sent
 * that comes late, `announcement` the mail SES took. `others`: more outlets, whose announcements go in
 * the same call, their answers lost too; `shows`: the tour's shows, one mail announcing them all.
 */
export async function pressAnnouncementSentAnswerLost(
  others: Outlet[] = [],
  shows: Show[] = [announcedShow],
) {
  const now = { value: new Date('2027-02-02T00:00:00Z') };
  const world = fakeToursDeps(now);
  world.outlets.push(aPressOutlet('de', ['DE']), ...others);
  const { deps: mail, mailer: ses } = fakeMailDeps(
    () => now.value,
    defaultMailSettings(timeoutSeconds.tours),
  );
  const deps: ToursDeps = {
    ...world.deps,
    mailer: moduleTourMailer(
      mail,
      async () => 'https://b.example/u/x',
      timeoutSeconds.tours * 1000,
      world.tours.notePressAndClaim(mail.deliveries),
      world.tours.claimAwaitingAdvance(mail.deliveries),
    ),
  };
  const fakes = { ...world, deps };
  ses.script = (_mail, call) => (call === 1 ? 'accept-then-fail' : (undefined as never));
  await bookTour({ ...tourOf(shows), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
  await runDueSteps(fakes, now);
  const [announcement] = ses.receivedBy('de@press.example');
  return { now, mail, ses, deps, fakes, announcement };
}

/**
 * pressAnnouncementSentAnswerLost, then heldThenInParis: the announcement SES sent (its answer lost) held
 * while show-1 was on hold, the show announced again at the Olympia in Paris on 10 February 2027.
 */
export async function answerLostThenInParis() {
  const world = await pressAnnouncementSentAnswerLost();
  await heldThenInParis(world);
  return world;
}

/** pressAnnouncementSentAnswerLost's Email Sent, late, settled at `at`: the announcement went, its follow-up taken. */
export async function lateEmailSentAt(
  world: Pick<
    Awaited<ReturnType<typeof pressAnnouncementSentAnswerLost>>,
    'now' | 'mail' | 'deps' | 'announcement'
  >,
  at: string,
) {
  world.now.value = new Date(at);
  await emailsSentSettled(world, [emailSent(world.announcement)]);
}

/**
 * The German outlet's Tour Press Settled for show-1 delivered again (at `at`, the clock as it is unless given):
 * its follow-up taken once more.
 */
export async function dePressSettledAgain(world: Pick<MailModuleWorld, 'now' | 'deps'>, at?: string) {
  if (at) world.now.value = new Date(at);
  await followUpHeldPress(
    { labelId: 'lbl-1', tourId: 'tour-1', country: 'DE', email: 'de@press.example', showIds: ['show-1'] },
    world.deps,
  );
}

/** The label cancels show-1 on 11 February 2027 (wherever it then is), the change's steps taken. */
export async function cancelledOn11February(world: SceneWorld) {
  await changeAt(world, '2027-02-11T00:00:00.000Z', { type: 'cancel', showId: 'show-1' });
  await takeStepsWritten(world.fakes);
}

/**
 * pressAnnouncementSentAnswerLost's late Email Sent settled on 12 February 2027 while, at its follow-up's
 * first call of `raced` on the tours store, the label sets show-1 on again at the Olympia in Paris
 * (heldInParis) a minute later and that change's steps run; then whatever the change left due runs and
 * the sweep looks, a day on. Whether the change came.
 */
export async function lateEmailSentRacedByParis(
  world: Awaited<ReturnType<typeof pressAnnouncementSentAnswerLost>>,
  raced: 'pressTold' | 'recordPressCountry',
) {
  const race = raceAt(world.fakes.tours, raced, async () => {
    await changeAt(world, '2027-02-12T00:01:00.000Z', { type: 'set', show: heldInParis });
    await takeStepsWritten(world.fakes);
  });
  await lateEmailSentAt(world, '2027-02-12T00:00:00Z');
  race.unhook();
  await runOnTo(world, '2027-02-12T00:03:00Z');
  await sweepsOn(world, 48);
  return race.raced();
}

/**
 * SES's Email Sent events `details` settled as the settlement function settles them (`emailSentAsks`: what follows
 * the mails marked, stored with the marks), then each `Tour Press Settled` that write stored handled by
 * tours (`followUpHeldPress`), as the bus would deliver it.
 */
export async function emailsSentSettled(
  world: Pick<MailModuleWorld, 'mail' | 'deps'>,
  details: Parameters<typeof settleFromEmailsSent>[0],
) {
  await settleFromEmailsSent(details, world.mail, emailSentAsks);
  const outbox = (world.mail.deliveries as FakeDeliveries).outbox;
  for (const entry of outbox.splice(0).filter((e) => e.detailType === 'Tour Press Settled'))
    await followUpHeldPress(detailOf(entry).data, world.deps);
}

/**
 * The claim of a show's own mail of `kind` to `email` (one a crash left open before SES): its subject is
 * the show's, with `moment` where the kind's identity has one (a day sheet's day, a guest list's lock).
 */
export const showMailClaim = (
  kind: string,
  email: string,
  { showId = 'show-1', moment }: { showId?: string; moment?: string } = {},
) => ({
  labelId: 'lbl-1',
  subject: mailSubjects.show('tour-1', showId, moment),
  email,
  kind,
  stream: 'operational' as const,
  context: { tourId: 'tour-1', showId },
});

/**
 * bookedWithMailModule's show-1 at its guest-list cutoff (the clock moved to it): the cutoff's step locked
 * the list and claimed its mail to the promoter, then the invocation died before SES; its retry found the
 * claim (being sent) and recorded the step. The cutoff's moment.
 */
export async function guestListClaimLeftAtCutoff(world: MailModuleWorld) {
  const cutoff = stepMoment(aShow(), 'guest-list-cutoff').scheduledFor;
  world.now.value = new Date(cutoff);
  await world.tours.lockGuestList(ref(), cutoff, { date: aShow().date, scheduledFor: cutoff });
  await world.mail.deliveries.claim(
    showMailClaim('guest-list-cutoff', 'booking@nacht.example', { moment: cutoff }),
    cutoff,
  );
  await takeShowStep(world, 'guest-list-cutoff', cutoff);
  return cutoff;
}

/** The label's change of tourOf's tour at `at` (the clock moved to it, the change's occurredAt `at` as written). */
export async function changeAt(world: Pick<MailModuleWorld, 'now' | 'deps'>, at: string, change: ShowChange) {
  world.now.value = new Date(at);
  await applyShowChange('tour-1', change, metaAt(at), world.deps);
}

/**
 * The tour manager's day sheet update of show-1 for the change at `change`, as the show is stored now,
 * claimed and never sent: its invocation died before SES (the claim goes stale for the sweep).
 */
export async function updateClaimedNotSent(
  world: Pick<MailModuleWorld, 'deps' | 'tours' | 'mail'>,
  change: string,
) {
  const [tour, stored] = await Promise.all([
    world.tours.getTour('lbl-1', 'tour-1'),
    world.tours.getShow(ref()),
  ]);
  const { mails } = await daySheetWork(
    tour!,
    stored as Parameters<typeof daySheetWork>[1],
    world.deps,
    { correlationId: 'c', labelId: 'lbl-1' },
    change,
  );
  const update = mails.find((m) => m.to.email === 'sam@tm.example')!;
  await world.mail.deliveries.claim(
    {
      labelId: 'lbl-1',
      subject: update.subject,
      email: 'sam@tm.example',
      kind: update.kind,
      stream: 'operational',
      context: update.context,
    },
    change,
  );
}

/** The label sets `show` (at the world's clock), and the steps it makes due are taken (runDueSteps). */
export async function setShow(
  world: Pick<MailModuleWorld, 'now' | 'deps'> & { fakes: Parameters<typeof runDueSteps>[0] },
  show: Show,
) {
  await applyShowChange('tour-1', { type: 'set', show }, metaAt(world.now.value.toISOString()), world.deps);
  await runDueSteps(world.fakes, world.now);
}

/** The step `step` of show-1 due at `scheduledFor` taken (its Show Step Due delivered). */
export const takeShowStep = (world: Pick<MailModuleWorld, 'deps'>, step: ShowStep, scheduledFor: string) =>
  takeStep({ ...ref(), step, scheduledFor }, { correlationId: 'c' }, world.deps);

/** The store's write that records `step`: a step taken for a change is recorded once per change. */
export const recordOf = (step: ShowStep) =>
  step === 'day-sheet-update' || step === 'press-cancellation' ? 'recordChangeStep' : 'markStepDone';

/**
 * `step` of show-1 taken for `scheduledFor`, its mail sent (marked sent, or with `answerLost` SES took it
 * and its answer was lost: the claim open), the invocation dying before its record (`recordOf`).
 */
export async function mailedThenStopped(
  world: Pick<MailModuleWorld, 'deps' | 'tours' | 'ses'>,
  step: ShowStep,
  scheduledFor: string,
  answerLost = false,
) {
  if (answerLost) world.ses.script = () => 'accept-then-fail';
  const stop = stopOnceAt(world.tours, recordOf(step), 'the invocation died after the send');
  const died = await takeShowStep(world, step, scheduledFor).then(
    () => false,
    () => true,
  );
  stop.unhook();
  world.ses.script = undefined;
  if (!died) throw new Error(`${step} was recorded: its invocation did not stop before the record`);
}

/** `ms` past the moment a claim made at `at` turns stale for the world's mail module. */
export const pastStale = (world: Pick<MailModuleWorld, 'mail'>, at: string, ms: number) =>
  new Date(Date.parse(at) + world.mail.settings.staleClaimMs + ms).toISOString();

/** A run of the stale-claim sweep (the clock moved to `at` first, if given), a minute to spare. */
export async function sweepAt(world: Pick<MailModuleWorld, 'now' | 'deps'>, at?: string) {
  if (at) world.now.value = new Date(at);
  return sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000);
}

/** What a scene helper acts on: the clock, the tours function's deps, and the fakes whose outbox holds the steps. */
type SceneWorld = Pick<MailModuleWorld, 'now' | 'deps'> & {
  fakes: Pick<ReturnType<typeof fakeToursDeps>, 'deps' | 'tours'>;
};

/** announcedShow at the Olympia in Paris. */
export const heldInParis: Show = {
  ...announcedShow,
  venue: {
    name: 'Olympia',
    address: '28 Boulevard des Capucines',
    city: 'Paris',
    country: 'FR',
    timeZone: 'Europe/Paris',
  },
};

/**
 * The held announcement moved away: show-1 put on hold and the announcement held by the sweep
 * (putOffAndHeldBySweep), then announced again on 10 February at the Olympia in Paris, its move's step
 * taken (it counts the held mail's address told nothing, and forgets Germany).
 */
export async function heldThenInParis(world: SceneWorld & { fakes: Parameters<typeof runDueSteps>[0] }) {
  await putOffAndHeldBySweep(world, { type: 'set', show: { ...announcedShow, status: 'hold' } });
  await changeAt(world, '2027-02-10T00:00:00.000Z', { type: 'set', show: heldInParis });
  await runOnTo(world, '2027-02-10T00:02:00Z');
}

/**
 * A day after the German outlet's announcement (2027-02-03T00:00, its claim stale) the label's `off`
 * cancels show-1 or puts it on hold, the change's steps taken; a minute later the sweep looks and holds
 * the announcement: the sweep's outcome.
 */
export async function putOffAndHeldBySweep(world: SceneWorld, off: ShowChange) {
  await changeAt(world, '2027-02-03T00:00:00.000Z', off);
  await takeStepsWritten(world.fakes);
  return sweepAt(world, '2027-02-03T00:01:00.000Z');
}

/** At `at` the label settles show-1 with its promoter (its guarantee: 5,000 EUR, no gross): the change's steps taken. */
export async function settledWithPromoter(world: SceneWorld, at: string) {
  await changeAt(world, at, {
    type: 'settle',
    settlement: {
      tourId: 'tour-1',
      showId: 'show-1',
      settledAt: at,
      gross: { minor: 0, currency: 'EUR' },
      deductions: [],
      artistNet: { minor: 500_000, currency: 'EUR' },
    },
  });
  await takeStepsWritten(world.fakes);
}

/** The show, told to the press as `announced` (toldDePressOf's), put on hold at `at` (3 February 2027 unless given): its steps taken. */
export async function putOnHold(world: SceneWorld, announced: Show, at = '2027-02-03T00:00:00.000Z') {
  await changeAt(world, at, { type: 'set', show: { ...announced, status: 'hold' } });
  await takeStepsWritten(world.fakes);
}

/**
 * putOnHold(`announced`), then announced again on 10 February with doors at 20:00 and its press
 * embargoed until 1 March (announceAt 09:00 UTC): the change applied, its steps left on the outbox for
 * the test to take. The show as announced again.
 */
export async function announcedAgainEmbargoed(world: SceneWorld, announced: Show) {
  await putOnHold(world, announced);
  const retimed = {
    ...announced,
    announceAt: '2027-03-01T09:00:00.000Z',
    times: { ...announced.times, doors: '20:00' },
  };
  await changeAt(world, '2027-02-10T00:00:00.000Z', { type: 'set', show: retimed });
  return retimed;
}

/**
 * toldDePressOf(`announced`), then announcedAgainEmbargoed (on hold 3 February; announced again 10 February,
 * doors 20:00, announceAt 1 March), its steps taken; on 15 February at 10:00 the label sets announceAt to
 * `announceAt` with no new facts, the steps that change wrote are taken, and the clock is half a minute on:
 * the press announcement's firing a minute ahead. Gives toldDePressOf's world.
 */
export async function embargoSetOn15February(announced: Show, announceAt: Show['announceAt']) {
  const world = await toldDePressOf(announced);
  const { now, fakes, deps } = world;
  const retimed = await announcedAgainEmbargoed({ now, deps, fakes }, announced);
  await runDueSteps(fakes, now);
  await changeAt({ now, deps }, '2027-02-15T10:00:00.000Z', {
    type: 'set',
    show: { ...retimed, announceAt },
  });
  await takeStepsWritten(fakes);
  now.value = new Date('2027-02-15T10:00:30Z');
  return world;
}

/** The clock run on to `at` and the steps due by then taken (runDueSteps, its gathering window included): those taken. */
export async function runOnTo(
  world: Pick<MailModuleWorld, 'now'> & { fakes: Parameters<typeof runDueSteps>[0] },
  at: string,
) {
  world.now.value = new Date(at);
  return runDueSteps(world.fakes, world.now);
}

type ToldDePress = Pick<Awaited<ReturnType<typeof toldDePressOf>>, 'now' | 'deps' | 'fakes' | 'mailer'>;

/**
 * An hour on from toldDePressOf(`announced`), its doors change to 20:00: the German outlet's "Changed"
 * claimed, SES's answer lost (the claim left open), the change's steps taken; SES answers again
 * afterwards. The show as retimed.
 */
export async function retimedAnswerLost(world: ToldDePress, announced: Show) {
  world.mailer.ses.script = lostAnswers;
  const retimed = { ...announced, times: { ...announced.times, doors: '20:00' } };
  await changeAt(world, new Date(world.now.value.getTime() + 3600_000).toISOString(), {
    type: 'set',
    show: retimed,
  });
  await takeStepsWritten(world.fakes);
  world.mailer.ses.script = undefined;
  return retimed;
}

/**
 * retimedAnswerLost(`announced`); a day later (the claim stale) the show is put on hold, its steps taken;
 * a minute later the sweep looks and holds the "Changed". The show as retimed (not on hold).
 */
export async function changeHeldWhileOnHold(world: ToldDePress, announced: Show) {
  const retimed = await retimedAnswerLost(world, announced);
  const aDayLater = new Date(world.now.value.getTime() + 24 * 3600_000);
  await changeAt(world, aDayLater.toISOString(), { type: 'set', show: { ...retimed, status: 'hold' } });
  await takeStepsWritten(world.fakes);
  await sweepAt(world, new Date(aDayLater.getTime() + 60_000).toISOString());
  return retimed;
}

/**
 * The stale-claim sweep runs on: `looks` looks, the clock moved on `everyMs` before each (by default a
 * stale window and a minute, 31 minutes), each with a minute to spare (sweepAt).
 */
export async function sweepsOn(
  world: Pick<MailModuleWorld, 'now' | 'deps'>,
  looks: number,
  everyMs = 31 * 60_000,
) {
  for (let look = 0; look < looks; look++)
    await sweepAt(world, new Date(world.now.value.getTime() + everyMs).toISOString());
}

/** Tour-1 of lbl-1 as the tours store keeps it, booked at the start of 2027. */
export const aStoredTour = {
  labelId: 'lbl-1',
  tourId: 'tour-1',
  artist: { name: 'The Midnight Echoes' },
  tourManager: { name: 'Sam', email: 'sam@tm.example' },
  occurredAt: '2027-01-01T00:00:00.000Z',
};

/**
 * The advance store of `tours` whose next save lands and is answered as DynamoDB failing on its side
 * (the local cloud's dynamodb.accept-then-fail: every attempt of the SDK answered 500): the post gets the
 * 503 and the form again, its answers saved unbeknownst to it. Later saves are answered as usual.
 */
export const landingUnanswered = (tours: InMemoryTours) => {
  let landed = false;
  return Object.assign(Object.create(tours), {
    saveAdvance: async (...args: Parameters<InMemoryTours['saveAdvance']>) => {
      if (landed) return tours.saveAdvance(...args);
      landed = true;
      await tours.saveAdvance(...args);
      throw new InternalServerError({ message: 'Internal server error', $metadata: {} });
    },
  }) as InMemoryTours;
};

/**
 * A tour stored with `show` booked in it, as the office's routes, the tour pages and the tours steps read
 * them: the tour's and the show's changes of 1 January 2027, the show's row written at `at`, under `ids`
 * (tourOf's by default; a show's ref will do). Answers the stored show (its promoter id, for tokens).
 */
export async function storeTourWithShow(
  tours: Pick<TourStore, 'saveTour' | 'putShowIfNewer'>,
  show: Show,
  at = '2027-01-01T00:00:00.000Z',
  ids: { labelId: string; tourId: string } = { labelId: 'lbl-1', tourId: 'tour-1' },
): Promise<StoredShow> {
  const { labelId, tourId } = ids;
  const { occurredAt } = aStoredTour;
  await tours.saveTour({ ...aStoredTour, labelId, tourId });
  const stored: StoredShow = {
    labelId,
    tourId,
    showId: show.showId,
    show,
    promoterId: promoterIdOf(show.promoter.email),
    occurredAt,
    lastEventId: 'e',
    lastCorrelationId: 'c',
    createdAt: at,
    updatedAt: at,
  };
  await tours.putShowIfNewer(stored, []);
  return stored;
}

/**
 * The office's tour routes over `tours`, its press read through `mailer` as the tours steps read it
 * (without one, every press mail reads as never claimed), and the labels asked when a route finds nothing
 * (none unless given).
 */
export const officeTourRoutes = (
  tours: TourStore,
  now: () => Date,
  mailer?: Pick<TourMailer, 'reached'>,
  labels: LabelExistence = new InMemoryLabels(),
) =>
  tourRoutes({
    tours,
    labels,
    tourManagerLink: async () => 'https://tm',
    reached: mailer?.reached ?? (async (mails) => mails.map(() => undefined)),
    now,
  });

/**
 * GET `route` of the office's tour routes over the world's tours and press mail, through its API,
 * middleware included, at `now` (2 January 2027 unless given).
 */
export async function officeGet(
  world: { tours: TourStore; mailer?: Pick<TourMailer, 'reached'> },
  route: string,
  pathParameters: Record<string, string>,
  now = () => new Date('2027-01-02'),
): Promise<ApiAnswer> {
  const api = managementApi('office', async () => 'key', officeTourRoutes(world.tours, now, world.mailer));
  return callApi(api, { method: 'GET', route, pathParameters });
}

/** The press-announcement step of show-1 as the office's show view states it at `now`. */
export async function officePressStep(tours: TourStore, now: { value: Date }) {
  const { body } = await officeGet(
    { tours },
    '/labels/{labelId}/tours/{tourId}/shows/{showId}',
    ref(),
    () => now.value,
  );
  const { steps } = JSON.parse(String(body)) as { steps: { step: string; at: string; done?: boolean }[] };
  return steps.find((s) => s.step === 'press-announcement');
}
