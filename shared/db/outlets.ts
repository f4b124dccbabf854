import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import type { OutletInput } from '../outlet-input.ts';
import type { Outlet } from '../outlets.ts';
import type { OptOuts } from './opt-outs.ts';
import { type OutletListing, outletListing } from './outlet-listing.ts';
import { outletLookup } from './outlet-lookup.ts';

/**
 * The media outlet directory and its one rule: one outlet per normalised address. Listing and paging
 * are in outlet-listing.ts, an outlet by id or address with its address's opt-outs in outlet-lookup.ts
 * (opt-outs, unsubscribed and suppressed addresses, in opt-outs.ts), the items and their keys in
 * outlet-items.ts; the writes of an outlet (create, replace, delete) in outlet-changes.ts.
 */

/** Another outlet already has this address. */
export class DuplicateEmailError extends Error {
  readonly email: string;
  constructor(email: string) {
    super(`an outlet with email ${email} already exists`);
    this.email = email;
  }
}

/** The outlet directory, as every function that needs it sees it. */
export interface OutletDirectory extends OutletListing, OptOuts {
  get(outletId: string): Promise<Outlet | undefined>;
  findByEmail(email: string): Promise<Outlet | undefined>;
}

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
    ...(input.formats?.length ? { formats: input.formats } : {}),
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
  const { get, getStored, ownerOf, findByEmail, suppressionOf, unsubscriptionOf, optOuts } = outletLookup(
    db,
    tableName,
  );
  const directory: OutletDirectory = {
    get,
    findByEmail,
    ...outletListing(db, tableName),
    ...optOuts,
  };
  return {
    directory,
    parts: { db, TableName: tableName, get, getStored, suppressionOf, unsubscriptionOf, ownerOf },
  };
}
