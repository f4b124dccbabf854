import { describe, expect, it } from 'vitest';
import { advanceLinkExpiry } from '#shared/tours.ts';
import { withBrowser } from '#test/support/browser.ts';
import { advanceClock, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import {
  aGuestTypedOnTheTourManagersPage,
  aLabel,
  anAdvanceLink,
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

describe("the tour manager's page of a tour of more shows than a page holds", () => {
  it('follows the link to the later shows and takes a guest for a show there, back on its page', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const today = (await clockNow()).toISOString().slice(0, 10);
    // Six shows, one a day: five on the first page, the last on the second.
    const shows = Array.from({ length: 6 }, (_, i) =>
      aTourShow({
        date: plusDays(today, 10 + i),
        venue: aVenue('Graz', 'AT', 'Europe/Vienna'),
        promoter: aPromoter(`Paged${i}`),
      }),
    );
    const last = shows[5];
    await tourWebhook(label, 'tour.booked', {
      tourId,
      artist: { name: 'Long Run' },
      tourManager: { name: 'Tam', email: `${uniqueId('tm')}@tm.example` },
      shows,
    });
    await busIdle();
    const link = (await tourView(label.id, tourId)).body.tourManagerPage;

    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    const onFirst = await page.locator('section').count();
    await Promise.all([page.waitForLoadState('load'), page.click('a[rel=next]')]);
    const onSecond = await page.textContent(`#show-${last.showId} h2`, { timeout: 5_000 });
    await page.fill(`#name-${last.showId}`, 'Robin Roe');
    await Promise.all([page.waitForLoadState('load'), page.click(`#show-${last.showId} button`)]);
    const added = await page.textContent('[role=status]');
    const listed = await page.textContent(`#show-${last.showId}`);
    const earlier = await page.getAttribute('a[rel=prev]', 'href');
    // The same guest sent again (the form filled in twice): named once on the list.
    await page.fill(`#name-${last.showId}`, 'robin roe');
    await Promise.all([page.waitForLoadState('load'), page.click(`#show-${last.showId} button`)]);
    const refused = await page.textContent('[role=alert]');
    const listedOnce = (await page.textContent(`#show-${last.showId}`))?.match(/robin roe/gi)?.length;
    await page.close();

    expect(onFirst).toBe(5);
    expect(onSecond).toContain(last.date);
    expect(added).toContain(`Added to the guest list for ${last.date}`);
    expect(listed).toContain('Robin Roe');
    expect(earlier).toBe('?page=1');
    expect(refused).toBe('Not added: a guest of that name is on the list already.');
    expect(listedOnce).toBe(1);
  }, 300_000);
});

describe("the tour manager's page on a phone", () => {
  it('keeps within the phone’s width when a guest’s name is one long word, which wraps', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const today = (await clockNow()).toISOString().slice(0, 10);
    const show = aTourShow({
      date: plusDays(today, 10),
      venue: aVenue('Graz', 'AT', 'Europe/Vienna'),
      promoter: aPromoter('Narrow'),
    });
    await tourWebhook(label, 'tour.booked', {
      tourId,
      artist: { name: 'Narrow Screen' },
      tourManager: { name: 'Tam', email: `${uniqueId('tm')}@tm.example` },
      shows: [show],
    });
    await busIdle();
    const link = (await tourView(label.id, tourId)).body.tourManagerPage;

    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    // A name as a booking system may paste it: 120 characters without a space.
    await page.fill(`#name-${show.showId}`, `plus.one.of.${'x'.repeat(108)}`);
    await Promise.all([page.waitForLoadState('load'), page.click(`#show-${show.showId} button`)]);
    const listed = await page.textContent(`#show-${show.showId}`);
    // The page's width as laid out, in the browser's terms (no DOM types here).
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    await page.close();

    expect(listed).toContain('plus.one.of.');
    expect(width).toBeLessThanOrEqual(390);
  }, 300_000);
});

describe("the tour manager's page of a show whose promoter submitted the advance", () => {
  it("opens the promoter's answers from the show, weeks before the day sheet would bring them", async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Porto', 'PT', 'Europe/Lisbon'),
      'Open Book',
      'Rui',
    );
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    const answers: Record<string, string> = {
      loadInAccess: 'Rua do Heroísmo gate',
      parking: 'Two vans',
      power: '125 A three-phase',
      backline: 'Drum riser',
      hospitality: 'Dinner for 10',
      dressingRooms: 'Two',
      wifi: 'porto-guest',
      merchSplit: '85/15',
      merchSeller: 'Venue',
      guestListAllotment: '15',
      localCrewCall: '6 at 12:00',
      settlementMethod: 'Transfer',
      settlementCurrency: 'EUR',
      dayContactName: 'Rui',
      dayContactPhone: '+351 22 555 0100',
    };
    for (const [field, value] of Object.entries(answers)) await page.fill(`#${field}`, value);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

    await page.goto((await tourView(label.id, tourId)).body.tourManagerPage);
    const [opened] = await Promise.all([
      page.waitForNavigation(),
      page.click(`#show-${show.showId} >> text=Read the promoter’s answers`),
    ]);
    const heading = await page.textContent('h1');
    const body = await page.textContent('body');
    await page.close();

    expect(opened?.status()).toBe(200);
    expect(heading).toContain('Advance: Open Book at Porto Hall');
    expect(body).toContain('125 A three-phase');
    expect(body).toContain('Rui, +351 22 555 0100');
  }, 300_000);
});

describe("the tour manager's guest form posted after the link expired", () => {
  it('answers a 410 listing the guest typed as not saved (left open past the day after the last show)', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { show, page } = await aGuestTypedOnTheTourManagersPage(
      chromium.browser,
      aVenue('Linz', 'AT', 'Europe/Vienna'),
      'Late Door',
      'Resi',
    );
    await advanceClock(new Date((advanceLinkExpiry(show) + 60) * 1000).toISOString());

    const [refused] = await Promise.all([
      page.waitForNavigation(),
      page.click(`#show-${show.showId} button`),
    ]);
    const said = await page.textContent('p');
    const listed = await page.$$eval('dl dt, dl dd', (cells) => cells.map((cell) => cell.textContent));
    await page.close();

    expect(refused?.status()).toBe(410);
    expect(said).toContain('This link has expired');
    expect(listed).toEqual(['Guest name', 'Robin <Roe>', 'Plus-ones', '2']);
  }, 300_000);
});
