import { describe, expect, it } from 'vitest';
import type { Outlet } from '#shared/outlets.ts';
import { signUnsubscribeToken } from '#shared/tokens.ts';
import { withBrowser } from '#test/support/browser.ts';
import { api, busEvents, cloud, waitFor } from '#test/support/cloud.ts';
import { createOutlet, localTokenKey } from '#test/support/outlets-cloud.ts';

/**
 * An outlet's unsubscribe link opened in headless Chromium on a phone, as its reader opens it from a
 * mail: the page asks, its button unsubscribes, and the answer says so (docs/design.md#signed-pages).
 */
const chromium = withBrowser();

describe("an outlet's unsubscribe link on a phone", () => {
  it('asks within the phone’s width, unsubscribes from its button without script, and says so', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const outlet = await createOutlet({ name: `Radio${'Nightshift'.repeat(8)}` });
    const link = `${cloud().baseUrl}/u/${signUnsubscribeToken(await localTokenKey(), { outletId: outlet.id })}`;
    const phone = await chromium.browser.newContext({
      viewport: { width: 375, height: 667 },
      javaScriptEnabled: false,
    });
    const page = await phone.newPage();
    const wider = () =>
      page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');

    const asked = await page.goto(link);
    const question = { heading: await page.textContent('h1'), text: await page.textContent('body') };
    const askedWider = await wider();
    const [answered] = await Promise.all([page.waitForNavigation(), page.click('button')]);
    const answer = { heading: await page.textContent('h1'), text: await page.textContent('body') };
    const answerWider = await wider();
    await phone.close();

    expect(asked?.status()).toBe(200);
    expect(question.heading).toBe('Unsubscribe from press mail');
    expect(question.text).toContain(outlet.name);
    expect(askedWider).toBe(false);
    expect(answered?.status()).toBe(200);
    expect(answer.heading).toBe('You are unsubscribed');
    expect(answerWider).toBe(false);
    const shown = (await (await api(`/media-outlets/${outlet.id}`)).json()) as Outlet;
    expect(shown.unsubscribedAt).toBeDefined();
    const events = await waitFor(async () => {
      const found = (await busEvents({ detailType: 'Outlet Unsubscribed' })).filter(
        (event) => event.detail.data?.outletId === outlet.id,
      );
      return found.length > 0 && found;
    });
    expect(events.map((event) => event.detail.data?.via)).toEqual(['page']);
  }, 120_000);
});
