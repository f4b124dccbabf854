import type { KeptTold } from '#shared/db/deliveries.ts';

/**
 * What a mail told its recipient that a later mail must restate: for a release mail, each street date
 * it stated (its moment key, as revisionOf in shared/releases.ts writes it) with the territories it
 * stated it for, so a date change can say what the date was for that address (see
 * docs/design.md#exactly-once-mail).
 */
export type ToldDates = Record<string, string[]>;

/**
 * Lists longer than this are kept as a set over every two-letter code (AA to ZZ, 676 bits, base64url:
 * 114 characters whatever the count): 32 codes in a list (3 bytes each) cost about what the set does.
 * A release naming some 250 territories one by one (an ERN deal for the world) would otherwise put 750
 * bytes of codes on each of its deliveries, and the item past 1 KB: two write units for every claim
 * and mark instead of one (docs/design.md#exactly-once-mail). Only the announcer writes and reads
 * `told`, so the codec is its own: the other senders' bundles do not hold it.
 */
const listedUpTo = 32;
const codes = 26 * 26;
const isCode = (territory: string) => /^[A-Z]{2}$/.test(territory);

function territorySet(territories: readonly string[]): string {
  const bits = new Uint8Array(Math.ceil(codes / 8));
  for (const territory of territories) {
    const bit = (territory.charCodeAt(0) - 65) * 26 + (territory.charCodeAt(1) - 65);
    bits[bit >> 3] |= 1 << (bit & 7);
  }
  return Buffer.from(bits).toString('base64url');
}

function territoriesOfSet(set: string): string[] {
  const bits = Buffer.from(set, 'base64url');
  const territories: string[] = [];
  for (let bit = 0; bit < codes; bit++)
    if ((bits[bit >> 3] ?? 0) & (1 << (bit & 7)))
      territories.push(String.fromCharCode(65 + Math.floor(bit / 26), 65 + (bit % 26)));
  return territories;
}

/** `told` as its delivery keeps it: each date's territories as listed, or, for a long list, as a set. */
export const keptTold = (told: ToldDates): KeptTold =>
  Object.fromEntries(
    Object.entries(told).map(([key, territories]) => [
      key,
      territories.length > listedUpTo && territories.every(isCode) ? territorySet(territories) : territories,
    ]),
  );

/** What a delivery's `told` says, territory by territory (a set gives its codes in alphabetical order). */
export const toldOfKept = (kept: KeptTold): ToldDates =>
  Object.fromEntries(
    Object.entries(kept).map(([key, territories]) => [
      key,
      typeof territories === 'string' ? territoriesOfSet(territories) : territories,
    ]),
  );
