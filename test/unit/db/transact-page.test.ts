import { type PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StateWrite } from '#shared/db/outbox.ts';
import { writeEachIfAllowed } from '#shared/db/transact-page.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';

const aPut = (id: string): StateWrite => ({
  Put: { TableName: 't', Item: { pk: id, sk: 'X' }, ConditionExpression: 'attribute_not_exists(pk)' },
});

const cancelled = transactionCancelled;

/** A table that holds `existing` keys and, optionally, conflicts on the first `conflicts` transactions. */
function aTable(existing: string[], conflicts = 0) {
  const items = new Set(existing);
  const requests: { kind: string; ids: string[] }[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof TransactWriteCommand) {
        const ids = command.input.TransactItems!.map((item) => String(item.Put!.Item!.pk));
        requests.push({ kind: 'transaction', ids });
        if (conflicts-- > 0) throw cancelled(ids.map(() => 'TransactionConflict'));
        if (ids.some((id) => items.has(id)))
          throw cancelled(ids.map((id) => (items.has(id) ? 'ConditionalCheckFailed' : 'None')));
        for (const id of ids) items.add(id);
        return {};
      }
      const id = String((command as PutCommand).input.Item!.pk);
      requests.push({ kind: 'put', ids: [id] });
      if (items.has(id))
        throw Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' });
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
});
