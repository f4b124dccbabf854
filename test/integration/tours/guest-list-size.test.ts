import { describe, expect, it } from 'vitest';
import { api, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import {
  aLabel,
  aPromoter,
  aTourShow,
  aVenue,
  plusDays,
  showView,
  tourWebhook,
} from '#test/support/tours-cloud.ts';

/**
 * `POST /labels/{labelId}/tours/{tourId}/shows/{showId}/guests` on the real table: every guest the
 * route accepts (a name of up to 200 characters, a note of up to 500, 500 guests a show) goes into the
 * show's one item, which DynamoDB caps at 400 KB.
 */
describe("a show's guest list on DynamoDB", () => {
  it('answers a guest list that would outgrow the show’s record with a 4xx saying so, never a 500', async () => {
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const today = (await clockNow()).toISOString().slice(0, 10);
    const show = aTourShow({
      date: plusDays(today, 60),
      venue: aVenue('Tokyo', 'JP', 'Asia/Tokyo'),
      promoter: aPromoter('Udo'),
    });
    await tourWebhook(label, 'tour.booked', {
      tourId,
      artist: { name: 'Long Names' },
      tourManager: { name: 'Tam', email: `${uniqueId('tm')}@tm.example` },
      shows: [show],
    });
    await busIdle();
    expect((await showView(label.id, tourId, show.showId)).status).toBe(200);

    // Names and notes in Japanese, each within the route's limits (200 and 500 characters).
    const statuses: number[] = [];
    for (let round = 0; round < 4; round++) {
      const guests = Array.from({ length: 50 }, (_, i) => ({
        name: `${'漢'.repeat(190)} ${round}-${i}`,
        note: '字'.repeat(500),
        plusOnes: 1,
      }));
      const response = await api(`/labels/${label.id}/tours/${tourId}/shows/${show.showId}/guests`, {
        method: 'POST',
        json: { guests },
      });
      statuses.push(response.status);
    }

    // 200 guests of at most 500: each batch is added, or refused with a 4xx naming why.
    expect(
      statuses.map((status) => (status >= 500 ? `${status} (server error)` : 'added or refused')),
    ).toEqual(Array(4).fill('added or refused'));
  });
});
