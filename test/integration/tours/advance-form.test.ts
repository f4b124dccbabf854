import { describe, expect, it } from 'vitest';
import { withBrowser } from '#test/support/browser.ts';
import { anAdvanceLink, aVenue, plusDays } from '#test/support/tours-cloud.ts';

/**
 * The promoter's advance form as a promoter sees it, in headless Chromium on the local cloud: a show in
 * Tokyo, whose show day starts at 15:00 UTC the day before.
 */
const chromium = withBrowser();

describe("the promoter's advance form in a browser", () => {
  it('tells the promoter, after submitting, that they can amend until show day 00:00 in the venue’s time, not a UTC time on the day before', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { show, link } = await anAdvanceLink(aVenue('Tokyo', 'JP', 'Asia/Tokyo'), 'Far East', 'Udo');
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });

    await page.goto(link);
    const answers: Record<string, string> = {
      loadInAccess: 'Rear door',
      parking: 'One van',
      power: '100 A',
      backline: 'None',
      hospitality: 'Bento for 8',
      dressingRooms: 'One',
      wifi: 'venue-guest',
      merchSplit: '80/20',
      merchSeller: 'Band',
      guestListAllotment: '10',
      localCrewCall: '4 at 13:00',
      settlementMethod: 'Cash',
      settlementCurrency: 'JPY',
      dayContactName: 'Aiko',
      dayContactPhone: '+81 3 5555 0100',
    };
    for (const [field, value] of Object.entries(answers)) await page.fill(`#${field}`, value);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    await page.goto(link);
    const note = (await page.textContent('p.note')) ?? '';
    await page.close();

    expect(note).toContain('amend it until');
    // Show day 00:00 in Tokyo is 15:00 UTC on the day before: the promoter must read the show day.
    expect(note).not.toContain(`${plusDays(show.date, -1)}T15:00`);
    const showDay = new Date(`${show.date}T00:00:00Z`).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    expect(note).toContain(`${showDay} at 00:00 (Asia/Tokyo)`);
  }, 300_000);
});
