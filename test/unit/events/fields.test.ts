import { domainToASCII } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from '#shared/zod.ts';

const localPartNotAscii = 'the part before @ must be ASCII (SES sends to no address whose local part is not)';

/** Loads the field schemas afresh, so that what their module does at load is seen. */
const freshFields = async () => {
  vi.resetModules();
  return import('#shared/events/fields.ts');
};

describe('country fields', () => {
  afterEach(() => vi.restoreAllMocks());

  it('accept the ISO 3166-1 alpha-2 codes and XK, and reject the codes ISO only reserves or ICU invents', async () => {
    const { Country, CountryOrWorldwide } = await freshFields();
    for (const code of ['GB', 'DE', 'US', 'JP', 'AX', 'SS', 'XK'])
      expect(Country.safeParse(code).success).toBe(true);
    for (const code of ['UK', 'EU', 'UN', 'SU', 'YU', 'EZ', 'QO', 'XA', 'ZZ', 'XX', 'gb'])
      expect({ [code]: Country.safeParse(code).success }).toEqual({ [code]: false });
    expect(CountryOrWorldwide.safeParse('WW').success).toBe(true);
    expect(Country.safeParse('WW').success).toBe(false);
  });

  it('say once what is wrong with a code that is not two capital letters, not twice in two words', async () => {
    const { Country, CountryOrWorldwide } = await freshFields();

    const answers = ['gb', 'GBR', ''].flatMap((code) => [
      CountryOrWorldwide.safeParse(code),
      Country.safeParse(code),
    ]);

    for (const answer of answers)
      expect(answer.error?.issues.map((issue) => issue.message)).toEqual([
        'must be an ISO 3166-1 alpha-2 code such as GB, or WW for worldwide',
      ]);
  });

  it('are exactly the 249 codes ISO 3166-1 assigns, and XK', async () => {
    const { Country } = await freshFields();
    const assigned = (
      'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW ' +
      'BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI ' +
      'FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN ' +
      'IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
      'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF ' +
      'PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
      'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS ' +
      'YE YT ZA ZM ZW XK'
    ).split(' ');
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const taken = [...letters]
      .flatMap((a) => [...letters].map((b) => a + b))
      .filter((code) => Country.safeParse(code).success);
    expect(taken.sort()).toEqual(assigned.sort());
  });

  it("are built without ICU's display names, whose construction costs about 25 ms of a function's init", async () => {
    const displayNames = vi.spyOn(Intl, 'DisplayNames');
    const { CountryOrWorldwide } = await freshFields();
    CountryOrWorldwide.parse('FR');
    expect(displayNames).not.toHaveBeenCalled();
  });
});

describe('normalised fields', () => {
  /** What zod answers, the schema it was built with left out: the data, or the issues. */
  const answer = (result: { success: boolean; data?: unknown; error?: { issues: unknown[] } }) =>
    JSON.parse(
      JSON.stringify(result.success ? result : result.error?.issues, (key, value) =>
        key === 'inst' ? undefined : value,
      ),
    );

  it('tell a value of another type that has a length only that it is of the wrong type, not also its length', async () => {
    const { Email, Id } = await freshFields();
    const { Genres } = { Genres: z.array(z.string()).check(z.maxLength(2)) };

    const codes = [
      Email.safeParse({ length: ':' }),
      Id.safeParse({ length: 'x'.repeat(200) }),
      Genres.safeParse('abc'),
    ].map((result) => result.error?.issues.map((issue) => issue.code));

    expect(codes).toEqual([['invalid_type'], ['invalid_type'], ['invalid_type']]);
  });

  it('answer as the field piped into a transform does: the same data, the same issues', async () => {
    const { Email, OffsetInstant, UtcInstant } = await freshFields();
    const piped = {
      email: z.pipe(
        z.pipe(
          z.string(),
          z.transform((address: string) => {
            const at = address
              .replace(/\p{Cf}/gu, '')
              .trim()
              .toLowerCase();
            const local = at.slice(0, at.lastIndexOf('@') + 1);
            const domain = at.slice(at.lastIndexOf('@') + 1);
            return !at.includes('@') || /^\p{ASCII}*$/u.test(domain)
              ? at
              : `${local}${domainToASCII(domain) || domain}`;
          }),
        ),
        z.string().check(
          z.refine((address) => /^\p{ASCII}*$/u.test(address.slice(0, address.lastIndexOf('@') + 1)), {
            message: localPartNotAscii,
            abort: true,
          }),
          z.email('must be an email address'),
          z.maxLength(254),
        ),
      ),
      instant: z.pipe(
        OffsetInstant,
        z.transform((instant: string) => new Date(instant).toJSON()),
      ),
    };
    const address = fc.oneof(
      fc.emailAddress(),
      fc.emailAddress().map((email) => ` ${email.toUpperCase()} `),
      fc.emailAddress().map((email) => `${'x'.repeat(250)}${email}`),
      fc.emailAddress().map((email) => `\u200b${email.replace('@', '@b\u00fccher.')}\ufeff`),
      fc.emailAddress().map((email) => `m\u00fc${email}`),
    );
    const instant = fc.oneof(
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      fc
        .tuple(fc.date({ noInvalidDate: true }), fc.constantFrom('+05:30', '-01:00', 'Z', ''))
        .map(([date, zone]) => `${date.toISOString().slice(0, 19)}${zone}`),
    );

    fc.assert(
      fc.property(fc.oneof(address, instant, fc.string(), fc.anything()), (input) => {
        expect(answer(Email.safeParse(input))).toEqual(answer(piped.email.safeParse(input)));
        expect(answer(UtcInstant.safeParse(input))).toEqual(answer(piped.instant.safeParse(input)));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('an email address', () => {
  const messagesOf = (result: { error?: { issues: { message: string }[] } }) =>
    result.error?.issues.map((issue) => issue.message);

  it('is taken with an international domain in punycode, as SES sends to it, trimmed, rid of invisible characters and in lower case', async () => {
    const { Email } = await freshFields();

    const addresses = [
      ' Booking@Bücher.example ',
      'desk\u200b@zeitung.bücher.example',
      'a@xn--bcher-kva.example',
    ].map((address) => Email.parse(address));

    expect(addresses).toEqual([
      'booking@xn--bcher-kva.example',
      'desk@zeitung.xn--bcher-kva.example',
      'a@xn--bcher-kva.example',
    ]);
  });

  it('is refused, saying why, when the part before @ is not ASCII, whatever its domain', async () => {
    const { Email } = await freshFields();

    const answers = ['müller@zeitung.example', 'müller@bücher.example'].map((address) =>
      messagesOf(Email.safeParse(address)),
    );

    expect(answers).toEqual(Array(2).fill([localPartNotAscii]));
  });

  it('parses an address as kept (as events on the bus and in the outbox hold it) to itself', async () => {
    const { Email } = await freshFields();
    const address = fc.oneof(
      fc.emailAddress(),
      fc.emailAddress().map((email) => ` ${email.toUpperCase()} `),
      fc.emailAddress().map((email) => email.replace('@', '@B\u00fccher.')),
    );

    fc.assert(
      fc.property(address, (sent) => {
        const kept = Email.safeParse(sent);
        if (kept.success) expect(Email.parse(kept.data)).toBe(kept.data);
      }),
      { numRuns: 2_000 },
    );
  });

  it("is one rule for an outlet's address and an event's", async () => {
    const { Email } = await freshFields();
    const { OutletEmail } = await import('#shared/outlet-input.ts');

    expect(OutletEmail).toBe(Email);
  });
});

describe('name fields', () => {
  const messagesOf = (schema: z.ZodMiniType, value: string) =>
    schema.safeParse(value).error?.issues.map((issue) => issue.message) ?? [];

  it('refuse a name made only of characters shown as nothing (bidi controls, a zero-width space, a word joiner, a Hangul filler), as empty', async () => {
    const { Name } = await freshFields();

    const answers = ['\u200b', '\u2060 \u3164', ' \u202e\u202c ', '\u2066\ufeff', ''].map((name) =>
      messagesOf(Name, name),
    );

    expect(answers).toEqual(Array(5).fill(['must not be empty']));
  });

  it('refuse a name holding a C0 or C1 control character or a line or paragraph separator, a tab and a line break among them', async () => {
    const { Name } = await freshFields();

    const answers = [
      'Jo\u0000Kim',
      'Jo\tKim',
      'Jo\nKim',
      'Jo\u001bKim',
      'Jo\u007fKim',
      'Jo\u0085Kim',
      'Jo\u009fKim',
      'Jo\u2028Kim',
      'Jo\u2029Kim',
    ].map((name) => messagesOf(Name, name));

    expect(answers).toEqual(
      Array(9).fill([
        'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them',
      ]),
    );
  });

  it('refuse a name with no base character, made only of combining marks (accents, vowel signs, an enclosing circle) or blank symbols (U+2800, U+1D159) beside white space and characters shown as nothing, as empty', async () => {
    const { Name, Text } = await freshFields();
    const names = [
      '\u0301\u0301',
      ' \u0301\u20dd ',
      '\u093e\u094d',
      '\u0e31\u0e49',
      '\u2800',
      '\u2800 \u2800',
      '\u2800\u0301',
      '\u{1d159}',
      '\u200b\u0301\u2060',
    ];

    const answers = names.map((name) => [messagesOf(Name, name), messagesOf(Text(100), `${name}\n${name}`)]);

    expect(answers).toEqual(Array(names.length).fill([['must not be empty'], ['must not be empty']]));
  });

  it('take a name of letters with combining marks beside them (Devanagari and Thai vowel signs, an accent), an emoji sequence, a symbol or a private-use character', async () => {
    const { Name } = await freshFields();
    const names = [
      '\u0939\u093f\u0928\u094d\u0926\u0940',
      '\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35',
      'Jose\u0301',
      '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}',
      '1\ufe0f\u20e3',
      '\u{1f1e9}\u{1f1ea}',
      '\u{1f3fb}',
      '\u2801',
      '\ue000',
      '\u0301A',
    ];

    expect(names.map((name) => Name.safeParse(name).data)).toEqual(names);
  });

  it('take a name holding invisible characters among others, kept as sent once trimmed', async () => {
    const { Name } = await freshFields();

    const names = [
      'Zoë',
      'Jo\u200dKim',
      '\u{1f468}\u200d\u{1f469}\u200d\u{1f467} Band',
      'Sigur R\u00f3s\u00ad',
      '\u05e9\u05dc\u05d5\u05dd \u2067Tel Aviv\u2069',
    ];

    expect(names.map((name) => Name.parse(` ${name} `))).toEqual(names);
  });
});

describe('texts beside names (genres, a press release, an expense, a phone, a note)', () => {
  const oneLine =
    'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them';
  const lines =
    'must not hold control characters (U+0000-U+001F, U+007F-U+009F) other than a tab or line break';

  /** Each field where its schema lives, and an input holding the given text in it. */
  const fields = async () => {
    const { ExpenseRecorded, TourBooked } = await import('#shared/events/index.ts');
    const { sampleRelease, ReleaseDetails } = await import('#shared/events/release-scheduled.ts');
    const { Contact } = await import('#shared/events/tour-booked.ts');
    const { OutletInput } = await import('#shared/outlet-input.ts');
    const { GuestInput, GuestJson } = await import('#shared/guests.ts');
    const expense = ExpenseRecorded.sample as Record<string, unknown>;
    const outlet = { name: 'Radio One', email: 'one@radio.example', kind: 'radio', territories: ['GB'] };
    return {
      'a release genre': [
        ReleaseDetails,
        (text: string) => ({ ...sampleRelease, genres: [text] }),
        'genres.0',
      ],
      "a release's press text": [
        ReleaseDetails,
        (text: string) => ({ ...sampleRelease, pressRelease: { text } }),
        'pressRelease.text',
      ],
      'a tour genre': [
        TourBooked.data,
        (text: string) => ({ ...TourBooked.sample, genres: [text] }),
        'genres.0',
      ],
      "a contact's phone": [
        Contact,
        (phone: string) => ({ name: 'Sam', email: 'sam@tm.example', phone }),
        'phone',
      ],
      "an expense's invoice number": [
        ExpenseRecorded.data,
        (text: string) => ({ ...expense, invoiceNumber: text }),
        'invoiceNumber',
      ],
      "an expense's description": [
        ExpenseRecorded.data,
        (text: string) => ({ ...expense, description: text }),
        'description',
      ],
      "an expense's rate source": [
        ExpenseRecorded.data,
        (source: string) => ({ ...expense, rate: { value: '1.1', date: '2027-02-10', source, to: 'USD' } }),
        'rate.source',
      ],
      "an outlet's genre": [OutletInput, (text: string) => ({ ...outlet, genres: [text] }), 'genres.0'],
      "a guest's note on the page": [GuestInput, (note: string) => ({ name: 'Alex', note }), 'note'],
      "a guest's note on the API": [GuestJson, (note: string) => ({ name: 'Alex', note }), 'note'],
    } as Record<string, [z.ZodMiniType, (text: string) => unknown, string]>;
  };
  const issuesOf = (schema: z.ZodMiniType, input: unknown) =>
    schema
      .safeParse(input)
      .error?.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) ?? [];

  it('refuse one holding a control character (U+0001, U+0085) or a line separator (U+2028), or made only of characters shown as nothing, naming the field', async () => {
    const texts = ['Ja\u0001zz', 'Ja\u0085zz', 'Ja\u2028zz', '\u200b\u2060\u3164'];
    // A text of several lines takes a line separator, as it takes a line feed.
    const several = ["a release's press text", "an expense's description"];

    const answers = Object.entries(await fields()).map(([field, [schema, holding]]) => ({
      field,
      issues: texts.map((text) => issuesOf(schema, holding(text))),
    }));

    expect(answers).toEqual(
      Object.entries(await fields()).map(([field, [, , path]]) => {
        const controls = [{ path, message: several.includes(field) ? lines : oneLine }];
        return {
          field,
          issues: [
            controls,
            controls,
            several.includes(field) ? [] : controls,
            [{ path, message: 'must not be empty' }],
          ],
        };
      }),
    );
  });

  it('take a press text and an expense description of several lines, with tabs, a press text kept as sent', async () => {
    const { press, description } = await (async () => {
      const all = await fields();
      return { press: all["a release's press text"], description: all["an expense's description"] };
    })();
    const text = '\n  The Midnight Echoes return.\r\n\r\n\tA late-night single.\n';

    const [pressText, described] = [
      (press[0].parse(press[1](text)) as { pressRelease: { text: string } }).pressRelease.text,
      (description[0].parse(description[1](text)) as { description: string }).description,
    ];

    expect(pressText).toBe(text);
    expect(described).toBe(text.trim());
  });

  it('keep the genre keys outlets and releases are matched on, and the other texts as they were kept, for text they took', async () => {
    const { genreKey } = await import('#shared/outlets.ts');
    const all = await fields();
    const genres = [
      ' Hip-Hop ',
      'Drum & Bass',
      'Zoë Pop',
      'ÉLECTRO',
      '\u0939\u093f\u0928\u094d\u0926\u0940 pop',
      '  k\u200dpop',
    ];
    const asKept = (field: string, text: string) => {
      const [schema, holding, path] = all[field];
      return path
        .split('.')
        .reduce(
          (value, key) => (value as Record<string, unknown>)[key],
          schema.parse(holding(text)) as unknown,
        );
    };

    const keys = genres.map((genre) =>
      ['a release genre', 'a tour genre', "an outlet's genre"].map((field) =>
        genreKey(asKept(field, genre) as string),
      ),
    );
    const others = [
      ["a contact's phone", ' +49 30 1234567 '],
      ["an expense's invoice number", ' AP-2027-114 '],
      ["an expense's rate source", ' ECB '],
      ["a guest's note on the page", ' photographer '],
      ["a guest's note on the API", ' photographer '],
    ].map(([field, text]) => asKept(field, text));

    expect(keys).toEqual(genres.map((genre) => Array(3).fill(genre.trim().toLowerCase())));
    expect(others).toEqual(['+49 30 1234567', 'AP-2027-114', 'ECB', 'photographer', 'photographer']);
  });

  it('refuse a phone shorter than three characters, as before', async () => {
    const [schema, holding] = (await fields())["a contact's phone"];

    expect(issuesOf(schema, holding(' 12 ')).map((issue) => issue.path)).toEqual(['phone']);
  });
});
