import type { Delivery } from '#shared/db/deliveries.ts';
import { MailingRequested, type MailKind } from '#shared/events/mailing-requested.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { maxChangedOutlets } from '#shared/events/outlets-changed.ts';
import { announcerSource, isFirstMail } from '#shared/first-mails.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { announceAgainAfterWithdrawals, releaseOf, settledAsks } from '#shared/mail/release-settled.ts';
import { type Resender, sweepStaleClaims as sweep } from '#shared/mail/settle.ts';
import { isMailable, normaliseEmail, type Outlet, outletMatchesRelease } from '#shared/outlets.ts';
import { addDateOf, isServiced } from '#shared/radio.ts';
import {
  concernsTerritories,
  coversTerritory,
  hasTerritoryDates,
  momentKeyByTerritory,
  momentOf,
  momentOfKey,
  type StoredRelease,
  sameInstant,
  sameInstantAsKey,
  standingWithdrawalConcerns,
  streetDateIn,
  type TerritoryMoment,
  territoryMomentsOf,
  withdrawnAs,
} from '#shared/releases.ts';
import {
  askedDateChange,
  askFollowUpsSince,
  firstMailsOf,
  firstMomentOut,
  followUpConcerns,
  isReleaseDateChange,
  lastToldOf,
  releaseMail,
  roundOutNowsOf,
  toldOut,
} from './mailing.ts';
import type { AnnouncerDeps } from './ports.ts';
import { toldOfKept } from './told.ts';

/**
 * What follows the mails a `Release Mails Settled` names, asked once their mark is committed (it was
 * stored with it), from the release as it stands now: the follow-ups of first mails settled late, for
 * a follow-up mailing that passed them while they were still claimed (before the mark, or in between),
 * and the next round's first mail after withdrawals of a release given back since. One read of the
 * mails named, then the release (docs/design.md#exactly-once-mail).
 */
export async function followUpSettledMails(
  settled: { labelId: string; releaseId: string; deliveryIds: string[] },
  deps: AnnouncerDeps,
): Promise<void> {
  const mails = [...(await deps.deliveries.getMany(settled.deliveryIds)).values()];
  await followUpForLateAnnouncements(
    mails.filter((mail) => isFirstMail(mail.kind)),
    deps,
  );
  await announceAgainAfterWithdrawals(
    mails.filter((mail) => mail.kind === 'cancellation'),
    deps,
  );
}

/**
 * First mails (announcements, radio servicing) settled only now, or closed unsent and shown sent only
 * now, may have been passed, while still claimed, by the cancellation or date-change mailing. The
 * follow-up is asked once per release, for the oldest version its first mails were written from, and
 * for the outlets they went to (`followUpAudience`).
 */
async function followUpForLateAnnouncements(settled: Delivery[], deps: AnnouncerDeps): Promise<void> {
  const byRelease = new Map<string, { delivery: Delivery; asOf: string; deliveries: Delivery[] }>();
  for (const delivery of settled) {
    if (delivery.subject[0] !== 'release' || !isFirstMail(delivery.kind)) continue;
    const key = JSON.stringify([delivery.labelId, delivery.subject[1]]);
    // Deliveries from before the version was kept: assume they stated the date before any move.
    const asOf = delivery.asOf ?? '';
    const known = byRelease.get(key) ?? { delivery, asOf, deliveries: [] };
    known.deliveries.push(delivery);
    byRelease.set(key, asOf < known.asOf ? { ...known, delivery, asOf } : known);
  }
  for (const { delivery, asOf, deliveries: named } of byRelease.values()) {
    const { labelId, releaseId } = releaseOf(delivery);
    const release = await deps.releases.get(labelId, releaseId);
    const deliveries = await toOutletsAtAddress(named, deps);
    await askFollowUpsSince(
      { labelId, releaseId },
      asOf,
      undefined,
      deps,
      followUpAudience(deliveries),
      undefined,
      release,
    );
    if (release) await askDatesGivenBack(release, deliveries, deps);
  }
}

/**
 * First mails as their follow-ups go: to the outlet each names, else (gone, or moved to another
 * address) to the outlet now at its address, as the sweep resent it (releaseResender): an outlet deleted
 * and imported again while its first mail was open is the address's, and hears what follows it
 * (docs/design.md#exactly-once-mail).
 */
async function toOutletsAtAddress(deliveries: Delivery[], deps: AnnouncerDeps): Promise<Delivery[]> {
  const atAddress = await outletsAtAddresses(
    deliveries.filter((delivery) => delivery.context.outletId),
    deps,
  );
  return deliveries.map((delivery) => {
    const owner = atAddress.get(delivery.deliveryId);
    return owner && owner.id !== delivery.context.outletId
      ? { ...delivery, context: { ...delivery.context, outletId: owner.id } }
      : delivery;
  });
}

/**
 * The outlet at each delivery's address, by delivery id: the outlet it names while that is still at the
 * address, else the one there now, if `takes` it (the mail is the address's, not the outlet's:
 * docs/design.md#exactly-once-mail). One read of the outlets named; one more per address whose outlet
 * is not there.
 */
async function outletsAtAddresses(
  deliveries: Delivery[],
  deps: AnnouncerDeps,
  takes: (outlet: Outlet, delivery: Delivery) => boolean = () => true,
): Promise<Map<string, Outlet>> {
  const named = await deps.outlets.getMany(
    deliveries.flatMap((d) => (d.context.outletId ? [d.context.outletId] : [])),
  );
  const atAddress = new Map<string, Outlet>();
  for (const delivery of deliveries) {
    const outlet = named.get(delivery.context.outletId ?? '');
    if (outlet && normaliseEmail(outlet.email) === delivery.email) {
      atAddress.set(delivery.deliveryId, outlet);
      continue;
    }
    const owner = await deps.outlets.atAddress(delivery.email);
    if (owner && takes(owner, delivery)) atAddress.set(delivery.deliveryId, owner);
  }
  return atAddress;
}

/**
 * The date changes first mails settled only now owe their outlets in territories given back since they
 * were written at another date than the one they stated: a withdrawal is stored as the narrowed
 * release, so such a giving back records no date change (docs/design.md#street-dates-per-territory),
 * and its mailing passed the outlet while that first mail was open (held, unsent, while the territory
 * was withdrawn; its late Email Sent settles it stating the old date). Each is asked as a territory's
 * date change is (the moment the mail stated, the date that stands: its identity; the identity of the
 * last ask releases kept to that date since the mail was written, where one is), for those outlets
 * only, and tells each address the date it was last told there and the one that stands
 * (docs/design.md#exactly-once-mail). From the release its follow-ups were read from: no read of its own.
 */
async function askDatesGivenBack(
  current: StoredRelease,
  firsts: Delivery[],
  deps: AnnouncerDeps,
): Promise<void> {
  if (!current.details || current.state === 'cancelled' || !current.givenBack) return;
  const release = { labelId: current.labelId, releaseId: current.releaseId };
  const standing = momentKeyByTerritory(current.details);
  const changes = new Map<
    string,
    { moment: string; revision: string; territories: string[]; outletIds: string[] }
  >();
  for (const first of firsts) {
    const outletId = first.context.outletId;
    if (!outletId || !first.told) continue;
    // A mail stating WW's date told it for each country given back since, WW still withdrawn.
    const sinceFirst = current.givenBack.filter((turn) => turn.at > (first.asOf ?? ''));
    for (const [moment, told] of Object.entries(toldOfKept(first.told))) {
      const territories = told.flatMap((territory) =>
        territory === 'WW'
          ? [territory, ...sinceFirst.flatMap((turn) => turn.territories.filter((t) => t !== 'WW'))]
          : [territory],
      );
      for (const territory of new Set(territories)) {
        const revision = streetDateIn(standing, territory);
        const givenBackSince = current.givenBack.findLast(
          (turn) => turn.at > (first.asOf ?? '') && turn.territories.includes(territory),
        );
        if (!revision || !givenBackSince || sameInstant(momentOfKey(revision), momentOfKey(moment))) continue;
        // As releases kept the last ask to the date that stands since the mail was written (a giving
        // back's, or a move's the follow-ups ask too: one claim), so later moves and lookups of what the
        // address was last told see it; else (kept nothing: a giving back before it was kept) named as
        // the releases name a move: repeated between the same two dates, by the label's time of the move
        // (the giving back) after the moment.
        const kept = current.dateChangesAsked?.findLast(
          (asked) =>
            asked.at > (first.asOf ?? '') &&
            asked.revision === revision &&
            asked.territories?.includes(territory),
        );
        const repeated =
          current.dateChangesForgottenUntil !== undefined || askedDateChange(current, { revision, moment });
        const from = kept?.moment ?? (repeated ? `${moment} ${givenBackSince.at}` : moment);
        const id = JSON.stringify([from, revision]);
        const change = changes.get(id) ?? { moment: from, revision, territories: [], outletIds: [] };
        if (!change.territories.includes(territory)) change.territories.push(territory);
        if (!change.outletIds.includes(outletId)) change.outletIds.push(outletId);
        changes.set(id, change);
      }
    }
  }
  const asks = [...changes.values()].flatMap(({ outletIds, ...change }) =>
    Array.from({ length: Math.ceil(outletIds.length / maxChangedOutlets) }, (_, page) =>
      outboxEntry(
        MailingRequested,
        {
          ...release,
          kind: 'date-change' as const,
          ...change,
          outletIds: outletIds.slice(page * maxChangedOutlets, (page + 1) * maxChangedOutlets),
        },
        { correlationId: current.lastCorrelationId, labelId: release.labelId, source: announcerSource },
      ),
    ),
  );
  if (asks.length > 0) await deps.events.publish(asks);
}

/**
 * Whom the follow-ups of first mails settled or resent only now are for: the outlets they went to.
 * Every other outlet's first mail was settled before the follow-up mailing passed it (it got the
 * follow-up), or is still open and asks for its own when settled; so an announcement to outlets added
 * since (docs/design.md#exactly-once-mail) asks for those outlets, not the directory. The directory
 * (undefined) when a delivery names no outlet, or there are more than one request may name.
 */
const followUpAudience = (deliveries: readonly Delivery[]): string[] | undefined => {
  const ids = deliveries.map((delivery) => delivery.context.outletId);
  if (ids.some((id) => !id)) return undefined;
  const outletIds = [...new Set(ids as string[])];
  return outletIds.length <= maxChangedOutlets ? outletIds : undefined;
};

/**
 * A resend is written from the release as it is now, so a date change for a date since superseded
 * would state the newest date a second time: the newer date change reaches the outlet instead. An
 * outlet the release was since withdrawn from gets only the withdrawal (docs/design.md#exactly-once-mail).
 */
const stillWanted = (
  release: StoredRelease | undefined,
  delivery: Delivery,
  outlet: Outlet,
): release is StoredRelease =>
  release?.details !== undefined &&
  (delivery.kind === 'cancellation'
    ? // Cancelled, or withdrawn where the outlet is, as the withdrawal's mailing decides it.
      release.state === 'cancelled' || standingWithdrawalConcerns(outlet, release)
    : release.state !== 'cancelled' &&
      // Told to disregard the release where it is (its links closed): nothing else about it follows.
      !standingWithdrawalConcerns(outlet, release)) &&
  (delivery.kind !== 'radio-add-date-change' ||
    addDateOf(release.details, delivery.moment ?? '')?.date === delivery.revision) &&
  (delivery.kind !== 'date-change' ||
    // A territory's date change is wanted while some territory still has the date it announced; a
    // release's (its moment, where it names one, identity only) while the release's date is that one.
    // Where it stands, whatever zone now states it (a restatement at the same instant moved nothing).
    (isReleaseDateChange({ kind: delivery.kind, ...askedAs(release, delivery) })
      ? sameInstantAsKey(delivery.revision, momentOf(release.details))
      : territoryMomentsOf(release.details).some((group) =>
          sameInstantAsKey(delivery.revision, group.moment),
        )));

/**
 * A first mail not wanted only for now: the release, not cancelled, is withdrawn where the outlet is
 * (standingWithdrawalConcerns), which a giving back may end (docs/design.md#exactly-once-mail).
 */
const withdrawnOnlyFor = (release: StoredRelease | undefined, delivery: Delivery, outlet: Outlet): boolean =>
  isFirstMail(delivery.kind) &&
  release?.details !== undefined &&
  release.state !== 'cancelled' &&
  standingWithdrawalConcerns(outlet, release);

/**
 * For an out-now to an outlet none of whose street dates has come (firstMomentOut, the rule its mailing
 * takes its outlets by; one imported again at the address in a territory out later, or whose
 * territories changed since), with street dates per territory: `later` while one of the release's
 * dates is still to come, `never` once every one has come (none of them the outlet's). Its claim keeps
 * no moment (the address hears it once a round, whichever moment), so sent now it would tell the
 * outlet the release is out where it is not; closed, it would keep the out-now of a territory the
 * outlet is in, or is edited into while the release is still to come somewhere (that territory's
 * mailing, or the one Outlets Changed asks), which finds the address's claim and passes it, from ever
 * telling it. So `later` is held, and sent at the sweep's first look once one of the outlet's dates
 * has come; `never` is closed: an outlet edited once the release is out everywhere is asked no mail
 * (firstMailsDue), so nothing is left for it to wait for (docs/design.md#exactly-once-mail).
 */
const notOutFor = (
  release: StoredRelease,
  delivery: Delivery,
  outlet: Outlet,
): 'later' | 'never' | undefined => {
  if (delivery.kind !== 'out-now' || !hasTerritoryDates(release.details!)) return undefined;
  if (firstMomentOut(outlet, release) !== undefined) return undefined;
  // By the moments recorded out, as firstMomentOut reads them, not by their instants passed as
  // firstMailsDue's outEverywhere also takes them: an outlet in the last territory, its instant passed
  // and its out-now not yet recorded, has its date come only once that is recorded, and is sent then.
  const outEverywhere = territoryMomentsOf(release.details!).every((group) =>
    release.outMoments?.includes(group.key),
  );
  return outEverywhere ? 'never' : 'later';
};

/**
 * A first mail the sweep held while its outlet's territory was withdrawn before holds kept `heldAt`
 * (that hold moved its claim time into the withdrawal; no write since): written before a giving back
 * of the outlet's territories, with its claim time after the withdrawal that giving back ended came to
 * concern the outlet (heldSince), it is wanted again and gets the margin as one held with `heldAt`
 * does, from this look. A claim made before that (never held), or of an outlet that withdrawal never
 * concerned (the sweep never held it), is resent once stale, as any (docs/design.md#exactly-once-mail).
 */
const heldBeforeHeldAt = (release: StoredRelease | undefined, delivery: Delivery, outlet: Outlet) =>
  isFirstMail(delivery.kind) &&
  delivery.updatedAt === delivery.claimedAt &&
  (release?.givenBack ?? []).some(
    (turn) =>
      turn.at > (delivery.asOf ?? '') &&
      concernsTerritories(outlet, turn.territories) &&
      (heldSince(release!, turn, outlet) ?? '\uffff') < delivery.claimedAt,
  );

/**
 * When the withdrawal a giving back ended came to concern the outlet: the last of the outlet's
 * territories withdrawn then to be applied (a country with none of its own, as WW), none if the release
 * reached the outlet through a territory it lists that was not withdrawn (withdrawnFor); for a giving
 * back that kept no times by territory (its withdrawal stored before they were kept), ''.
 */
const heldSince = (
  release: StoredRelease,
  turn: NonNullable<StoredRelease['givenBack']>[number],
  outlet: Outlet,
): string | undefined => {
  const applied = turn.withdrawnApplied;
  if (!applied) return '';
  let since = '';
  for (const territory of outlet.territories) {
    const as = withdrawnAs(Object.keys(applied), territory);
    const at = as === undefined ? undefined : applied[as];
    if (at === undefined && release.details && coversTerritory(release.details, territory)) return undefined;
    if (at !== undefined && at > since) since = at;
  }
  return since;
};

/**
 * A date change as its mailing asked it, for a resend: its territories and their old moments, where
 * the release still keeps the ask (askedDateChange); none for a release's date change. A territory's
 * whose ask the release no longer keeps (it keeps the last `askedDateChangesKept`) and that still
 * stands: its territories as the release keeps them standing (`dateChanges`, each territory's old moment
 * the one it names, as followUpsSince asks it again). One naming a moment the release keeps in neither
 * is taken as a territory's (territories unknown).
 */
const askedAs = (
  release: StoredRelease,
  delivery: Delivery,
): { territories?: string[]; movedFrom?: Record<string, string> } => {
  if (delivery.kind !== 'date-change' || !delivery.moment) return {};
  const asked = askedDateChange(release, delivery);
  if (!asked) {
    const standing = release.dateChanges?.find(
      (change) => change.moment === delivery.moment && change.revision === delivery.revision,
    );
    return { territories: standing?.territories ?? [] };
  }
  return {
    ...(asked.territories ? { territories: asked.territories } : {}),
    ...(asked.movedFrom ? { movedFrom: asked.movedFrom } : {}),
  };
};

/** The territories a withdrawal is from (the release itself not cancelled), as its mailing asked it. */
const withdrawalOf = (release: StoredRelease): string[] | undefined =>
  release.state !== 'cancelled' ? release.withdrawn?.territories : undefined;

/**
 * A follow-up's territories as its mailing asked it, for a resend: a date change as askedAs gives it (a
 * territories' one with each territory's old moment; a release's with none), a withdrawal from
 * territories (the release itself not cancelled) with where it is withdrawn
 * (docs/design.md#exactly-once-mail).
 */
const resentAs = (
  release: StoredRelease,
  delivery: Delivery,
): { territories?: string[]; movedFrom?: Record<string, string> } => {
  const withdrawal = delivery.kind === 'cancellation' ? withdrawalOf(release) : undefined;
  return withdrawal ? { territories: withdrawal } : askedAs(release, delivery);
};

/**
 * For stale date-change, withdrawal and cancellation claims, the dates each address was last told
 * before it (lastToldOf), by delivery id, so a resend states the dates its first sending would have:
 * what the release's mailing reads for a page of outlets, read here for the outlets of the resends.
 * `unchanged` for a date change whose address was last told every date it would state (told by a
 * later change): the mailing passes such an address, and the sweep closes its claim rather than tell
 * it the same dates twice (docs/design.md#exactly-once-mail).
 */
async function previouslyTold(
  release: StoredRelease | undefined,
  stale: Delivery[],
  atAddressOf: (delivery: Delivery) => Outlet | undefined,
  deps: AnnouncerDeps,
): Promise<Map<string, TerritoryMoment[] | 'unchanged'>> {
  const previous = new Map<string, TerritoryMoment[] | 'unchanged'>();
  const changes = stale.filter(
    (delivery) => delivery.kind === 'date-change' || delivery.kind === 'cancellation',
  );
  if (!release?.details || changes.length === 0) return previous;
  // Each mail as its mailing asked it (its territories, for a territory's date change or a
  // withdrawal), so the resend states the dates over the same territories as the first sending.
  const asked = [...(release.dateChanges ?? []), ...(release.dateChangesAsked ?? [])];
  const byChange = new Map<string, Delivery[]>();
  for (const delivery of changes) {
    const key = JSON.stringify([delivery.kind, delivery.revision ?? '', delivery.moment ?? '']);
    byChange.set(key, [...(byChange.get(key) ?? []), delivery]);
  }
  for (const group of byChange.values()) {
    const { kind, revision, moment } = group[0];
    const territories =
      kind === 'cancellation'
        ? withdrawalOf(release)
        : moment
          ? asked.find((change) => change.revision === revision && change.moment === moment)?.territories
          : undefined;
    const resentTo = group.flatMap((delivery) => {
      const outlet = atAddressOf(delivery);
      return outlet ? [{ delivery, outlet }] : [];
    });
    const firsts = await firstMailsOf(
      release,
      resentTo.map(({ outlet }) => outlet),
      kind as MailKind,
      deps,
    );
    const told = await lastToldOf(
      release,
      // A withdrawal's revision is its round (roundTag), no date: it names no date that stands.
      {
        kind: kind as MailKind,
        ...(kind !== 'cancellation' ? { revision } : {}),
        moment,
        ...(territories ? { territories } : {}),
      },
      resentTo.flatMap(({ outlet }) => {
        const first = firsts.get(outlet.id);
        return first ? [{ outlet, first }] : [];
      }),
      deps,
    );
    for (const { delivery, outlet } of resentTo) {
      const dates = told.get(outlet.id);
      if (dates) previous.set(delivery.deliveryId, dates);
    }
  }
  return previous;
}

/**
 * What the sweep does with stale out-now claims of a release given back (whose out-nows may name
 * another round than round 0), by delivery id (docs/design.md#exactly-once-mail):
 * - `past`: no longer of their address's round: an out-now names the round of the first mail it follows
 *   (roundTag, its revision), and one left open while its address was told of a withdrawal and
 *   announced again (a giving back) is of a round the address has left; that round's own out-now tells
 *   it the release is out, once. The address's round is its first mail's now (firstMailsOf, as
 *   previouslyTold reads it; none while it holds a withdrawal). Closed.
 * - `told`: of their address's round, whose address an out-now of the round whose withdrawal it last
 *   heard told in it already (toldOutNowInRound): closed, as the mailing passes such an address.
 * - `open`: of their address's round while such an out-now is still open (toldOutNowInRound): it may
 *   yet tell the address, so the round's is held once more, until that one is settled or closed.
 */
async function roundOutNows(
  release: StoredRelease | undefined,
  stale: Delivery[],
  atAddressOf: (delivery: Delivery) => Outlet | undefined,
  deps: AnnouncerDeps,
): Promise<{ past: Set<string>; told: Set<string>; open: Set<string> }> {
  const outNows = stale.filter((delivery) => delivery.kind === 'out-now');
  if (!release?.details || !release.givenBack?.length || outNows.length === 0) {
    return { past: new Set(), told: new Set(), open: new Set() };
  }
  const resentTo = outNows.flatMap((delivery) => {
    const outlet = atAddressOf(delivery);
    return outlet ? [{ delivery, outlet }] : [];
  });
  const { firsts, told, open } = await roundOutNowsOf(
    release,
    resentTo.map(({ outlet }) => outlet),
    deps,
  );
  const past = resentTo.filter(({ delivery, outlet }) => {
    const first = firsts.get(outlet.id);
    return first === undefined || (first.revision ?? '') !== (delivery.revision ?? '');
  });
  const ofRound = resentTo.filter((resend) => !past.includes(resend));
  const idsOf = (resends: typeof resentTo) => new Set(resends.map(({ delivery }) => delivery.deliveryId));
  return {
    past: idsOf(past),
    told: idsOf(ofRound.filter(({ outlet }) => told.has(outlet.id))),
    open: idsOf(ofRound.filter(({ outlet }) => open.has(outlet.id))),
  };
}

/**
 * How the stale-claim sweep writes release mails again: from the release as it is now (it states the
 * current date), to the outlet at the same address (the one it names, else the one there now if the
 * release reaches it, which its delivery then names: its identity, the address's, stays). Mails no
 * longer wanted (no such outlet at the address, unsubscribed or suppressed; release cancelled) are closed.
 */
export const releaseResender = (deps: AnnouncerDeps): Resender => {
  // Whom each resend to the outlet now at its address concerns, by delivery id: that outlet.
  const movedTo = new Map<string, Record<string, string>>();
  return {
    subjectType: 'release',
    async rebuild(stale) {
      const release = await deps.releases.get(stale[0].labelId, stale[0].subject[1]);
      // The label's name, which every mail states: one read for the group, as a mailing reads it once.
      const labelName = release ? await deps.labels.nameOf(release.labelId) : undefined;
      const mails = new Map<string, OutgoingMail>();
      const held = new Map<string, string>();
      const wanted = new Set<string>();
      // Held at the sweep's time: looked at again once stale again, every staleClaimMs while it stands.
      const at = deps.now().toISOString();
      // The mail is the address's, not the outlet's (docs/design.md#exactly-once-mail): one whose outlet is
      // gone, or moved to another address, goes to the outlet at its address now, if any (an outlet deleted
      // and imported again within the stale window, whose own mailing found this claim and passed it), as
      // an out-now the mailing held (toldOutNowInRound's `open`) does. One read each, of those only. Only to
      // an outlet its own mailing would send it to: a first mail where the release reaches the outlet (its
      // genres and territories; radio servicing to a serviced radio outlet, an announcement to any other),
      // a follow-up (out-now, date change, withdrawal or cancellation, add-date change) to the address told
      // of the release (its claim is that address's) as it was asked (followUpConcerns: territories and
      // dates, whatever genres the outlet lists now). Else its stale claim is closed unsent.
      const reaches = (outlet: Outlet, delivery: Delivery) =>
        release?.details !== undefined &&
        (isFirstMail(delivery.kind)
          ? outletMatchesRelease(outlet, release.details) &&
            isServiced(outlet, release.details) === (delivery.kind === 'radio-servicing')
          : followUpConcerns(outlet, release, {
              kind: delivery.kind as MailKind,
              ...(delivery.moment ? { moment: delivery.moment } : {}),
              ...resentAs(release, delivery),
            }));
      // An outlet that has moved to another address no longer wants it there.
      const atAddress = await outletsAtAddresses(stale, deps, reaches);
      const atAddressOf = (delivery: Delivery) => atAddress.get(delivery.deliveryId);
      const previous = await previouslyTold(release, stale, atAddressOf, deps);
      const outNows = await roundOutNows(release, stale, atAddressOf, deps);
      for (const delivery of stale) {
        const atAddress = atAddressOf(delivery);
        if (!atAddress || !isMailable(atAddress)) continue;
        if (!stillWanted(release, delivery, atAddress)) {
          // A first mail whose SES answer was lost, no longer wanted only because the release is withdrawn
          // where the outlet is: it may have gone, so it is left open (held), never closed as told nothing,
          // which would announce the address again at the next giving back; its late Email Sent settles
          // it, and a giving back has the sweep send it (docs/design.md#exactly-once-mail).
          if (withdrawnOnlyFor(release, delivery, atAddress)) held.set(delivery.deliveryId, at);
          continue;
        }
        // A first mail held at its last look as not wanted for now, and wanted again since (its territory
        // given back, the release widened where the outlet is, the outlet edited into a territory the
        // release reaches: whatever made it so, at any time since): it may have gone, and its late Email
        // Sent gets the margin any claim gets, counted from this sweep, before it is resent: held once
        // more, as wanted, and resent at its next look if still open and wanted
        // (docs/design.md#exactly-once-mail). A held out-now needs no margin more: the mailing held it
        // unsent, or it was stale before the sweep first held it.
        if (
          isFirstMail(delivery.kind) &&
          (delivery.heldAt !== undefined || heldBeforeHeldAt(release, delivery, atAddress))
        ) {
          held.set(delivery.deliveryId, at);
          wanted.add(delivery.deliveryId);
          continue;
        }
        // An out-now of a round its address has left: that round's own out-now tells it. One of its
        // round whose address an out-now before it told already in the round: nothing to tell. One of
        // its round while such an out-now is still open: held once more, told only if that one told nothing.
        // One to an outlet where the release is not out yet: held while the release is still to come
        // somewhere (the outlet may yet be out there, or edited into a territory it is out in), closed
        // once it is out everywhere it comes out (notOutFor).
        const notOut = notOutFor(release, delivery, atAddress);
        if (outNows.past.has(delivery.deliveryId) || outNows.told.has(delivery.deliveryId)) continue;
        if (notOut === 'never') continue;
        if (outNows.open.has(delivery.deliveryId) || notOut === 'later') {
          held.set(delivery.deliveryId, at);
          continue;
        }
        // A date change whose address a later change told every date it would state: nothing to tell.
        const lastTold = previous.get(delivery.deliveryId);
        if (lastTold === 'unchanged') continue;
        mails.set(
          delivery.deliveryId,
          await releaseMail(
            release,
            {
              kind: delivery.kind as MailKind,
              ...(delivery.revision ? { revision: delivery.revision } : {}),
              ...(delivery.moment ? { moment: delivery.moment } : {}),
              ...resentAs(release, delivery),
              // Only the announcement the embargo held states it (one claimed before askedFor was kept
              // is resent as that one); any other states no embargo it never held.
              ...(delivery.kind === 'announcement' && !delivery.context.askedFor
                ? { embargoEnded: true as const }
                : {}),
              // As its claim says (toldOut): a first mail that told the address it is out passed the out-now's mailing.
              ...(isFirstMail(delivery.kind) ? { outNow: toldOut(delivery) } : {}),
            },
            atAddress,
            deps,
            lastTold,
            labelName,
          ),
        );
        if (atAddress.id !== delivery.context.outletId)
          movedTo.set(delivery.deliveryId, { ...delivery.context, outletId: atAddress.id });
      }
      return {
        mails,
        ...(release ? { asOf: release.occurredAt } : {}),
        ...(held.size > 0 ? { held, wanted } : {}),
      };
    },
    // A resend to the outlet now at its address names that outlet on its delivery, in its takeover.
    reclaim: (delivery, at, asOf, told) =>
      deps.deliveries.reclaim(delivery, at, asOf, told, movedTo.get(delivery.deliveryId)),
    // What follows a resent first mail or withdrawal is asked with its mark, as settling asks it: the
    // date may have moved while it was resent with the date read before, or the release been given back.
    resendMark: (sent, at, claimedOf) =>
      deps.deliveries.markSentMany(sent, at, (ids) => settledAsks(claimedOf(ids))),
  };
};

/** The announcer's share of the stale-claim sweep: the release mails (see shared/mail/settle.ts). */
export const sweepStaleClaims = (deps: AnnouncerDeps, deadline: number, limit = 500) =>
  sweep(deps, releaseResender(deps), deadline, limit);
