import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoDeliveries, mailSubjects, type NewClaim } from '#shared/db/deliveries.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: a sender's claim is applied and its answer
 * lost. A lone claim (a conditional put) is sent again by the SDK and refused by the claim its first try
 * wrote; a page (one transaction) has its SDK retry cancelled for a conflict and goes again as a new
 * transaction, which the claims its first try wrote refuse. Taken for another sender's claims, the
 * mails were left out, unsent, their claims open until the stale-claim sweep sent them some 28 minutes
 * later. The table is the file's own: no function acts on it.
 */
const table = aTableOfItsOwn('backline-claim-lost');

const aShowMail = (): NewClaim => ({
  labelId: uniqueId('lbl'),
  subject: mailSubjects.show(uniqueId('tour'), uniqueId('show')),
  kind: 'advance-request',
  email: `${uniqueId('promoter')}@claims.example`,
  stream: 'operational',
  context: { tourId: 't', showId: 's' },
});
const at = '2027-03-01T12:00:00.000Z';

describe('a claim that landed while its answer was lost', () => {
  it('is the claimer’s own when it is a lone claim, and still another claimer’s claimed before', async () => {
    const losing = answerLostOnce(documentClient(), PutCommand);
    const store = dynamoDeliveries(documentClient(), table.name);
    const mail = aShowMail();

    const claimed = await dynamoDeliveries(losing.client, table.name).claimMany([mail], at);

    expect(losing.lost()).toBe(true);
    expect(claimed).toHaveLength(1);
    expect((await store.getMany([claimed[0].deliveryId])).get(claimed[0].deliveryId)).toEqual(claimed[0]);
    expect(await store.claimMany([mail], at)).toEqual([]);
  });

  it('is the claimer’s own when a page’s retry went as a new transaction, and still another claimer’s claimed before', async () => {
    const losing = answerLostOnce(documentClient(), TransactWriteCommand);
    const store = dynamoDeliveries(documentClient(), table.name);
    const [a, b, c] = [aShowMail(), aShowMail(), aShowMail()];

    const claimed = await dynamoDeliveries(losing.client, table.name).claimMany([a, b], at);

    expect(losing.lost()).toBe(true);
    expect(claimed.map(({ email }) => email)).toEqual([a.email, b.email]);
    expect((await store.claimMany([a, c, b], at)).map(({ email }) => email)).toEqual([c.email]);
  });
});
