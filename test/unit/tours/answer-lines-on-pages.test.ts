import { describe, expect, it } from 'vitest';
import { advanceSavedPage, tourManagerAdvancePage } from '#functions/recipients/tour-pages.ts';
import { withBrowser } from '#test/support/browser.ts';
import { advanceAnswers, aShow, aStoredTour } from '#test/support/tours.ts';

const hospitality = '1. Dinner for 8 at 18:00\n2. Vegan: 2, gluten-free: 1\n3. Rider drinks in room A';
const answers = { ...advanceAnswers, hospitality };

/**
 * The advance form's textareas take answers of several lines (docs/design.md#signed-pages): the pages that
 * show them, the promoter's once saved and the tour manager's, show them as written, in a browser.
 */
describe("the promoter's answers of several lines on the pages", () => {
  const chromium = withBrowser();
  /** The answer as Chromium shows it (`innerText`, which follows the page's CSS). */
  const shown = async (html: string) => {
    const page = await chromium.browser!.newPage();
    try {
      await page.setContent(html);
      return await page.evaluate<string>(
        `[...document.querySelectorAll('dt')].find((dt) => dt.textContent === 'Hospitality and catering').nextElementSibling.innerText`,
      );
    } finally {
      await page.close();
    }
  };

  it("keeps their line breaks on the promoter's saved advance and the tour manager's page of it", async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const show = aShow();
    const pages = [
      advanceSavedPage({ tour: aStoredTour, show, answers, amended: false }),
      tourManagerAdvancePage({
        tour: aStoredTour,
        show,
        advance: { answers, submittedAt: '2027-04-20T10:00:00.000Z' },
        lockAt: '2027-05-13T22:00:00.000Z',
        locked: false,
      }),
    ];

    expect(await Promise.all(pages.map(shown))).toEqual([hospitality, hospitality]);
  });
});
