import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { WriteConflictError } from '#shared/db/conflicts.ts';
import { dynamoPromoCounters } from '#shared/db/promo.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { PromoAccessed } from '#shared/events/promo-accessed.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';

const link = { labelId: 'lbl-1', releaseId: 'rel-1', outletId: 'out-1', assetIndex: 0 };

/** One promo counter; its first `conflicts` transactions are cancelled by a concurrent one (TransactionConflict). */
function aCounterTable(conflicts: number) {
  let count = 0;
  const outbox: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof GetCommand) return { Item: count ? { accessCount: count } : undefined };
      if (command instanceof TransactWriteCommand) {
        const items = command.input.TransactItems ?? [];
        if (conflicts-- > 0)
          throw transactionCancelled(items.map((_, at) => (at === 0 ? 'TransactionConflict' : 'None')));
        count = Number(items[0]?.Update?.ExpressionAttributeValues?.[':next']);
        outbox.push(...items.slice(1));
        return {};
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  };
  return { client, outbox, count: () => count };
}

describe('promo access counter', () => {
  it('counts an access once when its transaction is cancelled by a concurrent one, instead of failing the link', async () => {
    const table = aCounterTable(2);
    const counters = dynamoPromoCounters(table.client as never, 't');

    const counted = await counters.countAccess(link, { at: '2027-03-05T12:00:00.000Z' }, (accessCount) => [
      outboxEntry(PromoAccessed, { ...link, assetKind: 'stream', accessCount }, { labelId: link.labelId }),
    ]);

    expect(counted).toBe(1);
    expect(table.count()).toBe(1);
    expect(table.outbox).toHaveLength(1);
  });

  it('bounds the transactions of one open among others opening the link at once (conflicts, and counts changed meanwhile) to 10 in all', async () => {
    // Every transaction meets a concurrent one: four are cancelled (TransactionConflict), and by the
    // fifth another open has counted, so its condition fails and the count must be read again.
    let count = 0;
    let transactions = 0;
    const client = {
      send: async (command: unknown) => {
        if (command instanceof GetCommand) return { Item: count ? { accessCount: count } : undefined };
        if (!(command instanceof TransactWriteCommand)) throw new Error(`unexpected ${String(command)}`);
        transactions++;
        if (transactions % 5 !== 0) throw transactionCancelled(['TransactionConflict', 'None']);
        count++;
        throw transactionCancelled(['ConditionalCheckFailed', 'None']);
      },
    };

    const counting = dynamoPromoCounters(client as never, 't').countAccess(
      link,
      { at: '2027-03-05T12:00:00.000Z' },
      (accessCount) => [
        outboxEntry(PromoAccessed, { ...link, assetKind: 'stream', accessCount }, { labelId: link.labelId }),
      ],
    );

    await expect(counting).rejects.toThrow(WriteConflictError);
    expect(transactions).toBe(10);
  });
});
