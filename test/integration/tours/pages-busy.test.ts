import { afterEach, describe, expect, it } from 'vitest';
import { withBrowser } from '#test/support/browser.ts';
import { armFault, busIdle, clearFaults, redriveThrottled } from '#test/support/cloud.ts';
import {
  aGuestTypedOnTheTourManagersPage,
  anAdvanceLink,
  aVenue,
  tourView,
} from '#test/support/tours-cloud.ts';

/**
 * The signed pages opened, and the tour manager's guest form posted, while DynamoDB throttles, in headless
 * Chromium on the local cloud: a page a person reads saying to try again in a moment (503, Retry-After),
 * never the gateway's 500 JSON, and nothing typed lost (docs/design.md#signed-pages).
 */
const chromium = withBrowser();

afterEach(clearFaults);

describe('a signed page opened while DynamoDB throttles its reads', () => {
  it("answers the promoter's advance form and the tour manager's page with a 503 page saying to try again in a moment; reloaded once DynamoDB answers, each opens", async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, link } = await anAdvanceLink(
      aVenue('Ghent', 'BE', 'Europe/Brussels'),
      'Held Breath',
      'Lien',
    );
    await busIdle();
    const tourManagerLink = (await tourView(label.id, tourId)).body.tourManagerPage as string;
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });

    await armFault('dynamodb.throttle:GetItem', 'inf');
    await armFault('dynamodb.throttle:Query', 'inf');
    const answers = [];
    for (const opened of [link, tourManagerLink]) {
      const answer = await page.goto(opened);
      answers.push([
        answer?.status(),
        answer?.headers()['content-type'],
        answer?.headers()['retry-after'],
        await page.textContent('body', { timeout: 5_000 }),
      ]);
    }
    await clearFaults();
    await redriveThrottled();
    const reloaded = [(await page.goto(link))?.status(), (await page.goto(tourManagerLink))?.status()];
    await page.close();

    expect(answers).toEqual(
      [link, tourManagerLink].map(() => [
        503,
        expect.stringMatching(/^text\/html/),
        '1',
        expect.stringMatching(
          /Busy for a moment[\s\S]*could not be opened just now\. Please try again in a moment/,
        ),
      ]),
    );
    expect(reloaded).toEqual([200, 200]);
  }, 300_000);
});

describe("the tour manager's guest form posted while DynamoDB throttles its write", () => {
  it("comes back with a 503, the guest as typed in its show's form and a word to submit it again; submitted again, the guest is added", async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { show, page } = await aGuestTypedOnTheTourManagersPage(
      chromium.browser,
      aVenue('Leuven', 'BE', 'Europe/Brussels'),
      'Full Door',
      'Jef',
    );

    await armFault('dynamodb.throttle:UpdateItem', 'inf');
    const [refused] = await Promise.all([
      page.waitForNavigation(),
      page.click(`#show-${show.showId} button`),
    ]);
    await clearFaults();
    await redriveThrottled();
    const alerts = await page.locator('[role=alert]').allTextContents();
    const kept = await page.$$eval(`#name-${show.showId}, #plus-${show.showId}`, (controls) =>
      controls.map((control) => (control as unknown as { value: string }).value),
    );

    expect([refused?.status(), refused?.headers()['retry-after']]).toEqual([503, '1']);
    expect(alerts.join(' ')).toContain('please submit it again in a moment');
    expect(kept).toEqual(['Robin <Roe>', '2']);

    // Submitted again once DynamoDB takes writes: added, as typed.
    const [again] = await Promise.all([page.waitForNavigation(), page.click(`#show-${show.showId} button`)]);
    const listed = await page.textContent(`#show-${show.showId} ul`);
    await page.close();

    expect(again?.url()).toContain(`?added=${show.showId}`);
    expect(listed).toContain('Robin <Roe> +2');
  }, 300_000);
});
