import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { calendarOfMail } from '#test/support/calendar.ts';
import { busEvents, busIdle, sdkConfig, uniqueId } from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';
import {
  afterPressWindow,
  aPressTour,
  aVenue,
  mailsTo,
  tourWebhook,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/**
 * Press on the local cloud for an outlet added to the directory through the manager's API after a
 * tour's press went out (`Outlets Changed`, docs/design.md#tours).
 */

describe('press for an outlet added after it went out', () => {
  it("tells it its country's announcement of the shows still on, once, with their calendar; outlets of another country or genre hear nothing", async () => {
    const { genre, label, tourId, aShow, book } = await aPressTour('Paper Lanterns', 'Lanterns');
    const berlin = aShow(40, aVenue('Berlin', 'DE', 'Europe/Berlin'));
    const munich = aShow(42, aVenue('Munich', 'DE', 'Europe/Berlin'));
    const first = await createOutlet({ name: 'Musikexpress', genres: [genre], territories: ['DE'] });
    // In the directory before the booking, its own Outlets Changed taken: one mail per change
    // (docs/design.md#tours: one added while the shows are, in the gathering window, may hear in two).
    await busIdle();
    await book([berlin, munich]);
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
    expect((await mailsTo(first.email, 'Paper Lanterns')).map((mail) => mail.subject.split(':')[0])).toEqual([
      'Paper Lanterns live in Germany',
      'Cancelled',
    ]);

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
