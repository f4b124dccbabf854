import { sendMailing } from '#functions/announcer/mailing.ts';
import { type AnnouncerDeps, defaultSettings } from '#functions/announcer/ports.ts';
import { followUpSettledMails, sweepStaleClaims } from '#functions/announcer/settle.ts';
import { applyReleaseChange, type ReleaseChange } from '#functions/releases/apply-change.ts';
import type { ReleasesDeps } from '#functions/releases/ports.ts';
import { reachReleaseDay } from '#functions/releases/release-day.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import {
  claimedDelivery,
  type Delivery,
  type DeliveryOutcome,
  type DeliveryStore,
  type KeptTold,
  type MailSubject,
  mailSubjects,
  type NewClaim,
  spentFailure,
} from '#shared/db/deliveries.ts';
import { type MailingFacts, type MailingIdentity, mailingFactKey } from '#shared/db/mailing-facts.ts';
import type { SuppressionList } from '#shared/db/suppression-list.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { templateDataJson, templateDataLimit } from '#shared/mail/data.ts';
import {
  type BulkMail,
  type EntryResult,
  type MailDeps,
  MailerError,
  type MailSettings,
} from '#shared/mail/ports.ts';
import { genresMatch, normaliseEmail, type Outlet } from '#shared/outlets.ts';
import {
  momentOf,
  type ReleaseMoment,
  revisionOf,
  type StoredRelease,
  territoryMomentsOf,
} from '#shared/releases.ts';
import { RecordedMeasure } from './measure.ts';
import {
  anOutlet,
  aReleaseDetails,
  aStoredRelease,
  comingOf,
  InMemoryReleases,
  idleSchedules,
  servicedWithGermanAddDate,
} from './releases.ts';

/**
 * In-memory fakes of the announcer's ports. The delivery store keeps the claim protocol's
 * conditions (claim once; settle only an open claim), so tests exercise the real invariants.
 */
export class FakeDeliveries implements DeliveryStore {
  readonly items = new Map<string, Delivery>();
  claims = 0;
  /** Requests a batched store would make: pages claimed, pages marked sent. */
  claimPages = 0;
  markPages = 0;

  claim = async (claim: NewClaim, at: string): Promise<Delivery | undefined> => {
    this.claims++;
    const delivery = claimedDelivery(claim, at);
    if (this.items.has(delivery.deliveryId)) return undefined;
    this.items.set(delivery.deliveryId, delivery);
    return structuredClone(delivery);
  };
  claimMany = async (claims: NewClaim[], at: string): Promise<Delivery[]> => {
    this.claimPages++;
    const claimed: Delivery[] = [];
    for (const claim of claims) {
      const delivery = await this.claim(claim, at);
      if (delivery) claimed.push(delivery);
    }
    return claimed;
  };
  markSentMany = async (
    sent: { deliveryId: string; messageId: string; at?: string }[],
    at: string,
    asks?: (deliveryIds: string[]) => OutboxEntry[],
  ) => {
    this.markPages++;
    const settled = new Set<string>();
    for (const { deliveryId, messageId, at: sentAt } of sent)
      if (await this.markSent(deliveryId, messageId, sentAt ?? at)) settled.add(deliveryId);
    // Stored by the same write as the marks (the store's outbox).
    if (asks && settled.size > 0) this.outbox.push(...asks([...settled]));
    return settled;
  };
  markSent = async (id: string, messageId: string, at: string) => {
    const item = this.items.get(id);
    if (item?.status !== 'claimed') return false;
    Object.assign(item, { status: 'sent', messageId, sentAt: at, updatedAt: at });
    item.resends = (item.resends ?? 0) + (item.resendPending ?? 0);
    delete item.resendPending;
    return true;
  };
  release = async (id: string, claimedAt: string) => {
    const item = this.items.get(id);
    if (item?.status === 'claimed' && item.updatedAt === claimedAt) this.items.delete(id);
  };
  markUnsent = async (deliveries: Delivery[]) => {
    for (const { deliveryId, updatedAt } of deliveries) {
      const item = this.items.get(deliveryId);
      if (item?.status === 'claimed' && item.updatedAt === updatedAt) item.claimedHeld = true;
    }
  };
  markFailed = async (id: string, failure: string, at: string, events: OutboxEntry[] = []) => {
    const item = this.items.get(id);
    if (item?.status !== 'claimed') return;
    Object.assign(item, { status: 'failed', failure, updatedAt: at });
    this.outbox.push(...events);
  };
  spend = async (claims: NewClaim[], at: string): Promise<boolean[]> =>
    claims.map((claim) => {
      const spent = { ...claimedDelivery(claim, at), status: 'failed' as const, failure: spentFailure };
      const item = this.items.get(spent.deliveryId);
      if (!item) this.items.set(spent.deliveryId, { ...spent, spentAt: at });
      else if (item.status !== 'failed' || item.messageId !== undefined) return false;
      else item.spentAt ??= at;
      return true;
    });
  markSentAfterClosed = async (
    id: string,
    messageId: string,
    sentAt: string,
    at: string,
    events: OutboxEntry[] = [],
  ) => {
    const item = this.items.get(id);
    if (item?.status !== 'failed' || item.messageId !== undefined) return false;
    Object.assign(item, { messageId, sentAt, updatedAt: at });
    this.outbox.push(...events);
    return true;
  };
  /** Events written with a first bounce, complaint or refusal, or with marks (the store's outbox). */
  readonly outbox: OutboxEntry[] = [];
  markOutcome = async (
    id: string,
    status: DeliveryOutcome,
    detail: { at: string; messageId?: string },
    events?: (delivery: Delivery) => OutboxEntry[],
  ): Promise<Delivery | undefined> => {
    const item = this.items.get(id);
    if (!item) return undefined;
    const first = !['bounced', 'complained', 'rejected'].includes(item.status);
    Object.assign(item, { status, updatedAt: detail.at });
    if (detail.messageId) item.messageId ??= detail.messageId;
    if (first && events) this.outbox.push(...events(structuredClone(item)));
    return structuredClone(item);
  };
  getMany = async (ids: string[]) =>
    new Map(ids.filter((id) => this.items.has(id)).map((id) => [id, structuredClone(this.items.get(id)!)]));
  /** A claim's place among the open claims: where it was last claimed or taken over (its last write). */
  static placeOf = (d: Delivery) => d.updatedAt;
  stale = async (subjectType: string, before: string, limit: number) =>
    [...this.items.values()]
      .filter(
        (d) => d.subject[0] === subjectType && d.status === 'claimed' && FakeDeliveries.placeOf(d) < before,
      )
      .sort((a, b) => FakeDeliveries.placeOf(a).localeCompare(FakeDeliveries.placeOf(b)))
      .slice(0, limit)
      .map((d) => structuredClone(d));
  reclaim = async (
    delivery: Delivery,
    at: string,
    asOf?: string,
    told?: KeptTold,
    context?: Record<string, string>,
  ) => {
    const item = this.items.get(delivery.deliveryId);
    if (item?.status !== 'claimed' || item.updatedAt !== delivery.updatedAt) return undefined;
    const resend = !item.claimedHeld;
    delete item.heldAt;
    delete item.claimedHeld;
    Object.assign(item, {
      updatedAt: at,
      ...(resend ? { resendPending: 1 } : {}),
      ...(asOf ? { asOf } : {}),
      ...(told ? { told } : {}),
      ...(context ? { context } : {}),
    });
    return structuredClone(item);
  };
  hold = async (delivery: Delivery, at: string, wanted?: boolean) => {
    const item = this.items.get(delivery.deliveryId);
    if (item?.status !== 'claimed' || item.updatedAt !== delivery.updatedAt) return false;
    Object.assign(item, { heldAt: at, updatedAt: at });
    if (wanted) delete item.heldAt;
    return true;
  };
  // A mail spent while given back is in no index, as on DynamoDB: only its spending gave it a delivery.
  ofSubject = async (labelId: string, subject: MailSubject) =>
    [...this.items.values()]
      .filter((d) => d.labelId === labelId && JSON.stringify(d.subject) === JSON.stringify(subject))
      .filter((d) => d.failure !== spentFailure)
      .map((d) => structuredClone(d));

  of(status: Delivery['status']) {
    return [...this.items.values()].filter((d) => d.status === status);
  }
}

/** A show's advance request to the promoter, claimed and, unless `open`, marked sent as SES took it. */
export const aShowMail = async (
  deliveries: FakeDeliveries,
  stream: 'operational' | 'campaign',
  { open = false } = {},
) => {
  const delivery = (await deliveries.claim(
    {
      labelId: 'lbl-nightshift',
      subject: mailSubjects.show('tour-eu', 'show-paris'),
      email: 'advance@venue.example',
      kind: 'advance-request',
      stream,
      context: { tourId: 'tour-eu', showId: 'show-paris' },
    },
    '2027-03-05T11:00:00.000Z',
  ))!;
  if (!open) await deliveries.markSent(delivery.deliveryId, 'msg-1', '2027-03-05T11:00:01.000Z');
  return delivery;
};

/** A release mail's claim for `outlet`, as the announcer makes it (the release of aStoredRelease by default). */
export const aReleaseClaim = (
  outlet: Pick<Outlet, 'id' | 'email'>,
  overrides: {
    labelId?: string;
    releaseId?: string;
    kind?: string;
    revision?: string;
    asOf?: string;
    /** What the delivery keeps beside the outlet (a withdrawal's `territories`). */
    context?: Record<string, string>;
  } = {},
): NewClaim => ({
  labelId: overrides.labelId ?? 'lbl-nightshift',
  subject: mailSubjects.release(overrides.releaseId ?? 'rel-night-drive'),
  email: outlet.email,
  kind: overrides.kind ?? 'announcement',
  stream: 'campaign',
  context: { outletId: outlet.id, ...overrides.context },
  ...(overrides.revision ? { revision: overrides.revision } : {}),
  ...(overrides.asOf ? { asOf: overrides.asOf } : {}),
});

type Scripted = EntryResult[] | MailerError | 'accept-then-fail';
/** What SES does with a call; a promise lets other work (an Email Sent event handled) finish before SES answers. */
type Script = (mail: BulkMail, call: number) => Scripted | Promise<Scripted>;

/**
 * The suppression list as the table keeps it, by normalised address (shared/db/suppression-list.ts), in
 * memory: `suppressed` (a hard bounce or a complaint) and `unsubscribed` are the address items, and
 * the `outlets` given count by their copy of both (the directory writes an outlet's with its
 * address's). The same contract runs on it and on DynamoDB Local (test/contracts/suppression-list.contract.ts).
 */
export class FakeSuppressionList implements SuppressionList {
  readonly suppressed: Set<string>;
  readonly unsubscribed: Set<string>;
  readonly #outlets: () => readonly Outlet[];
  constructor(
    suppressed = new Set<string>(),
    unsubscribed = new Set<string>(),
    outlets = () => [] as Outlet[],
  ) {
    this.suppressed = suppressed;
    this.unsubscribed = unsubscribed;
    this.#outlets = outlets;
  }
  #among(emails: readonly string[], kept: (email: string) => boolean): Set<string> {
    return new Set(emails.map(normaliseEmail).filter(kept));
  }
  #withOutlets(set: Set<string>, copy: (outlet: Outlet) => unknown): Set<string> {
    return new Set([
      ...set,
      ...this.#outlets()
        .filter(copy)
        .map((outlet) => normaliseEmail(outlet.email)),
    ]);
  }
  async suppressedAmong(emails: readonly string[]): Promise<Set<string>> {
    const suppressed = this.#withOutlets(this.suppressed, (outlet) => outlet.suppressedAt);
    return this.#among(emails, (email) => suppressed.has(email));
  }
  async optedOutAmong(emails: readonly string[]): Promise<Set<string>> {
    const suppressed = this.#withOutlets(this.suppressed, (outlet) => outlet.suppressedAt);
    const unsubscribed = this.#withOutlets(this.unsubscribed, (outlet) => outlet.unsubscribedAt);
    return this.#among(emails, (email) => suppressed.has(email) || unsubscribed.has(email));
  }
}

/** A fake SES: records every accepted mail; a script can throttle, fail entries or lose the answer. */
export class FakeMailer {
  readonly calls: BulkMail[] = [];
  /**
   * Every mail SES accepted (what recipients would receive), with its delivery id and the call that sent
   * it (its number, from 1, in `calls`: a mail refused and sent again is in two calls, accepted in one).
   */
  readonly delivered: { email: string; deliveryId: string; kind: string; messageId: string; call: number }[] =
    [];
  script?: Script;
  #ids = 0;

  sendBulk = async (mail: BulkMail): Promise<EntryResult[]> => {
    this.calls.push(mail);
    // As SES: template data past its length refuses the whole call, and nothing is sent.
    const tooLong = [mail.defaultData, ...mail.entries.map((entry) => entry.data)].find(
      (data) => templateDataJson(data).length > templateDataLimit,
    );
    if (tooLong)
      throw new MailerError(
        'refused',
        `SendBulkEmail failed: BadRequestException: template data of ${templateDataJson(tooLong).length} characters, at most ${templateDataLimit}`,
      );
    const scripted = await this.script?.(mail, this.calls.length);
    if (scripted instanceof MailerError) throw scripted;
    const call = this.calls.length;
    const accept = (index: number) => {
      const entry = mail.entries[index];
      const messageId = `msg-${++this.#ids}`;
      this.delivered.push({
        email: entry.email,
        deliveryId: entry.deliveryId,
        kind: mail.kind,
        messageId,
        call,
      });
      return { status: 'SUCCESS', messageId };
    };
    if (scripted === 'accept-then-fail') {
      for (const index of mail.entries.keys()) accept(index);
      throw new MailerError('unknown', 'InternalFailure after accepting');
    }
    if (Array.isArray(scripted)) {
      return scripted.map((result, index) => (result.status === 'SUCCESS' ? accept(index) : result));
    }
    return mail.entries.map((_, index) => accept(index));
  };

  receivedBy(email: string, kind?: string) {
    return this.delivered.filter((mail) => mail.email === email && (!kind || mail.kind === kind));
  }

  /** The kinds of the mails `email` received, in the order SES accepted them. */
  kindsReceivedBy(email: string) {
    return this.receivedBy(email).map((mail) => mail.kind);
  }
}

export interface FakeWorld {
  /** The announcer's, on the whole store: the settlement function settles on the same deliveries. */
  deps: AnnouncerDeps & { deliveries: DeliveryStore };
  deliveries: FakeDeliveries;
  mailer: FakeMailer;
  published: OutboxEntry[];
  releases: Map<string, StoredRelease>;
  directory: Outlet[];
  clock: { now: number };
  slept: number[];
  perCall: { value: number };
  rateGrants: number[];
  /** Suppressed addresses (normalised), as the suppression list holds them. */
  suppressed: Set<string>;
  /** Unsubscribed addresses (normalised), as the suppression list holds them beside the directory's outlets. */
  unsubscribed: Set<string>;
  /** The business metrics recorded (the mail module's MailsSent). */
  measure: RecordedMeasure;
  /** Each label's name, by its id ('lbl-nightshift' is Nightshift Records), and how often one was read. */
  labelNames: Map<string, string>;
  labelReads: { count: number };
}

/** The real mail module's dependencies on a fake delivery store and a fake SES, unthrottled, suppressing nobody; `measure` keeps its metrics. */
export function fakeMailDeps(now: () => Date, settings: MailSettings) {
  const deliveries = new FakeDeliveries();
  const mailer = new FakeMailer();
  const measure = new RecordedMeasure();
  const deps: MailDeps & { deliveries: DeliveryStore } = {
    suppressions: new FakeSuppressionList(),
    deliveries,
    mailer,
    sendRate: { recipientsPerSecond: async () => 50, acquire: async () => true },
    now,
    sleep: async () => {},
    settings,
    measure,
    source: 'backline.tours',
  };
  return { deps, deliveries, mailer, measure };
}

/** Mailing facts in memory: each mailing's marker once, its fact put in `outbox` (the world's published events). */
export class FakeMailingFacts implements MailingFacts {
  readonly stated = new Set<string>();
  readonly #outbox: OutboxEntry[];
  constructor(outbox: OutboxEntry[] = []) {
    this.#outbox = outbox;
  }
  state = async (mailing: MailingIdentity, fact: OutboxEntry): Promise<boolean> => {
    const key = JSON.stringify(mailingFactKey(mailing));
    if (this.stated.has(key)) return false;
    this.stated.add(key);
    this.#outbox.push(fact);
    return true;
  };
}

/** A world of fakes: a release store, a directory paged `pageSize` at a time, SES, a clock that sleeping advances. */
export function fakeWorld(
  options: { releases?: StoredRelease[]; outlets?: Outlet[]; pageSize?: number; perCall?: number } = {},
): FakeWorld {
  const releases = new Map((options.releases ?? []).map((r) => [`${r.labelId}/${r.releaseId}`, r]));
  const directory = options.outlets ?? [];
  const deliveries = new FakeDeliveries();
  const mailer = new FakeMailer();
  const published: OutboxEntry[] = [];
  const clock = { now: Date.parse('2027-03-01T12:00:00Z') };
  const slept: number[] = [];
  const perCall = { value: options.perCall ?? 50 };
  const rateGrants: number[] = [];
  const measure = new RecordedMeasure();
  const suppressed = new Set<string>();
  const unsubscribed = new Set<string>();
  const labelNames = new Map([['lbl-nightshift', 'Nightshift Records']]);
  const labelReads = { count: 0 };
  const deps: FakeWorld['deps'] = {
    suppressions: new FakeSuppressionList(suppressed, unsubscribed, () => directory),
    releases: {
      get: async (labelId, releaseId) => releases.get(`${labelId}/${releaseId}`),
      coming: (now) => comingOf(releases.values(), now),
    },
    labels: {
      nameOf: async (labelId) => {
        labelReads.count++;
        return labelNames.get(labelId);
      },
    },
    outlets: {
      // Leaves out what the table's genre filter leaves out, so a sender asking for the wrong genres misses outlets here too.
      page: async (cursor, limit, genres) => {
        const start = cursor ? Number(cursor) : 0;
        const end = start + limit;
        return {
          outlets: directory.slice(start, end).filter((o) => !genres || genresMatch(o.genres, genres)),
          ...(end < directory.length ? { next: String(end) } : {}),
        };
      },
      getMany: async (ids) => new Map(directory.filter((o) => ids.includes(o.id)).map((o) => [o.id, o])),
      atAddress: async (email) => directory.find((o) => normaliseEmail(o.email) === email),
    },
    deliveries,
    mailer,
    sendRate: {
      recipientsPerSecond: async () => perCall.value,
      acquire: async (count) => {
        rateGrants.push(count);
        return true;
      },
    },
    links: {
      // As signedLinks: with `radio`, the release's radio edits (indexes from 100), else its promo assets.
      forRecipient: async (outlet, release, _sentAt, options = {}) => {
        const edits = options.radio ? (release.details?.radioServicing?.edits ?? []) : [];
        const assets =
          edits.length > 0
            ? edits.map((edit, at) => ({ kind: edit.kind, index: 100 + at }))
            : (release.details?.promoAssets ?? []).map((asset, index) => ({ kind: asset.kind, index }));
        return {
          unsubscribeUrl: `https://backline.example/u/${outlet.id}`,
          promoLinks: assets.map((asset) => ({
            label: `${asset.kind} ${asset.index}`,
            url: `https://backline.example/p/${outlet.id}-${asset.index}`,
          })),
        };
      },
    },
    events: { publish: async (events) => void published.push(...events) },
    facts: new FakeMailingFacts(published),
    now: () => new Date(clock.now),
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
    settings: { ...defaultSettings, pageSize: options.pageSize ?? defaultSettings.pageSize },
    measure,
    // The mail module's tests send operational mail from this world too, as tours does.
    source: 'backline.tours',
  };
  return {
    deps,
    measure,
    deliveries,
    mailer,
    published,
    releases,
    directory,
    clock,
    slept,
    perCall,
    rateGrants,
    suppressed,
    unsubscribed,
    labelNames,
    labelReads,
  };
}

/** An event's detail as a consumer reads it off the bus (JSON). */
export const detailOf = (entry: OutboxEntry) => JSON.parse(JSON.stringify(entry.detail));

/** A deadline no mailing in these tests reaches. */
export const far = () => Date.parse('2100-01-01T00:00:00Z');
/** The announcement of aStoredRelease's release, as Mailing Requested asks for it. */
export const announce = {
  labelId: 'lbl-nightshift',
  releaseId: 'rel-night-drive',
  kind: 'announcement' as const,
};
/** The date change of aStoredRelease's release to `revision`, for `territories` out at `moment`, as Mailing Requested asks for it. */
export const dateChangeOf = (revision: string, moment: string, territories: string[]) => ({
  ...announce,
  kind: 'date-change' as const,
  revision,
  moment,
  territories,
});
/** The metadata of the mailings these tests request. */
export const meta = { correlationId: 'corr-1' };

/** SES's Email Sent event for one mail, as the settlement queue hands it over. */
export const emailSent = (mail: { messageId: string; email: string; deliveryId: string; at?: string }) => ({
  eventType: 'Send',
  mail: {
    messageId: mail.messageId,
    timestamp: mail.at ?? '2027-03-01T12:00:01Z',
    destination: [mail.email],
    tags: { delivery: [mail.deliveryId] },
  },
});

/** A world of one outlet announced to, SES's answer to the call lost after it accepted it: the claim stays open. */
export async function anAnnouncementWithItsAnswerLost() {
  const outlet = anOutlet();
  const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
  world.mailer.script = (_mail, call) => (call === 1 ? 'accept-then-fail' : (undefined as never));
  await sendMailing(announce, meta, world.deps, far());
  return { outlet, world };
}

/** The label moves the release to `moved`'s date, and the date-change mailing the move asks for runs. */
export async function moveDate(world: FakeWorld, moved: StoredRelease) {
  world.releases.set(`${moved.labelId}/${moved.releaseId}`, moved);
  const revision = revisionOf(momentOf(moved.details!));
  await sendMailing({ ...announce, kind: 'date-change', revision }, meta, world.deps, far());
}

/** Runs `meanwhile` after each announcement call SES accepts: what happens while the announcement is in flight. */
export function whileAnnouncing(world: FakeWorld, meanwhile: () => Promise<void>) {
  const send = world.deps.mailer.sendBulk;
  world.deps.mailer.sendBulk = async (mail) => {
    const results = await send(mail);
    if (mail.kind === 'announcement') await meanwhile();
    return results;
  };
}

/**
 * The text data of the mail of `kind` that `email` received, as SES merges it: the call's data shared
 * by every recipient, with the recipient's own over it (undefined if it received none). Of the first
 * call to it, or with `last`, of the last (the one that sent it after a call SES answered for no entry).
 */
export function mailTextOf(world: FakeWorld, email: string, kind: string, which: 'first' | 'last' = 'first') {
  const calls = which === 'last' ? world.mailer.calls.toReversed() : world.mailer.calls;
  for (const call of calls) {
    const entry = call.entries.find((e) => e.email === email);
    if (entry && call.kind === kind) {
      return {
        ...(call.defaultData as { text: object }).text,
        ...(entry.data as { text: object }).text,
      } as {
        releaseDate: string;
        releaseDateShort: string;
        previousReleaseDate?: string;
        embargo?: string;
        cancellationReason?: string;
        promoOpens?: string;
      };
    }
  }
  return undefined;
}

/**
 * Plays the publisher and the bus for what settling wrote: handles each `Release Mails Settled` the
 * delivery store's outbox holds that was not handled yet (what follows the mails an Email Sent marked).
 * One whose handling fails stays to be handled again, as Lambda's retry of the event would.
 */
export async function runSettled(world: FakeWorld) {
  const asks = world.deliveries.outbox.filter((e) => e.detailType === 'Release Mails Settled');
  for (const entry of asks.slice(settledHandled.get(world) ?? 0)) {
    await followUpSettledMails(detailOf(entry).data, world.deps);
    settledHandled.set(world, (settledHandled.get(world) ?? 0) + 1);
  }
}
const settledHandled = new WeakMap<FakeWorld, number>();

/**
 * Plays the bus: handles what settling asked (runSettled), then runs each Mailing Requested of `kind`
 * the world has published.
 */
export async function runRequested(world: FakeWorld, kind: string) {
  await runSettled(world);
  for (const entry of world.published.filter((e) => e.detailType === 'Mailing Requested')) {
    const request = detailOf(entry).data;
    if (request.kind === kind) await sendMailing(request, meta, world.deps, far());
  }
}

/**
 * A label's release in `territories` (GB and DE unless told), told to `outlets` (a German and a British
 * press outlet unless told), whose changes releases applies and whose mailings run at once
 * (docs/design.md#street-dates-per-territory, #exactly-once-mail).
 */
export function aLabelAndItsPress(territories = ['GB', 'DE'], outlets?: Outlet[]) {
  const german = anOutlet({ kind: 'press', territories: ['DE'] });
  const british = anOutlet({ kind: 'press', territories: ['GB'] });
  const release = aStoredRelease({ details: aReleaseDetails({ territories }) });
  const world = fakeWorld({ releases: [release], outlets: outlets ?? [german, british] });
  const store = new InMemoryReleases();
  const deps: ReleasesDeps = {
    releases: store,
    schedules: idleSchedules,
    // The world's clock: releases applies a change when the announcer's sweep sees the time.
    now: () => new Date(world.clock.now),
  };
  let played = 0;
  /** Mailings of the kinds `hold` names, asked but not yet sent (run them with sendMailing). */
  const held: ReturnType<typeof detailOf>['data'][] = [];
  /**
   * Releases applies the label's change of `occurredAt`; the announcer sends every mailing it asked,
   * but for those of the kinds `hold` names, kept in `held`.
   */
  const label = async (change: ReleaseChange, eventId: string, occurredAt: string, hold: string[] = []) => {
    await applyReleaseChange(
      change,
      { labelId: 'lbl-nightshift', eventId, correlationId: 'corr', occurredAt },
      deps,
    );
    const stored = (await store.get('lbl-nightshift', 'rel-night-drive'))!;
    world.releases.set('lbl-nightshift/rel-night-drive', stored);
    const asked = store.published.slice(played).filter((e) => e.detailType === 'Mailing Requested');
    played = store.published.length;
    for (const entry of asked) {
      const request = detailOf(entry).data;
      if (hold.includes((request as { kind: string }).kind)) held.push(request);
      else await sendMailing(request, meta, world.deps, far());
    }
    return stored;
  };
  /** Every mailing releases asked so far, delivered once more (a redelivery, or a replay of the bus). */
  const redeliverAll = async () => {
    for (const entry of store.published.filter((e) => e.detailType === 'Mailing Requested')) {
      await sendMailing(detailOf(entry).data, meta, world.deps, far());
    }
  };
  /**
   * The release day of `moment` (the release's date unless named) comes, at 5 March 2027: releases
   * marks it out there; the announcer reads the release as it now stands.
   */
  const releaseDay = async (moment: ReleaseMoment = momentOf(release.details!)) => {
    await reachReleaseDay(
      { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', ...moment },
      { correlationId: 'corr' },
      { releases: store, schedules: idleSchedules, now: () => new Date('2027-03-05T00:00:01Z') },
    );
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      (await store.get('lbl-nightshift', 'rel-night-drive'))!,
    );
  };
  return { german, british, release, world, store, label, held, redeliverAll, releaseDay };
}

/** A label and one German radio outlet playing AAA; the release in GB and DE starts absent (the label schedules it). */
export function aLabelAndItsGermanRadio() {
  const german = anOutlet({ kind: 'radio', territories: ['DE'], formats: ['AAA'] });
  return { ...aLabelAndItsPress(['GB', 'DE'], [german]), german };
}

/**
 * `press`'s label schedules the release serviced to radio with AAA added in DE on 5 March 2027
 * (servicedWithGermanAddDate), then moves that add date to 12 March; the move's mailing is held when
 * `hold` names its kind.
 */
export async function germanAddDateMovedTo12March(
  { label }: ReturnType<typeof aLabelAndItsPress>,
  hold: string[] = [],
) {
  await label(
    { type: 'Release Scheduled', details: servicedWithGermanAddDate('2027-03-05') },
    'evt-1',
    '2026-06-01T10:00:00.000Z',
  );
  await label(
    { type: 'Release Updated', details: servicedWithGermanAddDate('2027-03-12') },
    'evt-2',
    '2026-06-01T10:01:00.000Z',
    hold,
  );
}

/** aLabelAndItsPress's label withdraws DE. */
export const withdrawDe: ReleaseChange = {
  type: 'Release Cancelled',
  releaseId: 'rel-night-drive',
  territories: ['DE'],
};
/** aLabelAndItsPress's label gives DE back. */
export const giveDeBack: ReleaseChange = {
  type: 'Release Updated',
  details: aReleaseDetails({ territories: ['GB', 'DE'] }),
};

/** aLabelAndItsPress (`territories`, `outlets`), its release stored and announced. */
export async function anAnnouncedPress(...args: Parameters<typeof aLabelAndItsPress>) {
  const press = aLabelAndItsPress(...args);
  await press.store.putIfNewer(press.release, []);
  await sendMailing(announce, meta, press.world.deps, far());
  return press;
}

/**
 * The release day of `press`'s release comes; round 0's out-now is asked, SES answering its call for no
 * entry (nothing sent, the claims open).
 */
export async function roundZeroOutNowUnanswered(press: ReturnType<typeof aLabelAndItsPress>) {
  const { world, releaseDay } = press;
  await releaseDay();
  world.mailer.script = (mail) => (mail.kind === 'out-now' ? [] : (undefined as never));
  await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
  world.mailer.script = undefined;
}

/**
 * aLabelAndItsPress announced, DE withdrawn, then given back while SES sends the re-announcement and
 * its answer is lost; DE is withdrawn again before the sweep, which holds the re-announcement open,
 * unsent: not wanted while DE is withdrawn, and it may have gone (docs/design.md#exactly-once-mail).
 * Its Email Sent is still to come.
 */
export async function aReAnnouncementHeldButSent() {
  const press = await anAnnouncedPress();
  await press.label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
  await givenBackItsAnswerLost(press);
  await withdrawnAgainAndSwept(press);
  return press;
}

/**
 * DE given back to `press`'s release by `update` (giveDeBack unless told) on 2 February, SES sending the
 * re-announcement and its answer lost: the re-announcement's claim open.
 */
export async function givenBackItsAnswerLost(
  { world, label }: Pick<ReturnType<typeof aLabelAndItsPress>, 'world' | 'label'>,
  update: Parameters<ReturnType<typeof aLabelAndItsPress>['label']>[0] = giveDeBack,
) {
  world.mailer.script = (mail) => (mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never));
  await label(update, 'evt-given-back', '2026-02-02T10:00:00.000Z').catch(() => {});
  world.mailer.script = undefined;
}

/**
 * DE withdrawn from `press`'s announced release on 1 February, given back on 2 February while SES's answer
 * to the re-announcement is lost before it sends (nothing sent, the claim open), and withdrawn again on
 * 3 February, before any sweep.
 */
export async function reAnnouncementUnansweredThenWithdrawnAgain({
  world,
  label,
}: Pick<ReturnType<typeof aLabelAndItsPress>, 'world' | 'label'>) {
  await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
  world.mailer.script = (mail) =>
    mail.kind === 'announcement' ? new MailerError('unknown', 'the answer was lost') : (undefined as never);
  await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z').catch(() => {});
  world.mailer.script = undefined;
  await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z');
}

/**
 * GB's date of `press`'s release moved to 19 March on 4 February: the British outlet's date change, SES's
 * answer lost before it sends (nothing sent), its claim left open.
 */
export async function gbMovedItsAnswerLost({
  world,
  label,
}: Pick<ReturnType<typeof aLabelAndItsPress>, 'world' | 'label'>) {
  world.mailer.script = (mail) =>
    mail.kind === 'date-change' ? new MailerError('unknown', 'the answer was lost') : (undefined as never);
  const moveGb = {
    type: 'Release Updated',
    details: aReleaseDetails({ territories: ['GB'], releaseDate: '2027-03-19' }),
  } as const;
  await label(moveGb, 'evt-moved', '2026-02-04T10:00:00.000Z').catch(() => {});
  world.mailer.script = undefined;
}

/**
 * DE withdrawn again from `press`'s release on 3 February; the sweep, a minute past the stale window of
 * a claim made `elapsed` ms before (sweptPastStale), holds what it finds open.
 */
export async function withdrawnAgainAndSwept(
  { world, label }: Pick<ReturnType<typeof aLabelAndItsPress>, 'world' | 'label'>,
  elapsed = 0,
) {
  await label(withdrawDe, 'evt-withdrawn-again', '2026-02-03T10:00:00.000Z');
  await sweptPastStale(world, elapsed);
}

/**
 * The sweep a minute past the stale window of a claim made `elapsed` ms ago (just now unless told).
 * Gives the time it swept at.
 */
export async function sweptPastStale(world: FakeWorld, elapsed = 0) {
  // A test that let more than the window pass would move the clock back, and prove nothing of staleness.
  if (elapsed >= defaultSettings.staleClaimMs)
    throw new Error(`${elapsed} ms passed: already past the ${defaultSettings.staleClaimMs} ms stale window`);
  world.clock.now += defaultSettings.staleClaimMs - elapsed + 60_000;
  const at = world.deps.now().toISOString();
  await sweepStaleClaims(world.deps, far());
  return at;
}

/** The stale-claim window in whole minutes: a claim made now is stale for the sweep this many minutes on. */
export const staleWindowMinutes = Math.ceil(defaultSettings.staleClaimMs / 60_000);

/** The sweep's runs of the next `minutes` minutes, one a minute. */
export async function sweepEachMinute(world: FakeWorld, minutes: number) {
  for (let minute = 0; minute < minutes; minute++) {
    world.clock.now += 60_000;
    await sweepStaleClaims(world.deps, far());
  }
}

/** `mail`'s late Email Sent settles it; then the bus runs what was asked of each of `kinds`, in order (runRequested). */
export async function lateEmailSent(
  world: FakeWorld,
  mail: Parameters<typeof emailSent>[0],
  kinds: string[],
) {
  await settleFromEmailsSent([emailSent(mail)], world.deps);
  for (const kind of kinds) await runRequested(world, kind);
}

/**
 * The bus runs what was asked of each of `kinds`, in order (runRequested); then the sweep's runs of the
 * next hour, one a minute, and its run a stale window after the last.
 */
export async function runAndSweptAnHour(world: FakeWorld, kinds: string[]) {
  for (const kind of kinds) await runRequested(world, kind);
  await sweepEachMinute(world, 60);
  world.clock.now += defaultSettings.staleClaimMs;
  await sweepStaleClaims(world.deps, far());
}

/**
 * The announcements asked run; the sweep's next run a minute later, before the held re-announcement's
 * late Email Sent arrives; then that Email Sent, and the mailings of `kinds` it asks (lateEmailSent).
 */
export async function sweptThenItsEmailSent(
  world: FakeWorld,
  reAnnouncement: Parameters<typeof emailSent>[0],
  kinds = ['announcement'],
) {
  await runRequested(world, 'announcement');
  world.clock.now += 60_000;
  await sweepStaleClaims(world.deps, far());
  await lateEmailSent(world, reAnnouncement, kinds);
}

/** aLabelAndItsPress's release in GB on 26 March, in DE on its own date `de` (docs/design.md#street-dates-per-territory). */
export const deOnItsOwnDate = (de: string) =>
  aReleaseDetails({
    territories: ['GB', 'DE'],
    releaseDate: '2027-03-26',
    territoryDates: [{ territories: ['DE'], releaseDate: de }],
  });

/** What `email` was told of DE's date (12, 19 or 23 March) by each mail it received, in order (as SES merges them). */
export const toldDeOf = (world: FakeWorld, email: string) =>
  world.mailer.calls.flatMap((call) =>
    call.entries
      .filter((entry) => entry.email === email)
      .map((entry) => {
        const text = JSON.stringify({
          ...(call.defaultData as { text: object }).text,
          ...(entry.data as { text: object }).text,
        });
        return { kind: call.kind, date: text.match(/(12|19|23) March 2027/)?.[0] };
      }),
  );

/**
 * `press`'s label schedules the release at `details` (1 January) and withdraws DE (1 February); DE is
 * given back at `details`, SES sending the re-announcement and its answer lost (givenBackItsAnswerLost):
 * the re-announcement's claim open. Gives the German outlet's announcements so far.
 */
export async function reAnnouncedItsAnswerLost(
  press: ReturnType<typeof aLabelAndItsPress>,
  details: ReturnType<typeof aReleaseDetails>,
) {
  await press.label({ type: 'Release Scheduled', details }, 'evt-scheduled', '2026-01-01T10:00:00.000Z');
  await press.label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
  await givenBackItsAnswerLost(press, { type: 'Release Updated', details });
  return press.world.mailer.receivedBy(press.german.email, 'announcement');
}

/** Ten minutes on, DE given back again to `press`'s release at `details` (4 February), its announcement run. */
export async function givenBackAgainTenMinutesOn(
  press: ReturnType<typeof aLabelAndItsPress>,
  details: ReturnType<typeof aReleaseDetails>,
) {
  press.world.clock.now += 10 * 60_000;
  await press.label({ type: 'Release Updated', details }, 'evt-given-back-moved', '2026-02-04T10:00:00.000Z');
  await runRequested(press.world, 'announcement');
}

/**
 * DE's day of `details` comes; ten minutes on, before out-nows named their round (December 2026), round
 * 0's out-now tells `press`'s German outlet that the release is out (claimed and sent then).
 */
export async function toldOutNowInRoundZero(
  press: ReturnType<typeof aLabelAndItsPress>,
  details: ReturnType<typeof aReleaseDetails>,
) {
  const { german, world } = press;
  const germany = territoryMomentsOf(details).find((group) => group.territories.includes('DE'))!;
  await press.releaseDay(germany.moment);
  world.clock.now += 10 * 60_000;
  const at = world.deps.now().toISOString();
  const told = await world.deliveries.claim(aReleaseClaim(german, { kind: 'out-now' }), at);
  await world.deliveries.markSent(told!.deliveryId, 'msg-before', at);
}

/** aLabelAndItsPress announced, then DE withdrawn: SES sends the withdrawal, its answer lost (the claim stays open). */
export async function withdrawnWithItsAnswerLost() {
  const press = await anAnnouncedPress();
  await withdrawDeItsAnswerLost(press, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
  return press;
}

/**
 * DE withdrawn from `press`'s release by the label's event `eventId` of `occurredAt`: SES sends the
 * withdrawal, its answer lost (the claim stays open). Gives the withdrawal the German outlet was sent,
 * its Email Sent dated now (for lateEmailSent).
 */
export async function withdrawDeItsAnswerLost(
  { german, world, label }: Pick<ReturnType<typeof aLabelAndItsPress>, 'german' | 'world' | 'label'>,
  eventId: string,
  occurredAt: string,
) {
  world.mailer.script = (mail) => (mail.kind === 'cancellation' ? 'accept-then-fail' : (undefined as never));
  await label(withdrawDe, eventId, occurredAt).catch(() => {});
  world.mailer.script = undefined;
  return itsLastWithdrawal(world, german.email);
}

/** The last withdrawal SES sent `email`, its Email Sent dated now (for lateEmailSent, its answer lost). */
export const itsLastWithdrawal = (world: FakeWorld, email: string) => ({
  ...world.mailer.receivedBy(email, 'cancellation').at(-1)!,
  at: new Date(world.clock.now).toISOString(),
});

/**
 * The release day comes; a minute on, DE is given back to `press`'s release by the label's event
 * `eventId` of `occurredAt`, and the out-now is asked (SES sending it).
 */
export async function givenBackOnTheReleaseDay(
  press: ReturnType<typeof aLabelAndItsPress>,
  eventId: string,
  occurredAt: string,
) {
  const { world, label, releaseDay } = press;
  await releaseDay();
  world.clock.now += 60_000;
  await label(giveDeBack, eventId, occurredAt);
  await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
}

/**
 * The release day comes; a minute on, DE is given back to `press`'s release (2 February) and round 0's
 * out-now asked: SES answers its call for no entry (nothing sent, the claim open).
 */
export async function givenBackRoundZeroOutNowUnanswered(press: ReturnType<typeof aLabelAndItsPress>) {
  const { world, label, releaseDay } = press;
  await releaseDay();
  world.clock.now += 60_000;
  world.mailer.script = (mail) => (mail.kind === 'out-now' ? [] : (undefined as never));
  await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
  await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
  world.mailer.script = undefined;
}

/**
 * aLabelAndItsPress announced, then DE withdrawn: SES sends the withdrawal, its answer lost
 * (withdrawDeItsAnswerLost). The release day comes; a minute on, DE is given back (2 February) and round
 * 0's out-now asked while the withdrawal is still claimed: SES sends it, its answer lost too (the claims
 * open). Gives the press, the withdrawal, the German and British outlets' round-0 out-nows and the time
 * SES sent those (for their late Email Sent).
 */
export async function roundZeroOutNowItsAnswerLostWhileWithdrawalOpen() {
  const press = await anAnnouncedPress();
  const { german, british, world, label, releaseDay } = press;
  const withdrawal = await withdrawDeItsAnswerLost(press, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
  await releaseDay();
  world.clock.now += 60_000;
  world.mailer.script = (mail) => (mail.kind === 'out-now' ? 'accept-then-fail' : (undefined as never));
  await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
  await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far()).catch(() => {});
  world.mailer.script = undefined;
  const [roundZeroOutNow] = world.mailer.receivedBy(german.email, 'out-now');
  const [britishOutNow] = world.mailer.receivedBy(british.email, 'out-now');
  const outNowSentAt = new Date(world.clock.now).toISOString();
  return { ...press, withdrawal, roundZeroOutNow, britishOutNow, outNowSentAt };
}

/**
 * A minute on, the round-0 out-nows' late Email Sent (SES's time `sentAt`) and the out-now asked run;
 * then the sweep past the stale window of the round out-now claimed two minutes before (sweptPastStale)
 * and its runs of the next hour.
 */
export async function roundZeroOutNowsSentLateThenSwept(
  world: FakeWorld,
  outNows: Parameters<typeof emailSent>[0][],
  sentAt: string,
) {
  world.clock.now += 60_000;
  await settleFromEmailsSent(
    outNows.map((mail) => emailSent({ ...mail, at: sentAt })),
    world.deps,
  );
  await runRequested(world, 'out-now');
  await sweptPastStale(world, 2 * 60_000);
  await sweepEachMinute(world, 60);
}

/**
 * aLabelAndItsPress announced, the release not yet out; DE withdrawn (1 February) and given back
 * (2 February): the German outlet announced again (round given-back-1).
 */
export async function reAnnouncedBeforeTheReleaseDay() {
  const press = await anAnnouncedPress();
  const { world, label } = press;
  await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
  await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
  await runRequested(world, 'announcement');
  return press;
}

/** aLabelAndItsPress's release updated to `territories` (a Release Updated). */
export const describing = (territories: string[]): ReleaseChange => ({
  type: 'Release Updated',
  details: aReleaseDetails({ territories }),
});

/**
 * Ten minutes on, `world`'s announcement is claimed and SES answers its call for no entry: nothing sent.
 */
export async function announcementClaimedUnanswered(world: FakeWorld) {
  world.clock.now += 10 * 60_000;
  world.mailer.script = (mail) => (mail.kind === 'announcement' ? [] : (undefined as never));
  await sendMailing(announce, meta, world.deps, far());
  world.mailer.script = undefined;
}

/**
 * aLabelAndItsPress with its release in GB, DE and FR, stored; FR withdrawn on 15 January, before anyone
 * is announced (its withdrawal tells nobody).
 */
export async function frWithdrawnBeforeAnyAnnouncement() {
  const press = aLabelAndItsPress(['GB', 'DE', 'FR']);
  await press.store.putIfNewer(press.release, []);
  await press.label(describing(['GB', 'DE']), 'evt-fr-withdrawn', '2026-01-15T10:00:00.000Z');
  return press;
}

/**
 * DE withdrawn (1 February) and given back (2 February) to `press`'s release a minute apart, FR staying
 * withdrawn (its release in GB, DE and FR).
 */
export async function deWithdrawnAndGivenBackFrOut({ world, label }: ReturnType<typeof aLabelAndItsPress>) {
  world.clock.now += 60_000;
  await label(describing(['GB']), 'evt-de-withdrawn', '2026-02-01T10:00:00.000Z');
  world.clock.now += 60_000;
  await label(describing(['GB', 'DE']), 'evt-de-given-back', '2026-02-02T10:00:00.000Z');
}

/**
 * aLabelAndItsPress announced, then DE withdrawn; the label gives DE back while SES sends the
 * withdrawal: its announcement passes the address, and the withdrawal's sender marks it sent after.
 */
export async function givenBackWhileItsWithdrawalWasOut() {
  return giveDeBackWhileItsWithdrawalIsOut(await anAnnouncedPress());
}

/**
 * DE withdrawn from `press`'s release, and given back by the label while SES sends the withdrawal: the
 * giving back's announcement passes the address, its withdrawal still claimed, and the withdrawal's
 * sender marks it sent after.
 */
export async function giveDeBackWhileItsWithdrawalIsOut(press: ReturnType<typeof aLabelAndItsPress>) {
  const { world, label } = press;
  const send = world.deps.mailer.sendBulk;
  world.deps.mailer.sendBulk = async (mail) => {
    const results = await send(mail);
    if (mail.kind === 'cancellation') await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    return results;
  };
  await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
  world.deps.mailer.sendBulk = send;
  return press;
}
