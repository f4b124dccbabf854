import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import type { OutboxEntry } from '../events/outbox.ts';
import type { Outlet, OutletInput } from '../outlets.ts';
import { batchGetAll } from './batch-get.ts';
import { failedConditions, isConditionFailure } from './conditions.ts';
import { keyOf, keyParts } from './keys.ts';
import { writeWithOutbox } from './outbox.ts';

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

export type UnsubscribeResult =
  | { state: 'missing' }
  /** The outlet has another address now than the one that was mailed: the outlet itself stays subscribed. */
  | { state: 'moved' }
  | { state: 'unsubscribed' | 'already'; outlet: Outlet };

export interface SuppressionResult {
  /** True when this call suppressed the address (and wrote its outbox entries); false when it was suppressed before. */
  suppressedNow: boolean;
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
  /**
   * The outlets `where` accepts, in name order (the bytes of the lower-case name, then the id: the
   * index's sort key), `limit` at most per page. A cursor outlives the outlet it was taken after.
   */
  list(options: { limit: number; cursor?: string; where?: (outlet: Outlet) => boolean }): Promise<OutletPage>;
  /** Every outlet in name order, one DynamoDB page at a time (up to 1 MB each). */
  pages(): AsyncIterable<Outlet[]>;
  /** The outlets with these ids that exist. */
  getMany(outletIds: readonly string[]): Promise<Map<string, Outlet>>;
  /**
   * Unsubscribes the outlet and opts out its address, with `outbox` (the events the transition leads
   * to) in the same transaction; when it was unsubscribed before, nothing is written. With `mailedTo`
   * (the address the mail went to), only while the outlet still has that address: an opt-out follows
   * the address that was mailed.
   */
  markUnsubscribed(
    outletId: string,
    at: string,
    outbox: OutboxEntry[],
    mailedTo?: string,
  ): Promise<UnsubscribeResult>;
  /** Keeps the address's opt-out on its own (its outlet is gone): an outlet later given the address starts unsubscribed. */
  markAddressUnsubscribed(email: string, at: string): Promise<void>;
  /**
   * Suppresses the address (once: the first suppression is kept) with `outbox` in the same write, and
   * marks its outlet; `outbox` is written only by the call that suppresses it.
   */
  suppress(suppression: Suppression, outbox: OutboxEntry[]): Promise<SuppressionResult>;
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

/** The directory every function reads and unsubscribes through; no address ever moves or goes through it. */
/** An outlet as stored: what the manager entered, with the opt-outs its address carries. */
export function outletOf(
  id: string,
  input: OutletInput,
  state: {
    unsubscribedAt?: string;
    suppressed?: { at: string; reason: string };
    createdAt: string;
    updatedAt: string;
  },
): Outlet {
  const { unsubscribedAt, suppressed } = state;
  return {
    id,
    name: input.name,
    email: input.email,
    kind: input.kind,
    genres: input.genres,
    territories: input.territories,
    ...(input.contactName ? { contactName: input.contactName } : {}),
    ...(unsubscribedAt ? { unsubscribedAt } : {}),
    ...(suppressed ? { suppressedAt: suppressed.at, suppressionReason: suppressed.reason } : {}),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  } as Outlet;
}

export function dynamoOutletDirectory(
  db: DynamoDBDocumentClient = dynamo(),
  tableName: string = config().TABLE_NAME,
): OutletDirectory {
  return outletDirectoryParts(db, tableName).directory;
}

/**
 * The directory and the reads and writes it is made of, for shared/db/outlet-changes.ts to build the
 * management API's replace and delete on. Those two (the only ones that delete an item) live there, so
 * that a function which only reads and unsubscribes does not reach DeleteItem (see docs/design.md#topology).
 */
export function outletDirectoryParts(db: DynamoDBDocumentClient, tableName: string) {
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
    const outlet = outletOf(id, input, {
      unsubscribedAt: unsubscribed?.at,
      suppressed,
      createdAt: now,
      updatedAt: now,
    });
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

  const findByEmail: OutletDirectory['findByEmail'] = async (email) => {
    const outletId = await ownerOf(email);
    return outletId ? get(outletId) : undefined;
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
   * together: the outlet's flag alone would be lost with the outlet), with the events of the
   * transition. False when the outlet changed since it was read: it went, it moved to another
   * address, or it was unsubscribed meanwhile.
   */
  const unsubscribeOnce = (current: Outlet, at: string, outbox: OutboxEntry[]): Promise<boolean> =>
    writeWithOutbox(
      db,
      [
        {
          // Invariant: unsubscribedAt is set once; whoever sets it writes the events of the transition.
          Update: {
            TableName,
            Key: outletKey(current.id),
            UpdateExpression: 'SET unsubscribedAt = :at',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(unsubscribedAt) AND #email = :email',
            ExpressionAttributeNames: { '#email': 'email' },
            ExpressionAttributeValues: { ':at': at, ':email': current.email },
          },
        },
        { Update: addressOptOut(current.email, at) },
      ],
      outbox,
      at,
    );

  const markUnsubscribed: OutletDirectory['markUnsubscribed'] = async (outletId, at, outbox, mailedTo) => {
    for (let attempt = 1; ; attempt++) {
      const current = await get(outletId);
      if (!current) return { state: 'missing' };
      // unsubscribeOnce's condition holds the outlet to this address, so a move meanwhile is seen on retry.
      if (mailedTo !== undefined && current.email !== mailedTo) return { state: 'moved' };
      if (current.unsubscribedAt) return { state: 'already', outlet: current };
      if (await unsubscribeOnce(current, at, outbox))
        return { state: 'unsubscribed', outlet: { ...current, unsubscribedAt: at } };
      if (attempt >= 3) throw new Error(`outlet ${outletId} kept changing while it was unsubscribed`);
    }
  };

  const suppress: OutletDirectory['suppress'] = async ({ email, reason, detail, at }, outbox) => {
    // Invariant: an address is suppressed once; the first writer writes the events of the transition.
    const suppressedNow = await writeWithOutbox(
      db,
      [
        {
          Put: {
            TableName,
            Item: {
              ...suppressionKey(email),
              type: 'suppression',
              email,
              reason,
              ...(detail ? { detail } : {}),
              at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      outbox,
      at,
    );
    let result: SuppressionResult = { suppressedNow, reason, ...(detail ? { detail } : {}) };
    if (!suppressedNow) {
      const { Item: item = {} } = await db.send(
        new GetCommand({ TableName, Key: suppressionKey(email), ConsistentRead: true }),
      );
      result = {
        suppressedNow,
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

  const isSuppressed: OutletDirectory['isSuppressed'] = async (email) =>
    (await suppressionOf(email)) !== undefined;

  const directory: OutletDirectory = {
    create,
    get,
    findByEmail,
    list,
    pages,
    getMany,
    markUnsubscribed,
    markAddressUnsubscribed,
    suppress,
    isSuppressed,
  };
  return {
    directory,
    parts: { db, TableName, get, suppressionOf, unsubscriptionOf, ownerOf, claimEmail, create },
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
