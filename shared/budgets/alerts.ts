import { keyParts } from '../db/keys.ts';

/**
 * A budget alert's identity (see docs/design.md#budgets): what it is of (`threshold`, 80; `forecast`;
 * `line` and its id), its period, known by its start, and, for a threshold or a line, the plan it was
 * measured against (the budget's, or the line's, in minor units). Its id is
 * `<alert>#<start>#<end>[#<plan>]`: the end it was raised under (terms sent again with another end keep
 * the period, and the alert its id), then the plan. A plan raised in the period is one the owner was not
 * warned of, so its crossing is a new alert; a plan lowered back to one already warned at finds that
 * alert, and warns no second time. An alert raised before the plan was part of its id names none: of a
 * plan unknown, it is taken as of the plan in force, as it was before.
 */
export interface RaisedAlert {
  alertId: string;
  /** The plan (minor units) the alert was measured against; absent for a forecast, and for an alert raised before it was named. */
  measuredAgainst?: number;
}

/** The id of an alert of these parts raised now, in the period `start`..`end`, against `planned`. */
export const alertIdOf = (
  alert: readonly (string | number)[],
  period: { start: string; end: string },
  planned?: number,
): string => keyParts(...alert, period.start, period.end, ...(planned === undefined ? [] : [planned]));

/**
 * The alert of these parts, if `alertId` is one raised in the period starting `start` against `planned`
 * (or one naming no plan, raised before a plan was named): what it was measured against.
 */
export function raisedFor(
  alertId: string,
  start: string,
  planned: number | undefined,
  ...alert: (string | number)[]
): RaisedAlert | undefined {
  const prefix = `${keyParts(...alert, start)}#`;
  if (!alertId.startsWith(prefix)) return undefined;
  // After the start: the end it was raised under, then the plan (escaped by keyParts: no `#` within).
  const plan = alertId.slice(prefix.length).split('#')[1];
  if (plan === undefined) return { alertId };
  return planned !== undefined && plan === String(planned)
    ? { alertId, measuredAgainst: planned }
    : undefined;
}

/** The alert of these parts raised in the period starting `start` against `planned`, if any (see raisedFor). */
export function raisedInPeriod<A extends { alertId: string }>(
  alerts: readonly A[],
  start: string,
  planned: number | undefined,
  ...alert: (string | number)[]
): (A & RaisedAlert) | undefined {
  for (const raised of alerts) {
    const found = raisedFor(raised.alertId, start, planned, ...alert);
    if (found) return { ...raised, ...found };
  }
  return undefined;
}

/**
 * The thresholds warned at in the period starting `start`, against whichever plan: one for each threshold
 * alert raised in it (`threshold#<threshold>#<start>#...`).
 */
export const thresholdsWarnedInPeriod = (alerts: readonly { alertId: string }[], start: string): number[] =>
  alerts.flatMap(({ alertId }) => {
    const [alert, threshold, from] = alertId.split('#');
    return alert === 'threshold' && from === keyParts(start) ? [Number(threshold)] : [];
  });

/**
 * The plan an alert mail is of, in its identity (`revision`): with the budget, the alert and the period,
 * a warning is mailed once per plan it was measured against. None for an alert naming no plan, whose mail
 * (claimed before a plan was named) keeps the identity it had.
 */
export const planRevision = (measuredAgainst: number | undefined): string | undefined =>
  measuredAgainst === undefined ? undefined : `plan-${measuredAgainst}`;

/** The plan an alert mail's identity names (`planRevision`), if any. */
export const planOfRevision = (revision: string | undefined): number | undefined =>
  revision?.startsWith('plan-') ? Number(revision.slice('plan-'.length)) : undefined;
