import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationSeconds, parseErn } from '#shared/ern.ts';
import { ernWebhookBody, ernWebhookType, parseRecordedBody } from '#shared/webhooks.ts';
import { ernMessage } from '#test/support/ern.ts';

const base = {
  messageId: 'MSG-2027-0001',
  createdAt: '2027-01-05T10:00:00Z',
  icpn: '5012345678900',
  genre: 'Synthpop',
};

/** GB, DE and US on their own street dates (the 5th, 12th and 19th of March 2027), with a pre-order from 5 February. */
const threeTerritories = (change: { preOrderDate?: string } = {}) =>
  ernMessage('three-territories', {
    ...base,
    dateGB: '2027-03-05',
    dateDE: '2027-03-12',
    dateUS: '2027-03-19',
    preOrderDate: '2027-02-05',
    ...change,
  });

const issuesOf = (raw: string) => {
  const parsed = parseErn(raw);
  if (parsed.ok) throw new Error('expected a rejection');
  return parsed.error.issues;
};

describe('reading a DDEX ERN 4.3 NewReleaseMessage', () => {
  it('reads a single: title, display artists, type, ICPN, track with ISRC and duration, genre, street date per deal', () => {
    const parsed = parseErn(ernMessage('single', { ...base, date: '2027-03-05' }));

    expect(parsed).toEqual({
      ok: true,
      release: {
        messageId: 'MSG-2027-0001',
        createdAt: '2027-01-05T10:00:00.000Z',
        releaseId: '5012345678900',
        details: {
          releaseId: '5012345678900',
          title: 'Night Drive',
          artists: [{ name: 'The Midnight Echoes' }],
          kind: 'single',
          releaseDate: '2027-03-05',
          releaseTime: '00:00',
          timeZone: 'Europe/London',
          territories: ['GB', 'IE'],
          genres: ['Synthpop'],
          upc: '5012345678900',
          tracks: [{ title: 'Night Drive', isrc: 'GBAYE2700001', durationSeconds: 225 }],
          // Midnight in each territory (docs/design.md#ddex-ern): one instant, stated in two zones.
          territoryDates: [
            {
              territories: ['GB'],
              releaseDate: '2027-03-05',
              releaseTime: '00:00',
              timeZone: 'Europe/London',
            },
            {
              territories: ['IE'],
              releaseDate: '2027-03-05',
              releaseTime: '00:00',
              timeZone: 'Europe/Dublin',
            },
          ],
        },
      },
    });
  });

  it('reads an album of twelve tracks in sequence, through nested resource groups, artists in their sequence', () => {
    const parsed = parseErn(ernMessage('album-12-tracks', { ...base, date: '2027-04-02' }));

    if (!parsed.ok) throw parsed.error;
    const details = parsed.release.details!;
    expect(details.kind).toBe('album');
    expect(details.tracks).toHaveLength(12);
    expect(details.tracks[0]).toEqual({ title: 'Neon Harbour', isrc: 'GBAYE2700101', durationSeconds: 183 });
    expect(details.tracks[11].title).toBe('Last Train Home');
    expect(details.artists).toEqual([{ name: 'The Midnight Echoes' }, { name: 'Ada Vale' }]);
    expect(details.territories).toEqual(['WW']);
    expect(details.releaseDate).toBe('2027-04-02');
  });

  // docs/design.md#ddex-ern: a pre-order start is a calendar date; one naming its zone is that date as
  // written, not the UTC date of its midnight there (2027-02-04 for Tokyo's).
  it('takes a pre-order StartDate naming its zone as the date written', () => {
    const parsed = parseErn(
      threeTerritories().replace(
        '<StartDate>2027-02-05</StartDate>',
        '<StartDate>2027-02-05+09:00</StartDate>',
      ),
    );

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details!.territoryDates!.map((entry) => entry.preOrderDate)).toEqual([
      '2027-02-05',
      '2027-02-05',
      '2027-02-05',
    ]);
  });

  it('gives each territory its street date, with pre-order and preview starts, earliest first', () => {
    const parsed = parseErn(threeTerritories());

    if (!parsed.ok) throw parsed.error;
    const details = parsed.release.details!;
    expect(details.releaseDate).toBe('2027-03-05');
    expect(details.territories).toEqual(['GB', 'DE', 'US']);
    const common = {
      releaseTime: '00:00',
      preOrderDate: '2027-02-05',
      previewAt: '2027-02-05T00:00:00.000Z',
    };
    // Midnight in each territory: the US's where it comes last, in Hawaii (docs/design.md#ddex-ern).
    expect(details.territoryDates).toEqual([
      { territories: ['GB'], releaseDate: '2027-03-05', timeZone: 'Europe/London', ...common },
      { territories: ['DE'], releaseDate: '2027-03-12', timeZone: 'Europe/Berlin', ...common },
      { territories: ['US'], releaseDate: '2027-03-19', timeZone: 'Pacific/Honolulu', ...common },
    ]);
  });

  it('leaves out a territory whose deal ended by the message (a takedown) and one no longer listed', () => {
    const parsed = parseErn(
      ernMessage('takedown', {
        ...base,
        dateGB: '2027-03-05',
        dateDE: '2027-03-12',
        takenDownOn: '2027-01-05',
      }),
    );

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details?.territories).toEqual(['GB']);
    expect(parsed.release.details?.territoryDates).toBeUndefined();
  });

  it('no longer reaches a territory taken down from a worldwide release: worldwide except that territory', () => {
    // Released Worldwide, then withdrawn in DE: its deal there ended by the message.
    const message = ernMessage('takedown', {
      ...base,
      dateGB: '2027-03-05',
      dateDE: '2027-03-05',
      takenDownOn: '2027-01-05',
    }).replace('<TerritoryCode>GB</TerritoryCode>', '<TerritoryCode>Worldwide</TerritoryCode>');

    const parsed = parseErn(message);

    // WW alone would still reach every DE outlet: DE is excluded from it.
    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details).toMatchObject({ territories: ['WW'], excludedTerritories: ['DE'] });
  });

  it('reads ExcludedTerritoryCode beside a Worldwide deal as the countries it leaves out, and refuses it beside countries', () => {
    const worldwide = ernMessage('album-12-tracks', { ...base, date: '2027-04-02' });
    const parsed = parseErn(
      worldwide.replace(
        '<TerritoryCode>Worldwide</TerritoryCode>',
        '<TerritoryCode>Worldwide</TerritoryCode><ExcludedTerritoryCode>DE</ExcludedTerritoryCode><ExcludedTerritoryCode>AT</ExcludedTerritoryCode>',
      ),
    );
    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details).toMatchObject({ territories: ['WW'], excludedTerritories: ['AT', 'DE'] });
    expect(ernWebhookBody(parsed.release, 'release.updated')).toMatchObject({ ok: true });

    const single = ernMessage('single', { ...base, date: '2027-03-05' }).replace(
      '<TerritoryCode>IE</TerritoryCode>',
      '<TerritoryCode>IE</TerritoryCode><ExcludedTerritoryCode>DE</ExcludedTerritoryCode>',
    );
    expect(issuesOf(single)[0]).toMatchObject({
      path: 'NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms/ExcludedTerritoryCode',
    });
  });

  it('reads a deal giving ExcludedTerritoryCode alone (ERN 4: in place of TerritoryCode) as worldwide except those countries', () => {
    const worldwide = ernMessage('album-12-tracks', { ...base, date: '2027-04-02' });
    const excepting = worldwide.replaceAll(
      '<TerritoryCode>Worldwide</TerritoryCode>',
      '<ExcludedTerritoryCode>DE</ExcludedTerritoryCode><ExcludedTerritoryCode>AT</ExcludedTerritoryCode>',
    );

    const parsed = parseErn(excepting);

    expect(excepting).not.toContain('<TerritoryCode>');
    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details).toMatchObject({ territories: ['WW'], excludedTerritories: ['AT', 'DE'] });
  });

  it('becomes a release.cancelled when taken down in every territory, and an update when the release is known', () => {
    // Taken down from before the message was created (one still to come is refused: ern-ended-deals).
    const allDown = parseErn(
      ernMessage('single', { ...base, date: '2027-01-01' }).replace(
        /<\/ValidityPeriod>/g,
        '</ValidityPeriod><TakeDown>true</TakeDown>',
      ),
    );
    const single = parseErn(ernMessage('single', { ...base, date: '2027-03-05' }));

    if (!allDown.ok || !single.ok) throw new Error('expected both to parse');
    expect(ernWebhookType(allDown.release, true)).toBe('release.cancelled');
    expect(ernWebhookBody(allDown.release, 'release.cancelled')).toMatchObject({
      ok: true,
      body: { type: 'release.cancelled', data: { releaseId: '5012345678900' } },
    });
    expect(ernWebhookType(single.release, false)).toBe('release.scheduled');
    expect(ernWebhookType(single.release, true)).toBe('release.updated');
  });

  it('reads xs:boolean 1 as true: a TakeDown of 1 takes the release down, an IsPreOrderDeal of 1 gives no street date', () => {
    const single = ernMessage('single', { ...base, date: '2027-01-01' });
    const takenDown = single.replace(/<\/ValidityPeriod>/g, '</ValidityPeriod><TakeDown>1</TakeDown>');
    const preOrders = single.replace(
      /<\/ValidityPeriod>/g,
      '</ValidityPeriod><IsPreOrderDeal>1</IsPreOrderDeal>',
    );

    const down = parseErn(takenDown);

    if (!down.ok) throw down.error;
    expect(down.release.details).toBeUndefined();
    expect(issuesOf(preOrders)).toEqual([
      {
        path: 'NewReleaseMessage/DealList/ReleaseDeal',
        message: 'has only pre-order deals in GB: Backline needs a street date',
      },
    ]);
  });

  it('builds the same webhook body again from the recorded XML and the type decided at intake (replay)', async () => {
    const body = ernMessage('single', { ...base, date: '2027-03-05' });

    const rebuilt = await parseRecordedBody({ body, type: 'release.updated', format: 'ern' });

    expect(rebuilt).toMatchObject({
      ok: true,
      body: {
        type: 'release.updated',
        timestamp: '2027-01-05T10:00:00.000Z',
        data: { title: 'Night Drive' },
      },
    });
  });

  // Intake reads the bytes (a UTF-8 byte order mark is no character of the text) and records them as a
  // string, the mark kept: the publisher and a replay read that string, and must read what intake read.
  it('reads the recorded XML of a message sent with a UTF-8 byte order mark as intake read its bytes', async () => {
    const body = `\uFEFF${ernMessage('single', { ...base, date: '2027-03-05' })}`;
    expect(parseErn(Buffer.from(body, 'utf8')).ok).toBe(true);

    const rebuilt = await parseRecordedBody({ body, type: 'release.scheduled', format: 'ern' });

    if (!rebuilt.ok) throw rebuilt.error;
    expect(rebuilt.body).toMatchObject({ type: 'release.scheduled', data: { title: 'Night Drive' } });
  });

  it('reads XML’s own escapes as the characters they stand for, each once: &amp;, &lt; and character references', () => {
    const xml = ernMessage('single', { ...base, genre: 'Drum &amp; Bass', date: '2027-03-01' }).replaceAll(
      '<DisplayTitleText>Night Drive</DisplayTitleText>',
      '<DisplayTitleText>Rock &amp; Roll &#233;t&#xE9; &lt;live&gt; &amp;#233;</DisplayTitleText>',
    );

    const read = parseErn(xml);

    if (!read.ok) throw read.error;
    expect(read.release.details?.title).toBe('Rock & Roll été <live> &#233;');
    expect(read.release.details?.genres).toEqual(['Drum & Bass']);
  });

  it('refuses a reference XML does not define (an HTML name, a character XML has none of), naming it, rather than keeping it as written', () => {
    const titled = (title: string) =>
      ernMessage('single', { ...base, date: '2027-03-01' }).replaceAll(
        '<DisplayTitleText>Night Drive</DisplayTitleText>',
        `<DisplayTitleText>${title}</DisplayTitleText>`,
      );

    for (const reference of ['&eacute;', '&nbsp;']) {
      expect(issuesOf(titled(`Caf${reference}`))).toEqual([
        {
          path: '',
          message: `body is not well-formed XML (${reference} is no XML escape: write the character itself)`,
        },
      ]);
    }
    // A character XML has not cannot be written itself either: the label is not told to.
    for (const reference of ['&#0;', '&#xD800;', '&#x110000;']) {
      expect(issuesOf(titled(`Caf${reference}`))).toEqual([
        { path: '', message: `body is not well-formed XML (${reference} names no character XML allows)` },
      ]);
    }
    const commented = parseErn(titled('Café<!-- was Caf&eacute; -->'));
    if (!commented.ok) throw commented.error;
    expect(commented.release.details?.title).toBe('Café');
  });

  // XML's text content (XPath's string value): a processing instruction or a comment inside text is
  // no text, and the text either side, spaces and all, is the element's; a CDATA section's is its text.
  it('reads a title holding a processing instruction, a comment or a CDATA section as its text content, the spaces either side kept', () => {
    const titled = (title: string) =>
      ernMessage('single', { ...base, date: '2027-03-01' }).replaceAll(
        '<DisplayTitleText>Night Drive</DisplayTitleText>',
        `<DisplayTitleText>${title}</DisplayTitleText>`,
      );
    const titleOf = (title: string) => {
      const read = parseErn(titled(title));
      if (!read.ok) throw read.error;
      return read.release.details?.title;
    };

    const titles = [
      'Blue <?pi x?> Moon',
      'Blue<?pi x?>Moon',
      ' <?pi x?>Blue Moon<?pi y?> ',
      'Blue <!-- c --> Moon',
      'Blue <![CDATA[&]]> Moon',
    ].map(titleOf);

    expect(titles).toEqual(['Blue  Moon', 'BlueMoon', 'Blue Moon', 'Blue  Moon', 'Blue & Moon']);
  });

  // XML 1.0, sections 2.8 and 2.6: the XML declaration opens the document or is not there, and no other
  // processing instruction is named xml, in any case. Such a message is not well-formed, whatever a parser makes of it.
  it('refuses an XML declaration anywhere but the start of the body, and an instruction named XML, with the line', () => {
    const xml = ernMessage('single', { ...base, date: '2027-03-01' });
    const titled = (title: string) =>
      xml.replaceAll(
        '<DisplayTitleText>Night Drive</DisplayTitleText>',
        `<DisplayTitleText>${title}</DisplayTitleText>`,
      );
    const titleLine = xml.slice(0, xml.indexOf('<DisplayTitleText>')).split('\n').length;
    const misplaced = 'an XML declaration is allowed only at the start of the body';

    expect(issuesOf(titled('Blue <?xml version="1.0"?> Moon'))).toEqual([
      { path: '', message: `body is not well-formed XML (line ${titleLine}: ${misplaced})` },
    ]);
    expect(issuesOf(`${xml}\n<?xml version="1.0"?>`)).toEqual([
      { path: '', message: `body is not well-formed XML (line ${xml.split('\n').length + 1}: ${misplaced})` },
    ]);
    expect(issuesOf(titled('Blue <?XML x?> Moon'))).toEqual([
      {
        path: '',
        message: `body is not well-formed XML (line ${titleLine}: no processing instruction may be named XML, in any case)`,
      },
    ]);
    // A name that only starts with xml is an instruction like any other.
    const styled = parseErn(titled('Blue <?xml-stylesheet href="a.css"?> Moon'));
    if (!styled.ok) throw styled.error;
    expect(styled.release.details?.title).toBe('Blue  Moon');
  });

  it('refuses a second MessageHeader, MessageId or main Release, naming it, rather than reading the first', () => {
    const xml = ernMessage('single', { ...base, date: '2027-03-01' });
    const header = xml.match(/<MessageHeader>[\s\S]*?<\/MessageHeader>/)![0];
    const release = xml.match(/<Release>[\s\S]*?<\/Release>/)![0];

    expect(issuesOf(xml.replace(header, header + header.replace(base.messageId, 'MSG-OTHER')))).toEqual([
      { path: 'NewReleaseMessage/MessageHeader', message: 'appears more than once: ERN allows one' },
    ]);
    expect(issuesOf(xml.replace('</MessageId>', '</MessageId><MessageId>MSG-OTHER</MessageId>'))).toEqual([
      {
        path: 'NewReleaseMessage/MessageHeader/MessageId',
        message: 'appears more than once: ERN allows one',
      },
    ]);
    expect(issuesOf(xml.replace(release, release + release.replace('R0', 'R9')))).toEqual([
      { path: 'NewReleaseMessage/ReleaseList/Release', message: 'appears more than once: ERN allows one' },
    ]);
  });

  it("refuses a TrackRelease whose ReleaseReference is the main Release's, rather than reading its deals as the release's", () => {
    // ReleaseReference is an xs:ID, so no two releases of a message share one; a track's instant-grat
    // deal in US, a month early, would otherwise become the release's street date there.
    const xml = ernMessage('single', { ...base, date: '2027-03-05' })
      .replace('<ReleaseReference>R1</ReleaseReference>', '<ReleaseReference>R0</ReleaseReference>')
      .replace(
        '</DealList>',
        '<ReleaseDeal><DealReleaseReference>R0</DealReleaseReference><Deal><DealTerms><TerritoryCode>US</TerritoryCode><ValidityPeriod><StartDate>2027-02-01</StartDate></ValidityPeriod><CommercialModelType>PayAsYouGoModel</CommercialModelType><UseType>PermanentDownload</UseType></DealTerms></Deal></ReleaseDeal></DealList>',
      );

    expect(issuesOf(xml)).toEqual([
      {
        path: 'NewReleaseMessage/ReleaseList/TrackRelease/ReleaseReference',
        message:
          "is R0, the main Release's too: ERN gives each release its own, so whose deals are whose is not known",
      },
    ]);
  });

  it("refuses a TestMessage, naming its MessageControlType, rather than announcing a label's feed test to the press", () => {
    const live = ernMessage('single', { ...base, date: '2027-03-05' });
    const test = live.replace(
      '<MessageControlType>LiveMessage</MessageControlType>',
      '<MessageControlType>TestMessage</MessageControlType>',
    );

    expect(test).not.toBe(live);
    expect(issuesOf(test)).toEqual([
      {
        path: 'NewReleaseMessage/MessageHeader/MessageControlType',
        message: 'is TestMessage: Backline takes LiveMessage only, and announces nothing of a test',
      },
    ]);
    expect(parseErn(live).ok).toBe(true);
    expect(parseErn(live.replace(/<MessageControlType>.*<\/MessageControlType>/, '')).ok).toBe(true);
  });

  it('names the element of a value the webhook schema refuses (a three-letter territory, a hyphenated ISRC, a 14-digit ICPN), not the JSON field it becomes', () => {
    const xml = ernMessage('single', { ...base, icpn: '50123456789012', date: '2027-03-01' })
      .replaceAll('<TerritoryCode>IE</TerritoryCode>', '<TerritoryCode>IRL</TerritoryCode>')
      .replace('<ISRC>GBAYE2700001</ISRC>', '<ISRC>GB-AYE-27-00001</ISRC>');
    const parsed = parseErn(xml);
    if (!parsed.ok) throw parsed.error;

    const checked = ernWebhookBody(parsed.release, 'release.scheduled');

    expect(checked.ok ? [] : checked.error.issues.map((issue) => issue.path)).toEqual([
      'NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms/TerritoryCode',
      'NewReleaseMessage/ReleaseList/Release/ReleaseId/ICPN',
      'NewReleaseMessage/ResourceList/SoundRecording/SoundRecordingEdition/ResourceId/ISRC',
    ]);
  });

  it('names the element of a text the webhook schema refuses (a title, track title, artist or genre over its length, a duration past a day, a pre-order date past 9998), not the JSON field it becomes', () => {
    const long = 'x'.repeat(301);
    const xml = ernMessage('single', {
      ...base,
      genre: 'g'.repeat(61),
      date: '2027-03-01',
    })
      .replace(
        '<DisplayTitleText>Night Drive</DisplayTitleText>',
        `<DisplayTitleText>${long}</DisplayTitleText>`,
      )
      .replace(/(<ReleaseType>[\s\S]*?)<DisplayTitleText>Night Drive</, `$1<DisplayTitleText>${long}<`)
      .replace('<FullName>The Midnight Echoes</FullName>', `<FullName>${long}</FullName>`)
      .replace('<Duration>PT3M45S</Duration>', '<Duration>PT25H</Duration>');
    const parsed = parseErn(xml);
    if (!parsed.ok) throw parsed.error;

    const checked = ernWebhookBody(parsed.release, 'release.scheduled');

    expect(checked.ok ? [] : checked.error.issues.map((issue) => issue.path)).toEqual([
      'NewReleaseMessage/ReleaseList/Release/DisplayTitleText',
      'NewReleaseMessage/PartyList/Party/PartyName/FullName',
      'NewReleaseMessage/ReleaseList/Release/Genre/GenreText',
      'NewReleaseMessage/ResourceList/SoundRecording/DisplayTitleText',
      'NewReleaseMessage/ResourceList/SoundRecording/Duration',
    ]);

    const preOrder = parseErn(threeTerritories({ preOrderDate: '9999-01-01' }));
    if (!preOrder.ok) throw preOrder.error;
    const refused = ernWebhookBody(preOrder.release, 'release.scheduled');
    // Each territory's pre-order date is refused, and named by the same element.
    expect(
      new Set(refused.ok ? [] : refused.error.issues.map(({ path, message }) => `${path}: ${message}`)),
    ).toEqual(
      new Set([
        'NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms/ValidityPeriod/StartDate: must be from 1970 to 9998',
      ]),
    );
  });

  it("names the release's DisplayArtistName for an artist name past its length read from it (no DisplayArtist, or one naming no party), the party's FullName otherwise", () => {
    const long = 'x'.repeat(201);
    const single = ernMessage('single', { ...base, date: '2027-03-01' });
    const releaseArtist =
      /(<ReleaseType>[\s\S]*?)<DisplayArtistName>The Midnight Echoes<\/DisplayArtistName>/;
    const pathsOf = (xml: string) => {
      const parsed = parseErn(xml);
      if (!parsed.ok) throw parsed.error;
      const checked = ernWebhookBody(parsed.release, 'release.scheduled');
      return checked.ok ? [] : checked.error.issues.map(({ path, message }) => `${path}: ${message}`);
    };
    const tooLong = 'Too big: expected string to have <=200 characters';

    const withoutDisplayArtist = single
      .replace(releaseArtist, `$1<DisplayArtistName>${long}</DisplayArtistName>`)
      .replace(/(<ReleaseType>[\s\S]*?)<DisplayArtist SequenceNumber="1">[\s\S]*?<\/DisplayArtist>/, '$1');
    const namingNoParty = single
      .replace(releaseArtist, `$1<DisplayArtistName>${long}</DisplayArtistName>`)
      .replace(/(<ReleaseType>[\s\S]*?<ArtistPartyReference>)PMidnightEchoes</, '$1PUnlisted<');
    const fromTheParty = single.replace(
      '<FullName>The Midnight Echoes</FullName>',
      `<FullName>${long}</FullName>`,
    );

    expect([pathsOf(withoutDisplayArtist), pathsOf(namingNoParty), pathsOf(fromTheParty)]).toEqual([
      [`NewReleaseMessage/ReleaseList/Release/DisplayArtistName: ${tooLong}`],
      [`NewReleaseMessage/ReleaseList/Release/DisplayArtistName: ${tooLong}`],
      [`NewReleaseMessage/PartyList/Party/PartyName/FullName: ${tooLong}`],
    ]);
  });

  it('refuses a message whose only deals are pre-orders, naming the deals, rather than reading it as taken down everywhere', () => {
    const xml = ernMessage('single', { ...base, date: '2027-03-01' })
      .replace(/<Deal>\s*<DealTerms>(?:(?!<\/Deal>)[\s\S])*SubscriptionModel[\s\S]*?<\/Deal>/, '')
      .replace(
        '<UseType>PermanentDownload</UseType>',
        '<UseType>PermanentDownload</UseType><IsPreOrderDeal>true</IsPreOrderDeal>',
      );

    expect(xml).not.toContain('SubscriptionModel');
    expect(issuesOf(xml)).toEqual([
      {
        path: 'NewReleaseMessage/DealList/ReleaseDeal',
        message: 'has only pre-order deals in GB: Backline needs a street date',
      },
    ]);
  });

  it('refuses a territory whose only deal is a pre-order beside others with street dates, rather than leaving it out unsaid', () => {
    const xml = threeTerritories().replace(
      /<Deal>\s*<DealTerms>\s*<TerritoryCode>US<\/TerritoryCode>[\s\S]*?<\/Deal>/,
      '',
    );

    expect(issuesOf(xml)).toEqual([
      {
        path: 'NewReleaseMessage/DealList/ReleaseDeal',
        message: 'has only pre-order deals in US: Backline needs a street date',
      },
    ]);
  });

  it('reads a CDATA section literally: nothing in it is an escape', () => {
    const xml = ernMessage('single', { ...base, genre: '<![CDATA[R&amp;B <soul>]]>', date: '2027-03-01' });

    const read = parseErn(xml);

    if (!read.ok) throw read.error;
    expect(read.release.details?.genres).toEqual(['R&amp;B <soul>']);
  });

  it('rejects ERN 3.x saying so', () => {
    const ern382 =
      '<?xml version="1.0"?><ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/382" MessageSchemaVersionId="ern/382"><MessageHeader/></ern:NewReleaseMessage>';

    expect(issuesOf(ern382)).toEqual([
      { path: 'NewReleaseMessage', message: expect.stringMatching(/ERN 3\.x.*ERN 4\.3/) },
    ]);
  });

  it('takes the ERN 4.3, 4.3.1 and 4.3.2 namespaces only, whose elements it reads, and answers another 4.x namespace naming the root and the versions taken', () => {
    const single = ernMessage('single', { ...base, date: '2027-03-05' });
    const inNamespace = (version: string) =>
      single.replaceAll('http://ddex.net/xml/ern/43', `http://ddex.net/xml/ern/${version}`);
    const versions = ['4', '49', '42', '411', '433', '44'];

    const issues = versions.map((version) => {
      const parsed = parseErn(inNamespace(version));
      return parsed.ok ? [] : parsed.error.issues;
    });

    expect(issues).toEqual(
      versions.map((version) => [
        {
          path: 'NewReleaseMessage',
          message: `is in the namespace http://ddex.net/xml/ern/${version}: Backline takes ERN 4.3, 4.3.1 and 4.3.2 only (http://ddex.net/xml/ern/43, http://ddex.net/xml/ern/431, http://ddex.net/xml/ern/432)`,
        },
      ]),
    );
    expect(parseErn(single)).toMatchObject({ ok: true });
  });

  it('rejects a body that is not well-formed XML, with the line', () => {
    expect(issuesOf('<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43"><MessageHeader>')).toEqual(
      [{ path: '', message: expect.stringMatching(/^body is not well-formed XML \(line 1: /) }],
    );
  });

  it('expands no entity: a DOCTYPE (billion laughs, external entities) is refused before parsing', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43">&lol2;</ern:NewReleaseMessage>`;
    const external = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>`;

    expect(issuesOf(laughs)[0].message).toMatch(/DOCTYPE/);
    expect(issuesOf(external)[0].message).toMatch(/DOCTYPE/);
  });

  it('reads a CDATA section quoting a DOCTYPE (a title, a marketing comment) as its text, and still refuses a DOCTYPE outside one', () => {
    const quoting = ernMessage('single', { ...base, date: '2027-03-01' }).replace(
      /(<ReleaseType>[\s\S]*?)<DisplayTitleText>Night Drive</,
      '$1<MarketingComment><![CDATA[<!DOCTYPE html><p>Out now</p>]]></MarketingComment>' +
        '<DisplayTitleText><![CDATA[Night Drive <!doctype html> (Live)]]><',
    );

    const read = parseErn(quoting);

    if (!read.ok) throw read.error;
    expect(read.release.details?.title).toBe('Night Drive <!doctype html> (Live)');

    const doctype = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>';
    const message = ernMessage('single', { ...base, date: '2027-03-01' });
    const declaring = [
      // After a CDATA section (no DOCTYPE may be there: still refused).
      message.replace('<MessageHeader>', `<MessageHeader><![CDATA[x]]>${doctype}`),
      // After a comment or a processing instruction holding what would open a CDATA section, which is their text.
      message.replace('<?xml version="1.0" encoding="UTF-8"?>', `$&<!-- <![CDATA[ -->${doctype}<!-- ]]> -->`),
      message.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        `$&<?note <![CDATA[ ?>${doctype}<?note ]]> ?>`,
      ),
    ];

    for (const xml of declaring) {
      expect(issuesOf(xml)).toEqual([
        { path: '', message: 'body declares a DOCTYPE: ERN messages need none, and none is read' },
      ]);
    }
  });

  it('refuses a message whose bytes are not UTF-8 (a windows-1252 title) on the whole body, and reads the same message in UTF-8', () => {
    const message = ernMessage('single', { ...base, date: '2027-03-05' }).replace(
      '</MessageId>',
      '</MessageId><!-- Caf\u00e9 -->',
    );

    const windows1252 = parseErn(Buffer.from(message, 'latin1'));
    const utf8 = parseErn(Buffer.from(message, 'utf8'));

    expect(windows1252.ok ? [] : windows1252.error.issues).toEqual([
      { path: '', message: 'body is not valid UTF-8 (ERN messages must be sent as UTF-8)' },
    ]);
    expect(utf8.ok).toBe(true);
  });

  it('names the element path of what Backline needs and the message lacks', () => {
    const message = ernMessage('single', { ...base, date: '2027-03-05' });

    expect(issuesOf(message.replace(/<DealList>[\s\S]*<\/DealList>/, ''))).toEqual([
      { path: 'NewReleaseMessage/DealList', message: expect.stringContaining('is missing') },
    ]);
    expect(issuesOf(message.replace(/<MessageId>.*<\/MessageId>/, ''))[0].path).toBe(
      'NewReleaseMessage/MessageHeader/MessageId',
    );
    expect(
      issuesOf(
        message.replace('<ReleaseType>Single</ReleaseType>', '<ReleaseType>RingtoneRelease</ReleaseType>'),
      )[0],
    ).toEqual({
      path: 'NewReleaseMessage/ReleaseList/Release/ReleaseType',
      message: expect.stringContaining('Single, EP and Album'),
    });
    expect(issuesOf(message.replace(/<ICPN>.*<\/ICPN>/, ''))[0].path).toBe(
      'NewReleaseMessage/ReleaseList/Release/ReleaseId',
    );
  });

  it('ignores unknown extra elements', () => {
    const message = ernMessage('single', { ...base, date: '2027-03-05' }).replace(
      '<ReleaseType>',
      '<FutureElement><Nested>x</Nested></FutureElement><ReleaseType>',
    );

    expect(parseErn(message).ok).toBe(true);
  });

  it('reads a message whose elements all carry the ERN namespace’s prefix, as a message with none in the default namespace', () => {
    const plain = ernMessage('single', { ...base, date: '2027-03-05' });
    const prefixed = plain.replace(/<(\/?)(?!ern:)([A-Z])/g, '<$1ern:$2');
    const defaultNamespace = plain
      .replaceAll('ern:NewReleaseMessage', 'NewReleaseMessage')
      .replace('xmlns:ern=', 'xmlns=');

    expect(prefixed).toContain('<ern:MessageHeader>');
    expect(parseErn(prefixed)).toEqual(parseErn(plain));
    expect(parseErn(defaultNamespace)).toEqual(parseErn(plain));
  });

  it('rejects a root that is not a NewReleaseMessage', () => {
    expect(issuesOf('<ern:PurgeReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43"/>')[0]).toEqual({
      path: 'PurgeReleaseMessage',
      message: expect.stringContaining('not a NewReleaseMessage'),
    });
  });

  it('reads ISO 8601 durations in seconds', () => {
    expect([
      durationSeconds('PT3M45S'),
      durationSeconds('PT1H2M3S'),
      durationSeconds('PT59.6S'),
      durationSeconds('3:45'),
    ]).toEqual([225, 3723, 60, undefined]);
  });
});

describe('reading ERN from outside input', () => {
  it('never throws: any truncation or element removal of a valid message is read or rejected with a path', () => {
    const message = threeTerritories();
    const elements = [...message.matchAll(/<([A-Za-z]+)[ >][\s\S]*?<\/\1>/g)].map((m) => m[0]);

    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat(message.length).map((end) => message.slice(0, end)),
          fc.constantFrom(...elements).map((element) => message.replace(element, '')),
          fc.string().map((noise) => message.replace('<ReleaseType>', `<ReleaseType>${noise}`)),
        ),
        (raw) => {
          const parsed = parseErn(raw);
          expect(parsed.ok || parsed.error.issues.length === 1).toBe(true);
          if (parsed.ok && parsed.release.details) {
            expect(parsed.release.details.territories.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
