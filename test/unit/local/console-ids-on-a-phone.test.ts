import { describe, expect, it } from 'vitest';
import { brokenTableWords, withBrowser } from '#test/support/browser.ts';
import { consolePageOver } from '#test/support/console.ts';

describe("the local console's ids, in a browser on a phone", () => {
  const chromium = withBrowser();

  it('never breaks an id at its hyphen, whatever the ids before it on its line', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    // Labels whose ids are 1 to 40 characters long put "releaseId=by-hand" at every place on its line:
    // where "releaseId=by-" fitted and the rest did not, the line broke at the hyphen ("by-" / "hand").
    const labels = Array.from({ length: 40 }, (_, i) => `l${'a'.repeat(i)}`);
    const html = await consolePageOver(
      labels.map((labelId) => ({
        detailType: 'Release Scheduled',
        labelId,
        data: { releaseId: 'by-hand', title: 'By Hand' },
      })),
      (path) => ({ labelId: path.split('/')[2], releaseId: 'by-hand', state: 'scheduled', mail: {} }),
    );
    const page = await chromium.browser.newPage({ viewport: { width: 375, height: 667 } });
    try {
      await page.setContent(html);

      expect(await page.evaluate<string[]>(brokenTableWords)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
