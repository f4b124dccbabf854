import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { outletKey, outletListKey } from '#shared/db/outlet-items.ts';
import { outletsById } from '#shared/db/outlets-by-id.ts';
import { anOutlet } from '#test/support/outlets.ts';

/**
 * `Outlets Changed` reaches the announcer and tours a moment after the outlet's write (the outbox's
 * stream, the publisher, the bus), and each reads the outlets it names by id (`outletsById`): one not
 * found is taken as deleted since and told nothing, one found as it was before an edit is matched by
 * its old territories and genres, so an outlet just added (or moved into a release's territory) would
 * never hear of the releases still to come (docs/design.md#exactly-once-mail). BatchGetItem is
 * eventually consistent unless asked otherwise, and may not yet see a write acknowledged a moment
 * before. DynamoDB Local is always consistent, so the table is modelled here: the outlet just written
 * is seen, as written, by a strongly consistent read only.
 */
describe('the outlets an event names, read by id', () => {
  const documents = mockClient(DynamoDBDocumentClient);
  afterEach(() => documents.reset());

  const created = anOutlet({ id: 'out-new', email: 'desk@new-press.example', territories: ['DE'] });
  const moved = anOutlet({ id: 'out-moved', territories: ['DE'], updatedAt: '2027-03-05T12:00:00.000Z' });
  const itemOf = (outlet: typeof created) => ({
    ...outletKey(outlet.id),
    ...outletListKey(outlet),
    ...outlet,
  });
  const answered = (input: {
    RequestItems?: Record<string, { Keys?: Record<string, unknown>[]; ConsistentRead?: boolean }>;
  }) => {
    const asked = input.RequestItems?.table;
    // Before the writes: no outlet out-new, and out-moved still in GB.
    const seen =
      asked?.ConsistentRead === true
        ? [created, moved]
        : [{ ...moved, territories: ['GB'], updatedAt: moved.createdAt }];
    return {
      Responses: {
        table: seen
          .map(itemOf)
          .filter((item) => asked?.Keys?.some((key) => key.pk === item.pk && key.sk === item.sk)),
      },
    };
  };

  it('sees an outlet created or edited a moment before, as written', async () => {
    documents.on(BatchGetCommand).callsFake(answered);
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));

    const found = await outletsById(db, 'table', ['out-new', 'out-moved']);

    expect(found.get('out-new')).toEqual(created);
    expect(found.get('out-moved')?.territories).toEqual(['DE']);
  });
});
