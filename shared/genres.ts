/**
 * A genre as outlets and releases are matched on it: trimmed, lower-case (`outletMatchesRelease`), and
 * as an outlet's item keeps it for listings by genre (`genreKeys`, shared/db/outlet-items.ts).
 */
export const genreKey = (genre: string): string => genre.trim().toLowerCase();
