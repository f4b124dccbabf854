// EventBridge Scheduler's schedule expressions, evaluated the way the service documents them:
// - at(yyyy-mm-ddThh:mm:ss): wall time in ScheduleExpressionTimezone (default UTC). A wall time a DST
//   gap leaves out never comes, so the schedule never fires; a repeated one fires once, at its first
//   instance. AWS documents this for cron ("When the time shifts forward in Spring, your schedule
//   invocation gets skipped if the cron expression falls on a non-existent date and time. When the time
//   shifts back in the Fall, your schedule runs only once", AWS re:Post knowledge center,
//   eventbridge-scheduler-adjust-dst) and says nothing of at(): read the same (docs/design.md#schedules);
// - rate(n minute|minutes|hour|hours|day|days): a fixed period from StartDate, or from creation when
//   there is none ("starts invoking the target immediately"); a day is 24 hours, DST or not;
// - cron(minutes hours day-of-month month day-of-week year): evaluated in the time zone. On the
//   spring-forward change a time that does not exist is skipped; on the fall-back change a time that
//   happens twice fires once (the first time).
// cron-parser is not used: it has no year field, no `W`, and numbers the week from Sunday = 0 where
// AWS has Sunday = 1, so converting would be as much code as evaluating the six fields here.

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

export class ScheduleExpressionError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'ScheduleExpressionError';
    this.field = field;
  }
}

/** A recurring schedule's occurrences, as epoch milliseconds. */
export interface Recurrence {
  /** The first occurrence strictly after `after`, or undefined when there is none (year 2199 passed). */
  nextAfter(after: number): number | undefined;
  /** The latest occurrence in [notBefore, atOrBefore], or undefined. */
  latestBetween(notBefore: number, atOrBefore: number): number | undefined;
}

export type ParsedScheduleExpression =
  /** `at`: undefined when a DST gap leaves the wall time out (it never occurs). */
  | { kind: 'at'; at: number | undefined }
  | { kind: 'rate'; periodMs: number; recurrence(anchor: number): Recurrence }
  | { kind: 'cron'; recurrence: Recurrence };

export function parseScheduleExpression(expression: string, timeZone = 'UTC'): ParsedScheduleExpression {
  if (!isValidTimeZone(timeZone)) {
    throw new ScheduleExpressionError(
      'ScheduleExpressionTimezone',
      `ScheduleExpressionTimezone '${timeZone}' is not an IANA time zone`,
    );
  }
  const match = /^(at|rate|cron)\((.*)\)$/.exec(expression.trim());
  if (!match) {
    throw new ScheduleExpressionError(
      'ScheduleExpression',
      `ScheduleExpression '${expression}' must be at(...), rate(...) or cron(...)`,
    );
  }
  const [, kind, body] = match;
  if (kind === 'at') return { kind: 'at', at: atInstant(body, timeZone) };
  if (kind === 'rate') {
    const periodMs = ratePeriodMs(body);
    return { kind: 'rate', periodMs, recurrence: (anchor) => rateRecurrence(periodMs, anchor) };
  }
  return { kind: 'cron', recurrence: cronRecurrence(body, timeZone) };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// at()

/** The instant of an at() body in a time zone: undefined for a wall time a DST change skips (01:30
 * where 01:00 becomes 02:00), which never occurs; a repeated one is the first instance. */
export function atInstant(body: string, timeZone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  const fail = (): never => {
    throw new ScheduleExpressionError(
      'ScheduleExpression',
      `ScheduleExpression 'at(${body})' must be at(yyyy-mm-ddThh:mm:ss) with a real date and time`,
    );
  };
  if (!match) return fail();
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return fail();
  if (hour > 23 || minute > 59 || second > 59) return fail();
  return wallToInstant(timeZone, Date.UTC(year, month - 1, day, hour, minute, second));
}

// ---------------------------------------------------------------------------------------------
// rate()

function ratePeriodMs(body: string): number {
  const match = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  const value = match ? Number(match[1]) : 0;
  if (!match || !Number.isSafeInteger(value) || value < 1) {
    throw new ScheduleExpressionError(
      'ScheduleExpression',
      `ScheduleExpression 'rate(${body})' must be rate(value unit) with a positive whole value and a unit of minute(s), hour(s) or day(s)`,
    );
  }
  const unit = match[2].startsWith('minute') ? MINUTE_MS : match[2].startsWith('hour') ? HOUR_MS : DAY_MS;
  return value * unit;
}

/** Occurrences at anchor + k * period, k >= 0. */
export function rateRecurrence(periodMs: number, anchor: number): Recurrence {
  return {
    nextAfter(after) {
      if (after < anchor) return anchor;
      return anchor + (Math.floor((after - anchor) / periodMs) + 1) * periodMs;
    },
    latestBetween(notBefore, atOrBefore) {
      if (atOrBefore < anchor) return undefined;
      const latest = anchor + Math.floor((atOrBefore - anchor) / periodMs) * periodMs;
      return latest >= notBefore ? latest : undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// cron()

type DayMatcher = (year: number, month: number, day: number) => boolean;

interface CronFields {
  minutes: number[];
  hours: number[];
  months: Set<number>;
  years: Set<number>;
  dayMatches: DayMatcher;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
// AWS numbers the week from Sunday = 1 to Saturday = 7.
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: string[];
}

const MINUTES: FieldSpec = { label: 'minutes', min: 0, max: 59 };
const HOURS: FieldSpec = { label: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { label: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = { label: 'month', min: 1, max: 12, names: MONTH_NAMES };
const DAY_OF_WEEK: FieldSpec = { label: 'day-of-week', min: 1, max: 7, names: DAY_NAMES };
const YEAR: FieldSpec = { label: 'year', min: MIN_YEAR, max: MAX_YEAR };

export function parseCronFields(body: string): CronFields {
  const parts = body.trim().split(/\s+/);
  const fail = (why: string): never => {
    throw new ScheduleExpressionError('ScheduleExpression', `ScheduleExpression 'cron(${body})': ${why}`);
  };
  if (parts.length !== 6) {
    return fail('needs six fields (minutes hours day-of-month month day-of-week year)');
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = parts;
  // AWS: one of day-of-month and day-of-week must be `?`, the other restricts the day.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return fail('exactly one of day-of-month and day-of-week must be ?');
  }
  const values = (text: string, spec: FieldSpec) => {
    try {
      return parseValueList(text, spec);
    } catch (error) {
      return fail((error as Error).message);
    }
  };
  let dayMatches: DayMatcher;
  try {
    dayMatches = dayOfMonth === '?' ? dayOfWeekMatcher(dayOfWeek) : dayOfMonthMatcher(dayOfMonth);
  } catch (error) {
    return fail((error as Error).message);
  }
  return {
    minutes: values(minute, MINUTES),
    hours: values(hour, HOURS),
    months: new Set(values(month, MONTH)),
    years: new Set(values(year, YEAR)),
    dayMatches,
  };
}

/** `*`, numbers or names, ranges `a-b`, steps `a/n`, `*\/n`, `a-b/n`, and lists of those. */
function parseValueList(text: string, spec: FieldSpec): number[] {
  const found = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) throw new Error(`'${item}' is not a valid ${spec.label} value`);
    let start: number;
    let end: number;
    if (range === '*') {
      start = spec.min;
      end = spec.max;
    } else if (range.includes('-')) {
      const [from, to, more] = range.split('-');
      if (more !== undefined) throw new Error(`'${item}' is not a valid ${spec.label} range`);
      start = parseValue(from, spec);
      end = parseValue(to, spec);
      if (start > end) throw new Error(`${spec.label} range '${range}' runs backwards`);
    } else {
      start = parseValue(range, spec);
      end = stepText === undefined ? start : spec.max;
    }
    let step = 1;
    if (stepText !== undefined) {
      step = /^\d+$/.test(stepText) ? Number(stepText) : 0;
      if (step < 1) throw new Error(`${spec.label} step '${stepText}' must be a positive whole number`);
    }
    for (let value = start; value <= end; value += step) found.add(value);
  }
  return [...found].sort((a, b) => a - b);
}

function parseValue(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) throw new Error(`'${text}' is not a valid ${spec.label} value`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new Error(`${spec.label} value ${value} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}

function dayOfMonthMatcher(text: string): DayMatcher {
  if (text === 'L') return (year, month, day) => day === daysInMonth(year, month);
  if (text === 'LW') return (year, month, day) => day === lastWeekdayOfMonth(year, month);
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) {
    const target = parseValue(weekday[1], DAY_OF_MONTH);
    return (year, month, day) => day === nearestWeekday(year, month, target);
  }
  const days = new Set(parseValueList(text, DAY_OF_MONTH));
  return (_year, _month, day) => days.has(day);
}

function dayOfWeekMatcher(text: string): DayMatcher {
  // `L` alone is the last day of the week, Saturday.
  if (text === 'L') return (year, month, day) => awsWeekday(year, month, day) === 7;
  const last = /^(\w+?)L$/.exec(text);
  if (last) {
    const weekday = parseValue(last[1], DAY_OF_WEEK);
    return (year, month, day) =>
      awsWeekday(year, month, day) === weekday && day + 7 > daysInMonth(year, month);
  }
  const nth = /^(\w+)#(\d)$/.exec(text);
  if (nth) {
    const weekday = parseValue(nth[1], DAY_OF_WEEK);
    const ordinal = Number(nth[2]);
    if (ordinal < 1 || ordinal > 5) throw new Error(`day-of-week '${text}': the week after # must be 1-5`);
    return (year, month, day) => awsWeekday(year, month, day) === weekday && Math.ceil(day / 7) === ordinal;
  }
  const weekdays = new Set(parseValueList(text, DAY_OF_WEEK));
  return (year, month, day) => weekdays.has(awsWeekday(year, month, day));
}

export function cronRecurrence(body: string, timeZone: string): Recurrence {
  const fields = parseCronFields(body);
  const zone = zoneDays(timeZone);
  const maxYear = Math.max(...fields.years);
  const minYear = Math.min(...fields.years);

  // The instants of one local day's matching times, ascending. Times skipped by a DST change are
  // left out; a repeated time appears once (its first instance).
  const instantsOn = (date: LocalDate): number[] => {
    const toInstant = zone.day(date);
    const instants: number[] = [];
    for (const hour of fields.hours) {
      for (const minute of fields.minutes) {
        const instant = toInstant(hour, minute);
        if (instant !== undefined) instants.push(instant);
      }
    }
    return instants;
  };
  const dayMatches = (date: LocalDate) =>
    fields.years.has(date.year) &&
    fields.months.has(date.month) &&
    fields.dayMatches(date.year, date.month, date.day);

  return {
    nextAfter(after) {
      for (let date = zone.dateOf(after - DAY_MS); date.year <= maxYear; ) {
        if (dayMatches(date)) {
          for (const instant of instantsOn(date)) if (instant > after) return instant;
        }
        if (!fields.years.has(date.year)) date = { year: date.year + 1, month: 1, day: 1 };
        else if (!fields.months.has(date.month)) date = firstOfNextMonth(date);
        else date = addDays(date, 1);
      }
      return undefined;
    },
    latestBetween(notBefore, atOrBefore) {
      if (atOrBefore < notBefore) return undefined;
      const stop = zone.dateOf(notBefore - DAY_MS);
      for (let date = zone.dateOf(atOrBefore + DAY_MS); compareDates(date, stop) >= 0; ) {
        if (date.year < minYear) return undefined;
        if (dayMatches(date)) {
          const instants = instantsOn(date);
          for (let i = instants.length - 1; i >= 0; i--) {
            if (instants[i] <= atOrBefore) return instants[i] >= notBefore ? instants[i] : undefined;
          }
        }
        if (!fields.years.has(date.year)) date = { year: date.year - 1, month: 12, day: 31 };
        else if (!fields.months.has(date.month)) date = lastOfPreviousMonth(date);
        else date = addDays(date, -1);
      }
      return undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Calendar and time zone arithmetic. Intl.DateTimeFormat gives a zone's offset at an instant; a wall
// time is turned into an instant by trying the offsets in force a day either side of it.

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function awsWeekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function lastWeekdayOfMonth(year: number, month: number): number {
  let day = daysInMonth(year, month);
  while (awsWeekday(year, month, day) === 1 || awsWeekday(year, month, day) === 7) day--;
  return day;
}

/** Quartz/AWS `nW`: the weekday nearest to day n, without leaving the month. */
function nearestWeekday(year: number, month: number, target: number): number | undefined {
  const last = daysInMonth(year, month);
  if (target > last) return undefined;
  const weekday = awsWeekday(year, month, target);
  if (weekday === 7) return target === 1 ? 3 : target - 1;
  if (weekday === 1) return target === last ? target - 2 : target + 1;
  return target;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

function firstOfNextMonth(date: LocalDate): LocalDate {
  return date.month === 12
    ? { year: date.year + 1, month: 1, day: 1 }
    : { ...date, month: date.month + 1, day: 1 };
}

function lastOfPreviousMonth(date: LocalDate): LocalDate {
  const year = date.month === 1 ? date.year - 1 : date.year;
  const month = date.month === 1 ? 12 : date.month - 1;
  return { year, month, day: daysInMonth(year, month) };
}

function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall time in the zone at an instant, as if it were UTC (epoch ms, whole seconds). */
export function wallTimeAt(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** The zone's offset from UTC at an instant, in ms (Europe/London in summer: 3,600,000). */
export function zoneOffsetAt(timeZone: string, instant: number): number {
  return wallTimeAt(timeZone, instant) - (instant - mod(instant, 1000));
}

/**
 * The instant of a wall time (given as if UTC) in a zone. A repeated wall time (clocks going back)
 * gives its first instance; a skipped one (clocks going forward) gives undefined.
 */
export function wallToInstant(timeZone: string, wall: number): number | undefined {
  const before = zoneOffsetAt(timeZone, wall - DAY_MS);
  const after = zoneOffsetAt(timeZone, wall + DAY_MS);
  const candidates = [wall - before, wall - after].filter(
    (instant) => zoneOffsetAt(timeZone, instant) === wall - instant,
  );
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}

function zoneDays(timeZone: string) {
  return {
    dateOf(instant: number): LocalDate {
      const wall = new Date(wallTimeAt(timeZone, instant));
      return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
    },
    /** Turns hour:minute on a local date into an instant; undefined when DST skips it. */
    day(date: LocalDate): (hour: number, minute: number) => number | undefined {
      const midnight = Date.UTC(date.year, date.month - 1, date.day);
      const offset = zoneOffsetAt(timeZone, midnight - DAY_MS);
      // Most days have one offset throughout: then a time is simply wall time minus that offset.
      const steady =
        offset === zoneOffsetAt(timeZone, midnight + 2 * DAY_MS) &&
        offset === zoneOffsetAt(timeZone, midnight + DAY_MS / 2);
      return (hour, minute) => {
        const wall = midnight + hour * HOUR_MS + minute * MINUTE_MS;
        return steady ? wall - offset : wallToInstant(timeZone, wall);
      };
    },
  };
}

function mod(value: number, by: number): number {
  return ((value % by) + by) % by;
}
