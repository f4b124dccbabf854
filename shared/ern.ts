import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { latestZone, wallTimeInstant } from './country-zones.ts';
import { UtcInstant } from './events/fields.ts';
import type { TerritoryDate } from './events/release-scheduled.ts';
import { type Issue, strictUtf8, ValidationError } from './http/errors.ts';

/**
 * DDEX ERN 4.3, 4.3.1 and 4.3.2 `NewReleaseMessage` bodies, read into what a label would have sent as
 * JSON (see docs/design.md#ddex-ern). The standard's structure, as far as Backline reads it:
 *
 *   NewReleaseMessage (namespace http://ddex.net/xml/ern/43, .../431 or .../432)
 *     MessageHeader/MessageId, MessageCreatedDateTime, MessageControlType (LiveMessage only)
 *     PartyList/Party: PartyReference, PartyName/FullName (the PartyName that applies everywhere)
 *     ResourceList/SoundRecording: ResourceReference, SoundRecordingEdition/ResourceId/ISRC,
 *       DisplayTitleText, Duration
 *     ReleaseList/Release (the main release): ReleaseReference, ReleaseType, ReleaseId/ICPN|GRid|ProprietaryId|CatalogNumber,
 *       DisplayTitleText, DisplayArtist/ArtistPartyReference (else DisplayArtistName),
 *       Genre/GenreText (4.3; DisplayGenre/GenreText in 4.3.1 and 4.3.2),
 *       ResourceGroup/.../ResourceGroupContentItem/ReleaseResourceReference, ReleaseVisibilityReference
 *     DealList/ReleaseDeal: DealReleaseReference, Deal/DealTerms: TerritoryCode or ExcludedTerritoryCode
 *       (worldwide except; also read beside Worldwide), ValidityPeriod
 *       StartDate|StartDateTime (EndDate|EndDateTime), IsPreOrderDeal, CommercialModelType, UseType
 *     DealList/ReleaseVisibility: VisibilityReference, TerritoryCode, ClipPreviewStartDateTime
 *
 * ERN 4 has no update indicator: each message states everything about its release. A territory whose
 * deals have all ended by the message's creation (ERN 4's territorial takedown), or that carries
 * `TakeDown` true (ERN 3's flag, still written) started by then, is left out, so the release is
 * withdrawn there (a takedown still to come is refused: none is scheduled); while a Worldwide deal runs it is
 * excluded from it (`excludedFromWorldwide`), as a country every running Worldwide deal names in
 * `ExcludedTerritoryCode` is. Unknown elements are ignored.
 */

export interface ErnRelease {
  messageId: string;
  /** When the label's system created the message: orders it against the release's other changes. */
  createdAt: string;
  releaseId: string;
  /**
   * The element the artists' names were read from when it is the release's DisplayArtistName (no
   * DisplayArtist names a listed party); absent when they are their parties' FullName.
   */
  artistsFrom?: 'DisplayArtistName';
  /** The element the genres were read from when it is not ERN 4.3's Genre (4.3.1 and 4.3.2 name it so). */
  genresFrom?: 'DisplayGenre';
  /** The release as Backline's JSON describes it; absent when it was taken down everywhere. */
  details?: ErnDetails;
}

export interface ErnDetails {
  releaseId: string;
  title: string;
  artists: { name: string }[];
  kind: 'single' | 'ep' | 'album';
  releaseDate: string;
  releaseTime: string;
  timeZone: string;
  territories: string[];
  genres: string[];
  upc?: string;
  tracks: { title: string; isrc?: string; durationSeconds?: number }[];
  territoryDates?: TerritoryDate[];
}

export type ParsedErn = { ok: true; release: ErnRelease } | { ok: false; error: ValidationError };

type Node = Record<string, unknown>;

class ErnProblem extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

const root = 'NewReleaseMessage';

/**
 * XML's own escapes in text and attribute values: the five predefined entities and character
 * references (`&#233;`, `&#xE9;`), which need no declaration (a label writes `Drum &amp; Bass`).
 * Decoded here in one pass, because fast-xml-parser decodes character references only with its HTML
 * entities on (which would also expand HTML names XML does not define), and decoding its predefined
 * entities first and the references after would decode `&amp;#233;` twice. Any other reference (an
 * HTML name such as `&eacute;`, which only a DOCTYPE could declare, or `&#0;`) is refused before
 * parsing (`unreadReference`), so none is kept as written.
 */
const predefined: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const references = /&([^;\s<&]*);/g;
/** What a reference stands for (`amp`, `#233`, `#xE9`), or undefined for none XML defines. */
const referenced = (name: string): string | undefined => {
  if (!name.startsWith('#')) return predefined[name];
  const code = /^#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7})$/.test(name)
    ? Number.parseInt(name.slice(name[1] === 'x' ? 2 : 1), name[1] === 'x' ? 16 : 10)
    : -1;
  const allowed =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? String.fromCodePoint(code) : undefined;
};
export const decodeXmlEscapes = (value: string): string =>
  value.replace(references, (written, name: string) => referenced(name) ?? written);
/** The first reference outside comments that stands for nothing XML defines (`&eacute;`, `&#0;`). */
const unreadReference = (xml: string): string | undefined =>
  [...xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(references)].find(
    ([, name]) => referenced(name!) === undefined,
  )?.[0];

/**
 * A character XML does not allow written as itself (a C0 control but tab and line breaks, U+FFFE): the
 * message is not well-formed, as one naming it by a reference (`&#1;`) is. Found where it is read, so
 * the 400 names the element (its path with the prefixes off, as `withoutPrefix` reads it; fast-xml-parser
 * writes a prefixed name's prefix twice there, `ern:ern:NewReleaseMessage`), or the attribute, holding it; it is never kept in a title or a name that mails and pages show.
 */
const notXmlCharacter = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const readValue = (value: string, jPath: unknown, attribute?: string): string => {
  const found = value.match(notXmlCharacter)?.[0];
  if (found === undefined) return decodeXmlEscapes(value);
  const elements = String(jPath)
    .split('.')
    .map((name) => name.slice(name.lastIndexOf(':') + 1));
  throw new ErnProblem(
    [...elements, ...(attribute ? [`@${attribute}`] : [])].join('/'),
    `holds U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, a character XML does not allow`,
  );
};

// No entity is ever declared or expanded (a DOCTYPE is refused: no billion laughs) and none is
// fetched; XML's own escapes are decoded and characters XML does not allow refused (above); values stay strings, so an ICPN or ISRC keeps its
// leading zeros; every element is a list, as most may repeat.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name, value, jPath) => readValue(value, jPath),
  attributeValueProcessor: (name, value, jPath) => readValue(value, jPath, name),
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
});

const children = (node: Node | undefined, name: string): Node[] => {
  const value = node?.[name];
  if (!Array.isArray(value)) return [];
  return value.map((item) =>
    typeof item === 'object' && item !== null ? (item as Node) : { '#text': item },
  );
};
const child = (node: Node | undefined, name: string): Node | undefined => children(node, name)[0];
const textOf = (node: Node | undefined): string | undefined => {
  const text = node?.['#text'];
  return text === undefined || text === '' ? undefined : String(text).trim() || undefined;
};
const texts = (node: Node | undefined, name: string): string[] =>
  children(node, name).flatMap((item) => textOf(item) ?? []);
const text = (node: Node | undefined, name: string) => texts(node, name)[0];
/** An xs:boolean, which is true written `true` or `1` (`TakeDown`, `IsPreOrderDeal`, `IsDefault`). */
const isTrue = (value: unknown): boolean => value === 'true' || value === '1';

/**
 * An element ERN has once where Backline reads it (the MessageHeader, its MessageId, the main Release):
 * missing, or given twice (a second MessageHeader, which one would count is a guess), it is a 400 naming it.
 */
function required(node: Node | undefined, name: string, path: string): Node {
  const [found, ...more] = children(node, name);
  if (!found) throw new ErnProblem(`${path}/${name}`, 'is missing: Backline needs it');
  if (more.length > 0) throw new ErnProblem(`${path}/${name}`, 'appears more than once: ERN allows one');
  return found;
}
function requiredText(node: Node | undefined, name: string, path: string): string {
  const found = child(node, name) && textOf(required(node, name, path));
  if (!found) throw new ErnProblem(`${path}/${name}`, 'is missing or empty: Backline needs it');
  return found;
}

/**
 * The one of a repeated, territory-specific element (DisplayTitleText, DisplayArtistName, a Party's
 * PartyName) that applies everywhere: the one marked IsDefault, else one naming no ApplicableTerritoryCode
 * (or Worldwide), else the first. One naming a territory applies there only (a Japanese title or name for
 * JP), so the press elsewhere is never told it because it came first (docs/design.md#ddex-ern).
 */
const preferredOf = (node: Node | undefined, name: string): Node | undefined => {
  const all = children(node, name);
  const everywhere = (item: Node) => (item['@ApplicableTerritoryCode'] ?? 'Worldwide') === 'Worldwide';
  return all.find((item) => isTrue(item['@IsDefault'])) ?? all.find(everywhere) ?? all[0];
};
const preferred = (node: Node | undefined, name: string) => textOf(preferredOf(node, name));

/**
 * An xs:duration, as ERN types a recording's Duration (ISO 8601's PnYnMnDTnHnMnS: a leading minus, any
 * part left out but one at least written, the T only before a time part, a fraction on the seconds alone):
 * `PT3M45S`, `P0DT3M45S`, `PT225S`. `P3M45S` (minutes written without the T) and `3:45` are none.
 * Not temporal-polyfill's Duration.from: it takes what xs:duration does not (weeks, a fraction of an hour
 * or a minute, a lower-case p), which a label's validator would refuse.
 */
const xsDuration =
  /^(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const daySeconds = 86_400;
/**
 * An xs:duration in whole seconds; undefined when it is none. A year or a month has no length of its own:
 * each is read at its shortest (365 days, 28), so a duration holding one is past a day, which the webhook
 * schema refuses for a track, naming the element, as it refuses a negative one (docs/design.md#ddex-ern).
 */
export function durationSeconds(duration: string | undefined): number | undefined {
  const match = duration?.match(xsDuration);
  if (!match) return undefined;
  const [, minus, years = '0', months = '0', days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  const total =
    (Number(years) * 365 + Number(months) * 28 + Number(days)) * daySeconds +
    Number(hours) * 3600 +
    Number(minutes) * 60 +
    Math.round(Number(seconds));
  return minus && total > 0 ? -total : total;
}

const kinds: Record<string, ErnDetails['kind']> = { Single: 'single', EP: 'ep', Album: 'album' };

/**
 * The ERN versions read, by namespace, with the element each gives a release's genres in: 4.3, whose
 * elements this reader names (a SoundRecording's ISRC under its SoundRecordingEdition, where 4.1 and 4.2
 * have it under the SoundRecording itself, so an ERN 4.2 message would lose its ISRCs unsaid), and 4.3.1
 * and 4.3.2, which differ from it, in what Backline reads, by the genre's DisplayGenre
 * (docs/design.md#ddex-ern).
 */
const versions: Record<string, { name: string; genre: 'Genre' | 'DisplayGenre' }> = {
  'http://ddex.net/xml/ern/43': { name: '4.3', genre: 'Genre' },
  'http://ddex.net/xml/ern/431': { name: '4.3.1', genre: 'DisplayGenre' },
  'http://ddex.net/xml/ern/432': { name: '4.3.2', genre: 'DisplayGenre' },
};
type ErnVersion = (typeof versions)[string];
const taken = 'ERN 4.3, 4.3.1 and 4.3.2';
const takenNamespaces = Object.keys(versions).join(', ');

/** The release's root element and its ERN version, or why the body is not a NewReleaseMessage read. */
function messageOf(document: Node): { message: Node; version: ErnVersion } {
  const rootName = Object.keys(document).find((name) => !name.startsWith('?') && !name.startsWith('#'));
  if (!rootName) throw new ErnProblem('', 'body holds no XML element');
  const [prefix, local] = rootName.includes(':') ? rootName.split(':', 2) : [undefined, rootName];
  const message = child(document, rootName) ?? {};
  const namespace = String(message[prefix ? `@xmlns:${prefix}` : '@xmlns'] ?? '');
  const version = namespace.match(/^http:\/\/ddex\.net\/xml\/ern\/(\d+)$/)?.[1];
  const schemaVersion = String(message['@MessageSchemaVersionId'] ?? '');
  if (version?.startsWith('3') || /^ern\/3/.test(schemaVersion)) {
    throw new ErnProblem(
      local ?? rootName,
      `is ERN ${version ?? schemaVersion.slice(4)} (ERN 3.x): Backline takes ${taken} NewReleaseMessage only`,
    );
  }
  if (version === undefined) {
    throw new ErnProblem(
      local ?? rootName,
      `is not in an ERN namespace Backline takes (${takenNamespaces}): found "${namespace}"`,
    );
  }
  const read = versions[namespace];
  if (!read) {
    throw new ErnProblem(
      local ?? rootName,
      `is in the namespace ${namespace}: Backline takes ${taken} only (${takenNamespaces})`,
    );
  }
  if (local !== root) {
    throw new ErnProblem(
      local ?? rootName,
      `is not a NewReleaseMessage: Backline takes ${taken} NewReleaseMessage only`,
    );
  }
  return { message: prefix ? withoutPrefix(message, `${prefix}:`) : message, version: read };
}

/**
 * The message with its elements' ERN prefix taken off: ERN 4 leaves the elements under the root
 * unqualified, but some labels' systems write each with the root's prefix (`<ern:MessageHeader>`), as
 * others put them all in the default namespace; both mean the same elements.
 */
function withoutPrefix(node: Node, prefix: string): Node {
  const read: Node = {};
  for (const [name, value] of Object.entries(node)) {
    const local = name.startsWith(prefix) ? name.slice(prefix.length) : name;
    const items = Array.isArray(value)
      ? value.map((item) =>
          typeof item === 'object' && item !== null ? withoutPrefix(item as Node, prefix) : item,
        )
      : value;
    const earlier = read[local];
    read[local] = Array.isArray(earlier) && Array.isArray(items) ? [...earlier, ...items] : items;
  }
  return read;
}

/**
 * The release's display artists, in their sequence, by their party's name; else its DisplayArtistName. A
 * SpecialDisplayArtist (4.3.1 and 4.3.2: VariousArtists, Traditional) names no party, so a compilation
 * giving only one is read by its DisplayArtistName.
 */
function artistsOf(
  release: Node,
  parties: Map<string, string>,
  path: string,
): Pick<ErnRelease, 'artistsFrom'> & { artists: { name: string }[] } {
  const listed = children(release, 'DisplayArtist')
    .map((artist, index) => ({
      order: Number(artist['@SequenceNumber'] ?? index + 1),
      name: parties.get(text(artist, 'ArtistPartyReference') ?? ''),
    }))
    .filter((artist): artist is { order: number; name: string } => artist.name !== undefined)
    .sort((a, b) => a.order - b.order)
    .map(({ name }) => ({ name }));
  if (listed.length > 0) return { artists: listed };
  const name = preferred(release, 'DisplayArtistName');
  if (!name) throw new ErnProblem(`${path}/DisplayArtist`, 'is missing: Backline needs the display artists');
  return { artists: [{ name }], artistsFrom: 'DisplayArtistName' };
}

/** The release's resource references in track order, through nested ResourceGroups. */
function trackReferences(group: Node | undefined): string[] {
  if (!group) return [];
  const items = [
    ...children(group, 'ResourceGroupContentItem').map((item, index) => ({
      order: Number(text(item, 'SequenceNumber') ?? index + 1),
      refs: texts(item, 'ReleaseResourceReference'),
    })),
    ...children(group, 'ResourceGroup').map((sub, index) => ({
      order: Number(text(sub, 'SequenceNumber') ?? index + 1) + 1_000_000,
      refs: trackReferences(sub),
    })),
  ];
  return items.sort((a, b) => a.order - b.order).flatMap((item) => item.refs);
}

/** A street date as a territory's entry states it, and the instant it stands for, to compare starts by. */
type StreetMoment = Required<Pick<TerritoryDate, 'releaseDate' | 'releaseTime' | 'timeZone'>> & {
  at: number;
};

interface TerritoryTerms {
  street?: StreetMoment;
  preOrderDate?: string;
  /** A deal there was taken down: the release is withdrawn there, whatever else runs. */
  takenDown: boolean;
  /** A commercial deal there ended (a pre-order's end is the street date, not a withdrawal). */
  endedCommercial: boolean;
  /** A commercial deal there still runs. */
  live: boolean;
}

/** Withdrawn there: taken down, or every commercial deal there ended (ERN 4's territorial takedown). */
const ended = (known: TerritoryTerms) => known.takenDown || (known.endedCommercial && !known.live);

/**
 * An ERN date-time as an instant in UTC: at its zone (`Z` or an offset), or read as UTC without one;
 * undefined when it is none (30 February, 24:00, no seconds), never rolled over.
 */
const notDateTime = 'is not an ISO 8601 date-time';
const zoned = /(?:z|[+-]\d{2}:\d{2})$/i;
const instantOf = (value: string): string | undefined =>
  UtcInstant.safeParse(zoned.test(value) ? value.toUpperCase() : `${value}Z`).data;

/**
 * A validity period's start or end: its `...DateTime` as `instantOf` reads it, or its `...Date` (an
 * xs:date, perhaps with a zone) at 00:00, and whether it named no zone (`local`: its wall time is then
 * the instant's in UTC, which a start reads in each territory's zone, `streetMomentOf`), and its date as
 * written (`day`, a pre-order's date); undefined when it gives neither, a 400 naming the element when it
 * is no date.
 */
function boundOf(
  period: Node,
  bound: 'Start' | 'End',
  path: string,
): { instant: string; local: boolean; day: string } | undefined {
  const dateTime = text(period, `${bound}DateTime`);
  const date = text(period, `${bound}Date`);
  if (dateTime !== undefined) {
    const instant = instantOf(dateTime);
    if (!instant) throw new ErnProblem(`${path}/${bound}DateTime`, notDateTime);
    return { instant, local: !zoned.test(dateTime), day: dateTime.slice(0, 10) };
  }
  if (date === undefined) return undefined;
  const instant =
    /^\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?$/.test(date) &&
    instantOf(`${date.slice(0, 10)}T00:00:00${date.slice(10)}`);
  if (!instant) throw new ErnProblem(`${path}/${bound}Date`, 'is not an ISO 8601 date');
  return { instant, local: date.length === 10, day: date.slice(0, 10) };
}

/**
 * A deal's start in one of its territories (docs/design.md#ddex-ern): one naming no zone is its wall time
 * in the territory's zone, DDEX's reading (a StartDate is midnight there), in the zone of the country's
 * where it comes last when they keep several times (`latestZone`); one naming a zone is the instant it
 * names, stated in UTC, as is any start of a Worldwide deal (one moment for every country) or in a
 * territory Intl knows no zone of.
 */
function streetMomentOf(start: { instant: string; local: boolean }, territory: string): StreetMoment {
  const [releaseDate, releaseTime] = [start.instant.slice(0, 10), start.instant.slice(11, 16)];
  const timeZone =
    start.local && territory !== 'Worldwide' ? latestZone(territory, releaseDate, releaseTime) : undefined;
  return timeZone
    ? { releaseDate, releaseTime, timeZone, at: wallTimeInstant(releaseDate, releaseTime, timeZone) }
    : { releaseDate, releaseTime, timeZone: 'UTC', at: Date.parse(start.instant) };
}

/**
 * A deal's (or a ReleaseVisibility's) territory codes. An empty one (`<TerritoryCode/>`, or blank) names
 * no territory, and which the label meant is not known: a 400 naming it, never dropped beside the codes
 * given. `WW` is no DDEX code (its allowed values name the whole world `Worldwide`), only the JSON's
 * spelling: a 400 saying to write `Worldwide` (docs/design.md#ddex-ern).
 */
function territoryCodes(node: Node, name: 'TerritoryCode' | 'ExcludedTerritoryCode', path: string) {
  const codes = children(node, name).map(textOf);
  if (codes.includes(undefined)) throw new ErnProblem(`${path}/${name}`, emptyTerritory);
  if (codes.includes('WW')) {
    throw new ErnProblem(
      `${path}/${name}`,
      'is WW, which is no DDEX territory code: write Worldwide for the whole world',
    );
  }
  return codes as string[];
}
const takedownToCome =
  'starts after the message was created: a takedown withdraws the release when Backline receives it, so send it when it takes effect';
const emptyTerritory = 'is empty: each names a territory (an ISO 3166-1 alpha-2 code, or Worldwide)';

/**
 * Per territory: the earliest commercial start (street date), any pre-order start, and whether it was
 * taken down; and for each running commercial Worldwide deal's period, the countries it excludes.
 */
function dealTerms(dealList: Node | undefined, releaseRef: string, createdAt: string, path: string) {
  const byTerritory = new Map<string, TerritoryTerms>();
  const worldwideExclusions: Set<string>[] = [];
  const dealPath = `${path}/DealList/ReleaseDeal/Deal/DealTerms`;
  for (const releaseDeal of children(dealList, 'ReleaseDeal')) {
    if (!texts(releaseDeal, 'DealReleaseReference').includes(releaseRef)) continue;
    for (const deal of children(releaseDeal, 'Deal')) {
      const terms = child(deal, 'DealTerms');
      if (!terms) continue;
      const excluded = territoryCodes(terms, 'ExcludedTerritoryCode', dealPath);
      // ERN 4 gives a deal TerritoryCode or ExcludedTerritoryCode, not both: the latter alone is
      // everywhere but those countries (some labels' systems write it beside Worldwide, read the same).
      const listed = territoryCodes(terms, 'TerritoryCode', dealPath);
      const territories = listed.length === 0 && excluded.length > 0 ? ['Worldwide'] : listed;
      if (territories.length === 0) {
        throw new ErnProblem(`${dealPath}/TerritoryCode`, 'is missing, as is ExcludedTerritoryCode');
      }
      if (excluded.length > 0 && territories.some((territory) => territory !== 'Worldwide')) {
        throw new ErnProblem(
          `${dealPath}/ExcludedTerritoryCode`,
          'is supported beside TerritoryCode Worldwide only: list the territories with TerritoryCode',
        );
      }
      const periods = children(terms, 'ValidityPeriod');
      if (periods.length === 0) throw new ErnProblem(`${dealPath}/ValidityPeriod`, 'is missing');
      const preOrder = isTrue(text(terms, 'IsPreOrderDeal'));
      const takenDown = isTrue(text(terms, 'TakeDown'));
      // A takedown applies nowhere it excludes, where a Worldwide deal may run on: read as Worldwide
      // taken down, it would withdraw the release there too, so it is refused.
      if (takenDown && excluded.length > 0) {
        throw new ErnProblem(
          `${dealPath}/ExcludedTerritoryCode`,
          'is not read beside TakeDown: list the territories taken down with TerritoryCode',
        );
      }
      for (const period of periods) {
        const periodPath = `${dealPath}/ValidityPeriod`;
        const start = boundOf(period, 'Start', periodPath);
        if (!start) throw new ErnProblem(`${periodPath}/StartDate`, 'is missing or not an ISO 8601 date');
        // Ended by the message when its end is not after the message's creation, as instants.
        const end = boundOf(period, 'End', periodPath);
        const over = end !== undefined && end.instant <= createdAt;
        if (territories.includes('Worldwide') && !takenDown && !over && !preOrder) {
          worldwideExclusions.push(new Set(excluded));
        }
        for (const territory of territories) {
          const street = streetMomentOf(start, territory);
          // A takedown applies from its start there; none is scheduled, so one still to come is refused
          // rather than withdrawing the release (and telling the press) before the label's date.
          if (takenDown && street.at > Date.parse(createdAt)) {
            const element = text(period, 'StartDateTime') === undefined ? 'StartDate' : 'StartDateTime';
            throw new ErnProblem(`${periodPath}/${element}`, takedownToCome);
          }
          const code = territory === 'Worldwide' ? 'WW' : territory;
          const known = byTerritory.get(code) ?? { takenDown: false, endedCommercial: false, live: false };
          if (takenDown) known.takenDown = true;
          else if (over) {
            if (!preOrder) known.endedCommercial = true;
          } else if (preOrder) {
            // A calendar date, as written: a zoned one's midnight is another UTC date east of UTC.
            const date = start.day;
            if (!known.preOrderDate || date < known.preOrderDate) known.preOrderDate = date;
          } else {
            known.live = true;
            if (!known.street || street.at < known.street.at) known.street = street;
          }
          byTerritory.set(code, known);
        }
      }
    }
  }
  return { byTerritory, worldwideExclusions };
}

/**
 * Clip preview starts per territory, from the ReleaseVisibility the release refers to; its territory
 * codes are read as a deal's are (an empty one is refused), and its start as a deal's date-times are
 * (one that is none is a 400 naming it, never left unread).
 */
function previewStarts(dealList: Node | undefined, release: Node, path: string): Map<string, string> {
  const refs = new Set(texts(release, 'ReleaseVisibilityReference'));
  const starts = new Map<string, string>();
  const visibilityPath = `${path}/DealList/ReleaseVisibility`;
  for (const visibility of children(dealList, 'ReleaseVisibility')) {
    if (!refs.has(text(visibility, 'VisibilityReference') ?? '')) continue;
    const territories = territoryCodes(visibility, 'TerritoryCode', visibilityPath);
    const element = text(visibility, 'ClipPreviewStartDateTime')
      ? 'ClipPreviewStartDateTime'
      : 'ReleaseDisplayStartDateTime';
    const start = text(visibility, element);
    if (!start) continue;
    const instant = instantOf(start);
    if (!instant) throw new ErnProblem(`${visibilityPath}/${element}`, notDateTime);
    for (const territory of territories) {
      starts.set(territory === 'Worldwide' ? 'WW' : territory, instant);
    }
  }
  return starts;
}

/**
 * The territories that stay, each with its street date, grouped by equal dates in equal zones (GB and
 * JP on one date are two entries, their moments nine hours apart): the release's date is the earliest
 * instant, and entries differing from it become `territoryDates`. Each is stated in the zone its start
 * was read in (`streetMomentOf`).
 */
function territoryDatesOf(terms: Map<string, TerritoryTerms>, previews: Map<string, string>) {
  const groups = new Map<string, { entry: TerritoryDate; at: number }>();
  for (const [territory, known] of [...terms].sort(([a], [b]) => a.localeCompare(b))) {
    if (ended(known) || !known.live || !known.street) continue;
    const { at, ...moment } = known.street;
    const entry: TerritoryDate = {
      territories: [],
      ...moment,
      ...(known.preOrderDate ? { preOrderDate: known.preOrderDate } : {}),
      ...(previews.get(territory) ? { previewAt: previews.get(territory) } : {}),
    };
    const key = JSON.stringify(entry);
    const group = groups.get(key) ?? { entry, at };
    group.entry.territories.push(territory);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => a.at - b.at).map(({ entry }) => entry);
}

/**
 * The countries a running Worldwide deal leaves out, as the release's `excludedTerritories` ("worldwide
 * except DE", docs/design.md#ddex-ern): those every running commercial Worldwide deal excludes
 * (`ExcludedTerritoryCode`), and those taken down (their deals ended) while it runs, which WW would
 * otherwise go on reaching; not a country with a running deal of its own, which the release lists.
 */
function excludedFromWorldwide(
  terms: Map<string, TerritoryTerms>,
  worldwideExclusions: readonly Set<string>[],
): string[] {
  const worldwide = terms.get('WW');
  if (!worldwide || ended(worldwide) || !worldwide.live) return [];
  const [first, ...others] = worldwideExclusions;
  const everyDeal = [...(first ?? [])].filter((code) => others.every((deal) => deal.has(code)));
  const takenDown = [...terms].flatMap(([code, known]) => (code !== 'WW' && ended(known) ? [code] : []));
  const listed = (code: string) => {
    const known = terms.get(code);
    return known !== undefined && !ended(known) && known.live && known.street !== undefined;
  };
  return [...new Set([...everyDeal, ...takenDown])].filter((code) => !listed(code)).sort();
}

function readMessage(document: Node): ErnRelease {
  const { message, version } = messageOf(document);
  const header = required(message, 'MessageHeader', root);
  const messageId = requiredText(header, 'MessageId', `${root}/MessageHeader`);
  const createdText = requiredText(header, 'MessageCreatedDateTime', `${root}/MessageHeader`);
  const createdAt = instantOf(createdText);
  if (!createdAt) {
    throw new ErnProblem(`${root}/MessageHeader/MessageCreatedDateTime`, notDateTime);
  }
  // A label's system marks the messages it sends to try a feed TestMessage: announced, they would
  // reach the press as a real release (docs/design.md#ddex-ern). Absent, the message is live.
  const control = text(header, 'MessageControlType');
  if (control !== undefined && control !== 'LiveMessage') {
    throw new ErnProblem(
      `${root}/MessageHeader/MessageControlType`,
      `is ${control}: Backline takes LiveMessage only, and announces nothing of a test`,
    );
  }

  const releasePath = `${root}/ReleaseList/Release`;
  const releases = required(message, 'ReleaseList', root);
  const release = required(releases, 'Release', `${root}/ReleaseList`);
  const releaseRef = requiredText(release, 'ReleaseReference', releasePath);
  // An xs:ID: a TrackRelease under the same reference would have its deals read as the release's.
  if (children(releases, 'TrackRelease').some((track) => text(track, 'ReleaseReference') === releaseRef)) {
    throw new ErnProblem(
      `${root}/ReleaseList/TrackRelease/ReleaseReference`,
      `is ${releaseRef}, the main Release's too: ERN gives each release its own, so whose deals are whose is not known`,
    );
  }
  const ids = required(release, 'ReleaseId', releasePath);
  const icpn = text(ids, 'ICPN');
  const releaseId = icpn ?? text(ids, 'GRid') ?? text(ids, 'ProprietaryId') ?? text(ids, 'CatalogNumber');
  if (!releaseId) {
    throw new ErnProblem(`${releasePath}/ReleaseId`, 'holds no ICPN, GRid, ProprietaryId or CatalogNumber');
  }

  const dealList = child(message, 'DealList');
  if (!dealList)
    throw new ErnProblem(`${root}/DealList`, 'is missing: Backline needs the deals for the street dates');
  const { byTerritory: terms, worldwideExclusions } = dealTerms(dealList, releaseRef, createdAt, root);
  if (terms.size === 0) {
    throw new ErnProblem(`${root}/DealList/ReleaseDeal`, `has no deal for the release ${releaseRef}`);
  }
  const excludedTerritories = excludedFromWorldwide(terms, worldwideExclusions);
  // A territory neither withdrawn nor with a running commercial deal has only pre-order deals, which give
  // no street date: neither left out (withdrawn) nor listed, it is refused.
  const preOrderOnly = [...terms].find(([, known]) => !ended(known) && !known.live)?.[0];
  if (preOrderOnly) {
    throw new ErnProblem(
      `${root}/DealList/ReleaseDeal`,
      `has only pre-order deals in ${preOrderOnly}: Backline needs a street date`,
    );
  }
  const territoryDates = territoryDatesOf(terms, previewStarts(dealList, release, root));
  if (territoryDates.length === 0) return { messageId, createdAt, releaseId };

  const type = text(release, 'ReleaseType');
  const kind = kinds[type ?? ''];
  if (!kind) {
    throw new ErnProblem(
      `${releasePath}/ReleaseType`,
      `is "${type ?? ''}": Backline announces Single, EP and Album`,
    );
  }
  const title = preferred(release, 'DisplayTitleText');
  if (!title)
    throw new ErnProblem(`${releasePath}/DisplayTitleText`, 'is missing or empty: Backline needs it');

  const parties = new Map(
    children(child(message, 'PartyList'), 'Party').flatMap((party) => {
      const reference = text(party, 'PartyReference');
      const name = text(preferredOf(party, 'PartyName'), 'FullName');
      return reference && name ? [[reference, name] as const] : [];
    }),
  );
  const recordings = new Map(
    children(child(message, 'ResourceList'), 'SoundRecording').map((recording) => [
      text(recording, 'ResourceReference') ?? '',
      recording,
    ]),
  );
  const tracks = trackReferences(child(release, 'ResourceGroup')).flatMap((reference) => {
    const recording = recordings.get(reference);
    if (!recording) return [];
    const trackTitle = preferred(recording, 'DisplayTitleText');
    if (!trackTitle) {
      throw new ErnProblem(
        `${root}/ResourceList/SoundRecording/DisplayTitleText`,
        `is missing for ${reference}`,
      );
    }
    const isrc = children(recording, 'SoundRecordingEdition')
      .flatMap((edition) => children(edition, 'ResourceId'))
      .flatMap((id) => texts(id, 'ISRC'))[0];
    // Given, it is read or refused: a Duration that is no xs:duration is never dropped unsaid.
    const duration = child(recording, 'Duration');
    const seconds = duration && durationSeconds(textOf(duration));
    if (duration && seconds === undefined) {
      throw new ErnProblem(
        `${root}/ResourceList/SoundRecording/Duration`,
        `is not an ISO 8601 duration (an xs:duration such as PT3M45S) for ${reference}`,
      );
    }
    return [
      {
        title: trackTitle,
        ...(isrc ? { isrc } : {}),
        ...(seconds !== undefined ? { durationSeconds: seconds } : {}),
      },
    ];
  });
  if (tracks.length === 0) {
    throw new ErnProblem(
      `${releasePath}/ResourceGroup/ResourceGroupContentItem/ReleaseResourceReference`,
      'refers to no SoundRecording in the ResourceList: Backline needs the tracks',
    );
  }

  // The other version's element, read as missing, would lose the genres unsaid: refused, naming it.
  const otherGenre = version.genre === 'Genre' ? 'DisplayGenre' : 'Genre';
  if (child(release, otherGenre)) {
    throw new ErnProblem(
      `${releasePath}/${otherGenre}`,
      `is not an ERN ${version.name} element: ERN ${version.name} gives a release's genres in ${version.genre}`,
    );
  }
  const [first, ...later] = territoryDates;
  const { artists, artistsFrom } = artistsOf(release, parties, releasePath);
  return {
    messageId,
    createdAt,
    releaseId,
    ...(artistsFrom ? { artistsFrom } : {}),
    ...(version.genre === 'DisplayGenre' ? { genresFrom: version.genre } : {}),
    details: {
      releaseId,
      title,
      artists,
      kind,
      releaseDate: first!.releaseDate,
      releaseTime: first!.releaseTime ?? '00:00',
      timeZone: first!.timeZone ?? 'UTC',
      territories: territoryDates.flatMap((entry) => entry.territories),
      ...(excludedTerritories.length > 0 ? { excludedTerritories } : {}),
      genres: [...new Set(children(release, version.genre).flatMap((genre) => texts(genre, 'GenreText')))],
      ...(icpn ? { upc: icpn } : {}),
      tracks,
      ...(later.length > 0 || first!.preOrderDate || first!.previewAt ? { territoryDates } : {}),
    },
  };
}

const problem = (path: string, message: string): ParsedErn => ({
  ok: false,
  error: new ValidationError([{ path, message } satisfies Issue]),
});

/**
 * Reads an ERN 4.3, 4.3.1 or 4.3.2 NewReleaseMessage from its raw bytes: UTF-8, well-formed XML without a DOCTYPE
 * (no entity can be declared, so none is expanded or fetched), then the elements Backline needs.
 * Never throws for anything a client sends: every failure names the element path and what is wrong.
 */
export function parseErn(raw: Buffer | string): ParsedErn {
  let xml: string;
  try {
    // A UTF-8 byte order mark is an encoding's signature, not the body's text (XML 1.0, section 4.3.3): the
    // decoder drops it from bytes, and a body recorded as a string (a Buffer's toString keeps it) loses it
    // here, so the publisher and a replay read the declaration after it at the start, as intake did.
    xml = typeof raw === 'string' ? raw.replace(/^\uFEFF/, '') : strictUtf8(raw);
  } catch {
    return problem('', 'body is not valid UTF-8 (ERN messages must be sent as UTF-8)');
  }
  // A CDATA section is its text taken literally: written out as escaped text, so that the one
  // decoding of XML's escapes (decodeXmlEscapes) gives it back as it was, `&amp;` included. A processing
  // instruction (but an XML declaration, `<?xml ...?>`, whose place is checked below and which the
  // validator reads) is taken out, as the parser passes over a comment: no text, and the text either side
  // one text, its spaces kept (fast-xml-parser trims the text before an instruction and after it each on
  // its own: `Blue <?pi?> Moon` was `BlueMoon`).
  // Comments and processing instructions are matched in the same pass, so what would open a section
  // inside one is their text, as a comment's opening inside a section is the section's. An instruction
  // named xml in any case is refused, but the declaration at the body's start (XML 1.0, sections 2.6
  // and 2.8): fast-xml-parser's validator takes one inside or after the root element.
  const source = xml;
  let refused: { at: number; problem: string } | undefined;
  xml = xml.replace(
    /<!--[\s\S]*?-->|<\?([\s\S]*?)\?>|<!\[CDATA\[([\s\S]*?)\]\]>/g,
    (markup, instruction: string | undefined, text: string | undefined, at: number) => {
      if (text !== undefined)
        return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
      if (instruction === undefined) return markup;
      const target = /^xml(?:\s|$)/i.exec(instruction);
      if (!target) return '';
      if (!target[0].startsWith('xml'))
        refused ??= { at, problem: 'no processing instruction may be named XML, in any case' };
      else if (at > 0)
        refused ??= { at, problem: 'an XML declaration is allowed only at the start of the body' };
      return markup;
    },
  );
  if (refused) {
    const line = source.slice(0, refused.at).split('\n').length;
    return problem('', `body is not well-formed XML (line ${line}: ${refused.problem})`);
  }
  // Looked for in what is parsed, so a DOCTYPE a CDATA section quotes (now text) is read as text, and
  // every other one is refused, wherever it is.
  if (/<!DOCTYPE/i.test(xml))
    return problem('', 'body declares a DOCTYPE: ERN messages need none, and none is read');
  const unread = unreadReference(xml);
  if (unread) {
    return problem(
      '',
      // A character XML has not (`&#0;`) cannot be written itself either.
      `body is not well-formed XML (${unread} ${unread[1] === '#' ? 'names no character XML allows' : 'is no XML escape: write the character itself'})`,
    );
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return problem('', `body is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  }
  try {
    return { ok: true, release: readMessage(parser.parse(xml) as Node) };
  } catch (error) {
    if (error instanceof ErnProblem) return problem(error.path, error.message);
    return problem('', `body could not be read as XML (${(error as Error).message})`);
  }
}
