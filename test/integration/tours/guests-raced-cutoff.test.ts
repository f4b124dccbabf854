import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoTours } from '#shared/db/tours.ts';
import { guestListCutoff } from '#shared/tours.ts';
import { documentClient, uniqueId } from '#test/support/cloud.ts';
import { aTableOfItsOwn } from '#test/support/contract-table.ts';
import { aShow, storeTourWithShow } from '#test/support/tours.ts';

/**
 * docs/design.md#tours, on DynamoDB Local: the guest list closes at its cutoff, as the show now has it. A
 * label change moving the cutoff earlier lands between the guests' add reading the show (the cutoff still
 * to come) and its write. Conditioned on the list as read only, the write took a guest added after the
 * cutoff as it then stood, who reached the list mailed to the promoter. The table is the file's own: no
 * function acts on it.
 */
const table = aTableOfItsOwn('backline-guests-raced');

/** A document client whose first update (the guests' write) lets `change` land just before it. */
function changingBeforeTheWrite(change: () => Promise<unknown>) {
  const db = documentClient();
  const state = { raced: false };
  const racingDb = {
    send: async (command: unknown) => {
      if (command instanceof UpdateCommand && !state.raced) {
        state.raced = true;
        await change();
      }
      return db.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { tours: dynamoTours(racingDb, table.name), state };
}

describe('guests added while a change moves the cutoff earlier', () => {
  it('are refused as the list closed when the change lands between the read and the write, and none is listed', async () => {
    const show = aShow({ showId: uniqueId('show') });
    const ref = { labelId: uniqueId('lbl'), tourId: uniqueId('tour'), showId: show.showId };
    const tours = dynamoTours(documentClient(), table.name);
    const stored = await storeTourWithShow(tours, show, undefined, ref);
    // 14:00 in Berlin on show day: before the list's cutoff (17:00), after the one the change sets (13:00).
    const addedAt = '2027-05-14T12:00:00.000Z';
    const moved = { ...show, guestListCutoff: '13:00' };
    const { tours: racing, state } = changingBeforeTheWrite(() =>
      tours.putShowIfNewer(
        {
          ...stored,
          show: moved,
          occurredAt: new Date(Date.parse(stored.occurredAt) + 60_000).toISOString(),
          lastEventId: uniqueId('evt'),
        },
        [],
      ),
    );

    const outcome = await racing.addGuests(ref, [{ name: 'Dee Late', plusOnes: 0, addedAt }]);

    expect([guestListCutoff(show) > addedAt, guestListCutoff(moved) > addedAt]).toEqual([true, false]);
    expect(state.raced).toBe(true);
    expect(outcome).toBe('locked');
    expect((await tours.getShow(ref))?.guests ?? []).toEqual([]);
  });
});
