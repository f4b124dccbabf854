import { ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import { dynamoDeliveries } from '#shared/db/deliveries.ts';
import { dynamoEmailSentClaims } from '#shared/db/email-sent-claims.ts';
import {
  anAnnouncedPress,
  aReleaseClaim,
  emailSent,
  giveDeBack,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { documentClient } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: SES's Email Sent for a withdrawal still claimed
 * settles it, its mark (with the `Release Mails Settled` it asks, in the outbox by the same transaction)
 * applied and its answer lost: the SDK's retry cancelled for a conflict goes again as a new transaction,
 * which the mark its first try wrote refuses. Taken for a mark by another writer (its sender, which asks
 * nothing), the withdrawal was also asked from the settlement at once (`announceAgainAfterWithdrawals`):
 * the address's next round was asked twice, once by the mark's own ask and once directly. The release
 * and the press are the announcer's fakes; the claims are the file's own table's.
 */
const table = aTableOfItsOwn('backline-email-sent-lost');

describe('an Email Sent mark that landed while its answer was lost', () => {
  it('is the settlement’s own: the withdrawal’s next round is asked once, by the mark', async () => {
    const { german, world, label } = await anAnnouncedPress();
    // DE is withdrawn (its mailing held: the German withdrawal is the one claimed below), then given back.
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z', ['cancellation']);
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    const asked = world.published.length;
    const [withdrawal] = await dynamoDeliveries(documentClient(), table.name).claimMany(
      [
        aReleaseClaim(german, {
          kind: 'cancellation',
          asOf: '2026-02-01T10:00:00.000Z',
          context: { territories: 'DE' },
        }),
      ],
      '2027-03-01T12:00:00.000Z',
    );
    const losing = answerLostOnce(documentClient(), TransactWriteCommand);

    await settleFromEmailsSent(
      [emailSent({ messageId: 'ses-withdrawal', email: german.email, deliveryId: withdrawal.deliveryId })],
      { ...world.deps, deliveries: dynamoEmailSentClaims(losing.client, table.name) },
    );

    expect(losing.lost()).toBe(true);
    const { Items = [] } = await documentClient().send(
      new ScanCommand({ TableName: table.name, ConsistentRead: true }),
    );
    expect(Items.find((item) => item.deliveryId === withdrawal.deliveryId)?.status).toBe('sent');
    const settledAsks = Items.filter((item) => item.detailType === 'Release Mails Settled');
    expect(settledAsks.map((item) => JSON.parse(item.detail).data.deliveryIds)).toEqual([
      [withdrawal.deliveryId],
    ]);
    // Its own mark asked; nothing is asked from the settlement at once.
    expect(world.published.slice(asked).map((entry) => entry.detailType)).toEqual([]);
  });

  it('is still its sender’s when the sender marked it between the settlement’s read and its mark', async () => {
    const { german, world, label } = await anAnnouncedPress();
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z', ['cancellation']);
    await label(giveDeBack, 'evt-given-back', '2026-02-02T10:00:00.000Z');
    const asked = world.published.length;
    const sender = dynamoDeliveries(documentClient(), table.name);
    const [withdrawal] = await sender.claimMany(
      [
        aReleaseClaim(german, {
          kind: 'cancellation',
          asOf: '2026-02-01T10:00:00.000Z',
          context: { territories: 'DE' },
        }),
      ],
      '2027-03-01T12:00:00.000Z',
    );
    // The sender's own mark (which asks nothing) lands just before the settlement's.
    const client = documentClient();
    let marked = false;
    const racing = {
      send: async (command: Parameters<typeof client.send>[0]) => {
        if (!marked && command instanceof TransactWriteCommand) {
          marked = true;
          await sender.markSentMany(
            [{ deliveryId: withdrawal.deliveryId, messageId: 'ses-withdrawal' }],
            '2027-03-01T12:00:01.000Z',
          );
        }
        return client.send(command);
      },
    } as typeof client;

    await settleFromEmailsSent(
      [emailSent({ messageId: 'ses-withdrawal', email: german.email, deliveryId: withdrawal.deliveryId })],
      { ...world.deps, deliveries: dynamoEmailSentClaims(racing, table.name) },
    );

    expect(marked).toBe(true);
    // Asked from the settlement, at once: the sender's mark asked nothing.
    expect(world.published.slice(asked).map((entry) => entry.detailType)).toEqual(['Mailing Requested']);
  });
});
