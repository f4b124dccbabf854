import { describe, expect, it } from 'vitest';
import { advanceLinkExpiry } from '#shared/tours.ts';
import { withBrowser } from '#test/support/browser.ts';
import { advanceClock, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import {
  aLabel,
  aPromoter,
  aTourShow,
  aVenue,
  plusDays,
  tourView,
  tourWebhook,
} from '#test/support/tours-cloud.ts';

/**
 * The tour manager's link after the tour's last show moved, opened in headless Chromium on the local
 * cloud: its expiry follows the tour's shows as they are now, not the ones the link was issued for.
 */
const chromium = withBrowser();

describe("the tour manager's link of a postponed tour", () => {
  it('takes guests after the old last show has long passed, until a day after the new one', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const today = (await clockNow()).toISOString().slice(0, 10);
    const show = aTourShow({
      date: plusDays(today, 3),
      venue: aVenue('Graz', 'AT', 'Europe/Vienna'),
      promoter: aPromoter('Moved'),
    });
    await tourWebhook(label, 'tour.booked', {
      tourId,
      artist: { name: 'Slow Return' },
      tourManager: { name: 'Tam', email: `${uniqueId('tm')}@tm.example` },
      shows: [show],
    });
    await busIdle();
    const link = (await tourView(label.id, tourId)).body.tourManagerPage;

    const postponed = { ...show, date: plusDays(show.date, 14) };
    await tourWebhook(label, 'tour.show.updated', { tourId, show: postponed }, 1);
    await busIdle();
    // Two hours past the day after the old date, when the link as issued would have expired.
    await advanceClock(new Date((advanceLinkExpiry(show) + 7200) * 1000).toISOString());
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    const open = await page.goto(link);
    const heading = await page.textContent(`#show-${show.showId} h2`, { timeout: 5_000 });
    await page.fill(`#name-${show.showId}`, 'Robin Roe');
    await Promise.all([page.waitForLoadState('load'), page.click(`#show-${show.showId} button`)]);
    const added = await page.textContent('[role=status]');
    const listed = await page.textContent(`#show-${show.showId}`);

    await advanceClock(new Date((advanceLinkExpiry(postponed) + 60) * 1000).toISOString());
    const ended = await page.goto(link);
    const endedHeading = await page.textContent('h1');
    await page.close();

    expect(open?.status()).toBe(200);
    expect(heading).toContain(postponed.date);
    expect(added).toContain(`Added to the guest list for ${postponed.date}`);
    expect(listed).toContain('Robin Roe');
    expect(ended?.status()).toBe(410);
    expect(endedHeading).toBe('This link does not work');
  }, 300_000);
});
