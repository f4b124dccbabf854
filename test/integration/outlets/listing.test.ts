import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { genreKeysOf, outletKey, outletListKey } from '#shared/db/outlet-items.ts';
import type { Outlet } from '#shared/outlets.ts';
import { cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { localOutletDirectory } from '#test/support/outlets-cloud.ts';

/**
 * What only the table does when the directory is listed for a release's genres (the contract suite,
 * test/contracts/outlet-directory.contract.ts, holds the rest): DynamoDB filters on the outlets'
 * `genreKeys`, so outlets stored without them must still come back, and a call whose reads all fall
 * on outlets the filter leaves out must still say where to go on.
 */
const anOutlet = (name: string, genres: string[]): Outlet => {
  const id = uniqueId('out');
  return {
    id,
    name,
    email: `${id}@listing.example`,
    kind: 'press',
    genres,
    territories: ['GB'],
    createdAt: '2027-03-01T12:00:00.000Z',
    updatedAt: '2027-03-01T12:00:00.000Z',
  };
};
const itemOf = (outlet: Outlet, withGenreKeys = true) => ({
  ...outletKey(outlet.id),
  ...outletListKey(outlet),
  type: 'outlet',
  ...outlet,
  ...(withGenreKeys && genreKeysOf(outlet) ? { genreKeys: genreKeysOf(outlet) } : {}),
});

/** Every outlet of `tag` listed for `genres`, following the cursors, and the outlets each call gave. */
async function listed(tag: string, genres: string[]) {
  const directory = localOutletDirectory();
  const names: string[] = [];
  const calls: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await directory.list({
      limit: 1,
      ...(cursor ? { cursor } : {}),
      genres,
      where: (outlet) => outlet.name.startsWith(tag),
    });
    names.push(...page.outlets.map((outlet) => outlet.name.slice(tag.length + 1)));
    calls.push(page.outlets.length);
    cursor = page.nextCursor;
  } while (cursor);
  return { names, calls };
}

describe('listing the directory for a release’s genres', () => {
  it('lists the outlets stored before their genres were kept for it, whatever their genres', async () => {
    const tag = uniqueId('legacy');
    const genre = uniqueId('genre');
    await documentClient().send(
      new PutCommand({ TableName: cloud().tableName, Item: itemOf(anOutlet(`${tag} old`, ['Jazz']), false) }),
    );
    await documentClient().send(
      new PutCommand({ TableName: cloud().tableName, Item: itemOf(anOutlet(`${tag} new`, ['Jazz'])) }),
    );

    expect((await listed(tag, [genre])).names).toEqual(['old']);
    expect((await listed(tag, ['jazz'])).names).toEqual(['new', 'old']);
  });

  it('lists the outlets of a release naming more genres than one filter may hold', async () => {
    const tag = uniqueId('many');
    const genres = Array.from({ length: 200 }, (_, i) => `${tag}-genre-${i}`);
    await documentClient().send(
      new PutCommand({ TableName: cloud().tableName, Item: itemOf(anOutlet(`${tag} last`, [genres[199]])) }),
    );

    // DynamoDB refuses an expression of more than 300 operators and functions: one per genre would.
    expect((await listed(tag, genres)).names).toEqual(['last']);
  });

  it('gives a cursor after ten reads that found nothing for the genres, and the outlet after them', async () => {
    const tag = uniqueId('sparse');
    const genre = uniqueId('genre');
    // 1,000 outlets of another genre, in name order before the one of `genre`: ten reads of 100.
    const others = Array.from({ length: 1_000 }, (_, i) =>
      anOutlet(`${tag} ${String(i).padStart(4, '0')}`, [`${genre}-not`]),
    );
    for (let start = 0; start < others.length; start += 25) {
      await documentClient().send(
        new BatchWriteCommand({
          RequestItems: {
            [cloud().tableName]: others
              .slice(start, start + 25)
              .map((outlet) => ({ PutRequest: { Item: itemOf(outlet) } })),
          },
        }),
      );
    }
    await documentClient().send(
      new PutCommand({ TableName: cloud().tableName, Item: itemOf(anOutlet(`${tag} match`, [genre])) }),
    );

    const { names, calls } = await listed(tag, [genre]);

    expect(names).toEqual(['match']);
    // A call that gave no outlet and still a cursor: the reads it made all fell on outlets left out.
    expect(calls.slice(0, -1)).toContain(0);
  });
});
