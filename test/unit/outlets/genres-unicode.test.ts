import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { outletKey, outletListKey } from '#shared/db/outlet-items.ts';
import { outletListing } from '#shared/db/outlet-listing.ts';
import { OutletInput } from '#shared/outlet-input.ts';
import { type Outlet, outletMatchesRelease } from '#shared/outlets.ts';
import { addDateConcerns } from '#shared/radio.ts';
import { anOutlet, anOutletInput } from '#test/support/outlets.ts';

/**
 * One genre, two writings: "électro" with é as one character (NFC, as most keyboards type it) and as e
 * followed by U+0301 (NFD, as macOS and some exports write it). A manager and a label typing the same
 * genre must reach each other, whichever writing each one's keyboard made.
 */
const composed = 'électro'.normalize('NFC');
const decomposed = 'électro'.normalize('NFD');

describe('genres written with accents in either Unicode form', () => {
  it('match a release of the genre written the other way', () => {
    const outlet = { genres: [decomposed], territories: ['FR'] };

    const matched = outletMatchesRelease(outlet, { genres: [composed], territories: ['FR'] });

    expect(matched).toBe(true);
  });

  it('as a radio format, reach a station whose format is written the other way', () => {
    const station = { formats: [decomposed], territories: ['FR'] };

    const concerned = addDateConcerns(station, { format: composed, territory: 'FR', date: '2027-03-09' });

    expect(concerned).toBe(true);
  });

  it('are kept once on an outlet whose list spells the genre both ways', () => {
    const input = OutletInput.parse(anOutletInput({ genres: [composed, decomposed.toUpperCase()] }));

    expect(input.genres).toEqual([composed]);
  });
});

/**
 * DynamoDB filters a listing for a release's genres on the keys stored on each outlet's item
 * (`genreKeys`): an item written before the keys were normalised keeps them as the manager typed them
 * until its outlet is written again. The table's filter is modelled here: an item comes back when it
 * has no keys or holds one of the values asked for.
 */
describe("the directory listed for a release's genres", () => {
  const documents = mockClient(DynamoDBDocumentClient);
  afterEach(() => documents.reset());

  const stored = (outlet: Outlet, genreKeys: string[]) => ({
    ...outletKey(outlet.id),
    ...outletListKey(outlet),
    ...outlet,
    genreKeys: new Set(genreKeys),
  });
  const listedFor = async (genres: string[], items: Record<string, unknown>[]) => {
    documents.on(QueryCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
      const asked = Object.entries(input.ExpressionAttributeValues ?? {})
        .filter(([name]) => name.startsWith(':g'))
        .map(([, value]) => value);
      const kept = items.filter((item) =>
        [...(item.genreKeys as Set<string>)].some((key) => asked.includes(key)),
      );
      return { Items: kept };
    });
    const page = await outletListing(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
      't',
    ).list({
      limit: 10,
      genres,
    });
    return page.outlets.map((outlet) => outlet.id);
  };

  it('lists an outlet whose keys were stored decomposed for the genre written composed, and the other way', async () => {
    const before = anOutlet({ id: 'out-before', name: 'Before', genres: [decomposed] });
    const now = anOutlet({ id: 'out-now', name: 'Now', genres: [composed] });
    const items = [stored(before, [decomposed]), stored(now, [composed])];

    const forComposed = await listedFor([composed], items);
    const forDecomposed = await listedFor([decomposed], items);

    expect(forComposed).toEqual(['out-before', 'out-now']);
    expect(forDecomposed).toEqual(['out-before', 'out-now']);
  });
});
