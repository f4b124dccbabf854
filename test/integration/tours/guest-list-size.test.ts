import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/recipients/handler.ts';
import type { RecipientsDeps } from '#functions/recipients/recipients.ts';
import { dynamoTours } from '#shared/db/tours.ts';
import type { HttpEvent } from '#shared/http/index.ts';
import { csrfTokenFor, signAdvanceToken } from '#shared/tokens.ts';
import { advanceLinkExpiry } from '#shared/tours.ts';
import { api, busIdle, clockNow, cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { aShow, filledAdvanceForm, storeTourWithShow } from '#test/support/tours.ts';
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

/**
 * The promoter's advance is kept on the same item as the guest list: the tour manager's guests (each
 * within the route's limits) fill only their share of it, and the advance keeps its room.
 */
describe("a promoter's advance on a show whose guest list filled its record", () => {
  const key = 'k'.repeat(48);
  const now = '2027-04-20T10:00:00.000Z';

  it('is saved (303), not a 500 from DynamoDB refusing the item', async () => {
    const tours = dynamoTours(documentClient(), cloud().tableName);
    const ref = { labelId: uniqueId('lbl'), tourId: uniqueId('tour'), showId: uniqueId('show') };
    const show = aShow({
      showId: ref.showId,
      promoter: { name: 'Udo', email: `${uniqueId('udo')}@promoter.example` },
    });
    const { promoterId } = await storeTourWithShow(tours, show, now, ref);
    // Guests in Japanese, each within the route's limits, added until the list is full, then short
    // names until even one is refused: the list then holds all it may of the show's record.
    const guest = (name: string, note?: string) => ({
      name,
      ...(note ? { note } : {}),
      plusOnes: 1,
      addedAt: now,
    });
    for (let round = 0; round < 4; round++)
      await tours.addGuests(
        ref,
        Array.from({ length: 50 }, (_, i) => guest(`${'漢'.repeat(190)} ${round}-${i}`, '字'.repeat(500))),
      );
    for (
      let i = 0;
      (await tours.addGuests(ref, [guest(`${'漢'.repeat(190)} ${i}`, '字'.repeat(500))])) === 'added';
      i++
    );
    for (let i = 0; (await tours.addGuests(ref, [guest(`guest ${i}`)])) === 'added'; i++);
    const handler = makeHandler({} as RecipientsDeps, {
      signingKey: async () => key,
      tours,
      now: () => new Date(now),
    });
    const token = signAdvanceToken(key, { ...ref, promoterId, expiresAt: advanceLinkExpiry(show) });

    const answered = await handler(
      {
        version: '2.0',
        routeKey: 'POST /a/{token}',
        rawPath: `/a/${token}`,
        rawQueryString: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        pathParameters: { token },
        requestContext: { http: { method: 'POST', path: `/a/${token}` } },
        body: filledAdvanceForm(csrfTokenFor(key, token), {
          settlementCurrency: 'JPY',
          dayContactName: 'Aiko',
          dayContactPhone: '+81 3 5555 0100',
        }),
        isBase64Encoded: false,
      } as unknown as HttpEvent,
      {} as Context,
    ).then(
      (result) => result.statusCode,
      (error: Error) => `500 (${error.name})`,
    );

    expect(answered).toBe(303);
    expect((await tours.getShow(ref))?.advance?.answers.settlementCurrency).toBe('JPY');
  });
});
