import type { MailKind } from '#shared/events/mailing-requested.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import type { ReleaseMoment, StoredRelease } from '#shared/releases.ts';
import { escapeHtml, withoutBidiControls } from '../http/markup.ts';

/**
 * Template data for the release mails (templates.ts). Every value exists twice: `text`, plain and
 * single-line (CR, LF and other control characters removed, so nothing can reach a header or the
 * subject as a new line), and `html`, the same value escaped for HTML, because SES does not escape.
 * Press text and a cancellation's reason keep their line breaks: in `text` as newlines, in `html` as
 * `<br>` after escaping.
 */
export interface Recipient {
  outletName: string;
  contactName?: string;
  unsubscribeUrl: string;
  promoLinks: { label: string; url: string }[];
}

export interface MailView {
  title: string;
  artists: { name: string }[];
  artistLine: string;
  kind: string;
  releaseDate: string;
  releaseDateShort: string;
  previousReleaseDate?: string;
  /** A date change that keeps each day the recipient was told and moves only the time (`timeOnly`). */
  timeOnly?: boolean;
  territories: string[];
  /** The release's UPC/EAN, and each track on one line with its ISRC and duration (what radio logs airplay by). */
  upc?: string;
  tracks: { number: number; line: string }[];
  pressText?: string;
  embargo?: string;
  /** When the promo links open, to an outlet mailed before then (the link answers "not yet" till then). */
  promoOpens?: string;
  cancellationReason?: string;
  /** A cancellation to an outlet every date it was told has come for: the release was out, and is withdrawn. */
  outAlready?: boolean;
  /** A cancellation to an outlet some of whose dates came: where it has been out, and is withdrawn. */
  outSince?: string;
  /** The label the release is from (its record's name): every label mails from one sender address. */
  labelName?: string;
  outletName: string;
  contactName?: string;
  unsubscribeUrl: string;
  promoLinks: { label: string; url: string }[];
}

export interface TemplateData {
  text: MailView;
  html: MailView;
}

/**
 * The most template data SES v2 takes for one mail: a Template's `TemplateData` and a bulk entry's
 * `ReplacementTemplateData` are each at most 262,144 characters long; longer, SES refuses the whole
 * call and nothing is sent. A sender whose data grows with what it reports keeps it within this.
 */
export const templateDataLimit = 262_144;

/** Template data as SES gets it (ses.ts sends this): its length is what `templateDataLimit` bounds. */
export const templateDataJson = (data: unknown): string => JSON.stringify(data ?? {});

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f\u2028\u2029]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const controlCharactersButNewline = /[\u0000-\u0009\u000b-\u001f\u007f]+/g;

/** One line: no CR/LF, other control characters or bidi controls (header and subject safe), spaces collapsed. */
export const singleLine = (value: string): string =>
  withoutBidiControls(value).replace(controlCharacters, ' ').replace(/ {2,}/g, ' ').trim();

/**
 * Text that keeps its line breaks (press text, an .ics TEXT value): CR LF, a lone CR and U+2028/U+2029
 * as `\n`, every other control character as a space, bidi controls dropped, so no line of its own
 * reaches a mail or a calendar line and nothing reorders it.
 */
export const multiLine = (value: string): string =>
  withoutBidiControls(value)
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2028\u2029]/g, '\n')
    .replace(controlCharactersButNewline, ' ')
    .trim();

// One escaping function for pages and mail (SES templates do not escape).
export { escapeHtml };

const kindNames: Record<string, string> = { single: 'single', ep: 'EP', album: 'album' };
const assetNames: Record<string, string> = {
  stream: 'Stream',
  download: 'Download',
  artwork: 'Artwork',
  epk: 'Press kit (EPK)',
  'radio-edit': 'Radio edit',
  clean: 'Clean edit',
};

export const assetLabel = (kind: string, index: number): string =>
  `${assetNames[kind] ?? 'Promo'} #${index + 1}`;

/**
 * Date formats, each built once per container on first use and reused: an Intl.DateTimeFormat costs
 * far more to build than to use, and a mailing formats the same dates for every recipient.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
const formatOf = (options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
  const key = JSON.stringify(options);
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', options);
    formats.set(key, format);
  }
  return format;
};

const calendarDay = (moment: ReleaseMoment): Date => {
  const [year, month, day] = moment.releaseDate.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day));
};

/** "Friday 5 March 2027, 00:00 (Europe/London)": the calendar date as the label set it, with its zone. */
export function formatMoment(moment: ReleaseMoment): string {
  const date = formatOf({
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(calendarDay(moment));
  return `${date}, ${moment.releaseTime} (${moment.timeZone})`;
}

const formatShort = (moment: ReleaseMoment): string =>
  formatOf({ day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(calendarDay(moment));

/** "26 February 2027 at 10:00 (Europe/London)": an instant as the clock in `timeZone` shows it. */
export function formatInstant(iso: string, timeZone: string): string {
  const formatted = formatOf({
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(new Date(iso));
  return `${formatted} (${timeZone})`;
}

/** Text that keeps its line breaks (`multiLine`), escaped for HTML, where a bare line break shows as a space. */
const htmlLines = (value: string) => escapeHtml(value).replace(/\n/g, '<br>\n');

function escapeView(view: MailView): MailView {
  const e = (value: string | undefined) => (value === undefined ? undefined : escapeHtml(value));
  return {
    ...view,
    title: escapeHtml(view.title),
    artists: view.artists.map((artist) => ({ name: escapeHtml(artist.name) })),
    artistLine: escapeHtml(view.artistLine),
    kind: escapeHtml(view.kind),
    releaseDate: escapeHtml(view.releaseDate),
    releaseDateShort: escapeHtml(view.releaseDateShort),
    previousReleaseDate: e(view.previousReleaseDate),
    territories: view.territories.map(escapeHtml),
    upc: e(view.upc),
    tracks: view.tracks.map((track) => ({ number: track.number, line: escapeHtml(track.line) })),
    pressText: view.pressText === undefined ? undefined : htmlLines(view.pressText),
    embargo: e(view.embargo),
    promoOpens: e(view.promoOpens),
    cancellationReason:
      view.cancellationReason === undefined ? undefined : htmlLines(view.cancellationReason),
    outSince: e(view.outSince),
    labelName: e(view.labelName),
    outletName: escapeHtml(view.outletName),
    contactName: e(view.contactName),
    unsubscribeUrl: escapeHtml(view.unsubscribeUrl),
    promoLinks: view.promoLinks.map((link) => ({ label: escapeHtml(link.label), url: escapeHtml(link.url) })),
  };
}

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

type ReleaseView = Omit<MailView, 'outletName' | 'contactName' | 'unsubscribeUrl' | 'promoLinks'>;
type RecipientView = Pick<MailView, 'outletName' | 'contactName' | 'unsubscribeUrl' | 'promoLinks'>;

/**
 * The territories a release mail states, as codes, as the template states them: WW with the countries
 * it leaves out ("WW except DE, FR"), so a release worldwide but for some countries is not read as out
 * there too (docs/design.md#street-dates-per-territory). That WW comes last, since the template joins
 * them with commas: "US, WW except FR", where "WW except FR, US" would read as left out in the US.
 */
export const territoriesStated = (
  details: Pick<ReleaseDetails, 'territories' | 'excludedTerritories'>,
): string[] => {
  const except = (details.excludedTerritories ?? []).map(singleLine).join(', ');
  if (!except) return details.territories.map(singleLine);
  const countries = details.territories.filter((territory) => territory !== 'WW').map(singleLine);
  return details.territories.includes('WW') ? [...countries, `WW except ${except}`] : countries;
};

/** A track's duration as a player shows it: 3:35, 1:02:05. */
const durationOf = (seconds: number): string => {
  const pad = (value: number) => String(value).padStart(2, '0');
  const [hours, minutes] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60)];
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds % 60)}` : `${minutes}:${pad(seconds % 60)}`;
};

/**
 * The most tracks a mail lists: a webhook of 256 KB can name some 700 tracks of 300 characters, which
 * with the press text would pass what SES takes of a mail's data (`templateDataLimit`) and send nothing.
 */
export const tracksListed = 30;

/** Each track as the mail lists it: its title, ISRC and duration where the label gave them; past `tracksListed`, how many more. */
const tracksStated = (tracks: ReleaseDetails['tracks']): MailView['tracks'] => {
  const listed = tracks.slice(0, tracksListed).map((track, index) => ({
    number: index + 1,
    line: [
      singleLine(track.title),
      track.isrc ? `, ISRC ${track.isrc}` : '',
      track.durationSeconds === undefined ? '' : ` (${durationOf(track.durationSeconds)})`,
    ].join(''),
  }));
  const more = tracks.length - listed.length;
  return more > 0 ? [...listed, { number: listed.length + 1, line: `and ${more} more tracks` }] : listed;
};

/**
 * What every recipient of one mailing shares (SendBulkEmail's DefaultContent TemplateData). SES
 * merges each entry's ReplacementTemplateData over it, nested objects key by key, so the bulk of
 * the data (press text, say) travels once per call rather than once per recipient.
 */
export function releaseTemplateData(
  release: StoredRelease,
  kind: MailKind,
  /** The name of the release's label, where its record was read. */
  labelName?: string,
): { text: ReleaseView & RecipientView; html: ReleaseView & RecipientView } {
  const details = release.details;
  if (!details) throw new Error(`release ${release.releaseId} has no details to mail`);
  const artists = details.artists.map((artist) => ({ name: singleLine(artist.name) }));
  const moment = {
    releaseDate: details.releaseDate,
    releaseTime: details.releaseTime,
    timeZone: details.timeZone,
  };
  const text: ReleaseView = withoutUndefined({
    title: singleLine(details.title),
    artists,
    artistLine: artists.map((artist) => artist.name).join(', '),
    kind: kindNames[details.kind] ?? details.kind,
    releaseDate: formatMoment(moment),
    releaseDateShort: formatShort(moment),
    previousReleaseDate:
      kind === 'date-change' && release.previousMoment ? formatMoment(release.previousMoment) : undefined,
    timeOnly:
      kind === 'date-change' && release.previousMoment
        ? timeOnly([{ moment: release.previousMoment, territories: [] }], [{ moment, territories: [] }])
        : undefined,
    territories: territoriesStated(details),
    upc: details.upc,
    tracks: tracksStated(details.tracks),
    pressText: details.pressRelease ? multiLine(details.pressRelease.text) : undefined,
    cancellationReason:
      kind === 'cancellation' && release.cancellationReason
        ? multiLine(release.cancellationReason)
        : undefined,
    labelName: labelName ? singleLine(labelName) : undefined,
  });
  // Placeholders, always replaced per recipient.
  const nobody: RecipientView = { outletName: '', unsubscribeUrl: '', promoLinks: [] };
  const full = { ...text, ...nobody };
  return { text: full, html: withoutUndefined(escapeView(full)) };
}

/** What differs per recipient (an entry's ReplacementTemplateData). */
export function recipientTemplateData(recipient: Recipient): { text: RecipientView; html: RecipientView } {
  const text: RecipientView = withoutUndefined({
    outletName: singleLine(recipient.outletName),
    contactName: recipient.contactName ? singleLine(recipient.contactName) : undefined,
    unsubscribeUrl: singleLine(recipient.unsubscribeUrl),
    promoLinks: recipient.promoLinks.map((link) => ({
      label: singleLine(link.label),
      url: singleLine(link.url),
    })),
  });
  return {
    text,
    html: withoutUndefined({
      outletName: escapeHtml(text.outletName),
      contactName: text.contactName === undefined ? undefined : escapeHtml(text.contactName),
      unsubscribeUrl: escapeHtml(text.unsubscribeUrl),
      promoLinks: text.promoLinks.map((link) => ({
        label: escapeHtml(link.label),
        url: escapeHtml(link.url),
      })),
    }),
  };
}

/** One recipient's complete data: the release's, with the recipient's merged over it (as SES does). */
export function templateDataFor(
  release: StoredRelease,
  kind: MailKind,
  recipient: Recipient,
  labelName?: string,
): TemplateData {
  const shared = releaseTemplateData(release, kind, labelName);
  const own = recipientTemplateData(recipient);
  return { text: { ...shared.text, ...own.text }, html: { ...shared.html, ...own.html } };
}

/**
 * SES v2: a header's value (`MessageHeader.Value`) is at most 870 printable ASCII characters; a longer
 * one refuses the whole SendBulkEmail, every recipient of the call.
 */
export const headerValueLimit = 870;

/** The longest unsubscribe URL its List-Unsubscribe header (`<url>`) holds. */
export const unsubscribeUrlLimit = headerValueLimit - 2;

/** RFC 8058 one-click unsubscribe headers; the URL is single-line so it cannot inject a header. */
export const unsubscribeHeaders = (unsubscribeUrl: string): { Name: string; Value: string }[] => [
  { Name: 'List-Unsubscribe', Value: `<${singleLine(unsubscribeUrl)}>` },
  { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
];

/**
 * A notice (template `notice`, and the press of tours on the campaign stream): a subject, a heading,
 * lines of plain text, an optional link, and optional sections of labelled rows (a day sheet's
 * schedule, a show's venue and contacts).
 */
export interface Notice {
  subject: string;
  heading: string;
  lines: string[];
  recipientName?: string;
  link?: { url: string; label: string };
  sections?: { title: string; rows: { label: string; value: string }[] }[];
}

/** The notice's template data, in the same two views as the release mails. */
export function noticeTemplateData(notice: Notice): { text: Notice; html: Notice } {
  // A row's value keeps its line breaks (`multiLine`, `block`): a venue's address, a promoter's answer of several lines.
  const view = (line: (value: string) => string, block: (value: string) => string): Notice => {
    const value = (text: string) => line(singleLine(text));
    const lines = (text: string) => block(multiLine(text));
    return {
      subject: singleLine(notice.subject),
      heading: value(notice.heading),
      lines: notice.lines.map(value),
      ...(notice.recipientName ? { recipientName: value(notice.recipientName) } : {}),
      ...(notice.link ? { link: { url: value(notice.link.url), label: value(notice.link.label) } } : {}),
      ...(notice.sections
        ? {
            sections: notice.sections.map((section) => ({
              title: value(section.title),
              rows: section.rows.map((row) => ({ label: value(row.label), value: lines(row.value) })),
            })),
          }
        : {}),
    };
  };
  const asIs = (value: string) => value;
  return { text: view(asIs, asIs), html: view(escapeHtml, htmlLines) };
}

/** A date a mail states, with the territories it states it for. */
export interface DateInTerritories {
  moment: ReleaseMoment;
  territories: string[];
}

/** The dates a mail states when a release comes out at different moments in different territories. */
export interface StatedDates {
  /** The moments that apply, earliest first, each with the territories it applies to. */
  moments: DateInTerritories[];
  /** For a date change: the date it replaces (the one the outlet was told), by territory if it differs. */
  previous?: DateInTerritories[];
}

type DatesView = Pick<MailView, 'releaseDate' | 'releaseDateShort' | 'previousReleaseDate' | 'timeOnly'>;

/** Each date with its territories; a date stated for no territory in particular, alone. */
const datesInTerritories = (dates: DateInTerritories[]) =>
  dates
    .map(({ moment, territories }) =>
      territories.length > 0
        ? `${formatMoment(moment)} in ${territories.map(singleLine).join(', ')}`
        : formatMoment(moment),
    )
    .join('; ');

/**
 * Whether a date change moves only the time for its recipient: each date it was told (`previous`) falls
 * on the day, as the mail states it, of every date now standing in its territories (a date stated for no
 * territory in particular standing for all), so the mail says "New time", not "New date".
 */
const timeOnly = (previous: DateInTerritories[], now: DateInTerritories[]): boolean =>
  previous.every((was) => {
    const standing = now.filter(
      (date) =>
        was.territories.length === 0 ||
        date.territories.length === 0 ||
        date.territories.some((territory) => was.territories.includes(territory)),
    );
    return (
      standing.length > 0 && standing.every((date) => date.moment.releaseDate === was.moment.releaseDate)
    );
  });

/** One date as it is; dates that differ by territory, each with its territories. */
const previousDate = (previous: DateInTerritories[]) =>
  previous.length === 1 ? formatMoment(previous[0].moment) : datesInTerritories(previous);

/**
 * Template data overriding the release's one date (merged over it, as SES merges an entry's data):
 * each date with its territories ("Friday 5 March 2027, 00:00 (UTC) in GB; ..."), the short date of
 * the earliest for the subject, and for a date change the date replaced and whether only its time moved.
 */
export function datesTemplateData({ moments, previous }: StatedDates): { text: DatesView; html: DatesView } {
  const [earliest] = moments;
  if (!earliest) throw new Error('no date to state');
  const text: DatesView = withoutUndefined({
    releaseDate: datesInTerritories(moments),
    releaseDateShort: formatShort(earliest.moment),
    previousReleaseDate: previous && previous.length > 0 ? previousDate(previous) : undefined,
    timeOnly: previous && previous.length > 0 ? timeOnly(previous, moments) : undefined,
  });
  return {
    text,
    html: withoutUndefined({
      releaseDate: escapeHtml(text.releaseDate),
      releaseDateShort: escapeHtml(text.releaseDateShort),
      previousReleaseDate:
        text.previousReleaseDate === undefined ? undefined : escapeHtml(text.previousReleaseDate),
      timeOnly: text.timeOnly,
    }),
  };
}

/**
 * Template data for a cancellation to an outlet the release had come out for on every date it states: it
 * says the release, out since then, is withdrawn (an ERN takedown of a release in the shops), not that it
 * was planned for a date gone by (docs/design.md#street-dates-per-territory).
 */
export const outAlready = { text: { outAlready: true }, html: { outAlready: true } } as const;

/**
 * Template data for a cancellation to an outlet some of whose dates came (docs/design.md#street-dates-per-territory):
 * the dates it was still to come on, cancelled, and those it came out on (`outSince`), where it is withdrawn.
 */
export function outSinceTemplateData(
  out: DateInTerritories[],
  planned: DateInTerritories[],
): { text: Pick<MailView, 'releaseDate' | 'outSince'>; html: Pick<MailView, 'releaseDate' | 'outSince'> } {
  const text = { releaseDate: datesInTerritories(planned), outSince: datesInTerritories(out) };
  return { text, html: { releaseDate: escapeHtml(text.releaseDate), outSince: escapeHtml(text.outSince) } };
}

/**
 * Template data overriding a date change's previous date (merged over the release's) with the date
 * the recipient was last told: one date, or by territory where they differ; and whether, from that,
 * only the time moved to the release's date (`now`).
 */
export function previousDateTemplateData(
  previous: DateInTerritories[],
  now: ReleaseMoment,
): {
  text: Pick<MailView, 'previousReleaseDate' | 'timeOnly'>;
  html: Pick<MailView, 'previousReleaseDate' | 'timeOnly'>;
} {
  const previousReleaseDate = previousDate(previous);
  const only = timeOnly(previous, [{ moment: now, territories: [] }]);
  return {
    text: { previousReleaseDate, timeOnly: only },
    html: { previousReleaseDate: escapeHtml(previousReleaseDate), timeOnly: only },
  };
}

/**
 * Template data for the embargo line, an outlet's own data (see docs/design.md#embargoes): the instant
 * in the zone the outlet reads it in.
 */
export function embargoTemplateData(
  announceAt: string,
  timeZone: string,
): { text: Pick<MailView, 'embargo'>; html: Pick<MailView, 'embargo'> } {
  const embargo = formatInstant(announceAt, timeZone);
  return { text: { embargo }, html: { embargo: escapeHtml(embargo) } };
}

/**
 * Template data saying when the promo links open (`promoAvailableAt`), for an outlet whose mail is
 * written before then, in the zone its embargo line is stated in (see docs/design.md#embargoes).
 */
export function promoOpensTemplateData(
  promoAvailableAt: string,
  timeZone: string,
): { text: Pick<MailView, 'promoOpens'>; html: Pick<MailView, 'promoOpens'> } {
  const promoOpens = formatInstant(promoAvailableAt, timeZone);
  return { text: { promoOpens }, html: { promoOpens: escapeHtml(promoOpens) } };
}

/**
 * Template data overriding a cancellation's reason for an outlet a withdrawal from territories concerns
 * (docs/design.md#street-dates-per-territory): where it is withdrawn among the territories that concern
 * the outlet, and the label's reasons for those.
 */
export function withdrawnTemplateData(
  territories: string[],
  reasons: string[],
): { text: Pick<MailView, 'cancellationReason'>; html: Pick<MailView, 'cancellationReason'> } {
  const where = `It is withdrawn in ${territories.map(singleLine).join(', ')}.`;
  const cancellationReason = multiLine([where, ...reasons].join('\n'));
  return { text: { cancellationReason }, html: { cancellationReason: htmlLines(cancellationReason) } };
}

/** What a radio mail states beyond the release (see docs/design.md#radio-servicing). */
export interface RadioStatement {
  servicingDate: string;
  /** The add dates of the outlet's formats and territories. */
  addDates: { format: string; territory: string; date: string }[];
  /** For an add-date change: the add date that moved, as it now stands, and the date it replaced (`was`). */
  moved?: { format: string; territory: string; date: string; was?: string };
}

interface RadioView {
  servicingDate: string;
  addDates: string[];
  movedAddDate?: string;
  previousAddDate?: string;
}

const formatDay = (date: string) =>
  formatMoment({ releaseDate: date, releaseTime: '00:00', timeZone: 'UTC' }).replace(/, 00:00 \(UTC\)$/, '');

const addDateLine = (addDate: { format: string; territory: string; date: string }) =>
  `${singleLine(addDate.format)} in ${singleLine(addDate.territory)}: ${formatDay(addDate.date)}`;

/** The radio mail's own template data (merged over the recipient's, as SES merges an entry's data). */
export function radioTemplateData(statement: RadioStatement): { text: RadioView; html: RadioView } {
  const text: RadioView = withoutUndefined({
    servicingDate: formatDay(statement.servicingDate),
    addDates: statement.addDates.map(addDateLine),
    movedAddDate: statement.moved ? addDateLine(statement.moved) : undefined,
    previousAddDate: statement.moved?.was ? formatDay(statement.moved.was) : undefined,
  });
  return {
    text,
    html: withoutUndefined({
      servicingDate: escapeHtml(text.servicingDate),
      addDates: text.addDates.map(escapeHtml),
      movedAddDate: text.movedAddDate === undefined ? undefined : escapeHtml(text.movedAddDate),
      previousAddDate: text.previousAddDate === undefined ? undefined : escapeHtml(text.previousAddDate),
    }),
  };
}
