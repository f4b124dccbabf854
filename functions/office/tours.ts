import type { MailIdentity } from '#shared/db/deliveries.ts';
import { keyOf } from '#shared/db/keys.ts';
import type { LabelExistence } from '#shared/db/labels.ts';
import type { Reach } from '#shared/db/subject-deliveries.ts';
import { promoterRow, promoterShowRow, type TourStore, toldAsReached } from '#shared/db/tours.ts';
import { ShowStep } from '#shared/events/show-step-due.ts';
import { Contact, Deal, type Show, ShowStatus, ShowTimes, Venue } from '#shared/events/tour-booked.ts';
import { GuestJson, guestRefusals } from '#shared/guests.ts';
import { failure, writeConflict } from '#shared/http/docs.ts';
import {
  attachment,
  bodyOf,
  Cursor,
  conflict,
  cursorAfter,
  cursorChecked,
  type HttpEvent,
  type HttpResult,
  json,
  notFound,
  pageLimit,
  queryOf,
  rowAfter,
  ValidationError,
} from '#shared/http/index.ts';
import { type ManagementRoute, noLabelOr, notFoundUnder } from '#shared/http/manager-api.ts';
import { icsContentType, showsCalendar } from '#shared/ics.ts';
import {
  advanceStatusOf,
  guestCount,
  guestListClosed,
  guestListClosedBefore,
  listedAlready,
  pressToldLatest,
  type StoredShow,
  type StoredTour,
  sameName,
  stepMoments,
  stepTaken,
} from '#shared/tours.ts';
import * as z from '#shared/zod.ts';

/** Tour views, calendars, guest lists and the promoter directory (management API, bearer key). */

/**
 * The directory and a promoter's shows grow with the labels' bookings, so each is answered a page at a
 * time, as a budget's ledger is (`limit`, `cursor`, `nextCursor`). The longest promoter (a name of 200
 * characters, each one JSON writes as six bytes, an address of 254 and a phone of 40 likewise) is
 * under 3 KB, so 1,000 stay under 3 MB; the longest show (its venue's name, address and city, its
 * promoter, its tour and show ids and a cancellation reason of 1,000 such characters) under 16 KB, so
 * 300 stay under 5 MB, within the 6 MB a Lambda answer may carry.
 */
export const promotersLimit = 1_000;
export const promotersUsual = 100;
export const promoterShowsLimit = 300;
export const promoterShowsUsual = 100;

const PromotersQuery = z.strictObject({
  limit: pageLimit(promotersLimit, promotersUsual),
  // A promoter's lower-case name (200 characters at most) and id.
  cursor: Cursor,
});

const PromoterShowsQuery = z.strictObject({
  limit: pageLimit(promoterShowsLimit, promoterShowsUsual),
  // A show's date, label, tour and show ids (128 characters at most each).
  cursor: Cursor,
});

export interface TourRoutesDeps {
  tours: TourStore;
  /** Asked only when a route under a label finds nothing: is it the label that is not there? */
  labels: LabelExistence;
  /** The tour manager's page for the tour (a signed link), so the tour manager needs no API key. */
  tourManagerLink(labelId: string, tourId: string, shows: Show[]): Promise<string>;
  /** Whether each press mail reached SES, as the tours function's steps read it (`TourMailer.reached`). */
  reached(mails: MailIdentity[]): Promise<Reach[]>;
  now: () => Date;
}

type LiveShow = StoredShow & { show: Show };
const live = (shows: StoredShow[]): LiveShow[] => shows.filter((s): s is LiveShow => Boolean(s.show));

function showSummary(stored: LiveShow, now: string) {
  const { show } = stored;
  return {
    showId: stored.showId,
    date: show.date,
    status: show.status,
    venue: show.venue,
    times: show.times ?? {},
    promoter: { promoterId: stored.promoterId, ...show.promoter },
    advance: advanceStatusOf(stored),
    guests: guestCount(stored.guests ?? []),
    // Closed at its cutoff, its step perhaps still to run (guestListClosed, docs/design.md#tours).
    guestListLocked: guestListClosed(stored, now),
    ...(show.deal ? { deal: show.deal } : {}),
    ...(stored.cancellationReason ? { cancellationReason: stored.cancellationReason } : {}),
    changedAt: stored.occurredAt,
  };
}

function showDetail(stored: LiveShow, now: string) {
  return {
    ...showSummary(stored, now),
    ...(stored.show.announceAt ? { announceAt: stored.show.announceAt } : {}),
    advanceAnswers: stored.advance?.answers ?? null,
    ...(stored.advance ? { advanceSubmittedAt: stored.advance.submittedAt } : {}),
    ...(stored.advance?.amendedAt ? { advanceAmendedAt: stored.advance.amendedAt } : {}),
    guestList: stored.guests ?? [],
    ...(stored.guestListLockedAt ? { guestListLockedAt: stored.guestListLockedAt } : {}),
    steps: stepMoments(stored.show).map((moment) => ({
      step: moment.step,
      at: moment.scheduledFor,
      localTime: `${moment.wallTime} ${moment.timeZone}`,
      // Done for the moment it is due now: a moved show's day sheet is still to go for its new day. A
      // guest list closed at an earlier cutoff (moved later on the same day) stays closed: done. A press
      // announcement taken is not while its firing still has work, as the firing reads it (firingOf): its
      // moment ahead, or past it the press not yet told what the show's latest change holds
      // (pressToldLatest), whatever moment it was taken for (docs/design.md#tours).
      ...((stepTaken(stored, moment.step, moment.scheduledFor) &&
        !(moment.step === 'press-announcement' && (moment.scheduledFor > now || !pressToldLatest(stored)))) ||
      (moment.step === 'guest-list-cutoff' && guestListClosedBefore(stored, moment.scheduledFor))
        ? { done: true }
        : {}),
    })),
    ...(stored.settlement ? { settlement: stored.settlement } : {}),
  };
}

/**
 * Each show with the number of outlet addresses told of it (press is kept per country), as the tours
 * steps count them: only mails that reached SES (`toldAsReached`, docs/design.md#tours).
 */
async function withOutletsTold(tour: StoredTour, shows: LiveShow[], deps: TourRoutesDeps) {
  const countries = [...new Set(shows.map((s) => s.show.venue.country))];
  const told = new Map(
    await Promise.all(
      countries.map(async (country) => {
        const notes = await deps.tours.pressTold(tour.labelId, tour.tourId, country);
        await toldAsReached(tour, notes, deps.reached);
        return [country, notes] as const;
      }),
    ),
  );
  const now = deps.now().toISOString();
  return shows.map((stored) => ({
    ...showSummary(stored, now),
    outletsTold: (told.get(stored.show.venue.country) ?? []).filter((t) => t.showIds.includes(stored.showId))
      .length,
  }));
}

/** `GET /labels/{labelId}/tours/{tourId}`: the tour, its manager's page and its shows. */
async function tourView(tour: StoredTour, shows: LiveShow[], deps: TourRoutesDeps) {
  return {
    ...tour,
    tourManagerPage: await deps.tourManagerLink(
      tour.labelId,
      tour.tourId,
      shows.map((s) => s.show),
    ),
    shows: await withOutletsTold(tour, shows, deps),
  };
}

/** A tour as the management API answers it (read by the CLI and the local console). */
export type TourView = Awaited<ReturnType<typeof tourView>>;

const ids = (event: HttpEvent) => ({
  labelId: event.pathParameters?.labelId ?? '',
  tourId: event.pathParameters?.tourId ?? '',
  showId: event.pathParameters?.showId ?? '',
});

async function requireTour(
  event: HttpEvent,
  deps: TourRoutesDeps,
): Promise<{ tour: StoredTour; shows: LiveShow[] }> {
  const { labelId, tourId } = ids(event);
  const { tour, shows } = await deps.tours.tourWithShows(labelId, tourId);
  if (!tour) throw await notFoundUnder(deps.labels, labelId, 'tour');
  return { tour, shows: live(shows) };
}

const ics = (fileName: string, body: string): HttpResult => ({
  statusCode: 200,
  headers: { 'content-type': icsContentType, 'content-disposition': attachment(fileName) },
  body,
});

const calendarOf = (tour: StoredTour, shows: LiveShow[], now: Date) =>
  showsCalendar(
    `${tour.artist.name}: ${tour.tourId}`,
    shows.map((stored) => ({
      labelId: tour.labelId,
      tourId: tour.tourId,
      artist: tour.artist.name,
      show: stored.show,
      occurredAt: stored.occurredAt,
    })),
    now.toISOString(),
  );

/*
 * The response schemas below are the API document's alone: each is built inside the route's `z.lazy`, when
 * the document is, never when the office function loads (docs/design.md#bundles), so the parts two of them
 * share are functions.
 */

/** A promoter of the directory, as kept from the tour webhooks. */
const promoterView = () => ({
  promoterId: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.optional(z.string()),
  occurredAt: z.string().check(z.describe("the label's time of the change that wrote it last")),
});

const guestView = () =>
  z.object({
    name: z.string(),
    plusOnes: z.int(),
    note: z.optional(z.string()),
    addedAt: z.string(),
  });

/** `showSummary`'s fields: what a show is in a tour's or a promoter's list. */
const showSummaryView = () => ({
  showId: z.string(),
  date: z.string(),
  status: ShowStatus,
  venue: Venue,
  times: ShowTimes,
  promoter: z.object({
    promoterId: z.string(),
    name: z.string(),
    email: z.string(),
    phone: z.optional(z.string()),
  }),
  advance: z.enum(['not-requested', 'requested', 'reminded', 'overdue', 'submitted']),
  guests: z.int().check(z.describe('names plus their plus-ones')),
  guestListLocked: z
    .boolean()
    .check(
      z.describe(
        'whether the guest list is closed: locked at its cutoff, or its cutoff passed (its step still to run); a closed list takes no guest',
      ),
    ),
  deal: z.optional(Deal),
  cancellationReason: z.optional(z.string()),
  changedAt: z.string(),
});

const TourView = z.lazy(() =>
  z.object({
    labelId: z.string(),
    tourId: z.string(),
    artist: z.object({ name: z.string() }),
    genres: z.optional(z.array(z.string())),
    tourManager: Contact,
    crew: z.optional(z.array(Contact)),
    currency: z.optional(z.string()),
    occurredAt: z.string(),
    tourManagerPage: z
      .string()
      .check(z.describe("the tour manager's page, a signed link that needs no API key")),
    shows: z.array(
      z.object({
        ...showSummaryView(),
        outletsTold: z.int().check(z.describe('outlet addresses told of the show whose mail reached SES')),
      }),
    ),
  }),
);

const ShowView = z.lazy(() =>
  z.object({
    labelId: z.string(),
    tourId: z.string(),
    ...showSummaryView(),
    announceAt: z.optional(z.string()),
    advanceAnswers: z.nullable(
      z.object({
        loadInAccess: z.string(),
        parking: z.string(),
        power: z.string(),
        backline: z.string(),
        wifi: z.string(),
        hospitality: z.string(),
        dressingRooms: z.string(),
        merchSplit: z.string(),
        merchSeller: z.string(),
        guestListAllotment: z.int(),
        localCrewCall: z.string(),
        settlementMethod: z.string(),
        settlementCurrency: z.string(),
        dayContact: z.object({ name: z.string(), phone: z.string() }),
      }),
    ),
    advanceSubmittedAt: z.optional(z.string()),
    advanceAmendedAt: z.optional(z.string()),
    guestList: z.array(guestView()),
    guestListLockedAt: z.optional(z.string()),
    steps: z.array(
      z.object({
        step: ShowStep,
        at: z.string(),
        localTime: z.string().check(z.describe("the venue's wall time and its time zone")),
        done: z.optional(z.literal(true)),
      }),
    ),
    settlement: z.optional(z.unknown()),
  }),
);

const GuestsAdded = z.lazy(() =>
  z.object({
    showId: z.string(),
    guests: z.array(guestView()),
    total: z.int().check(z.describe('names plus their plus-ones')),
  }),
);

const PromotersPage = z.lazy(() =>
  z.object({ promoters: z.array(z.object(promoterView())), nextCursor: z.optional(z.string()) }),
);

const PromoterPage = z.lazy(() =>
  z.object({
    ...promoterView(),
    shows: z.array(z.object({ labelId: z.string(), tourId: z.string(), ...showSummaryView() })),
    nextCursor: z.optional(z.string()),
  }),
);

/**
 * Closed down to each guest, as every JSON body of the manager's API is (docs/design.md#routes-and-auth):
 * a misspelt `plusOne` is a 400 naming it, not a guest added without their plus-ones.
 */
const GuestsBody = z.strictObject({
  guests: z.array(GuestJson).check(z.minLength(1), z.maxLength(50)),
});

export const tourRoutes = (deps: TourRoutesDeps): ManagementRoute[] => [
  {
    method: 'GET',
    path: '/labels/{labelId}/tours/{tourId}',
    doc: {
      summary: 'A tour: its shows with status, advance status, guest counts and outlets told',
      responses: { 200: { description: 'the tour', schema: TourView }, 404: noLabelOr('tour') },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const { tour, shows } = await requireTour(event, deps);
      return json(200, await tourView(tour, shows, deps));
    },
  },
  {
    method: 'GET',
    path: '/labels/{labelId}/tours/{tourId}/itinerary.ics',
    doc: {
      summary: "Every show of the tour as an iCalendar file, for the tour manager's calendar",
      responses: {
        200: { description: 'the itinerary', mediaType: 'text/calendar' },
        404: noLabelOr('tour'),
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const { tour, shows } = await requireTour(event, deps);
      return ics('itinerary.ics', calendarOf(tour, shows, deps.now()));
    },
  },
  {
    // `{showId}.ics` is this route too: an HTTP API path variable is a whole segment.
    method: 'GET',
    path: '/labels/{labelId}/tours/{tourId}/shows/{showId}',
    doc: {
      summary:
        'A show with its advance answers, steps and guests (`.ics` at the end of the path for its calendar entry)',
      responses: { 200: { description: 'the show', schema: ShowView }, 404: noLabelOr('tour or show') },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const { tour, shows } = await requireTour(event, deps);
      const { showId } = ids(event);
      const wantsIcs = showId.endsWith('.ics');
      const id = wantsIcs ? showId.slice(0, -'.ics'.length) : showId;
      const stored = shows.find((s) => s.showId === id) ?? shows.find((s) => s.showId === showId);
      if (!stored) throw notFound('show');
      if (wantsIcs && stored.showId !== showId)
        return ics(`${stored.showId}.ics`, calendarOf(tour, [stored], deps.now()));
      return json(200, {
        labelId: tour.labelId,
        tourId: tour.tourId,
        ...showDetail(stored, deps.now().toISOString()),
      });
    },
  },
  {
    method: 'POST',
    path: '/labels/{labelId}/tours/{tourId}/shows/{showId}/guests',
    doc: {
      summary: "Adds names to a show's guest list until its cutoff",
      body: { schema: GuestsBody },
      responses: {
        201: { description: 'the guest list, with the names added', schema: GuestsAdded },
        400: failure('a guest is invalid, or a name is given twice in the request: named'),
        404: noLabelOr('tour or show'),
        409: failure(
          'the guest list is closed (its cutoff passed) or full, the show is cancelled, or a guest of one of the names is on the list already: named',
        ),
        503: writeConflict,
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const { guests } = bodyOf(GuestsBody, event);
      // A name the request gives twice was never on the list: the request is refused, named, as any
      // invalid field (names told apart as the list tells them, sameName).
      const firstAt = new Map<string, number>();
      const twice = guests.flatMap(({ name }, i) => {
        const first = firstAt.get(sameName(name));
        if (first === undefined) firstAt.set(sameName(name), i);
        return first === undefined
          ? []
          : [
              {
                path: `guests.${i}.name`,
                message: `is given twice in this request, as guests.${first}.name: give each guest once`,
              },
            ];
      });
      if (twice.length > 0) throw new ValidationError(twice);
      const ref = ids(event);
      const addedAt = deps.now().toISOString();
      const outcome = await deps.tours.addGuests(
        ref,
        guests.map((guest) => ({ ...guest, addedAt })),
      );
      // Named as the show's own route names it: the tour, or the show of a tour that is there.
      if (outcome === 'unknown')
        throw await notFoundUnder(
          deps.labels,
          ref.labelId,
          (await deps.tours.getTour(ref.labelId, ref.tourId)) ? 'show' : 'tour',
        );
      if (outcome === 'listed') {
        // Named, so the manager sees which of the guests sent are on the list.
        const listed = listedAlready((await deps.tours.getShow(ref))?.guests ?? [], guests);
        throw conflict(
          `${guestRefusals.listed}: ${(listed.length ? listed : guests.map((g) => g.name)).join(', ')}`,
        );
      }
      if (outcome !== 'added') throw conflict(guestRefusals[outcome]);
      const stored = await deps.tours.getShow(ref);
      return json(201, {
        showId: ref.showId,
        guests: stored?.guests ?? [],
        total: guestCount(stored?.guests ?? []),
      });
    },
  },
  {
    method: 'GET',
    path: '/promoters',
    doc: {
      summary: 'The promoter directory, kept from the tour webhooks, a page at a time',
      description: `At most \`limit\` promoters a page (${promotersUsual} by default, ${promotersLimit} at most), by name; follow \`nextCursor\` for the next.`,
      query: PromotersQuery,
      responses: {
        200: { description: 'the promoters', schema: PromotersPage },
        400: failure('a query parameter is invalid'),
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const query = queryOf(PromotersQuery, event);
      const after = query.cursor ? rowAfter(query.cursor, 'promoters', 2) : undefined;
      const { promoters, more } = await cursorChecked(deps.tours.promotersPage(query.limit, after));
      const last = promoters.at(-1);
      return json(200, {
        promoters,
        ...(more && last ? { nextCursor: cursorAfter('promoters', promoterRow(last)) } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/promoters/{promoterId}',
    doc: {
      summary: "A promoter: their shows and each show's advance status, a page of shows at a time",
      description: `At most \`limit\` shows a page (${promoterShowsUsual} by default, ${promoterShowsLimit} at most), by date; follow \`nextCursor\` for the next (each page repeats the promoter).`,
      query: PromoterShowsQuery,
      responses: {
        200: { description: 'the promoter', schema: PromoterPage },
        400: failure('a query parameter is invalid'),
        404: failure('no such promoter'),
      },
    },
    handler: async (event: HttpEvent): Promise<HttpResult> => {
      const promoterId = event.pathParameters?.promoterId ?? '';
      const query = queryOf(PromoterShowsQuery, event);
      // The listing is the promoter's own: a cursor of another promoter's shows is refused.
      const listing = keyOf('PROMOTER-SHOWS', promoterId);
      const after = query.cursor ? rowAfter(query.cursor, listing, 4) : undefined;
      const promoter = await deps.tours.getPromoter(promoterId);
      if (!promoter) throw notFound('promoter');
      const page = await cursorChecked(deps.tours.promoterShowsPage(promoterId, query.limit, after));
      const shows = live(page.shows);
      const now = deps.now().toISOString();
      // The next page goes on after the last show read (a show on the index has its date).
      const last = page.shows.at(-1);
      return json(200, {
        ...promoter,
        shows: shows.map((stored) => ({
          labelId: stored.labelId,
          tourId: stored.tourId,
          ...showSummary(stored, now),
        })),
        ...(page.more && last ? { nextCursor: cursorAfter(listing, promoterShowRow(last)) } : {}),
      });
    },
  },
];
