import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { outletKey, outletListKey } from '#shared/db/outlet-items.ts';
import { outletListing } from '#shared/db/outlet-listing.ts';
import type { Outlet } from '#shared/outlets.ts';
import { anOutlet } from '#test/support/outlets.ts';

/**
 * A page of a filtered listing (`where`) says more follow only when they may: a client reading page by
 * page takes a page with a cursor for one that outlets follow, and an empty page for the end.
 */
const documents = mockClient(DynamoDBDocumentClient);
const itemOf = (outlet: Outlet) => ({ ...outletKey(outlet.id), ...outletListKey(outlet), ...outlet });
const radio = anOutlet({ id: 'out-a', name: 'A radio', kind: 'radio' });
const press = ['b', 'c', 'd'].map((id) => anOutlet({ id: `out-${id}`, name: `${id} press`, kind: 'press' }));

// An instance, as the listing's paginated query wants one (its send is the mock's).
const listing = () => outletListing(DynamoDBDocumentClient.from(new DynamoDBClient({})), 't');

beforeEach(() => documents.reset());

describe('a filtered page of the directory', () => {
  it('gives no cursor when the last read is the directory’s last and holds no other outlet the filter takes', async () => {
    documents.on(QueryCommand).resolves({ Items: [radio, ...press].map(itemOf) });

    const page = await listing().list({
      limit: 1,
      where: (outlet) => outlet.kind === 'radio',
    });

    expect(page).toEqual({ outlets: [expect.objectContaining({ id: 'out-a' })] });
  });

  it('gives a cursor when the last read holds another outlet the filter takes, or the directory goes on', async () => {
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [radio, press[0], { ...press[1], kind: 'radio' as const }].map(itemOf) })
      .resolves({ Items: [radio].map(itemOf), LastEvaluatedKey: { pk: 'x' } });
    const where = (outlet: Outlet) => outlet.kind === 'radio';

    const another = await listing().list({ limit: 1, where });
    const goesOn = await listing().list({ limit: 1, where });

    expect(another.nextCursor).toBeDefined();
    expect(goesOn.nextCursor).toBeDefined();
  });
});
