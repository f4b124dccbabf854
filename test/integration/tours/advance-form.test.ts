import { describe, expect, it } from 'vitest';
import { withBrowser } from '#test/support/browser.ts';
import { busEvents, busIdle } from '#test/support/cloud.ts';
import {
  anAdvanceLink,
  aVenue,
  fillAdvanceForm,
  plusDays,
  showView,
  tourWebhook,
} from '#test/support/tours-cloud.ts';

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
    await fillAdvanceForm(page, { settlementCurrency: 'JPY' });
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

  it('takes the form sent again after going back to it, unchanged, as the advance it holds: thanked as received, one Show Advanced', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { tourId, link } = await anAdvanceLink(aVenue('Turin', 'IT', 'Europe/Rome'), 'Back Again', 'Gino');
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    await fillAdvanceForm(page);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

    await page.goBack();
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const [url, heading] = [page.url(), await page.textContent('h1')];
    await page.close();
    await busIdle();
    const advanced = (await busEvents({ detailType: 'Show Advanced' })).filter(
      (e) => e.detail.data?.tourId === tourId,
    );

    expect([url.endsWith('?saved=submitted'), heading]).toEqual([true, 'Advance received']);
    expect(advanced.map((e) => e.detail.data?.amended)).toEqual([false]);
  }, 300_000);

  it('marks an answer holding a control character (U+0085) or a one-line answer holding a line separator (U+2028) next to its field, tied to it for a screen reader, with the other answers kept, saving nothing', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Porto', 'PT', 'Europe/Lisbon'),
      'Pasted Rider',
      'Rui',
    );
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    await fillAdvanceForm(page, {
      loadInAccess: 'Rua do Heroísmo gate',
      parking: 'One van\u0085two cars',
      wifi: 'porto\u2028guest',
    });

    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const errors = await page.$$eval('span.error', (spans) =>
      spans.map((span) => [span.id, span.textContent]),
    );
    const kept = await (await page.$('#loadInAccess'))?.inputValue();
    // What a screen reader tells of each field: whether it is refused, and why (its aria-describedby's text).
    const described = await page.$$eval('input, textarea', (controls) =>
      controls
        .filter((control) => control.getAttribute('aria-invalid') === 'true')
        .map((control) => [
          control.id,
          (control.getAttribute('aria-describedby') ?? '')
            .split(' ')
            .map((id: string) => control.ownerDocument.getElementById(id)?.textContent)
            .join(' '),
        ]),
    );
    const stored = (await showView(label.id, tourId, show.showId)).body;
    await page.close();

    expect(refused?.status()).toBe(400);
    expect(errors).toEqual([
      [
        'parking-error',
        'must not hold control characters (U+0000-U+001F, U+007F-U+009F) other than a tab or line break',
      ],
      [
        'wifi-error',
        'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them',
      ],
    ]);
    expect(described).toEqual(errors.map(([id, text]) => [String(id).replace(/-error$/, ''), text]));
    expect(kept).toBe('Rua do Heroísmo gate');
    expect(stored.advance).toBe('requested');
  }, 300_000);

  it('shows a promoter whose show the label moved while they filled in the form the show as it is now, with their answers, saving nothing until they submit again', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Lyon', 'FR', 'Europe/Paris'),
      'Moving Target',
      'Odile',
    );
    const page = await chromium.browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    await fillAdvanceForm(page, { loadInAccess: 'Quai Rambaud gate' });

    // Meanwhile the label moves the show to another venue of the city.
    const moved = {
      ...show,
      venue: { ...show.venue, name: 'Le Transbordeur', address: '3 Boulevard de Stalingrad' },
    };
    await tourWebhook(label, 'tour.show.updated', { tourId, show: moved }, 1);
    await busIdle();
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const alert = await page.textContent('p[role=alert]');
    const venue = await page.textContent('dl');
    const kept = await page.inputValue('#loadInAccess');
    const stored = (await showView(label.id, tourId, show.showId)).body;

    await page.fill('#loadInAccess', 'Boulevard de Stalingrad dock');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    const saved = (await showView(label.id, tourId, show.showId)).body;
    await page.close();

    expect(refused?.status()).toBe(409);
    expect(alert).toContain('The show changed since this form was opened');
    expect(venue).toContain('Le Transbordeur');
    expect(kept).toBe('Quai Rambaud gate');
    expect(stored.advance).toBe('requested');
    expect(saved.advance).toBe('submitted');
    expect(saved.advanceAnswers).toMatchObject({ loadInAccess: 'Boulevard de Stalingrad dock' });
  }, 300_000);

  it('keeps the answers saved from one tab when another tab opened before submits, showing them above its own until it submits again', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Oslo', 'NO', 'Europe/Oslo'),
      'Two Windows',
      'Ingrid',
    );
    const [first, second] = [
      await chromium.browser.newPage({ viewport: { width: 390, height: 844 } }),
      await chromium.browser.newPage({ viewport: { width: 390, height: 844 } }),
    ];
    await first.goto(link);
    await second.goto(link);
    // A rider of 1,999 characters on 40 lines, as the promoter counts them (Chromium posts each line break as CR LF).
    const rider = Array.from(
      { length: 40 },
      (_, i) => `Line ${String(i + 1).padStart(2, '0')}: ${'x'.repeat(40)}`,
    );
    const submit = async (page: typeof first, power: string) => {
      await fillAdvanceForm(page, { power, hospitality: rider.join('\n') });
      const [answer] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      return answer?.status();
    };

    const taken = await submit(first, '125 A CEE');
    const refused = await submit(second, '32 A');
    const alert = await second.textContent('p[role=alert]');
    const stored = (await showView(label.id, tourId, show.showId)).body;
    const again = await Promise.all([second.waitForNavigation(), second.click('button[type=submit]')]);
    const saved = (await showView(label.id, tourId, show.showId)).body;
    await first.close();
    await second.close();

    expect([taken, refused, again[0]?.url().endsWith('?saved=amended')]).toEqual([200, 409, true]);
    expect(alert).toContain('saved from another window');
    expect(stored.advanceAnswers).toMatchObject({ power: '125 A CEE', hospitality: rider.join('\n') });
    expect(saved.advanceAnswers).toMatchObject({ power: '32 A' });
  }, 300_000);
});
