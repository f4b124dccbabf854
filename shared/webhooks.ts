import { isZoneOf, wallTimeOccurs } from './country-zones.ts';
import type { WebhookFormat } from './db/webhooks.ts';
import type { ErnRelease } from './ern.ts';
import { BudgetSetV1 } from './events/budget-set.ts';
import { TimeZone, UtcInstant } from './events/fields.ts';
import {
  BudgetSet,
  type EventContract,
  ExpenseAmended,
  ExpenseRecorded,
  ExpenseVoided,
  ReleaseCancelled,
  ReleaseScheduled,
  ReleaseUpdated,
  TourBooked,
  TourShowAdded,
  TourShowCancelled,
  TourShowSettled,
  TourShowUpdated,
} from './events/index.ts';
import { acceptingOlder, type OlderVersion } from './events/older-version.ts';
import { type OutboxEntry, outboxEntry } from './events/outbox.ts';
import type { ReleaseDetails } from './events/release-scheduled.ts';
import {
  clockTime,
  isNextDay,
  type Show,
  showDayEnds,
  showLocalDateTime,
  showTimeDate,
} from './events/tour-booked.ts';
import { TourBookedV1, TourDateAddedV1, TourDateCancelledV1 } from './events/tour-booked-v1.ts';
import { type Issue, instantWanted, jsonIssues, strictUtf8, ValidationError } from './http/errors.ts';
import * as z from './zod.ts';

/**
 * What a label sends to `POST /webhooks/{labelId}` (Standard Webhooks body): `{type, timestamp, data}`.
 * Each webhook type is one event contract; `data` is that contract's `data` schema, so the webhook
 * and the event it becomes cannot disagree.
 */
export const webhookTypes = {
  'release.scheduled': ReleaseScheduled,
  'release.updated': ReleaseUpdated,
  'release.cancelled': ReleaseCancelled,
  'tour.booked': TourBooked,
  'tour.show.added': TourShowAdded,
  'tour.show.updated': TourShowUpdated,
  'tour.show.cancelled': TourShowCancelled,
  'tour.show.settled': TourShowSettled,
  // Older names, kept: their bodies are upgraded to the new events' shape (olderVersions).
  'tour.date.added': TourShowAdded,
  'tour.date.cancelled': TourShowCancelled,
  'budget.set': BudgetSet,
  'expense.recorded': ExpenseRecorded,
  'expense.amended': ExpenseAmended,
  'expense.voided': ExpenseVoided,
} as const satisfies Record<string, EventContract>;

export type WebhookType = keyof typeof webhookTypes;

/** Webhook bodies stay within 256 KB (docs/design.md#event-size), so their event always fits a 1 MB PutEvents entry. */
export const maxWebhookBodyBytes = 256 * 1024;

/** Older body shapes still accepted, each upgraded to its type's current shape (docs/design.md#routes-and-auth). */
const olderVersions: Partial<Record<WebhookType, OlderVersion>> = {
  'tour.booked': TourBookedV1,
  'tour.date.added': TourDateAddedV1,
  'tour.date.cancelled': TourDateCancelledV1,
  'budget.set': BudgetSetV1,
};

type Venued = { shows: Show[] } | { show: Show };

/** The shows a tour body sends, each with the path to it. */
const showsOf = (data: Venued): { show: Show; at: (string | number)[] }[] =>
  'shows' in data
    ? data.shows.map((show, index) => ({ show, at: ['shows', index] }))
    : [{ show: data.show, at: ['show'] }];

/**
 * A venue's zone is one of its country's (a venue in DE in America/New_York would have its show days,
 * day sheets and reminders at New York's times). Checked here, where a label sends a show, and not by
 * the events' schemas: an event or a step built from a show stored before the check (a replaced venue,
 * docs/design.md#tours) is read as it was. A country or zone that is none at all is named by its own
 * field alone.
 */
const venueZones = z.superRefine((data: Venued, context) => {
  for (const { show, at } of showsOf(data)) {
    const { country, timeZone } = show.venue;
    if (!TimeZone.safeParse(timeZone).success || isZoneOf(country, timeZone)) continue;
    context.addIssue({
      code: 'custom',
      path: [...at, 'venue', 'timeZone'],
      message: `is no time zone of ${country}`,
    });
  }
});
/**
 * A local time a label sends must occur on its day in its zone: one the clocks skip (01:30 in
 * Europe/London on 2027-03-28) is refused naming its field, not moved to a time the label never
 * stated; one they repeat is its first occurrence (docs/design.md#street-dates-per-territory). The one
 * check of every local time read with a zone: a release's and its territories' street dates, a show's
 * times and guest-list cutoff. At the webhook, as `venueZones`: what was stored before is read as it was.
 */
function wallTimeSkipped(
  context: z.core.$RefinementCtx,
  path: (string | number)[],
  { date, time, timeZone }: { date: string; time: string; timeZone: string },
) {
  // 00:00 is the start of the day, as a release date sent without a time is: where the clocks skip
  // midnight (Cairo's on a Friday of April, Santiago's in September) the day starts when they resume.
  if (time === '00:00' || !TimeZone.safeParse(timeZone).success || wallTimeOccurs(date, time, timeZone))
    return;
  context.addIssue({
    code: 'custom',
    path,
    message: `${time} does not exist in ${timeZone} on ${date}: the clocks skip it`,
  });
}

const releaseTimesOccur = z.superRefine((release: ReleaseDetails, context) => {
  const { releaseDate, releaseTime, timeZone } = release;
  wallTimeSkipped(context, ['releaseTime'], { date: releaseDate, time: releaseTime, timeZone });
  release.territoryDates?.forEach((entry, index) => {
    // An entry without a time of its own takes the release's: its date is what makes it skipped.
    const field = entry.releaseTime === undefined ? 'releaseDate' : 'releaseTime';
    wallTimeSkipped(context, ['territoryDates', index, field], {
      date: entry.releaseDate,
      time: entry.releaseTime ?? releaseTime,
      timeZone: entry.timeZone ?? timeZone,
    });
  });
});

/**
 * A curfew comes after the doors and the set. One unmarked from 06:00 on is read on the show's date, so
 * an all-night show's 07:00 sent as `07:00` would end before it began: the answer says how the next
 * morning is written (`07:00+1`). Checked where a label sends a show, not by the events' schemas, so a
 * show stored before the check is read as it was.
 */
function curfewAfterStart(context: z.core.$RefinementCtx, path: (string | number)[], show: Show) {
  const { doors, set, curfew } = show.times ?? {};
  if (!curfew) return;
  const local = (time: string) => showLocalDateTime(show.date, time);
  const [name, start] = doors && local(curfew) <= local(doors) ? ['doors', doors] : ['set', set];
  if (!start || local(curfew) > local(start)) return;
  const sameDay = !isNextDay(curfew) && curfew < '12:00';
  context.addIssue({
    code: 'custom',
    path,
    message: `is not after the ${name} (${start})${
      sameDay
        ? `: ${curfew} is read on ${show.date} (a time before ${showDayEnds} is the next morning); a curfew the next morning from ${showDayEnds} on is written ${curfew}+1`
        : ''
    }`,
  });
}

const showTimesOccur = z.superRefine((data: Venued, context) => {
  for (const { show, at } of showsOf(data)) {
    const { timeZone } = show.venue;
    for (const [key, time] of Object.entries(show.times ?? {})) {
      if (time === undefined) continue;
      wallTimeSkipped(context, [...at, 'times', key], {
        // A load-in comes before the show: one before 06:00 is that morning's (`statedTime`), no after-midnight time.
        date: key === 'loadIn' ? show.date : showTimeDate(show.date, time),
        time: clockTime(time),
        timeZone,
      });
    }
    curfewAfterStart(context, [...at, 'times', 'curfew'], show);
    if (show.guestListCutoff !== undefined)
      wallTimeSkipped(context, [...at, 'guestListCutoff'], {
        date: show.date,
        time: show.guestListCutoff,
        timeZone,
      });
  }
});
const timed: Partial<Record<WebhookType, z.core.$ZodCheck<never>>> = {
  'release.scheduled': releaseTimesOccur,
  'release.updated': releaseTimesOccur,
  'tour.booked': showTimesOccur,
  'tour.show.added': showTimesOccur,
  'tour.show.updated': showTimesOccur,
  'tour.date.added': showTimesOccur,
};
const venued: Partial<Record<WebhookType, true>> = {
  'tour.booked': true,
  'tour.show.added': true,
  'tour.show.updated': true,
  'tour.date.added': true,
};

/** A type's body; its data schema is built when a body of that type is first parsed (docs/design.md#bundles). */
const bodyOf = <T extends WebhookType>(type: T) =>
  z.object({
    type: z.literal(type),
    /** When the change happened at the label, in UTC so that it orders as a string (docs/design.md#ordering-by-the-labels-timestamp). */
    timestamp: UtcInstant,
    data: z.lazy(() => {
      const current: (typeof webhookTypes)[T]['data'] = webhookTypes[type].data;
      const zoned = venued[type] ? (current.check(venueZones as never) as typeof current) : current;
      const timesOccur = timed[type];
      const data = timesOccur ? (zoned.check(timesOccur as never) as typeof current) : zoned;
      const older = olderVersions[type];
      return older ? acceptingOlder(data, older) : data;
    }),
  });

export const WebhookBody = z.lazy(() =>
  z.discriminatedUnion('type', [
    bodyOf('release.scheduled'),
    bodyOf('release.updated'),
    bodyOf('release.cancelled'),
    bodyOf('tour.booked'),
    bodyOf('tour.show.added'),
    bodyOf('tour.show.updated'),
    bodyOf('tour.show.cancelled'),
    bodyOf('tour.show.settled'),
    bodyOf('tour.date.added'),
    bodyOf('tour.date.cancelled'),
    bodyOf('budget.set'),
    bodyOf('expense.recorded'),
    bodyOf('expense.amended'),
    bodyOf('expense.voided'),
  ]),
);
export type WebhookBody = z.infer<typeof WebhookBody>;
export type WebhookBodyInput = z.input<typeof WebhookBody>;

export type ParsedWebhook =
  | { ok: true; body: WebhookBody; contract: EventContract }
  | { ok: false; error: ValidationError };

const known = Object.keys(webhookTypes).join(', ');

const issueOf = (issue: z.core.$ZodIssue): Issue => {
  const path = issue.path.map(String).join('.');
  if (path === 'type' && issue.code === 'invalid_union') return { path, message: `must be one of ${known}` };
  // Said here, not in the shared field, so that the events' schemas in every bundle stay lean.
  if (issue.code === 'invalid_format' && issue.format === 'datetime') {
    return { path, message: instantWanted };
  }
  return { path, message: issue.message };
};

/**
 * Reads a webhook body from its raw bytes: UTF-8 (RFC 8259), JSON, then the schema of its type.
 * Never throws for anything a client sends; every failure is a field-level ValidationError.
 */
export function parseWebhookBody(raw: Buffer | string): ParsedWebhook {
  let text: string;
  try {
    // A leading byte order mark is ignored (RFC 8259 allows it), in the bytes as in the text stored from
    // them: strictUtf8 drops it from bytes, so it is dropped from a string the same way.
    text = typeof raw === 'string' ? raw.replace(/^\uFEFF/, '') : strictUtf8(raw);
  } catch {
    return { ok: false, error: new ValidationError([{ path: '', message: 'body is not valid UTF-8' }]) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'too deeply nested';
    return {
      ok: false,
      error: new ValidationError([{ path: '', message: `body is not valid JSON (${reason})` }]),
    };
  }
  // A label's webhooks are not closed: their payloads may gain fields (docs/design.md#routes-and-auth).
  const surrogates = jsonIssues(json, false);
  if (surrogates.length > 0) return { ok: false, error: new ValidationError(surrogates) };
  const parsed = WebhookBody.safeParse(json);
  if (!parsed.success) return { ok: false, error: new ValidationError(parsed.error.issues.map(issueOf)) };
  return { ok: true, body: parsed.data, contract: webhookTypes[parsed.data.type] };
}

/** The webhook type an ERN message stands for: a cancellation when taken down everywhere, else new or an update. */
export const ernWebhookType = (release: ErnRelease, known: boolean): WebhookType =>
  !release.details ? 'release.cancelled' : known ? 'release.updated' : 'release.scheduled';

const ernRelease = 'ReleaseList/Release/';
const ernRecording = 'ResourceList/SoundRecording/';
const ernDeal = 'DealList/ReleaseDeal/Deal/DealTerms/';
/**
 * Where an ERN message states each field of the body it becomes (shared/ern.ts) that the schema can
 * refuse (a territory GBR, an ISRC with hyphens, a 14-digit ICPN, a title past its length), by the
 * field's own name (a track's `isrc`, a territory's `releaseDate`) or, for a track's title, with its
 * list's: such a refusal names the element, not the JSON field the label never wrote
 * (docs/design.md#ddex-ern).
 */
const ernElements: Record<string, string> = {
  releaseId: `${ernRelease}ReleaseId`,
  upc: `${ernRelease}ReleaseId/ICPN`,
  title: `${ernRelease}DisplayTitleText`,
  // An artist's name read from the release's DisplayArtistName is named by it instead (artistsFrom).
  name: 'PartyList/Party/PartyName/FullName',
  // ERN 4.3's; genres read from 4.3.1's or 4.3.2's DisplayGenre are named by it instead (genresFrom).
  genres: `${ernRelease}Genre/GenreText`,
  'tracks.title': `${ernRecording}DisplayTitleText`,
  isrc: `${ernRecording}SoundRecordingEdition/ResourceId/ISRC`,
  durationSeconds: `${ernRecording}Duration`,
  territories: `${ernDeal}TerritoryCode`,
  excludedTerritories: `${ernDeal}ExcludedTerritoryCode`,
  releaseDate: `${ernDeal}ValidityPeriod/StartDate`,
  // A time a territory's clocks skip: only a StartDateTime naming no zone gives one (docs/design.md#ddex-ern).
  releaseTime: `${ernDeal}ValidityPeriod/StartDateTime`,
  preOrderDate: `${ernDeal}ValidityPeriod/StartDate`,
};
const ernIssueOf =
  (release: ErnRelease) =>
  (issue: z.core.$ZodIssue): Issue => {
    const names = issue.path.filter((part) => typeof part === 'string');
    const field = names.slice(-2).join('.');
    const element =
      field === 'artists.name' && release.artistsFrom
        ? `${ernRelease}${release.artistsFrom}`
        : names.at(-1) === 'genres' && release.genresFrom
          ? `${ernRelease}${release.genresFrom}/GenreText`
          : (ernElements[field] ?? ernElements[String(names.at(-1))]);
    return element ? { path: `NewReleaseMessage/${element}`, message: issue.message } : issueOf(issue);
  };

/** An ERN message as the webhook body a label would have sent in JSON, checked by the same schema. */
export function ernWebhookBody(release: ErnRelease, type: WebhookType): ParsedWebhook {
  const body =
    type === 'release.cancelled'
      ? { releaseId: release.releaseId, reason: 'Taken down in every territory (DDEX ERN).' }
      : release.details;
  const parsed = WebhookBody.safeParse({ type, timestamp: release.createdAt, data: body });
  if (!parsed.success) {
    const issues = parsed.error.issues.map(ernIssueOf(release));
    // Fields read from one element (a territory in `territories` and in its `territoryDates` entry) name it once.
    const once = issues.filter(
      (issue, index) =>
        issues.findIndex((other) => other.path === issue.path && other.message === issue.message) === index,
    );
    return { ok: false, error: new ValidationError(once) };
  }
  return { ok: true, body: parsed.data, contract: webhookTypes[parsed.data.type] };
}

/**
 * A recorded webhook's body, read again to build its event (first publication, sweep, replay): JSON
 * as the label sent it, or the ERN message with the type intake decided when it arrived. The XML
 * reader is loaded with the first ERN message, as intake loads it (docs/design.md#bundles).
 */
export async function parseRecordedBody(record: {
  body: string;
  type: string;
  format?: WebhookFormat;
}): Promise<ParsedWebhook> {
  if (record.format !== 'ern') return parseWebhookBody(record.body);
  const { parseErn } = await import('./ern.ts');
  const parsed = parseErn(record.body);
  if (!parsed.ok) return parsed;
  if (!(record.type in webhookTypes)) {
    return {
      ok: false,
      error: new ValidationError([{ path: 'type', message: `unknown type ${record.type}` }]),
    };
  }
  return ernWebhookBody(parsed.release, record.type as WebhookType);
}

/** What identifies a recorded webhook's event: the same on the first publication, the outbox's and a replay's. */
export interface WebhookEventIdentity {
  labelId: string;
  webhookId: string;
  eventId: string;
}

/**
 * A webhook's event, built from its body whenever it is published (the record keeps the raw body, not
 * the event). `occurredAt` is the body's `timestamp` (when it happened at the label).
 */
export function webhookEvent(body: WebhookBody, identity: WebhookEventIdentity): OutboxEntry {
  const contract: EventContract = webhookTypes[body.type];
  return outboxEntry(contract, body.data, {
    eventId: identity.eventId,
    correlationId: identity.eventId,
    occurredAt: body.timestamp,
    labelId: identity.labelId,
    webhookId: identity.webhookId,
  });
}
