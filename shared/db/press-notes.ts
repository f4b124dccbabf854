import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { failedConditions, keptBy, refusedItems, writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import { claimWrites, type Delivery, type NewClaim, reclaimWrite } from './deliveries.ts';
import { type StateCheck, type StateWrite, writeWithOutbox } from './outbox.ts';
import {
  getItem,
  type PressStatement,
  type PressTold,
  pressToldKey,
  promoterAsRead,
  type ShowRef,
  showKey,
  statedPrefix,
} from './tours.ts';
import { inParts } from './transact-page.ts';

/**
 * The press steps' writes (docs/design.md#tours): the notes of what addresses were told of a tour's
 * shows, the countries whose press knows of a show, and the notes written with their mails' claims;
 * and the advance steps' claims, written with the show's check (`ClaimAwaitingAdvance`).
 * Only the tours function takes those steps, so they are apart from the tours store
 * (shared/db/tours.ts), which the office and the recipients function build: neither reaches these
 * writes, nor the ConditionCheckItem of their transactions (docs/design.md#topology).
 */

/**
 * Press notes one write settles at most: a condition of two operators each (`#s<i>.#set = :set<i>`
 * and its AND), under DynamoDB's 300 operators and 4 KB an expression, where a mail's set may hold
 * every show of a tour (200 a booking) (docs/design.md#tours).
 */
export const notesPerWrite = 100;
/** `#s<i>`: the attribute of the note of each show, in order. */
const statedNames = (showIds: string[]) =>
  Object.fromEntries(showIds.map((showId, i) => [`#s${i}`, statedPrefix + showId]));

/** Notes one `recordPressToldAsRead` writes at most: one TransactWriteItems (100 items) with the show's check. */
export const pressNotesPerCheck = 99;

/**
 * The condition of a press step's notes (and of their mails' claims): the show as the step read it
 * (`occurredAt`), a `ConditionCheck` of a transaction. A change landing since has its step read the notes
 * before these, so this step is taken again from a fresh read (docs/design.md#tours).
 */
const showAsRead = (TableName: string, ref: ShowRef, occurredAt: string) => ({
  TableName,
  Key: showKey(ref.labelId, ref.tourId, ref.showId),
  ConditionExpression: 'occurredAt = :read',
  ExpressionAttributeValues: { ':read': occurredAt },
});

/**
 * The write noting what an address was told (`recordPressTold`); with `asNoted`, only while the note of
 * each show it states is as read (the same map, DynamoDB comparing maps by value, or none).
 */
const pressToldUpdate = (
  labelId: string,
  tourId: string,
  country: string,
  told: PressTold,
  asNoted?: Record<string, PressStatement | null>,
) => {
  // Each show's statement is an attribute of its own, so one write sets it whether or not the
  // address had any (DynamoDB sets no path inside a map that is not there). Those of `showIds` only.
  const stated = told.showIds.flatMap((showId) => {
    const statement = told.stated?.[showId];
    return statement ? [[showId, statement] as const] : [];
  });
  const read = asNoted ? stated.map(([showId]) => asNoted[showId]) : [];
  return {
    Key: pressToldKey(labelId, tourId, country, told.email),
    UpdateExpression: `SET email = :email, outletId = :outletId, entity = :entity${stated.map((_, i) => `, #s${i} = :s${i}`).join('')} ADD showIds :shows`,
    ...(read.length && {
      ConditionExpression: read
        .map((note, i) => (note ? `#s${i} = :r${i}` : `attribute_not_exists(#s${i})`))
        .join(' AND '),
    }),
    ...(stated.length ? { ExpressionAttributeNames: statedNames(stated.map(([showId]) => showId)) } : {}),
    ExpressionAttributeValues: {
      ':email': told.email,
      ':outletId': told.outletId,
      ':entity': 'press-told',
      ':shows': new Set(told.showIds),
      ...Object.fromEntries(
        stated.flatMap(([, statement], i) => [
          [`:s${i}`, statement],
          ...(read[i] ? [[`:r${i}`, read[i]]] : []),
        ]),
      ),
    },
  };
};

/** The press steps' notes, written as the tours function takes its steps (their reads are the tours store's). */
export interface PressNotes {
  /**
   * Adds shows to what an address was told (a set: telling it again changes nothing), and keeps
   * `stated` as what it was last told of each show it names (replacing what it was told before).
   * With `asNoted` (the notes of those shows as a step read them, by show id; null: none), each show
   * only while its note is still so, `notesPerWrite` shows a write: false when one was noted otherwise
   * since, from that write on nothing noted (docs/design.md#tours).
   */
  recordPressTold(
    labelId: string,
    tourId: string,
    country: string,
    told: PressTold,
    asNoted?: Record<string, PressStatement | null>,
  ): Promise<boolean>;
  /**
   * Notes what addresses were told, as `recordPressTold` (at most `pressNotesPerCheck`), all or none, and
   * only while the show is still at the change a step read (`occurredAt`): false, nothing noted, when a
   * change of it landed since (docs/design.md#tours).
   */
  recordPressToldAsRead(
    ref: ShowRef,
    occurredAt: string,
    country: string,
    told: PressTold[],
  ): Promise<boolean>;
  /**
   * Settles an address's notes of the mails that ended, each note of `sets` (showId: the note's `set`)
   * only while it still names that set (a note written since stands, the others are settled): `sent`,
   * their `set` is dropped and their shows are on the address's set again (found sent for good); else
   * their shows are taken off it and the notes kept, so a late Email Sent of that mail still counts.
   */
  settlePressTold(
    labelId: string,
    tourId: string,
    country: string,
    email: string,
    sets: Record<string, string>,
    sent: boolean,
  ): Promise<void>;
  /**
   * Notes on the show that `country`'s outlets are being told of it, from `since`; a country noted
   * already keeps its first `since`, unless `anew` (a new stay: the show moved back there). With `asRead`,
   * only while the show is at that change (`occurredAt`): false, nothing noted, when a change landed since.
   */
  recordPressCountry(
    ref: ShowRef,
    country: string,
    since: string,
    anew?: boolean,
    asRead?: string,
  ): Promise<boolean>;
  /**
   * Forgets `country` on the show once its outlets heard it moved away: only the note from `since`, and
   * only while the show is gone from that country.
   */
  forgetPressCountry(ref: ShowRef, country: string, since: string): Promise<void>;
}

export function dynamoPressNotes(db: DynamoDBDocumentClient, table: string): PressNotes {
  const get = <T>(key: { pk: string; sk: string }) => getItem<T>(db, table, key);
  const updated = (input: Omit<UpdateCommandInput, 'TableName'>) =>
    writtenUnlessRefused(db.send(new UpdateCommand({ TableName: table, ...input })));

  return {
    async recordPressTold(labelId, tourId, country, told, asNoted) {
      // `notesPerWrite` shows a write: as read, each show's condition is an operator or two, as a
      // settling write's.
      for (const showIds of inParts(told.showIds, notesPerWrite)) {
        const part = { ...told, showIds };
        if (!(await updated(pressToldUpdate(labelId, tourId, country, part, asNoted)))) return false;
      }
      return true;
    },

    recordPressToldAsRead: (ref, occurredAt, country, told) =>
      writeWithOutbox(
        db,
        [
          { ConditionCheck: showAsRead(table, ref, occurredAt) },
          ...told.map((entry) => ({
            Update: { TableName: table, ...pressToldUpdate(ref.labelId, ref.tourId, country, entry) },
          })),
        ],
        [],
        occurredAt,
      ),

    async settlePressTold(labelId, tourId, country, email, sets, sent) {
      const Key = pressToldKey(labelId, tourId, country, email);
      // Each note only while it names its set (one the sweep's own set, or a later step, wrote since
      // stands): the notes are read, and those naming their set settled `notesPerWrite` a write, each
      // write conditional on each of its notes still naming it; refused (one was written meanwhile),
      // they are read again.
      let left = Object.keys(sets);
      while (left.length) {
        const item = await get<Record<string, { set?: string }>>(Key);
        left = left.filter((id) => item?.[statedPrefix + id]?.set === sets[id]);
        const ids = left.slice(0, notesPerWrite);
        const names = ids.map((_, i) => `#s${i}.#set`);
        if (
          ids.length &&
          (await updated({
            Key,
            UpdateExpression: `${sent ? `REMOVE ${names} ADD` : 'DELETE'} showIds :shows`,
            ConditionExpression: names.map((name, i) => `${name} = :set${i}`).join(' AND '),
            ExpressionAttributeNames: { '#set': 'set', ...statedNames(ids) },
            ExpressionAttributeValues: {
              ':shows': new Set(ids),
              ...Object.fromEntries(ids.map((id, i) => [`:set${i}`, sets[id]])),
            },
          }))
        )
          left = left.slice(notesPerWrite);
      }
    },

    async recordPressCountry(ref, country, since, anew, asRead) {
      const key = showKey(ref.labelId, ref.tourId, ref.showId);
      const read = asRead ? ' AND occurredAt = :read' : '';
      const values = asRead ? { ':read': asRead } : {};
      // Into the show's map of countries, or as its first entry: a show stored before the map existed
      // has none, and DynamoDB sets no path inside a map that is not there. Twice at most: a writer
      // racing this one makes the map between the two attempts.
      for (let attempt = 1; attempt <= 2; attempt++) {
        const added = await updated({
          Key: key,
          UpdateExpression: `SET pressCountries.#country = ${anew ? ':since' : 'if_not_exists(pressCountries.#country, :since)'}`,
          ConditionExpression: `attribute_exists(pressCountries)${read}`,
          ExpressionAttributeNames: { '#country': country },
          ExpressionAttributeValues: { ':since': since, ...values },
        });
        if (added) return true;
        const made = await updated({
          Key: key,
          UpdateExpression: 'SET pressCountries = :countries',
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(pressCountries)${read}`,
          ExpressionAttributeValues: { ':countries': { [country]: since }, ...values },
        });
        if (made) return true;
      }
      // Refused both ways: a change landed since the read (or the show is gone), else it is not stored.
      if (asRead) return false;
      throw new Error(`show ${ref.showId} is not stored`);
    },

    async forgetPressCountry(ref, country, since) {
      await updated({
        Key: showKey(ref.labelId, ref.tourId, ref.showId),
        UpdateExpression: 'REMOVE pressCountries.#country',
        // A show back in that country and announced there again keeps its new note; one back there
        // keeps its note: its press knows it there (docs/design.md#tours).
        ConditionExpression: 'pressCountries.#country = :since AND #show.#venue.#in <> :country',
        ExpressionAttributeNames: {
          '#country': country,
          '#show': 'show',
          '#venue': 'venue',
          '#in': 'country',
        },
        ExpressionAttributeValues: { ':since': since, ':country': country },
      });
    },
  };
}

/**
 * A press step's notes of what addresses are told of a show and the claims of the mails that tell
 * them, written together: never a note without its mail's claim, nor a claim after a change of the
 * show the step did not read (docs/design.md#tours).
 */
export interface NotedClaims {
  /**
   * The show as the step read it: the notes and claims are written only while it is at that change
   * (`occurredAt`; absent, whatever it is: the stale-claim sweep's set of its own, docs/design.md#tours).
   */
  asRead: ShowRef & { occurredAt?: string };
  country: string;
  /** Each mail's claim, with the note of its address (none: the address's note stands as it is). */
  claims: { claim: NewClaim; told?: PressTold }[];
}

/**
 * Writes the notes and claims, `notedClaimsPerWrite` addresses a transaction, one after another: the
 * deliveries claimed now (a mail claimed before is left out, its note written all the same), and
 * `refused` when the show had changed since the step read it, from that transaction on nothing written.
 */
export type NotePressAndClaim = (
  page: NotedClaims,
  at: string,
) => Promise<{ claimed: Delivery[]; refused: boolean }>;

/** DynamoDB: at most 100 items per TransactWriteItems: the show's check, then a note and a claim an address. */
export const notedClaimsPerWrite = 49;

export const dynamoNotePressAndClaim =
  (db: DynamoDBDocumentClient, table: string): NotePressAndClaim =>
  async ({ asRead, country, claims }, at) => {
    const claimed: Delivery[] = [];
    const check = asRead.occurredAt
      ? { ConditionCheck: showAsRead(table, asRead, asRead.occurredAt) }
      : undefined;
    for (const page of inParts(claims, notedClaimsPerWrite)) {
      const notes = page.flatMap(({ told }) =>
        told
          ? { Update: { TableName: table, ...pressToldUpdate(asRead.labelId, asRead.tourId, country, told) } }
          : [],
      );
      const written = await claimBehindCheck(db, check, notes, (by) =>
        claimWrites(
          table,
          page.map(({ claim }) => claim),
          at,
          by,
        ),
      );
      claimed.push(...written.claimed);
      if (written.refused) return { claimed, refused: true };
    }
    return { claimed, refused: false };
  };

/**
 * Claims (`claimWrites`) or a stale claim's takeover (`reclaimWrite`), given the write's own id, written
 * in one transaction with `notes` and the show's `check`: the deliveries claimed now (a mail claimed
 * before, or taken over by another sweeper, is left out, the notes written all the same), or `refused`,
 * nothing written, when the check refused it.
 */
async function claimBehindCheck(
  db: DynamoDBDocumentClient,
  check: StateCheck | undefined,
  notes: StateWrite[],
  claims: (by: string) => ReturnType<typeof claimWrites>,
): Promise<{ claimed: Delivery[]; refused: boolean }> {
  const checks = check ? [check] : [];
  // This write's own id (new each write, the same in its retries), kept on its claims or its takeover.
  const by = randomUUID();
  let writes = claims(by);
  while (notes.length + writes.length > 0) {
    try {
      await retryingConflicts(() =>
        db.send(
          new TransactWriteCommand({ TransactItems: [...checks, ...notes, ...writes.map((w) => w.write)] }),
        ),
      );
      break;
    } catch (error) {
      const refused = failedConditions(error);
      if (!refused?.some(Boolean)) throw error;
      // A claim or a takeover holding `by`: this very transaction, applied with its answer lost and refused
      // when sent again (docs/design.md#failures-and-retries), wrote all of it, its check held.
      if (refusedItems(error)?.some((item) => keptBy('claimedBy', by)(item) || keptBy('takenBy', by)(item)))
        break;
      if (check && refused[0]) return { claimed: [], refused: true };
      // Claimed before (the step taken again): that claim is left out, the notes written. A refusal
      // that names no claim is not one this write expects: it fails, rather than being sent again as it was.
      const left = writes.filter((_, index) => !refused[checks.length + notes.length + index]);
      if (left.length === writes.length) throw error;
      writes = left;
    }
  }
  return { claimed: writes.map((w) => w.delivery), refused: false };
}

/** An advance step's read of the show: the promoter it asks, and since when it asks them (`promoterSince`; absent: since the booking). */
export interface AwaitedAdvance extends ShowRef {
  promoterId: string;
  promoterSince?: string;
}

/**
 * Claims an advance step's mails (one a step) only while the show still awaits the advance from the
 * promoter the step read: no answers in, the same promoter and `promoterSince`, not cancelled, checked in
 * the claims' write. `claims` one stale claim (a Delivery): the sweep's takeover of it to send it again
 * (`reclaimWrite`), under the same check, as its rebuild read the show; none when another sweeper took it
 * first. `refused`, nothing claimed, when a submission or a change landed since the step (or the sweep)
 * read the show (docs/design.md#tours).
 */
export type ClaimAwaitingAdvance = (
  awaited: AwaitedAdvance,
  claims: NewClaim[] | Delivery,
  at: string,
) => Promise<{ claimed: Delivery[]; refused: boolean }>;

export const dynamoClaimAwaitingAdvance =
  (db: DynamoDBDocumentClient, table: string): ClaimAwaitingAdvance =>
  ({ promoterId, promoterSince, ...ref }, claims, at) =>
    claimBehindCheck(
      db,
      {
        ConditionCheck: {
          TableName: table,
          Key: showKey(ref.labelId, ref.tourId, ref.showId),
          ConditionExpression: `${promoterAsRead(promoterSince)} AND attribute_not_exists(advance) AND #show.#status <> :cancelled`,
          ExpressionAttributeNames: { '#show': 'show', '#status': 'status' },
          ExpressionAttributeValues: {
            ':p': promoterId,
            ...(promoterSince ? { ':since': promoterSince } : {}),
            ':cancelled': 'cancelled',
          },
        },
      },
      [],
      (by) =>
        Array.isArray(claims) ? claimWrites(table, claims, at, by) : [reclaimWrite(table, claims, at, by)],
    );
