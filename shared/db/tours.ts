import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  type QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../events/outbox.ts';
import type { ShowStep } from '../events/show-step-due.ts';
import type { Contact, Show } from '../events/tour-booked.ts';
import { normaliseEmail } from '../outlets.ts';
import {
  type AdvanceAnswers,
  type Guest,
  guestListClosed,
  listedAlready,
  type StoredShow,
  type StoredTour,
  sameAnswers,
  showOverAt,
} from '../tours.ts';
import { isItemTooLarge, writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts, WriteConflictError } from './conflicts.ts';
import type { MailIdentity } from './deliveries.ts';
import { type IndexKey, indexPage, startKeyOf } from './index-page.ts';
import { keyOf, keyParts, nameHash } from './keys.ts';
import { outboxPut, putOnce, writeWithOutbox } from './outbox.ts';
import { deliveryIdOf, mailSubjects, type Reach } from './subject-deliveries.ts';

/**
 * Tours, their shows and the promoter directory.
 *
 * Access patterns:
 * - a tour with its shows (the tour's view, its itinerary): pk = TOUR#<labelId>#<tourId>,
 *     sk = TOUR (the tour) and sk = SHOW#<showId> (each show, with its advance and guest list)
 * - the promoter directory, by id: pk = PROMOTER#<promoterId>, sk = PROMOTER
 * - every promoter, by name: gsi1pk = PROMOTERS, gsi1sk = <name>#<promoterId>
 * - a promoter's shows, by date: gsi1pk = PROMOTER-SHOWS#<promoterId>, gsi1sk = <date>#<labelId>#<tourId>#<showId>
 * - every label's shows, by when each is over (press for outlets added later): gsi2pk = SHOWS,
 *     gsi2sk = <showOverAt>#<labelId>#<tourId>#<showId>
 * - a step continued on a page (once, expires): pk = STEP-CONTINUED#<labelId>#<tourId>#<showId>,
 *     sk = <step>#<scheduledFor>#<the show's occurredAt as the page read it>#<digest of the cursor>
 * - a step taken for a change recorded for that change (a day sheet update, a press cancellation; once,
 *     expires; written by shared/db/change-steps.ts): pk = STEP-RECORDED#<labelId>#<tourId>#<showId>,
 *     sk = <step>#<scheduledFor>
 * - outlets told of a tour's shows in one country (press): pk = PRESS#<labelId>#<tourId>#<country>,
 *     sk = TOLD#<address> (the outlet's normalised address, so a re-created outlet is the same reader),
 *     with what it was last told of each show as `stated:<showId>`
 * A promoter is known by the normalised address (the id is a hash of it), so the same promoter
 * booked by two labels is one entry.
 */
export const tourKey = (labelId: string, tourId: string) => ({
  pk: keyOf('TOUR', labelId, tourId),
  sk: 'TOUR',
});
export const showKey = (labelId: string, tourId: string, showId: string) => ({
  pk: keyOf('TOUR', labelId, tourId),
  sk: keyOf('SHOW', showId),
});
/**
 * A show's condition that it is still given to the promoter `:p` as read: since `:since` (`promoterSince`,
 * moved on by a change of promoter or of venue), or, without one, the promoter and venue it was booked
 * with (an advance step's record, and its mail's claim).
 */
export const promoterAsRead = (promoterSince?: string) =>
  `promoterId = :p AND ${promoterSince ? 'promoterSince = :since' : 'attribute_not_exists(promoterSince)'}`;
/**
 * A continuation is known by a digest of its cursor: the directory's cursor (JSON in base64url of an
 * outlet's lower-case name and id) after an outlet whose name is at its limit passes the 1,024 bytes of
 * a sort key (see docs/design.md#tours).
 */
const stepContinuedKey = (
  ref: ShowRef,
  step: ShowStep,
  scheduledFor: string,
  read: string,
  cursor: string,
) => ({
  pk: keyOf('STEP-CONTINUED', ref.labelId, ref.tourId, ref.showId),
  sk: keyParts(step, scheduledFor, read, nameHash([cursor])),
});
export const promoterKey = (promoterId: string) => ({ pk: keyOf('PROMOTER', promoterId), sk: 'PROMOTER' });
const promotersPartition = 'PROMOTERS';
const promotersIndexKey = (name: string, promoterId: string) => ({
  gsi1pk: promotersPartition,
  gsi1sk: keyParts(name.toLowerCase(), promoterId),
});
const promoterShowsIndexKey = (
  promoterId: string,
  show: Pick<StoredShow, 'labelId' | 'tourId' | 'showId'> & { date: string },
) => ({
  gsi1pk: keyOf('PROMOTER-SHOWS', promoterId),
  gsi1sk: keyParts(show.date, show.labelId, show.tourId, show.showId),
});

const showsPartition = 'SHOWS';

export const pressToldKey = (labelId: string, tourId: string, country: string, email: string) => ({
  pk: keyOf('PRESS', labelId, tourId, country),
  sk: keyOf('TOLD', email),
});

/**
 * What an address was last told of one show (docs/design.md#tours): whether the show as it stands
 * now is news to it. A press-change or a cancellation mails only an address told otherwise.
 */
export interface PressStatement {
  /** A hash of the show's facts as told (`showFacts`: date, times, venue). */
  facts: string;
  /** The label's time of the change whose show the mail stated. */
  change: string;
  /** The mail that told it (`announcement`, `change`, `cancellation`: told it is cancelled, ...). */
  kind: string;
  /**
   * On a statement noted before its mail went (a change, a cancellation, on again): what the address
   * had been told before it (null: nothing kept), which stands while that mail has not reached SES;
   * kept as noted (its own `before` too) while its mail was only claimed, without them once it was sent.
   */
  before?: PressStatement | null;
  /**
   * On an announcement or update noted while its mail was claimed, not yet sent: the version of the
   * set of shows it told of (its identity), so later steps read whether it reached SES.
   */
  set?: string;
  /**
   * On a "moved" statement: since when the country's press knew of the show there (the stay it tells
   * of, the mail's identity), so the sweep knows a stale "moved" claim of an earlier stay.
   */
  since?: string;
}

/** The attribute of a press record holding what its address was last told of a show: this and its id. */
export const statedPrefix = 'stated:';

/** An outlet address told of some of a tour's shows in one country. */
export interface PressTold {
  email: string;
  outletId: string;
  showIds: string[];
  /**
   * What it was last told of each show, by show id; absent for shows it was told of before this was
   * kept.
   */
  stated?: Record<string, PressStatement>;
}

/**
 * `told` (an address's notes of the tour's shows in one country) as reached: each address keeps, of
 * the shows whose note names its mail's set (an announcement or update noted while its mail was
 * claimed, or the stale-claim sweep's own set), those whose mail did not end failed without going out
 * (refused by SES, closed unsent with no late Email Sent, or given back: `reachOf`), whatever the address's set of
 * shows says (the sweep takes such shows off it, `settlePressTold`, but a sweep stopped before that write
 * would leave them on it); claimed, even stale, it still counts (the sweep sends it again or ends it).
 * Held by the sweep (`held`), it counts for an announcement, but not for `news` (a change, cancellation or
 * move): it may never have gone, and its late Email Sent asks for that news. Read in batches, one read
 * per mail (every show of its set names the same delivery). Answers, by address, the sets of shows
 * whose mail was sent (docs/design.md#tours): the steps drop them from the notes.
 */
export async function toldAsReached(
  tour: Pick<StoredTour, 'labelId' | 'tourId'>,
  told: PressTold[],
  reached: (mails: MailIdentity[]) => Promise<Reach[]>,
  news?: 1,
): Promise<Record<string, Record<string, string>>> {
  const noted = told.flatMap((t) =>
    Object.entries(t.stated ?? {}).flatMap(([showId, { set, kind }]) =>
      set
        ? {
            t,
            showId,
            mail: {
              labelId: tour.labelId,
              subject: mailSubjects.tourShows(tour.tourId, set),
              email: t.email,
              kind: `press-${kind}`,
            },
          }
        : [],
    ),
  );
  const mails = new Map(noted.map(({ mail }) => [deliveryIdOf(mail), mail]));
  const ids = [...mails.keys()];
  const reach = ids.length ? await reached([...mails.values()]) : [];
  const sent: Record<string, Record<string, string>> = {};
  for (const { t, showId, mail } of noted) {
    const answer = reach[ids.indexOf(deliveryIdOf(mail))];
    t.showIds = t.showIds.filter((other) => other !== showId);
    if (answer !== false && !(news && answer === 'held')) t.showIds.push(showId);
    if (answer === true) sent[t.email] = { ...sent[t.email], [showId]: mail.subject[2] };
  }
  return sent;
}
/** A promoter's id: derived from the normalised address, so every webhook naming it finds the same entry. */
export const promoterIdOf = (email: string): string => `prm-${nameHash([normaliseEmail(email)], 24)}`;

export interface PromoterRecord extends Contact {
  promoterId: string;
  /** The label's time of the webhook that described the promoter last. */
  occurredAt: string;
}

export interface ShowRef {
  labelId: string;
  tourId: string;
  showId: string;
}

/** The reference of a show (its stored record, which carries more). */
export const showRefOf = ({ labelId, tourId, showId }: ShowRef): ShowRef => ({ labelId, tourId, showId });

/** `replaced`: the show is no longer the promoter's (given to another); `changed`: it is no longer as the answers were given for (another date, venue or times). Either way nothing was saved. */
export type AdvanceOutcome = 'submitted' | 'amended' | 'unknown' | 'replaced' | 'cancelled' | 'changed';
export type GuestsOutcome = 'added' | 'locked' | 'cancelled' | 'full' | 'listed' | 'unknown';

/** How often a guest list that kept growing between its read and the write is read again before a 503. */
const maxGuestAttempts = 5;

/** At most this many guest entries per show: the show item stays far below DynamoDB's 400 KB. */
export const maxGuestsPerShow = 500;

/**
 * The guest list's share of the show's item, in bytes of its guests' JSON (`guestBytes`): names and
 * notes within the routes' limits could otherwise fill all 400 KB, and the rest of the item keeps room
 * for what is written to it after the guests, above all the promoter's advance (14 answers of at most
 * 2,000 characters: under 90 KB), the list's lock and the label's changes (docs/design.md#signed-pages).
 * 256 KiB, written out: a product is a computation esbuild keeps in every bundle that imports the module,
 * used or not (docs/design.md#bundles).
 */
export const maxGuestBytes = 262_144;
export const guestBytes = (guests: readonly Guest[]): number =>
  guests.reduce((bytes, guest) => bytes + Buffer.byteLength(JSON.stringify(guest)), 0);

/** A show as `showsComing` reads it: its ids and the label's description alone. */
export type ComingShow = Pick<StoredShow, 'labelId' | 'tourId' | 'showId' | 'show'>;

/**
 * The tours function's side of the store: tours, shows, their steps, promoters and what the press was
 * told. The promoter's side (`PromoterSide`: the advance form's writes, the directory as the office
 * reads it) is apart so that the tours function, which never uses it, does not bundle it
 * (docs/design.md#bundles); `TourStore` is both. The press steps' notes (`PressNotes`,
 * shared/db/press-notes.ts), which only the tours function writes, are apart from both, so that the
 * office and the recipients function reach neither them nor their transactions' ConditionCheckItem
 * (docs/design.md#topology).
 */
export interface TourSteps {
  /** False when the stored tour is as new or newer (by `occurredAt`): the write is ignored. */
  saveTour(tour: StoredTour): Promise<boolean>;
  getTour(labelId: string, tourId: string): Promise<StoredTour | undefined>;
  getShow(ref: ShowRef): Promise<StoredShow | undefined>;
  /**
   * The shows not over before `now` (one over at `now` too), every label's: the label, tour and show ids
   * and the show alone (docs/design.md#tours).
   */
  showsComing(now: string): Promise<ComingShow[]>;
  /** The tour and its shows (one query). */
  tourWithShows(labelId: string, tourId: string): Promise<{ tour?: StoredTour; shows: StoredShow[] }>;
  /**
   * The label's side of a show (its description, status and the change that set it), with `entries`
   * in the outbox, only when newer than the stored one; what Backline did (steps, advance, guests) is
   * kept, except what `forget` names (of a show stored before): steps that are due again, and the
   * advance of a promoter since replaced.
   */
  putShowIfNewer(show: StoredShow, entries: OutboxEntry[], forget?: ForgetOnChange): Promise<boolean>;
  /** Clears `effectsPending` once the schedules of change `eventId` are in place. */
  markEffectsPerformed(ref: ShowRef, eventId: string): Promise<void>;
  /**
   * Puts `entries` in the outbox, one write each, with no state: a retry puts them again, and what each
   * asks is done once all the same (a press step's claims).
   */
  putEntries(entries: OutboxEntry[], at: string): Promise<void>;
  /**
   * Records a step as taken for the moment it was set for, with its events; false when it was
   * recorded for that moment before, or (`promoterId` given, with the `promoterSince` read beside it)
   * the show has another promoter since, or was given to them again: an advance step taken for a
   * promoter replaced meanwhile is due again for the new one, whose change cleared it. A new moment (the show moved) replaces the old one. `announced`: the press announcement's
   * read of the show (its `occurredAt`), kept as `pressAnnounced`. `advanced`: the day sheet's read of
   * the show's advance (`advancedAt`; null: none), recorded only while the advance is still so, else
   * false (docs/design.md#tours).
   */
  markStepDone(
    ref: ShowRef,
    step: ShowStep,
    scheduledFor: string,
    entries: OutboxEntry[],
    asRead?: { promoterId?: string; promoterSince?: string; announced?: string; advanced?: string | null },
  ): Promise<boolean>;
  /**
   * Puts the event that continues a step from `cursor` (a press announcement's next page of the
   * directory) once for the show as the page read it (`read`, its `occurredAt`): false when that page
   * was continued before from the show as it stands (a redelivered invocation), so a continuation is one
   * outbox entry whatever happens; the step fired again after a change (a show set on again after its
   * announcement stopped) continues on (docs/design.md#tours).
   */
  continueStep(
    ref: ShowRef,
    step: ShowStep,
    scheduledFor: string,
    read: string,
    cursor: string,
    entry: OutboxEntry,
    at: string,
  ): Promise<boolean>;
  /**
   * Locks the guest list for the cutoff `cutoff.scheduledFor` of the show on `cutoff.date`; false when
   * it was locked before, or the show is no longer on that date (a postponement that reopened the
   * list is not undone by a cutoff firing for the date it left).
   */
  lockGuestList(ref: ShowRef, at: string, cutoff: { date: string; scheduledFor: string }): Promise<boolean>;
  /** Keeps the newest description of a promoter (by the label's time). */
  savePromoter(promoter: PromoterRecord): Promise<void>;
  showsOfPromoter(promoterId: string): Promise<StoredShow[]>;
  /** The outlet addresses told of the tour's shows in `country`, with the shows each was told of. */
  pressTold(labelId: string, tourId: string, country: string): Promise<PressTold[]>;
}

/**
 * The promoter's side: what the promoter writes through the advance form (the answers and the guest
 * list) and the promoter directory as the office reads it.
 */
export interface PromoterSide {
  /**
   * Keeps the promoter's answers (a second submission amends them), with `entries` in the outbox,
   * only while the show is still that promoter's and not cancelled: a show given to another promoter
   * takes nothing from the old one's link, and a cancelled show takes no answers, even when the change
   * lands while the answers are being saved. So too, `changed`, a show no longer as the answers were
   * given for (`filledFor`, when given, answers false: another date, venue or times). `entries` gets the
   * show as this write read it (the advance it replaces, the steps done), and the write holds only while
   * the day sheet's record is as read: a sheet recorded meanwhile went without these answers, and the
   * next attempt's entries, seeing it gone, send its update (docs/design.md#tours).
   */
  saveAdvance(
    ref: ShowRef & { promoterId: string },
    answers: AdvanceAnswers,
    at: string,
    entries: (outcome: 'submitted' | 'amended', stored: StoredShow & { show: Show }) => OutboxEntry[],
    filledFor?: (read: StoredShow & { show: Show }) => boolean,
  ): Promise<AdvanceOutcome>;
  /**
   * Adds guests unless the list is closed (locked, or its cutoff passed at the guests' `addedAt`, the
   * write's time: 'locked') or would pass `maxGuestsPerShow`.
   */
  addGuests(ref: ShowRef, guests: Guest[]): Promise<GuestsOutcome>;
  getPromoter(promoterId: string): Promise<PromoterRecord | undefined>;
  /**
   * The directory by name (the bytes of its lower-case form, then the id: the index's sort key), at most
   * `limit` promoters after the one `after` names (`promoterRow`), and whether more follow.
   * InvalidCursorError for a row whose keys DynamoDB would refuse.
   */
  promotersPage(limit: number, after?: string[]): Promise<{ promoters: PromoterRecord[]; more: boolean }>;
  /**
   * A promoter's shows by date (then label, tour and show id: the index's sort key), at most `limit`
   * after the one `after` names (`promoterShowRow`), and whether more follow; as `promotersPage`.
   */
  promoterShowsPage(
    promoterId: string,
    limit: number,
    after?: string[],
  ): Promise<{ shows: StoredShow[]; more: boolean }>;
}

/** A promoter as a cursor of the directory names it: the parts of its index sort key. */
export const promoterRow = (promoter: Pick<PromoterRecord, 'name' | 'promoterId'>): string[] => [
  promoter.name.toLowerCase(),
  promoter.promoterId,
];

/** A show as a cursor of its promoter's shows names it: the parts of its index sort key (a show listed has a date). */
export const promoterShowRow = (show: StoredShow): string[] => [
  show.show?.date ?? '',
  show.labelId,
  show.tourId,
  show.showId,
];

export type TourStore = TourSteps & PromoterSide;

/**
 * What a change of a show makes it forget: steps to take again, the promoter's advance, and the
 * guest list's lock (a postponement reopens the list, docs/design.md#tours; its guests stay).
 */
export interface ForgetOnChange {
  steps?: ShowStep[];
  advance?: boolean;
  guestListLock?: boolean;
  /**
   * The day sheet's record, moved to this moment: a show moved on its day to a venue in another zone,
   * its sheet gone, has the sheet of that day gone, at the instant it is due there (docs/design.md#tours).
   */
  daySheetFor?: string;
}

/** Writes apply only when newer than what is stored (EventBridge keeps no order, docs/design.md#ordering-by-the-labels-timestamp). */
const newer = 'attribute_not_exists(occurredAt) OR occurredAt < :occurredAt';

/** An item as the domain knows it: without its keys and the `entity` marker queries filter on. */
const stripKeys = <T>(item: Record<string, unknown>): T => {
  // `guestBytes` is the store's count of a show's guest list (maxGuestBytes), no part of the show.
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    entity: _entity,
    guestBytes: _bytes,
    ...rest
  } = item;
  return rest as T;
};

/** An item by its key, read consistently, without its keys. */
export const getItem = async <T>(
  db: DynamoDBDocumentClient,
  table: string,
  key: { pk: string; sk: string },
): Promise<T | undefined> => {
  const { Item } = await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item ? stripKeys<T>(Item) : undefined;
};

type QueryInput = Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>;

/** Every item a query finds, page after page. */
async function queryItems(db: DynamoDBDocumentClient, table: string, input: QueryInput) {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: db }, { ...input, TableName: table }))
    items.push(...(page.Items ?? []));
  return items;
}

/** Where the directory goes on after the promoter a cursor names (`promoterRow`). */
export const promotersStartKey = ([name, promoterId]: string[]): IndexKey =>
  startKeyOf({ ...promoterKey(promoterId), ...promotersIndexKey(name, promoterId) });

/** Where a promoter's shows go on after the show a cursor names (`promoterShowRow`). */
export const promoterShowsStartKey = (
  promoterId: string,
  [date, labelId, tourId, showId]: string[],
): IndexKey =>
  startKeyOf({
    ...showKey(labelId, tourId, showId),
    ...promoterShowsIndexKey(promoterId, { labelId, tourId, showId, date }),
  });

/** The whole store on DynamoDB: what the advance form, the office and the tests use. */
export const dynamoTours = (db: DynamoDBDocumentClient, table: string): TourStore => ({
  ...dynamoTourSteps(db, table),
  ...dynamoPromoterSide(db, table),
});

/** The promoter's side on DynamoDB. */
export function dynamoPromoterSide(db: DynamoDBDocumentClient, table: string): PromoterSide {
  const get = <T>(key: { pk: string; sk: string }) => getItem<T>(db, table, key);
  return {
    async saveAdvance(ref, answers, at, entries, filledFor) {
      const key = showKey(ref.labelId, ref.tourId, ref.showId);
      // Twice at most: a submission racing another finds it stored and becomes an amendment.
      for (let attempt = 1; attempt <= 2; attempt++) {
        const stored = await get<StoredShow>(key);
        if (!stored) return 'unknown';
        // This very save, applied with its answer lost and refused when sent again: what it saved
        // (docs/design.md#failures-and-retries), not a submission to amend.
        const saved = stored.advance;
        if (saved && (saved.amendedAt ?? saved.submittedAt) === at && sameAnswers(saved.answers, answers))
          return saved.amendedAt ? 'amended' : 'submitted';
        if (stored.promoterId !== ref.promoterId) return 'replaced';
        // A tombstone (cancelled before the show arrived) is cancelled too.
        if (!stored.show || stored.show.status === 'cancelled') return 'cancelled';
        if (filledFor && !filledFor({ ...stored, show: stored.show })) return 'changed';
        const advance = stored.advance
          ? { answers, submittedAt: stored.advance.submittedAt, amendedAt: at }
          : { answers, submittedAt: at };
        const sheet = stored.stepsDone?.['day-sheet'];
        const written = await writeWithOutbox(
          db,
          [
            {
              Update: {
                TableName: table,
                Key: key,
                UpdateExpression: 'SET advance = :advance',
                // Still this promoter's show, on, and as read: a change giving it to another promoter,
                // cancelling it or moving it between the read and this write refuses it, and the next
                // attempt reads it as replaced, cancelled or changed (or as the answers were given for);
                // so does its day sheet recorded meanwhile, which the next attempt's entries find gone,
                // and the advance saved again meanwhile (another tab), which `filledFor` then judges.
                ConditionExpression: `promoterId = :promoterId AND attribute_exists(#show) AND #show.#status <> :cancelled AND occurredAt = :occurredAt AND ${
                  stored.advance
                    ? `advance.submittedAt = :submittedAt AND ${stored.advance.amendedAt ? 'advance.amendedAt = :amendedAt' : 'attribute_not_exists(advance.amendedAt)'}`
                    : 'attribute_not_exists(advance)'
                } AND ${sheet ? 'stepsDone.#sheet = :sheet' : 'attribute_not_exists(stepsDone.#sheet)'}`,
                ExpressionAttributeNames: { '#show': 'show', '#status': 'status', '#sheet': 'day-sheet' },
                ExpressionAttributeValues: {
                  ':advance': advance,
                  ':promoterId': ref.promoterId,
                  ':cancelled': 'cancelled',
                  ':occurredAt': stored.occurredAt,
                  ':sheet': sheet,
                  ':submittedAt': stored.advance?.submittedAt,
                  ':amendedAt': stored.advance?.amendedAt,
                },
              },
            },
          ],
          entries(stored.advance ? 'amended' : 'submitted', { ...stored, show: stored.show }),
          at,
        );
        if (written) return stored.advance ? 'amended' : 'submitted';
      }
      // Contention, not an invariant: nothing was saved, and the promoter may send it again (a 503).
      throw new WriteConflictError(2, `the advance of ${ref.showId} changed twice while it was being saved`);
    },

    async addGuests(ref, guests) {
      const key = showKey(ref.labelId, ref.tourId, ref.showId);
      const bytes = guestBytes(guests);
      // A list names a guest once (listedAlready): the list is read, and the guests added only while it
      // is as read, its length standing for its version (guests are never taken off), and while the show
      // is as read, its occurredAt standing for its version (a change writes only a newer one): a change
      // landing meanwhile may have moved the cutoff past the guests' addedAt. A list that grew, or a show
      // that changed, meanwhile is read again (a form sent twice at once: the second finds the first's
      // names; a cutoff moved earlier: the list closed).
      let stored = await get<StoredShow>(key);
      for (let attempt = 0; attempt < maxGuestAttempts; attempt++) {
        if (!stored) return 'unknown';
        const { occurredAt } = stored;
        // Closed at its cutoff, its step perhaps still to run: no guest added from then on (guestListClosed).
        if (guests.some((guest) => guestListClosed(stored!, guest.addedAt))) return 'locked';
        // A cancelled show takes no guests, nor one known only by its cancellation, which came before the
        // show itself (a tombstone, cancelled too: docs/design.md#signed-pages).
        if (!stored.show || stored.show.status === 'cancelled') return 'cancelled';
        const listed = stored.guests ?? [];
        if (listedAlready(listed, guests).length > 0) return 'listed';
        if (listed.length > maxGuestsPerShow - guests.length) return 'full';
        // The guests are kept on the show's item: long names and notes fill their share of it
        // (maxGuestBytes) before maxGuestsPerShow, and then the list is full; an item written before
        // the share was counted may still meet DynamoDB's 400 KB first, full too. A write refused
        // because a transaction holds the show (TransactionConflictException: a change of the show
        // landing) wrote nothing: sent again.
        const addedBy = randomUUID();
        const added = await writtenUnlessRefused(
          retryingConflicts(() =>
            db.send(
              new UpdateCommand({
                TableName: table,
                Key: key,
                // The list's bytes are counted beside it: past its share (maxGuestBytes) the list is full.
                UpdateExpression:
                  'SET guests = list_append(if_not_exists(guests, :none), :guests), guestBytes = if_not_exists(guestBytes, :zero) + :bytes, guestsAddedBy = :addedBy',
                // The cutoff locks the list: nothing is added after it was mailed to the promoter.
                // A cancelled show takes no more guests (nor a tombstone: a status it has not is no match).
                ConditionExpression: `attribute_exists(pk) AND occurredAt = :occurredAt AND attribute_not_exists(guestListLockedAt) AND ${
                  listed.length === 0
                    ? '(attribute_not_exists(guests) OR size(guests) = :zero)'
                    : 'size(guests) = :seen'
                } AND (attribute_not_exists(guestBytes) OR guestBytes <= :byteRoom) AND #show.#status <> :cancelled`,
                ExpressionAttributeNames: { '#show': 'show', '#status': 'status' },
                ExpressionAttributeValues: {
                  ':cancelled': 'cancelled',
                  ':occurredAt': occurredAt,
                  ':none': [],
                  ':guests': guests,
                  ...(listed.length === 0 ? {} : { ':seen': listed.length }),
                  ':zero': 0,
                  ':bytes': bytes,
                  ':byteRoom': maxGuestBytes - bytes,
                  ':addedBy': addedBy,
                },
              }),
            ),
          ),
        ).catch((error: unknown) => {
          if (isItemTooLarge(error)) return 'too large' as const;
          throw error;
        });
        if (added === 'too large') return 'full';
        if (added) return 'added';
        // Refused: past its bytes' share (full), or changed since it was read (locked, cancelled, grown, or
        // the show changed): read again to tell which, and with a list grown or a show changed, decide again.
        const again = await get<StoredShow>(key);
        // Grown by this very add, applied with its answer lost and refused when the SDK sent it again
        // (docs/design.md#failures-and-retries): its id on the list.
        if (again?.guestsAddedBy === addedBy) return 'added';
        const unchanged =
          again &&
          again.occurredAt === occurredAt &&
          !again.guestListLockedAt &&
          again.show?.status !== 'cancelled' &&
          (again.guests ?? []).length === listed.length;
        if (unchanged) return 'full';
        stored = again;
      }
      throw new WriteConflictError(
        maxGuestAttempts,
        `the guest list of ${ref.showId} kept changing while guests were added`,
      );
    },

    getPromoter: (promoterId) => get<PromoterRecord>(promoterKey(promoterId)),

    async promotersPage(limit, after) {
      const startKey = after && promotersStartKey(after);
      const { items, more } = await indexPage(db, table, promotersPartition, limit, startKey);
      return { promoters: items.map((item) => stripKeys<PromoterRecord>(item)), more };
    },

    async promoterShowsPage(promoterId, limit, after) {
      const startKey = after && promoterShowsStartKey(promoterId, after);
      const partition = keyOf('PROMOTER-SHOWS', promoterId);
      const { items, more } = await indexPage(db, table, partition, limit, startKey);
      return { shows: items.map((item) => stripKeys<StoredShow>(item)), more };
    },
  };
}

/** The tours function's side of the store on DynamoDB (without the promoter's side). */
export function dynamoTourSteps(db: DynamoDBDocumentClient, table: string): TourSteps {
  const get = <T>(key: { pk: string; sk: string }) => getItem<T>(db, table, key);
  const queryAll = (input: QueryInput) => queryItems(db, table, input);
  const updated = (input: Omit<UpdateCommandInput, 'TableName'>) =>
    writtenUnlessRefused(db.send(new UpdateCommand({ TableName: table, ...input })));

  return {
    saveTour: (tour) =>
      writtenUnlessRefused(
        db.send(
          new PutCommand({
            TableName: table,
            Item: { ...tourKey(tour.labelId, tour.tourId), entity: 'tour', ...tour },
            ConditionExpression: newer,
            ExpressionAttributeValues: { ':occurredAt': tour.occurredAt },
          }),
        ),
      ),

    getTour: (labelId, tourId) => get<StoredTour>(tourKey(labelId, tourId)),

    getShow: (ref) => get<StoredShow>(showKey(ref.labelId, ref.tourId, ref.showId)),

    showsComing: async (now) =>
      (await queryAll({
        IndexName: 'gsi2',
        // `<ISO instant>#...` sorts after the bare instant it starts with: shows over at `now` or later.
        KeyConditionExpression: 'gsi2pk = :p AND gsi2sk > :now',
        ProjectionExpression: 'labelId, tourId, showId, #show',
        ExpressionAttributeNames: { '#show': 'show' },
        ExpressionAttributeValues: { ':p': showsPartition, ':now': now },
      })) as unknown as ComingShow[],

    async tourWithShows(labelId, tourId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tourKey(labelId, tourId).pk },
        ConsistentRead: true,
      });
      const tourItem = items.find((item) => item.sk === 'TOUR');
      return {
        ...(tourItem ? { tour: stripKeys<StoredTour>(tourItem) } : {}),
        shows: items
          .filter((item) => item.entity === 'show')
          .map((item) => stripKeys<StoredShow>(item))
          .sort(
            (a, b) =>
              (a.show?.date ?? '').localeCompare(b.show?.date ?? '') || a.showId.localeCompare(b.showId),
          ),
      };
    },

    async putShowIfNewer(
      show,
      entries,
      { steps: forgetSteps = [], advance: forgetAdvance, guestListLock: forgetLock, daySheetFor } = {},
    ) {
      const { labelId, tourId, showId } = show;
      const values: Record<string, unknown> = {
        ':entity': 'show',
        ':labelId': labelId,
        ':tourId': tourId,
        ':showId': showId,
        ':promoterId': show.promoterId,
        ':occurredAt': show.occurredAt,
        ':lastEventId': show.lastEventId,
        ':lastCorrelationId': show.lastCorrelationId,
        ':createdAt': show.createdAt,
        ':updatedAt': show.updatedAt,
        ':empty': {},
      };
      // A tombstone (a cancellation before its show) has no date: it is in no promoter's list, nor among
      // the shows to come.
      const indexKeys = show.show
        ? {
            ...promoterShowsIndexKey(show.promoterId, { ...show, date: show.show.date }),
            gsi2pk: showsPartition,
            gsi2sk: keyParts(showOverAt(show.show), labelId, tourId, showId),
          }
        : {};
      const sets = [
        'entity = :entity',
        'labelId = :labelId',
        'tourId = :tourId',
        'showId = :showId',
        '#show = :show',
        'promoterId = :promoterId',
        'occurredAt = :occurredAt',
        'lastEventId = :lastEventId',
        'lastCorrelationId = :lastCorrelationId',
        'createdAt = if_not_exists(createdAt, :createdAt)',
        'updatedAt = :updatedAt',
        'stepsDone = if_not_exists(stepsDone, :empty)',
      ];
      const removes: string[] = [];
      const names: Record<string, string> = show.show ? { '#show': 'show' } : {};
      if (forgetSteps.length || daySheetFor) {
        // The show exists (its steps were taken): its stepsDone map is there to remove from, or set in.
        sets.splice(sets.indexOf('stepsDone = if_not_exists(stepsDone, :empty)'), 1);
        delete values[':empty'];
        forgetSteps.forEach((step, i) => {
          names[`#forget${i}`] = step;
          removes.push(`stepsDone.#forget${i}`);
        });
      }
      if (daySheetFor) {
        names['#daySheet'] = 'day-sheet';
        sets.push('stepsDone.#daySheet = :daySheetFor');
        values[':daySheetFor'] = daySheetFor;
      }
      if (forgetAdvance) removes.push('advance');
      // In the write that moves the show: a cutoff of the old date locking the list before it is
      // undone by it, and one after it is refused (lockGuestList holds to the date it was for).
      if (forgetLock) removes.push('guestListLockedAt', 'guestListLockedFor');
      for (const [name, value] of Object.entries(indexKeys)) {
        sets.push(`${name} = :${name}`);
        values[`:${name}`] = value;
      }
      if (!show.show) sets.splice(sets.indexOf('#show = :show'), 1);
      if (show.effectsPending) {
        sets.push('effectsPending = :pending');
        values[':pending'] = true;
      } else removes.push('effectsPending');
      if (show.show) values[':show'] = show.show;
      if (show.promoterSince) {
        sets.push('promoterSince = :promoterSince');
        values[':promoterSince'] = show.promoterSince;
      }
      // The label's reason for the show's cancellation, while it is cancelled: a show set on again is
      // cancelled for no reason, and one cancelled again states only the reason given then (docs/design.md#tours).
      if (show.cancellationReason) {
        sets.push('cancellationReason = :reason');
        values[':reason'] = show.cancellationReason;
      } else removes.push('cancellationReason');
      if (show.settlement) {
        sets.push('settlement = :settlement');
        values[':settlement'] = show.settlement;
      }
      return writeWithOutbox(
        db,
        [
          {
            Update: {
              TableName: table,
              Key: showKey(labelId, tourId, showId),
              UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
              ConditionExpression: newer,
              ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: values,
            },
          },
        ],
        entries,
        show.updatedAt,
      );
    },

    async putEntries(entries, at) {
      for (const entry of entries) await writeWithOutbox(db, [outboxPut(table, entry, at)], [], at);
    },

    async markEffectsPerformed(ref, eventId) {
      await updated({
        Key: showKey(ref.labelId, ref.tourId, ref.showId),
        UpdateExpression: 'REMOVE effectsPending',
        // Only the change that asked for them: a newer one keeps its own mark.
        ConditionExpression: 'lastEventId = :eventId',
        ExpressionAttributeValues: { ':eventId': eventId },
      });
    },

    markStepDone: (
      ref,
      step,
      scheduledFor,
      entries,
      { promoterId, promoterSince, announced, advanced } = {},
    ) =>
      writeWithOutbox(
        db,
        [
          {
            Update: {
              TableName: table,
              Key: showKey(ref.labelId, ref.tourId, ref.showId),
              UpdateExpression: `SET stepsDone.#step = :scheduledFor${announced ? ', pressAnnounced = :announced' : ''}`,
              // Once per moment: a redelivered firing states nothing twice (tours takes a step again
              // for a new moment only where that is wanted, as a moved show's day sheet).
              ConditionExpression: `attribute_exists(stepsDone) AND (attribute_not_exists(stepsDone.#step) OR stepsDone.#step <> :scheduledFor)${
                promoterId ? ` AND ${promoterAsRead(promoterSince)}` : ''
              }${
                advanced === null
                  ? ' AND attribute_not_exists(advance)'
                  : advanced
                    ? ' AND (advance.amendedAt = :advanced OR (attribute_not_exists(advance.amendedAt) AND advance.submittedAt = :advanced))'
                    : ''
              }`,
              ExpressionAttributeNames: { '#step': step },
              // Without a promoter, ':p' is left out of the write (the client removes undefined values), and
              // so are ':since' for the promoter a show was booked with, ':announced' without an
              // announcement's read and ':advanced' without an advance's.
              ExpressionAttributeValues: {
                ':scheduledFor': scheduledFor,
                ':p': promoterId,
                ':since': promoterId ? promoterSince : undefined,
                ':announced': announced,
                ':advanced': advanced ?? undefined,
              },
            },
          },
        ],
        entries,
        new Date().toISOString(),
      ),

    continueStep: (ref, step, scheduledFor, read, cursor, entry, at) =>
      writeWithOutbox(
        db,
        [putOnce(table, stepContinuedKey(ref, step, scheduledFor, read, cursor), 'step-continued', at)],
        [entry],
        at,
      ),

    lockGuestList: (ref, at, cutoff) =>
      updated({
        Key: showKey(ref.labelId, ref.tourId, ref.showId),
        UpdateExpression: 'SET guestListLockedAt = :at, guestListLockedFor = :for',
        // Still on the date the cutoff is for: a postponement reopening the list changed it.
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(guestListLockedAt) AND #show.#date = :date',
        ExpressionAttributeNames: { '#show': 'show', '#date': 'date' },
        ExpressionAttributeValues: { ':at': at, ':for': cutoff.scheduledFor, ':date': cutoff.date },
      }),

    async savePromoter(promoter) {
      await writtenUnlessRefused(
        db.send(
          new PutCommand({
            TableName: table,
            Item: {
              ...promoterKey(promoter.promoterId),
              ...promotersIndexKey(promoter.name, promoter.promoterId),
              entity: 'promoter',
              ...promoter,
            },
            ConditionExpression: newer,
            ExpressionAttributeValues: { ':occurredAt': promoter.occurredAt },
          }),
        ),
      );
    },

    async pressTold(labelId, tourId, country) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keyOf('PRESS', labelId, tourId, country) },
        ConsistentRead: true,
      });
      return items.map((item) => {
        const stated = Object.entries(item).flatMap(([name, statement]) =>
          name.startsWith(statedPrefix) ? [[name.slice(statedPrefix.length), statement]] : [],
        );
        return {
          email: String(item.email),
          outletId: String(item.outletId),
          showIds: [...((item.showIds as Set<string> | undefined) ?? [])].sort(),
          ...(stated.length ? { stated: Object.fromEntries(stated) } : {}),
        };
      });
    },

    async showsOfPromoter(promoterId) {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keyOf('PROMOTER-SHOWS', promoterId) },
      });
      return items.map((item) => stripKeys<StoredShow>(item));
    },
  };
}
