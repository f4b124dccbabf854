import { Temporal } from 'temporal-polyfill';
import { BudgetSet } from '#shared/events/index.ts';
import { aLabel, mailTo, sendWebhook } from './announcing.ts';
import { advanceClock, api, busEvents, busIdle, clockNow, cloud, uniqueId, waitFor } from './cloud.ts';

/** Budgets on the test run's local cloud: webhooks in, the clock moved to the manager's 07:00 and 07:30. */

/** The manager's time zone the test cloud runs with (global-setup.ts). */
export const managerTimeZone = () => cloud().env.MANAGER_TIME_ZONE ?? 'Europe/London';

export const managerDate = async () =>
  Temporal.Instant.from((await clockNow()).toISOString())
    .toZonedDateTimeISO(managerTimeZone())
    .toPlainDate()
    .toString();

export const plusDays = (date: string, days: number) =>
  Temporal.PlainDate.from(date).add({ days }).toString();

/** Moves the clock to `time` on `date` in the manager's time zone. */
export async function advanceToManagerTime(date: string, time: string) {
  const [hour, minute] = time.split(':').map(Number);
  const at = Temporal.PlainDate.from(date)
    .toZonedDateTime({ timeZone: managerTimeZone(), plainTime: Temporal.PlainTime.from({ hour, minute }) })
    .toInstant()
    .toString();
  return advanceClock(at);
}

export const aBudgetBody = (overrides: Partial<typeof BudgetSet.sample> = {}) => ({
  ...BudgetSet.sample,
  budgetId: uniqueId('bud'),
  ...overrides,
});

/** Money in euros, in cents, as a webhook states it. */
export const eur = (minor: number) => ({ minor, currency: 'EUR' });

/** A budget owner of this test alone: their mail is read back from the SES front by address. */
export const anOwner = () => ({ name: 'Mara Quinn', email: `${uniqueId('owner')}@label.example` });

/** A `budget.set` body in EUR over the 30 days from `start`, held by `owner`. */
export const aMonthInEuros = (
  start: string,
  owner: { name: string; email: string },
  overrides: Partial<typeof BudgetSet.sample> = {},
) => aBudgetBody({ currency: 'EUR', period: { start, end: plusDays(start, 29) }, owner, ...overrides });

/** An `expense.recorded` body: an actual of 120.00 EUR from Airplay Partners on the radio line. */
export const anExpenseBody = (
  budgetId: string,
  expenseId: string,
  date: string,
  overrides: Record<string, unknown> = {},
) => ({
  expenseId,
  budgetId,
  lineId: 'radio',
  vendor: 'Airplay Partners',
  date,
  amount: eur(12_000),
  kind: 'actual',
  ...overrides,
});

/** A budget of a tour with one travel line of 5,000.00 GBP. */
export const aTourBudgetBody = (tourId: string) =>
  aBudgetBody({
    scope: { kind: 'tour', id: tourId },
    currency: 'GBP',
    lines: [{ lineId: 'travel', category: 'travel', planned: { minor: 500_000, currency: 'GBP' } }],
  });

/** Sends a label webhook dated `secondsLater` after the cloud's clock (the label's timestamp orders changes). */
export async function sendLabelEvent(
  label: { id: string; secret: string },
  type: string,
  data: unknown,
  secondsLater = 0,
) {
  const timestamp = new Date((await clockNow()).getTime() + secondsLater * 1000).toISOString();
  const { status } = await sendWebhook(label, { type, timestamp, data });
  if (status !== 202) throw new Error(`${type} answered ${status}`);
}

/**
 * A budget of `owner` whose expense on `day0` uses 60 % of its plan: one alert is due the next morning, the
 * 50 % threshold's. The period ends on the day reconciled, so no forecast alert is: a bounce reaches Backline
 * after its mail, and a second alert of the same run may be sent before the bounce suppresses the address, or
 * left out after (docs/design.md#budgets).
 */
export async function aBudgetAlertDue(
  label: { id: string; secret: string },
  day0: string,
  owner: { name: string; email: string },
) {
  const budget = aBudgetBody({
    owner,
    currency: 'EUR',
    period: { start: day0, end: plusDays(day0, 1) },
    thresholds: [50],
    lines: [{ lineId: 'radio', category: 'radio-plugging', planned: eur(10_000) }],
  });
  await sendLabelEvent(label, 'budget.set', budget);
  await sendLabelEvent(
    label,
    'expense.recorded',
    anExpenseBody(budget.budgetId, 'exp-1', day0, { amount: eur(6_000) }),
  );
  await busIdle();
  return budget;
}

/** The cloud idle, the clock moved to 07:15 on `date` (after the 07:00 reconciliation), its results in, and idle again. */
export async function reconciledOn(labelId: string, budgetIds: string[], date: string) {
  await busIdle();
  await advanceToManagerTime(date, '07:15');
  await waitForReconciled(labelId, budgetIds, date);
  await busIdle();
}

/** Waits until the day's `Budget Reconciled` of each budget is on the bus. */
export async function waitForReconciled(labelId: string, budgetIds: string[], date: string) {
  await waitFor(
    async () => {
      const events = await busEvents({ detailType: 'Budget Reconciled' });
      const done = new Set(
        events
          .map((e) => e.detail.data as { labelId: string; budgetId: string; date: string })
          .filter((d) => d.labelId === labelId && d.date === date)
          .map((d) => d.budgetId),
      );
      return budgetIds.every((id) => done.has(id));
    },
    { timeoutMs: 30_000, what: `Budget Reconciled on ${date}` },
  );
}

/**
 * What a test of a budget owner's threshold warnings arranges: a new label and owner, the manager's today
 * (`day0`) and a budget id for the terms the test sends. `warnings` are the threshold mails the owner has
 * (the forecast's and lines' mail left out), `warnedTimes` waits until there are `count` of them (a
 * deadline, not a timing assertion), `reconciled` has the budget's day reconciled (reconciledOn).
 */
export async function aWatchedBudget() {
  const label = await aLabel();
  const owner = anOwner();
  const day0 = await managerDate();
  const budgetId = uniqueId('bud');
  const warnings = async () =>
    (await mailTo(owner.email, `Budget ${budgetId}: `)).filter((m) =>
      m.subject.endsWith('% of the plan is spent'),
    );
  return {
    label,
    owner,
    day0,
    budgetId,
    warnings,
    warnedTimes: (count: number, what: string) =>
      waitFor(async () => (await warnings()).length >= count, { timeoutMs: 20_000, what }),
    reconciled: (date: string) => reconciledOn(label.id, [budgetId], date),
  };
}

export async function getJson<T>(
  path: string,
  init?: RequestInit & { json?: unknown },
): Promise<{ status: number; body: T }> {
  const response = await api(path, init);
  return { status: response.status, body: (await response.json()) as T };
}
