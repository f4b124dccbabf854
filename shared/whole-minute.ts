/**
 * When a one-time schedule fires (docs/design.md#schedules): the first whole minute at or after an
 * instant, as the UTC wall time `YYYY-MM-DDTHH:MM:SS` its `at()` names. An `at()` has no fractions and
 * Scheduler fires within the minute it names, so a schedule never fires early. The one rule for
 * shared/scheduler.ts, which writes the schedules, and shared/tours.ts, which states the moments; no
 * SDK here, so reading it brings no Scheduler client into a bundle that schedules nothing.
 */
export const wholeMinuteFrom = (epochMs: number): string =>
  new Date(Math.ceil(epochMs / 60_000) * 60_000).toISOString().slice(0, 19);
