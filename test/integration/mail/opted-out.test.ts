import { describe, expect, it } from 'vitest';
import { dynamoOutletDirectory } from '#shared/db/outlets.ts';
import { dynamoSuppressionList } from '#shared/db/suppression-list.ts';
import { cloud, documentClient, uniqueId } from '#test/support/cloud.ts';

/**
 * The suppression list on DynamoDB Local as the directory writes it (shared/db/opt-outs.ts): what the
 * tours fake's opted-out addresses stand for (test/support/tours.ts).
 */
describe('the addresses campaign mail must not reach', () => {
  it('are those suppressed and those unsubscribed, by normalised address, whether or not an outlet has them now', async () => {
    const directory = dynamoOutletDirectory(documentClient(), cloud().tableName);
    const list = dynamoSuppressionList(documentClient(), cloud().tableName);
    const [unsubscribed, suppressed, mailable] = ['u', 's', 'm'].map((n) => `${uniqueId(n)}@opted.example`);
    const at = '2027-03-01T12:00:00.000Z';
    await directory.markAddressUnsubscribed(unsubscribed, at, () => []);
    await directory.suppress({ email: suppressed, reason: 'bounce', at }, []);

    const asked = [unsubscribed.toUpperCase(), suppressed, mailable];

    expect(await list.optedOutAmong(asked)).toEqual(new Set([unsubscribed, suppressed]));
    expect(await list.suppressedAmong(asked)).toEqual(new Set([suppressed]));
    expect(await list.optedOutAmong([])).toEqual(new Set());
  });
});
