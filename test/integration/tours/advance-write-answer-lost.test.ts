import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { submitAdvancePage } from '#functions/recipients/tour-links.ts';
import { dynamoOutbox } from '#shared/db/outbox-publishing.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import { ShowAdvanced } from '#shared/events/index.ts';
import { csrfTokenFor, signAdvanceToken } from '#shared/tokens.ts';
import { advanceLinkExpiry } from '#shared/tours.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';
import { aShow, filledAdvanceForm, storeTourWithShow } from '#test/support/tours.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: the promoter's advance (the show's item with
 * its Show Advanced, one transaction) is applied and its answer lost, the SDK's retry of it cancelled
 * for a conflict, and the write goes again as a new transaction, which the advance its first attempt
 * stored refuses. Read as another submission's, that refusal made the promoter's first answers an
 * amendment of themselves: saved again as amended, told "Your changes are saved", and a second Show
 * Advanced (amended) stated for one submission. The table is the file's own: no function acts on it.
 */
const table = aTableOfItsOwn('backline-advance-lost');
const key = 'k'.repeat(48);

describe('an advance whose write landed while its answer was lost', () => {
  it('is saved once, as submitted, with one Show Advanced', async () => {
    const show = aShow({ showId: uniqueId('show') });
    const ref = { labelId: uniqueId('lbl'), tourId: uniqueId('tour'), showId: show.showId };
    const tours = dynamoTours(documentClient(), table.name);
    const { promoterId } = await storeTourWithShow(tours, show, undefined, ref);
    // The first transaction is applied, and its answer is the SDK's retry's: cancelled for a conflict.
    const client = documentClient();
    const losing = answerLostOnce(client, TransactWriteCommand);
    const token = signAdvanceToken(key, { ...ref, promoterId, expiresAt: advanceLinkExpiry(show) });
    const submittedAt = new Date('2027-01-02T10:00:00Z');

    const { saved } = await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token)), {
      signingKey: async () => key,
      tours: dynamoTours(losing.client, table.name),
      now: () => submittedAt,
    });

    expect(losing.lost()).toBe(true);
    expect(saved).toBe('submitted');
    expect((await tours.getShow(ref))?.advance).toMatchObject({ submittedAt: submittedAt.toISOString() });
    expect((await tours.getShow(ref))?.advance?.amendedAt).toBeUndefined();
    const advanced = (
      await dynamoOutbox(documentClient(), table.name).unpublishedBefore(
        new Date('2100-01-01T00:00:00Z'),
        100,
      )
    ).flatMap((entry) =>
      entry.kind === 'event' &&
      entry.event.detailType === ShowAdvanced.detailType &&
      (entry.event.detail as { data: { showId: string } }).data.showId === show.showId
        ? [(entry.event.detail as { data: { amended: boolean } }).data.amended]
        : [],
    );
    expect(advanced).toEqual([false]);
  });
});
