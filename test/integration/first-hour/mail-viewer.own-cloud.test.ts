import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import { withBrowser } from '#test/support/browser.ts';
import { waitFor } from '#test/support/cloud.ts';
import { type CloudProcess, startCloudProcess } from '#test/support/cloud-process.ts';
import { signedWebhook } from '#test/support/intake.ts';

/**
 * The README's first announcement, then what a newcomer does in a browser: opens the mail from the
 * console's "Mail sent" list, and empties the mail viewer with its Clear button. An `npm start` of
 * its own, so that clearing its SES store touches no other test's mail.
 */

let own: CloudProcess;
beforeAll(async () => {
  own = await startCloudProcess({ BACKLINE_API_KEY: 'mail-viewer-key' });
  const api = (path: string, body: unknown) =>
    fetch(`${own.urls.http}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${own.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const label = (await (await api('/labels', { name: 'Nightshift Records', id: 'nightshift' })).json()) as {
    id: string;
    webhookSecret: string;
  };
  await api('/media-outlets', {
    name: 'Radio Nova',
    email: 'news@radio-nova.example',
    kind: 'radio',
    genres: ['techno'],
    territories: ['GB'],
  });
  const webhook = signedWebhook(label.webhookSecret, {
    type: 'release.scheduled',
    timestamp: new Date().toISOString(),
    data: { ...sampleRelease, releaseId: 'night-drive', genres: ['techno'], territories: ['GB'] },
  });
  const sent = await fetch(`${own.urls.http}/webhooks/${label.id}`, {
    method: 'POST',
    headers: webhook.headers,
    body: webhook.body,
  });
  if (sent.status !== 202) throw new Error(`the release webhook answered ${sent.status}`);
  await waitFor(async () => (await storedMail()).length > 0, {
    timeoutMs: 60_000,
    what: 'the announcement to reach the SES store',
  });
}, 240_000);
afterAll(async () => own?.stop());

const storedMail = async () =>
  ((await (await fetch(`${own.urls.ses}/store`)).json()) as { emails: unknown[] }).emails;

describe('the sent mail in a browser', () => {
  const chromium = withBrowser();

  it("opens the announcement as a mail (its text, not a JSON array of bytes) from the console's Mail sent list", async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const page = await chromium.browser.newPage();
    await page.goto(`${own.urls.http}/_local/console`);

    await page.locator('#mail a[href*="messageId="]').first().click();
    await page.waitForLoadState();
    const shown = (await page.locator('body').textContent()) ?? '';
    await page.close();

    expect(shown.includes('"type":"Buffer"'), `the page shows ${shown.slice(0, 160)}...`).toBe(false);
    expect(shown).toContain('Radio Nova is in the media list of Nightshift Records');
  });

  it("empties the mail viewer with the viewer's own Clear button", async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const page = await chromium.browser.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${own.urls.ses}/`);
    const cleared = page.waitForResponse((response) => response.url().endsWith('/clear-store'));

    await page.getByRole('button', { name: 'Clear' }).click();
    const answer = await cleared;
    await page.close();

    expect(answer.status()).toBe(200);
    expect(await storedMail()).toEqual([]);
  });
});
