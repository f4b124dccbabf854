import fc from 'fast-check';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { MailKind } from '#shared/events/mailing-requested.ts';
import {
  embargoTemplateData,
  noticeTemplateData,
  promoOpensTemplateData,
  templateDataFor,
  templateDataJson,
  templateDataLimit,
  unsubscribeHeaders,
} from '#shared/mail/data.ts';
import { budgetTemplateNames } from '#shared/mail/template-names.ts';
import { mailTemplates, templateNames } from '#shared/mail/templates.ts';
import { withBrowser } from '#test/support/browser.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';
import { aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

// As SES renders stored templates: Handlebars, built-in helpers only, and no HTML escaping.
const handlebars = Handlebars.create();
const render = (source: string, data: unknown) =>
  handlebars.compile(source, { noEscape: true, strict: false })(data);
const renderMail = (name: string, data: unknown) => {
  const template = mailTemplates.find((t) => t.name === name)!;
  return {
    subject: render(template.subject, data),
    html: render(template.html, data),
    text: render(template.text, data),
  };
};

const recipient = {
  outletName: 'Radio Nova',
  contactName: 'Sam Rivers',
  unsubscribeUrl: 'https://backline.example/u/v1.abc.def',
  promoLinks: [{ label: 'Stream #1', url: 'https://backline.example/p/v1.x.y?a=1&b=2' }],
};

describe('release mail templates', () => {
  it('defines every mail once, each with subject, HTML and text; campaign mail offers unsubscribe, operational mail never', () => {
    expect(mailTemplates.map((t) => t.name).sort()).toEqual(
      [...Object.values(templateNames), ...Object.values(budgetTemplateNames)].sort(),
    );
    for (const template of mailTemplates) {
      const whole = `${template.subject}${template.html}${template.text}`;
      expect(template.subject).not.toBe('');
      expect(whole).not.toContain('{{{');
      if (template.stream === 'campaign') {
        expect(template.html).toContain('{{html.unsubscribeUrl}}');
        expect(template.text).toContain('{{text.unsubscribeUrl}}');
      } else {
        expect(whole).not.toMatch(/unsubscribe/i);
      }
    }
    expect(mailTemplates.filter((t) => t.stream === 'operational').map((t) => t.name)).toContain(
      templateNames.notice,
    );
  });

  it('renders an operational notice escaped in HTML and on single lines in text', () => {
    const data = noticeTemplateData({
      subject: 'Cannot reach\r\nBcc: x',
      heading: 'Mail to <Pat> bounced',
      lines: ['Show: Paris & Lyon', 'Second line'],
      recipientName: 'Alex',
    });

    const mail = renderMail(templateNames.notice, data);

    expect(mail.subject).toBe('Cannot reach Bcc: x');
    expect(mail.html).toContain('Mail to &lt;Pat&gt; bounced');
    expect(mail.html).toContain('<p>Show: Paris &amp; Lyon</p>');
    expect(mail.text).toContain('Hello Alex,');
    expect(mail.text).toContain('Show: Paris & Lyon\nSecond line');
  });

  it('renders a notice with its link and its sections of labelled rows, escaped in HTML', () => {
    const data = noticeTemplateData({
      subject: 'Day sheet: Paris',
      heading: 'Day sheet: Paris',
      lines: ['Tomorrow: Paris.'],
      link: { url: 'https://b.example/tm/x?a=1&b=2', label: 'Guest list' },
      sections: [{ title: 'Schedule', rows: [{ label: 'Doors', value: '19:00 <Europe/Paris>' }] }],
    });

    const mail = renderMail(templateNames.notice, data);

    expect(mail.html).toContain('<a href="https://b.example/tm/x?a=1&amp;b=2">Guest list</a>');
    expect(mail.html).toContain(
      '<th align="left" valign="top">Doors</th><td>19:00 &lt;Europe/Paris&gt;</td>',
    );
    expect(mail.text).toContain('Guest list: https://b.example/tm/x?a=1&b=2');
    expect(mail.text).toContain('== Schedule ==\nDoors: 19:00 <Europe/Paris>');
    expect(mail.text).not.toMatch(/unsubscribe/i);
  });

  it('says title, artists, kind, date with its zone, territories, press text, embargo, promo links and unsubscribe', () => {
    const release = aStoredRelease({
      details: aReleaseDetails({
        artists: [{ name: 'The Midnight Echoes' }, { name: 'Luna Park' }],
        pressRelease: { text: 'Line one.\nLine two.' },
      }),
    });
    const data = templateDataFor(release, 'announcement', recipient);
    // The outlet's own data, as the announcer gives it: the embargo it was held until.
    const embargo = embargoTemplateData('2027-03-01T09:00:00Z', 'Europe/London');

    const mail = renderMail(templateNames.announcement, {
      text: { ...data.text, ...embargo.text },
      html: { ...data.html, ...embargo.html },
    });

    expect(mail.subject).toBe('New single: Night Drive by The Midnight Echoes, Luna Park, out 5 March 2027');
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('Hello Sam Rivers');
      expect(part).toContain('Friday, 5 March 2027, 00:00 (Europe/London)');
      expect(part).toContain('GB, IE');
      expect(part).toContain('1 March 2027 at 09:00 (Europe/London)');
      expect(part).toContain('Stream #1');
    }
    expect(mail.html).toContain('Line one.<br>\nLine two.');
    expect(mail.html).toContain('href="https://backline.example/p/v1.x.y?a=1&amp;b=2"');
    expect(mail.html).toContain('href="https://backline.example/u/v1.abc.def"');
    expect(mail.text).toContain('Line one.\nLine two.');
  });

  it('lists the tracks with their ISRCs and durations, and the UPC, in every mail that states the release, for radio to log and report airplay', () => {
    const release = aStoredRelease({
      details: aReleaseDetails({
        upc: '5012345678900',
        tracks: [
          { title: 'Night Drive', isrc: 'GBAYE2700001', durationSeconds: 215 },
          { title: 'Night <Drive> (Radio Edit)', isrc: 'GBAYE2700002' },
          { title: 'Coda' },
        ],
      }),
    });

    const mails = (['announcement', 'radio-servicing', 'date-change', 'out-now'] as const).map((kind) =>
      renderMail(templateNames[kind], templateDataFor(release, kind, recipient)),
    );

    for (const mail of mails) {
      expect(mail.text).toContain(
        'UPC: 5012345678900\nTracks:\n1. Night Drive, ISRC GBAYE2700001 (3:35)\n2. Night <Drive> (Radio Edit), ISRC GBAYE2700002\n3. Coda\n',
      );
      expect(mail.html).toContain('<tr><th align="left">UPC</th><td>5012345678900</td></tr>');
      expect(mail.html).toContain(
        '<tr><th align="left">Tracks</th><td><ol style="margin: 0; padding-left: 1.2em"><li>Night Drive, ISRC GBAYE2700001 (3:35)</li><li>Night &lt;Drive&gt; (Radio Edit), ISRC GBAYE2700002</li><li>Coda</li></ol></td></tr>',
      );
    }
  });

  it('keeps a release of as many tracks as a webhook holds within what SES takes of a mail’s data, listing the first and how many more', () => {
    const longest = '&'.repeat(300);
    const release = aStoredRelease({
      details: aReleaseDetails({
        title: longest,
        artists: [{ name: longest }],
        pressRelease: { text: '&'.repeat(20_000) },
        tracks: Array.from({ length: 700 }, () => ({
          title: longest,
          isrc: 'GBAYE2700001',
          durationSeconds: 86_400,
        })),
      }),
    });

    const data = templateDataFor(release, 'announcement', recipient);
    const mail = renderMail(templateNames.announcement, data);

    expect(templateDataJson(data).length).toBeLessThanOrEqual(templateDataLimit);
    expect(mail.text).toContain(`30. ${longest}, ISRC GBAYE2700001 (24:00:00)\n31. and 670 more tracks\n`);
  });

  it('says when the promo links open, in text and HTML, for each mail with promo links, when the outlet’s data states it', () => {
    const release = aStoredRelease();
    // The outlet's own data, as the announcer gives it to a mail written before the promo opens.
    const opens = promoOpensTemplateData('2027-03-04T10:00:00Z', 'Europe/Berlin');
    const kinds = [
      'announcement',
      'date-change',
      'out-now',
      'radio-servicing',
      'radio-add-date-change',
    ] as const;

    for (const kind of kinds) {
      const data = templateDataFor(release, kind, recipient);
      const mail = renderMail(templateNames[kind], {
        text: { ...data.text, ...opens.text },
        html: { ...data.html, ...opens.html },
      });
      const open = renderMail(templateNames[kind], data);

      expect(mail.text).toContain(
        'Your personal promo links (please do not share them):\nThey open on 4 March 2027 at 11:00 (Europe/Berlin).\n- Stream #1:',
      );
      expect(mail.html).toContain('<p>They open on 4 March 2027 at 11:00 (Europe/Berlin).</p>');
      expect(open.text).toContain('Your personal promo links (please do not share them):\n- Stream #1:');
      expect(`${open.text}${open.html}`).not.toContain('They open on');
    }
  });

  it('states WW with the countries it leaves out last, so a country listed beside it is not read as left out', () => {
    const release = aStoredRelease({
      details: aReleaseDetails({
        territories: ['WW', 'US', 'JP'],
        excludedTerritories: ['FR', 'DE'],
        territoryDates: [{ territories: ['US'], releaseDate: '2027-03-12' }],
      }),
    });

    const mail = renderMail(templateNames.announcement, templateDataFor(release, 'announcement', recipient));

    expect(mail.text).toContain('Territories: US, JP, WW except FR, DE\n');
    expect(mail.html).toContain('<td>US, JP, WW except FR, DE</td>');
  });

  it('says a release cancelled once out is withdrawn, out since its date, and one cancelled before it was planned for it', () => {
    const release = aStoredRelease({ state: 'cancelled', cancellationReason: 'Rights dispute.' });
    const data = templateDataFor(release, 'cancellation', recipient);
    const outData = { text: { ...data.text, outAlready: true }, html: { ...data.html, outAlready: true } };

    const [withdrawn, cancelled] = [outData, data].map((d) => renderMail(templateNames.cancellation, d));

    expect(withdrawn.subject).toBe('Withdrawn: Night Drive by The Midnight Echoes');
    expect(withdrawn.text).toContain(
      'Night Drive by The Midnight Echoes, out since Friday, 5 March 2027, 00:00 (Europe/London), is withdrawn. Please disregard our earlier mails about it.',
    );
    expect(withdrawn.html).toContain('<h1 style="font-size: 20px">Night Drive is withdrawn</h1>');
    expect(withdrawn.text).not.toContain('planned for');
    expect(cancelled.subject).toBe('Cancelled: Night Drive by The Midnight Echoes');
    expect(cancelled.text).toContain(
      'The release of Night Drive by The Midnight Echoes, planned for Friday, 5 March 2027, 00:00 (Europe/London), is cancelled.',
    );
    for (const mail of [withdrawn, cancelled]) expect(mail.text).toContain('Rights dispute.');
  });

  it('asks a cancellation’s reader to disregard the earlier mails, not an announcement a radio station serviced instead never got', () => {
    const release = aStoredRelease({ state: 'cancelled' });

    const mail = renderMail(templateNames.cancellation, templateDataFor(release, 'cancellation', recipient));

    expect(mail.text).toContain('is cancelled. Please disregard our earlier mails about it.');
    expect(mail.html).toContain('is cancelled. Please disregard our earlier mails about it.');
    expect(mail.text).not.toContain('announcement');
  });

  it('says a release cancelled once out in some territories is withdrawn there and cancelled where it was still to come', () => {
    const release = aStoredRelease({ state: 'cancelled' });
    const data = templateDataFor(release, 'cancellation', recipient);
    const dates = {
      releaseDate: 'Friday, 19 March 2027, 09:00 (America/New_York) in US',
      outSince: 'Friday, 12 March 2027, 00:00 (Europe/Berlin) in DE',
    };

    const mail = renderMail(templateNames.cancellation, {
      text: { ...data.text, ...dates },
      html: { ...data.html, ...dates },
    });

    expect(mail.subject).toBe('Cancelled: Night Drive by The Midnight Echoes');
    expect(mail.text).toContain(
      'The release of Night Drive by The Midnight Echoes, planned for Friday, 19 March 2027, 09:00 (America/New_York) in US, is cancelled, and it is withdrawn where it has been out since Friday, 12 March 2027, 00:00 (Europe/Berlin) in DE. Please disregard our earlier mails about it.',
    );
    expect(mail.html).toContain('is withdrawn where it has been out since Friday, 12 March 2027');
  });

  it('leaves the embargo out of every release mail’s shared data: the announcer states it per outlet, when it does', () => {
    const release = aStoredRelease({ details: aReleaseDetails({ announceAt: '2027-03-02T09:00:00Z' }) });

    const [announcement, dateChange] = (['announcement', 'date-change'] as const).map((kind) =>
      renderMail(templateNames[kind], templateDataFor(release, kind, recipient)),
    );

    for (const mail of [announcement, dateChange]) {
      expect(mail.text).not.toContain('Embargo');
      expect(mail.html).not.toContain('Embargo');
    }
  });

  it.each(MailKind.options)(
    'names the label under the title and in the footer of the %s mail, escaped in HTML',
    (kind) => {
      const release = aStoredRelease();

      const mail = renderMail(
        templateNames[kind],
        templateDataFor(release, kind, recipient, 'Nightshift <Records> & Co'),
      );

      expect(mail.text).toMatch(/\n\nFrom Nightshift <Records> & Co\n\n/);
      expect(mail.text).toContain(
        'You receive this because Radio Nova is in the media list of Nightshift <Records> & Co.',
      );
      expect(mail.html).toContain('</h1>\n<p>From Nightshift &lt;Records&gt; &amp; Co</p>');
      expect(mail.html).toContain('is in the media list of Nightshift &lt;Records&gt; &amp; Co.');
      expect(mail.html).not.toContain('<Records>');
    },
  );

  it('escapes titles and names in HTML and keeps them plain in the text part', () => {
    const release = aStoredRelease({
      details: aReleaseDetails({
        title: '<script>alert("x")</script> & Co',
        artists: [{ name: "O'Neil <b>" }],
      }),
    });

    const mail = renderMail(
      templateNames['out-now'],
      templateDataFor(release, 'out-now', { ...recipient, contactName: '<i>Sam</i>' }),
    );

    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail.html).toContain('O&#39;Neil &lt;b&gt;');
    expect(mail.html).toContain('Hello &lt;i&gt;Sam&lt;/i&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('<script>alert("x")</script> & Co');
  });

  it('never lets a title, artist or contact put a line break into the subject or a header', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (title, artist, url) => {
        const release = aStoredRelease({
          details: aReleaseDetails({ title: `${title}x`, artists: [{ name: `${artist}y` }] }),
        });
        for (const kind of ['announcement', 'date-change', 'cancellation', 'out-now'] as const) {
          const data = templateDataFor(release, kind, {
            ...recipient,
            unsubscribeUrl: `https://b.example/u/${url}`,
          });
          const subject = render(mailTemplates.find((t) => t.name === templateNames[kind])!.subject, data);
          expect(subject).not.toMatch(/[\r\n]/);
          for (const header of unsubscribeHeaders(data.text.unsubscribeUrl))
            expect(header.Value).not.toMatch(/[\r\n]/);
        }
      }),
    );
  });

  it('drops a bidi override, embedding or isolate from a title, a name or press text, so none reorders the subject or the mail after it', () => {
    // U+202E would show the rest of the subject right to left: 'out 5 March 2027' as '7202 hcraM 5 tuo'.
    const release = aStoredRelease({
      details: aReleaseDetails({
        title: 'Night\u202e Drive',
        artists: [{ name: 'Echoes\u2067' }],
        pressRelease: { text: 'Line\u202b one.\nLine\u202a two.\u202c\u2066\u2068\u2069\u202d' },
      }),
    });

    const mail = renderMail(
      templateNames.announcement,
      templateDataFor(release, 'announcement', { ...recipient, outletName: 'Radio\u202e Nova' }),
    );

    expect(mail.subject).toBe('New single: Night Drive by Echoes, out 5 March 2027');
    for (const part of [mail.subject, mail.html, mail.text])
      expect(part.match(/[\u202a-\u202e\u2066-\u2069]/g) ?? []).toEqual([]);
    expect(mail.text).toContain('Line one.\nLine two.');
  });

  it('tells the old and new date in a date-change mail and the reason in a cancellation', () => {
    const release = aStoredRelease({
      details: aReleaseDetails({ releaseDate: '2027-03-12' }),
      previousMoment: { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/London' },
      cancellationReason: 'Artist withdrew.',
    });

    const change = renderMail(
      templateNames['date-change'],
      templateDataFor(release, 'date-change', recipient),
    );
    const cancel = renderMail(
      templateNames.cancellation,
      templateDataFor(release, 'cancellation', recipient),
    );

    expect(change.text).toContain('from Friday, 5 March 2027, 00:00 (Europe/London)');
    expect(change.text).toContain('now Friday, 12 March 2027, 00:00 (Europe/London)');
    expect(cancel.subject).toBe('Cancelled: Night Drive by The Midnight Echoes');
    expect(cancel.text).toContain('Artist withdrew.');
  });
});

/** What a mail's HTML part says, line by line as its text part puts it: a row's heading and cell as `heading: cell`. */
const saidIn = (html: string) =>
  html
    .replace(/^[\s\S]*<body[^>]*>/, '')
    .replace(/<\/th><td[^>]*>/g, ': ')
    .replace(/<[^>]+>/g, '\n')
    .replace(
      /&(amp|lt|gt|quot|#39);/g,
      (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] as string,
    )
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
const saidInText = (text: string) => text.split('\n').filter((line) => line.trim() !== '' && line !== '--');

describe('budget mail templates', () => {
  /** 60.00 EUR a day against 1,000.00 for 17 days of March: the alerts (the forecast first, then the thresholds and the radio line) and the report. */
  const budgetMails = async (budget = aBudget()) => {
    const h = budgetsHarness();
    await h.budget(budget);
    for (let day = 1; day <= 17; day++) {
      const date = `2027-03-${String(day).padStart(2, '0')}`;
      await h.expense(
        anExpense({
          budgetId: budget.budgetId,
          expenseId: `exp-${day}`,
          date,
          amount: { minor: 6_000, currency: 'EUR' },
        }),
      );
      await h.reconcile(date);
    }
    await h.report('2027-03-17');
    const mails = h.received().map((m) => ({ template: m.template, ...renderMail(m.template, m.data) }));
    return {
      alerts: mails.filter((m) => m.template === budgetTemplateNames.alert),
      report: mails.find((m) => m.template === budgetTemplateNames.report)!,
    };
  };

  it("capitalises an alert's heading as every other mail's, and its text part says what its HTML part says, footer included", async () => {
    const { alerts, report } = await budgetMails();

    expect(alerts.map((m) => m.html.match(/<h1[^>]*>(.*)<\/h1>/)?.[1])).toEqual([
      'At this rate the money runs out on 2027-03-27',
      '50 % of the plan is spent',
      'Line radio is over its plan',
      '80 % of the plan is spent',
      '100 % of the plan is spent',
    ]);
    for (const alert of alerts) expect(saidInText(alert.text)).toEqual(saidIn(alert.html));
    expect(saidInText(report.text).at(-1)).toBe(saidIn(report.html).at(-1));
  });

  it("sets each of the report's text sections after one blank line, and leaves no run of blank lines where a section is empty", async () => {
    const { report } = await budgetMails();

    expect(report.text).toContain('over\n\nLines over plan:\n- bud-1: radio');
    expect(report.text).not.toMatch(/\n\n\n/);
  });

  describe('on a phone', () => {
    const chromium = withBrowser();
    /** How wide the page is laid out in Chromium at 375 px (an iPhone's width), in CSS pixels: 375 when nothing sticks out. */
    const laidOutWidth = async (html: string) => {
      const page = await chromium.browser!.newPage({ viewport: { width: 375, height: 812 } });
      try {
        await page.setContent(html);
        return await page.evaluate<number>(
          'Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)',
        );
      } finally {
        await page.close();
      }
    };

    it('lays out the alerts and the report within 375 px, the text wrapped and the table of figures scrolling inside itself', async (context) => {
      if (!chromium.browser) return context.skip(chromium.skip);
      // Ids as a label may write them: one word each (no hyphen to break at), at length.
      const { alerts, report } = await budgetMails(
        aBudget({
          budgetId: 'bud_nightdrive_summer_campaign_2027_radio_and_press_eu',
          scope: { kind: 'release', id: 'rel_2027_the_midnight_echoes_nightdrive_deluxe_edition' },
        }),
      );

      const widths = await Promise.all([...alerts, report].map((mail) => laidOutWidth(mail.html)));

      expect(widths).toEqual([375, 375, 375, 375, 375, 375]);
    });
  });
});
