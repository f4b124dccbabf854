import { describe, expect, it } from 'vitest';
import { advanceLinkExpiry } from '#shared/tours.ts';
import { withBrowser } from '#test/support/browser.ts';
import { advanceClock, busIdle } from '#test/support/cloud.ts';
import { anAdvanceLink, aVenue, plusDays, tourWebhook } from '#test/support/tours-cloud.ts';

/**
 * The promoter's advance link after the show moved, opened in headless Chromium on the local cloud:
 * its expiry follows the show's date as it is now, not the date the link was mailed for.
 */
const chromium = withBrowser();

describe("a postponed show's advance link", () => {
  it('opens the form after the old date has long passed, until a day after the new date', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Vienna', 'AT', 'Europe/Vienna'),
      'Late Bloom',
      'Postponed',
    );

    const postponed = { ...show, date: plusDays(show.date, 14) };
    await tourWebhook(label, 'tour.show.updated', { tourId, show: postponed }, 1);
    await busIdle();
    // Two hours past the day after the old date, when the link as mailed would have expired.
    await advanceClock(new Date((advanceLinkExpiry(show) + 7200) * 1000).toISOString());
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    const open = await page.goto(link);
    const heading = await page.textContent('h1');
    const hasForm = (await page.locator('form').count()) > 0;

    await advanceClock(new Date((advanceLinkExpiry(postponed) + 60) * 1000).toISOString());
    const ended = await page.goto(link);
    const endedHeading = await page.textContent('h1');
    await page.close();

    expect(open?.status()).toBe(200);
    expect(heading).toContain('Advance: Late Bloom at Vienna Hall');
    expect(hasForm).toBe(true);
    expect(ended?.status()).toBe(410);
    expect(endedHeading).toBe('This link does not work');
  }, 300_000);
});
