import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { addDays, dateIn, daysBetween } from '#shared/days.ts';

/**
 * shared/days.ts counts whole days and names the date in a zone without Temporal (docs/design.md#bundles);
 * these hold it to what Temporal answers, over every zone Node knows, instants from 1970 to 2100 and
 * dates from 1900 to 2200.
 */
const zones = Intl.supportedValuesOf('timeZone');
const instant = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });
const date = fc
  .integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) })
  .map((ms) => new Date(ms).toISOString().slice(0, 10));

describe('whole days and the date in a zone', () => {
  it('names the date in a zone at an instant as Temporal does', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (ms, zone) => {
        const temporal = Temporal.Instant.fromEpochMilliseconds(ms)
          .toZonedDateTimeISO(zone)
          .toPlainDate()
          .toString();
        expect(dateIn(new Date(ms), zone)).toBe(temporal);
        expect(dateIn(new Date(ms).toISOString(), zone)).toBe(temporal);
      }),
      { numRuns: 2_000 },
    );
  });

  it('names the date on each side of a zone’s midnight and across its DST changes', () => {
    // Samoa skipped 30 December 2011; Lord Howe at +11 before its change; London and New York at their changes.
    expect(dateIn('2011-12-30T10:00:00Z', 'Pacific/Apia')).toBe('2011-12-31');
    expect(dateIn('2011-12-30T09:59:59Z', 'Pacific/Apia')).toBe('2011-12-29');
    expect(dateIn('2027-03-28T00:59:59Z', 'Europe/London')).toBe('2027-03-28');
    expect(dateIn('2027-03-27T23:59:59Z', 'Europe/London')).toBe('2027-03-27');
    expect(dateIn('2027-11-07T04:30:00Z', 'America/New_York')).toBe('2027-11-07');
    expect(dateIn('2027-04-03T12:59:59Z', 'Australia/Lord_Howe')).toBe('2027-04-03');
    expect(dateIn('2027-04-03T13:00:00Z', 'Australia/Lord_Howe')).toBe('2027-04-04');
  });

  it('adds days and counts the days between two dates as Temporal does', () => {
    fc.assert(
      fc.property(date, date, fc.integer({ min: -40_000, max: 40_000 }), (from, to, days) => {
        expect(addDays(from, days)).toBe(Temporal.PlainDate.from(from).add({ days }).toString());
        expect(daysBetween(from, to)).toBe(Temporal.PlainDate.from(from).until(to).days);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses a date that does not exist, as Temporal does', () => {
    for (const bad of [
      '2027-02-29',
      '2027-02-30',
      '2027-13-01',
      '2027-00-10',
      '27-03-01',
      '2027-3-1',
      'soon',
    ])
      expect(() => addDays(bad, 1), bad).toThrow(RangeError);
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(() => dateIn('2027-03-01T00:00:00Z', 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
