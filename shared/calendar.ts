import * as PlainDateTime from 'temporal-polyfill/fns/PlainDateTime';
import * as ZonedDateTime from 'temporal-polyfill/fns/ZonedDateTime';

/**
 * Calendar days and wall times in a zone, by Temporal's rules (no time zone arithmetic by hand, see
 * docs/design.md#the-local-clock). Through temporal-polyfill's function API, of which a bundle holds
 * only the functions used (see docs/design.md#bundles). Zone rules come from Node's own ICU data.
 * Whole days and the date in a zone are `shared/days.ts`'s, which needs no Temporal.
 */

/**
 * The wall time (`YYYY-MM-DDTHH:MM:SS`) of an instant of a whole second, as it is read in its zone:
 * Temporal's basic form, which states a fraction of a second only where there is one. Its `toString`
 * with a `smallestUnit` brought the rounding and the options it reads into every bundle that states a
 * wall time (1.3 KB, see docs/design.md#bundles).
 */
const wallTimeOf = (zoned: ZonedDateTime.Record): string =>
  PlainDateTime.toBasicString(ZonedDateTime.toPlainDateTime(zoned));

/** A date (`YYYY-MM-DD`) and a wall time (`HH:MM` or `HH:MM:SS`), read as Temporal's ISO fields. */
const wallFields = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A wall time (`HH:MM` or `HH:MM:SS`) on a date in a zone: the instant it falls on, and the wall time
 * as it is read there (`YYYY-MM-DDTHH:MM:SS`). Temporal's `compatible` reading is the rule: a time a
 * DST gap skips moves forward by the gap, a time an overlap repeats is the first of the two. The date
 * and time are read by their fields (`PlainDateTime.create`, a RangeError for one that does not
 * exist), not by Temporal's `fromString`: its ISO 8601 parser (offsets, bracketed zones and calendars,
 * fractions, six-digit years), which nothing here is given, was 0.4 KB of each bundle that reads a
 * zone (see docs/design.md#bundles).
 */
export function wallTimeIn(
  date: string,
  time: string,
  timeZone: string,
): { epochMs: number; wallTime: string } {
  const fields = wallFields.exec(`${date}T${time}`);
  if (!fields) throw new RangeError(`${date}T${time} is not a date and wall time`);
  const [year, month, day, hour, minute, second] = fields.slice(1).map((field = '0') => Number(field));
  const at = PlainDateTime.toZonedDateTime(
    PlainDateTime.create(year, month, day, hour, minute, second),
    timeZone,
    {
      disambiguation: 'compatible',
    },
  );
  return { epochMs: at.epochMilliseconds, wallTime: wallTimeOf(at) };
}

/**
 * An instant in a zone (ISO calendar), built from its nanoseconds since the epoch: through an `Instant`
 * (`fromEpochMilliseconds`, then `toZonedDateTimeISO`) it brought that type's code into every bundle
 * that reads a zone (0.8 KB, see docs/design.md#bundles).
 */
const zonedAt = (epochMs: number, timeZone: string) =>
  ZonedDateTime.create(BigInt(epochMs) * 1_000_000n, timeZone);

/** The wall time (`YYYY-MM-DDTHH:MM:SS`) in `timeZone` at an instant, of the second it falls in. */
export const wallTimeAt = (epochMs: number, timeZone: string): string =>
  wallTimeOf(zonedAt(Math.floor(epochMs / 1000) * 1000, timeZone));

/** A change of a zone's UTC offset: at `epochMs`, from `fromSeconds` to `toSeconds` east of UTC. */
export interface OffsetChange {
  epochMs: number;
  fromSeconds: number;
  toSeconds: number;
}

const offsetSeconds = (zoned: ReturnType<typeof zonedAt>) =>
  Math.round(ZonedDateTime.offsetNanoseconds(zoned) / 1e9);

/**
 * The offsets a zone has from `fromMs` to `toMs`, by its rules in Node's ICU data: the offset in
 * force at `fromMs` and the change that set it (none if the zone never changed), then each change up
 * to `toMs`, and whether the zone changes again after them (`changesAfter`; not when it keeps its
 * last offset all year from then on, as Istanbul has since 2016).
 */
export function offsetChanges(
  timeZone: string,
  fromMs: number,
  toMs: number,
): {
  offsetSeconds: number;
  inForce: OffsetChange | undefined;
  changes: OffsetChange[];
  changesAfter: boolean;
} {
  const changeAt = (zoned: ReturnType<typeof zonedAt>): OffsetChange => ({
    epochMs: zoned.epochMilliseconds,
    fromSeconds: offsetSeconds(zonedAt(zoned.epochMilliseconds - 1, timeZone)),
    toSeconds: offsetSeconds(zoned),
  });
  const start = zonedAt(fromMs, timeZone);
  // `previous` is strictly earlier: from a millisecond on, a change exactly at `fromMs` is the one in force.
  const inForce = ZonedDateTime.getTimeZoneTransition(zonedAt(fromMs + 1, timeZone), 'previous');
  const changes: OffsetChange[] = [];
  let next = ZonedDateTime.getTimeZoneTransition(start, 'next');
  for (; next && next.epochMilliseconds <= toMs; next = ZonedDateTime.getTimeZoneTransition(next, 'next'))
    changes.push(changeAt(next));
  return {
    offsetSeconds: offsetSeconds(start),
    inForce: inForce ? changeAt(inForce) : undefined,
    changes,
    changesAfter: next !== null,
  };
}
