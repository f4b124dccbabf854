import { randomBytes } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { Temporal } from 'temporal-polyfill';
import { settingSources } from '#infra/settings.ts';
import { addDays, daysBetween } from '#shared/days.ts';
import { convert, divideHalfEven, percentOf } from '#shared/money/money.ts';
import { ChaosClient, type ChaosRow, type ScenarioOptions, type StoredMail } from './chaos.ts';
import type { CloudProcess } from './cloud-process.ts';

/**
 * Budgets under chaos: a label's budgets, expenses in several currencies booked against them over
 * three days, and the daily reconciliation at 07:00 in the manager's time zone that warns owners
 * (docs/design.md#budgets, #money), with the local cloud killed (SIGKILL) once around a reconciliation.
 */

const currencies = ['EUR', 'GBP', 'USD'] as const;
type Currency = (typeof currencies)[number] | 'JPY';

/** The manager's rates of each day: a pair serves both directions (docs/design.md#money). */
const ratesOf = (day: number): Record<string, string> => ({
  'GBP/EUR': (1.1712 + day * 0.0031).toFixed(4),
  'USD/EUR': (0.9234 - day * 0.0017).toFixed(4),
  'GBP/USD': (1.2687 + day * 0.0023).toFixed(4),
  'JPY/EUR': (0.006123 + day * 0.000011).toFixed(6),
  'JPY/GBP': (0.005229 + day * 0.000007).toFixed(6),
  'JPY/USD': (0.006631 - day * 0.000013).toFixed(6),
});

interface PlannedExpense {
  expenseId: string;
  budgetId: string;
  lineId: 'radio' | 'ads';
  vendor: string;
  date: string;
  amount: { minor: number; currency: Currency };
  kind: 'commitment' | 'actual';
  settles?: string;
  recoupable?: { artist: { artistId: string; name: string }; sharePercent: number };
  rate?: { value: string; date: string; source: string };
}

interface PlannedBudget {
  budgetId: string;
  currency: (typeof currencies)[number];
  owner: { name: string; email: string };
  lines: { lineId: 'radio' | 'ads'; planned: number }[];
}

/** What one expense counts in its budget's currency, by the rule of docs/design.md#money: its own rate, else the manager's of its date. */
function inBudget(
  expense: PlannedExpense,
  budget: PlannedBudget,
  rates: (date: string) => Record<string, string>,
) {
  const { amount } = expense;
  if (amount.currency === budget.currency) return amount.minor;
  if (expense.rate) return convert(amount, budget.currency, expense.rate.value).minor;
  const table = rates(expense.date);
  const direct = table[`${amount.currency}/${budget.currency}`];
  return direct
    ? convert(amount, budget.currency, direct).minor
    : convert(amount, budget.currency, table[`${budget.currency}/${amount.currency}`], true).minor;
}

interface Figures {
  committed: number;
  actual: number;
  lines: Map<string, number>;
  recoupable: Map<string, number>;
}

/** A budget's figures from the expenses counted: an order an invoice settles counts nothing, its invoice the money. */
function figuresOf(
  budget: PlannedBudget,
  expenses: PlannedExpense[],
  rates: (date: string) => Record<string, string>,
) {
  const settled = new Set(expenses.flatMap((e) => (e.settles ? [e.settles] : [])));
  const figures: Figures = { committed: 0, actual: 0, lines: new Map(), recoupable: new Map() };
  for (const expense of expenses) {
    if (expense.budgetId !== budget.budgetId || settled.has(expense.expenseId)) continue;
    const home = inBudget(expense, budget, rates);
    if (expense.kind === 'actual') figures.actual += home;
    else figures.committed += home;
    figures.lines.set(expense.lineId, (figures.lines.get(expense.lineId) ?? 0) + home);
    if (expense.recoupable) {
      const { artistId } = expense.recoupable.artist;
      figures.recoupable.set(
        artistId,
        (figures.recoupable.get(artistId) ?? 0) + percentOf(home, expense.recoupable.sharePercent),
      );
    }
  }
  return figures;
}

/**
 * The alerts a day's reconciliation raises of these figures (docs/design.md#budgets): each threshold
 * reached, a line over its plan, and the forecast when the last 7 days' rate spends past what is left
 * (every expense here is dated within the 7 days, so all that is used is the last 7 days' spend).
 */
function alertsDue(budget: PlannedBudget, figures: Figures, date: string, end: string, thresholds: number[]) {
  const planned = budget.lines.reduce((sum, line) => sum + line.planned, 0);
  const used = figures.committed + figures.actual;
  const due: string[] = [];
  for (const threshold of thresholds)
    if (used > 0 && used * 100 >= threshold * planned) due.push(`${threshold} % of the plan is spent`);
  for (const line of budget.lines)
    if ((figures.lines.get(line.lineId) ?? 0) > line.planned)
      due.push(`Line ${line.lineId} is over its plan`);
  const remaining = planned - used;
  const toSpend = divideHalfEven(BigInt(used) * BigInt(Math.max(0, daysBetween(date, end))), 7n);
  if (used > 0 && toSpend > BigInt(remaining) && date <= end) {
    const runsOutIn =
      remaining <= 0 ? 0 : Number((BigInt(remaining) * 7n + BigInt(used) - 1n) / BigInt(used));
    due.push(`At this rate the money runs out on ${addDays(date, runsOutIn)}`);
  }
  return due;
}

/** The instant of `time` on `date` in the manager's time zone. */
const managerTime = (date: string, time: string, timeZone: string) =>
  Temporal.PlainDate.from(date)
    .toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(time) })
    .toInstant()
    .toString();

/**
 * `budgets` budgets of one label (in EUR, GBP and USD, 20 owners, thresholds 50, 80 and 100 %), and
 * `expenses` expenses booked against them as a label's system does, over three days: orders and
 * invoices, some in another currency (converted at the rate the label carried, else the manager's of
 * their date), some recoupable, some invoices settling an order of an earlier day; each webhook sent
 * again with its id until acknowledged. The plans are drawn so that some budgets stay under half
 * spent and others pass their plan. The clock passes three 07:00 reconciliations (and their 07:30
 * reports), and the cloud is killed (SIGKILL) once while the second one runs, when a share of the
 * budgets drawn from the seed are reconciled, then started again on its data folder. Then: each
 * acknowledged expense is in its budget's ledger once, the budget's totals are what the acknowledged
 * expenses sum to in its currency, every budget kept each day's result, and each owner got each
 * warning due once (per threshold, line or forecast and period, on the day's figures; of the
 * thresholds a day reaches first, the highest) and none that is not due, and no day's report twice. `duplicates` counts an alert mail not due too.
 */
export async function budgetsOverReconciliations(
  start: () => Promise<CloudProcess>,
  options: Omit<ScenarioOptions, 'outlets'> & { budgets: number; expenses: number },
): Promise<ChaosRow> {
  const timeZone = process.env[settingSources.managerTimeZone.env] ?? settingSources.managerTimeZone.fallback;
  const rng = xoroshiro128plus(options.seed);
  const draw = () => uniformFloat64(rng);
  const pick = (from: number, to: number) => uniformInt(rng, from, to);
  // Mail the SES store held just before the kill counts too (the store may not survive the kill).
  const kept: StoredMail[] = [];
  let cloud = await start();
  const client = new ChaosClient(cloud);
  const tag = randomBytes(3).toString('hex');
  const findings: string[] = [];
  try {
    const label = await client.label('Budget Records');
    // Day 0 starts at 08:00 in the manager's time zone, after its reconciliation and report.
    const today = Temporal.Instant.from((await client.now()).toISOString())
      .toZonedDateTimeISO(timeZone)
      .toPlainDate()
      .toString();
    const day = (n: number) => addDays(today, n + 1);
    const end = addDays(day(0), 29);
    const thresholds = [50, 80, 100];
    const rateTables = new Map([0, 1, 2].map((n) => [day(n), ratesOf(n)]));
    const rates = (date: string) => rateTables.get(date) ?? {};
    // A label's own rate: the manager's of the day, give or take 3 %, to 6 significant digits.
    const carried = (from: Currency, to: Currency, date: string) => {
      const table = rates(date);
      const rate = table[`${from}/${to}`]
        ? Number(table[`${from}/${to}`])
        : 1 / Number(table[`${to}/${from}`]);
      return (rate * (1 + pick(-3, 3) / 100)).toPrecision(6);
    };
    await client.json('/_local/clock', {
      method: 'POST',
      json: { advanceTo: managerTime(day(0), '08:00', timeZone) },
    });

    const budgets: PlannedBudget[] = Array.from({ length: options.budgets }, (_, i) => ({
      budgetId: `bud-${tag}-${i}`,
      currency: currencies[i % currencies.length],
      owner: { name: `Owner ${i % 20}`, email: `owner-${i % 20}@${tag}.example` },
      lines: [],
    }));
    // Three batches, one a day, dated that day; an invoice of day 1 or 2 may settle an order of an earlier day.
    const batches: PlannedExpense[][] = [[], [], []];
    const openOrders = new Map<string, PlannedExpense[]>();
    for (let n = 0; n < options.expenses; n++) {
      const batch = Math.floor((n * 3) / options.expenses);
      const budget = budgets[pick(0, budgets.length - 1)];
      const own = draw() < 0.6;
      const currency: Currency = own
        ? budget.currency
        : (['EUR', 'GBP', 'USD', 'JPY'] as const).filter((c) => c !== budget.currency)[pick(0, 2)];
      const kind = draw() < 0.35 ? 'commitment' : 'actual';
      const orders = openOrders.get(budget.budgetId) ?? [];
      const settles =
        kind === 'actual' && batch > 0 && draw() < 0.3
          ? orders.findIndex((order) => order.date < day(batch))
          : -1;
      const expense: PlannedExpense = {
        expenseId: `exp-${tag}-${n}`,
        budgetId: budget.budgetId,
        lineId: draw() < 0.6 ? 'radio' : 'ads',
        vendor: `Vendor ${pick(1, 12)}`,
        date: day(batch),
        amount: { minor: currency === 'JPY' ? pick(5_000, 120_000) : pick(5_000, 90_000), currency },
        kind,
        ...(settles >= 0 ? { settles: orders.splice(settles, 1)[0].expenseId } : {}),
        ...(draw() < 0.3
          ? {
              recoupable: {
                artist: { artistId: `art-${tag}-${pick(0, 4)}`, name: 'Night Drive' },
                sharePercent: [50, 100, 33.33][pick(0, 2)],
              },
            }
          : {}),
        // Half of those in another currency carry the label's own rate into the budget's.
        ...(!own && draw() < 0.5
          ? {
              rate: {
                value: carried(currency, budget.currency, day(batch)),
                date: day(batch),
                source: 'label',
              },
            }
          : {}),
      };
      if (kind === 'commitment') openOrders.set(budget.budgetId, [...orders, expense]);
      batches[batch].push(expense);
    }
    // Each plan is what its expenses spend over the three days divided by a share from 30 % to 130 %.
    const everything = batches.flat();
    for (const [i, budget] of budgets.entries()) {
      const spent = figuresOf(budget, everything, rates);
      const share = 0.3 + (i % 11) / 10;
      // The ads line's share drawn around the budget's, so a line may pass its plan alone.
      const radio = Math.max(100, Math.round((spent.lines.get('radio') ?? 0) / share));
      const ads = Math.max(100, Math.round((spent.lines.get('ads') ?? 0) / (share * (0.7 + 0.6 * draw()))));
      budget.lines = [
        { lineId: 'radio', planned: radio },
        { lineId: 'ads', planned: ads },
      ];
    }

    let deadLettered = 0;
    let replayed = 0;
    let fired = 0;
    // Faults armed for each stretch of traffic (the expenses, a reconciliation, a report), cleared by each settle.
    let armed = 0;
    const arm = () => client.armFaults(options.faults, options.seed + armed++);
    const settle = async () => {
      const settled = await client.settle();
      deadLettered += settled.deadLettered;
      replayed += settled.replayed;
      fired += settled.fired;
    };
    let firedBeforeKill = 0;
    let eventsIn = 0;
    const unacknowledged: string[] = [];
    /** Sends each body as a label's system does: again with its webhook id until acknowledged, three rounds of the client's 8 attempts. */
    const send = async (bodies: { type: string; data: { budgetId: string; expenseId?: string } }[]) => {
      let next = 0;
      const acknowledged: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < bodies.length) {
            const index = next++;
            const body = { ...bodies[index], timestamp: (await client.now()).toISOString() };
            const webhookId = `msg_${randomBytes(9).toString('hex')}`;
            eventsIn++;
            let status = 0;
            for (let round = 0; round < 3 && !(status >= 200 && status < 300); round++)
              ({ status } = await client.webhook(label, body, webhookId));
            if (status >= 200 && status < 300) acknowledged.push(index);
            else
              unacknowledged.push(
                `${body.type} ${body.data.expenseId ?? body.data.budgetId}: last answer ${status}`,
              );
          }
        }),
      );
      return acknowledged.map((index) => bodies[index]);
    };
    const budgetBodies = budgets.map((budget) => ({
      type: 'budget.set',
      data: {
        budgetId: budget.budgetId,
        scope: { kind: 'campaign', id: `campaign-${budget.budgetId}` },
        currency: budget.currency,
        period: { start: day(0), end },
        owner: budget.owner,
        thresholds,
        lines: budget.lines.map((line) => ({
          lineId: line.lineId,
          category: line.lineId === 'radio' ? 'radio-plugging' : 'advertising',
          planned: { minor: line.planned, currency: budget.currency },
        })),
      },
    }));
    for (const [date, table] of rateTables)
      await client.json(`/fx-rates/${date}`, { method: 'PUT', json: { rates: table } });
    // The budgets go with the first day's expenses: an expense that arrives first is held for its budget.
    await arm();
    const setUp = new Set((await send(budgetBodies)).map((body) => body.data.budgetId));
    const live = budgets.filter((budget) => setUp.has(budget.budgetId));

    // Per day: the expenses acknowledged before its reconciliation, and the figures it is due to judge.
    const acknowledged: PlannedExpense[] = [];
    const due = new Map<string, string>();
    // The thresholds raised with no mail of their own: a higher one reached the same day states them.
    const stated = new Set<string>();
    const views = async () =>
      Promise.all(
        live.map(async (budget) => {
          const response = await client.request(`/labels/${label.id}/budgets/${budget.budgetId}`);
          return response.ok ? ((await response.json()) as BudgetView) : undefined;
        }),
      );
    let lostDays = 0;
    const reconciledOn = async (date: string) => {
      const missed = (await views()).flatMap((view, i) =>
        view?.lastReconciled?.date === date ? [] : [live[i].budgetId],
      );
      lostDays += missed.length;
      if (missed.length > 0) findings.push(`no result of ${date} for ${missed.slice(0, 5).join(', ')}`);
    };
    let killedAfter = '';
    for (const [n, batch] of batches.entries()) {
      if (n > 0) await arm();
      const sent = await send(batch.map((data) => ({ type: 'expense.recorded', data })));
      acknowledged.push(...(sent.map((body) => body.data) as PlannedExpense[]));
      await settle();
      const date = day(n + 1);
      for (const budget of live) {
        const alerts = alertsDue(budget, figuresOf(budget, acknowledged, rates), date, end, thresholds);
        const keyOf = (alert: string) =>
          `Budget ${budget.budgetId}: ${alert.startsWith('At this rate') ? 'At this rate' : alert}`;
        // Of the thresholds the day reaches first, only the highest is mailed; it states the others, which
        // no later day mails (docs/design.md#budgets).
        const firstReached = alerts.filter(
          (alert) =>
            alert.endsWith('% of the plan is spent') && !due.has(keyOf(alert)) && !stated.has(keyOf(alert)),
        );
        for (const alert of firstReached.slice(0, -1)) stated.add(keyOf(alert));
        for (const alert of alerts) {
          const key = keyOf(alert);
          if (!due.has(key) && !stated.has(key))
            due.set(key, `${budget.owner.email}|Budget ${budget.budgetId}: ${alert}`);
        }
      }
      await arm();
      await client.json('/_local/clock', {
        method: 'POST',
        json: { advanceTo: managerTime(date, '07:15', timeZone) },
      });
      if (n === 1) {
        // The kill: once a share of the budgets drawn from the seed (1 to all) has the day's result.
        const share = uniformFloat64(xoroshiro128plus(options.seed));
        const target = Math.ceil(share * live.length);
        const started = Date.now();
        await client.until(
          async () => (await views()).filter((view) => view?.lastReconciled?.date === date).length >= target,
          options.waitMs ?? 120_000,
        );
        const done = (await views()).filter((view) => view?.lastReconciled?.date === date).length;
        firedBeforeKill = await client.firedSinceArmed();
        const beforeKill = await client.mail();
        await cloud.kill();
        killedAfter = `killed ${Date.now() - started} ms into the reconciliation of ${date}, ${done} of ${live.length} budgets reconciled`;
        cloud = await start();
        client.cloud = cloud;
        kept.push(...beforeKill);
        await arm();
      }
      // Then the day's report, under the faults too.
      await client.idle();
      await client.json('/_local/clock', {
        method: 'POST',
        json: { advanceTo: managerTime(date, '07:45', timeZone) },
      });
      await settle();
      await reconciledOn(date);
    }

    // The ledgers and totals, as the office API shows them.
    let unrecorded = unacknowledged.length;
    findings.push(...unacknowledged.slice(0, 3));
    for (const [i, view] of (await views()).entries()) {
      const budget = live[i];
      const expected = figuresOf(budget, acknowledged, rates);
      const mine = acknowledged.filter((e) => e.budgetId === budget.budgetId);
      const entries: { expenseId: string; change: string; counted: boolean }[] = [];
      let cursor: string | undefined;
      do {
        const page: { entries: typeof entries; nextCursor?: string } = await client.json(
          `/labels/${label.id}/budgets/${budget.budgetId}/ledger?limit=400${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        entries.push(...page.entries);
        cursor = page.nextCursor;
      } while (cursor);
      for (const expense of mine) {
        const rows = entries.filter((e) => e.expenseId === expense.expenseId && e.change === 'recorded');
        if (rows.length !== 1 || !rows[0].counted) {
          unrecorded++;
          findings.push(`${expense.expenseId}: ${rows.length} recorded rows in ${budget.budgetId}'s ledger`);
        }
      }
      const totals = view?.totals;
      const recoupable = Object.fromEntries([...expected.recoupable].sort(([a], [b]) => a.localeCompare(b)));
      const shown = totals && {
        committed: totals.committed,
        actual: totals.actual,
        recoupable: Object.fromEntries(
          Object.entries(totals.recoupable).sort(([a], [b]) => a.localeCompare(b)),
        ),
        unconverted: totals.unconverted,
      };
      const dueTotals = {
        committed: expected.committed,
        actual: expected.actual,
        recoupable,
        unconverted: {},
      };
      if (JSON.stringify(shown) !== JSON.stringify(dueTotals)) {
        unrecorded++;
        findings.push(
          `${budget.budgetId} (${budget.currency}): totals ${JSON.stringify(shown)} where ${JSON.stringify(dueTotals)} is due`,
        );
      }
    }

    // The alerts and reports each owner got.
    const mail = new Map([...kept, ...(await client.mail())].map((m) => [m.messageId, m]));
    const owners = new Set(live.map((budget) => budget.owner.email));
    const got = new Map<string, number>();
    let duplicates = 0;
    let sent = 0;
    for (const m of mail.values()) {
      for (const to of m.destination.to) {
        if (!owners.has(to)) continue;
        // A report by its day alone (`Budgets on <date>`): sent again, its summary may read otherwise.
        const what = m.subject.startsWith('Budgets on ')
          ? m.subject.slice(0, m.subject.indexOf(':'))
          : m.subject;
        got.set(`${to}|${what}`, (got.get(`${to}|${what}`) ?? 0) + 1);
        if (m.subject.startsWith('Budget ')) sent++;
      }
    }
    const expectedMails = new Set(due.values());
    let lost = lostDays;
    // A threshold's warning whose claim went stale (the cloud killed as it was sent) is closed without
    // mail once a higher threshold's of the budget is mailed: the owner is told where it stands, not
    // where it stood (docs/design.md#budgets). Then it is superseded, not lost.
    const threshold = /^(.*)\|Budget (.*): (\d+) % of the plan is spent$/;
    const supersededBy = (key: string) => {
      const [, owner, budgetId, percent] = threshold.exec(key) ?? [];
      return (
        owner !== undefined &&
        [...got.keys()].find((other) => {
          const [, to, id, higher] = threshold.exec(other) ?? [];
          return to === owner && id === budgetId && Number(higher) > Number(percent);
        })
      );
    };
    for (const key of expectedMails) {
      if (got.has(key)) continue;
      const by = supersededBy(key);
      if (by) {
        findings.push(`${key.replace('|', ': ')}: superseded by ${by.slice(by.indexOf('|') + 1)}`);
      } else {
        lost++;
        findings.push(`${key.replace('|', ': ')}: never mailed`);
      }
    }
    for (const [key, n] of got) {
      if (n > 1) {
        duplicates += n - 1;
        findings.push(`${key.replace('|', ': ')}: mailed ${n} times`);
      }
      if (key.includes('|Budget ') && !expectedMails.has(key)) {
        duplicates++;
        findings.push(`${key.replace('|', ': ')}: mailed, not due`);
      }
    }
    return {
      scenario: `${live.length} budgets, ${acknowledged.length} expenses over 3 reconciliations, local cloud killed (SIGKILL) in the second`,
      seed: options.seed,
      faults: options.faults,
      faultsFired: firedBeforeKill + fired,
      eventsIn,
      mailsExpected: expectedMails.size,
      sent,
      duplicates,
      lost,
      unrecorded,
      deadLettered,
      replayed,
      findings: [killedAfter, ...findings.slice(0, 9)],
    };
  } finally {
    await cloud.stop();
  }
}

/** What this scenario reads of a budget's view (`GET /labels/{labelId}/budgets/{budgetId}`). */
interface BudgetView {
  totals: {
    committed: number;
    actual: number;
    recoupable: Record<string, number>;
    unconverted: Record<string, Record<string, number>>;
  };
  lastReconciled: { date: string } | null;
}
