import { describe, expect, it } from 'vitest';
import type { TourView } from '#functions/office/tours.ts';
import { withBrowser } from '#test/support/browser.ts';
import { consolePageOver } from '#test/support/console.ts';

/** A tour as `GET /labels/{labelId}/tours/{tourId}` answers it, under an artist's name of `artist`. */
const aTourView = (tourId: string, artist: string): TourView => ({
  labelId: 'lbl-1',
  tourId,
  artist: { name: artist },
  tourManager: { name: 'Sam Reyes', email: 'sam@tm.example' },
  occurredAt: '2027-03-01T09:00:00.000Z',
  tourManagerPage: `http://localhost:3000/tm/v1.${tourId}`,
  shows: [
    {
      showId: `${tourId}-show-1`,
      date: '2027-04-01',
      status: 'confirmed',
      venue: {
        name: 'Albert Hall',
        address: '1 High St',
        city: 'Manchester',
        country: 'GB',
        timeZone: 'Europe/London',
      },
      times: {},
      promoter: { promoterId: 'prm-1', name: 'Northern Nights', email: 'b@nn.example' },
      advance: 'requested',
      guests: 0,
      guestListLocked: false,
      changedAt: '2027-03-01T09:00:00.000Z',
      outletsTold: 0,
    },
  ],
});

/** The console over two tours booked on the bus, each answered by the office's view of it. */
const pageFor = (views: TourView[]) =>
  consolePageOver(
    views.map((view) => ({
      detailType: 'Tour Booked',
      labelId: view.labelId,
      data: { tourId: view.tourId },
    })),
    (path) => views.find((view) => path.endsWith(`/tours/${view.tourId}`)),
  );

describe("the local console's tours, in a browser", () => {
  const chromium = withBrowser();

  it("shows every tour's shows beside it when one artist's name is a long run of letters with no space", async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    // A name of 200 characters (the schema's limit) with no space to break at: it widened its column past the
    // page, and every tour's shows, the column beside it, were off to the right, out of sight.
    const html = await pageFor([
      aTourView('tour-1', 'The Midnight Echoes'),
      aTourView('tour-2', 'X'.repeat(200)),
    ]);
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    try {
      await page.setContent(html);

      for (const showId of ['tour-1-show-1', 'tour-2-show-1']) {
        const show = await page.locator(`#tours li[data-show-id="${showId}"]`).boundingBox();
        expect(show, showId).not.toBeNull();
        expect(show!.x + show!.width, showId).toBeLessThanOrEqual(1280);
      }
      const tours = page.locator('#tours');
      expect(await tours.evaluate((section) => section.scrollWidth <= section.clientWidth)).toBe(true);
    } finally {
      await page.close();
    }
  });
});
