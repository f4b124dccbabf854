import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { calendarOfMail } from '#test/support/calendar.ts';
import { busEvents, busIdle, clockNow, sdkConfig, uniqueId } from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';
import {
  afterPressWindow,
  aLabel,
  aPromoter,
  aTourShow,
  aVenue,
  mailsTo,
  plusDays,
  tourWebhook,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/**
 * Press on the local cloud for an outlet added to the directory through the manager's API after a
 * tour's press went out (`Outlets Changed`, docs/design.md#tours).
 */

describe('press for an outlet added after it went out', () => {
  it("tells it its country's announcement of the shows still on, once, with their calendar; outlets of another country or genre hear nothing", async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const today = (await clockNow()).toISOString().slice(0, 10);
    const promoter = aPromoter('Lanterns');
    const show = (city: string, days: number) =>
      aTourShow({
        date: plusDays(today, days),
        venue: aVenue(city, 'DE', 'Europe/Berlin'),
        promoter,
        status: 'announced',
      });
    const berlin = show('Berlin', 40);
    const munich = show('Munich', 42);
    const first = await createOutlet({ name: 'Musikexpress', genres: [genre], territories: ['DE'] });
    await tourWebhook(label, 'tour.booked', {
      tourId,
      artist: { name: 'Paper Lanterns' },
      genres: [genre],
      tourManager: { name: 'Tam', email: `${uniqueId('tm')}@tm.example` },
      shows: [berlin, munich],
    });
    await afterPressWindow();
    await waitForMailTo(first.email, 'Paper Lanterns live in Germany');
    await tourWebhook(label, 'tour.show.cancelled', { tourId, showId: munich.showId }, 1);
    await waitForMailTo(first.email, 'Cancelled: Paper Lanterns in Germany');
    await busIdle();

    const late = await createOutlet({ name: 'Spex', genres: [genre], territories: ['DE'] });
    const france = await createOutlet({ name: 'Les Inrocks', genres: [genre], territories: ['FR'] });
    const jazz = await createOutlet({ name: 'Jazzthing', genres: [uniqueId('genre')], territories: ['DE'] });
    await busIdle();

    const [announcement] = await waitForMailTo(late.email, 'Paper Lanterns live in Germany');
    expect(calendarOfMail(announcement).map((event) => [event.summary, event.status])).toEqual([
      ['Paper Lanterns at Berlin Hall, Berlin', 'CONFIRMED'],
    ]);
    expect(await mailsTo(france.email)).toEqual([]);
    expect(await mailsTo(jazz.email)).toEqual([]);
    expect((await mailsTo(first.email, 'Paper Lanterns')).map((mail) => mail.subject)).toHaveLength(2);

    // The Outlets Changed naming the late outlet, delivered again: nothing more is sent.
    const [changed] = (await busEvents({ detailType: 'Outlets Changed' })).filter((event) =>
      (event.detail.data?.outletIds as string[] | undefined)?.includes(late.id),
    );
    await new EventBridgeClient(sdkConfig('events')).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'backline',
            Source: changed.source,
            DetailType: changed.detailType,
            Detail: JSON.stringify(changed.detail),
          },
        ],
      }),
    );
    await busIdle();
    expect(await mailsTo(late.email)).toHaveLength(1);
  });
});
