import { afterEach, describe, expect, it } from 'vitest';
import { advanceLinkExpiry } from '#shared/tours.ts';
import { withBrowser } from '#test/support/browser.ts';
import { advanceClock, armFault, busIdle, clearFaults, redriveThrottled } from '#test/support/cloud.ts';
import { anAdvanceLink, aVenue, fillAdvanceForm, showView } from '#test/support/tours-cloud.ts';

/**
 * The promoter's advance form refused as a whole for a moment (DynamoDB busy) or for good (no CSRF token
 * of its link), in headless Chromium on the local cloud: what the promoter typed is not lost with the
 * refusal (docs/design.md#signed-pages).
 */
const chromium = withBrowser();

afterEach(clearFaults);

describe("the promoter's advance form refused as a whole", () => {
  it('comes back with a 503 while DynamoDB throttles its write, the answers typed in it and a word to submit it again; submitted again, it is saved', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Bergen', 'NO', 'Europe/Oslo'),
      'Slow Table',
      'Sigrid',
    );
    await busIdle();
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    await fillAdvanceForm(page, { loadInAccess: 'Bryggen gate <B>', wifi: 'bergen-5G' });

    await armFault('dynamodb.throttle:TransactWriteItems', 'inf');
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await clearFaults();
    await redriveThrottled();
    const alerts = await page.locator('p[role=alert]').allTextContents();
    const kept = await page.$$eval('#loadInAccess, #wifi', (controls) =>
      controls.map((control) => (control as unknown as { value: string }).value),
    );
    const stored = (await showView(label.id, tourId, show.showId)).body;

    expect(refused?.status()).toBe(503);
    expect(alerts.join(' ')).toContain('please submit it again in a moment');
    expect(kept).toEqual(['Bryggen gate <B>', 'bergen-5G']);
    expect(stored.advance).toBe('requested');

    // Submitted again once DynamoDB takes writes: saved, as typed.
    const [again] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const saved = (await showView(label.id, tourId, show.showId)).body;
    await page.close();

    expect(again?.url().endsWith('?saved=submitted')).toBe(true);
    expect(saved.advanceAnswers).toMatchObject({ loadInAccess: 'Bryggen gate <B>', wifi: 'bergen-5G' });
  }, 300_000);

  it('takes the answers edited after a 503 whose write DynamoDB applied (its answer lost) as this window’s newer ones, not as saved from another window: saved, as edited', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Ålesund', 'NO', 'Europe/Oslo'),
      'Lost Answer',
      'Ingrid',
    );
    await busIdle();
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    await fillAdvanceForm(page, { wifi: 'aalesund-5G' });
    // Every attempt of the write is applied (the first) or refused by it, and answered 500: the post's 503.
    await armFault('dynamodb.accept-then-fail:TransactWriteItems', 'inf');
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await clearFaults();
    await redriveThrottled();
    const landed = (await showView(label.id, tourId, show.showId)).body;

    await page.fill('#wifi', 'aalesund-guest');
    const [again] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const saved = (await showView(label.id, tourId, show.showId)).body;
    await page.close();

    expect(refused?.status()).toBe(503);
    expect(landed.advanceAnswers).toMatchObject({ wifi: 'aalesund-5G' });
    expect([again?.status(), again?.url().endsWith('?saved=submitted')]).toEqual([200, true]);
    expect(saved.advanceAnswers).toMatchObject({ wifi: 'aalesund-guest' });
  }, 300_000);

  it('lists, on the 403 answering a post without its link’s CSRF token, what the promoter typed as not saved, as text', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Tromsø', 'NO', 'Europe/Oslo'),
      'Stale Form',
      'Ola',
    );
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    await fillAdvanceForm(page, { power: '<b>125 A</b> CEE' });
    // The form's token is no longer its link's (as a form kept from another link would post it).
    await page.$eval('input[name=csrf]', (input) => {
      (input as unknown as { value: string }).value = 'stale';
    });

    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const listed = await page.$$eval('dl dt, dl dd', (cells) => cells.map((cell) => cell.textContent));
    const bold = await page.locator('dd b').count();
    const stored = (await showView(label.id, tourId, show.showId)).body;
    await page.close();

    expect(refused?.status()).toBe(403);
    expect(listed).toEqual(
      expect.arrayContaining(['Power', '<b>125 A</b> CEE', 'Load-in access', 'Back door']),
    );
    expect(bold).toBe(0);
    expect(stored.advance).toBe('requested');
  }, 300_000);

  it('lists, on the 410 answering a post from the form after its link expired (left open past the day after the show), what the promoter typed as not saved', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { show, link } = await anAdvanceLink(aVenue('Narvik', 'NO', 'Europe/Oslo'), 'Left Open', 'Kari');
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    await fillAdvanceForm(page, { power: '32 A CEE' });
    await advanceClock(new Date((advanceLinkExpiry(show) + 60) * 1000).toISOString());

    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const said = await page.textContent('p');
    const listed = await page.$$eval('dl dt, dl dd', (cells) => cells.map((cell) => cell.textContent));
    await page.close();

    expect(refused?.status()).toBe(410);
    expect(said).toContain('This link has expired');
    expect(listed).toEqual(expect.arrayContaining(['Power', '32 A CEE', 'Load-in access', 'Back door']));
  }, 300_000);
});
