import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  atInstant,
  parseScheduleExpression,
  type Recurrence,
  ScheduleExpressionError,
  wallTimeAt,
} from '#infra/local/scheduler/expressions.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function cron(fields: string, timeZone = 'UTC'): Recurrence {
  const parsed = parseScheduleExpression(`cron(${fields})`, timeZone);
  if (parsed.kind !== 'cron') throw new Error('expected a cron expression');
  return parsed.recurrence;
}

function nextN(recurrence: Recurrence, from: string, n: number): (string | undefined)[] {
  const found: (string | undefined)[] = [];
  let after = at(from);
  for (let i = 0; i < n; i++) {
    const next = recurrence.nextAfter(after);
    found.push(iso(next));
    if (next === undefined) break;
    after = next;
  }
  return found;
}

describe('at()', () => {
  it('reads the time as wall time in the schedule time zone', () => {
    const parsed = parseScheduleExpression('at(2027-06-01T09:00:00)', 'Europe/London');

    expect(parsed).toEqual({ kind: 'at', at: at('2027-06-01T08:00:00Z') });
  });

  it('defaults to UTC', () => {
    const parsed = parseScheduleExpression('at(2027-01-15T09:00:00)');

    expect(parsed).toEqual({ kind: 'at', at: at('2027-01-15T09:00:00Z') });
  });

  it('uses the offset in force on the day, on both sides of a DST change', () => {
    const winter = parseScheduleExpression('at(2027-03-27T09:00:00)', 'Europe/London');
    const summer = parseScheduleExpression('at(2027-03-28T09:00:00)', 'Europe/London');
    const newYork = parseScheduleExpression('at(2027-11-07T09:00:00)', 'America/New_York');

    expect(winter).toEqual({ kind: 'at', at: at('2027-03-27T09:00:00Z') });
    expect(summer).toEqual({ kind: 'at', at: at('2027-03-28T08:00:00Z') });
    expect(newYork).toEqual({ kind: 'at', at: at('2027-11-07T14:00:00Z') });
  });

  it('has no instant for a time skipped by spring-forward, and takes the first of a repeated time', () => {
    const skipped = parseScheduleExpression('at(2027-03-28T01:30:00)', 'Europe/London');
    const repeated = parseScheduleExpression('at(2027-10-31T01:30:00)', 'Europe/London');

    expect(skipped).toEqual({ kind: 'at', at: undefined });
    expect(repeated).toEqual({ kind: 'at', at: at('2027-10-31T00:30:00Z') });
  });

  it.each([
    'at(2027-02-30T09:00:00)',
    'at(2027-13-01T09:00:00)',
    'at(2027-01-01T24:00:00)',
    'at(2027-01-01 09:00:00)',
    'at(2027-01-01T09:00)',
  ])('rejects %s', (expression) => {
    expect(() => parseScheduleExpression(expression, 'UTC')).toThrow(ScheduleExpressionError);
  });
});

describe('rate()', () => {
  it('fires from its anchor every period, a day being 24 hours', () => {
    const parsed = parseScheduleExpression('rate(1 day)', 'Europe/London');
    if (parsed.kind !== 'rate') throw new Error('expected rate');

    const recurrence = parsed.recurrence(at('2027-03-27T09:00:00Z'));

    expect(iso(recurrence.nextAfter(at('2027-03-27T08:00:00Z')))).toBe('2027-03-27T09:00:00.000Z');
    expect(iso(recurrence.nextAfter(at('2027-03-27T09:00:00Z')))).toBe('2027-03-28T09:00:00.000Z');
    expect(iso(recurrence.latestBetween(0, at('2027-03-30T12:00:00Z')))).toBe('2027-03-30T09:00:00.000Z');
  });

  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(3 days)', 259_200_000],
  ])('%s has a period of %d ms', (expression, periodMs) => {
    expect(parseScheduleExpression(expression)).toMatchObject({ kind: 'rate', periodMs });
  });

  it.each(['rate(0 minutes)', 'rate(-1 minutes)', 'rate(1 second)', 'rate(1.5 hours)', 'rate(minutes)'])(
    'rejects %s',
    (expression) => {
      expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
    },
  );
});

describe('cron()', () => {
  it('fires daily at a wall time in its time zone across the spring-forward change (Europe/London 2027-03-28)', () => {
    const daily = cron('0 9 * * ? *', 'Europe/London');

    const times = nextN(daily, '2027-03-26T12:00:00Z', 3);

    expect(times).toEqual([
      '2027-03-27T09:00:00.000Z',
      '2027-03-28T08:00:00.000Z',
      '2027-03-29T08:00:00.000Z',
    ]);
  });

  it('skips a time that the spring-forward change does not have', () => {
    const halfPastOne = cron('30 1 * * ? *', 'Europe/London');

    const times = nextN(halfPastOne, '2027-03-27T00:00:00Z', 2);

    expect(times).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-29T00:30:00.000Z']);
  });

  it('fires once at a time that the fall-back change repeats', () => {
    const halfPastOne = cron('30 1 * * ? *', 'Europe/London');

    const times = nextN(halfPastOne, '2027-10-30T12:00:00Z', 2);

    expect(times).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
  });

  it('numbers the week from Sunday = 1 and takes day names', () => {
    const weekdays = cron('0 18 ? * MON-FRI *');
    const sundays = cron('0 8 ? * 1 *');

    expect(nextN(weekdays, '2027-01-01T19:00:00Z', 2)).toEqual([
      '2027-01-04T18:00:00.000Z',
      '2027-01-05T18:00:00.000Z',
    ]);
    expect(nextN(sundays, '2027-01-01T00:00:00Z', 1)).toEqual(['2027-01-03T08:00:00.000Z']);
  });

  it('knows L, W, LW, nL and # ', () => {
    expect(nextN(cron('0 0 L * ? *'), '2027-02-01T00:00:00Z', 2)).toEqual([
      '2027-02-28T00:00:00.000Z',
      '2027-03-31T00:00:00.000Z',
    ]);
    // 2027-05-15 is a Saturday: the nearest weekday is Friday the 14th.
    expect(nextN(cron('0 0 15W * ? *'), '2027-05-01T00:00:00Z', 1)).toEqual(['2027-05-14T00:00:00.000Z']);
    // 2027-01-01 is a Friday; 1W on a Saturday moves forward to Monday the 3rd (2028-01-01 is a Saturday).
    expect(nextN(cron('0 0 1W * ? *'), '2027-12-15T00:00:00Z', 1)).toEqual(['2028-01-03T00:00:00.000Z']);
    // 2027-07-31 is a Saturday.
    expect(nextN(cron('0 0 LW * ? *'), '2027-07-01T00:00:00Z', 1)).toEqual(['2027-07-30T00:00:00.000Z']);
    expect(nextN(cron('0 0 ? * 6L *'), '2027-01-01T00:00:00Z', 1)).toEqual(['2027-01-29T00:00:00.000Z']);
    expect(nextN(cron('0 0 ? * 3#2 *'), '2027-01-01T00:00:00Z', 1)).toEqual(['2027-01-12T00:00:00.000Z']);
    expect(nextN(cron('0 0 ? * L *'), '2027-01-01T00:00:00Z', 1)).toEqual(['2027-01-02T00:00:00.000Z']);
  });

  it('honours steps, lists and the year field, and ends after the last year', () => {
    const quarterHours = cron('0/15 10-11 1,15 JAN,JUL ? 2027');

    expect(nextN(quarterHours, '2027-01-01T11:40:00Z', 3)).toEqual([
      '2027-01-01T11:45:00.000Z',
      '2027-01-15T10:00:00.000Z',
      '2027-01-15T10:15:00.000Z',
    ]);
    expect(quarterHours.nextAfter(at('2027-07-15T11:45:00Z'))).toBeUndefined();
  });

  it('finds the latest occurrence within a window', () => {
    const hourly = cron('0 * * * ? *', 'Asia/Kolkata');

    const latest = hourly.latestBetween(at('2027-01-01T00:00:00Z'), at('2027-01-01T10:10:00Z'));
    const none = hourly.latestBetween(at('2027-01-01T10:31:00Z'), at('2027-01-01T11:29:00Z'));

    expect(iso(latest)).toBe('2027-01-01T09:30:00.000Z');
    expect(none).toBeUndefined();
  });

  it.each([
    ['0 9 * * * *', 'one of day-of-month and day-of-week must be ?'],
    ['0 9 ? * ? *', 'one of day-of-month and day-of-week must be ?'],
    ['0 9 * * ?', 'six fields'],
    ['60 9 * * ? *', 'minutes value 60'],
    ['0 24 * * ? *', 'hours value 24'],
    ['0 9 ? * 0 *', 'day-of-week value 0'],
    ['0 9 ? * MON-SUN *', 'runs backwards'],
    ['0 9 * * ? 1969', 'year value 1969'],
    ['0 9 */0 * ? *', 'step'],
    ['0 9 * FOO ? *', "'FOO'"],
  ])('rejects cron(%s) saying what is wrong', (fields, why) => {
    expect(() => cron(fields)).toThrow(why);
  });

  it('rejects an unknown time zone naming ScheduleExpressionTimezone', () => {
    expect(() => parseScheduleExpression('cron(0 9 * * ? *)', 'Europe/Atlantis')).toThrow(
      /ScheduleExpressionTimezone/,
    );
  });
});

describe('cron() properties', () => {
  const zones = [
    'UTC',
    'Europe/London',
    'America/New_York',
    'Asia/Kolkata',
    'Australia/Lord_Howe',
    'Asia/Tokyo',
  ];
  const subset = (min: number, max: number) =>
    fc
      .uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 })
      .map((values) => values.sort((a, b) => a - b));
  const cronCase = fc.record({
    minutes: subset(0, 59),
    hours: subset(0, 23),
    days: fc.oneof(fc.constant<number[] | undefined>(undefined), subset(1, 28)),
    weekdays: subset(1, 7),
    zone: fc.constantFrom(...zones),
    after: fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z') }),
  });
  const fieldsOf = (c: { minutes: number[]; hours: number[]; days?: number[]; weekdays: number[] }) =>
    c.days
      ? `${c.minutes.join(',')} ${c.hours.join(',')} ${c.days.join(',')} * ? *`
      : `${c.minutes.join(',')} ${c.hours.join(',')} ? * ${c.weekdays.join(',')} *`;

  it('gives a next occurrence after now whose wall time in the zone matches every field', () => {
    fc.assert(
      fc.property(cronCase, (c) => {
        const next = cron(fieldsOf(c), c.zone).nextAfter(c.after);

        expect(next).toBeGreaterThan(c.after);
        const wall = new Date(wallTimeAt(c.zone, next!));
        expect(c.minutes).toContain(wall.getUTCMinutes());
        expect(c.hours).toContain(wall.getUTCHours());
        if (c.days) expect(c.days).toContain(wall.getUTCDate());
        else expect(c.weekdays).toContain(wall.getUTCDay() + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves no occurrence between now and the next one, and finds the next one as the latest', () => {
    fc.assert(
      fc.property(cronCase, (c) => {
        const recurrence = cron(fieldsOf(c), c.zone);

        const next = recurrence.nextAfter(c.after)!;

        expect(recurrence.latestBetween(c.after + 1, next - 1)).toBeUndefined();
        expect(recurrence.latestBetween(c.after + 1, next)).toBe(next);
        expect(recurrence.latestBetween(0, next + 59_000)).toBe(next);
      }),
      { numRuns: 300 },
    );
  });

  it('matches a minute-by-minute scan in zones without DST', () => {
    const fixedZones = fc.constantFrom('UTC', 'Asia/Kolkata', 'Asia/Tokyo');
    fc.assert(
      fc.property(
        subset(0, 59),
        subset(0, 23),
        fixedZones,
        fc.integer({ min: 0, max: 10_000_000 }),
        (minutes, hours, zone, minute) => {
          const after = at('2030-01-01T00:00:00Z') + minute * 60_000;
          const recurrence = cron(`${minutes.join(',')} ${hours.join(',')} * * ? *`, zone);

          const next = recurrence.nextAfter(after);

          let scan = after + 60_000;
          for (; ; scan += 60_000) {
            const wall = new Date(wallTimeAt(zone, scan));
            if (minutes.includes(wall.getUTCMinutes()) && hours.includes(wall.getUTCHours())) break;
          }
          expect(next).toBe(scan);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('wall times where a zone changes its offset', () => {
  const pad = (n: number) => String(n).padStart(2, '0');

  it("reads at() and cron() as Temporal reads them around every zone's offset changes of 2026-2027: skipping a gap and taking an overlap's first", () => {
    const end = Temporal.Instant.from('2028-01-01T00:00:00Z');
    const differences: string[] = [];
    let wallTimes = 0;

    for (const zone of Intl.supportedValuesOf('timeZone')) {
      let change = Temporal.ZonedDateTime.from({ timeZone: zone, year: 2026, month: 1, day: 1 });
      for (;;) {
        const next = change.getTimeZoneTransition('next');
        if (!next || Temporal.Instant.compare(next.toInstant(), end) > 0) break;
        change = next;
        // The wall time just before the change, read with the offset before it, and minutes around it.
        const before = next
          .subtract({ minutes: 1 })
          .toPlainDateTime()
          .round({ smallestUnit: 'minute', roundingMode: 'floor' });
        for (const minutes of [-30, 0, 30, 59, 60, 90]) {
          const wall = before.add({ minutes: 1 + minutes });
          const body = `${wall.year}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:00`;
          const earlier = wall.toZonedDateTime(zone, { disambiguation: 'earlier' });
          const occurs = earlier.toPlainDateTime().equals(wall) ? earlier.epochMilliseconds : undefined;
          const daily = cron(`${wall.minute} ${wall.hour} ${wall.day} ${wall.month} ? ${wall.year}`, zone);
          wallTimes++;

          const atRead = atInstant(body, zone);
          const cronRead = daily.nextAfter(Date.UTC(wall.year, wall.month - 1, wall.day) - 3 * 86_400_000);

          if (atRead !== occurs)
            differences.push(`at(${body}) ${zone}: ${iso(atRead)}, Temporal ${iso(occurs)}`);
          if (cronRead !== occurs)
            differences.push(`cron ${body} ${zone}: ${iso(cronRead)}, Temporal ${iso(occurs)}`);
        }
      }
    }

    expect(wallTimes).toBeGreaterThan(1_000);
    expect(differences).toEqual([]);
  });
});
