import { describe, expect, it } from 'vitest';
import { catalogue, ExpenseRecorded, TourBooked } from '#shared/events/index.ts';
import { sampleShow } from '#shared/events/tour-booked.ts';
import { addDateKey } from '#shared/radio.ts';
import { parseWebhookBody, type WebhookType, webhookEvent, webhookTypes } from '#shared/webhooks.ts';
import { aReleaseWebhook } from '#test/support/intake.ts';

const controlsInName =
  'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them';
const controlsInText =
  'must not hold control characters (U+0000-U+001F, U+007F-U+009F) other than a tab or line break';
const parse = (body: unknown) => parseWebhookBody(Buffer.from(JSON.stringify(body)));
const issuesOf = (body: unknown) => {
  const parsed = parse(body);
  return parsed.ok ? [] : parsed.error.issues;
};

describe('parseWebhookBody', () => {
  it.each(Object.entries(webhookTypes))(
    'reads a %s body into the data of its event contract',
    (type, contract) => {
      const parsed = parse({ type, timestamp: '2027-01-05T10:00:00Z', data: contract.sample });

      expect(parsed.ok && parsed.contract.detailType).toBe(contract.detailType);
    },
  );

  it('maps every intake event of the catalogue to a webhook type', () => {
    const intakeEvents = catalogue.filter((c) => c.source === 'backline.intake').map((c) => c.detailType);

    const mapped = Object.values(webhookTypes).map((c) => c.detailType);

    expect([...new Set(mapped)].sort()).toEqual(intakeEvents.sort());
  });

  it('applies the release defaults: 00:00 in UTC', () => {
    const {
      releaseTime: _t,
      timeZone: _z,
      ...withoutTime
    } = aReleaseWebhook().data as Record<string, unknown>;

    const parsed = parse({ ...aReleaseWebhook(), data: withoutTime });

    expect(parsed.ok && parsed.body.data).toMatchObject({ releaseTime: '00:00', timeZone: 'UTC' });
  });

  it('keeps the canonical name of a release’s zones given in another case or by an older name (europe/berlin, US/Pacific), so mails and calendars state it right', () => {
    const parsed = parse(
      aReleaseWebhook({
        timeZone: 'europe/berlin',
        territories: ['DE', 'US'],
        territoryDates: [{ territories: ['US'], releaseDate: '2027-03-06', timeZone: 'US/Pacific' }],
      }),
    );

    expect(parsed.ok && parsed.body.data).toMatchObject({
      timeZone: 'Europe/Berlin',
      territoryDates: [{ timeZone: 'America/Los_Angeles' }],
    });
  });

  it("refuses a release's title or a track's made only of characters shown as nothing, or holding a control character, naming each", () => {
    const webhook = aReleaseWebhook();
    const data = webhook.data as { tracks: object[] };

    const issues = issuesOf({
      ...webhook,
      data: { ...data, title: '\u200b', tracks: [{ ...data.tracks[0], title: 'Night\nDrive' }] },
    });

    expect(issues).toEqual([
      { path: 'data.title', message: 'must not be empty' },
      { path: 'data.tracks.0.title', message: controlsInName },
    ]);
  });

  it("refuses a release's genre, a tour's genre and phones, and an expense's invoice number, description and rate source holding a control character or a line separator, or showing as nothing, naming each", () => {
    const at = { timestamp: '2027-01-05T10:00:00Z' };

    const release = issuesOf(
      aReleaseWebhook({ genres: ['synthpop', 'Dark\u0085wave'], pressRelease: { text: 'Out now.\u0001' } }),
    );
    const tour = issuesOf({
      ...at,
      type: 'tour.booked',
      data: {
        ...TourBooked.sample,
        genres: ['\u200b'],
        tourManager: { ...TourBooked.sample.tourManager, phone: '+44 20\u2028 7946 0000' },
        shows: [{ ...sampleShow, promoter: { ...sampleShow.promoter, phone: '+49 30\u0000 1234567' } }],
      },
    });
    const expense = issuesOf({
      ...at,
      type: 'expense.recorded',
      data: {
        ...(ExpenseRecorded.sample as object),
        invoiceNumber: 'AP-2027\u0085-114',
        description: 'Radio plugging\u0007',
        rate: { value: '1.1', date: '2027-02-10', source: 'E\u2028CB', to: 'USD' },
      },
    });

    expect([release, tour, expense]).toEqual([
      [
        { path: 'data.genres.1', message: controlsInName },
        { path: 'data.pressRelease.text', message: controlsInText },
      ],
      [
        { path: 'data.genres.0', message: 'must not be empty' },
        { path: 'data.tourManager.phone', message: controlsInName },
        { path: 'data.shows.0.promoter.phone', message: controlsInName },
      ],
      [
        { path: 'data.invoiceNumber', message: controlsInName },
        { path: 'data.rate.source', message: controlsInName },
        { path: 'data.description', message: controlsInText },
      ],
    ]);
  });

  it("refuses a release's cancellation reason holding a control character, or empty or showing as nothing, naming it, and keeps one of several lines as sent", () => {
    const cancelled = (reason: string) => ({
      type: 'release.cancelled',
      timestamp: '2027-01-05T10:00:00Z',
      data: { releaseId: 'rel-2027-nightdrive', reason },
    });
    const sent = ' The artist withdrew the single.\r\n\r\n\tA new date follows. ';

    const issues = ['Withdrawn\u0085', 'With\u0000drawn', '\u200b \u2060', ''].map((reason) =>
      issuesOf(cancelled(reason)),
    );
    const kept = parse(cancelled(sent));

    const controls = [{ path: 'data.reason', message: controlsInText }];
    const empty = [{ path: 'data.reason', message: 'must not be empty' }];
    expect(issues).toEqual([controls, controls, empty, empty]);
    expect(kept.ok && (kept.body.data as { reason?: string }).reason).toBe(sent);
  });

  it("refuses an expense's void reason holding a control character or showing as nothing, naming it, and takes one of several lines, trimmed as before", () => {
    const voided = (reason: string) => ({
      type: 'expense.voided',
      timestamp: '2027-01-05T10:00:00Z',
      data: { expenseId: 'exp-0001', budgetId: 'bud-nightdrive-promo', reason },
    });

    const issues = ['Booked\u0085twice', 'Booked twice\u0007', '\u200b\u3164'].map((reason) =>
      issuesOf(voided(reason)),
    );
    const kept = parse(voided(' Booked twice:\r\n\tsee AP-2027-114. '));

    const controls = [{ path: 'data.reason', message: controlsInText }];
    expect(issues).toEqual([controls, controls, [{ path: 'data.reason', message: 'must not be empty' }]]);
    expect(kept.ok && (kept.body.data as { reason?: string }).reason).toBe(
      'Booked twice:\r\n\tsee AP-2027-114.',
    );
  });

  it("refuses an artist's name of combining marks alone and a track's title of braille blanks as empty, and takes a Devanagari or Thai title with its vowel signs", () => {
    const webhook = aReleaseWebhook();
    const data = webhook.data as { tracks: object[] };
    const withNames = (artist: string, track: string) => ({
      ...webhook,
      data: { ...data, artists: [{ name: artist }], tracks: [{ ...data.tracks[0], title: track }] },
    });

    const refused = issuesOf(withNames('\u0301\u0301', '\u2800\u2800'));
    const taken = issuesOf(
      withNames('\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35', '\u0939\u093f\u0928\u094d\u0926\u0940'),
    );

    expect([refused, taken]).toEqual([
      [
        { path: 'data.artists.0.name', message: 'must not be empty' },
        { path: 'data.tracks.0.title', message: 'must not be empty' },
      ],
      [],
    ]);
  });

  it('names the field that fails its schema', () => {
    const issues = issuesOf(aReleaseWebhook({ releaseDate: '2027-02-30' }));

    expect(issues).toEqual([{ path: 'data.releaseDate', message: expect.any(String) }]);
  });

  it("refuses a settlement whose gross or a deduction is below zero, naming each, and takes an artist's net below zero (a show that lost money)", () => {
    const { sample } = webhookTypes['tour.show.settled'];
    const settled = (data: object) => ({
      type: 'tour.show.settled',
      timestamp: '2027-05-15T02:00:00Z',
      data: { ...sample, ...data },
    });

    const negative = issuesOf(
      settled({
        gross: { minor: -1, currency: 'EUR' },
        deductions: [{ kind: 'venue', amount: { minor: -1200000, currency: 'EUR' } }],
      }),
    );
    const loss = issuesOf(settled({ artistNet: { minor: -50000, currency: 'EUR' } }));

    expect(negative).toEqual([
      { path: 'data.gross.minor', message: 'must not be negative' },
      { path: 'data.deductions.0.amount.minor', message: 'must not be negative' },
    ]);
    expect(loss).toEqual([]);
  });

  it("refuses a settlement whose deductions total more minor units than an integer holds exactly, where the budget's line would state their sum rounded", () => {
    const { sample } = webhookTypes['tour.show.settled'];
    const most = { minor: Number.MAX_SAFE_INTEGER, currency: 'EUR' };

    const issues = issuesOf({
      type: 'tour.show.settled',
      timestamp: '2027-05-15T02:00:00Z',
      data: {
        ...sample,
        deductions: [
          { kind: 'venue', amount: most },
          { kind: 'tax', amount: { minor: 2, currency: 'EUR' } },
        ],
      },
    });

    expect(issues).toEqual([
      { path: 'data.deductions', message: `must total at most ${Number.MAX_SAFE_INTEGER} minor units` },
    ]);
  });

  it('names a field holding a lone surrogate, which no UTF-8 holds, rather than taking it to be stored', () => {
    const issues = issuesOf(aReleaseWebhook({ title: 'Night \ud800 Drive' }));

    expect(issues).toEqual([{ path: 'data.title', message: 'is not valid Unicode (a lone surrogate)' }]);
  });

  it('reads a body holding a field nested 10,000 deep, which JSON.parse reads, without overflowing the stack', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const body = JSON.stringify(aReleaseWebhook()).replace(/}$/, `,"note":${deep}}`);

    const parsed = parseWebhookBody(Buffer.from(body));

    expect(parsed.ok).toBe(true);
  });

  it('answers an unknown type on the `type` field, listing the known ones', () => {
    const issues = issuesOf({ type: 'release.exploded', timestamp: '2027-01-05T10:00:00Z', data: {} });

    expect(issues).toEqual([{ path: 'type', message: expect.stringContaining('release.scheduled') }]);
  });

  it('requires a timestamp with a time zone', () => {
    const issues = issuesOf(aReleaseWebhook({}, { timestamp: '2027-01-05 10:00' }));

    expect(issues.map((i) => i.path)).toEqual(['timestamp']);
  });

  it('refuses a timestamp whose UTC year has more than four digits', () => {
    const issues = issuesOf(aReleaseWebhook({}, { timestamp: '9999-12-31T23:59:59-23:59' }));

    expect(issues.map((i) => i.path)).toEqual(['timestamp']);
  });

  it("refuses a release's instants whose UTC year has more than four digits or is before 1970, naming each", () => {
    const issues = issuesOf(
      aReleaseWebhook({
        announceAt: '9999-12-31T23:30:00-01:00',
        promoAvailableAt: '1970-01-01T00:30:00+01:00',
        territoryDates: [
          {
            territories: ['IE'],
            releaseDate: '2027-03-05',
            previewAt: '9999-12-31T23:59:59-23:59',
          },
        ],
      }),
    );

    expect(issues.map((i) => i.path).sort()).toEqual([
      'data.announceAt',
      'data.promoAvailableAt',
      'data.territoryDates.0.previewAt',
    ]);
  });

  it('answers a malformed territory with an issue, not a crash', () => {
    const issues = issuesOf(aReleaseWebhook({ territories: ['', 'g', 'XX', 'WW'] }));

    expect([...new Set(issues.map((i) => i.path))]).toEqual([
      'data.territories.0',
      'data.territories.1',
      'data.territories.2',
    ]);
  });

  it('names the radio servicing field that is wrong: an add date outside the release or twice for one format, an unknown edit', () => {
    const servicing = (overrides: object) => ({
      servicingDate: '2027-02-22',
      addDates: [],
      edits: [],
      ...overrides,
    });

    const addDates = issuesOf(
      aReleaseWebhook({
        territories: ['GB'],
        radioServicing: servicing({
          addDates: [
            { format: 'AAA', territory: 'US', date: '2027-03-01' },
            { format: 'AAA', territory: 'GB', date: '2027-03-01' },
            { format: 'aaa', territory: 'GB', date: '2027-03-02' },
          ],
        }),
      }),
    );
    const edits = issuesOf(
      aReleaseWebhook({
        radioServicing: servicing({
          edits: [{ kind: 'extended-mix', assetUrl: 'https://promo.example.com/x' }],
        }),
      }),
    );

    expect(addDates.map((i) => i.path)).toEqual([
      'data.radioServicing.addDates.0.territory',
      'data.radioServicing.addDates.2',
    ]);
    expect(edits.map((i) => i.path)).toEqual(['data.radioServicing.edits.0.kind']);
  });

  it("refuses a radio add date's format holding a control character or showing as nothing, naming it, and keeps the formats it took, and their keys, as before", () => {
    const addDates = (...formats: string[]) =>
      aReleaseWebhook({
        territories: ['GB'],
        radioServicing: {
          servicingDate: '2027-02-22',
          addDates: formats.map((format) => ({ format, territory: 'GB', date: '2027-03-01' })),
          edits: [],
        },
      });
    const taken = [' AAA ', 'Hot AC', 'Spécialiste', 'k\u200dpop'];

    const issues = issuesOf(addDates('CHR', 'A\u0085AA', 'Hot\u2028AC', '\u200b\u2060'));
    const kept = parse(addDates(...taken));
    const formats = kept.ok
      ? (kept.body.data as { radioServicing: { addDates: { format: string; territory: string }[] } })
          .radioServicing.addDates
      : [];

    const path = (index: number) => `data.radioServicing.addDates.${index}.format`;
    expect(issues).toEqual([
      { path: path(1), message: controlsInName },
      { path: path(2), message: controlsInName },
      { path: path(3), message: 'must not be empty' },
    ]);
    expect(formats.map(({ format }) => format)).toEqual(taken.map((format) => format.trim()));
    expect(formats.map(addDateKey)).toEqual(
      taken.map((format) => JSON.stringify([format.trim().toLowerCase(), 'GB'])),
    );
  });

  it('normalises the timestamp to UTC so that timestamps order as strings', () => {
    const parsed = parse(aReleaseWebhook({}, { timestamp: '2027-01-05T12:00:00+02:00' }));

    expect(parsed.ok && parsed.body.timestamp).toBe('2027-01-05T10:00:00.000Z');
  });

  it('rejects bodies that are not JSON, not UTF-8 or not an object, on the whole body', () => {
    const outcomes = [
      Buffer.from('{"type":'),
      Buffer.from([0x7b, 0xff, 0x7d]),
      Buffer.from('[]'),
      Buffer.from(''),
    ].map((raw) => parseWebhookBody(raw));

    for (const outcome of outcomes)
      expect(outcome.ok ? [] : outcome.error.issues.map((i) => i.path)).toEqual(['']);
  });
});

describe('webhookEvent', () => {
  it('builds the event with the webhook timestamp as occurredAt and the label and webhook ids', () => {
    const parsed = parse(aReleaseWebhook());
    if (!parsed.ok) throw parsed.error;

    const event = webhookEvent(parsed.body, { labelId: 'lbl', webhookId: 'msg_1', eventId: 'evt-1' });

    expect(event).toMatchObject({
      eventId: 'evt-1',
      source: 'backline.intake',
      detailType: 'Release Scheduled',
    });
    expect(event.detail.metadata).toEqual({
      eventId: 'evt-1',
      correlationId: 'evt-1',
      occurredAt: '2027-01-05T10:00:00.000Z',
      schemaVersion: 1,
      labelId: 'lbl',
      webhookId: 'msg_1',
    });
  });

  it.each(Object.keys(webhookTypes) as WebhookType[])('builds a valid %s event from its sample', (type) => {
    const parsed = parse({ type, timestamp: '2027-01-05T10:00:00Z', data: webhookTypes[type].sample });
    if (!parsed.ok) throw parsed.error;

    const event = webhookEvent(parsed.body, { labelId: 'lbl', webhookId: 'msg_1', eventId: 'evt-1' });

    expect(webhookTypes[type].detail.safeParse(event.detail).success).toBe(true);
  });
});

describe('tour webhooks of version 1, upgraded at intake', () => {
  const v1Date = {
    dateId: 'td-chicago',
    date: '2027-05-14',
    city: 'Chicago',
    country: 'US',
    venue: 'Metro',
    promoter: { name: 'Jam', email: 'Booking@Jam.example' },
  };

  it('reads a tour.booked body with `dates` as version 2 shows, in the zone of the city', () => {
    const parsed = parse({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: {
        tourId: 'tour-1',
        artist: { name: 'A' },
        tourManager: { name: 'Sam', email: 'sam@tm.example' },
        dates: [v1Date, { ...v1Date, dateId: 'td-berlin', city: 'Berlin', country: 'DE' }],
      },
    });

    expect(parsed.ok && parsed.body.data).toMatchObject({
      shows: [
        {
          showId: 'td-chicago',
          status: 'confirmed',
          venue: { name: 'Metro', city: 'Chicago', timeZone: 'America/Chicago' },
          promoter: { email: 'booking@jam.example' },
        },
        { showId: 'td-berlin', venue: { timeZone: 'Europe/Berlin' } },
      ],
    });
  });

  it("refuses a version 1 date in a city none of its country's several time zones is named for (Seattle), naming its city, where it took the country's first zone, America/Adak", () => {
    const tour = (dates: object[]) => ({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { tourId: 't', artist: { name: 'A' }, tourManager: { name: 'S', email: 's@x.example' }, dates },
    });
    const munich = { ...v1Date, dateId: 'td-munich', city: 'Munich', country: 'DE' };

    const issues = issuesOf(tour([munich, { ...v1Date, dateId: 'td-seattle', city: 'Seattle' }]));
    const parsed = parse(tour([munich]));

    expect(issues).toEqual([
      {
        path: 'data.dates.1.city',
        message:
          'is the name of no time zone of US, whose zones keep different times: send it as a version 2 show, with its venue.timeZone',
      },
    ]);
    // Germany's zones (Berlin, Busingen) keep one time: a city of another name takes the first.
    expect(parsed.ok && parsed.body.data).toMatchObject({
      shows: [{ venue: { timeZone: 'Europe/Berlin' } }],
    });
  });

  it('reads tour.date.added as Tour Show Added and tour.date.cancelled as Tour Show Cancelled', () => {
    const added = parse({
      type: 'tour.date.added',
      timestamp: '2027-01-05T10:00:00Z',
      data: { tourId: 't', date: v1Date },
    });
    const cancelled = parse({
      type: 'tour.date.cancelled',
      timestamp: '2027-01-05T10:00:00Z',
      data: { tourId: 't', date: v1Date },
    });

    expect(added.ok && [added.contract.detailType, added.body.data]).toEqual([
      'Tour Show Added',
      expect.objectContaining({ show: expect.objectContaining({ showId: 'td-chicago' }) }),
    ]);
    expect(cancelled.ok && [cancelled.contract.detailType, cancelled.body.data]).toEqual([
      'Tour Show Cancelled',
      { tourId: 't', showId: 'td-chicago' },
    ]);
  });

  it('names the field of a version 1 body in version 1 terms', () => {
    const tour = issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: {
        tourId: 't',
        artist: { name: 'A' },
        tourManager: { name: 'S', email: 's@x.example' },
        dates: [{ ...v1Date, city: undefined }],
      },
    });
    const budget = issuesOf({
      type: 'budget.set',
      timestamp: '2027-01-05T10:00:00Z',
      data: {
        budgetId: 'bud-v1',
        scope: { kind: 'release', id: 'rel-1' },
        limit: { minor: -5, currency: 'EUR' },
        startsOn: '2027-01-01',
        endsOn: '2027-06-30',
        ownerEmail: 'owner@label.example',
      },
    });

    expect(tour.map((issue) => issue.path)).toEqual(['data.dates.0.city']);
    expect(budget.map((issue) => issue.path)).toEqual(['data.limit.minor']);
  });

  it('names the missing field of a body that is neither version', () => {
    const issues = issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { tourId: 't', artist: { name: 'A' }, tourManager: { name: 'S', email: 's@x.example' } },
    });

    expect(issues).toEqual([expect.objectContaining({ path: 'data.shows' })]);
  });

  it('refuses a settlement whose amounts are not in one currency', () => {
    const issues = issuesOf({
      type: 'tour.show.settled',
      timestamp: '2027-01-05T10:00:00Z',
      data: {
        tourId: 't',
        showId: 's',
        settledAt: '2027-05-15T01:00:00Z',
        gross: { minor: 100, currency: 'EUR' },
        deductions: [],
        artistNet: { minor: 100, currency: 'USD' },
      },
    });

    expect(issues).toEqual([expect.objectContaining({ path: 'data.artistNet.currency' })]);
  });
});

describe('tour.booked bodies', () => {
  it('refuses a tour booked with two shows of one showId, naming the second, where the first was dropped unsaid', () => {
    const berlin = { ...sampleShow, showId: 'show-1' };
    const paris = { ...sampleShow, showId: 'show-1', date: '2027-05-16' };

    const issues = issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { ...TourBooked.sample, shows: [berlin, paris] },
    });

    expect(issues).toEqual([{ path: 'data.shows.1.showId', message: 'appears twice' }]);
  });

  it("refuses a venue's time zone given as a UTC offset (+05:30), which Intl takes but no calendar reads as a TZID", () => {
    const venue = { ...sampleShow.venue, timeZone: '+05:30' };

    const issues = issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { ...TourBooked.sample, shows: [{ ...sampleShow, venue }] },
    });

    expect(issues).toEqual([
      { path: 'data.shows.0.venue.timeZone', message: 'must be an IANA time zone such as Europe/London' },
    ]);
  });

  it('refuses a venue whose time zone is no zone of its country (DE, America/New_York), naming venue.timeZone, in a booking and in a show added or updated', () => {
    const venue = { ...sampleShow.venue, timeZone: 'America/New_York' };
    const show = { ...sampleShow, venue };

    const booked = issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { ...TourBooked.sample, shows: [sampleShow, { ...show, showId: 'show-2' }] },
    });
    const changed = (['tour.show.added', 'tour.show.updated'] as const).map((type) =>
      issuesOf({ type, timestamp: '2027-01-05T10:00:00Z', data: { tourId: 'tour-1', show } }),
    );

    const refused = (path: string) => [{ path, message: 'is no time zone of DE' }];
    expect(booked).toEqual(refused('data.shows.1.venue.timeZone'));
    expect(changed).toEqual([refused('data.show.venue.timeZone'), refused('data.show.venue.timeZone')]);
  });

  it.each([
    ['UA', 'Europe/Kyiv'],
    ['UA', 'Europe/Kiev'],
    ['IN', 'Asia/Kolkata'],
    ['IN', 'Asia/Calcutta'],
    ['ES', 'Atlantic/Canary'],
    ['AR', 'America/Argentina/Buenos_Aires'],
    ['US', 'US/Pacific'],
    ['DE', 'Europe/Busingen'],
    // Kosovo: a country Intl lists no zones for takes a zone it names (Europe/Belgrade, as the IANA database has it).
    ['XK', 'Europe/Belgrade'],
  ])(
    "takes a venue in %s in %s, a zone of that country by any of Intl's names for it",
    (country, timeZone) => {
      const venue = { ...sampleShow.venue, country, timeZone };

      const issues = issuesOf({
        type: 'tour.show.added',
        timestamp: '2027-01-05T10:00:00Z',
        data: { tourId: 'tour-1', show: { ...sampleShow, venue } },
      });

      expect(issues).toEqual([]);
    },
  );

  it('refuses UTC for a venue of a country with zones (GB), as no zone of it', () => {
    const venue = { ...sampleShow.venue, country: 'GB', timeZone: 'Etc/UTC' };

    const issues = issuesOf({
      type: 'tour.show.added',
      timestamp: '2027-01-05T10:00:00Z',
      data: { tourId: 'tour-1', show: { ...sampleShow, venue } },
    });

    expect(issues).toEqual([{ path: 'data.show.venue.timeZone', message: 'is no time zone of GB' }]);
  });

  it("names a venue's country or zone that is none at all once, not also as no zone of the other", () => {
    const show = (venue: object) => ({ ...sampleShow, venue: { ...sampleShow.venue, ...venue } });

    const issues = [{ country: 'DX' }, { timeZone: 'Europe/Nowhere' }].map((venue) =>
      issuesOf({
        type: 'tour.show.added',
        timestamp: '2027-01-05T10:00:00Z',
        data: { tourId: 'tour-1', show: show(venue) },
      }).map((issue) => issue.path),
    );

    expect(issues).toEqual([['data.show.venue.country'], ['data.show.venue.timeZone']]);
  });

  it("keeps the canonical name of a venue's time zone given in another case (europe/berlin), in a booking and in a show added", () => {
    const venue = { ...sampleShow.venue, timeZone: 'europe/berlin' };
    const show = { ...sampleShow, venue };

    const booked = parse({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { ...TourBooked.sample, shows: [show] },
    });
    const added = parse({
      type: 'tour.show.added',
      timestamp: '2027-01-05T10:00:00Z',
      data: { tourId: TourBooked.sample.tourId, show },
    });

    expect(booked.ok && booked.body.data).toMatchObject({
      shows: [{ venue: { timeZone: 'Europe/Berlin' } }],
    });
    expect(added.ok && added.body.data).toMatchObject({ show: { venue: { timeZone: 'Europe/Berlin' } } });
  });

  it('refuses a show or a release dated where what Backline keeps of its day leaves the years 1970-9999 (0000-01-01, 9999-12-31), naming the date, where the functions that took it dead-lettered it', () => {
    const showIssues = ['0000-01-01', '9999-12-31', '1970-01-01', '9998-12-31'].map((date) =>
      issuesOf({
        type: 'tour.show.added',
        timestamp: '2027-01-05T10:00:00Z',
        data: { tourId: 'tour-1', show: { ...sampleShow, date } },
      }),
    );
    const releaseIssues = issuesOf(aReleaseWebhook({ releaseDate: '9999-12-31' }));

    const refused = (path: string) => [{ path, message: 'must be from 1970 to 9998' }];
    expect(showIssues).toEqual([refused('data.show.date'), refused('data.show.date'), [], []]);
    expect(releaseIssues).toEqual(refused('data.releaseDate'));
  });

  it("refuses a show whose venue's name is made of characters shown as nothing, or whose address or promoter's name holds a control character, naming each", () => {
    const show = {
      ...sampleShow,
      venue: { ...sampleShow.venue, name: '\u200b\u2060 \u3164', address: 'Columbiadamm 13\u0085' },
      promoter: { ...sampleShow.promoter, name: 'Nacht\u0000konzerte' },
    };

    const issues = issuesOf({
      type: 'tour.show.added',
      timestamp: '2027-01-05T10:00:00Z',
      data: { tourId: 'tour-1', show },
    });

    expect(issues).toEqual([
      { path: 'data.show.venue.name', message: 'must not be empty' },
      { path: 'data.show.venue.address', message: controlsInText },
      { path: 'data.show.promoter.name', message: controlsInName },
    ]);
  });

  it('takes an address of several lines, and names holding invisible characters among others (a zero-width joiner, a soft hyphen), kept as sent', () => {
    const show = {
      ...sampleShow,
      venue: {
        ...sampleShow.venue,
        name: 'Colum\u00adbia\u200dhalle',
        address: 'Columbiadamm 13\r\n10965 Berlin',
      },
    };

    const parsed = parse({
      type: 'tour.show.added',
      timestamp: '2027-01-05T10:00:00Z',
      data: { tourId: 'tour-1', show },
    });

    expect(parsed.ok && parsed.body.data).toMatchObject({ show: { venue: show.venue } });
  });

  it('takes a promoter at an international domain, and the event carries the address with the domain in punycode, as SES sends to it', () => {
    const promoter = { ...sampleShow.promoter, email: 'Booking@Bücher.example' };
    const parsed = parse({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { ...TourBooked.sample, shows: [{ ...sampleShow, promoter }] },
    });
    if (!parsed.ok) throw parsed.error;

    const event = webhookEvent(parsed.body, { labelId: 'lbl', webhookId: 'msg_1', eventId: 'evt-1' });

    expect(event.detail.data).toMatchObject({
      shows: [{ promoter: { email: 'booking@xn--bcher-kva.example' } }],
    });
    expect(TourBooked.detail.safeParse(event.detail).success).toBe(true);
  });

  it("refuses a promoter's address whose part before @ is not ASCII, saying why", () => {
    const promoter = { ...sampleShow.promoter, email: 'müller@bücher.example' };

    const issues = issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { ...TourBooked.sample, shows: [{ ...sampleShow, promoter }] },
    });

    expect(issues).toEqual([
      {
        path: 'data.shows.0.promoter.email',
        message: 'the part before @ must be ASCII (SES sends to no address whose local part is not)',
      },
    ]);
  });

  it("says that a deal's negative guarantee is negative, not that it is no whole number", () => {
    const issues = issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: {
        ...TourBooked.sample,
        shows: [{ ...sampleShow, deal: { type: 'flat', guarantee: -5, currency: 'EUR' } }],
      },
    });

    expect(issues).toEqual([{ path: 'data.shows.0.deal.guarantee', message: 'must not be negative' }]);
  });
});

describe('a curfew the next morning', () => {
  const booking = (times: Record<string, string>) =>
    issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { ...TourBooked.sample, shows: [{ ...sampleShow, date: '2027-05-14', times }] },
    });

  it('takes a curfew after 06:00 the next morning written HH:MM+1 (an all-night show to 07:00), and a set then too', () => {
    const issues = [
      booking({ doors: '22:00', set: '23:30', curfew: '07:00+1' }),
      booking({ doors: '22:00', set: '06:30+1', curfew: '08:00+1' }),
    ];

    expect(issues).toEqual([[], []]);
  });

  it('refuses a curfew not after the doors or the set, naming times.curfew and how to write the next morning', () => {
    const issues = [
      booking({ doors: '22:00', curfew: '07:00' }),
      booking({ doors: '19:00', set: '21:00', curfew: '20:30' }),
    ];

    expect(issues).toEqual([
      [
        {
          path: 'data.shows.0.times.curfew',
          message:
            'is not after the doors (22:00): 07:00 is read on 2027-05-14 (a time before 06:00 is the next morning); a curfew the next morning from 06:00 on is written 07:00+1',
        },
      ],
      [{ path: 'data.shows.0.times.curfew', message: 'is not after the set (21:00)' }],
    ]);
  });

  it('refuses a next-morning marker on a time before 06:00 (the next morning already), after noon, or on the doors', () => {
    const issues = [
      booking({ doors: '22:00', curfew: '05:00+1' }),
      booking({ doors: '22:00', curfew: '12:00+1' }),
      booking({ doors: '06:30+1' }),
    ];

    expect(issues).toEqual([
      [{ path: 'data.shows.0.times.curfew', message: nextMorning }],
      [{ path: 'data.shows.0.times.curfew', message: nextMorning }],
      [{ path: 'data.shows.0.times.doors', message: 'must be HH:MM (24-hour)' }],
    ]);
  });
});

const nextMorning = 'must be HH:MM (24-hour), or HH:MM+1 from 06:00 to 11:59 for the next morning';

describe('local times the clocks skip', () => {
  const skipped = (time: string, timeZone: string, date: string) =>
    `${time} does not exist in ${timeZone} on ${date}: the clocks skip it`;

  it('refuses a release time the clocks skip in its zone (01:30 in Europe/London on 2027-03-28), naming releaseTime', () => {
    const body = aReleaseWebhook({
      releaseDate: '2027-03-28',
      releaseTime: '01:30',
      timeZone: 'Europe/London',
    });

    const issues = (['release.scheduled', 'release.updated'] as const).map((type) =>
      issuesOf({ ...body, type }),
    );

    const refused = [{ path: 'data.releaseTime', message: skipped('01:30', 'Europe/London', '2027-03-28') }];
    expect(issues).toEqual([refused, refused]);
  });

  it("refuses a territory's street date at a time its zone skips, naming its own time, or its date where it takes the release's", () => {
    const body = aReleaseWebhook({
      releaseDate: '2027-03-01',
      releaseTime: '02:30',
      timeZone: 'Europe/London',
      territories: ['GB', 'US', 'DE'],
      territoryDates: [
        { territories: ['US'], releaseDate: '2027-03-14', timeZone: 'America/New_York' },
        { territories: ['DE'], releaseDate: '2027-03-28', releaseTime: '02:15', timeZone: 'Europe/Berlin' },
      ],
    });

    const issues = issuesOf(body);

    expect(issues).toEqual([
      {
        path: 'data.territoryDates.0.releaseDate',
        message: skipped('02:30', 'America/New_York', '2027-03-14'),
      },
      { path: 'data.territoryDates.1.releaseTime', message: skipped('02:15', 'Europe/Berlin', '2027-03-28') },
    ]);
  });

  it('takes a time the clocks repeat (01:30 in Europe/London on 2027-10-31), and one just either side of a gap', () => {
    const times = [
      ['2027-10-31', '01:30'],
      ['2027-03-28', '00:59'],
      ['2027-03-28', '02:00'],
    ].map(([releaseDate, releaseTime]) =>
      issuesOf(aReleaseWebhook({ releaseDate, releaseTime, timeZone: 'Europe/London' })),
    );

    expect(times).toEqual([[], [], []]);
  });

  it('takes a release dated a day whose midnight the clocks skip, with no time or at 00:00, as from the start of that day (a Friday in Cairo)', () => {
    // Egypt's clocks go from 00:00 to 01:00 on Friday 2027-04-30: the day starts at 01:00.
    const body = (releaseTime?: string) => {
      const webhook = aReleaseWebhook({
        releaseDate: '2027-04-30',
        timeZone: 'Africa/Cairo',
        territories: ['EG'],
      });
      const { releaseTime: _sampleTime, ...data } = webhook.data as Record<string, unknown>;
      return { ...webhook, data: releaseTime ? { ...data, releaseTime } : data };
    };
    const times = [undefined, '00:00'].map((releaseTime) => issuesOf(body(releaseTime)));
    const half = issuesOf(
      aReleaseWebhook({
        releaseDate: '2027-04-30',
        releaseTime: '00:30',
        timeZone: 'Africa/Cairo',
        territories: ['EG'],
      }),
    );

    expect(times).toEqual([[], []]);
    expect(half).toEqual([
      { path: 'data.releaseTime', message: skipped('00:30', 'Africa/Cairo', '2027-04-30') },
    ]);
  });

  it("refuses a show's time the venue's zone skips, on the day it falls (a set after midnight on the next), in a booking and a show added or updated", () => {
    const venue = { ...sampleShow.venue, timeZone: 'Europe/Berlin' };
    // Berlin's clocks go from 02:00 to 03:00 on 2027-03-28: a set at 02:30 on the 27th is played then.
    const show = { ...sampleShow, date: '2027-03-27', venue, times: { doors: '20:00', set: '02:30' } };
    const cutoff = {
      ...sampleShow,
      showId: 'show-2',
      date: '2027-03-28',
      venue,
      times: {},
      guestListCutoff: '02:45',
    };

    const booked = issuesOf({
      type: 'tour.booked',
      timestamp: '2027-01-05T10:00:00Z',
      data: { ...TourBooked.sample, shows: [show, cutoff] },
    });
    const changed = (['tour.show.added', 'tour.show.updated'] as const).map((type) =>
      issuesOf({ type, timestamp: '2027-01-05T10:00:00Z', data: { tourId: 'tour-1', show } }),
    );

    const setSkipped = skipped('02:30', 'Europe/Berlin', '2027-03-28');
    expect(booked).toEqual([
      { path: 'data.shows.0.times.set', message: setSkipped },
      { path: 'data.shows.1.guestListCutoff', message: skipped('02:45', 'Europe/Berlin', '2027-03-28') },
    ]);
    expect(changed).toEqual([
      [{ path: 'data.show.times.set', message: setSkipped }],
      [{ path: 'data.show.times.set', message: setSkipped }],
    ]);
  });

  it("reads a load-in before 06:00 on the show's own day, as the day sheet states it (a festival's that morning), not the next", () => {
    const venue = { ...sampleShow.venue, timeZone: 'Europe/Berlin' };
    // Berlin's clocks go from 02:00 to 03:00 on 2027-03-28: a load-in at 02:30 that morning never comes,
    // and one at 02:30 on the 27th does.
    const show = (date: string) => ({
      ...sampleShow,
      date,
      venue,
      times: { loadIn: '02:30', doors: '20:00' },
    });

    const issues = ['2027-03-27', '2027-03-28'].map((date) =>
      issuesOf({
        type: 'tour.show.added',
        timestamp: '2027-01-05T10:00:00Z',
        data: { tourId: 'tour-1', show: show(date) },
      }),
    );

    expect(issues).toEqual([
      [],
      [{ path: 'data.show.times.loadIn', message: skipped('02:30', 'Europe/Berlin', '2027-03-28') }],
    ]);
  });
});
