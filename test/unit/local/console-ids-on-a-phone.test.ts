import { describe, expect, it } from 'vitest';
import { withBrowser } from '#test/support/browser.ts';
import { consolePageOver } from '#test/support/console.ts';

/** Each word of up to 20 characters in a table cell that the page renders on more than one line. */
const brokenWords = `(() => {
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('td')) continue;
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      if (match[0].length > 20) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1) words.push(match[0]);
    }
  }
  return words;
})()`;

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

      expect(await page.evaluate<string[]>(brokenWords)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
