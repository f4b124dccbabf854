import { againFromFreshRead, readAgain } from '#shared/db/conflicts.ts';
import { listKept } from '#shared/db/context-lists.ts';
import { type Delivery, deliveryIdOf } from '#shared/db/deliveries.ts';
import { type PressStatement, showRefOf } from '#shared/db/tours.ts';
import type { EventData } from '#shared/events/envelope.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import type { TourPressSettled } from '#shared/events/tour-press-settled.ts';
import { forEachBounded } from '#shared/mail/send.ts';
import { isAnnounced, pressDue, type StoredShow, type StoredTour } from '#shared/tours.ts';
import { identityOf, isoNow, type TourMail, type ToursDeps } from './ports.ts';
import {
  againWhileRefused,
  backOn,
  notesAtOnce,
  type PressKind,
  pressMail,
  statementOf,
  tellThoseToldOf,
} from './press.ts';
import {
  alertInsteadOfSuppressed,
  daySheetWork,
  showOfMail,
  stepKinds,
  stepStopped,
  stepWork,
  unreachableAlert,
  updateStopped,
} from './steps.ts';

type LiveShow = StoredShow & { show: Show };

/**
 * A show's operational mail, written again from the show as it is now, by the press's keep-or-close
 * rule (below): a stale claim is sent again only if the mail written now is the same mail (its
 * identity: a day sheet's day, an update's change and what the show states), else closed, as it is
 * once its step no longer stands (stepStopped) for good. What the show needs now its own steps send:
 * a moved show's sheet for its new day, a later change's update. A show on hold or cancelled (stopped
 * for now: either may be undone) has its claims left open: closed, they would refuse the very mail
 * (the same identity) the show needs once it is advanced again, when a later sweep sends it if its
 * step stands; one too late by then, or the show over meanwhile, is closed.
 */
async function rebuildShowMails(stale: Delivery[], deps: ToursDeps) {
  const mails = await showMails(stale, deps);
  const resend = new Map<string, TourMail>();
  mails?.forEach(sortInto(stale, resend, []));
  return { resend, held: !mails };
}

/**
 * Sorts a mail written again for stale claims: one with a claim's identity is that claim's resend
 * (`resend`, by delivery id), any other goes to `tell`.
 */
const sortInto = (stale: Delivery[], resend: Map<string, TourMail>, tell: TourMail[]) => (mail: TourMail) => {
  const id = deliveryIdOf(identityOf(mail));
  if (stale.some((delivery) => delivery.deliveryId === id)) resend.set(id, mail);
  else tell.push(mail);
};

async function showMails(stale: Delivery[], deps: ToursDeps): Promise<TourMail[] | undefined> {
  const { labelId, subject, kind } = stale[0];
  const [ref, tour, stored] = await showOfMail(labelId, subject, deps);
  if (!tour || !stored?.show) return [];
  const show = stored as LiveShow;
  const change = stale[0].context?.change;
  const stopped =
    kind === 'day-sheet-update'
      ? updateStopped(show, change, isoNow(deps))
      : stepStopped(show, kind, isoNow(deps));
  if (stopped) return stopped.forNow ? undefined : [];
  if (kind === 'promoter-unreachable') return [unreachableAlert(ref, tour, show)];
  const meta = { correlationId: `resend-${stale[0].deliveryId}`, labelId };
  // The sweep closes those to an address suppressed since, a promoter's with the tour manager's alert
  // (alertInsteadOfSuppressed, as the step's send does).
  if (kind === 'day-sheet-update')
    return change ? (await daySheetWork(tour, show, deps, meta, change)).mails : [];
  if (!stepKinds.has(kind)) return [];
  return (await stepWork(kind as Parameters<typeof stepWork>[0], tour, show, deps, meta)).mails;
}

/**
 * Press mail, written again from what its delivery says it told of (its shows as they are now, those
 * cancelled since left out). A change, a cancellation or "on again" is written as its step would write
 * it now. The sweep's one rule: a stale claim is sent again only if the mail written now is the same
 * mail (its identity); any other is what its address needs instead, sent under its own identity (an
 * announcement's with its notes), and the claim is closed (docs/design.md#tours).
 */
async function rebuildPressMails(stale: Delivery[], deps: ToursDeps, boundary: string) {
  const { labelId, kind, subject } = stale[0];
  const resend = new Map<string, TourMail>();
  const tell: TourMail[] = [];
  const held = new Map<string, string>();
  const now = isoNow(deps);
  const { tour, shows } = await deps.tours.tourWithShows(labelId, subject[1]);
  if (!tour) return { resend };
  const { news, country, change } = stale[0].context;
  // A group is one subject, so one country: a show the press may not be told of now (not announced,
  // its announceAt ahead: pressDue, as the announcement step reads it; over: stepStopped, the step's
  // own rule), or gone from the country since (its move told them, or tells them), is left out; a
  // "moved" mail tells only of shows still gone elsewhere (one moved back since is closed: its move
  // back's press-change told them where it is).
  const byId = new Map(
    shows.flatMap((s) =>
      s.show &&
      (kind === 'press-moved'
        ? s.show.venue.country !== country
        : pressDue(s.show, now) && !stepStopped(s as LiveShow, kind, now) && s.show.venue.country === country)
        ? [[s.showId, s as LiveShow] as const]
        : [],
    ),
  );
  // Not due for press now, but it may be once on again (on hold or cancelled, confirmed, its announceAt
  // ahead; not settled, not over: stepStopped), in the mail's country.
  const forNow = (s: StoredShow) =>
    s.show?.venue.country === country && (stepStopped(s as LiveShow, kind, now)?.forNow ?? true);
  const sort = sortInto(stale, resend, tell);
  // A change, a cancellation or "on again" (a mail that names its change); of a show on that left the
  // mail's country since, nothing: its move tells them that it moved. A cancelled show is written for
  // the countries its cancellation's step tells (cancelToMedia): its own, and those it left whose press
  // has not heard that it moved (still in pressCountries). Of a show neither announced nor cancelled,
  // whose steps tell the press nothing, nothing: held while it may yet be announced (forNow), else closed.
  // A held mail's follow-up "moved" (named by its change: the move's step had forgotten the country) is
  // written again as the follow-up writes it.
  if (change) {
    const stated = shows.find((s) => s.showId === listKept(news)[0]) as LiveShow | undefined;
    const mails = await newsOf(
      tour,
      stated,
      country!,
      new Set(stale.map((d) => d.email)),
      deps,
      now,
      kind === 'press-moved',
      true,
    );
    if (mails) mails.forEach(sort);
    else if (forNow(stated!)) for (const { deliveryId } of stale) held.set(deliveryId, now);
    return { resend, tell, held };
  }
  const showsOf = (ids?: string) => listKept(ids).flatMap((id) => byId.get(id) ?? []);
  const optedOut = await deps.suppressions.optedOutAmong(stale.map((delivery) => delivery.email));
  const pressKind = kind.replace(/^press-/, '') as PressKind;
  const moved = kind === 'press-moved';
  const notes = new Map(
    (await deps.tours.pressTold(labelId, tour.tourId, country)).map((t) => [t.email, t.stated]),
  );
  // Of a show whose address was told something of it since, its note naming another mail, nothing: a
  // "moved" mail of a stay told since (the show moved back there, and maybe away again, its later stay
  // told under its own identity), an announcement's show told by a set of its own the sweep wrote (its
  // note names neither this mail's set nor, below, a note on it) (docs/design.md#tours).
  const names = (note: PressStatement | null | undefined, set: string): boolean =>
    !!note && (note.set === set || names(note.before, set));
  for (const delivery of stale) {
    const { country, outletId, news, listed, toldSince, after } = delivery.context;
    const untold = (s: StoredShow) => {
      const note = notes.get(delivery.email)?.[s.showId];
      return (
        !note ||
        (moved
          ? note.kind === 'moved' && (note.since ?? toldSince) === toldSince
          : names(note, delivery.subject[2]))
      );
    };
    const told = showsOf(news).filter(untold);
    if (!country || !outletId || optedOut.has(delivery.email)) continue;
    // A show left out as not due for press for now, told of nothing since: the claim is held (at the
    // sweep's time: looked at again once stale again), not closed, so the address is not told it again as
    // a mail of its own once it is on again, this one's late Email Sent then showing it went; with a set of
    // its own sent meanwhile for the others, for a show not cancelled (on hold, confirmed, embargoed), so
    // that it is still announced once on again, this one never having gone (docs/design.md#tours).
    const pending =
      !moved &&
      shows.some(
        (s) =>
          listKept(news).includes(s.showId) &&
          !byId.has(s.showId) &&
          forNow(s) &&
          untold(s) &&
          !(told.length && s.show?.status === 'cancelled'),
      );
    if (pending) held.set(delivery.deliveryId, now);
    if (told.length === 0) continue;
    const mail = pressMail(
      tour,
      { id: outletId, name: delivery.email, email: delivery.email },
      country,
      pressKind,
      told,
      showsOf(listed),
      { toldSince, after, now },
    );
    sort(mail);
    // The same mail, held (its shows off) and a show of it changed since (set on again): held from that
    // change, so a late Email Sent has the margin any claim has before it is sent again; a claim never
    // held is sent, however its shows were edited since (docs/design.md#tours).
    const changed = told
      .map((s) => s.updatedAt)
      .sort()
      .at(-1)!;
    if (delivery.heldAt && resend.has(delivery.deliveryId)) held.set(delivery.deliveryId, changed);
    // Without a show cancelled since, a set of its own: its shows' notes name it, so they count once it is
    // sent. Sent again now (not held for the margin), the same mail states its shows as they are now: its
    // notes say so, as a step's notes say what it mailed, so a change back to the first claim's details is
    // news (docs/design.md#tours).
    // A set of its own is noted with its claim, in one write (`noted`, no show checked), never before it:
    // a note naming a set with no claim behind it is one given back (docs/design.md#tours).
    const note = {
      email: delivery.email,
      outletId,
      showIds: told.map((s) => s.showId),
      stated: Object.fromEntries(
        told.map((s) => [s.showId, { ...statementOf(s, pressKind), set: mail.subject[2] }]),
      ),
    };
    if (tell.at(-1) === mail) mail.noted = { asRead: showRefOf(told[0]), country, told: note };
    else if (resend.has(delivery.deliveryId) && !(delivery.heldAt && changed > boundary))
      await deps.tours.recordPressTold(labelId, tour.tourId, country, note);
  }
  return { resend, tell, held };
}

/**
 * What a show's step would tell `emails` of it in `country` now (tellThoseToldOf): its cancellation, in
 * the countries its cancellation's step tells (its own, and those it left whose press has not heard that
 * it moved) or, to an address not told by the move's step, in one that step forgot, or its change once due for press (pressDue), in its own; with `moved` (a held mail's
 * follow-up, or its stale "moved"), that it moved, of a show gone from `country`; nothing once its step
 * is stopped for good (stepStopped: the show over, or settled), `undefined` while it is not due for now
 * (docs/design.md#tours).
 */
const newsOf = (
  ...[tour, stated, country, emails, deps, ...rest]: Parameters<typeof newsAsRead>
): Promise<TourMail[] | undefined> =>
  againFromFreshRead(stated?.showId ?? country, async (tried) => {
    const read =
      tried === 1 || !stated ? stated : ((await deps.tours.getShow(stated)) as LiveShow | undefined);
    return newsAsRead(tour, read, country, emails, deps, ...rest);
  });

/** `newsOf` from one read of the show: `readAgain` when the country's note was refused (the show changed since). */
const newsAsRead = async (
  tour: StoredTour,
  stated: LiveShow | undefined,
  country: string,
  emails: Set<string>,
  deps: ToursDeps,
  now: string,
  moved?: boolean,
  sweeping?: boolean,
): Promise<TourMail[] | undefined | typeof readAgain> => {
  const read = stated?.occurredAt;
  // Settled with its cancellation the last press news (its guarantee: backOn), a show is cancelled for good,
  // and told so as its cancellation's step would (its change), not stopped as a show played (docs/design.md#tours).
  if (stated?.show?.status === 'settled' && backOn(stated))
    stated = {
      ...stated,
      occurredAt: stated.stepsDone!['press-cancellation']!,
      show: { ...stated.show, status: 'cancelled' },
    };
  const cancelled = stated?.show?.status === 'cancelled';
  const since = stated?.pressCountries?.[country];
  if (!stated?.show || stepStopped(stated, 'press-change', now)?.forNow === false) return [];
  // Gone from `country`, not cancelled (cancelled, its cancellation is told): the follow-up of a held mail
  // tells that it moved, as the move's step does, under its identity while the country is noted (that
  // step tells those it counts told once the show is announced there), else under the change's
  // (tellThoseToldOf); anything else tells nothing of it there.
  const gone = stated.show.venue.country !== country && !cancelled;
  if (gone && moved && isAnnounced(stated.show.status))
    return tellThoseToldOf(tour, stated, 'moved', deps, country, since, emails, sweeping);
  // Telling no move, the follow-up leaves the address the mail's word of the show in `country` (or of its
  // cancellation): a country a move's step forgot (counting the address told nothing) is noted again, its
  // stay from now, so the show's next move away, or its being set on again elsewhere, tells it. Noted only
  // while the show is as read; refused (a change landed since, its step finding the country forgotten), the
  // follow-up is taken again from a fresh read (docs/design.md#tours).
  if (moved && !since && !(await deps.tours.recordPressCountry(stated, country, now, false, read)))
    return readAgain;
  if (gone) return [];
  if (cancelled || pressDue(stated.show, now))
    return tellThoseToldOf(
      tour,
      stated,
      cancelled ? 'cancellation' : 'change',
      deps,
      country,
      undefined,
      emails,
      sweeping,
    );
};

/**
 * A press announcement or update the sweep held, whose late Email Sent showed it went (`Tour Press
 * Settled`, asked by the write that marked it): its address hears what stands now of each of its shows
 * that the steps, counting it told nothing meanwhile, held back from it: a cancellation, a change, or
 * that it moved to another country (docs/design.md#tours). Taken again, it writes the same mails, which their claims send once.
 */
export async function followUpHeldPress(
  { labelId, tourId, country, email, showIds }: EventData<typeof TourPressSettled>,
  deps: ToursDeps,
) {
  const { tour, shows } = await deps.tours.tourWithShows(labelId, tourId);
  const now = isoNow(deps);
  // Its notes go with its mails' claims: refused, the show changed since its read, it is taken again
  // from a fresh read (docs/design.md#tours).
  for (const s of shows)
    if (tour && showIds.includes(s.showId))
      await againWhileRefused(s.showId, async (tried) => {
        const read = tried === 1 ? s : await deps.tours.getShow(s);
        return deps.mailer.send(
          (await newsOf(tour, read as LiveShow, country, new Set([email]), deps, now, true)) ?? [],
        );
      });
}

type PressSent = Pick<Delivery, 'labelId' | 'subject' | 'email' | 'kind' | 'context'>;

/**
 * Settles the notes still naming the set of each announcement or update that ended (a change's note
 * keeps `before`, a move's is not read so), one write per mail, `notesAtOnce` mails at a time (a sweep
 * ends up to 500): unsent, its shows are taken off its address's set; sent, its notes lose their set,
 * so no step reads that delivery again (docs/design.md#tours).
 */
const settleEnded = (ended: PressSent[], deps: ToursDeps, sent: boolean) =>
  forEachBounded(
    ended,
    notesAtOnce,
    async ({ labelId, subject, email, context: { country, news, change, toldSince } }) => {
      if (!change && !toldSince && country)
        await deps.tours.settlePressTold(
          labelId,
          subject[1],
          country,
          email,
          Object.fromEntries(listKept(news).map((showId) => [showId, subject[2]])),
          sent,
        );
    },
  );

/** Tours' share of the stale-claim sweep (Outbox Sweep Due): show mail and press. */
export async function sweepStaleTourMail(deps: ToursDeps, deadline: number) {
  const show = await deps.mailer.sweepStale(
    'show',
    (stale) => rebuildShowMails(stale, deps),
    deadline,
    alertInsteadOfSuppressed(deps),
  );
  // An announcement or update the sweep ends failed (closed, its resend or its own set refused by SES)
  // told its address nothing: its shows are taken off the address's set (docs/design.md#tours), which
  // the office's count reads; the steps read the mail itself, so a sweep stopped before this write
  // misleads none of them. A closed claim's before it closes, so a sweep stopped between the two does
  // it again.
  const sending: PressSent[] = [];
  const press = await deps.mailer.sweepStale(
    'tour-shows',
    async (stale, boundary) => {
      const rebuilt = await rebuildPressMails(stale, deps, boundary);
      const closed = stale.filter(
        ({ deliveryId }) => !rebuilt.resend.has(deliveryId) && !rebuilt.held?.has(deliveryId),
      );
      sending.push(
        ...stale.filter(({ deliveryId }) => rebuilt.resend.has(deliveryId)),
        ...(rebuilt.tell ?? []).map(identityOf),
      );
      await settleEnded(closed, deps, false);
      return rebuilt;
    },
    deadline,
  );
  const reached = sending.length ? await deps.mailer.reached(sending) : [];
  for (const sent of [false, true])
    await settleEnded(
      sending.filter((_, at) => reached[at] === sent),
      deps,
      sent,
    );
  return { resent: show.resent + press.resent, closed: show.closed + press.closed };
}
