/**
 * Whole calendar days, and the date in a zone at an instant, without Temporal (see
 * docs/design.md#bundles): a day counted in UTC has 24 hours, and the platform's `Intl.DateTimeFormat`
 * names the date in a zone from the same ICU zone data temporal-polyfill reads. Written here rather than
 * through temporal-polyfill because the budgets function needs nothing else of it, and so bundles none
 * of its 21 KB; a property test holds each to Temporal. Wall times and offsets are `shared/calendar.ts`'s.
 */

const dayMs = 86_400_000;

/** The first millisecond of an ISO calendar date (`YYYY-MM-DD`), in UTC; a RangeError if there is no such date. */
function startOf(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  // Date.parse takes 2027-02-30 as 2 March: a date that does not give itself back does not exist.
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(ms) ||
    new Date(ms).toISOString().slice(0, 10) !== date
  )
    throw new RangeError(`${date} is not a calendar date`);
  return ms;
}

export const addDays = (date: string, days: number): string =>
  new Date(startOf(date) + days * dayMs).toISOString().slice(0, 10);

/** Days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => (startOf(to) - startOf(from)) / dayMs;

/** One formatter per zone: building one reads the zone's rules. */
const formats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date in `timeZone` at `instant`. */
export function dateIn(instant: string | Date, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(typeof instant === 'string' ? new Date(instant) : instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  return `${part('year')?.padStart(4, '0')}-${part('month')}-${part('day')}`;
}
