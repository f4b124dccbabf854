import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import type { Outlet, OutletInput } from '../outlets.ts';
import { batchGetAll, failedConditions, isConditionFailure } from './conditions.ts';
import { keyOf, keyParts } from './keys.ts';

/**
 * Media outlets, and the addresses that must get no mail (suppressed or unsubscribed).
 *
 * Access patterns and the keys that serve them:
 * - an outlet by id ............................ pk `OUTLET#<id>`, sk `OUTLET`
 * - every outlet, in name order, paged ......... gsi1pk `OUTLETS`, gsi1sk `<lower-case name>#<id>`
 *   (the announcer reads all of them to match a release; the management API pages and filters them)
 * - the outlet that owns an address ............ pk `OUTLET_EMAIL#<email>`, sk `OUTLET_EMAIL` -> `outletId`
 *   Invariant: one outlet per normalised address. The outlet and its email item are written in one
 *   transaction (two items must change together); changing an outlet's address moves the email item.
 * - whether an address is suppressed ........... pk `SUPPRESSED#<email>`, sk `SUPPRESSED`
 *   Kept apart from the outlet, so a deleted and re-created outlet stays suppressed.
 * - whether an address unsubscribed ............ pk `UNSUBSCRIBED#<email>`, sk `UNSUBSCRIBED`
 *   Written in the same transaction as the outlet's `unsubscribedAt`, and kept apart from the outlet
 *   for the same reason: an outlet created, imported or moved onto the address starts unsubscribed.
 */

const outletsPartition = 'OUTLETS';

export const outletKey = (outletId: string) => ({ pk: keyOf('OUTLET', outletId), sk: 'OUTLET' });
export const outletEmailKey = (email: string) => ({ pk: keyOf('OUTLET_EMAIL', email), sk: 'OUTLET_EMAIL' });
export const suppressionKey = (email: string) => ({ pk: keyOf('SUPPRESSED', email), sk: 'SUPPRESSED' });
export const unsubscriptionKey = (email: string) => ({
  pk: keyOf('UNSUBSCRIBED', email),
  sk: 'UNSUBSCRIBED',
});
export const outletListKey = (outlet: Pick<Outlet, 'id' | 'name'>) => ({
  gsi1pk: outletsPartition,
  gsi1sk: keyParts(outlet.name.toLowerCase(), outlet.id),
});

/** Another outlet already has this address. */
export class DuplicateEmailError extends Error {
  readonly email: string;
  constructor(email: string) {
    super(`an outlet with email ${email} already exists`);
    this.email = email;
  }
}

export interface OutletPage {
  outlets: Outlet[];
  /** Opaque; pass it back to read the next page. Absent on the last page. */
  nextCursor?: string;
}

/** Thrown for a cursor this adapter did not make. */
export class InvalidCursorError extends Error {}

/**
 * Events owed on a transition (`Outlet Unsubscribed`, `Outlet Suppressed`) are published by whoever
 * holds the publication lease: the caller that made the transition, a retry by the same owner, or
 * anyone once the lease is released (the publish failed) or stale (the owner crashed). So two
 * concurrent repeats never both publish, and a failed or crashed publish is not lost.
 */
export interface Publication {
  /** Who asks: an EventBridge event id (its retries share it) or a random id per request. */
  owner: string;
  at: string;
}

/** A lease older than this is taken over: its owner crashed between the transition and the publish. */
export const publicationLeaseMs = 60_000;

export type UnsubscribeResult =
  | { state: 'missing' }
  /** `mustPublish`: this caller holds the lease on `Outlet Unsubscribed` and has to publish it. */
  | { state: 'unsubscribed' | 'already'; mustPublish: boolean; outlet: Outlet };

export interface SuppressionResult {
  /** This caller holds the lease on `Outlet Suppressed` for the address and has to publish it. */
  mustPublish: boolean;
  outletId?: string;
  reason: 'bounce' | 'complaint';
  detail?: string;
}

export interface Suppression {
  email: string;
  reason: 'bounce' | 'complaint';
  detail?: string;
  at: string;
}

/** The outlet directory, as every function that needs it sees it. */
export interface OutletDirectory {
  create(input: OutletInput, meta: { id: string; now: string }): Promise<Outlet>;
  get(outletId: string): Promise<Outlet | undefined>;
  findByEmail(email: string): Promise<Outlet | undefined>;
  /** Replaces the manager's fields; undefined when there is no such outlet. */
  replace(outletId: string, input: OutletInput, now: string): Promise<Outlet | undefined>;
  remove(outletId: string): Promise<boolean>;
  /** Creates the outlet for `input.email`, or replaces the one that has it. */
  upsertByEmail(
    input: OutletInput,
    meta: { newId: () => string; now: string },
  ): Promise<{ outcome: 'created' | 'updated'; outlet: Outlet }>;
  list(options: { limit: number; cursor?: string; where?: (outlet: Outlet) => boolean }): Promise<OutletPage>;
  /** Every outlet, one DynamoDB page at a time (up to 1 MB each). */
  pages(): AsyncIterable<Outlet[]>;
  /** The outlets with these ids that exist. */
  getMany(outletIds: readonly string[]): Promise<Map<string, Outlet>>;
  markUnsubscribed(outletId: string, publication: Publication): Promise<UnsubscribeResult>;
  /** Keeps the address's opt-out on its own (its outlet is gone): an outlet later given the address starts unsubscribed. */
  markAddressUnsubscribed(email: string, at: string): Promise<void>;
  unsubscribeEventPublished(outletId: string): Promise<void>;
  /** The publish failed: let the next attempt (any owner) take the lease at once. */
  releaseUnsubscribeEvent(outletId: string, owner: string): Promise<void>;
  suppress(suppression: Suppression, owner: string): Promise<SuppressionResult>;
  suppressionEventPublished(email: string): Promise<void>;
  releaseSuppressionEvent(email: string, owner: string): Promise<void>;
  isSuppressed(email: string): Promise<boolean>;
}

/** The attributes of an outlet item that make up an `Outlet` (everything else is keys and bookkeeping). */
const outletFields = [
  'id',
  'name',
  'email',
  'kind',
  'genres',
  'territories',
  'contactName',
  'unsubscribedAt',
  'suppressedAt',
  'suppressionReason',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof Outlet)[];

const projection = {
  ProjectionExpression: outletFields.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(outletFields.map((field, i) => [`#f${i}`, field])),
};

function toOutlet(item: Record<string, unknown>): Outlet {
  const outlet: Record<string, unknown> = {};
  for (const field of outletFields) if (item[field] !== undefined) outlet[field] = item[field];
  return outlet as unknown as Outlet;
}

const encodeCursor = (outlet: Pick<Outlet, 'id' | 'name'>) =>
  Buffer.from(JSON.stringify({ s: outletListKey(outlet).gsi1sk, i: outlet.id })).toString('base64url');

function decodeCursor(cursor: string): Record<string, string> {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const { s, i } = parsed as { s?: unknown; i?: unknown };
    if (typeof s !== 'string' || typeof i !== 'string' || !s.endsWith(`#${i}`)) throw new Error('shape');
    return { gsi1pk: outletsPartition, gsi1sk: s, ...outletKey(i) };
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
}

export function dynamoOutletDirectory(
  db: DynamoDBDocumentClient = dynamo(),
  tableName: string = config().TABLE_NAME,
): OutletDirectory {
  const TableName = tableName;

  const get = async (outletId: string): Promise<Outlet | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: outletKey(outletId), ConsistentRead: true }),
    );
    return Item ? toOutlet(Item) : undefined;
  };

  const suppressionOf = async (email: string): Promise<Suppression | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: suppressionKey(email), ConsistentRead: true }),
    );
    return Item as Suppression | undefined;
  };

  /** When the address unsubscribed (through any outlet that had it), if it did. */
  const unsubscriptionOf = async (email: string): Promise<{ at: string } | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: unsubscriptionKey(email), ConsistentRead: true }),
    );
    return Item as { at: string } | undefined;
  };

  const ownerOf = async (email: string): Promise<string | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: outletEmailKey(email), ConsistentRead: true }),
    );
    return Item?.outletId as string | undefined;
  };

  /** Invariant: one outlet per address. The address item is created only if no outlet holds it yet. */
  const claimEmail = (email: string, outletId: string) => ({
    Put: {
      TableName,
      Item: { ...outletEmailKey(email), type: 'outletEmail', outletId, email },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  const create: OutletDirectory['create'] = async (input, { id, now }) => {
    const [suppressed, unsubscribed] = await Promise.all([
      suppressionOf(input.email),
      unsubscriptionOf(input.email),
    ]);
    const outlet: Outlet = {
      id,
      name: input.name,
      email: input.email,
      kind: input.kind,
      genres: input.genres,
      territories: input.territories,
      ...(input.contactName ? { contactName: input.contactName } : {}),
      ...(unsubscribed ? { unsubscribedAt: unsubscribed.at } : {}),
      ...(suppressed ? { suppressedAt: suppressed.at, suppressionReason: suppressed.reason } : {}),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName,
                Item: { ...outletKey(id), ...outletListKey(outlet), type: 'outlet', ...outlet },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            claimEmail(outlet.email, id),
          ],
        }),
      );
    } catch (error) {
      if (failedConditions(error)?.[1]) throw new DuplicateEmailError(outlet.email);
      throw error;
    }
    return outlet;
  };

  const replaceOnce = async (current: Outlet, input: OutletInput, now: string): Promise<Outlet> => {
    const emailChanges = input.email !== current.email;
    const suppressed = emailChanges
      ? await suppressionOf(input.email)
      : current.suppressedAt
        ? { at: current.suppressedAt, reason: current.suppressionReason ?? 'bounce' }
        : undefined;
    // Moving onto an address that unsubscribed carries its unsubscribe over, as for a suppression.
    const addressUnsubscribed =
      emailChanges && !current.unsubscribedAt ? await unsubscriptionOf(input.email) : undefined;
    const unsubscribedAt = current.unsubscribedAt ?? addressUnsubscribed?.at;
    const next: Outlet = {
      id: current.id,
      name: input.name,
      email: input.email,
      kind: input.kind,
      genres: input.genres,
      territories: input.territories,
      ...(input.contactName ? { contactName: input.contactName } : {}),
      ...(unsubscribedAt ? { unsubscribedAt } : {}),
      ...(suppressed ? { suppressedAt: suppressed.at, suppressionReason: suppressed.reason } : {}),
      createdAt: current.createdAt,
      updatedAt: now,
    };
    const set: Record<string, unknown> = {
      name: next.name,
      email: next.email,
      kind: next.kind,
      genres: next.genres,
      territories: next.territories,
      updatedAt: now,
      gsi1sk: outletListKey(next).gsi1sk,
    };
    if (next.contactName) set.contactName = next.contactName;
    if (next.suppressedAt)
      Object.assign(set, { suppressedAt: next.suppressedAt, suppressionReason: next.suppressionReason });
    const remove = [
      ...(next.contactName ? [] : ['contactName']),
      ...(next.suppressedAt ? [] : ['suppressedAt', 'suppressionReason']),
    ];
    // unsubscribedAt is only ever added (an unsubscribe may land while the manager edits the outlet).
    const setUnsubscribedAt = addressUnsubscribed
      ? ['#unsubscribedAt = if_not_exists(#unsubscribedAt, :unsubscribedAt)']
      : [];
    const names = Object.fromEntries(
      [...Object.keys(set), ...remove, 'email', ...(addressUnsubscribed ? ['unsubscribedAt'] : [])].map(
        (field) => [`#${field}`, field],
      ),
    ) as Record<string, string>;
    const update = {
      TableName,
      Key: outletKey(current.id),
      UpdateExpression: [
        `SET ${[...Object.keys(set).map((field) => `#${field} = :${field}`), ...setUnsubscribedAt].join(', ')}`,
        remove.length > 0 ? `REMOVE ${remove.map((field) => `#${field}`).join(', ')}` : '',
      ]
        .join(' ')
        .trim(),
      // Optimistic: the address the outlet had when we read it is still its address.
      ConditionExpression: 'attribute_exists(pk) AND #email = :currentEmail',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ...Object.fromEntries(Object.entries(set).map(([field, value]) => [`:${field}`, value])),
        ...(addressUnsubscribed ? { ':unsubscribedAt': addressUnsubscribed.at } : {}),
        ':currentEmail': current.email,
      },
    };
    if (!emailChanges) {
      await db.send(new UpdateCommand(update));
      return next;
    }
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: update },
            {
              Delete: {
                TableName,
                Key: outletEmailKey(current.email),
                ConditionExpression: 'outletId = :id',
                ExpressionAttributeValues: { ':id': current.id },
              },
            },
            claimEmail(next.email, current.id),
          ],
        }),
      );
    } catch (error) {
      if (failedConditions(error)?.[2]) throw new DuplicateEmailError(next.email);
      throw error;
    }
    return next;
  };

  /** Retries when the outlet changed (or went) between the read and the write. */
  const replace: OutletDirectory['replace'] = async (outletId, input, now) => {
    for (let attempt = 1; ; attempt++) {
      const current = await get(outletId);
      if (!current) return undefined;
      try {
        return await replaceOnce(current, input, now);
      } catch (error) {
        const raced =
          isConditionFailure(error) || failedConditions(error)?.[0] || failedConditions(error)?.[1];
        if (!raced || attempt >= 3) throw error;
      }
    }
  };

  const remove: OutletDirectory['remove'] = async (outletId) => {
    for (let attempt = 1; ; attempt++) {
      const current = await get(outletId);
      if (!current) return false;
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName,
                  Key: outletKey(outletId),
                  ConditionExpression: '#email = :email',
                  ExpressionAttributeNames: { '#email': 'email' },
                  ExpressionAttributeValues: { ':email': current.email },
                },
              },
              {
                Delete: {
                  TableName,
                  Key: outletEmailKey(current.email),
                  ConditionExpression: 'outletId = :id',
                  ExpressionAttributeValues: { ':id': outletId },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (!failedConditions(error)?.some(Boolean) || attempt >= 3) throw error;
      }
    }
  };

  const findByEmail: OutletDirectory['findByEmail'] = async (email) => {
    const outletId = await ownerOf(email);
    return outletId ? get(outletId) : undefined;
  };

  const upsertByEmail: OutletDirectory['upsertByEmail'] = async (input, { newId, now }) => {
    for (let attempt = 1; ; attempt++) {
      const outletId = await ownerOf(input.email);
      try {
        if (outletId) {
          const outlet = await replace(outletId, input, now);
          if (outlet) return { outcome: 'updated', outlet };
          // the owner went away between the two reads: create it afresh
        }
        return { outcome: 'created', outlet: await create(input, { id: newId(), now }) };
      } catch (error) {
        // someone else created this address meanwhile: update theirs instead
        if (!(error instanceof DuplicateEmailError) || attempt >= 3) throw error;
      }
    }
  };

  const list: OutletDirectory['list'] = async ({ limit, cursor, where = () => true }) => {
    const outlets: Outlet[] = [];
    let startKey: Record<string, unknown> | undefined = cursor ? decodeCursor(cursor) : undefined;
    // Bounded work per request: with a narrow filter, a page may hold fewer than `limit` outlets.
    for (let reads = 0; reads < 10; reads++) {
      const page = await db.send(
        new QueryCommand({
          TableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': outletsPartition },
          ExclusiveStartKey: startKey,
          Limit: Math.max(limit, 100),
          ...projection,
        }),
      );
      const items = (page.Items ?? []).map(toOutlet);
      for (const [index, outlet] of items.entries()) {
        if (!where(outlet)) continue;
        outlets.push(outlet);
        const more = index < items.length - 1 || page.LastEvaluatedKey !== undefined;
        if (outlets.length === limit)
          return { outlets, ...(more ? { nextCursor: encodeCursor(outlet) } : {}) };
      }
      if (!page.LastEvaluatedKey) return { outlets };
      startKey = page.LastEvaluatedKey;
      const last = items.at(-1);
      if (reads === 9 && last) return { outlets, nextCursor: encodeCursor(last) };
    }
    return { outlets };
  };

  async function* pages(): AsyncIterable<Outlet[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const input: QueryCommandInput = {
        TableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': outletsPartition },
        ExclusiveStartKey: startKey,
        ...projection,
      };
      const page = await db.send(new QueryCommand(input));
      yield (page.Items ?? []).map(toOutlet);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  const getMany: OutletDirectory['getMany'] = async (outletIds) => {
    const items = await batchGetAll(db, TableName, [...new Set(outletIds)].map(outletKey), projection);
    return new Map(items.map((item) => [item.id as string, toOutlet(item)]));
  };

  /** Takes the publication lease of an item whose event is still owed; false if someone else holds it. */
  const takeLease = async (
    key: Record<string, string>,
    fields: { pending: string; owner: string; leaseAt: string },
    { owner, at }: Publication,
  ): Promise<Record<string, unknown> | undefined> => {
    const staleBefore = new Date(Date.parse(at) - publicationLeaseMs).toISOString();
    try {
      const { Attributes } = await db.send(
        new UpdateCommand({
          TableName,
          Key: key,
          UpdateExpression: 'SET #owner = :owner, #leaseAt = :at',
          ConditionExpression: '#pending = :yes AND (#owner = :owner OR #leaseAt < :staleBefore)',
          ExpressionAttributeNames: {
            '#pending': fields.pending,
            '#owner': fields.owner,
            '#leaseAt': fields.leaseAt,
          },
          ExpressionAttributeValues: {
            ':yes': true,
            ':owner': owner,
            ':at': at,
            ':staleBefore': staleBefore,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };

  const releaseLease = async (
    key: Record<string, string>,
    fields: { owner: string; leaseAt: string },
    owner: string,
  ) => {
    try {
      await db.send(
        new UpdateCommand({
          TableName,
          Key: key,
          // The epoch sorts before every lease time, so any next caller takes over at once.
          UpdateExpression: 'SET #leaseAt = :released',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': fields.owner, '#leaseAt': fields.leaseAt },
          ExpressionAttributeValues: { ':owner': owner, ':released': new Date(0).toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  };

  /** The event was published: nothing is owed any more. */
  const clearLease = async (
    key: Record<string, string>,
    fields: { pending: string; owner: string; leaseAt: string },
  ): Promise<void> => {
    try {
      await db.send(
        new UpdateCommand({
          TableName,
          Key: key,
          UpdateExpression: 'REMOVE #pending, #owner, #leaseAt',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: {
            '#pending': fields.pending,
            '#owner': fields.owner,
            '#leaseAt': fields.leaseAt,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  };

  const unsubscribeLease = {
    pending: 'unsubscribeEventPending',
    owner: 'unsubscribeEventOwner',
    leaseAt: 'unsubscribeEventLeaseAt',
  };

  /** The address's opt-out; the first unsubscribe of the address is the one it keeps. */
  const addressOptOut = (email: string, at: string) => ({
    TableName,
    Key: unsubscriptionKey(email),
    UpdateExpression: 'SET #type = :type, #email = :email, #at = if_not_exists(#at, :at)',
    ExpressionAttributeNames: { '#type': 'type', '#email': 'email', '#at': 'at' },
    ExpressionAttributeValues: { ':type': 'unsubscription', ':email': email, ':at': at },
  });

  const markAddressUnsubscribed: OutletDirectory['markAddressUnsubscribed'] = async (email, at) => {
    await db.send(new UpdateCommand(addressOptOut(email, at)));
  };

  /**
   * Sets the outlet's unsubscribedAt and the address's opt-out together (two items must change
   * together: the outlet's flag alone would be lost with the outlet). False when the outlet changed
   * since it was read: it went, it moved to another address, or it was unsubscribed meanwhile.
   */
  const unsubscribeOnce = async (current: Outlet, { owner, at }: Publication): Promise<boolean> => {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              // Invariant: unsubscribedAt is set once; whoever sets it owes `Outlet Unsubscribed` and holds its lease.
              Update: {
                TableName,
                Key: outletKey(current.id),
                UpdateExpression:
                  'SET unsubscribedAt = :at, unsubscribeEventPending = :yes, unsubscribeEventOwner = :owner, unsubscribeEventLeaseAt = :at',
                ConditionExpression:
                  'attribute_exists(pk) AND attribute_not_exists(unsubscribedAt) AND #email = :email',
                ExpressionAttributeNames: { '#email': 'email' },
                ExpressionAttributeValues: {
                  ':at': at,
                  ':yes': true,
                  ':owner': owner,
                  ':email': current.email,
                },
              },
            },
            { Update: addressOptOut(current.email, at) },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (failedConditions(error)?.[0]) return false;
      throw error;
    }
  };

  const markUnsubscribed: OutletDirectory['markUnsubscribed'] = async (outletId, publication) => {
    for (let attempt = 1; ; attempt++) {
      const current = await get(outletId);
      if (!current) return { state: 'missing' };
      if (current.unsubscribedAt) break;
      if (await unsubscribeOnce(current, publication))
        return {
          state: 'unsubscribed',
          mustPublish: true,
          outlet: { ...current, unsubscribedAt: publication.at },
        };
      if (attempt >= 3) throw new Error(`outlet ${outletId} kept changing while it was unsubscribed`);
    }
    const leased = await takeLease(outletKey(outletId), unsubscribeLease, publication);
    if (leased) return { state: 'already', mustPublish: true, outlet: toOutlet(leased) };
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: outletKey(outletId), ConsistentRead: true }),
    );
    if (!Item) return { state: 'missing' };
    return { state: 'already', mustPublish: false, outlet: toOutlet(Item) };
  };

  const unsubscribeEventPublished: OutletDirectory['unsubscribeEventPublished'] = (outletId) =>
    clearLease(outletKey(outletId), unsubscribeLease);

  const releaseUnsubscribeEvent: OutletDirectory['releaseUnsubscribeEvent'] = (outletId, owner) =>
    releaseLease(outletKey(outletId), unsubscribeLease, owner);

  const suppressionLease = { pending: 'eventPending', owner: 'eventOwner', leaseAt: 'eventLeaseAt' };

  const suppress: OutletDirectory['suppress'] = async ({ email, reason, detail, at }, owner) => {
    let result: SuppressionResult;
    try {
      // Invariant: an address is suppressed once; the first writer owes `Outlet Suppressed` and holds its lease.
      await db.send(
        new PutCommand({
          TableName,
          Item: {
            ...suppressionKey(email),
            type: 'suppression',
            email,
            reason,
            ...(detail ? { detail } : {}),
            at,
            eventPending: true,
            eventOwner: owner,
            eventLeaseAt: at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      result = { mustPublish: true, reason, ...(detail ? { detail } : {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const leased = await takeLease(suppressionKey(email), suppressionLease, { owner, at });
      const item =
        leased ??
        (await db.send(new GetCommand({ TableName, Key: suppressionKey(email), ConsistentRead: true })))
          .Item ??
        {};
      result = {
        mustPublish: leased !== undefined,
        reason: (item.reason as SuppressionResult['reason']) ?? reason,
        ...(item.detail ? { detail: item.detail as string } : {}),
      };
      at = (item.at as string) ?? at;
    }
    // Marked every time (not only on the transition), so a retry after a crash here completes it.
    const outletId = await ownerOf(email);
    if (outletId) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: outletKey(outletId),
            UpdateExpression:
              'SET suppressedAt = if_not_exists(suppressedAt, :at), suppressionReason = if_not_exists(suppressionReason, :reason)',
            ConditionExpression: 'attribute_exists(pk) AND #email = :email',
            ExpressionAttributeNames: { '#email': 'email' },
            ExpressionAttributeValues: { ':at': at, ':reason': result.reason, ':email': email },
          }),
        );
        result.outletId = outletId;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return result;
  };

  const suppressionEventPublished: OutletDirectory['suppressionEventPublished'] = (email) =>
    clearLease(suppressionKey(email), suppressionLease);

  const releaseSuppressionEvent: OutletDirectory['releaseSuppressionEvent'] = (email, owner) =>
    releaseLease(suppressionKey(email), suppressionLease, owner);

  const isSuppressed: OutletDirectory['isSuppressed'] = async (email) =>
    (await suppressionOf(email)) !== undefined;

  return {
    create,
    get,
    findByEmail,
    replace,
    remove,
    upsertByEmail,
    list,
    pages,
    getMany,
    markUnsubscribed,
    markAddressUnsubscribed,
    unsubscribeEventPublished,
    releaseUnsubscribeEvent,
    suppress,
    suppressionEventPublished,
    releaseSuppressionEvent,
    isSuppressed,
  };
}

let live: OutletDirectory | undefined;
const liveDirectory = () => {
  live ??= dynamoOutletDirectory();
  return live;
};

/** Every outlet, one DynamoDB page (up to 1 MB, about 3,000 outlets) at a time, in name order. */
export const outletPages = (): AsyncIterable<Outlet[]> => liveDirectory().pages();

/** Every outlet: 5,000 outlets take two or three Query requests. */
export async function listAllOutlets(): Promise<Outlet[]> {
  const all: Outlet[] = [];
  for await (const page of outletPages()) all.push(...page);
  return all;
}

/** The outlets with these ids that still exist (BatchGetItem, 100 keys per call). */
export const getOutlets = (outletIds: readonly string[]): Promise<Map<string, Outlet>> =>
  liveDirectory().getMany(outletIds);
