/**
 * Media outlets: who hears about releases. Shared by the management API (the directory), the
 * announcer (who matches a release), recipients (unsubscribe) and deliverability (suppression).
 * What a manager sends to create or replace one is validated in outlet-input.ts: the functions that
 * only match, mail or look up outlets build none of its schemas.
 */

export const outletKinds = ['radio', 'press', 'blog', 'playlist', 'tv', 'podcast'] as const;
export type OutletKind = (typeof outletKinds)[number];

export const normaliseEmail = (address: string): string => address.trim().toLowerCase();

/**
 * A genre as outlets and releases are matched on it: in NFC (an é typed as one character or as e and
 * U+0301 is one genre), trimmed, lower-case (`outletMatchesRelease`), and as an outlet's item keeps it
 * for listings by genre (`genreKeys`, shared/db/outlet-items.ts).
 */
export const genreKey = (genre: string): string => genre.normalize('NFC').trim().toLowerCase();

export interface Outlet {
  id: string;
  name: string;
  email: string;
  kind: OutletKind;
  genres: string[];
  territories: string[];
  contactName?: string;
  formats?: string[];
  unsubscribedAt?: string;
  suppressedAt?: string;
  suppressionReason?: 'bounce' | 'complaint';
  createdAt: string;
  updatedAt: string;
}

export interface ReleaseAudience {
  genres: readonly string[];
  territories: readonly string[];
  /** The countries a release listing `WW` leaves out (docs/design.md#street-dates-per-territory). */
  excludedTerritories?: readonly string[];
}

const worldwide = 'WW';

/**
 * Whether a release should go to an outlet: an outlet with no genres matches every genre, otherwise
 * it must share one (case-insensitive); the territories must intersect, and "WW" on either side
 * matches all. Suppression and unsubscription are a separate question (`isMailable`).
 */
export function outletMatchesRelease(outlet: ReleaseAudience, release: ReleaseAudience): boolean {
  return (
    genresMatch(outlet.genres, release.genres) &&
    territoriesMatch(outlet.territories, release.territories, release.excludedTerritories)
  );
}

/** Whether an outlet's genres reach a release's: it has none (every genre), or shares one (`genreKey`). */
export function genresMatch(outletGenres: readonly string[], releaseGenres: readonly string[]): boolean {
  if (outletGenres.length === 0) return true;
  const wanted = new Set(releaseGenres.map(genreKey));
  return outletGenres.some((genre) => wanted.has(genreKey(genre)));
}

/**
 * Whether an outlet's territories and a release's (or some of its territories) meet; `WW` meets every
 * one, but for the countries `excluded` from a release's `WW` ("worldwide except DE": an outlet in DE
 * alone is not reached, one in DE and FR, or covering WW, is).
 */
export function territoriesMatch(
  outletTerritories: readonly string[],
  releaseTerritories: readonly string[],
  excluded: readonly string[] = [],
): boolean {
  const outlet = outletTerritories.map((code) => code.toUpperCase());
  const release = releaseTerritories.map((code) => code.toUpperCase());
  if (outlet.length === 0 || release.length === 0) return false;
  if (outlet.includes(worldwide)) return true;
  const covered = new Set(release);
  if (covered.has(worldwide)) {
    const left = new Set(excluded.map((code) => code.toUpperCase()));
    return outlet.some((code) => covered.has(code) || !left.has(code));
  }
  return outlet.some((code) => covered.has(code));
}

/** Whether two descriptions of an outlet say the same (the manager's fields: a replace with them changes nothing). */
export const sameDescription = (a: Outlet, b: Outlet): boolean => {
  const described = ({ name, email, kind, genres, territories, contactName, formats }: Outlet) =>
    JSON.stringify([name, email, kind, genres, territories, contactName ?? '', formats ?? []]);
  return described(a) === described(b);
};

/**
 * Whether an edit changes whom the outlet's releases reach: another address (another person), or what
 * it matches (kind, genres as matched, territories, formats). Such an edit, like a new outlet, may make
 * it due the first mail of a release announced before (see docs/design.md#exactly-once-mail); a new
 * name or contact does not.
 */
export const reachChanged = (before: Outlet, after: Outlet): boolean => {
  const reach = ({ email, kind, genres, territories, formats }: Outlet) =>
    JSON.stringify([
      normaliseEmail(email),
      kind,
      [...new Set(genres.map(genreKey))].sort(),
      [...new Set(territories.map((t) => t.toUpperCase()))].sort(),
      [...new Set((formats ?? []).map((f) => f.trim().toLowerCase()))].sort(),
    ]);
  return reach(before) !== reach(after);
};

/** A line of an import: its job and its line number in the file. */
export interface ImportLine {
  jobId: string;
  line: number;
}

/**
 * How an outlet records the import line that last wrote it (docs/design.md#jobs): `importedBy`,
 * `<jobId>#<line>`, and beside it the line alone (`importedLine`, a number) for the write's condition
 * that a line never overwrites what a later line of its job wrote (`writtenByLaterLine`).
 */
export const importedByLine = ({ jobId, line }: ImportLine): string => `${jobId}#${line}`;

/** Whether the import line that last wrote an outlet, as stored, is one of job `jobId`'s. */
const importedByJob = (stored: { importedBy?: string }, jobId: string): boolean =>
  stored.importedBy?.startsWith(`${jobId}#`) === true;

/**
 * Whether `importedBy` names the line `importedLine` holds (both written by one write of job `jobId`'s):
 * a writer from before `importedLine` was recorded sets `importedBy` alone, over no `importedLine` or over
 * one an earlier write left.
 */
const namesImportedLine = (stored: { importedBy?: string; importedLine?: number }, jobId: string): boolean =>
  stored.importedLine !== undefined &&
  stored.importedBy === importedByLine({ jobId, line: stored.importedLine });

/**
 * Whether an outlet, as stored, has `importedBy` of job `jobId` set over an `importedLine` it does not
 * name (`namesImportedLine`): the table's condition, which reads `importedLine`, would judge a line the
 * outlet no longer holds, so the write made on such a read also stands while the outlet keeps the mark
 * as read (docs/design.md#jobs).
 */
export const staleImportedLine = (
  stored: { importedBy?: string; importedLine?: number },
  jobId: string,
): boolean =>
  stored.importedLine !== undefined && importedByJob(stored, jobId) && !namesImportedLine(stored, jobId);

/**
 * Whether an outlet, as stored, was last written by a later line of `by`'s job: that line's write
 * stands, and `by` leaves the outlet as it is (docs/design.md#jobs). The table's write holds the same
 * rule in its condition (`begins_with(importedBy, '<jobId>#') AND importedLine > line`, refused), which
 * needs `importedLine`. `importedBy` names the line that wrote last; `importedLine` is taken only where
 * `importedBy` names that same line (`namesImportedLine`), and the line is read from `importedBy`
 * otherwise.
 */
export const writtenByLaterLine = (
  stored: { importedBy?: string; importedLine?: number },
  by: ImportLine,
): boolean => {
  if (!stored.importedBy || !importedByJob(stored, by.jobId)) return false;
  const line = namesImportedLine(stored, by.jobId)
    ? (stored.importedLine as number)
    : Number(stored.importedBy.slice(by.jobId.length + 1));
  return line > by.line;
};

/**
 * How an import counts its update of an outlet (`before` as read, `after` as it stands) and whether it
 * names it, as `reachChanged` decides for an API edit: an import names the outlets it created and
 * those (docs/design.md#jobs), so re-importing a directory to fix names asks no mail. An outlet found as
 * the row describes it counts as updated only when `byThisLine`: the import line that last wrote it
 * (`importedBy`) is this row's own, so an earlier attempt at the page wrote it; found as an earlier line
 * of the file left it (a repeated line, on this page or an earlier one) it is unchanged. One found
 * updated at the job's time `now` was written by this import and is named either way: what that write
 * changed is no longer known, and naming an outlet due nothing costs nothing.
 */
export function importedUpdate(
  before: Outlet,
  after: Outlet,
  now: string,
  byThisLine: boolean,
): { outcome: 'updated' | 'unchanged'; reachChanged: boolean } {
  const wrote = after.updatedAt === now && (before.updatedAt !== now || !sameDescription(before, after));
  if (wrote) return { outcome: 'updated', reachChanged: reachChanged(before, after) };
  return {
    outcome: byThisLine ? 'updated' : 'unchanged',
    reachChanged: before.updatedAt === now,
  };
}

/**
 * The manager's fields an outlet can do without (an import's header may leave their columns out):
 * `genres` (none: every genre), `contactName`, `formats` (radio only).
 */
export const optionalOutletFields = ['genres', 'contactName', 'formats'] as const;
export type OptionalOutletField = (typeof optionalOutletFields)[number];

/**
 * What an update that says nothing of the fields `leftOut` describes: `described`, with the outlet's own
 * values for those (an import whose header leaves a column out keeps what the outlet has; a column given
 * empty empties it, see docs/design.md#jobs). Kept formats go with an outlet that is no longer radio:
 * only radio outlets have them.
 */
export function keepingLeftOut<D extends Pick<Outlet, 'kind' | OptionalOutletField>>(
  described: D,
  current: Pick<Outlet, OptionalOutletField>,
  leftOut: readonly OptionalOutletField[],
): D {
  const next = { ...described };
  if (leftOut.includes('genres')) next.genres = current.genres;
  if (leftOut.includes('contactName')) {
    if (current.contactName) next.contactName = current.contactName;
    else delete next.contactName;
  }
  if (leftOut.includes('formats')) {
    if (current.formats?.length && next.kind === 'radio') next.formats = current.formats;
    else delete next.formats;
  }
  return next;
}

/** Unsubscribed and suppressed outlets get nothing. */
export const isMailable = (outlet: Pick<Outlet, 'unsubscribedAt' | 'suppressedAt'>): boolean =>
  !outlet.unsubscribedAt && !outlet.suppressedAt;
