import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoTours } from '#shared/db/tours.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { answerLostOnce } from '#test/support/dynamo-errors.ts';
import { aShow, storeTourWithShow } from '#test/support/tours.ts';

/**
 * docs/design.md#failures-and-retries, on DynamoDB Local: the guests' add (a conditional UpdateItem on the
 * list's length as read) is applied and its answer lost, and the SDK sends it again, which the list its
 * first try grew refuses. Read as a list grown by another add, the refusal was read again and the guests
 * found listed: 'listed', a 409 'already on the list' to the tour manager whose guests were just added.
 * The table is the file's own: no function acts on it.
 */
const table = aTableOfItsOwn('backline-guests-lost');

describe('guests added while the answer was lost', () => {
  it('are added, once', async () => {
    const show = aShow({ showId: uniqueId('show') });
    const ref = { labelId: uniqueId('lbl'), tourId: uniqueId('tour'), showId: show.showId };
    const at = '2027-01-01T00:00:00.000Z';
    const tours = dynamoTours(documentClient(), table.name);
    await storeTourWithShow(tours, show, at, ref);
    await tours.addGuests(ref, [{ name: 'Ann Early', plusOnes: 0, addedAt: at }]);
    // The add is applied and answered 500: the SDK sends the same request again.
    const client = documentClient();
    const losing = answerLostOnce(client, UpdateCommand);
    const guests = [
      { name: 'Bo Lost', plusOnes: 1, addedAt: '2027-01-02T10:00:00.000Z' },
      { name: 'Cy Lost', plusOnes: 0, note: 'photographer', addedAt: '2027-01-02T10:00:00.000Z' },
    ];

    const outcome = await dynamoTours(losing.client, table.name).addGuests(ref, guests);

    expect(losing.lost()).toBe(true);
    expect(outcome).toBe('added');
    expect((await tours.getShow(ref))?.guests?.map((guest) => guest.name)).toEqual([
      'Ann Early',
      'Bo Lost',
      'Cy Lost',
    ]);
  });
});
