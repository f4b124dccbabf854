import { type ParsedMail, simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { aLabel, aRelease, daysFromNow, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import { withBrowser } from '#test/support/browser.ts';
import { readCalendar } from '#test/support/calendar.ts';
import { advanceClock, busIdle, clockNow, cloud, type SentMail, uniqueId } from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';
import { aPressTour, aVenue, tourWebhook, waitForMailTo } from '#test/support/tours-cloud.ts';

/**
 * Mail as the people it goes to read it: each message as their mail client gets it (the MIME the SES
 * front gives for it, parsed by mailparser), its HTML part as a browser shows it, its calendar as a
 * calendar app reads it (ical.js).
 */

const chromium = withBrowser();

const received = async (mail: SentMail): Promise<ParsedMail> => {
  const response = await fetch(`${cloud().sesUrl}/get-emlContent?messageId=${mail.messageId}`);
  const { body } = (await response.json()) as { body: { data: number[] } };
  return simpleParser(Buffer.from(body.data));
};

/** The lines a reader sees of an HTML part, as the browser lays it out. */
const shownLines = async (browser: Browser, html: string) => {
  const page = await browser.newPage();
  try {
    await page.setContent(html);
    // biome-ignore lint/performance/useDomNodeTextContent: the text as laid out (a <br> a new line, a bare line break a space) is the point
    return linesOf(await page.locator('body').innerText());
  } finally {
    await page.close();
  }
};

const linesOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

const labelTime = async (minutesAfter = 0) =>
  new Date((await clockNow()).getTime() + minutesAfter * 60_000).toISOString();

describe('mail as its recipients read it', () => {
  it("shows a cancelled release's reason line by line in the HTML part, as the text part gives it", async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ name: 'Radio Zürich', genres: [genre], territories: ['GB'] });
    await busIdle();
    const release = aRelease({
      title: 'Café Noir',
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
    });
    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail([outlet.email], 'New single:');

    await sendWebhook(label, {
      type: 'release.cancelled',
      timestamp: await labelTime(1),
      data: { releaseId: release.releaseId, reason: 'The artist withdrew the single.\nA new date follows.' },
    });
    await waitForMail([outlet.email], 'Cancelled:');

    const [sent] = (await waitForMailTo(outlet.email, 'Cancelled:')) as SentMail[];
    const mail = await received(sent);
    expect(mail.subject).toBe('Cancelled: Café Noir by The Midnight Echoes');
    expect(mail.headerLines.find((header) => header.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
    const said = ['The artist withdrew the single.', 'A new date follows.'];
    expect(linesOf(mail.text ?? '')).toEqual(expect.arrayContaining(said));
    expect(await shownLines(chromium.browser, mail.html || '')).toEqual(expect.arrayContaining(said));
  });

  it('shows a release whose every field a label writes holds markup, Japanese and emoji as written, with the same links in both parts and the one-click link of its header', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({
      name: 'Radio "Zürich", <b>Nacht</b>',
      contactName: 'Zoë "Z" O\'Brien, Jr.',
      genres: [genre],
      territories: ['GB'],
    });
    await busIdle();
    const title = '夜のドライブ <a href="https://evil.example/">listen</a> & "more"';
    const artist = 'The 🌙 Echoes <img src=x onerror=alert(1)>';
    const release = aRelease({
      title,
      artists: [{ name: artist }],
      genres: [genre],
      territories: ['GB'],
      releaseDate: await daysFromNow(30),
      pressRelease: { text: 'Out on <a href="https://evil.example/">vinyl</a> & tape.' },
    });

    await sendWebhook(label, { type: 'release.scheduled', timestamp: await labelTime(), data: release });
    await waitForMail([outlet.email], 'New single:');

    const [sent] = (await waitForMailTo(outlet.email, 'New single:')) as SentMail[];
    const mail = await received(sent);
    expect(mail.subject).toMatch(
      /^New single: 夜のドライブ <a href="https:\/\/evil\.example\/">listen<\/a> & "more" by The 🌙 Echoes <img src=x onerror=alert\(1\)>, out /,
    );
    const page = await chromium.browser.newPage();
    try {
      await page.setContent(mail.html || '');
      // biome-ignore lint/performance/useDomNodeTextContent: the text as laid out is the point
      const shown = await page.locator('body').innerText();
      const links = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(await page.locator('img, script, b').count()).toBe(0);
      for (const written of [title, artist, 'Out on <a href="https://evil.example/">vinyl</a> & tape.']) {
        expect(shown).toContain(written);
        expect(mail.text).toContain(written);
      }
      expect(shown).toContain('Hello Zoë "Z" O\'Brien, Jr.,');
      const textLinks = (mail.text ?? '').match(/https?:\/\/\S+\/[up]\/[A-Za-z0-9._-]+/g) ?? [];
      expect(links.sort()).toEqual([...textLinks].sort());
      const unsubscribe = mail.headerLines.find((header) => header.key === 'list-unsubscribe')?.line;
      expect(links).toContain(/<([^>]+)>/.exec(unsubscribe ?? '')?.[1]);
    } finally {
      await page.close();
    }
  });

  it('names the zone of a show’s doors in tour press, and carries its calendar as a calendar app reads it', async (context) => {
    if (!chromium.browser) return context.skip(chromium.skip);
    const { genre, label, tourId, now, aShow, book } = await aPressTour('Sigur Rós', 'Inbox');
    const announceAt = new Date(now.getTime() + 86_400_000).toISOString();
    const berlin = aShow(40, aVenue('Berlin', 'DE', 'Europe/Berlin'), { announceAt });
    const outlet = await createOutlet({ name: 'Musikexpress', genres: [genre], territories: ['DE'] });
    await book([berlin]);
    await busIdle();
    await advanceClock(new Date(new Date(announceAt).getTime() + 60_000).toISOString());
    const [announced] = await waitForMailTo(outlet.email, 'Sigur Rós live in Germany');
    await tourWebhook(label, 'tour.show.cancelled', { tourId, showId: berlin.showId }, 1);
    const [cancelled] = await waitForMailTo(outlet.email, 'Cancelled: Sigur Rós in Germany');

    const [first, last] = [await received(announced), await received(cancelled)];
    const doors = `Berlin Hall, Berlin (doors 19:00 Europe/Berlin)`;
    for (const mail of [first, last]) {
      expect(mail.text).toContain(doors);
      expect((await shownLines(chromium.browser, mail.html || '')).join('\n')).toContain(doors);
    }
    const calendars = [first, last].map((mail) => {
      const [ics, ...more] = mail.attachments;
      expect(more).toEqual([]);
      expect(ics.contentType).toBe('text/calendar');
      // RFC 2231: the artist's name as written, encoded in the header, decoded by the mail client.
      expect(ics.filename).toBe('Sigur-Rós-shows.ics');
      return { method: ics.headers.get('content-type'), events: readCalendar(ics.content.toString('utf8')) };
    });
    expect(calendars.map(({ method }) => (method as { params: { method: string } }).params.method)).toEqual([
      'PUBLISH',
      'PUBLISH',
    ]);
    const [[told], [cancelledEvent]] = calendars.map(({ events }) => events);
    expect(told).toMatchObject({
      status: 'CONFIRMED',
      zone: 'Europe/Berlin',
      localStart: `${berlin.date}T19:00:00`,
      summary: 'Sigur Rós at Berlin Hall, Berlin',
    });
    expect(cancelledEvent).toMatchObject({ uid: told.uid, status: 'CANCELLED' });
    expect(cancelledEvent.sequence).toBeGreaterThan(told.sequence);
  });
});
