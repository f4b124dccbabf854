import { againFromFreshRead, readAgain } from '#shared/db/conflicts.ts';
import { keptList } from '#shared/db/context-lists.ts';
import { mailSubjects, type NewClaim } from '#shared/db/deliveries.ts';
import { nameHash } from '#shared/db/keys.ts';
import { pressNotesPerCheck } from '#shared/db/press-notes.ts';
import { type PressStatement, type PressTold, showRefOf, toldAsReached } from '#shared/db/tours.ts';
import { inParts } from '#shared/db/transact-page.ts';
import {
  type OutboxEntry,
  outboxEntry,
  ShowAnnouncedToMedia,
  ShowCancellationSent,
} from '#shared/events/index.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { icsContentType, showsCalendar } from '#shared/ics.ts';
import { type Notice, noticeTemplateData } from '#shared/mail/data.ts';
import { forEachBounded } from '#shared/mail/send.ts';
import { tourPressTemplateName } from '#shared/mail/template-names.ts';
import { isMailable, normaliseEmail, type Outlet, outletMatchesRelease } from '#shared/outlets.ts';
import {
  isAnnounced,
  type PressFacts,
  pressDue,
  type StoredShow,
  type StoredTour,
  showFacts,
  showFactsHash,
  showOverAt,
  statedTime,
} from '#shared/tours.ts';
import { identityOf, isoNow, PressNotesRefused, type TourMail, type ToursDeps } from './ports.ts';
import { longDate } from './sheets.ts';

/**
 * Press for a tour's shows (campaign mail, with one-click unsubscribe). Outlets are told per country:
 * those whose territories include the show's country (or WW) and whose genres match the tour's. The
 * first mail to an address lists every announced show of the tour in that country; a show announced
 * later is one update mail listing the new show; a cancelled show mails the addresses told of it. Each
 * carries the shows as an iCalendar attachment. A mail's identity is the address, the tour and
 * country, the kind and the set of shows it tells of, so each is sent once (docs/design.md#exactly-once-mail);
 * what each address was told is kept as a set, so telling it again changes nothing.
 */

type LiveShow = StoredShow & { show: Show };

/** A show as a mail states it, with the label's time of the change that gave it those details. */
export type StatedShow = Pick<StoredShow, 'occurredAt'> & { show: Show };

/**
 * What a press mail tells: the shows of a country, a show added, one cancelled, one moved or retimed,
 * one on again after its cancellation, one moved to another country.
 */
export type PressKind = 'announcement' | 'update' | 'cancellation' | 'change' | 'reinstated' | 'moved';

const sectionTitles: Record<PressKind, string> = {
  announcement: 'Shows',
  update: 'Shows',
  cancellation: 'Cancelled',
  change: 'Now',
  reinstated: 'On again',
  moved: 'Now',
};

const showRows = (shows: PressFacts[]) =>
  shows.map((show) => ({
    label: longDate(show.date, 'short'),
    value: `${show.venue.name}, ${show.venue.city}${show.times?.doors ? ` (doors ${statedTime(show, 'doors', show.times.doors)})` : ''}`,
  }));

/** Built on the first mail, not at load (it costs about 25 ms, see shared/events/fields.ts), then reused. */
let regionNames: Intl.DisplayNames | undefined;

const regionName = (country: string) => {
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  return regionNames.of(country) ?? country;
};

/**
 * The countries whose English name, as ICU gives it ("United Kingdom", "Bahamas"), takes "the" in a
 * sentence: those the UN's English short names (UNTERM) write with it (the Bahamas, the Central African
 * Republic, the Comoros, the Dominican Republic, the Gambia, the Marshall Islands, the Netherlands, the
 * Philippines, the United Arab Emirates, the United Kingdom, the United States; The Bahamas and The Gambia
 * in the FCDO's geographical names index), the Maldives as British usage writes it, the territories
 * named as a group of islands or territories, and the Caribbean Netherlands (Bonaire, St Eustatius and
 * Saba), as the Netherlands' government writes it in a sentence. Not Czechia, nor Solomon Islands (the
 * UN's name has none), nor ICU's "Vatican City"; not the UN's "the Niger" or "the Sudan" either, which
 * British usage drops.
 */
const takesThe = new Set(
  'AE BS CF DO GB GM KM MH MV NL PH US AX BQ CC CK FK FO IO KY MP PN PS TC TF UM VG VI'.split(' '),
);

/** A country's name within a sentence ("live in the United Kingdom"); an address or a heading takes `regionName`. */
const countryInSentence = (country: string) => `${takesThe.has(country) ? 'the ' : ''}${regionName(country)}`;

/** `before`: for a change, the show as the address was told it, stated above the show as it now is. */
function pressSheet(
  tour: StoredTour,
  kind: PressKind,
  shows: Show[],
  country: string,
  before?: PressFacts,
): Notice {
  const where = countryInSentence(country);
  const artist = tour.artist.name;
  const headline = {
    announcement: `${artist} live in ${where}`,
    update: `New ${artist} show in ${where}`,
    cancellation: `Cancelled: ${artist} in ${where}`,
    change: `Changed: ${artist} in ${where}`,
    reinstated: `Back on: ${artist} in ${where}`,
    moved: `Moved: ${artist} no longer in ${where}`,
  }[kind];
  const replaces = 'The calendar attached replaces the one we sent before.';
  const movedTo = shows.map((show) => `${show.venue.city}, ${regionName(show.venue.country)}`).join('; ');
  const intro = {
    announcement: `${artist} will play ${shows.length === 1 ? 'one show' : `${shows.length} shows`} in ${where}. The dates are attached as a calendar.`,
    update: `A new date has been added to ${artist}'s tour in ${where}.`,
    cancellation: `The show below is cancelled. Please disregard our earlier announcement of it.`,
    change: `The show below has a new date, times or venue. ${replaces}`,
    reinstated: `The show below is on after all: please disregard our cancellation of it. ${replaces}`,
    moved: `The show below has moved to ${movedTo}: please disregard our announcement of it in ${where}. ${replaces}`,
  }[kind];
  return {
    subject: `${headline}: ${shows.map((s) => `${s.venue.city} ${s.date}`).join(', ')}`,
    heading: headline,
    lines: [intro],
    sections: [
      ...(before ? [{ title: 'Before', rows: showRows([before]) }] : []),
      { title: sectionTitles[kind], rows: showRows(shows) },
    ],
  };
}

/**
 * The calendar's file name: the artist's letters and digits in any script, the rest one dash, so Sigur Rós
 * is `Sigur-Rós-shows.ics` (not `Sigur-R-s-`) and an artist with none (`!!!`) no `--shows.ics`. A name
 * outside ASCII is the MIME writer's to encode (RFC 2231), as the subject is (RFC 2047).
 */
const calendarFileName = (artist: string) => {
  const name = artist.replace(/[^\p{L}\p{M}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
  return name ? `${name}-shows.ics` : 'shows.ics';
};

/**
 * The shows as the `.ics` a mail carries: the press's, and the tour manager's day sheet (docs/design.md#tours),
 * stamped (DTSTAMP) at `now`, the handler's clock.
 */
export const calendarFor = (tour: StoredTour, shows: StatedShow[], now: string) => ({
  fileName: calendarFileName(tour.artist.name),
  contentType: icsContentType,
  content: showsCalendar(
    `${tour.artist.name}: shows`,
    shows.map(({ show, occurredAt }) => ({
      labelId: tour.labelId,
      tourId: tour.tourId,
      artist: tour.artist.name,
      show,
      occurredAt,
    })),
    now,
  ),
});

/**
 * The version of a set of shows in one country: the mail's subject is the tour and this version, so
 * each address hears of each set once (docs/design.md#exactly-once-mail).
 */
const showSetVersion = (country: string, shows: Show[], toldSince = '', change = '') => {
  const ids = shows.map((show) => show.showId).sort();
  // "Moved": once per country the show left, for each time its press there was told of it, however
  // the show changed since; a held mail's follow-up, that country forgotten by the move's step, names
  // the change it read instead (docs/design.md#tours). A change, a cancellation or a show on again is news
  // once per change the label made (its time): a show changed back to what was told before, or
  // cancelled a second time, is told again.
  return `${country}-${nameHash(toldSince || change ? [...ids, toldSince || change] : ids, 24)}`;
};

/** What only some press mails carry, each by its kind. */
interface PressMailOptions {
  /** A "moved" mail: since when the country's press knew of the show there (its identity). */
  toldSince?: string;
  /** A change, cancellation or "on again" mail: the label's time of the change it tells of (its identity). */
  change?: string;
  /** An announcement or update: the sets of the mails that ended failed before it, telling of its shows (its identity). */
  after?: string;
  /** A change: the show as the address was told it. */
  before?: PressFacts;
  /** The handler's clock, the instant its calendar is stamped at. */
  now: string;
}

export function pressMail(
  tour: StoredTour,
  outlet: Pick<Outlet, 'id' | 'name' | 'email' | 'contactName'>,
  country: string,
  kind: PressKind,
  newsStated: StatedShow[],
  listedStated: StatedShow[],
  { toldSince, change, after, before, now }: PressMailOptions,
): TourMail {
  const news = newsStated.map(({ show }) => show);
  const listed = listedStated.map(({ show }) => show);
  return {
    stream: 'campaign',
    to: { name: outlet.contactName ?? outlet.name, email: normaliseEmail(outlet.email) },
    labelId: tour.labelId,
    subject: mailSubjects.tourShows(tour.tourId, showSetVersion(country, news, toldSince, change ?? after)),
    kind: `press-${kind}`,
    template: tourPressTemplateName,
    data: noticeTemplateData(pressSheet(tour, kind, listed, country, before)),
    attachments: [calendarFor(tour, listedStated, now)],
    // What an announcement or update states of its shows, on its claim: a step finding it claimed
    // before notes that, not the shows as it reads them (docs/design.md#tours).
    ...(kind === 'announcement' || kind === 'update'
      ? {
          told: Object.fromEntries(
            newsStated.map((stated) => [stated.show.showId, keptStatement(stated, kind)]),
          ),
        }
      : {}),
    // What the mail told of, so that a resend after a crash writes the same mail again.
    context: {
      tourId: tour.tourId,
      country,
      outletId: outlet.id,
      news: keptList(news.map((show) => show.showId)),
      listed: keptList(listed.map((show) => show.showId)),
      ...(toldSince ? { toldSince } : {}),
      ...(change ? { change } : {}),
      ...(after ? { after } : {}),
    },
    outletId: outlet.id,
  };
}

/**
 * What a mail of `kind` tells an address of a show as it stands (`stored`): kept per address, so that a
 * later change mails only those told otherwise (docs/design.md#tours).
 */
export const statementOf = (stored: StatedShow, kind: PressKind): PressStatement => ({
  facts: showFactsHash(stored.show),
  change: stored.occurredAt,
  kind,
});

/** A statement as a press mail's claim keeps it (`TourMail.told`): its facts and change. */
const keptStatement = (stored: StatedShow, kind: PressKind): string[] => {
  const { facts, change } = statementOf(stored, kind);
  return [facts, change];
};

/**
 * What an address told `was` is to hear of the show as it now stands (`now`: cancelled, or on), if
 * anything: a cancellation if it was told the show is on; that it is on again if it was told it is
 * cancelled; its new date, times or venue if it was told others. An address already told what stands
 * hears nothing, unless this very change's step told it (noted before its mail went): taken again,
 * the step writes the same mail, which its claim sends once (an announcement stating this change's
 * show is no such mail). An address told before statements were kept hears `unknown`, the show's own
 * reckoning; one whose announcement of the show never reached SES (`null`) hears nothing of it, nor
 * one told of a later change than `now`'s.
 */
function newsFor(
  was: PressStatement | null | undefined,
  now: PressStatement,
  unknown: PressKind,
): PressKind | undefined {
  if (!was) return was === null ? undefined : unknown;
  // Told of a later change than the one read (a step or follow-up that read the show before another
  // change's step told it): that word stands, the latest.
  if (was.change > now.change) return;
  const cancelled = now.kind === 'cancellation';
  if (cancelled !== (was.kind === 'cancellation')) return cancelled ? 'cancellation' : 'reinstated';
  if (!cancelled && was.facts !== now.facts) return 'change';
  return was.change === now.change && !['announcement', 'update'].includes(was.kind)
    ? (was.kind as PressKind)
    : undefined;
}

export const audienceOf = (tour: StoredTour, country: string) => ({
  genres: tour.genres ?? [],
  territories: [country],
});

/**
 * The addresses told of the tour's shows in `country`, each with the shows whose mails reached SES
 * (`toldAsReached`, as the office's tour view counts them). A note whose mail was sent can no longer
 * fail: its `set` is dropped (one write per address, once), so no later step reads that delivery again.
 */
async function pressToldAsReached(tour: StoredTour, country: string, deps: ToursDeps, news?: 1) {
  const told = await deps.tours.pressTold(tour.labelId, tour.tourId, country);
  const sent = await toldAsReached(tour, told, deps.mailer.reached, news);
  // Few (an answer SES lost, or a set the sweep wrote), but up to a page's (500): `notesAtOnce` at a time.
  await forEachBounded(Object.entries(sent), notesAtOnce, ([email, sets]) =>
    deps.tours.settlePressTold(tour.labelId, tour.tourId, country, email, sets, true),
  );
  return told;
}

/**
 * The announcement or update each outlet of a page of the directory is due, by the notes `told` (by
 * address): the shows announced here it was not told of, with what it is noted told of them, and the
 * identities of the mails that ended failed before it, telling of those shows (`spends`).
 */
function pageMails(
  tour: StoredTour,
  outlets: Outlet[],
  country: string,
  announcedHere: LiveShow[],
  told: Map<string, PressTold>,
  now: string,
): { mail: TourMail; told: PressTold; spends: NewClaim[] }[] {
  return outlets.flatMap((outlet) => {
    const email = normaliseEmail(outlet.email);
    const before = new Set(told.get(email)?.showIds ?? []);
    const fresh = announcedHere.filter((s) => !before.has(s.showId));
    if (fresh.length === 0) return [];
    const kind = before.size === 0 ? 'announcement' : 'update';
    // A show whose mail to this address ended failed (a show not told whose note names a set: every
    // other such is counted told): that identity is spent, so this mail, a new attempt, names it
    // (docs/design.md#tours).
    const failed = new Map(
      fresh.flatMap((s) => {
        const note = told.get(email)?.stated?.[s.showId];
        return note?.set ? [[note.set, note.kind] as const] : [];
      }),
    );
    const after = [...failed.keys()].sort().join();
    return {
      mail: pressMail(tour, outlet, country, kind, fresh, kind === 'announcement' ? announcedHere : fresh, {
        after: after || undefined,
        now,
      }),
      told: {
        email,
        outletId: outlet.id,
        showIds: fresh.map((s) => s.showId),
        stated: Object.fromEntries(fresh.map((s) => [s.showId, statementOf(s, kind)])),
      },
      spends: [...failed].map(([set, noted]) => ({
        labelId: tour.labelId,
        subject: mailSubjects.tourShows(tour.tourId, set),
        email,
        kind: `press-${noted}`,
        stream: 'campaign' as const,
      })),
    };
  });
}

/**
 * Tells the matching outlets of the tour's announced shows in the show's country, page by page of
 * the directory from `cursor`. When `deadline` passes (or the invocation read its
 * `pressPagesPerInvocation`) with pages left, it stops and gives the cursor
 * of the next page (`next`): the caller puts the step on the bus again with it, as a long release
 * mailing continues itself. Each page's mails are claimed and what each address was told is kept,
 * so a page sent again tells nobody twice. With `outletIds`, those outlets alone (added to the directory
 * later: `Outlets Changed`, docs/design.md#tours), as its one page.
 */
export async function announceToMedia(
  tour: StoredTour,
  stored: LiveShow,
  deps: ToursDeps,
  eventMeta: { correlationId: string; labelId: string },
  page: { cursor?: string; deadline: number; outletIds?: string[] },
): Promise<{ mailed: number; events: OutboxEntry[]; next?: string }> {
  const country = stored.show.venue.country;
  const now = isoNow(deps);
  const toldNow = async () =>
    new Map((await pressToldAsReached(tour, country, deps)).map((t) => [t.email, t]));
  let told = await toldNow();
  // The shows read after the notes (docs/design.md#tours): a change landing before this read is
  // announced as it stands; its own step, which read no note of this step's, told nothing.
  const { shows } = await deps.tours.tourWithShows(tour.labelId, tour.tourId);
  // Not over: a show played is announced to nobody any more.
  const announcedHere = shows.filter(
    (s): s is LiveShow =>
      s.show?.venue.country === country && pressDue(s.show, now) && now < showOverAt(s.show),
  );
  const noted = new Set(announcedHere.filter((s) => s.pressCountries?.[country]).map((s) => s.showId));
  const audience = audienceOf(tour, country);
  // Moved back here, its announceAt ahead then: those told it moved hear of it here now, a change, as
  // its press-change step held back for the embargo would have told them (docs/design.md#tours).
  let mailed =
    !(page.cursor || page.outletIds) &&
    [...told.values()].some((t) => t.stated?.[stored.showId]?.kind === 'moved')
      ? (await changeToMedia(tour, stored, deps, true)).mailed
      : 0;
  let cursor = page.cursor;
  const statedBefore = new Set<string>();
  for (let pages = 1; ; pages++) {
    const where = (outlet: Outlet) => isMailable(outlet) && outletMatchesRelease(outlet, audience);
    // Outlets added later (`Outlets Changed`): those named, as one page.
    const { outlets, nextCursor } = page.outletIds
      ? { outlets: [...(await deps.outlets.getMany(page.outletIds)).values()].filter(where), nextCursor: '' }
      : await deps.outlets.list({
          limit: deps.settings.pressPageSize,
          ...(cursor ? { cursor } : {}),
          where,
          genres: audience.genres,
        });
    // A page's mails from the notes as read. An address's new attempt (below) spends the identities of
    // the mails it follows first; one claimed again since the read (a retry that read the notes before a
    // note naming it) is not spent, and the page is written again from a fresh read of the notes, which
    // counts that claim (docs/design.md#tours).
    const tell = await againFromFreshRead(stored.showId, async () => {
      const page = pageMails(tour, outlets, country, announcedHere, told, now);
      const spends = page.flatMap(({ spends }) => spends);
      if (spends.length === 0 || (await deps.mailer.spend(spends)).every(Boolean)) return page;
      told = await toldNow();
      return readAgain;
    });
    // Each show told of here notes the country before the mail goes: should it move away, whoever
    // hears of it now hears that it moved (a crash before the send leaves a note that costs one query
    // later; noted after the send, a crash would lose that mail).
    for (const showId of new Set(tell.flatMap(({ told: entry }) => entry.showIds))) {
      if (noted.has(showId)) continue;
      await deps.tours.recordPressCountry({ ...showRefOf(stored), showId }, country, now);
      noted.add(showId);
    }
    // One page at a time: the mail module groups the page's mails into SendBulkEmail calls.
    const mails = tell.map(({ mail }) => mail);
    const sent = await deps.mailer.send(mails);
    mailed += sent;
    // Not all sent now (refused, claimed before, SES's answer lost): which reached SES is read, and what
    // each claimed before stated (its claim keeps it).
    const identities = mails.map(identityOf);
    const reached = sent < mails.length && (await deps.mailer.reached(identities));
    const claims = reached && (await deps.mailer.claimsOf(identities));
    // After the mails: a step stopped before the notes is taken again, and its mails, claimed, go once.
    // Only those that reached SES: an address whose mail did not is told of none of its shows, so the
    // next step announces them to it (docs/design.md#tours). One still claimed, or refused, is noted
    // with its set: later steps read whether it reached SES, and a new attempt names that spent set.
    // One a new attempt spent is that attempt's to note. A mail claimed before is noted as it stated
    // its shows, which may be as they were before a change this read found (`statedBefore`). Each note
    // only while its shows' notes are as read (`noteAfterMails`).
    await noteAfterMails(
      tour,
      country,
      tell.flatMap(({ mail, told }, at) => {
        const reach = reached ? reached[at] : true;
        const claim = claims ? claims[at] : undefined;
        if (reach === undefined || claim?.spent) return [];
        for (const [showId, statement] of Object.entries(told.stated!)) {
          if (reach !== true) statement.set = mail.subject[2];
          // What the claim kept of the show, `[facts, change]` (`keptStatement`); none on a claim made before.
          const kept = claim?.told?.[showId];
          const [facts, change] = Array.isArray(kept) ? kept : [];
          if (!facts || !change || (facts === statement.facts && change === statement.change)) continue;
          Object.assign(statement, { facts, change });
          statedBefore.add(showId);
        }
        return [told];
      }),
      deps,
      told,
      toldNow,
    );
    cursor = nextCursor;
    const outOfPages = pages >= (deps.settings.pressPagesPerInvocation ?? Number.POSITIVE_INFINITY);
    if (!cursor || outOfPages || deps.now().getTime() >= page.deadline) break;
  }
  // Read again after the notes (docs/design.md#tours): a show told of here changed since the read, its
  // change's step may have read the notes before them and told these addresses nothing; they hear what
  // stands, as that step tells it (a change landing after this read has its step read these notes). So
  // does a show a mail claimed before stated otherwise (before a change this read found: that change's
  // step, which read no note, told nothing).
  // A show moved away since, its move's step having read these notes before them (so told nobody) and
  // forgotten this country, is told moved here by this step, from the stay it noted: the same mail the
  // move's step writes, once.
  for (const latest of (await deps.tours.tourWithShows(tour.labelId, tour.tourId)).shows) {
    const read = announcedHere.find((s) => s.showId === latest.showId);
    if (!read || (read.occurredAt === latest.occurredAt && !statedBefore.has(read.showId))) continue;
    mailed += await tellWhatStands(tour, latest as LiveShow, deps, eventMeta);
    const since = read.pressCountries?.[country] ?? (noted.has(read.showId) ? now : undefined);
    if (since && latest.show && latest.show.venue.country !== country && !latest.pressCountries?.[country])
      mailed += await mailThoseToldOf(tour, latest as LiveShow, 'moved', deps, country, since);
  }
  if (cursor) return { mailed, events: [], next: cursor };
  return {
    mailed,
    events: [outboxEntry(ShowAnnouncedToMedia, { ...showRefOf(stored), country }, eventMeta)],
  };
}

/**
 * Tells those told of a show what stands now, as its latest change's step tells it: that it is cancelled,
 * what changed (once due for press), that it moved (docs/design.md#tours).
 */
async function tellWhatStands(
  tour: StoredTour,
  latest: LiveShow,
  deps: ToursDeps,
  eventMeta: { correlationId: string; labelId: string },
) {
  if (latest.show.status === 'cancelled') return (await cancelToMedia(tour, latest, deps, eventMeta)).mailed;
  if (!isAnnounced(latest.show.status)) return 0;
  return (await changeToMedia(tour, latest, deps, pressDue(latest.show, isoNow(deps)))).mailed;
}

/**
 * The mails to the addresses told of a show in `country` (its own, unless it left it): that it moved
 * away, to each; that it is cancelled, or what it now is (changed, or on again), to each told
 * otherwise (`newsFor`). What each is told is noted on the address before the mail goes, as the
 * countries told are: a mail that went with its step unrecorded (the function stopped) is known to
 * the next change's step, which tells that address accordingly; one that never reached SES is not
 * (`statedAsReached`). `resending`: the addresses of the stale-claim sweep's claims (or of a held
 * mail's follow-up), written by the same rule, whose notes stand as their steps wrote them; `sweeping`:
 * the sweep's, whose notes are written before the mails it hands the mail module, where a step's and a
 * follow-up's go with their mails' claims (`noted`) (docs/design.md#tours).
 */
export const tellThoseToldOf = (...step: Parameters<typeof tellAsRead>): Promise<TourMail[]> =>
  // Its notes refused (the show changed since it read it), the step is taken again from a fresh read.
  againFromFreshRead(step[1].showId, async () => (await tellAsRead(...step)) ?? readAgain);

/**
 * `tellThoseToldOf` for a show's step, its mails sent: each claimed with its address's note in one
 * write, only while the show is as the step read it again (`noted`); refused, a change having landed
 * since, the step is taken again from a fresh read. So no note stands without its mail's claim, and a
 * change landing after that write has its step find the claim (docs/design.md#tours).
 */
const mailThoseToldOf = (
  tour: StoredTour,
  stored: LiveShow,
  news: 'cancellation' | 'change' | 'moved',
  deps: ToursDeps,
  country?: string,
  toldSince?: string,
  replaced?: PressFacts,
): Promise<number> =>
  againWhileRefused(stored.showId, async () =>
    deps.mailer.send(
      await tellThoseToldOf(tour, stored, news, deps, country, toldSince, undefined, undefined, replaced),
    ),
  );

/**
 * A press step's `attempt` (its read, its notes and claims, its mails), taken again from a fresh read
 * while its notes are refused (`PressNotesRefused`: the show changed since it read it), after
 * `conflictBackoff`, five times at most, then `WriteConflictError` (docs/design.md#tours).
 */
export const againWhileRefused = <T>(showId: string, attempt: (tried: number) => Promise<T>): Promise<T> =>
  againFromFreshRead(showId, (tried) =>
    attempt(tried).catch((error: unknown) => {
      if (error instanceof PressNotesRefused) return readAgain;
      throw error;
    }),
  );

/** `tellThoseToldOf` from one read of the notes and the show: undefined when its notes were refused. */
async function tellAsRead(
  tour: StoredTour,
  stored: LiveShow,
  news: 'cancellation' | 'change' | 'moved',
  deps: ToursDeps,
  country = stored.show.venue.country,
  toldSince?: string,
  resending?: Set<string>,
  sweeping?: boolean,
  /** A change's step: the date, times and venue the change replaced (`Show Step Due`'s `replaced`). */
  replaced?: PressFacts,
): Promise<TourMail[] | undefined> {
  const toldOf = (await pressToldAsReached(tour, country, deps, 1)).filter(
    (t) =>
      t.showIds.includes(stored.showId) &&
      (!resending || resending.has(t.email)) &&
      // An address whose note is a "moved" has heard that the show left `country`: told a move only again as
      // the same mail (that stay's, or a held mail's follow-up's, which has none), and a cancellation of a
      // show gone from `country` not at all (docs/design.md#tours).
      !(
        t.stated?.[stored.showId]?.kind === 'moved' &&
        (news === 'moved'
          ? t.stated[stored.showId]!.since !== toldSince
          : country !== stored.show.venue.country)
      ),
  );
  // Read again after the notes (docs/design.md#tours): changed since in what its press hears (set on
  // again, cancelled, put on hold, other facts; a move's, back in `country`), the show's latest change
  // tells what stands, its step or firing reading these notes after, even when that change's step told
  // the address nothing (no note). This step's notes are written with its mails' claims only while the
  // show is as read here (`noted`): a change landing after this read has its step read the notes before
  // them, and so refuses them. A held mail's follow-up (or the sweep's rewrite of it), named by the change
  // it reads until its note is written, writes its notes so too: taken again from a fresh read, it finds a
  // note written meanwhile and names its change.
  const current = await deps.tours.getShow(showRefOf(stored));
  const latest = current?.show;
  if (
    latest &&
    (news === 'moved'
      ? latest.venue.country === country
      : isAnnounced(latest.status)
        ? news === 'cancellation' || showFacts(latest) !== showFacts(stored.show)
        : news === 'change')
  )
    return [];
  const show: StatedShow = {
    occurredAt: stored.occurredAt,
    show: news === 'cancellation' ? { ...stored.show, status: 'cancelled' as const } : stored.show,
  };
  const now = statementOf(show, news);
  // Addresses told before statements were kept: the show's own record of what its press heard.
  const unknown = news === 'change' && backOn(stored) ? 'reinstated' : news;
  // Press is campaign mail: an address told before that has since unsubscribed hears no more.
  const optedOut = await deps.suppressions.optedOutAmong(toldOf.map((told) => told.email));
  const reachable = toldOf.filter((told) => !optedOut.has(normaliseEmail(told.email)));
  // A move is news to each of them, whatever they were told: nothing to read.
  const stated = news === 'moved' ? [] : await statedAsReached(tour, stored, country, reachable, deps);
  const toTell = reachable.flatMap((told, at) => {
    const was = stated[at];
    const kind = news === 'moved' ? news : newsFor(was, now, unknown);
    return kind ? [{ told, kind, was }] : [];
  });
  // A show moved back to a country it left: its press hears of it there again (a change, as their
  // notes still name the show, so no announcement), so the country is noted again, before the mail
  // goes, as an announcement notes it: a later move away tells them it moved. Told it moved, its stay
  // is noted from now even if still noted: the move's step, still at work, then forgets nothing.
  const movedBack = toTell.some(({ was }) => was?.kind === 'moved');
  if (
    news === 'change' &&
    !resending &&
    toTell.length > 0 &&
    (movedBack || !stored.pressCountries?.[country])
  )
    await deps.tours.recordPressCountry(showRefOf(stored), country, isoNow(deps), movedBack);
  // Before the mails (see above): a mail that went with its step unrecorded is known to the next change.
  // Each keeps what the address had been told, which stands should this mail not reach SES.
  // A step taken again, or the sweep resending its stale claim, finds its own note (same mail: kind and
  // change) and keeps it, `before` and all; the sweep notes only a mail other than its claim's.
  const notes = toTell.flatMap<PressTold>(({ told, kind, was }) => {
    const noted = told.stated?.[stored.showId];
    const statement = statementOf(show, kind);
    // A held mail's follow-up "moved", the country forgotten, keeps its own note (no stay): it names that mail.
    if (
      noted?.kind === kind &&
      (kind === 'moved' ? !toldSince && !noted.since : noted.change === statement.change)
    )
      return [];
    return {
      email: told.email,
      outletId: told.outletId,
      showIds: [stored.showId],
      stated: {
        [stored.showId]:
          kind === 'moved' ? { ...statement, since: toldSince } : { ...statement, before: was ?? null },
      },
    };
  });
  // A step's notes go with its mails' claims; the sweep's before the mails it hands the mail module.
  const asRead = !sweeping && current;
  if (!asRead && !(await noteTold(tour, country, notes, deps, current))) return;
  const noteOf = new Map(notes.map((note) => [note.email, note]));
  // Named by its change, a follow-up's "moved" is named by the change its note names once noted, however
  // the show changed since: taken again, the same mail (docs/design.md#tours).
  // The show the change replaced, stated to each address told it (its note, this change's once noted,
  // keeps what it had been told before): to one told another, the show as it now is alone.
  const replacedFacts = replaced && showFactsHash(replaced);
  return toTell.map(({ told, kind, was }) => {
    const noted = told.stated?.[stored.showId];
    const toldFacts = was?.change === now.change ? was.before?.facts : was?.facts;
    const mail = pressMail(
      tour,
      { id: told.outletId, name: told.email, email: told.email },
      country,
      kind,
      [show],
      [show],
      {
        toldSince,
        change: toldSince
          ? undefined
          : kind === 'moved' && noted?.kind === kind
            ? noted.change
            : stored.occurredAt,
        before: kind === 'change' && replacedFacts && toldFacts === replacedFacts ? replaced : undefined,
        now: isoNow(deps),
      },
    );
    const note = noteOf.get(told.email);
    return asRead
      ? {
          ...mail,
          noted: {
            asRead: { ...showRefOf(asRead), occurredAt: asRead.occurredAt },
            country,
            ...(note ? { told: note } : {}),
          },
          // The address's word counted from a mail still claimed within the stale window (its note keeps
          // `before`, or an announcement's its `set`): held behind it, so it cannot reach SES first.
          ...(was && (was.before !== undefined || was.set !== undefined) ? { held: true as const } : {}),
        }
      : mail;
  });
}

/**
 * What each address was told of the show, counting only mails that reached SES. A note written before
 * its mail (a change, a cancellation, on again: it keeps `before`), or an announcement's noted while
 * its mail was still claimed (it keeps its `set`), stands once its mail's delivery is sent, or claimed
 * and not yet stale (not held by the sweep: its late Email Sent asks for the news it held back); otherwise
 * the address stands as told what it was before: the note's `before`,
 * judged the same way however many deep, or for such an announcement nothing (`null`). A note whose
 * mail was sent is given without `before` and `set` (its mail can no longer fail); one still claimed
 * keeps a `before` judged in turn, so a chain holds only mails claimed within the stale window and the
 * next note, written on it, stays a few levels deep. The deliveries are read in batches, one level of
 * notes at a time (docs/design.md#tours).
 */
async function statedAsReached(
  tour: StoredTour,
  stored: LiveShow,
  country: string,
  told: PressTold[],
  deps: ToursDeps,
): Promise<(PressStatement | null | undefined)[]> {
  const stated: (PressStatement | null | undefined)[] = told.map((entry) => entry.stated?.[stored.showId]);
  // Per address, the notes above `stated[at]` whose mails are claimed within the stale window, top first.
  const claimed: PressStatement[][] = told.map(() => []);
  const judged = (at: number) => stated[at]?.before !== undefined || stated[at]?.set !== undefined;
  for (let open = [...stated.keys()].filter(judged); open.length > 0; ) {
    const reached = await deps.mailer.reached(
      open.map((at) => {
        const { kind, change, set } = stated[at]!;
        return {
          labelId: tour.labelId,
          subject: mailSubjects.tourShows(
            tour.tourId,
            set ?? showSetVersion(country, [stored.show], undefined, change),
          ),
          email: told[at].email,
          kind: `press-${kind}`,
        };
      }),
    );
    open = open.filter((at, index) => {
      const { before, set, ...statement } = stated[at]!;
      if (reached[index] === true) {
        stated[at] = statement;
        return false;
      }
      if (reached[index] === 'claimed') claimed[at].push(stated[at]!);
      stated[at] = set ? null : (before ?? undefined);
      return judged(at);
    });
  }
  return stated.map((below, at) =>
    claimed[at].reduceRight<PressStatement | null | undefined>(
      (under, note) => (note.set ? note : { ...note, before: under ?? null }),
      below,
    ),
  );
}

/**
 * Notes what each address was told after its mail, `notesAtOnce` at a time, each only while the notes of
 * its shows are as the step read them (`read`, by address). Refused (another step noted one of them
 * since: a new attempt that told the show, or a change's step), the notes are read again (`readNotes`,
 * as reached) and decided again: the step's word stands only where the address now counts told nothing
 * of the show, so a mail that did not reach SES never hides one that told it since (docs/design.md#tours).
 */
async function noteAfterMails(
  tour: StoredTour,
  country: string,
  notes: PressTold[],
  deps: ToursDeps,
  read: Map<string, PressTold>,
  readNotes: () => Promise<Map<string, PressTold>>,
): Promise<void> {
  await againFromFreshRead(tour.tourId, async () => {
    const refused: PressTold[] = [];
    await forEachBounded(notes, notesAtOnce, async (note) => {
      const { stated } = read.get(note.email) ?? {};
      const asRead = Object.fromEntries(note.showIds.map((showId) => [showId, stated?.[showId] ?? null]));
      if (!(await deps.tours.recordPressTold(tour.labelId, tour.tourId, country, note, asRead)))
        refused.push(note);
    });
    if (refused.length === 0) return;
    read = await readNotes();
    notes = refused.flatMap((note) => {
      const showIds = note.showIds.filter((showId) => !read.get(note.email)?.showIds.includes(showId));
      return showIds.length ? { ...note, showIds } : [];
    });
    return readAgain;
  });
}

/** Notes of what press addresses were told written or settled at once (each one UpdateItem or so). */
export const notesAtOnce = 25;

/**
 * Notes what each address was told, `notesAtOnce` at a time: not one after another for a country's press.
 * With `asRead`, only while that show is as read (`pressNotesPerCheck` a write, with its check): false
 * when a change of it landed since, from that write on nothing noted.
 */
async function noteTold(
  tour: StoredTour,
  country: string,
  told: PressTold[],
  deps: ToursDeps,
  asRead?: StoredShow,
): Promise<boolean> {
  if (!asRead)
    await forEachBounded(told, notesAtOnce, async (entry) => {
      await deps.tours.recordPressTold(tour.labelId, tour.tourId, country, entry);
    });
  if (asRead)
    for (const notes of inParts(told, pressNotesPerCheck))
      if (!(await deps.tours.recordPressToldAsRead(asRead, asRead.occurredAt, country, notes))) return false;
  return true;
}

/**
 * Whether the show's latest change is the first since its press heard it was cancelled: the show is on
 * again. Both steps record the label's time of the change they told of. Only for addresses told before
 * what each was told was kept (`PressTold.stated`).
 */
export const backOn = (stored: StoredShow): boolean => {
  const { 'press-cancellation': cancelled, 'press-change': changed } = stored.stepsDone ?? {};
  // Cancelled, and no change told since (none at all, or only before it).
  return !!cancelled && !(changed! >= cancelled);
};

/** The countries a show left whose press was told of it there and has not heard that it moved. */
export const countriesLeft = (stored: LiveShow): [country: string, toldSince: string][] =>
  Object.entries(stored.pressCountries ?? {}).filter(([country]) => country !== stored.show.venue.country);

/**
 * Tells the addresses told of a show that it is cancelled: in its country, and in each country it
 * left whose press has not heard that it moved.
 */
export async function cancelToMedia(
  tour: StoredTour,
  stored: LiveShow,
  deps: ToursDeps,
  eventMeta: { correlationId: string; labelId: string },
): Promise<{ mailed: number; events: OutboxEntry[] }> {
  let mailed = 0;
  for (const country of [stored.show.venue.country, ...countriesLeft(stored).map(([left]) => left)])
    mailed += await mailThoseToldOf(tour, stored, 'cancellation', deps, country);
  return {
    mailed,
    events: [outboxEntry(ShowCancellationSent, showRefOf(stored), eventMeta)],
  };
}

/**
 * Tells the addresses told of a show in each country it left that it moved, once per country
 * (whatever changed between the move and now), then forgets those countries; with `change`, also
 * those told of it in its country of its new date, times or venue, or, after their word of its
 * cancellation, that it is on again (a country it came back to is noted again before they hear it).
 * The new country's outlets hear of it as a new show from its press announcement, due again.
 */
export async function changeToMedia(
  tour: StoredTour,
  stored: LiveShow,
  deps: ToursDeps,
  change: boolean,
  /** The date, times and venue the change replaced, for the addresses told them. */
  replaced?: PressFacts,
): Promise<{ mailed: number }> {
  const ref = showRefOf(stored);
  const left = countriesLeft(stored);
  let mailed = change
    ? await mailThoseToldOf(tour, stored, 'change', deps, undefined, undefined, replaced)
    : 0;
  for (const [country, toldSince] of left)
    mailed += await mailThoseToldOf(tour, stored, 'moved', deps, country, toldSince);
  for (const [country, toldSince] of left) await deps.tours.forgetPressCountry(ref, country, toldSince);
  return { mailed };
}
