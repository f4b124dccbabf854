import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { offsetChanges, wallTimeAt, wallTimeIn } from '#shared/calendar.ts';
import { wallTimeOccurs } from '#shared/country-zones.ts';

/**
 * shared/calendar.ts states wall times in Temporal's basic form, not through its `toString` with a
 * `smallestUnit`, and builds an instant in a zone from its nanoseconds, not through an `Instant`
 * (docs/design.md#bundles); these hold it to what Temporal's own classes answer, over every zone Node
 * knows, instants from 1900 to 2100 (milliseconds included) and wall times from 1970 to 2100.
 */
const zones = Intl.supportedValuesOf('timeZone');
const toTheSecond = { smallestUnit: 'second' } as const;

describe('wall times in a zone', () => {
  it('states the wall time at an instant to the second, as Temporal does', () => {
    const instant = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (ms, zone) => {
        const temporal = Temporal.Instant.fromEpochMilliseconds(ms)
          .toZonedDateTimeISO(zone)
          .toPlainDateTime()
          .toString(toTheSecond);

        expect(wallTimeAt(ms, zone)).toBe(temporal);
      }),
      { numRuns: 2_000 },
    );
  });

  it('takes a wall time on a date to its instant and states it as read there, as Temporal does', () => {
    const date = fc
      .integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) })
      .map((ms) => new Date(ms).toISOString().slice(0, 10));
    const time = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([hour, minute]) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
    fc.assert(
      fc.property(date, time, fc.constantFrom(...zones), (day, at, zone) => {
        const zoned = Temporal.PlainDateTime.from(`${day}T${at}`).toZonedDateTime(zone, {
          disambiguation: 'compatible',
        });

        expect(wallTimeIn(day, at, zone)).toEqual({
          epochMs: zoned.epochMilliseconds,
          wallTime: zoned.toPlainDateTime().toString(toTheSecond),
        });
      }),
      { numRuns: 2_000 },
    );
  });

  it("finds a zone's offset and its changes over a span as Temporal does", () => {
    const from = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) });
    const span = fc.integer({ min: 0, max: 3 * 366 * 24 * 3_600_000 });
    fc.assert(
      fc.property(from, span, fc.constantFrom(...zones), (fromMs, spanMs, zone) => {
        const zoned = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
        const seconds = (at: Temporal.ZonedDateTime) => Math.round(at.offsetNanoseconds / 1e9);
        const change = (at: Temporal.ZonedDateTime) => ({
          epochMs: at.epochMilliseconds,
          fromSeconds: seconds(zoned(at.epochMilliseconds - 1)),
          toSeconds: seconds(at),
        });
        const inForce = zoned(fromMs + 1).getTimeZoneTransition('previous');
        const changes = [];
        let next = zoned(fromMs).getTimeZoneTransition('next');
        for (; next; next = next.getTimeZoneTransition('next')) {
          if (next.epochMilliseconds > fromMs + spanMs) break;
          changes.push(change(next));
        }

        expect(offsetChanges(zone, fromMs, fromMs + spanMs)).toEqual({
          offsetSeconds: seconds(zoned(fromMs)),
          inForce: inForce ? change(inForce) : undefined,
          changes,
          changesAfter: next !== null,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('states the second a time falls in on each side of a DST change', () => {
    // London's clocks went forward at 01:00 UTC on 28 March 2027: 00:59:59.999 UTC is 00:59:59 there.
    expect(wallTimeAt(Date.UTC(2027, 2, 28, 0, 59, 59, 999), 'Europe/London')).toBe('2027-03-28T00:59:59');
    expect(wallTimeAt(Date.UTC(2027, 2, 28, 1, 0, 0, 1), 'Europe/London')).toBe('2027-03-28T02:00:00');
    // Before 1970, the second an instant falls in is the one before it on the clock.
    expect(wallTimeAt(-1_500, 'UTC')).toBe('1969-12-31T23:59:58');
    // 01:30 on that day does not exist in London: it is read as 02:30, an hour on.
    expect(wallTimeIn('2027-03-28', '01:30', 'Europe/London')).toEqual({
      epochMs: Date.UTC(2027, 2, 28, 1, 30),
      wallTime: '2027-03-28T02:30:00',
    });
  });

  it('finds a wall time near a change of offset skipped exactly where Temporal has none, with Intl alone', () => {
    const from = fc.integer({ min: Date.UTC(1980, 0, 1), max: Date.UTC(2100, 0, 1) });
    const minutes = fc.integer({ min: -180, max: 180 });
    fc.assert(
      fc.property(from, minutes, fc.constantFrom(...zones), (fromMs, minutesAway, zone) => {
        const change = Temporal.Instant.fromEpochMilliseconds(fromMs)
          .toZonedDateTimeISO(zone)
          .getTimeZoneTransition('next');
        if (!change) return;
        // The wall time `minutesAway` from the change as the offset before it reads it: inside a gap near 0.
        const before = change.subtract({ milliseconds: 1 }).toPlainDateTime();
        const wall = before
          .add({ minutes: minutesAway })
          .round({ smallestUnit: 'minute', roundingMode: 'floor' });
        const [date, time] = wall.toString().split('T');
        // Temporal moves a skipped wall time off itself, and takes a repeated one as it is.
        const exists = wall
          .toZonedDateTime(zone, { disambiguation: 'earlier' })
          .toPlainDateTime()
          .equals(wall);

        expect(wallTimeOccurs(date, time.slice(0, 5), zone)).toBe(exists);
      }),
      { numRuns: 2_000 },
    );
  });
});
