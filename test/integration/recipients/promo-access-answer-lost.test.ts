import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoPromoCounters } from '#shared/db/promo.ts';
import { outboxEntry, PromoAccessed } from '#shared/events/index.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: an open's count (the counter with its Promo
 * Accessed, one transaction) is applied and its answer lost, the SDK's retry of it cancelled for a
 * conflict. Promo counting meets a conflict by reading again (no resend of its own), and read again, the
 * count its own write stored was taken for another open's: the open was counted twice, two Promo Accessed
 * stated, and a link allowed 2 opens was used up by one. The table is the file's own: no function acts on it.
 */
const table = aTableOfItsOwn('backline-promo-lost');

describe('an open of a promo link whose count landed while its answer was lost', () => {
  it('is counted once', async () => {
    const link = {
      labelId: uniqueId('lbl'),
      releaseId: uniqueId('rel'),
      outletId: uniqueId('out'),
      assetIndex: 0,
    };
    const client = documentClient();
    const losing = answerLostOnce(client, TransactWriteCommand);
    const stated: number[] = [];
    const eventsFor = (accessCount: number) => {
      stated.push(accessCount);
      return [outboxEntry(PromoAccessed, { ...link, assetKind: 'stream', accessCount })];
    };
    const at = '2027-03-01T12:00:00.000Z';

    const first = await dynamoPromoCounters(losing.client, table.name).countAccess(
      link,
      { maxAccesses: 2, at },
      eventsFor,
    );
    const second = await dynamoPromoCounters(client, table.name).countAccess(
      link,
      { maxAccesses: 2, at },
      eventsFor,
    );

    expect(losing.lost()).toBe(true);
    expect([first, second]).toEqual([1, 2]);
    expect(stated).toEqual([1, 2]);
  });
});
