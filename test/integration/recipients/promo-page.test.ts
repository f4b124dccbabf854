import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPromoToken } from '#shared/tokens.ts';
import { withBrowser } from '#test/support/browser.ts';
import { busEvents, clockNow, cloud, uniqueId, waitFor } from '#test/support/cloud.ts';
import { countsOf } from '#test/support/outlets.ts';
import { localPromoCounters, localTokenKey } from '#test/support/outlets-cloud.ts';

/**
 * An outlet's promo link opened in headless Chromium on the local cloud, as its reader does: the
 * page (which a link scanner's fetch stops at) and its button, which opens the asset on the label's
 * site and is what counts.
 */
const chromium = withBrowser();

/** The label's site, where the asset is: another origin than Backline's pages. */
const assetSite = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' }).end('the promo asset');
});
let assetOrigin = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => assetSite.listen(0, '127.0.0.1', resolve));
  assetOrigin = `http://127.0.0.1:${(assetSite.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => assetSite.close(() => resolve())));

describe("an outlet's promo link", () => {
  it('opens the asset on its site from the page’s button, without script, counting that click alone', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const now = await clockNow();
    const promo = {
      labelId: uniqueId('lbl'),
      releaseId: uniqueId('rel'),
      outletId: uniqueId('out'),
      assetIndex: 0,
      assetKind: 'download' as const,
      url: `${assetOrigin}/night-drive.zip`,
      expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
    };
    const link = `${cloud().baseUrl}/p/${signPromoToken(await localTokenKey(), promo)}`;
    const page = await chromium.browser.newPage({ javaScriptEnabled: false });

    const shown = await page.goto(link);
    const countsBeforeClick = await countsOf(localPromoCounters(), promo.labelId, promo.releaseId);
    await Promise.all([page.waitForURL(promo.url), page.click('button')]);
    const landed = await page.textContent('body');
    await page.close();

    expect(shown?.status()).toBe(200);
    expect(countsBeforeClick.size).toBe(0);
    expect(landed).toBe('the promo asset');
    const accessed = await waitFor(async () => {
      const found = (await busEvents({ detailType: 'Promo Accessed' })).filter(
        (event) => event.detail.data?.releaseId === promo.releaseId,
      );
      return found.length > 0 && found;
    });
    expect(accessed.map((event) => event.detail.data?.accessCount)).toEqual([1]);
  }, 120_000);

  it('says on a phone, when opened again after its last open, that the link is used up, with no button to press', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const now = await clockNow();
    const promo = {
      labelId: uniqueId('lbl'),
      releaseId: uniqueId('rel'),
      outletId: uniqueId('out'),
      assetIndex: 0,
      assetKind: 'stream' as const,
      url: `${assetOrigin}/night-drive`,
      expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
      maxAccesses: 1,
    };
    const link = `${cloud().baseUrl}/p/${signPromoToken(await localTokenKey(), promo)}`;
    const phone = await chromium.browser.newContext({
      viewport: { width: 375, height: 667 },
      javaScriptEnabled: false,
    });
    const page = await phone.newPage();
    await page.goto(link);
    await Promise.all([page.waitForURL(promo.url), page.click('button')]);

    const again = await page.goto(link);
    const shown = {
      heading: await page.textContent('h1'),
      text: await page.textContent('body'),
      buttons: await page.locator('button').count(),
      wider: await page.evaluate(
        'document.documentElement.scrollWidth > document.documentElement.clientWidth',
      ),
    };
    await phone.close();

    expect(again?.status()).toBe(410);
    expect(shown).toMatchObject({
      heading: 'This promo link is no longer available',
      buttons: 0,
      wider: false,
    });
    expect(shown.text).toContain('opened as many times as it allows');
    expect(Object.fromEntries(await countsOf(localPromoCounters(), promo.labelId, promo.releaseId))).toEqual({
      [promo.outletId]: 1,
    });
  }, 120_000);
});
