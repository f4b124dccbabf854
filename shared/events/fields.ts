import { domainToASCII } from 'node:url';
import { isCurrency, minorUnitText } from '../money/money.ts';
import { normaliseEmail } from '../outlets.ts';
import * as z from '../zod.ts';

/** Field types shared by several event schemas. */

/** A string with something in it: an id, a name (one schema, shared, rather than one built per field). */
export const NonEmpty = z.string().check(z.minLength(1));

/** An id the label gives (a release's, a tour's, a show's, a budget's): 1 to 128 characters. */
export const Id = z.string().check(z.minLength(1), z.maxLength(128));

const empty = 'must not be empty';

/**
 * Text that shows as something: it holds a base character, one that is none of white space, what Unicode
 * marks as shown as nothing (Default_Ignorable_Code_Point: bidi controls, a zero-width space, a word
 * joiner, a Hangul filler), a combining mark (General_Category M: an accent, a vowel sign or an enclosing
 * circle, drawn on the character before it and floating on nothing without one) or a blank symbol (U+2800
 * BRAILLE PATTERN BLANK, U+1D159 MUSICAL SYMBOL NULL NOTEHEAD: glyphs of nothing). Pages and mail show a
 * name without bidi controls, and the rest show as nothing or as marks on nothing, so a name of nothing
 * else would stand on a day sheet, a calendar or the door list as a blank line: it is as empty as none. A
 * character the runtime's Unicode does not know (a newer emoji) or a private-use one counts as shown.
 */
const showsSomething = (text: string) =>
  /[^\p{Default_Ignorable_Code_Point}\s\p{M}\u2800\u{1d159}]/u.test(text);

/**
 * A name is one line: no C0 or C1 control character (U+0000-U+001F, U+007F-U+009F), a tab or line break
 * among them, and no line or paragraph separator (U+2028, U+2029), which JSON and mail carry as they are
 * (on a day sheet's line, a calendar's SUMMARY or a mail's subject they break it or show as nothing).
 */
const noControls = z.refine<string>(
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds
  (text: string) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text),
  'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them',
);

/**
 * Text trimmed (unless `trim` is false, for a text kept whole as it always was), showing as something and
 * holding no character `refused` finds; otherwise kept as sent. A form may tell its own words for one
 * empty (`empty`) or too long (`tooLong`), as the promoter's advance form does.
 */
const shownText =
  (refused: z.core.$ZodCheck<string>) =>
  (
    maxLength: number,
    { trim = true, empty: nothing = empty, tooLong = undefined as string | undefined } = {},
  ) =>
    z
      .string()
      .check(
        ...(trim ? [z.trim()] : []),
        z.minLength(1, { error: nothing, abort: true }),
        z.refine(showsSomething, nothing),
        refused,
        z.maxLength(maxLength, tooLong),
      );

/** A line of text (a name, a title): trimmed, showing as something, on one line; otherwise kept as sent. */
export const Line = shownText(noControls);

/**
 * A person's, a venue's or a vendor's name as the label writes it (a guest's as a tour manager does): a
 * `Line` of 1 to 200 characters.
 */
export const Name = Line(200);

/**
 * A genre as a label or a manager names it (a release's, a tour's, an outlet's): a `Line` of 1 to 60
 * characters, matched on its key (`genreKey`, shared/outlets.ts: in NFC, trimmed, as the `Line` keeps it,
 * in lower case).
 */
export const Genre = Line(60);

/**
 * A radio format as stations and labels name it (`AAA`, `CHR`, `specialist`: an outlet's, a release's add
 * date's): a `Line` of 1 to 40 characters, matched on its key (shared/radio.ts: trimmed, as the `Line`
 * keeps it, in lower case).
 */
export const RadioFormat = Line(40);

/**
 * Text of a line or several (a venue's address, why a show was cancelled): trimmed, showing as something
 * (see `Name`), and holding no control character but a tab and line breaks (CR, LF).
 */
export const Text = shownText(
  z.refine(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds
    (text: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text),
    'must not hold control characters (U+0000-U+001F, U+007F-U+009F) other than a tab or line break',
  ),
);

/**
 * A day in the years 1970 to 9998: the instants Backline keeps are in the years 1970-9999 (see
 * `OffsetInstant`), and what is kept of a day reaches past it (a show's day ends at 06:00 the next day, a
 * release is out in every zone by then). A day that is no ISO 8601 date at all may be told both.
 */
export const IsoDate = z
  .isoDate()
  .check(z.refine((day) => day > '1970' && day < '9999', 'must be from 1970 to 9998'));
/** In UTC, as ISO 8601; `toJSON` is `toISOString` answering null, not throwing, for no date-time. */
const inUtc = (instant: string): string => new Date(instant).toJSON();

/**
 * An instant given with its zone (`Z` or an offset). Once in UTC it must still fall in the years
 * 1970-9999: 9999-12-31T23:30-01:00 is in year 10000, which ISO 8601's four-digit form (and so every
 * event and job that carries it, and any comparison as a string) cannot hold. In UTC such a year
 * starts with `+` or `-`, which sorts before any digit, as does a year before 1970.
 */
export const OffsetInstant = z
  // Not an instant at all: that is its one issue, not also a year out of range (see `Currency`).
  .isoDateTime({ offset: true, abort: true })
  .check(z.refine((instant) => inUtc(instant) >= '1970', 'must be in the years 1970-9999 in UTC'));

/**
 * An `OffsetInstant` normalised to UTC, so that it orders as a string against other instants. Normalised
 * in place (`overwrite`, once the instant is checked), as `Email` and `LabelTimeZone` are: a string stays
 * a string, and zod's pipe and transform stay out of the bundles that need them for nothing else (1.3 KB
 * each, see docs/design.md#bundles). The catalogue states its format too, where a transform is `{}`.
 */
export const UtcInstant = OffsetInstant.check(z.overwrite(inUtc));

export const LocalTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)'));

/**
 * A zone's name as ICU gives it (`europe/berlin` is Europe/Berlin, `US/Pacific` America/Los_Angeles),
 * or undefined for no zone's name. Intl also takes a UTC offset (`+05:30`), which is no name: an
 * iCalendar TZID holding its colon unquoted is unreadable (RFC 5545 3.2), and Scheduler takes names only.
 */
const zoneName = (zone: string): string | undefined => {
  try {
    const name = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    return /^[a-z]/i.test(zone) ? name : undefined;
  } catch {
    return undefined;
  }
};

/** A zone's IANA name, as given: a schedule's firing carries its zone as the schedule was set. */
export const TimeZone = z
  .string()
  .check(z.refine((zone) => zoneName(zone) !== undefined, 'must be an IANA time zone such as Europe/London'));

/**
 * A zone a label names, kept by its canonical name, whatever its case or older name, so mails, pages
 * and calendars state it right (docs/design.md#ordering-by-the-labels-timestamp).
 */
export const LabelTimeZone = TimeZone.check(z.overwrite((zone) => zoneName(zone) ?? zone));

/**
 * ISO 3166-1 alpha-2 (upper case), or "WW" for worldwide. A code that is not two capital letters is
 * named once, by the first check (`abort`): zod runs every check otherwise, and both would refuse it.
 */
export const CountryOrWorldwide = z.string().check(
  z.regex(/^[A-Z]{2}$/, {
    error: 'must be an ISO 3166-1 alpha-2 code such as GB, or WW for worldwide',
    abort: true,
  }),
  z.refine((code) => code === 'WW' || isCountry(code), 'is not an ISO 3166-1 alpha-2 country code'),
);

/**
 * The ISO 3166-1 alpha-2 codes officially assigned (249), and XK, Kosovo's user-assigned code that DDEX
 * territory codes carry. A list, not ICU's region names: building `Intl.DisplayNames` costs about 25 ms of
 * every function's init, and ICU also names codes ISO only reserves (UK, EU, UN, SU, ...) or its own (EZ, QO).
 * Written by first letter, each word that letter then the second letters of its codes ("DEJKMOZ" is
 * DE DJ DK DM DO DZ): 301 bytes of every bundle where the codes one by one took 749.
 */
const countries = new Set(
  (
    'ADEFGILMOQRSTUWXZ BABDEFGHIJLMNOQRSTVWYZ CACDFGHIKLMNORUVWXYZ DEJKMOZ ECEGHRST FIJKMOR ' +
    'GABDEFGHILMNPQRSTUWY HKMNRTU IDELMNOQRST JEMOP KEGHIMNPRWYZ LABCIKRSTUVY MACDEFGHKLMNOPQRSTUVWXYZ ' +
    'NACEFGILOPRUZ OM PAEFGHKLMNRSTWY QA REOSUW SABCDEGHIJKLMNORSTVXYZ TCDFGHJKLMNORTVWZ UAGMSYZ VACEGINU ' +
    'WFS XK YET ZAMW'
  )
    .split(' ')
    .flatMap((word) => [...word.slice(1)].map((second) => word[0] + second)),
);
const isCountry = (code: string): boolean => countries.has(code);

export const Country = CountryOrWorldwide.check(
  z.refine((code) => code !== 'WW', 'must be a country, not WW'),
);

const notACurrency = 'must be an ISO 4217 currency code such as EUR, JPY or BHD';

/** ISO 4217, as ICU knows it: a typo (EUE) is no currency. */
export const Currency = z.string().check(
  // The pattern first, for the JSON Schema and the API document; the refinement only if it holds.
  z.regex(/^[A-Z]{3}$/, { message: notACurrency, abort: true }),
  z.refine(isCurrency, notACurrency),
);

/** An integer amount in the currency's minor unit as ICU gives it (see docs/design.md#money). */
export const Minor = z.int('must be an integer amount of minor units');
// Its description is for the documents only: dropped from the bundles (docs/design.md#bundles).
DOCS: z.globalRegistry.add(Minor, { description: minorUnitText() });

/** Money is integer minor units (ICU's, see Minor) plus an ISO 4217 code, never floats. */
export const Money = z.object({
  minor: Minor,
  currency: Currency,
});

/** An amount that is never below zero: an expense or its VAT, a show's gross or a deduction from it. */
export const NonNegativeMoney = Money.check(
  z.refine((money) => money.minor >= 0, { message: 'must not be negative', path: ['minor'] }),
);

/**
 * Invisible format characters (Unicode Cf: a zero-width space, a word joiner, a byte order mark), which an
 * address copied from a web page or a document brings along and no address holds.
 */
const invisible = /\p{Cf}/gu;

const nonAscii = /\P{ASCII}/u;

/**
 * An address with its domain in ASCII: SES v2 takes 7-bit ASCII addresses only (no SMTPUTF8, RFC 6531), a
 * domain with other characters in punycode (RFC 3492), so `desk@bücher.example` is sent to as
 * `desk@xn--bcher-kva.example`. A domain IDNA cannot convert is left as written, and refused as no address.
 */
function asciiDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  if (at < 0 || !nonAscii.test(domain)) return address;
  return `${address.slice(0, at + 1)}${domainToASCII(domain) || domain}`;
}

/**
 * The one rule for an address: an outlet's (POST/PUT and each row of an import) and every address an
 * event or a webhook carries (a promoter's, a tour manager's, a crew member's, a budget's owner's).
 * Rid of invisible characters, trimmed and lower-cased, so ` News@Radio.Example ` is `news@radio.example`,
 * and an international domain taken in punycode (`asciiDomain`), in place (see `UtcInstant`): an address
 * kept so parses to itself. A local part that is not ASCII is refused: SES v2 cannot send to it.
 */
export const Email = z.string().check(
  z.overwrite((address) => asciiDomain(normaliseEmail(address.replace(invisible, '')))),
  z.refine((address) => !nonAscii.test(address.slice(0, address.lastIndexOf('@') + 1)), {
    message: 'the part before @ must be ASCII (SES sends to no address whose local part is not)',
    abort: true,
  }),
  z.email('must be an email address'),
  z.maxLength(254),
);
