import {
  type Delivery,
  deliveryIdOf,
  type KeptTold,
  type MailIdentity,
  mailSubjects,
} from '#shared/db/deliveries.ts';
import { wentOut } from '#shared/db/subject-deliveries.ts';
import type { EventContract } from '#shared/events/envelope.ts';
import { MailingRequested, type MailKind } from '#shared/events/mailing-requested.ts';
import {
  ReleaseAddDateChangeSent,
  ReleaseAnnounced,
  ReleaseCancellationSent,
  ReleaseDateChangeSent,
  ReleaseOutNowSent,
  ReleaseRadioServiced,
} from '#shared/events/mailing-sent.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import { announcerSource, firstMailAudience, isFirstMail } from '#shared/first-mails.ts';
import {
  datesTemplateData,
  embargoTemplateData,
  outAlready,
  outSinceTemplateData,
  previousDateTemplateData,
  promoOpensTemplateData,
  radioTemplateData,
  recipientTemplateData,
  releaseTemplateData,
  withdrawnTemplateData,
} from '#shared/mail/data.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { claimHeld, mapBounded, quietly, sendMails } from '#shared/mail/send.ts';
import { templateNames } from '#shared/mail/template-names.ts';
import { isMailable, type Outlet, territoriesMatch } from '#shared/outlets.ts';
import { addDateConcerns, addDateOf, addDatesFor, isServiced, servicesRadio } from '#shared/radio.ts';
import {
  announceAtOf,
  concernsTerritories,
  embargoed,
  hasTerritoryDates,
  instantOf,
  momentKeyByTerritory,
  momentOf,
  momentOfKey,
  momentsForOutlet,
  outletHold,
  type ReleaseMoment,
  revisionOf,
  type StoredRelease,
  sameInstantAsKey,
  standingWithdrawalConcerns,
  streetDateApplies,
  streetDateIn,
  type TerritoryMoment,
  territoryMomentsOf,
  withdrawnFor,
} from '#shared/releases.ts';
import type { AnnouncerDeps } from './ports.ts';
import { keptTold, type ToldDates, toldOfKept } from './told.ts';

export interface MailingRequest {
  labelId: string;
  releaseId: string;
  kind: MailKind;
  revision?: string;
  /**
   * A cancellation, or a date change, in these territories only; a first mail of a release out
   * everywhere, to the outlets told of its withdrawal from these territories, given back, only.
   */
  territories?: string[];
  /** The territory moment the mail is about: out-now at it, a date change from it. */
  moment?: string;
  /** A date change's territories' old moments where they are not `moment` (a country moved with WW). */
  movedFrom?: Record<string, string>;
  /** These outlets only, not the directory (outlets added or changed since, see firstMailsDue). */
  outletIds?: string[];
  /** The announcement the embargo held, asked at its end: it states that embargo (heldUntil). */
  embargoEnded?: true;
  cursor?: string;
}

/**
 * Whether the first announcement of a release, or for a radio station its servicing (to the directory
 * in round 0: not to outlets added since, nor to those told again when a territory was given back, who
 * hear its out-now after it), tells the outlet the release is out: its street date there came before
 * the mail is written (a surprise drop, back catalogue, a release day come while the mailing runs).
 * Then an announcement is worded as the out-now, a servicing (its radio links, its add dates) is the
 * one mail the station hears, and no out-now follows either (toldOut, docs/design.md#radio-servicing,
 * docs/design.md#street-dates-per-territory).
 */
const announcedOut = (
  release: StoredRelease,
  mail: Pick<MailingRequest, 'kind' | 'revision' | 'outletIds' | 'territories'>,
  outlet: Outlet,
) =>
  isFirstMail(mail.kind) &&
  !mail.revision &&
  !mail.outletIds &&
  !mail.territories &&
  (hasTerritoryDates(release.details!)
    ? firstMomentOut(outlet, release) !== undefined
    : release.state === 'out');

/**
 * A first mail that told its address the release is out (announcedOut): its claim says so (an
 * announcement's `wordedAs`, a servicing's `toldOut`), and the out-now passes its address.
 */
export const toldOut = (first: Delivery | undefined) =>
  first?.context.wordedAs === 'out-now' || first?.context.toldOut === 'true';

export type MailingOutcome =
  | { status: 'completed'; sent: number; skipped: number; held?: number }
  | { status: 'continued'; cursor: string; sent: number; skipped: number }
  | { status: 'obsolete'; reason: string };

/** The fact each kind of mailing states as it completes, once (shared/db/mailing-facts.ts). */
export const completionEvents: Record<MailKind, EventContract> = {
  announcement: ReleaseAnnounced,
  'date-change': ReleaseDateChangeSent,
  cancellation: ReleaseCancellationSent,
  'out-now': ReleaseOutNowSent,
  'radio-servicing': ReleaseRadioServiced,
  'radio-add-date-change': ReleaseAddDateChangeSent,
};

const radioKinds: readonly MailKind[] = ['radio-servicing', 'radio-add-date-change'];

/**
 * Whether a release mail to the outlet carries the release's radio links (its radio edits, its promo
 * assets if it has none) rather than the press's promo links: the radio mails, and every other mail to
 * a station the release is serviced to, so that a station's out-now (one added since its servicing, or
 * serviced again after a giving back) gives it what its servicing did (docs/design.md#radio-servicing).
 */
const carriesRadioLinks = (kind: MailKind, outlet: Outlet, release: StoredRelease): boolean =>
  radioKinds.includes(kind) || isServiced(outlet, release.details!);

/**
 * Where a long mailing stands: the directory page to start from, the counts so far (`held`: out-nows
 * claimed and held, unsent, for the sweep to decide), and the oldest release version (its `occurredAt`)
 * any of its mails were written from.
 */
interface Progress {
  outlets?: string;
  sent: number;
  skipped: number;
  held?: number;
  /**
   * The mailing's mails found claimed before (sent or being sent by an earlier run of it: a retry, a
   * duplicate, a continuation walking again the batch its run left unfinished), which its fact counts as sent.
   */
  before?: number;
  asOf?: string;
}

const oldest = (known: string | undefined, asOf: string) => (known && known < asOf ? known : asOf);

export const encodeCursor = (progress: Progress): string =>
  Buffer.from(JSON.stringify(progress)).toString('base64url');

export function decodeCursor(cursor: string | undefined): Progress {
  if (!cursor) return { sent: 0, skipped: 0 };
  const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Progress;
  return {
    outlets: parsed.outlets,
    sent: Number(parsed.sent) || 0,
    skipped: Number(parsed.skipped) || 0,
    ...(Number(parsed.held) > 0 ? { held: Number(parsed.held) } : {}),
    ...(Number(parsed.before) > 0 ? { before: Number(parsed.before) } : {}),
    ...(parsed.asOf ? { asOf: String(parsed.asOf) } : {}),
  };
}

/** Why a request no longer applies to the release as it stands at `now`, or undefined if it does. */
function obsolete(
  release: StoredRelease | undefined,
  request: MailingRequest,
  now: Date,
): string | undefined {
  if (!release?.details) return 'release unknown or never described';
  // The embargo holds whoever asks: the schedule at its end asks again (see docs/design.md#embargoes).
  if (request.kind === 'announcement' && embargoed(release.details, now)) {
    return `under embargo until ${announceAtOf(release.details)}`;
  }
  if (request.kind === 'cancellation' && request.territories) return undefined;
  if (request.kind !== 'cancellation' && release.state === 'cancelled') return 'release cancelled';
  if (radioKinds.includes(request.kind)) return obsoleteForRadio(release, request, now);
  if (request.moment && !isReleaseDateChange(request)) return obsoleteForMoment(release, request);
  if (request.kind === 'cancellation' && release.state !== 'cancelled') return 'release not cancelled';
  if (request.kind === 'out-now' && release.state !== 'out') return 'release not out';
  // A later change that only restated the date in another zone (same instant) leaves it standing.
  if (request.kind === 'date-change' && !sameInstantAsKey(request.revision, momentOf(release.details))) {
    return 'date changed again since';
  }
  return undefined;
}

/**
 * A date change of the release's one date (no territories): its moment, where it names one, is the
 * date it moves from, part of its identity only (docs/design.md#exactly-once-mail); it concerns every
 * outlet told, and stands while the release's date is the one it moved to.
 */
export const isReleaseDateChange = (request: Pick<MailingRequest, 'kind' | 'territories'>) =>
  request.kind === 'date-change' && !request.territories;

/**
 * Radio servicing is held by the release's embargo like its announcement (the schedule at the
 * embargo's end asks again); an add-date change stands while the add date is still the one it states.
 */
function obsoleteForRadio(release: StoredRelease, request: MailingRequest, now: Date): string | undefined {
  const details = release.details!;
  if (!servicesRadio(details)) return 'no radio servicing';
  if (request.kind === 'radio-servicing' && embargoed(details, now)) {
    return `under embargo until ${announceAtOf(details)}`;
  }
  if (
    request.kind === 'radio-add-date-change' &&
    addDateOf(details, request.moment ?? '')?.date !== request.revision
  ) {
    return 'add date changed again since';
  }
  return undefined;
}

/** For a mail about one territory moment: whether that moment has come (out-now) or still stands (date change). */
function obsoleteForMoment(release: StoredRelease, request: MailingRequest): string | undefined {
  if (request.kind === 'out-now' && !release.outMoments?.includes(request.moment ?? '')) {
    return 'that street date has not come';
  }
  if (request.kind === 'date-change') {
    const now = momentKeyByTerritory(release.details!);
    const standing = (key: string | undefined) =>
      key !== undefined && sameInstantAsKey(request.revision, momentOfKey(key));
    if (!request.territories?.every((territory) => standing(streetDateIn(now, territory)))) {
      return 'date changed again since';
    }
  }
  return undefined;
}

/**
 * The first of the outlet's street dates that has come (its key), if one has: the moment its out-now
 * states, whichever moment's firing sends it (see docs/design.md#street-dates-per-territory). None:
 * the release is not out where the outlet is, and the sweep holds its out-now (settle.ts, notOutFor).
 */
export const firstMomentOut = (outlet: Outlet, release: StoredRelease): string | undefined =>
  momentsForOutlet(outlet.territories, release.details!).find((group) =>
    release.outMoments?.includes(group.key),
  )?.key;

/**
 * Whether a mail about one territory moment concerns the outlet: out-now goes to every outlet one of
 * whose street dates has come (the earliest among its territories, or one its territories came to list
 * after it passed), and its claim keeps it to once; a date change goes to the outlets of the
 * territories whose date moved.
 */
function concernsOutlet(
  outlet: Outlet,
  release: StoredRelease,
  request: Pick<MailingRequest, 'kind' | 'territories'>,
): boolean {
  if (request.kind === 'out-now') return firstMomentOut(outlet, release) !== undefined;
  if (request.kind === 'date-change')
    return (
      isReleaseDateChange(request) ||
      streetDateApplies(outlet.territories, request.territories ?? [], release.details!)
    );
  return true;
}

/**
 * Whether a follow-up (a date change, withdrawal or cancellation, out-now or add-date change) concerns
 * the outlet, by territory and date alone: it goes to the addresses told of the release, whatever
 * genres their outlets list now (docs/design.md#exactly-once-mail). An out-now asked by the first mail
 * of territories given back goes to the outlets they concern only (those it announced again); a
 * withdrawal to the outlets it is withdrawn for; a territory's date change, or an add date's, to the
 * outlets of its territories. The mailing's rule, and the sweep's for the outlet imported again at an
 * address whose follow-up it resends.
 */
export function followUpConcerns(
  outlet: Outlet,
  release: StoredRelease,
  request: Pick<MailingRequest, 'kind' | 'territories' | 'moment'>,
): boolean {
  const given = request.kind === 'out-now' ? request.territories : undefined;
  const addDate =
    request.kind === 'radio-add-date-change' ? addDateOf(release.details!, request.moment ?? '') : undefined;
  return (
    (!given || concernsTerritories(outlet, given)) &&
    (request.kind === 'cancellation'
      ? !request.territories || withdrawnFor(outlet, release, request.territories)
      : // Told the release is withdrawn from its territories (its links closed): no date change or
        // out-now follows (see docs/design.md#embargoes).
        !standingWithdrawalConcerns(outlet, release)) &&
    (request.kind !== 'radio-add-date-change' ||
      (addDate !== undefined && addDateConcerns(outlet, addDate))) &&
    (!request.moment || request.kind === 'radio-add-date-change' || concernsOutlet(outlet, release, request))
  );
}

/**
 * Whether an announcement stated the date the request's move changed: it was written before that
 * move, a territory's own (its `dateChanges` entry) or else the release's last. Both times are the
 * label's (a release's changes are ordered by them, see docs/design.md#ordering-by-the-labels-timestamp). Deliveries from before `releaseAsOf` was kept: assume so.
 */
const writtenBeforeMove = (announcement: Delivery, release: StoredRelease, request: MailingRequest) => {
  const movedAt =
    release.dateChanges?.find((c) => c.moment === request.moment && c.revision === request.revision)?.at ??
    release.movedAt;
  return !movedAt || !announcement.asOf || announcement.asOf < movedAt;
};

/**
 * The tag of a round of an address's mails about a release (see docs/design.md#exactly-once-mail): the
 * first mail that tells it the release (announcement or radio servicing), the out-now that tells it the
 * release is out and the withdrawal that tells it to disregard the release, once each per round. Round 0
 * names none (the identities these mails always had); a territory given back opens the next round for
 * the addresses told of its withdrawal, whose first mail, out-now and withdrawal are new mails,
 * `given-back-<n>` as their identity's revision.
 */
export const roundTag = (round: number): string | undefined =>
  round > 0 ? `given-back-${round}` : undefined;

/** One round of an address's mails about a release: its first mails and its withdrawal, as claimed. */
interface Round {
  announcement?: Delivery;
  servicing?: Delivery;
  withdrawal?: Delivery;
}

/**
 * Each outlet's rounds (roundTag), by outlet id, from round 0 up to one per giving back the release
 * kept (`givenBack`), each read only where it may hold a mail: round 0's first mails for every outlet,
 * its withdrawal too once the release was given back (for every outlet, whatever its territories are
 * now: one edited since into territories no giving back names may still have been announced again
 * before), and a further round only for the addresses whose withdrawal in the round before went out, or
 * whose re-announcement in it was closed unsent (no round opens otherwise), one batch a round. So a
 * release never given back costs what it did before any (docs/design.md#exactly-once-mail).
 */
async function roundsOf(
  release: Pick<StoredRelease, 'labelId' | 'releaseId' | 'givenBack'>,
  outlets: readonly Outlet[],
  deps: AnnouncerDeps,
): Promise<Map<string, Round[]>> {
  const givenBack = release.givenBack ?? [];
  const idOf = (outlet: Outlet, kind: MailKind, round: number) =>
    deliveryIdOf(releaseMailIdentity(release, outlet.email, kind, { revision: roundTag(round) }));
  const rounds = new Map<string, Round[]>(outlets.map((outlet) => [outlet.id, []]));
  let reading = outlets;
  for (let round = 0; reading.length > 0; round++) {
    const withdrawals = round < givenBack.length ? reading : [];
    const firstMails = reading.flatMap((outlet) => [
      idOf(outlet, 'announcement', round),
      idOf(outlet, 'radio-servicing', round),
    ]);
    const withdrawalIds = withdrawals.map((outlet) => idOf(outlet, 'cancellation', round));
    // A withdrawal marked sent moments ago and read as still claimed would keep its address from its
    // next round for good: what decides a round is read strongly consistently (round 0's first mails,
    // read for every outlet, as before any giving back).
    const found =
      round === 0
        ? new Map([
            ...(await deps.deliveries.getMany(firstMails)),
            ...(withdrawalIds.length > 0
              ? await deps.deliveries.getMany(withdrawalIds, { consistent: true })
              : []),
          ])
        : await deps.deliveries.getMany([...firstMails, ...withdrawalIds], { consistent: true });
    for (const outlet of reading) {
      rounds.get(outlet.id)!.push({
        announcement: found.get(idOf(outlet, 'announcement', round)),
        servicing: found.get(idOf(outlet, 'radio-servicing', round)),
        withdrawal: found.get(idOf(outlet, 'cancellation', round)),
      });
    }
    // The next round may hold a mail for an address told to disregard the release (its withdrawal sent)
    // or told nothing in this round since one (its re-announcement closed unsent).
    reading = withdrawals.filter((outlet) => {
      const theirs = rounds.get(outlet.id)![round];
      return wentOut(theirs.withdrawal) || (round > 0 && closedUnsent(theirs));
    });
  }
  return rounds;
}

/** The last round in which the address had a first mail (claimed, sent or closed), or -1. */
const currentRound = (rounds: readonly Round[]): number =>
  rounds.findLastIndex((round) => round.announcement !== undefined || round.servicing !== undefined);

/**
 * A round whose first mail was closed unsent (failed, and no late Email Sent showed it went): it told
 * the address nothing, and its identity is spent.
 */
const closedUnsent = (round: Round): boolean =>
  (round.announcement ?? round.servicing) !== undefined &&
  [round.announcement, round.servicing].every(
    (mail) => mail === undefined || (mail.status === 'failed' && !wentOut(mail)),
  );

/**
 * The round of each outlet's first mail now (its tag, by outlet id; round 0 is left out): the next one
 * when the address was told of the withdrawal of its current round (sent), or its current round is a
 * re-announcement closed unsent (the address still holds the withdrawal before it), and the release
 * has been given back since, else its current one (a first mail claimed there is never sent again).
 */
async function firstMailRounds(
  release: StoredRelease,
  outlets: readonly Outlet[],
  deps: AnnouncerDeps,
): Promise<Map<string, string>> {
  const turns = release.givenBack?.length ?? 0;
  if (turns === 0 || outlets.length === 0) return new Map();
  const rounds = await roundsOf(release, outlets, deps);
  return new Map(
    outlets.flatMap((outlet) => {
      const theirs = rounds.get(outlet.id) ?? [];
      const current = currentRound(theirs);
      const next =
        current >= 0 &&
        current < turns &&
        (wentOut(theirs[current].withdrawal) || (current > 0 && closedUnsent(theirs[current])))
          ? current + 1
          : Math.max(current, 0);
      const tag = roundTag(next);
      return tag ? [[outlet.id, tag] as const] : [];
    }),
  );
}

/**
 * The first mail (its announcement, or for radio its servicing) sent to each outlet's address, by
 * outlet id, whichever outlet had it then (an outlet deleted and imported again is the same person),
 * in the address's current round (roundTag: told again after a territory was given back): what a
 * follow-up goes to, and whose round a withdrawal names. An add-date change follows the servicing only.
 */
export async function firstMailsOf(
  release: Pick<StoredRelease, 'labelId' | 'releaseId' | 'givenBack'>,
  outlets: readonly Outlet[],
  kind: MailKind,
  deps: AnnouncerDeps,
): Promise<Map<string, Delivery>> {
  return firstMailsIn(await roundsOf(release, outlets, deps), outlets, kind);
}

/** firstMailsOf, from the outlets' rounds as read. */
function firstMailsIn(
  rounds: ReadonlyMap<string, readonly Round[]>,
  outlets: readonly Outlet[],
  kind: MailKind,
): Map<string, Delivery> {
  const firsts = new Map<string, Delivery>();
  for (const outlet of outlets) {
    const theirs = rounds.get(outlet.id) ?? [];
    const { announcement, servicing, withdrawal } = theirs[currentRound(theirs)] ?? {};
    // Told in its current round to disregard the release (its withdrawal sent): no follow-up but a
    // withdrawal goes to it before it is announced again (docs/design.md#exactly-once-mail).
    if (wentOut(withdrawal) && kind !== 'cancellation') continue;
    const first = kind === 'radio-add-date-change' || !wentOut(announcement) ? servicing : announcement;
    if (first) firsts.set(outlet.id, first);
  }
  return firsts;
}

/**
 * Who gets this mail on one page of the directory: for an announcement, matching outlets; for the
 * follow-ups (date change, cancellation, out now), outlets they concern (followUpConcerns) whose
 * announcement went out (`wentOut`), and for a
 * date change only if that announcement was written before the move (one change can both move the
 * date and widen the release: the outlets it newly reaches are announced with the new date) and the
 * address was last told another date than the one that stands. Of those, unsubscribed and suppressed
 * outlets are skipped. For a date change, a withdrawal or a cancellation, `lastTold`: the dates each
 * address was last told (lastToldOf), what its mail states the date was, or was planned for.
 */
async function recipientsOn(
  outlets: Outlet[],
  release: StoredRelease,
  request: MailingRequest,
  deps: AnnouncerDeps,
): Promise<{
  recipients: Outlet[];
  /** Outlets whose mail is claimed and held open, unsent, for the sweep to decide (roundOutNows). */
  held?: Outlet[];
  skipped: number;
  lastTold?: Map<string, TerritoryMoment[]>;
  rounds?: Map<string, string>;
}> {
  const details = release.details!;
  if (request.kind === 'announcement' || request.kind === 'radio-servicing') {
    const matching = firstMailAudience(request.kind, outlets, details, deps.now());
    // Given back to a release out everywhere: only the addresses told of a withdrawal since their first
    // mail, in their next round (docs/design.md#exactly-once-mail); nobody else hears of it now. Only
    // outlets the territories given back concern are read: no giving back concerns any other.
    const given = request.territories;
    const concerned = given ? matching.filter((outlet) => concernsTerritories(outlet, given)) : undefined;
    const rounds = await firstMailRounds(release, concerned ?? matching.filter(isMailable), deps);
    const audience = concerned ? concerned.filter((outlet) => rounds.has(outlet.id)) : matching;
    const mailable = audience.filter(isMailable);
    return { recipients: mailable, skipped: audience.length - mailable.length, rounds };
  }
  // Who the mail concerns, decided before any of their rounds is read: an outlet it cannot concern
  // costs no read (docs/design.md#exactly-once-mail).
  const concerned = outlets.filter((outlet) => followUpConcerns(outlet, release, request));
  const rounds = await roundsOf(release, concerned, deps);
  const firsts = firstMailsIn(rounds, concerned, request.kind);
  // A servicing written after the add date moved stated the new date already.
  const addDateMovedAt = release.addDateChanges?.find(
    (change) => change.key === request.moment && change.date === request.revision,
  )?.at;
  const audience = concerned.filter((outlet) => {
    const first = firsts.get(outlet.id);
    return (
      // Marked sent, or closed unsent and shown sent by its late Email Sent: it reached the address.
      first !== undefined &&
      wentOut(first) &&
      (request.kind !== 'date-change' || writtenBeforeMove(first, release, request)) &&
      (request.kind !== 'radio-add-date-change' ||
        !addDateMovedAt ||
        !first.asOf ||
        first.asOf < addDateMovedAt)
    );
  });
  const mailable = audience.filter(isMailable);
  const skipped = audience.length - mailable.length;
  // A withdrawal and an out-now name the round of the first mail they follow (roundTag): after a giving
  // back, new mails (an address announced again hears again that the release is out).
  const tags = new Map(
    request.kind === 'cancellation' || request.kind === 'out-now'
      ? mailable.flatMap((outlet) => {
          const tag = firsts.get(outlet.id)?.revision;
          return tag ? [[outlet.id, tag] as const] : [];
        })
      : [],
  );
  if (request.kind === 'out-now') {
    // Told it is out by its first mail (announced as out now, serviced once out): nothing more to read.
    const toTell = mailable.filter((outlet) => !toldOut(firsts.get(outlet.id)));
    const { told, open } = await toldOutNowInRound(release, toTell, rounds, deps);
    return {
      recipients: toTell.filter((outlet) => !told.has(outlet.id) && !open.has(outlet.id)),
      held: toTell.filter((outlet) => open.has(outlet.id)),
      skipped,
      rounds: tags,
    };
  }
  if (request.kind !== 'date-change' && request.kind !== 'cancellation') {
    return { recipients: mailable, skipped };
  }
  const told = await lastToldOf(
    release,
    request,
    mailable.map((outlet) => ({ outlet, first: firsts.get(outlet.id)! })),
    deps,
  );
  // An address last told the date that stands (the release moved back to it before the move in
  // between reached it) has no date change to hear; a cancellation names no date that stands.
  const recipients = mailable.filter((outlet) => told.get(outlet.id) !== 'unchanged');
  return { recipients, skipped, lastTold: toldDatesOnly(told), rounds: tags };
}

/** When a mail that went out was sent: marked sent, or shown sent by its late Email Sent. */
const sentAt = (mail: Delivery) => mail.sentAt ?? mail.updatedAt;

/**
 * The outlets, among those in a round after round 0, whose address was told in that round that the
 * release is out by an out-now of the identity of the round whose withdrawal it last heard (asked while
 * that withdrawal was being sent; for round 0's, also one before out-nows named their round, or one
 * resent by the sweep since): one that went out and was sent after that withdrawal was sent (`told`).
 * Sending times, not claim times, which a resend keeps: an out-now resent after the withdrawal went told
 * the address after it, a withdrawal resent after the out-now went told it after that, and an out-now
 * claimed and not sent told nothing. Such an address has heard it in this round; its round's out-now
 * would tell it twice (docs/design.md#exactly-once-mail). `open`: those whose such out-now is still
 * claimed, whenever it was claimed: the sender paces its calls by the send rate, so one claimed before
 * that withdrawal went may be sent after it, and it may yet tell the address (its `Email Sent` still to come) or have told nothing
 * (SES answered for no entry), which only its settling or the sweep's close shows; the round's out-now
 * is claimed and held for them, unsent, for the sweep to decide (roundOutNows, settle.ts). Read only
 * for addresses announced again, one strongly consistent batch (two out-nows each in a round after the
 * first given back); their withdrawals are in their rounds, as read.
 */
async function toldOutNowInRound(
  release: Pick<StoredRelease, 'labelId' | 'releaseId'>,
  outlets: readonly Outlet[],
  rounds: ReadonlyMap<string, readonly Round[]>,
  deps: AnnouncerDeps,
): Promise<{ told: Set<string>; open: Set<string> }> {
  /**
   * The round of the last withdrawal the address heard before its current round, after round 0, and
   * when it was sent: an out-now asked while it was being sent is of that round.
   */
  const heardBefore = new Map(
    outlets.flatMap((outlet) => {
      const theirs = rounds.get(outlet.id) ?? [];
      const round = theirs.slice(0, currentRound(theirs)).findLastIndex((r) => wentOut(r.withdrawal));
      return round < 0 ? [] : [[outlet.id, { round, at: sentAt(theirs[round].withdrawal!) }] as const];
    }),
  );
  const again = outlets.filter((outlet) => heardBefore.has(outlet.id));
  if (again.length === 0) return { told: new Set(), open: new Set() };
  // That round's out-now and round 0's: out-nows named no round until December 2026, so one asked then
  // while a later round's withdrawal was being sent has round 0's identity.
  const idsOf = (outlet: Outlet) =>
    [...new Set([0, heardBefore.get(outlet.id)!.round])].map((round) =>
      deliveryIdOf(releaseMailIdentity(release, outlet.email, 'out-now', { revision: roundTag(round) })),
    );
  // Strongly consistent, as what decides a round: a resend marked sent moments before, read as still
  // claimed at its claim time, would count as telling nothing, and the address would hear it twice.
  const found = await deps.deliveries.getMany(again.flatMap(idsOf), { consistent: true });
  const outNowsOf = (outlet: Outlet) => idsOf(outlet).flatMap((id) => found.get(id) ?? []);
  const after = (outlet: Outlet) => heardBefore.get(outlet.id)!.at;
  const told = again.filter((outlet) =>
    outNowsOf(outlet).some((outNow) => wentOut(outNow) && sentAt(outNow) > after(outlet)),
  );
  const open = again.filter(
    (outlet) => !told.includes(outlet) && outNowsOf(outlet).some((outNow) => outNow.status === 'claimed'),
  );
  return { told: new Set(told.map((outlet) => outlet.id)), open: new Set(open.map((outlet) => outlet.id)) };
}

/**
 * For the sweep's stale out-nows: their outlets' first mails now (firstMailsOf) and their out-nows in
 * their round (toldOutNowInRound), from one read of their rounds.
 */
export async function roundOutNowsOf(
  release: Pick<StoredRelease, 'labelId' | 'releaseId' | 'givenBack'>,
  outlets: readonly Outlet[],
  deps: AnnouncerDeps,
) {
  const rounds = await roundsOf(release, outlets, deps);
  return {
    firsts: firstMailsIn(rounds, outlets, 'out-now'),
    ...(await toldOutNowInRound(release, outlets, rounds, deps)),
  };
}

const toldDatesOnly = (previous: Map<string, TerritoryMoment[] | 'unchanged'>) =>
  new Map([...previous].flatMap(([id, dates]) => (dates === 'unchanged' ? [] : [[id, dates] as const])));

/**
 * A release mail's identity (see docs/design.md#exactly-once-mail): the address, the release and the
 * kind, with a date change's revision and the moment it moves from, or a mail's round (roundTag) as its
 * revision. A person hears a release is out once a round, and a radio outlet is serviced once a round,
 * whichever of the moments asked: their moment is not part
 * of the identity, so an address whose outlet was deleted and imported again in a territory out later
 * is not told twice (see docs/design.md#street-dates-per-territory, docs/design.md#radio-servicing).
 */
export const releaseMailIdentity = (
  release: Pick<StoredRelease, 'labelId' | 'releaseId'>,
  email: string,
  kind: MailKind,
  change: { revision?: string; moment?: string } = {},
): MailIdentity => ({
  labelId: release.labelId,
  subject: mailSubjects.release(release.releaseId),
  email,
  kind,
  ...(change.revision ? { revision: change.revision } : {}),
  ...(change.moment && kind !== 'radio-servicing' && kind !== 'out-now' ? { moment: change.moment } : {}),
});

/** The delivery id of a date change to `email`. */
const dateChangeId = (
  release: Pick<StoredRelease, 'labelId' | 'releaseId'>,
  email: string,
  change: { revision?: string; moment?: string },
) => deliveryIdOf(releaseMailIdentity(release, email, 'date-change', change));

/** The key of the date `told` stated for `territory`: for it, or else for the whole world. */
const toldFor = (told: ToldDates, territory: string): string | undefined => {
  const entries = Object.entries(told);
  return (entries.find(([, territories]) => territories.includes(territory)) ??
    entries.find(([, territories]) => territories.includes('WW')))?.[0];
};

/**
 * What each outlet's address was last told of the dates a date change moves, or a withdrawal or
 * cancellation takes back (see docs/design.md#exactly-once-mail), by outlet id: per territory the
 * mail concerns (the moved or withdrawn ones, or else every one it was told of), the date stated by the
 * latest mail that stated one there (its first mail, or a date change it had since, ordered by the
 * release version each was written from), as the date change's previous date or the date the
 * cancellation says the release was planned for; for a date change, `unchanged` when each of those
 * dates is the one its territory has now (a territory's move: its `revision`; a release's move, written
 * as every date that applies: each date standing), so the address has nothing to hear (a cancellation
 * names no date that stands). The date changes it may have had are those releases
 * asked for after its first mail was written (`dateChangesAsked`), read in one batch for the page
 * (none in the usual case of one move). An outlet whose first mail kept no told dates (claimed before
 * they were kept) is left out: its mail states the release's previous date (or dates), as before.
 */
export async function lastToldOf(
  release: StoredRelease,
  request: Pick<MailingRequest, 'kind' | 'revision' | 'moment' | 'territories'>,
  told: readonly { outlet: Outlet; first: Delivery }[],
  deps: AnnouncerDeps,
): Promise<Map<string, TerritoryMoment[] | 'unchanged'>> {
  const earlierOf = ({ outlet, first }: { outlet: Outlet; first: Delivery }) =>
    first.told
      ? (release.dateChangesAsked ?? [])
          .filter(
            (change) =>
              (!first.asOf || first.asOf < change.at) &&
              !(change.revision === request.revision && change.moment === request.moment) &&
              (!change.territories || territoriesMatch(outlet.territories, change.territories)),
          )
          .map((change) => dateChangeId(release, outlet.email, change))
      : [];
  const ids = told.flatMap(earlierOf);
  const earlier = ids.length > 0 ? await deps.deliveries.getMany(ids) : new Map<string, Delivery>();
  const previous = new Map<string, TerritoryMoment[] | 'unchanged'>();
  const nowKeys = momentKeyByTerritory(release.details!);
  for (const entry of told) {
    if (!entry.first.told) continue;
    // A date change claimed is sent or being sent; one closed unsent (failed) told nothing, unless its
    // late Email Sent showed it went (wentOut).
    const sources = [
      entry.first,
      ...earlierOf(entry).flatMap((id) => {
        const delivery = earlier.get(id);
        return delivery?.told && (delivery.status !== 'failed' || wentOut(delivery)) ? [delivery] : [];
      }),
    ]
      .sort((a, b) => (b.asOf ?? '').localeCompare(a.asOf ?? ''))
      .map((source) => toldOfKept(source.told!));
    const inScope = (
      request.territories ?? [...new Set(sources.flatMap((source) => Object.values(source).flat()))]
    ).filter((territory) => territoriesMatch(entry.outlet.territories, [territory]));
    const groups = new Map<string, TerritoryMoment>();
    for (const territory of inScope) {
      const key = sources.map((source) => toldFor(source, territory)).find((k) => k !== undefined);
      if (!key) continue;
      const group = groups.get(key) ?? { key, moment: momentOfKey(key), territories: [] };
      group.territories.push(territory);
      groups.set(key, group);
    }
    const dates = [...groups.values()].sort((a, b) => instantOf(a.moment) - instantOf(b.moment));
    if (dates.length === 0) continue;
    // Asks forgotten since its first mail (the list keeps the latest): it may have been told a date
    // they moved to, so it is never taken as told the date that stands.
    const complete =
      !release.dateChangesForgottenUntil ||
      (entry.first.asOf !== undefined && entry.first.asOf >= release.dateChangesForgottenUntil);
    // A date change tells nothing to an address last told, in each territory it concerns, the date
    // that territory has now: a territory's move its new date, and a release's move (written as any
    // other mail, every date that applies to the outlet) each date now standing, so an address whose
    // dates were all given by a later country change hears nothing of the release's move. A territory
    // the release no longer dates (withdrawn since) is stated by no date change.
    const standing = (group: TerritoryMoment) =>
      group.territories.every((territory) => {
        const key = streetDateIn(nowKeys, territory);
        return key === undefined || sameInstantAsKey(key, group.moment);
      });
    previous.set(
      entry.outlet.id,
      complete && request.kind === 'date-change' && dates.every(standing) ? 'unchanged' : dates,
    );
  }
  return previous;
}

/**
 * Where a withdrawal from `territories` takes the release back, as the outlet reads it, its own data:
 * the territories withdrawn that concern it (its own, each one to an outlet covering WW, WW's to every
 * outlet: concernsTerritories), with the label's reason for them if any (kept per territory on
 * `withdrawn`, each distinct one stated once), not every territory the withdrawal names
 * (docs/design.md#street-dates-per-territory).
 */
function withdrawnWhere(release: StoredRelease, territories: string[] | undefined, outlet: Outlet) {
  const theirs = (territories ?? []).filter((territory) => concernsTerritories(outlet, [territory]));
  if (theirs.length === 0) return undefined;
  const reasons = [...new Set(theirs.flatMap((territory) => release.withdrawn?.reasons?.[territory] ?? []))];
  return withdrawnTemplateData(theirs, reasons);
}

/**
 * The dates a mail to the outlet states when the release comes out at different moments in different
 * territories (see docs/design.md#street-dates-per-territory): every date that applies to the outlet
 * with its territories, the moment an out-now is about, or a moved territory's new and old date. A
 * date change's old date, and what a withdrawal or cancellation says the release was planned for, are
 * the dates the address was last told (`lastTold`), with street dates per territory or without.
 */
function statedDates(
  release: StoredRelease,
  mail: Pick<MailingRequest, 'kind' | 'revision' | 'moment' | 'territories' | 'movedFrom'>,
  outlet: Outlet,
  lastTold: TerritoryMoment[] | undefined,
) {
  const details = release.details!;
  const cancelled =
    mail.kind === 'cancellation' ? cancelledMoments(release, mail, outlet, lastTold) : undefined;
  if (cancelled) return datesTemplateData({ moments: cancelled });
  if (!hasTerritoryDates(details)) {
    // The release's one date is every recipient's (shared); the date each was last told is its own
    // (told nothing kept: its territory's old date, where the change kept it, else the release's).
    if (mail.kind !== 'date-change') return undefined;
    const was =
      lastTold ??
      (mail.moment && mail.movedFrom
        ? movedFromFor(release, { ...mail, moment: mail.moment }, outlet)
        : undefined);
    return was ? previousDateTemplateData(was, momentOf(details)) : undefined;
  }
  // A release's date change names a moment as identity only: it is written as any other mail.
  if (mail.kind === 'date-change' && mail.moment && mail.revision && !isReleaseDateChange(mail)) {
    const moved = movedMoments(release, mail, outlet);
    const was = lastTold ?? movedFromFor(release, { ...mail, moment: mail.moment }, outlet);
    return moved.length > 0 ? datesTemplateData({ moments: moved, previous: was }) : undefined;
  }
  const all = territoryMomentsOf(details);
  if (mail.kind === 'out-now') {
    // The outlet's first moment that came, whichever moment's firing (or a resend, which knows none)
    // sends it: an outlet whose territories came to list one already out hears of that one.
    const moment = firstMomentOut(outlet, release) ?? mail.moment;
    const now = all.filter((group) => group.key === moment);
    if (now.length > 0) return datesTemplateData({ moments: now });
  }
  const applicable = momentsForOutlet(outlet.territories, details);
  if (applicable.length === 0) return undefined;
  // A release's date change states, as the date the release was, what the address was last told (or,
  // told nothing kept, the date the move went from), never the release's previous moment, which a
  // country's later date change may have made the date it moved to.
  const was =
    mail.kind === 'date-change'
      ? (lastTold ??
        (mail.moment ? movedFromFor(release, { ...mail, moment: mail.moment }, outlet) : undefined))
      : undefined;
  return datesTemplateData({ moments: applicable, ...(was ? { previous: was } : {}) });
}

/**
 * Without the dates the address was told (its first mail kept none), the dates its territories moved
 * from: the change's moment, or where the change kept its territories' own old moments (`movedFrom`,
 * a country moved with WW, docs/design.md#street-dates-per-territory) those that applied to the outlet
 * among them; one date stated alone, as before.
 */
function movedFromFor(
  release: StoredRelease,
  mail: Pick<MailingRequest, 'territories' | 'movedFrom'> & { moment: string },
  outlet: Outlet,
): Pick<TerritoryMoment, 'moment' | 'territories'>[] {
  const alone = [{ moment: momentOfKey(mail.moment), territories: [] }];
  if (!mail.movedFrom || !mail.territories) return alone;
  const groups = new Map<string, TerritoryMoment>();
  for (const territory of mail.territories) {
    const key = mail.movedFrom[territory] ?? mail.moment;
    const group = groups.get(key) ?? { key, moment: momentOfKey(key), territories: [] };
    group.territories.push(territory);
    groups.set(key, group);
  }
  const was = momentsForOutlet(outlet.territories, release.details!, [...groups.values()]).sort(
    (a, b) => instantOf(a.moment) - instantOf(b.moment),
  );
  if (was.length === 0) return alone;
  return was.length === 1 ? [{ moment: was[0].moment, territories: [] }] : was;
}

/**
 * A territory date change's new date as it now stands (restated in another zone at the same instant,
 * say), where it applies to the outlet: a country moved with WW to the instant WW moves to, in its own
 * zone, is one date change with WW's (docs/design.md#street-dates-per-territory), and an outlet there
 * hears the country's date, one covering both each. Else the date as the change named it.
 */
function movedMoments(
  release: StoredRelease,
  mail: Pick<MailingRequest, 'revision'>,
  outlet: Outlet,
): TerritoryMoment[] {
  const theirs = momentsForOutlet(outlet.territories, release.details!).filter((group) =>
    sameInstantAsKey(mail.revision, group.moment),
  );
  if (theirs.length > 0) return theirs;
  const all = territoryMomentsOf(release.details!);
  const exact = all.filter((group) => group.key === mail.revision);
  return exact.length > 0 ? exact : all.filter((group) => sameInstantAsKey(mail.revision, group.moment));
}

/**
 * The street dates a mail tells the outlet that a later date change restates as what the date was,
 * kept on its delivery (see docs/design.md#exactly-once-mail): a first mail's and a release-wide date
 * change's, every date that applies to the outlet; a territory's date change's, its new date there.
 */
function toldBy(
  release: StoredRelease,
  mail: Pick<MailingRequest, 'kind' | 'revision' | 'moment' | 'territories'>,
  outlet: Outlet,
): KeptTold | undefined {
  if (!isFirstMail(mail.kind) && mail.kind !== 'date-change') return undefined;
  const stated =
    mail.kind === 'date-change' && mail.moment && !isReleaseDateChange(mail)
      ? movedMoments(release, mail, outlet)
      : momentsForOutlet(outlet.territories, release.details!);
  return stated.length > 0
    ? keptTold(Object.fromEntries(stated.map((group) => [group.key, group.territories])))
    : undefined;
}

/**
 * What a withdrawal or cancellation says the release was planned for: the dates the address was last
 * told (lastToldOf), in the territories withdrawn or, for a cancellation, every one it was told of; a
 * release with one date, cancelled, states that date alone, as its other mails do. An address whose
 * first mail kept no told dates is told as before: a withdrawal the dates its territories had when
 * withdrawn (withdrawnMoments); a cancellation the release's dates, as its other mails state them
 * (undefined here).
 */
function cancelledMoments(
  release: StoredRelease,
  mail: Pick<MailingRequest, 'kind'>,
  outlet: Outlet,
  lastTold: TerritoryMoment[] | undefined,
): TerritoryMoment[] | undefined {
  if (!lastTold) return withdrawnMoments(release, mail, outlet);
  const alone =
    release.state === 'cancelled' && !hasTerritoryDates(release.details!) && lastTold.length === 1;
  return alone ? [{ ...lastTold[0], territories: [] }] : lastTold;
}

/**
 * A withdrawal of a first mail that kept no told dates states the street dates its territories had
 * when withdrawn (`withdrawn.moments`): the release as it stands no longer lists them, and its own
 * date may be another territory's.
 */
function withdrawnMoments(
  release: StoredRelease,
  mail: Pick<MailingRequest, 'kind'>,
  outlet: Outlet,
): TerritoryMoment[] | undefined {
  const moments = release.withdrawn?.moments;
  if (mail.kind !== 'cancellation' || release.state === 'cancelled' || !moments) return undefined;
  const groups = new Map<string, TerritoryMoment>();
  for (const [territory, key] of Object.entries(moments)) {
    if (!territoriesMatch(outlet.territories, [territory])) continue;
    const group = groups.get(key) ?? { key, moment: momentOfKey(key), territories: [] };
    group.territories.push(territory);
    groups.set(key, group);
  }
  const told = [...groups.values()].sort((a, b) => instantOf(a.moment) - instantOf(b.moment));
  return told.length > 0 ? told : undefined;
}

/**
 * What a withdrawal or cancellation says of the dates it states that came (each one's release day
 * fired: `outMoments`). Come on every one, the release is withdrawn, out since then, not cancelled as
 * planned for them; come on some only (out in DE, still to come in the US), it is cancelled where it
 * was still to come and withdrawn where it has been out (`outSince`), never planned for a date gone
 * by. It reads what was recorded, not the clock, so a resend after those dates says what the first
 * sending said (docs/design.md#street-dates-per-territory).
 */
function cameOut(
  release: StoredRelease,
  mail: Pick<MailingRequest, 'kind'>,
  outlet: Outlet,
  lastTold: TerritoryMoment[] | undefined,
) {
  const applicable = momentsForOutlet(outlet.territories, release.details!);
  const stated = cancelledMoments(release, mail, outlet, lastTold) ?? applicable;
  const isOut = (moment: ReleaseMoment) =>
    release.outMoments?.some((key) => sameInstantAsKey(key, moment)) ?? false;
  if (stated.length === 0) return isOut(momentOf(release.details!)) ? outAlready : undefined;
  const out = stated.filter((group) => isOut(group.moment));
  if (out.length === stated.length) return outAlready;
  return out.length > 0
    ? outSinceTemplateData(
        out,
        stated.filter((group) => !out.includes(group)),
      )
    : undefined;
}

/** What a radio mail tells the outlet: the servicing date, its formats' and territories' add dates, the one moved. */
function radioData(release: StoredRelease, mail: Pick<MailingRequest, 'kind' | 'moment'>, outlet: Outlet) {
  const details = release.details!;
  const servicing = details.radioServicing;
  if (!servicing) return undefined;
  const moved = mail.kind === 'radio-add-date-change' ? addDateOf(details, mail.moment ?? '') : undefined;
  // The date the move replaced, as releases kept it with the move (none kept for a move made before it was).
  const was = moved
    ? release.addDateChanges?.find((change) => change.key === mail.moment && change.date === moved.date)?.was
    : undefined;
  return radioTemplateData({
    servicingDate: servicing.servicingDate,
    addDates: addDatesFor(outlet, details),
    ...(moved ? { moved: { ...moved, ...(was ? { was } : {}) } } : {}),
  });
}

/**
 * The embargo line an outlet's mail states, its own data (see docs/design.md#embargoes): the latest
 * embargo that applies to it (outletHold). The announcement the embargo held (`held`: asked at its
 * end, `embargoEnded`) states it; any other mail (an announcement to outlets added since, or asked by a
 * change after the embargo ended, such as a widening; radio servicing on its own date; a follow-up)
 * only while it holds when written (the label moved it later after the announcement went out): one
 * lifted before the mail is written asks nothing of the press any more.
 */
function heldUntil(release: StoredRelease, outlet: Outlet, held: boolean, now: Date) {
  const latest = outletHold(outlet.territories, release.details!);
  if (latest.until === 0 || (!held && latest.until <= now.getTime())) return undefined;
  return embargoTemplateData(new Date(latest.until).toISOString(), latest.timeZone);
}

/**
 * When the promo opens, said to an outlet whose mail, written before `promoAvailableAt`, gives it promo
 * links that answer "not yet" till then: in the zone its embargo line is stated in (outletHold: its own
 * street date's, or its territory's embargo's), its own data (see docs/design.md#embargoes).
 */
function promoOpens(release: StoredRelease, outlet: Outlet, now: Date) {
  const opens = release.details!.promoAvailableAt;
  if (!opens || Date.parse(opens) <= now.getTime()) return undefined;
  return promoOpensTemplateData(opens, outletHold(outlet.territories, release.details!).timeZone);
}

/**
 * What every recipient of a release's mail of one kind shares, written once per release read (not once
 * per recipient): one object, so the mail module groups the mails into SES calls without writing it out
 * for each of them.
 */
const sharedData = new WeakMap<StoredRelease, Map<string, ReturnType<typeof releaseTemplateData>>>();
function sharedDataOf(release: StoredRelease, kind: MailKind, labelName: string | undefined) {
  let byKind = sharedData.get(release);
  if (!byKind) {
    byKind = new Map();
    sharedData.set(release, byKind);
  }
  const key = JSON.stringify([kind, labelName ?? null]);
  let data = byKind.get(key);
  if (!data) {
    data = releaseTemplateData(release, kind, labelName);
    byKind.set(key, data);
  }
  return data;
}

/**
 * The release mail for one outlet, written from the release as stored now: campaign mail, with the
 * outlet's one-click unsubscribe link and personal promo links. `lastTold`, the dates the address was
 * last told (lastToldOf), are what a date change states the release was, and what a withdrawal or
 * cancellation states it was planned for; without them, the release's previous date, or its dates.
 * The dates it states are kept on its delivery (`told`).
 */
export async function releaseMail(
  release: StoredRelease,
  mail: Pick<
    MailingRequest,
    'kind' | 'revision' | 'moment' | 'territories' | 'movedFrom' | 'outletIds' | 'embargoEnded'
  > & {
    /** A first mail resent as its claim was written: telling the release is out, or not (toldOut). */
    outNow?: boolean;
  },
  outlet: Outlet,
  deps: AnnouncerDeps,
  lastTold: TerritoryMoment[] | undefined,
  /** The release's label's name (`labels.nameOf`, read once for many mails), which the mail states. */
  labelName: string | undefined,
): Promise<OutgoingMail> {
  const { kind, revision, moment } = mail;
  const radio = radioKinds.includes(kind);
  const links = await deps.links.forRecipient(outlet, release, deps.now(), {
    radio: carriesRadioLinks(kind, outlet, release),
  });
  const recipient = recipientTemplateData({
    outletName: outlet.name,
    contactName: outlet.contactName,
    unsubscribeUrl: links.unsubscribeUrl,
    promoLinks: links.promoLinks,
  });
  const dates = statedDates(release, mail, outlet, lastTold);
  const told = toldBy(release, mail, outlet);
  const own = radio ? radioData(release, mail, outlet) : undefined;
  const out = kind === 'cancellation' ? cameOut(release, mail, outlet, lastTold) : undefined;
  const withdrawn = kind === 'cancellation' ? withdrawnWhere(release, mail.territories, outlet) : undefined;
  const held = kind === 'announcement' && mail.embargoEnded === true;
  const outNow = isFirstMail(kind) && (mail.outNow ?? announcedOut(release, mail, outlet));
  const data = [
    dates,
    own,
    heldUntil(release, outlet, held, deps.now()),
    out,
    withdrawn,
    links.promoLinks.length > 0 ? promoOpens(release, outlet, deps.now()) : undefined,
  ].reduce<{
    text: object;
    html: object;
  }>(
    (merged, extra) =>
      extra ? { text: { ...merged.text, ...extra.text }, html: { ...merged.html, ...extra.html } } : merged,
    recipient,
  );
  return {
    identity: releaseMailIdentity(release, outlet.email, kind, { revision, moment }),
    stream: 'campaign',
    template: outNow && kind === 'announcement' ? templateNames['out-now'] : templateNames[kind],
    sharedData: sharedDataOf(release, kind, labelName),
    // The dates this outlet is told (street dates per territory, its add dates) go with its own data, over the release's.
    data,
    unsubscribeUrl: links.unsubscribeUrl,
    context: {
      outletId: outlet.id,
      // An announcement the embargo did not hold (to outlets added or changed since, outletIds, or asked
      // by a change after it ended) says so, and the sweep's resend, which has no request, writes it
      // again from this (docs/design.md#embargoes).
      ...(kind === 'announcement' && !held ? { askedFor: mail.outletIds ? 'outletIds' : 'change' } : {}),
      ...(outNow ? (kind === 'announcement' ? { wordedAs: 'out-now' } : { toldOut: 'true' }) : {}),
      // A withdrawal keeps the territories of the outlet it told, so that its links, once the outlet
      // is deleted, close only while the withdrawal still concerns them (docs/design.md#embargoes).
      ...(kind === 'cancellation' && release.state !== 'cancelled'
        ? { territories: outlet.territories.join(',') }
        : {}),
    },
    asOf: release.occurredAt,
    ...(told ? { told } : {}),
  };
}

/**
 * One page of the mailing's outlets: of the directory, or of the outlets it names (its cursor is then
 * how many of them were read; those gone since are passed).
 */
async function outletsPage(
  request: MailingRequest,
  cursor: string | undefined,
  genres: readonly string[] | undefined,
  deps: AnnouncerDeps,
): Promise<{ outlets: Outlet[]; next?: string }> {
  const size = deps.settings.pageSize;
  if (!request.outletIds) return deps.outlets.page(cursor, size, genres);
  const from = Number(cursor ?? 0) || 0;
  const ids = request.outletIds.slice(from, from + size);
  const found = ids.length > 0 ? await deps.outlets.getMany(ids) : new Map<string, Outlet>();
  const next = from + size < request.outletIds.length ? String(from + size) : undefined;
  return { outlets: ids.flatMap((id) => found.get(id) ?? []), ...(next ? { next } : {}) };
}

/**
 * Sends one mailing: batch by batch through the directory, claiming each mail before sending it
 * (a mail claimed before is never sent again), in calls of at most 50 recipients within the shared
 * send rate. When time runs short it hands the rest to a new `Mailing Requested` with a cursor, and
 * when it reaches the end it asks its follow-ups and states the mailing's fact (`Release Announced`,
 * ...; not for some outlets only). The continuation and follow-ups are published directly: there is no
 * state write to put them in the outbox with, and a failed publish fails the invocation, which Lambda
 * retries (claims keep the retry from mailing anyone twice). The fact goes through the outbox with its
 * marker, once per mailing (shared/db/mailing-facts.ts).
 */
export async function sendMailing(
  request: MailingRequest,
  meta: { correlationId: string },
  deps: AnnouncerDeps,
  deadline: number,
): Promise<MailingOutcome> {
  const release = await deps.releases.get(request.labelId, request.releaseId);
  const reason = obsolete(release, request, deps.now());
  const progress = decodeCursor(request.cursor);
  if (reason || !release) return stop(request, progress, reason ?? 'release unknown', meta, deps);
  // The label's name, which every mail states: one read for the invocation's pages, not one per outlet.
  const labelName = await deps.labels.nameOf(request.labelId);

  // The release each batch is written from: the one read last (a change while a batch goes out is
  // read before the next batch, and the batch read ahead from the version before is read again).
  let current = release;
  // A batch: directory pages from `cursor` until they hold a page's worth of mails, the directory
  // ends or time is up. A release's outlets are spread over the whole directory, and sending drains
  // its pipeline (and makes a partial SES call) at the end of each batch, so a batch gathers sparse
  // pages.
  const batchOfMails = async (cursor: string | undefined) => {
    const from = current;
    // An announcement (or radio servicing) goes to outlets matching the release, so only those are
    // read back; a follow-up goes to whoever was told, whatever the release's genres are now.
    const genres =
      request.kind === 'announcement' || request.kind === 'radio-servicing'
        ? from.details!.genres
        : undefined;
    const mails: OutgoingMail[] = [];
    const held: OutgoingMail[] = [];
    let skipped = 0;
    let next = cursor;
    do {
      const page = await outletsPage(request, next, genres, deps);
      const found = await recipientsOn(page.outlets, from, request, deps);
      const mailsOf = (outlets: Outlet[]) =>
        mapBounded(outlets, deps.settings.claimConcurrency, (outlet) => {
          const round = found.rounds?.get(outlet.id);
          const mail = round ? { ...request, revision: round } : request;
          return releaseMail(from, mail, outlet, deps, found.lastTold?.get(outlet.id), labelName);
        });
      mails.push(...(await mailsOf(found.recipients)));
      held.push(...(await mailsOf(found.held ?? [])));
      skipped += found.skipped;
      next = page.next;
    } while (next && mails.length < deps.settings.pageSize && deps.now().getTime() < deadline);
    return { next, mails, held, skipped, asOf: from.occurredAt };
  };
  let batchCursor = progress.outlets;
  // The next batch is read and its mails written while this batch's go out.
  let upcoming = batchOfMails(batchCursor);
  try {
    for (;;) {
      const batch = await upcoming;
      if (batch.next) upcoming = quietly(batchOfMails(batch.next));
      // Claimed and held open, unsent: the sweep sends or closes them once it can tell (roundOutNows).
      const held = await claimHeld(deps, batch.held);
      if (held > 0) progress.held = (progress.held ?? 0) + held;
      const outcome = await sendMails(deps, batch.mails, deadline);
      if (outcome.claimed > 0) progress.asOf = oldest(progress.asOf, batch.asOf);
      if (outcome.unfinished) {
        // Start again at this batch's first page: what was claimed from it is skipped by its claim, and
        // counted there as claimed before.
        return continueLater({ ...progress, outlets: batchCursor }, request, meta, deps);
      }
      progress.sent += outcome.sent + outcome.unsettled;
      // Claimed before, by an earlier run of the mailing: its fact, stated by whichever run completes
      // first, counts them as sent.
      if (outcome.claimedBefore > 0) progress.before = (progress.before ?? 0) + outcome.claimedBefore;
      // Outlets read mailable whose address bounced or unsubscribed before its claim are skipped too.
      progress.skipped += batch.skipped + outcome.optedOut;
      if (!batch.next) return complete(release, request, progress, meta, deps);
      batchCursor = batch.next;
      // A release cancelled while its mailing runs: no batch after the cancel is mailed. One changed
      // otherwise (moved, withdrawn somewhere): the next batch is written from the change.
      const latest = await deps.releases.get(request.labelId, request.releaseId);
      const changed = obsolete(latest, request, deps.now());
      if (changed || !latest) return stop(request, progress, changed ?? 'release unknown', meta, deps);
      if (latest.occurredAt !== current.occurredAt) {
        await upcoming.catch(() => {});
        current = latest;
        upcoming = quietly(batchOfMails(batchCursor));
      }
      if (deps.now().getTime() >= deadline)
        return continueLater({ ...progress, outlets: batchCursor }, request, meta, deps);
    }
  } finally {
    // A batch read ahead and not sent is dropped (it wrote nothing), once its reads are done.
    await upcoming.catch(() => {});
  }
}

/**
 * The oldest release version this mailing's mails were written from. A run that claimed nothing may be
 * the retry of one that claimed and then failed to publish what follows (Lambda retries the same
 * request; the claims keep it from mailing anyone twice), so it assumes the oldest: every follow-up the
 * release implies is asked for again, and claims keep each to one mail per outlet.
 */
const sentFrom = (progress: Progress) => progress.asOf ?? '';

/** A mailing that no longer applies stops; an announcement stopped by a cancellation has what it sent told of it. */
async function stop(
  request: MailingRequest,
  progress: Progress,
  reason: string,
  meta: { correlationId: string },
  deps: AnnouncerDeps,
): Promise<MailingOutcome> {
  if (isFirstMail(request.kind))
    await askFollowUpsSince(
      request,
      sentFrom(progress),
      meta.correlationId,
      deps,
      request.outletIds,
      request.territories,
    );
  return { status: 'obsolete', reason };
}

async function continueLater(
  progress: Progress,
  request: MailingRequest,
  meta: { correlationId: string },
  deps: AnnouncerDeps,
): Promise<MailingOutcome> {
  const cursor = encodeCursor(progress);
  await deps.events.publish([
    outboxEntry(
      MailingRequested,
      { ...request, cursor },
      { correlationId: meta.correlationId, labelId: request.labelId, source: announcerSource },
    ),
  ]);
  return { status: 'continued', cursor, sent: progress.sent, skipped: progress.skipped };
}

async function complete(
  release: StoredRelease,
  request: MailingRequest,
  progress: Progress,
  meta: { correlationId: string },
  deps: AnnouncerDeps,
): Promise<MailingOutcome> {
  const followUps = isFirstMail(request.kind)
    ? await followUpsSince(
        release,
        sentFrom(progress),
        meta.correlationId,
        deps,
        request.outletIds,
        request.territories,
      )
    : [];
  // Every run asks what its own mails need (claims keep each follow-up to one mail per address)...
  if (followUps.length > 0) await deps.events.publish(followUps);
  // ...and the mailing's fact is stated once, by the first run to complete it: a run again of the same
  // mailing (a retry, a duplicate, a follow-up asked again) mails no one twice and states no fact of its
  // own (docs/design.md#the-outbox). A mailing for some outlets only (added or changed since, see
  // firstMailsDue) states none: the fact says every outlet it concerns was told, which the release's own
  // mailing stated already, and outside consumers would read it a second time.
  if (!request.outletIds) {
    const { labelId, releaseId, kind, revision, moment, territories } = request;
    await deps.facts.state(
      { labelId, releaseId, kind, revision, moment, territories },
      outboxEntry(
        completionEvents[kind],
        {
          labelId: release.labelId,
          releaseId: release.releaseId,
          sent: progress.sent + (progress.before ?? 0),
          skipped: progress.skipped,
          ...(progress.held ? { held: progress.held } : {}),
          ...(revision ? { revision } : {}),
        },
        { correlationId: meta.correlationId, labelId: release.labelId },
      ),
    );
  }
  return {
    status: 'completed',
    sent: progress.sent,
    skipped: progress.skipped,
    ...(progress.held ? { held: progress.held } : {}),
  };
}

/**
 * The date change releases asked (`dateChangesAsked`) of this identity (its new date and the moment it
 * moves from): what it kept of each territory's old moment (`movedFrom`), for a mail of it written
 * again later (a follow-up asked again, the sweep's resend; docs/design.md#exactly-once-mail).
 */
export const askedDateChange = (
  release: Pick<StoredRelease, 'dateChangesAsked'>,
  change: { revision?: string; moment?: string },
) =>
  release.dateChangesAsked?.find(
    (asked) => asked.revision === change.revision && asked.moment === change.moment,
  );

/** Publishes the follow-ups `followUpsSince` finds, if there are any. */
export async function askFollowUpsSince(
  release: Pick<StoredRelease, 'labelId' | 'releaseId'>,
  asOf: string,
  correlationId: string | undefined,
  deps: AnnouncerDeps,
  outletIds?: string[],
  givenBack?: string[],
  read?: StoredRelease,
): Promise<void> {
  const followUps = await followUpsSince(release, asOf, correlationId, deps, outletIds, givenBack, read);
  if (followUps.length > 0) await deps.events.publish(followUps);
}

/**
 * The follow-ups a first mail (announcement, radio servicing) written from the release as of `asOf`
 * still needs, as the release is stored now. The follow-up mailings pass outlets whose first mail is
 * still being sent (its claim open), and a mailing that read the release before a change goes on
 * with the batch it read, so once such first mails are sent their follow-ups are asked for again:
 * - cancelled: the cancellation;
 * - withdrawn from territories since: the withdrawal (to the outlets it no longer reaches);
 * - moved since: the date change (to outlets announced before the move), or with street dates per
 *   territory, each territory date change still standing that was asked since;
 * - out: the out-now (per territory moment that came, with street dates per territory);
 * - an add date moved since: its change, to the radio outlets of its format and territory.
 * Claims keep each to one mail per outlet (docs/design.md#exactly-once-mail). A first mail to some
 * outlets only (`outletIds`: added or changed since) asks its follow-ups for those outlets only; one
 * of territories given back (`givenBack`, its request's territories) asks its out-now for the outlets
 * those territories concern, the only ones it announced (docs/design.md#exactly-once-mail).
 */
export async function followUpsSince(
  release: Pick<StoredRelease, 'labelId' | 'releaseId'>,
  asOf: string,
  correlationId: string | undefined,
  deps: AnnouncerDeps,
  outletIds?: string[],
  givenBack?: string[],
  /** The release as its caller read it just before, for one read. */
  read?: StoredRelease,
): Promise<OutboxEntry[]> {
  const current = read ?? (await deps.releases.get(release.labelId, release.releaseId));
  const meta = {
    correlationId: correlationId ?? current?.lastCorrelationId,
    labelId: release.labelId,
    source: announcerSource,
  };
  const ask = (mail: Omit<MailingRequest, 'labelId' | 'releaseId' | 'cursor'>) =>
    outboxEntry(
      MailingRequested,
      {
        labelId: release.labelId,
        releaseId: release.releaseId,
        ...mail,
        ...(outletIds ? { outletIds } : {}),
      },
      meta,
    );
  if (current?.state === 'cancelled') return [ask({ kind: 'cancellation' })];
  if (!current?.details) return [];
  const followUps: OutboxEntry[] = [];
  if (current.withdrawn && asOf < current.withdrawn.at) {
    followUps.push(ask({ kind: 'cancellation', territories: current.withdrawn.territories }));
  }
  // The territory date changes standing, asked as their own mailings were (their moment and territories,
  // and each territory's old moment): also once the release has one date again, after a change that
  // moved its territories onto it, unless it is out (docs/design.md#exactly-once-mail).
  const territoryChanges =
    hasTerritoryDates(current.details) || current.state !== 'out'
      ? (current.dateChanges ?? []).filter((change) => asOf < change.at)
      : [];
  for (const change of territoryChanges) {
    const { moment, revision, territories } = change;
    // Each territory's old moment, as asked: an address whose first mail kept no told dates is told
    // the date its own territory moved from (as the sweep's resend is).
    const movedFrom = askedDateChange(current, change)?.movedFrom;
    followUps.push(
      ask({ kind: 'date-change', revision, moment, territories, ...(movedFrom ? { movedFrom } : {}) }),
    );
  }
  if (hasTerritoryDates(current.details)) {
    if (current.state === 'out') {
      for (const moment of current.outMoments ?? [])
        followUps.push(ask({ kind: 'out-now', moment, ...(givenBack ? { territories: givenBack } : {}) }));
    }
  } else if (current.state === 'out') {
    followUps.push(ask({ kind: 'out-now', ...(givenBack ? { territories: givenBack } : {}) }));
  } else if (current.movedAt && asOf < current.movedAt && territoryChanges.length === 0) {
    // The move's own identity, as asked: the date it moved to (kept when a later change only restated
    // it in another zone) and the one it moved from (none for a move asked before that was kept).
    const revision = current.movedTo ?? revisionOf(momentOf(current.details));
    const moment = current.movedFromMoment;
    followUps.push(ask({ kind: 'date-change', revision, ...(moment ? { moment } : {}) }));
  }
  for (const change of current.addDateChanges ?? []) {
    const addDate = addDateOf(current.details, change.key);
    if (asOf < change.at && addDate?.date === change.date) {
      followUps.push(
        ask({
          kind: 'radio-add-date-change',
          revision: change.date,
          moment: change.key,
          territories: [addDate.territory],
        }),
      );
    }
  }
  return followUps;
}
