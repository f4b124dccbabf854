import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { mailSubjects, type NewClaim } from '#shared/db/deliveries.ts';
import { dynamoClaimAwaitingAdvance, dynamoNotePressAndClaim } from '#shared/db/press-notes.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';
import { aShow, storeTourWithShow } from '#test/support/tours.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: an advance step's claim (with the show's check)
 * or a press step's claims (with their notes), one transaction, is applied and its answer lost, the SDK's
 * retry of it cancelled for a conflict, and it goes again as a new transaction, which the claims its first
 * try wrote refuse. Taken for claims made before, the promoter's reminder and the press mails were left
 * out, unsent, until the stale-claim sweep sent them some 28 minutes later. The table is the file's own.
 */
const table = aTableOfItsOwn('backline-claim-check-lost');
const at = '2027-02-06T10:00:00.000Z';

const aStoredShow = () =>
  storeTourWithShow(
    dynamoTours(documentClient(), table.name),
    aShow({ showId: uniqueId('show'), promoter: { name: 'P', email: `${uniqueId('p')}@promoter.example` } }),
    '2027-02-05T10:00:00.000Z',
    { labelId: uniqueId('lbl'), tourId: uniqueId('tour') },
  );

describe('claims written behind a check while the answer was lost', () => {
  it('claim the advance step’s mail, once', async () => {
    const show = await aStoredShow();
    const { labelId, tourId, showId, promoterId } = show;
    const reminder: NewClaim = {
      labelId,
      subject: mailSubjects.show(tourId, showId),
      email: show.show!.promoter.email,
      kind: 'advance-reminder-1',
      stream: 'operational',
    };
    const awaited = { labelId, tourId, showId, promoterId };
    const losing = answerLostOnce(documentClient(), TransactWriteCommand);

    const written = await dynamoClaimAwaitingAdvance(losing.client, table.name)(awaited, [reminder], at);

    expect(losing.lost()).toBe(true);
    expect(written.refused).toBe(false);
    expect(written.claimed.map(({ email }) => email)).toEqual([reminder.email]);
    expect(await dynamoClaimAwaitingAdvance(documentClient(), table.name)(awaited, [reminder], at)).toEqual({
      claimed: [],
      refused: false,
    });
  });

  it('claim the press step’s mails', async () => {
    const show = await aStoredShow();
    const { labelId, tourId, showId, occurredAt } = show;
    const emails = [`a@${uniqueId('press')}.example`, `b@${uniqueId('press')}.example`];
    const losing = answerLostOnce(documentClient(), TransactWriteCommand);

    const written = await dynamoNotePressAndClaim(losing.client, table.name)(
      {
        asRead: { labelId, tourId, showId, occurredAt },
        country: 'DE',
        claims: emails.map((email) => ({
          claim: {
            labelId,
            subject: mailSubjects.tourShows(tourId, 'DE-v1'),
            email,
            kind: 'press-cancellation',
            stream: 'campaign',
          },
          told: { email, outletId: 'o1', showIds: [showId] },
        })),
      },
      at,
    );

    expect(losing.lost()).toBe(true);
    expect(written.refused).toBe(false);
    expect(written.claimed.map(({ email }) => email)).toEqual(emails);
  });
});
