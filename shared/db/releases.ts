import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { type ReleaseMoment, revisionOf, type StoredRelease } from '#shared/releases.ts';
import { writtenUnlessRefused } from './conditions.ts';
import { keyOf, keyParts } from './keys.ts';
import { writeWithOutbox } from './outbox.ts';
import { comingPartition, dynamoReleaseReads, type ReleaseReads, releaseKey } from './release-reads.ts';

/**
 * Releases. Access patterns:
 * - a release by label and release id (releases applies changes, announcer mails it, management shows it):
 *     pk `RELEASE#<labelId>#<releaseId>`, sk `RELEASE`   (`releaseKey`, shared/db/release-reads.ts)
 * - every change a label sent for it, applied or ignored (kept 90 days, for support and replay questions):
 *     pk `RELEASE#<labelId>#<releaseId>`, sk `CHANGE#<occurredAt>#<eventId>`   (one a change: an applied
 *   one written with the release by `putIfNewer`, an ignored one only where none is)
 * - releases still to come somewhere, by their last street date (the announcer asks their first mail
 *   for outlets added or changed since they were announced, see docs/design.md#exactly-once-mail):
 *     gsi1pk `RELEASES#COMING`, gsi1sk `<last street date, UTC ISO>#<labelId>#<releaseId>`, on the
 *   release item while it is not cancelled (every `putIfNewer` writes them from the release as it
 *   stands). They stay once that date has passed: a read asks only for those after now, so a release
 *   out everywhere drops out of it without a write. That read is `ComingReleases`
 *   (shared/db/coming-releases.ts), which the announcer alone makes.
 */
export const releaseChangeKey = (
  labelId: string,
  releaseId: string,
  occurredAt: string,
  eventId: string,
) => ({
  pk: keyOf('RELEASE', labelId, releaseId),
  sk: keyOf('CHANGE', occurredAt, eventId),
});

const changeRetentionSeconds = 90 * 24 * 3600;

/**
 * The index keys listing the release among those still to come, from its `lastStreetDateAt` (releases
 * writes it with the details; a release stored before it was kept is listed from its next change):
 * none once cancelled.
 */
export function comingKeys(
  release: Pick<StoredRelease, 'labelId' | 'releaseId' | 'state' | 'lastStreetDateAt'>,
) {
  const last = release.state === 'cancelled' ? undefined : release.lastStreetDateAt;
  return last ? { gsi1pk: comingPartition, gsi1sk: keyParts(last, release.labelId, release.releaseId) } : {};
}

/** One change a label made to a release, as received: kept whether it applied or was older than the stored one. */
export interface ReleaseChangeRecord {
  labelId: string;
  releaseId: string;
  occurredAt: string;
  eventId: string;
  detailType: string;
  applied: boolean;
  receivedAt: string;
}

/** The record of a change that applied: written only with the release it stored (`putIfNewer`). */
export type AppliedChangeRecord = ReleaseChangeRecord & { applied: true };

/** The item holding a change's record, expiring (TTL) 90 days after it was received. */
const changeItem = (change: ReleaseChangeRecord) => ({
  ...releaseChangeKey(change.labelId, change.releaseId, change.occurredAt, change.eventId),
  ...change,
  expiresAt: Math.floor(Date.parse(change.receivedAt) / 1000) + changeRetentionSeconds,
});

/**
 * Releases as the releases function keeps them: its reads and its writes. Not the releases to come
 * (`ComingReleases`, shared/db/coming-releases.ts), which it never asks: its role is granted no Query
 * (see docs/design.md#topology).
 */
export interface ReleaseStore extends ReleaseReads {
  /**
   * Stores the release only if the stored one is older, with the events it leads to in the same
   * write (see docs/design.md#ordering-by-the-labels-timestamp and docs/design.md#the-outbox), and
   * only if the stored one has no out-moment or servicing moment (or embargo end) the release lacks:
   * one marked since the read the release was decided from, which the write would lose. `change`, the
   * record of the change the release applies, goes in the same write, replacing one of that change
   * recorded as ignored: a change applied always has its record, and only with its release (see
   * docs/design.md#ordering-by-the-labels-timestamp). `read`, the release as read, where it is not
   * `release` itself: the release records out moments of its own (a territory already out moved to a
   * moment, docs/design.md#street-dates-per-territory), so a moment marked since that read refuses the
   * write though the release carries as many. False otherwise, and then nothing is written: the caller
   * reads again.
   */
  putIfNewer(
    release: StoredRelease,
    outbox: OutboxEntry[],
    change?: AppliedChangeRecord,
    read?: Pick<StoredRelease, 'outMoments'>,
  ): Promise<boolean>;
  /**
   * Records a change ignored, only where that change has no record: one recorded applied (its delivery
   * again, after a newer change, is found not newer) keeps saying so. A refusal is no error.
   */
  recordChange(change: ReleaseChangeRecord): Promise<void>;
  /** Clears `effectsPending`, only while `eventId` is still the change applied last (a newer one carries them on). */
  markEffectsPerformed(labelId: string, releaseId: string, eventId: string): Promise<void>;
  /**
   * Marks the release out while it is scheduled (or already out) for exactly `moment` (its date, or one
   * of its territory moments), recording that moment as come, with the events it leads to.
   */
  markOut(
    labelId: string,
    releaseId: string,
    moment: ReleaseMoment,
    at: string,
    outbox: OutboxEntry[],
  ): Promise<boolean>;
  /**
   * Records that the release's embargo ended, only while it is scheduled or out with exactly
   * `announceAt` (a schedule set for an older one must not end it), with the events it leads to.
   */
  markEmbargoLifted(
    labelId: string,
    releaseId: string,
    announceAt: string,
    at: string,
    outbox: OutboxEntry[],
  ): Promise<boolean>;
  /**
   * Records that radio servicing moment `key` came, only while the release is scheduled or out and
   * still has that moment (see docs/design.md#radio-servicing), with the events it leads to.
   */
  markServiced(
    labelId: string,
    releaseId: string,
    key: string,
    at: string,
    outbox: OutboxEntry[],
  ): Promise<boolean>;
}

/**
 * The condition that nothing was marked on the stored release beyond what `release` carries: a put
 * replaces the whole item, and releases decides it from a read, so a street date (or servicing moment,
 * or embargo end) marked between that read and the put would be lost with it: the release no longer
 * out there, and the out-now already in the outbox finding its moment not come (see
 * docs/design.md#street-dates-per-territory). The marks only ever add (a moment to a set, the embargo's
 * end once), and the release carries those it read (and out moments of its own, not counted: `read`
 * as read), so a stored set larger than the one read was added to since.
 */
function marksSince(release: StoredRelease, read: Pick<StoredRelease, 'outMoments'> = release) {
  const notLarger = (attribute: string, placeholder: string) =>
    `(attribute_not_exists(${attribute}) OR size(${attribute}) <= ${placeholder})`;
  return {
    condition: [
      notLarger('outMoments', ':outMoments'),
      notLarger('servicedMoments', ':servicedMoments'),
      ...(release.embargoLiftedAt ? [] : ['attribute_not_exists(embargoLiftedAt)']),
    ].join(' AND '),
    values: {
      ':outMoments': read.outMoments?.length ?? 0,
      ':servicedMoments': release.servicedMoments?.length ?? 0,
    },
  };
}

export const dynamoReleases = (db: DynamoDBDocumentClient, table: string): ReleaseStore => ({
  ...dynamoReleaseReads(db, table),

  /**
   * Stores `release` only if the stored one is older (see docs/design.md#ordering-by-the-labels-timestamp:
   * EventBridge keeps no order, so a change applies only when the label made it after the one applied
   * last), with the events it leads to in the same transaction (docs/design.md#the-outbox), and only if
   * no moment was marked since the read it was decided from (`marksSince`), and with the change's record
   * (unconditional: an applied record replaces an ignored one of the same event). False: not written.
   */
  putIfNewer(release, outbox, change, read) {
    const marks = marksSince(release, read);
    return writeWithOutbox(
      db,
      [
        {
          Put: {
            TableName: table,
            Item: {
              ...releaseKey(release.labelId, release.releaseId),
              ...release,
              ...comingKeys(release),
              // String sets, as markOut and markServiced add to them.
              ...(release.outMoments?.length ? { outMoments: new Set(release.outMoments) } : {}),
              ...(release.servicedMoments?.length
                ? { servicedMoments: new Set(release.servicedMoments) }
                : {}),
            },
            ConditionExpression: `attribute_not_exists(pk) OR (occurredAt < :occurredAt AND ${marks.condition})`,
            ExpressionAttributeValues: { ':occurredAt': release.occurredAt, ...marks.values },
          },
        },
        ...(change ? [{ Put: { TableName: table, Item: changeItem(change) } }] : []),
      ],
      outbox,
      release.updatedAt,
    );
  },

  async recordChange(change) {
    // Never over a record of the same change: one recorded applied stays so (docs/design.md#ordering-by-the-labels-timestamp).
    await writtenUnlessRefused(
      db.send(
        new PutCommand({
          TableName: table,
          Item: changeItem(change),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  },

  /**
   * The effects of change `eventId` happened: clears `effectsPending`. Only while that change is still
   * the one applied last: a newer change stored meanwhile owns the flag (with these effects merged in).
   */
  async markEffectsPerformed(labelId, releaseId, eventId) {
    await writtenUnlessRefused(
      db.send(
        new UpdateCommand({
          TableName: table,
          Key: releaseKey(labelId, releaseId),
          UpdateExpression: 'REMOVE effectsPending',
          ConditionExpression: 'lastEventId = :eventId',
          ExpressionAttributeValues: { ':eventId': eventId },
        }),
      ),
    );
  },

  /**
   * Marks the release out, only while it is scheduled for exactly `moment` (a release-day schedule
   * set for an older date must not do it), with the events it leads to in the same transaction.
   * True also when it is already out for that moment, so a redelivered `Release Day Reached` asks for
   * the (exactly-once) out-now mailing again.
   */
  markOut(labelId, releaseId, moment, at, outbox) {
    return writeWithOutbox(
      db,
      [
        {
          Update: {
            TableName: table,
            Key: releaseKey(labelId, releaseId),
            UpdateExpression:
              'SET #state = :out, outAt = if_not_exists(outAt, :at), updatedAt = :at ADD outMoments :moments',
            ConditionExpression:
              '#state IN (:scheduled, :out) AND ((#details.#date = :date AND #details.#time = :time AND #details.#zone = :zone) OR contains(momentKeys, :key))',
            // `timeZone` (and more) are DynamoDB reserved words: every name goes through a placeholder.
            ExpressionAttributeNames: {
              '#state': 'state',
              '#details': 'details',
              '#date': 'releaseDate',
              '#time': 'releaseTime',
              '#zone': 'timeZone',
            },
            ExpressionAttributeValues: {
              ':out': 'out',
              ':scheduled': 'scheduled',
              ':at': at,
              ':date': moment.releaseDate,
              ':time': moment.releaseTime,
              ':zone': moment.timeZone,
              ':key': revisionOf(moment),
              ':moments': new Set([revisionOf(moment)]),
            },
          },
        },
      ],
      outbox,
      at,
    );
  },

  /**
   * Records when the embargo ended, only while the release is scheduled or out with exactly
   * `announceAt` (or, lacking that, the older `embargoUntil`), with the announcement's request in the
   * same transaction. True also when it was recorded before, so a redelivered firing asks again (claims
   * keep the mail to one per outlet).
   */
  markEmbargoLifted(labelId, releaseId, announceAt, at, outbox) {
    return writeWithOutbox(
      db,
      [
        {
          Update: {
            TableName: table,
            Key: releaseKey(labelId, releaseId),
            UpdateExpression: 'SET embargoLiftedAt = if_not_exists(embargoLiftedAt, :at), updatedAt = :at',
            ConditionExpression:
              '#state IN (:scheduled, :out) AND (#details.#announceAt = :announceAt OR (attribute_not_exists(#details.#announceAt) AND #details.#embargoUntil = :announceAt) OR contains(announceAts, :announceAt))',
            ExpressionAttributeNames: {
              '#state': 'state',
              '#details': 'details',
              '#announceAt': 'announceAt',
              '#embargoUntil': 'embargoUntil',
            },
            ExpressionAttributeValues: {
              ':out': 'out',
              ':scheduled': 'scheduled',
              ':at': at,
              ':announceAt': announceAt,
            },
          },
        },
      ],
      outbox,
      at,
    );
  },

  /**
   * Records that a servicing moment came, only while the release is scheduled or out and lists it
   * (a schedule set for an older servicing date must not), with the servicing mailing's request in the
   * same transaction. True also when it was recorded before: a redelivered firing asks again, and
   * claims keep the mail to one per outlet.
   */
  markServiced(labelId, releaseId, key, at, outbox) {
    return writeWithOutbox(
      db,
      [
        {
          Update: {
            TableName: table,
            Key: releaseKey(labelId, releaseId),
            UpdateExpression: 'SET updatedAt = :at ADD servicedMoments :keys',
            ConditionExpression: '#state IN (:scheduled, :out) AND contains(servicingKeys, :key)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':out': 'out',
              ':scheduled': 'scheduled',
              ':at': at,
              ':key': key,
              ':keys': new Set([key]),
            },
          },
        },
      ],
      outbox,
      at,
    );
  },
});
