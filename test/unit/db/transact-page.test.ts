import { type PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StateWrite } from '#shared/db/outbox.ts';
import { writeEachIfAllowed } from '#shared/db/transact-page.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';

const aPut = (id: string): StateWrite => ({
  Put: { TableName: 't', Item: { pk: id, sk: 'X' }, ConditionExpression: 'attribute_not_exists(pk)' },
});

const cancelled = transactionCancelled;

/**
 * A table that holds `existing` keys and, optionally, conflicts on the first `conflicts` transactions. A
 * refusal holds the item that refused it, as asked with ReturnValuesOnConditionCheckFailure: its writer
 * (`by`, one of `writers`, if any).
 */
function aTable(existing: string[], conflicts = 0, writers: Record<string, string> = {}) {
  const items = new Set(existing);
  const stored = (id: string) => ({ pk: { S: id }, ...(writers[id] ? { by: { S: writers[id] } } : {}) });
  const requests: { kind: string; ids: string[] }[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof TransactWriteCommand) {
        const ids = command.input.TransactItems!.map((item) => String(item.Put!.Item!.pk));
        requests.push({ kind: 'transaction', ids });
        if (conflicts-- > 0) throw cancelled(ids.map(() => 'TransactionConflict'));
        if (ids.some((id) => items.has(id)))
          throw Object.assign(
            cancelled(ids.map((id) => (items.has(id) ? 'ConditionalCheckFailed' : 'None'))),
            {
              CancellationReasons: ids.map((id) =>
                items.has(id) ? { Code: 'ConditionalCheckFailed', Item: stored(id) } : { Code: 'None' },
              ),
            },
          );
        for (const id of ids) items.add(id);
        return {};
      }
      const id = String((command as PutCommand).input.Item!.pk);
      requests.push({ kind: 'put', ids: [id] });
      if (items.has(id))
        throw Object.assign(new Error('exists'), {
          name: 'ConditionalCheckFailedException',
          Item: stored(id),
        });
      items.add(id);
      return {};
    },
  };
  return { client: client as never, items, requests };
}

describe('writing a page of conditional writes', () => {
  it('writes the page in one transaction, dropping the items whose condition failed and writing the rest again', async () => {
    const table = aTable(['b', 'd']);

    const written = await writeEachIfAllowed(table.client, ['a', 'b', 'c', 'd', 'e'].map(aPut));

    expect(written).toEqual([true, false, true, false, true]);
    expect(table.requests).toEqual([
      { kind: 'transaction', ids: ['a', 'b', 'c', 'd', 'e'] },
      { kind: 'transaction', ids: ['a', 'c', 'e'] },
    ]);
  });

  it('tries again a transaction cancelled by a conflict, refusing nothing', async () => {
    const table = aTable([], 2);

    const written = await writeEachIfAllowed(table.client, ['a', 'b'].map(aPut));

    expect(written).toEqual([true, true]);
    expect(table.requests).toHaveLength(3);
  });

  it('writes a lone item as a plain conditional write, which costs half a transaction', async () => {
    const table = aTable(['b']);

    const written = await writeEachIfAllowed(table.client, ['a', 'b'].map(aPut));

    expect(written).toEqual([true, false]);
    expect(table.requests.map((request) => request.kind)).toEqual(['transaction', 'put']);
  });

  it('writes an item refused by its own landing (`mine`, its answer lost), in a page as alone, and no other', async () => {
    const table = aTable(['a', 'b', 'd', 'e'], 0, { a: 'me', b: 'another', d: 'me' });
    const mine = (stored?: Record<string, { S?: string }>) => stored?.by?.S === 'me';

    const page = await writeEachIfAllowed(table.client, ['a', 'b', 'c'].map(aPut), undefined, mine);
    const alone = await writeEachIfAllowed(table.client, ['d'].map(aPut), undefined, mine);
    const another = await writeEachIfAllowed(table.client, ['e'].map(aPut), undefined, mine);

    expect([page, alone, another]).toEqual([[true, false, true], [true], [false]]);
  });
});
