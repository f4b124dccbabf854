import { genreKey, type Outlet } from '../outlets.ts';
import { keyOf, keyParts } from './keys.ts';

/**
 * The items an outlet is stored as, and their keys. Access patterns:
 * - an outlet by id ............................ pk `OUTLET#<id>`, sk `OUTLET`
 * - every outlet, in name order, paged ......... gsi1pk `OUTLETS`, gsi1sk `<lower-case name>#<id>`
 *   (the announcer reads all of them to match a release; the management API pages and filters them).
 *   `genreKeys`, the outlet's genres as matched (`genreKey`; absent when it has none), lets a listing
 *   for a release's genres have DynamoDB return only the outlets that may match (see outlet-listing.ts)
 * - the outlet that owns an address ............ pk `OUTLET_EMAIL#<email>`, sk `OUTLET_EMAIL` -> `outletId`
 *   Invariant: one outlet per normalised address. The outlet and its email item are written in one
 *   transaction (two items must change together); changing an outlet's address moves the email item.
 * - whether an address is suppressed ........... pk `SUPPRESSED#<email>`, sk `SUPPRESSED`
 *   Kept apart from the outlet, so a deleted and re-created outlet stays suppressed.
 * - whether an address unsubscribed ............ pk `UNSUBSCRIBED#<email>`, sk `UNSUBSCRIBED`
 *   Written in the same transaction as the outlet's `unsubscribedAt`, and kept apart from the outlet
 *   for the same reason: an outlet created, imported or moved onto the address starts unsubscribed.
 */

export const outletsPartition = 'OUTLETS';

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

/** The outlet's genres as they are matched, for its item's `genreKeys` (a string set: none when it has no genres). */
export const genreKeysOf = (outlet: Pick<Outlet, 'genres'>): Set<string> | undefined =>
  outlet.genres.length > 0 ? new Set(outlet.genres.map(genreKey)) : undefined;

/** The attributes of an outlet item that make up an `Outlet` (everything else is keys and bookkeeping). */
const outletFields = [
  'id',
  'name',
  'email',
  'kind',
  'genres',
  'territories',
  'contactName',
  'formats',
  'unsubscribedAt',
  'suppressedAt',
  'suppressionReason',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof Outlet)[];

export const projection = {
  ProjectionExpression: outletFields.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(outletFields.map((field, i) => [`#f${i}`, field])),
};

export function toOutlet(item: Record<string, unknown>): Outlet {
  const outlet: Record<string, unknown> = {};
  for (const field of outletFields) if (item[field] !== undefined) outlet[field] = item[field];
  return outlet as unknown as Outlet;
}
