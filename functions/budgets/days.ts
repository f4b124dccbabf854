import { Temporal } from 'temporal-polyfill';

/** Calendar days, as plain dates (no time zone arithmetic by hand, see docs/design.md#the-local-clock). */

/** The manager's calendar date at `instant`. */
export const dateIn = (instant: string | Date, timeZone: string): string =>
  Temporal.Instant.from(typeof instant === 'string' ? instant : instant.toISOString())
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
    .toString();

export const addDays = (date: string, days: number): string =>
  Temporal.PlainDate.from(date).add({ days }).toString();

/** Days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: 'days' }).days;
