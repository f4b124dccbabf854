import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import { keptBy, type OwnWrite, writtenUnlessRefused } from './conditions.ts';
import { deliveriesById } from './deliveries-by-id.ts';
import { dynamoDeliveryOutcomes } from './delivery-outcomes.ts';
import { deliveriesOfSubject } from './delivery-reads.ts';
import {
  dynamoAskingMarks,
  dynamoEmailSentClaims,
  type EmailSentClaims,
  markSentPage,
  openStatus,
  statusName,
} from './email-sent-claims.ts';
import { keyOf, keyParts } from './keys.ts';
import { type StateWrite, writeWithOutbox } from './outbox.ts';
import {
  deliveryIdOf,
  deliveryKey,
  deliveryOf,
  deliveryShards,
  deliveryTag,
  mailSubjects,
  mailsReached,
  subjectDeliveriesKey,
} from './subject-deliveries.ts';
import { writeEachIfAllowed } from './transact-page.ts';

// Where a subject's deliveries are read from (the pages behind a mail's links read them without the
// claims, and the deliverability function its tag). Whether a mail went out (`wentOut`) is read from there alone.
export {
  deliveriesOfSubject,
  deliveryIdOf,
  deliveryKey,
  deliveryOf,
  deliveryShards,
  deliveryTag,
  mailSubjects,
  mailsReached,
  subjectDeliveriesKey,
};

/**
 * Deliveries: one item per mail Backline means to send, for every sender (releases, tours, budgets).
 * A mail's identity is the person, not the outlet or contact record: the recipient's normalised
 * address + label + subject (what the mail is about) + kind (+ for a date change the territory
 * moment it moves from and the new date and time; an out-now names no moment, so a person hears once a round). Deleting an outlet and importing its address again
 * therefore finds the mails that address already had (see docs/design.md#exactly-once-mail).
 * Claiming it is a conditional put, so one mail is claimed once however often a sender runs or is
 * replayed. Who the mail concerns (the outlet, the tour and show, the budget) is kept on the item as
 * its `context`, for the views and for tracing a bounce back to who must be told.
 *
 * Access patterns:
 * - a delivery by its id (claim, mark sent; SES events carry it back as the tag `delivery=<id>`;
 *   deliverability marks bounces, complaints and rejections): pk `DELIVERY#<deliveryId>`, sk `DELIVERY`.
 *   The id is a hash, so one subject's thousands of deliveries spread over as many partitions.
 * - a subject's deliveries (management views, counts): gsi1pk
 *   `RELEASE_DELIVERIES#<labelId>#<releaseId>#<shard>` for a release, `SUBJECT_DELIVERIES#<labelId>#<type>#<ids...>#<shard>`
 *   for the others, gsi1sk `<email>#<kind>#<revision>[#<moment>]` (escaped by keyParts: an address may
 *   hold `#`); `deliveryShards` shards, so a mailing's burst of claims does not pile onto one index
 *   partition (1,000 WCU per partition).
 * - claims still open, per subject type (each sender's sweep settles its own older than the stale
 *   window): sparse gsi2pk `MAIL_CLAIMS#<shard>` for releases, `MAIL_CLAIMS#<type>#<shard>` for the
 *   others, gsi2sk `<place>#<deliveryId>` (the claim time, or when the claim was last taken over); set
 *   while `claimed`, removed when settled.
 * Release mails keep the ids and keys they had before the other senders shared this store, so the
 * mails claimed then are still found.
 */
export type DeliveryStatus = 'claimed' | 'sent' | 'failed' | 'bounced' | 'complained' | 'rejected';

/**
 * What SES said became of a mail after taking it (deliverability marks it): it bounced, drew a complaint,
 * or SES rejected it and sent nothing (`Email Rejected`, docs/design.md#two-mail-streams).
 */
export type DeliveryOutcome = Extract<DeliveryStatus, 'bounced' | 'complained' | 'rejected'>;

/**
 * Campaign mail (release announcements, tour press) carries one-click unsubscribe and honours
 * opt-outs; operational mail (advancing, day sheets, budget alerts and reports) is sent to people
 * Backline works with, on its own configuration set (see docs/design.md#two-mail-streams).
 */
export type MailStream = 'campaign' | 'operational';

/** What a mail is about: its type, then the label's ids that name it (a fixed number per type). */
export type MailSubject = readonly [type: string, ...ids: string[]];

/** The subject types of budget mail (an alert, an owner's daily report), as the first part of their subjects. */
export const budgetMailSubjectTypes: string[] = ['budget-alert', 'owner-report'];

/** What makes a mail the same mail. `email` is normalised (trimmed, lower-case) when claimed. */
export interface MailIdentity {
  labelId: string;
  subject: MailSubject;
  email: string;
  /** The mail's purpose within its subject (`announcement`, `advance-request`, `threshold-crossed`, ...). */
  kind: string;
  /** The territory moment the mail is about (a release out at different times per territory). */
  moment?: string;
  /**
   * For a date change: the new date and time, so each move is mailed once; for a release's first mail,
   * withdrawal or out-now after a territory was given back, its round (`given-back-<n>`, docs/design.md#exactly-once-mail);
   * for a budget's threshold or line alert, the plan it was measured against (`plan-<minor>`, docs/design.md#budgets).
   */
  revision?: string;
}

/**
 * What a mail told its recipient that a later mail must restate, kept with its claim as its sender
 * gives it, by key: a release mail's street dates by territory (`keptTold`, functions/announcer/told.ts),
 * a press mail's statement of each show by show id, `[facts, change]` (`keptStatement`,
 * functions/tours/press.ts). See docs/design.md#exactly-once-mail.
 */
export type KeptTold = Record<string, string[] | string>;

/** A claim to make: the identity and what the delivery keeps beside it. */
export interface NewClaim extends MailIdentity {
  stream: MailStream;
  /**
   * Who the mail concerns, for views and to trace a bounce back (`{outletId}`, `{tourId, showId}`, `{budgetId}`),
   * and what its sender needs to write it again; a list in it is kept by `keptList` (context-lists.ts).
   */
  context?: Record<string, string>;
  /** The version of the subject (its label `occurredAt`) the mail was written from. */
  asOf?: string;
  /** What the mail told (absent on mails that state nothing a later mail restates, and on those claimed before it was kept). */
  told?: KeptTold;
  /**
   * Never handed to SES: claimed and held by its sender (`claimHeld`, shared/mail/send.ts), or left open
   * unsent while SES had sending paused (`markUnsent`). The sweep's sending of it is its first, no resend,
   * and its take-over for that sending drops the mark (docs/design.md#exactly-once-mail).
   */
  claimedHeld?: true;
}

export interface Delivery extends NewClaim {
  deliveryId: string;
  context: Record<string, string>;
  status: DeliveryStatus;
  /** When the mail was claimed; taking the claim over (a hold, a resend) keeps it. */
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
  /**
   * How many times the sweep sent it again after a claim stayed open with no evidence of sending:
   * counted when the resend is settled, by the sender or by SES's Email Sent event, whichever comes first.
   */
  resends?: number;
  /** Set while a resend of this claim is under way; settling it adds it to `resends`. */
  resendPending?: number;
  /**
   * When the sweep last held the claim open unsent as not wanted for now (`hold`), or its sender held
   * it as it claimed it (`claimHeld`, shared/mail/send.ts), its place among the open claims then
   * (looked at again once stale after it); the claim time stays the claim's. Absent once held as wanted
   * again (for the margin of its late Email Sent) or resent (docs/design.md#exactly-once-mail).
   */
  heldAt?: string;
  failure?: string;
  /**
   * When a sender's new attempt spent this mail's identity (`spend`): closed unsent for good, never to
   * be claimed again (docs/design.md#exactly-once-mail).
   */
  spentAt?: string;
  updatedAt: string;
}

/** A mail SES took: its claim, its messageId and when SES sent it (if known). */
export interface SentMark {
  deliveryId: string;
  messageId: string;
  at?: string;
}

/** The claim protocol's store (see docs/design.md#exactly-once-mail): what the mail module and the senders use. */
export interface MailClaims {
  /**
   * Claims a page of mails (a sender's next SES call) in one request: the deliveries claimed now, in
   * the order given; mails claimed before (or twice in the page) are left out, but not this call's own
   * claims applied with their answer lost (docs/design.md#failures-and-retries).
   */
  claimMany(claims: NewClaim[], at: string): Promise<Delivery[]>;
  /**
   * Settles the claims one SES call sent (or one batch of Email Sent events told of), in one request:
   * the ids it settled (those still open). A mail's own `at` (when SES sent it) goes before `at`.
   */
  markSentMany(sent: SentMark[], at: string): Promise<Set<string>>;
  /**
   * Gives back the claim this caller made at `claimedAt` when SES certainly did not take the mail; not
   * one the sweep has taken over since (a hold or a resend moves its last write, never its claim time).
   */
  release(deliveryId: string, claimedAt: string): Promise<void>;
  /**
   * Marks open claims SES refused to take while sending was paused, left open for the sweep
   * (docs/design.md#send-rate), as never handed to SES (`claimedHeld`): the sweep's sending of them is
   * their first, no resend (a resend already under way stays counted). Their last write, and so their
   * place among the open claims, stays; a claim taken over since is left as it is.
   */
  markUnsent(deliveries: Delivery[]): Promise<void>;
  /**
   * SES refused this recipient for good (for example MESSAGE_REJECTED): no retry. `events` go to the
   * outbox in the same write, and only from the call that fails the open claim (a repeat writes none).
   */
  markFailed(deliveryId: string, failure: string, at: string, events?: OutboxEntry[]): Promise<void>;
  /**
   * Spends the identities of mails that did not go out (given back, never claimed, or refused and closed
   * unsent), before a sender sends what they told under a new identity: each is closed unsent for good
   * (`failed`, `spentAt`), so a late claim of it (a retry that read before the new attempt) is refused.
   * Per mail, false when it is claimed or went out: it was claimed again since the sender read it
   * (docs/design.md#exactly-once-mail). A mail named twice is spent once, answered at both places.
   */
  spend(claims: NewClaim[], at: string): Promise<boolean[]>;
  /**
   * `consistent`: read strongly consistently, for a caller that must see claims and marks written
   * just before (BatchGetItem is eventually consistent otherwise).
   */
  getMany(deliveryIds: string[], options?: { consistent?: boolean }): Promise<Map<string, Delivery>>;
  /**
   * Claims of one subject type still open whose place among the open claims (their claim time, or
   * the time they were last taken over) is before `before`: the oldest `limit` of them, oldest first
   * across the shards (docs/design.md#exactly-once-mail).
   */
  stale(subjectType: string, before: string, limit: number): Promise<Delivery[]>;
  /**
   * Takes over a stale claim for a resend written from the subject as of `asOf`, telling `told`, and
   * concerning `context` (a release mail resent to the outlet now at its address); marks the resend under
   * way (not for one `claimedHeld`, whose first sending it is). Its identity stays; its place among
   * the open claims moves to `at`, its claim time stays the claim's, as a hold's does: the rounds
   * compare claim times (docs/design.md#exactly-once-mail).
   */
  reclaim(
    delivery: Delivery,
    at: string,
    asOf?: string,
    told?: KeptTold,
    context?: Record<string, string>,
  ): Promise<Delivery | undefined>;
  /**
   * Takes over a stale claim left open unsent (its subject wants it only later: a show on hold, see
   * docs/design.md#tours), or one just claimed that its sender holds (`claimHeld`), its place among the
   * open claims moved to `at` (`heldAt`), its claim time
   * kept; marks no resend, since nothing is sent again (a resend already under way stays counted).
   * `wanted`: held though wanted again, for the margin of its late Email Sent (no `heldAt`), else as not
   * wanted for now (`heldAt`). False if it was not open as read.
   */
  hold(delivery: Delivery, at: string, wanted?: boolean): Promise<boolean>;
}

/**
 * One mail's claim and mark: the single forms of `claimMany` and `markSentMany`. No function claims or
 * marks one mail at a time (each does so by pages), so the claims the functions build hold neither; the
 * whole store does, for the tests and the store's contract, which state the protocol with them.
 */
export interface SingleMailClaims {
  /**
   * The claim (conditional put); undefined when this mail was claimed before. A claim written means this
   * caller now owns sending the mail; one refused means it was claimed before (by a retry, a duplicate
   * event, a concurrent sender): sent or being sent, never again.
   */
  claim(claim: NewClaim, at: string): Promise<Delivery | undefined>;
  /**
   * Settles an open claim as sent, counting a resend under way (by the sender, or from SES's Email Sent
   * event: whichever settles it first); false if it was not open.
   */
  markSent(deliveryId: string, messageId: string, at: string): Promise<boolean>;
}

/** The single forms over a store's pages of claims and marks. */
export const singleMailClaims = (
  claims: Pick<MailClaims, 'claimMany' | 'markSentMany'>,
): SingleMailClaims => ({
  claim: async (claim, at) => (await claims.claimMany([claim], at))[0],
  markSent: async (deliveryId, messageId, at) =>
    (await claims.markSentMany([{ deliveryId, messageId }], at)).has(deliveryId),
});

/**
 * The announcer's claims: the claims with a mark that asks what follows it, for the sweep's resends
 * (`Resender.resendMark`). Apart from `MailClaims` so that the other senders' bundles leave that mark out,
 * and apart from the record of a mail that went after its claim was closed unsent, which only the
 * settlement function makes (`EmailSentClaims`, shared/db/email-sent-claims.ts; docs/design.md#bundles).
 */
export interface ResendingClaims extends MailClaims {
  /**
   * `markSentMany`, with `asks`: the events the marks lead to (given the ids a request marks), stored in
   * the outbox by the same request as those marks (docs/design.md#the-outbox). The announcer's and the
   * settlement's alone: the other senders' marks ask nothing, and their bundles leave this out (docs/design.md#bundles).
   */
  markSentMany(
    sent: SentMark[],
    at: string,
    asks?: (deliveryIds: string[]) => OutboxEntry[],
  ): Promise<Set<string>>;
}

/**
 * What is recorded and read of deliveries after their sending: SES's bounces, complaints and rejections
 * (deliverability) and a subject's deliveries (the management views). Apart from the claims so that
 * the senders' bundles, which never use them, leave them out (a store is one object, which esbuild
 * cannot trim: docs/design.md#bundles).
 */
export interface DeliveryOutcomes {
  /**
   * SES reported a bounce or complaint for the mail, or rejected it: the delivery as it now stands,
   * undefined for an unknown id. `events` (built from the marked delivery) go to the outbox in the same
   * write, and only from the call that first marks the mail with an outcome (SES repeats its events).
   */
  markOutcome(
    deliveryId: string,
    status: DeliveryOutcome,
    detail: { at: string; messageId?: string },
    events?: (delivery: Delivery) => OutboxEntry[],
  ): Promise<Delivery | undefined>;
  /** Every delivery of a subject (all kinds), for the management views. */
  ofSubject(labelId: string, subject: MailSubject): Promise<Delivery[]>;
}

/** Every delivery operation: `dynamoDeliveries` and a fake in tests. */
export type DeliveryStore = ResendingClaims & EmailSentClaims & SingleMailClaims & DeliveryOutcomes;

const claimShards = 8;

const shardOf = (deliveryId: string, shards: number) => Number.parseInt(deliveryId.slice(0, 4), 16) % shards;

const subjectDeliveriesSort = (identity: MailIdentity) =>
  identity.moment === undefined
    ? keyParts(normaliseEmail(identity.email), identity.kind, identity.revision ?? '')
    : keyParts(normaliseEmail(identity.email), identity.kind, identity.revision ?? '', identity.moment);

export const openClaimsKey = (subjectType: string, shard: number) =>
  subjectType === 'release' ? keyOf('MAIL_CLAIMS', shard) : keyOf('MAIL_CLAIMS', subjectType, shard);
const openClaimsSort = (claimedAt: string, deliveryId: string) => keyParts(claimedAt, deliveryId);
const openClaimsOf = (delivery: Pick<Delivery, 'subject' | 'deliveryId'>, at: string) => ({
  gsi2pk: openClaimsKey(delivery.subject[0], shardOf(delivery.deliveryId, claimShards)),
  gsi2sk: openClaimsSort(at, delivery.deliveryId),
});

/** The failure of a mail whose identity a sender's new attempt spent (`spend`). */
export const spentFailure = 'spent: its sender sent what it told under a new identity';

/** The delivery a claim of a mail at `at` opens (every store's, the fakes' included). */
export const claimedDelivery = (claim: NewClaim, at: string): Delivery => ({
  ...claim,
  subject: [...claim.subject] as unknown as MailSubject,
  email: normaliseEmail(claim.email),
  context: claim.context ?? {},
  deliveryId: deliveryIdOf(claim),
  status: 'claimed',
  claimedAt: at,
  updatedAt: at,
});

/**
 * The claims of mails at `at`, each mail once (one transaction may not write an item twice): its
 * delivery and the conditional put that writes it (it exists: claimed before). The one way claims are
 * written, alone (`claimMany`) or in a transaction with what must be written with them (a press step's
 * notes: docs/design.md#tours). `claimedBy`: the id of the caller claiming, kept on its claims, so
 * that a claim refused by one holding it is the caller's own (docs/design.md#exactly-once-mail).
 */
export function claimWrites(
  table: string,
  claims: NewClaim[],
  at: string,
  claimedBy?: string,
): { delivery: Delivery; write: StateWrite }[] {
  const page = new Map<string, { delivery: Delivery; write: StateWrite }>();
  for (const claim of claims) {
    const delivery = claimedDelivery(claim, at);
    const { deliveryId } = delivery;
    if (page.has(deliveryId)) continue;
    page.set(deliveryId, {
      delivery,
      write: {
        Put: {
          TableName: table,
          Item: {
            ...deliveryKey(deliveryId),
            ...delivery,
            gsi1pk: subjectDeliveriesKey(
              delivery.labelId,
              delivery.subject,
              shardOf(deliveryId, deliveryShards),
            ),
            gsi1sk: subjectDeliveriesSort(delivery),
            ...openClaimsOf(delivery, at),
            claimedBy,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    });
  }
  return [...page.values()];
}

/** The whole store on DynamoDB. */
export function dynamoDeliveries(db: DynamoDBDocumentClient, table: string): DeliveryStore {
  const claims = dynamoResendingClaims(db, table);
  const { markSentAfterClosed } = dynamoEmailSentClaims(db, table);
  return {
    ...claims,
    markSentAfterClosed,
    ...singleMailClaims(claims),
    ...dynamoDeliveryOutcomes(db, table),
    ofSubject: (labelId, subject) => deliveriesOfSubject(db, table, labelId, subject),
  };
}

/** A claim still open and unchanged since its last write was read (`:previous`). */
const openAsRead = '#status = :claimed AND updatedAt = :previous';

/**
 * A stale claim taken over at `at` (one sweeper wins: the condition names the write it read), its place
 * among the open claims moved to `at`; `set` what else it writes. `takenBy`: the id of this takeover
 * (new each call, the same in the SDK's retries of its request), kept on the claim, so that a takeover
 * refused by a claim holding it is this very write, applied with its answer lost
 * (docs/design.md#failures-and-retries), not another sweeper's.
 */
const takeOverWrite = (
  table: string,
  delivery: Delivery,
  at: string,
  takenBy: string,
  set: string[],
  values: Record<string, unknown> = {},
  remove = '',
) => ({
  Update: {
    TableName: table,
    Key: deliveryKey(delivery.deliveryId),
    UpdateExpression: `SET ${['updatedAt = :at', 'gsi2pk = :gsi2pk', 'gsi2sk = :gsi2sk', 'takenBy = :takenBy', ...set].join(', ')}${remove}`,
    ConditionExpression: openAsRead,
    ExpressionAttributeNames: statusName,
    ExpressionAttributeValues: {
      ...openStatus,
      ':previous': delivery.updatedAt,
      ':at': at,
      ':takenBy': takenBy,
      ...values,
      ...Object.fromEntries(Object.entries(openClaimsOf(delivery, at)).map(([k, v]) => [`:${k}`, v])),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  },
});

/**
 * A stale claim taken over at `at` for a resend (`MailClaims.reclaim`): the delivery as taken over and
 * the conditional update that writes it. The one way a claim is taken over to be sent again, alone or in
 * a transaction with a check of what its mail is written from (an advance step's show: docs/design.md#tours).
 * Only one sweeper wins (the condition names the claim it saw), and the claim's place is moved to `at`,
 * so a crash during the resend is swept again once stale; its claim time stays. `asOf` replaces the
 * version the claim had, `told` what it told, `context` whom it concerns; its key, the mail's identity,
 * stays. `takenBy`: the takeover's own id (`takeOverWrite`).
 */
export function reclaimWrite(
  table: string,
  delivery: Delivery,
  at: string,
  takenBy: string,
  asOf?: string,
  told?: KeptTold,
  context?: Record<string, string>,
): { delivery: Delivery; write: ReturnType<typeof takeOverWrite> } {
  // What the resend is written from replaces what the claim was: the resend states the subject as it is now.
  // resendPending is set, not added: a resend that never reached SES (a crash) and is taken over
  // again is still one resend when it is finally settled. A claim its sender held unsent
  // (claimedHeld) never reached SES: this sending is its first, and one after it a resend.
  const resend = !delivery.claimedHeld;
  const { heldAt: _held, claimedHeld: _first, ...claim } = delivery;
  const written = Object.entries({ asOf, told, context, resendPending: resend && 1 }).filter(
    ([, value]) => value,
  );
  return {
    delivery: { ...claim, updatedAt: at, ...Object.fromEntries(written) },
    write: takeOverWrite(
      table,
      delivery,
      at,
      takenBy,
      written.map(([name]) => `${name} = :${name}`),
      Object.fromEntries(written.map(([name, value]) => [`:${name}`, value])),
      ` REMOVE heldAt${resend ? '' : ', claimedHeld'}${asOf ? ', releaseAsOf' : ''}`,
    ),
  };
}

/** The claims on DynamoDB. */
export function dynamoMailClaims(db: DynamoDBDocumentClient, table: string): MailClaims {
  const settle = (
    deliveryId: string,
    update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
    mine?: OwnWrite,
  ): Promise<boolean> =>
    writtenUnlessRefused(
      db.send(new UpdateCommand({ TableName: table, Key: deliveryKey(deliveryId), ...update })),
      mine,
    );

  const claimMany = async (claims: NewClaim[], at: string): Promise<Delivery[]> => {
    // This call's own id (new each call, the same in the SDK's retries of its requests): a claim
    // refused by one holding it is this call's, applied with its answer lost (docs/design.md#failures-and-retries).
    const by = randomUUID();
    const writes = claimWrites(table, claims, at, by);
    const written = await writeEachIfAllowed(
      db,
      writes.map(({ write }) => write),
      undefined,
      keptBy('claimedBy', by),
    );
    return writes.filter((_, index) => written[index]).map(({ delivery }) => delivery);
  };

  const markSentMany: MailClaims['markSentMany'] = (sent, at) =>
    markSentPage(table, sent, at, (writes, _page, mine) => writeEachIfAllowed(db, writes, undefined, mine));

  return {
    claimMany,
    markSentMany,

    async release(deliveryId, claimedAt) {
      await writtenUnlessRefused(
        db.send(
          new DeleteCommand({
            TableName: table,
            Key: deliveryKey(deliveryId),
            // Its last write is its claim: no sweep has taken it over since.
            ConditionExpression: openAsRead,
            ExpressionAttributeNames: statusName,
            ExpressionAttributeValues: { ...openStatus, ':previous': claimedAt },
          }),
        ),
      );
    },

    async markUnsent(deliveries) {
      // A takeover at its last write: its place and last write stay (a retry of it is written again alike).
      await writeEachIfAllowed(
        db,
        deliveries.map((delivery) =>
          takeOverWrite(table, delivery, delivery.updatedAt, randomUUID(), ['claimedHeld = :held'], {
            ':held': true,
          }),
        ),
      );
    },

    async markFailed(deliveryId, failure, at, events = []) {
      const update = {
        UpdateExpression: 'SET #status = :failed, failure = :failure, updatedAt = :at REMOVE gsi2pk, gsi2sk',
        // Only the write that fails the open claim writes its events: a repeat finds it failed.
        ConditionExpression: '#status = :claimed',
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ...openStatus,
          ':failure': failure,
          ':at': at,
        },
      };
      if (events.length === 0) await settle(deliveryId, update);
      else
        await writeWithOutbox(
          db,
          [{ Update: { TableName: table, Key: deliveryKey(deliveryId), ...update } }],
          events,
          at,
        );
    },

    async spend(claims, at) {
      // One write whether the mail is absent (its closed delivery made) or closed unsent (only marked);
      // not listed among its subject's deliveries nor the open claims: it never went, nor will. Each mail
      // once (a transaction may not write an item twice), its answer given wherever it is named.
      const once = new Map(claims.map((claim) => [deliveryIdOf(claim), claim]));
      const writes = [...once.values()].map((claim): StateWrite => {
        const {
          deliveryId,
          status: _claimed,
          ...kept
        } = { ...claimedDelivery(claim, at), failure: spentFailure };
        const spent = Object.entries(kept).filter(([, value]) => value !== undefined);
        return {
          Update: {
            TableName: table,
            Key: deliveryKey(deliveryId),
            UpdateExpression: `SET deliveryId = :id, #status = :failed, spentAt = if_not_exists(spentAt, :at), ${spent.map((_, i) => `#a${i} = if_not_exists(#a${i}, :a${i})`).join(', ')}`,
            ConditionExpression:
              'attribute_not_exists(pk) OR (#status = :failed AND attribute_not_exists(messageId))',
            ExpressionAttributeNames: {
              ...statusName,
              ...Object.fromEntries(spent.map(([name], i) => [`#a${i}`, name])),
            },
            ExpressionAttributeValues: {
              ':id': deliveryId,
              ':at': at,
              ':failed': 'failed',
              ...Object.fromEntries(spent.map(([, value], i) => [`:a${i}`, value])),
            },
          },
        };
      });
      const written = await writeEachIfAllowed(db, writes);
      const spent = new Map([...once.keys()].map((id, i) => [id, written[i]]));
      return claims.map((claim) => spent.get(deliveryIdOf(claim)) === true);
    },

    getMany: (deliveryIds, options) => deliveriesById(db, table, deliveryIds, options),

    async stale(subjectType, before, limit) {
      // Each shard's oldest `limit`, then the oldest `limit` of them all, by their place (the index's
      // order): a claim held in a low shard is never read ahead of an older one in a higher shard.
      const items: Record<string, unknown>[] = [];
      for (let shard = 0; shard < claimShards; shard++) {
        const first = items.length;
        for await (const page of paginateQuery(
          { client: db },
          {
            TableName: table,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
            ExpressionAttributeValues: { ':pk': openClaimsKey(subjectType, shard), ':before': before },
            Limit: limit,
          },
        )) {
          items.push(...(page.Items ?? []));
          if (items.length - first >= limit) break;
        }
      }
      return items
        .sort((a, b) => ((a.gsi2sk as string) < (b.gsi2sk as string) ? -1 : 1))
        .slice(0, limit)
        .map(deliveryOf);
    },

    async reclaim(delivery, at, asOf, told, context) {
      const by = randomUUID();
      const { write, delivery: taken } = reclaimWrite(table, delivery, at, by, asOf, told, context);
      return (await settle(delivery.deliveryId, write.Update, keptBy('takenBy', by))) ? taken : undefined;
    },

    /** As reclaim, but nothing is sent again (resendPending is left as it is). */
    hold(delivery, at, wanted) {
      const by = randomUUID();
      return settle(
        delivery.deliveryId,
        takeOverWrite(
          table,
          delivery,
          at,
          by,
          wanted ? [] : ['heldAt = :at'],
          {},
          wanted ? ' REMOVE heldAt' : '',
        ).Update,
        keptBy('takenBy', by),
      );
    },
  };
}

/** The announcer's claims on DynamoDB: the claims with the marks that ask what follows (its resends'). */
export function dynamoResendingClaims(db: DynamoDBDocumentClient, table: string): ResendingClaims {
  return { ...dynamoMailClaims(db, table), markSentMany: dynamoAskingMarks(db, table) };
}
