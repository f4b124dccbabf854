import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import { counter, emptyState, evaluate, isCounted, totalLimit, withVersion } from '#shared/budgets/ledger.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import {
  aBudget,
  anExpense,
  artistInFull,
  budgetsHarness,
  driftStated,
} from '#test/support/budgets-harness.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

/** Half the largest total kept, and a minor unit more: two of them pass it. */
const half = Math.floor(totalLimit / 2) + 1;

const eur = (minor: number) => ({ minor, currency: 'EUR' });

/** A GET of the management API's budget routes, as it answers it, on the harness's store. */
const get = async (h: ReturnType<typeof budgetsHarness>, path: string, budgetId?: string) => {
  const route = budgetRoutes({
    budgets: h.store,
    labels: new InMemoryLabels(),
    now: () => new Date('2027-03-30T12:00:00Z'),
    timeZone: 'UTC',
  }).find((r) => r.method === 'GET' && r.path === path)!;
  const result = (await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
    headers: {},
    isBase64Encoded: false,
    pathParameters: { labelId: h.labelId, ...(budgetId ? { budgetId } : {}) },
  } as never)) as { statusCode: number; body: string };
  return { statusCode: result.statusCode, body: JSON.parse(result.body) };
};

describe('a change that would take a running total past the largest kept (docs/design.md#money)', () => {
  it('is refused for good: kept apart and listed, nothing of it counted, and the event handled, its redelivery too', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));

    const second = anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'EUR' } });
    const delivered = await h.expense(second, { eventId: 'evt-big' });
    // Delivered again (at least once): refused again, kept once.
    await h.expense(second, { eventId: 'evt-big', occurredAt: delivered.metadata.occurredAt });

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half });
    expect(ledger.states.map((s) => s.expenseId)).toEqual(['exp-1']);
    expect(ledger.versions.map((v) => v.expenseId)).toEqual(['exp-1']);
    expect(ledger.refused).toEqual([
      {
        expenseId: 'exp-2',
        at: `${delivered.metadata.occurredAt}#evt-big`,
        change: 'recorded',
        total: 'actual radio',
        reason: `actual radio would pass ${totalLimit}, the largest total Backline keeps`,
        receivedAt: expect.any(String),
      },
    ]);
  });

  it('counts, when the budget is set after its expenses, those that fit in the order received and refuses for good the one that would pass it: held no more, the Budget Set handled', async () => {
    const h = budgetsHarness();
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));
    h.setNow('2027-01-01T08:01:00.000Z');
    const second = await h.expense(
      anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'EUR' } }),
      { eventId: 'evt-big' },
    );
    h.setNow('2027-01-01T08:02:00.000Z');
    // Received after the one refused, and within the limit beside the first: counted.
    await h.expense(anExpense({ expenseId: 'exp-3', amount: { minor: 100, currency: 'EUR' } }));
    expect(await h.store.heldExpenses(undefined, '2027-01-02')).toHaveLength(3);

    await h.budget(aBudget());

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half + 100 });
    expect(ledger.states.filter(isCounted).map((s) => s.expenseId)).toEqual(['exp-1', 'exp-3']);
    expect(ledger.versions.map((v) => v.expenseId)).toEqual(['exp-1', 'exp-3']);
    expect(ledger.refused).toEqual([
      {
        expenseId: 'exp-2',
        at: `${second.metadata.occurredAt}#evt-big`,
        change: 'recorded',
        total: 'actual radio',
        reason: `actual radio would pass ${totalLimit}, the largest total Backline keeps`,
        receivedAt: '2027-01-01T08:01:00.000Z',
      },
    ]);
    // Refused, not held: the sweep of held expenses reports none of them.
    expect(await h.store.heldExpenses(undefined, '2027-01-02')).toEqual([]);
    // Handled as a redelivery finds it: nothing more counted, the refusal kept once.
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'EUR' } }), {
      eventId: 'evt-big',
      occurredAt: second.metadata.occurredAt,
    });
    expect((await h.ledger('bud-1')).totals).toEqual(ledger.totals);
    expect((await h.ledger('bud-1')).refused).toHaveLength(1);
  });

  it("refuses for good an expense a rate's recount would take past it, and the reconciliation runs to its end", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));
    // No GBP rate yet: counted apart, in pence.
    await h.expense(anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'GBP' } }));
    await h.store.putRates('2027-03-02', { 'GBP/EUR': '1' }, '2027-03-05T09:00:00.000Z');
    // The period's last day: the forecast at its end is what is spent (a forecast past it is not this test's).
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half });
    expect(ledger.states.filter(isCounted).map((s) => s.expenseId)).toEqual(['exp-1']);
    expect(ledger.refused).toEqual([
      expect.objectContaining({ expenseId: 'exp-2', change: 'recorded', total: 'actual radio' }),
    ]);
    expect(h.events('Budget Reconciled')).toHaveLength(1);
  });

  it('reconciles a budget spending near it mid-period: a forecast past the largest total is stated as that total, not a failed run', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    // Nearly the largest total, spent in the last week: at that rate the period's end is far past it.
    await h.expense(anExpense({ date: '2027-03-10', amount: { minor: totalLimit - 1, currency: 'EUR' } }));
    h.setNow('2027-03-12T07:00:00.000Z');

    await h.reconcile('2027-03-12');

    const [reconciled] = h.events('Budget Reconciled');
    expect(reconciled).toBeDefined();
    for (const event of h.events('Budget Forecast Over'))
      expect((event.detail.data as { forecastAtEnd: { minor: number } }).forecastAtEnd.minor).toBe(
        totalLimit,
      );
    const [day] = await h.store.dayResults('2027-03-12', 'lbl-1', 'mara@label.example');
    expect(day?.forecastAtEnd).toBe(totalLimit);
  });

  it("reconciles a budget whose lines each hold within it but together pass it: the day's event, its alerts and the budget's view state the sums as that total", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));
    await h.expense(
      anExpense({ expenseId: 'exp-2', lineId: 'ads', amount: { minor: half, currency: 'EUR' } }),
    );
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    // 2^53 minor units spent of 1,000.00 planned: actual (and so used) stated as the largest total,
    // what is left and the share used of the exact sum (2^53 of 100,000: 9,007,199,254,740.9 %, rounded down).
    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({
        planned: eur(100_000),
        committed: eur(0),
        actual: eur(totalLimit),
        income: eur(0),
        remaining: eur(100_000 - 2 * half),
        usedPercent: 9_007_199_254_740.9,
        forecastAtEnd: eur(totalLimit),
        runsOutOn: '2027-03-30',
        status: 'over',
      }),
    ]);
    expect(h.events('Budget Threshold Crossed').map((e) => e.detail.data)).toEqual(
      [50, 80, 100].map((threshold) =>
        expect.objectContaining({ threshold, used: eur(totalLimit), planned: eur(100_000) }),
      ),
    );
    const [day] = await h.store.dayResults('2027-03-30', 'lbl-1', 'mara@label.example');
    expect(day).toMatchObject({ actual: totalLimit, remaining: 100_000 - 2 * half, status: 'over' });

    const view = await get(h, '/labels/{labelId}/budgets/{budgetId}', 'bud-1');
    expect(view.statusCode).toBe(200);
    expect(view.body.totals).toMatchObject({
      planned: 100_000,
      committed: 0,
      actual: totalLimit,
      remaining: 100_000 - 2 * half,
      usedPercent: 9_007_199_254_740.9,
    });
    // Each line's totals as kept: within it.
    expect(view.body.lines.map((l: { lineId: string; actual: number }) => [l.lineId, l.actual])).toEqual([
      ['radio', half],
      ['ads', half],
    ]);
  });

  it("states a line's spend (committed and actual) past it as that total, in its Line Over Plan and the day's result", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    // An order and an invoice that settles none of it: each total of the line holds within it.
    await h.expense(anExpense({ expenseId: 'po-1', kind: 'commitment', amount: eur(half) }));
    await h.expense(anExpense({ expenseId: 'inv-1', amount: eur(half) }));
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    expect(h.events('Budget Line Over Plan').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ lineId: 'radio', planned: eur(60_000), spent: eur(totalLimit) }),
    ]);
    const [day] = await h.store.dayResults('2027-03-30', 'lbl-1', 'mara@label.example');
    expect(day?.linesOver).toEqual([{ lineId: 'radio', planned: 60_000, spent: totalLimit }]);
    expect(day).toMatchObject({ committed: half, actual: half, status: 'over' });
  });

  it('reconciles mid-period a budget whose planned lines together pass it: the plan stated as that total, and no day the money runs out past the last a date states', async () => {
    const h = budgetsHarness();
    await h.budget(
      aBudget({
        lines: [
          { lineId: 'radio', category: 'radio-plugging', planned: eur(half) },
          { lineId: 'ads', category: 'advertising', planned: eur(half) },
        ],
      }),
    );
    // 100.00 in the last week: at that rate 2^53 minor units last some 6 * 10^12 days.
    await h.expense(anExpense({ date: '2027-03-10' }));
    h.setNow('2027-03-12T07:00:00.000Z');

    await h.reconcile('2027-03-12');

    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({
        planned: eur(totalLimit),
        actual: eur(10_000),
        remaining: eur(2 * half - 10_000),
        usedPercent: 0,
        runsOutOn: null,
        status: 'on-track',
      }),
    ]);
    const listed = await get(h, '/labels/{labelId}/budgets');
    expect(listed.statusCode).toBe(200);
    expect(listed.body.budgets.map((b: { planned: number }) => b.planned)).toEqual([totalLimit]);
    const view = await get(h, '/labels/{labelId}/budgets/{budgetId}', 'bud-1');
    expect(view.statusCode).toBe(200);
    expect(view.body.totals.planned).toBe(totalLimit);
    expect(view.body.runsOutOn).toBeNull();
  });

  it('reconciles a budget whose money at this rate runs out in the year 9999: no day stated, as a day is from 1970 to 9998, not a failed run', async () => {
    const h = budgetsHarness();
    // 41,597,157.14 planned, 100.00 spent in the last week: what is left lasts to 1 June 9999.
    await h.budget(
      aBudget({ lines: [{ lineId: 'radio', category: 'radio-plugging', planned: eur(4_159_715_714) }] }),
    );
    await h.expense(anExpense({ date: '2027-03-10' }));
    h.setNow('2027-03-12T07:00:00.000Z');

    await h.reconcile('2027-03-12');

    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ remaining: eur(4_159_705_714), runsOutOn: null, status: 'on-track' }),
    ]);
  });

  it('does not cross the 100 % threshold of a plan past it with one minor unit of it left: what is crossed is of the exact sums', async () => {
    const h = budgetsHarness();
    // Planned 2^53 minor units, stated as the largest total (2^53 - 1).
    await h.budget(
      aBudget({
        lines: [
          { lineId: 'radio', category: 'radio-plugging', planned: eur(half) },
          { lineId: 'ads', category: 'advertising', planned: eur(half) },
        ],
      }),
    );
    // Used the largest total: 2^53 - 1, one minor unit under the plan.
    await h.expense(anExpense({ amount: eur(totalLimit) }));
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    const [day] = await h.store.dayResults('2027-03-30', 'lbl-1', 'mara@label.example');
    expect(day).toMatchObject({ planned: totalLimit, actual: totalLimit, remaining: 1 });
    expect(day?.status).not.toBe('over');
    expect(
      h.events('Budget Threshold Crossed').map((e) => (e.detail.data as { threshold: number }).threshold),
    ).toEqual([50, 80]);
  });

  it('alerts a forecast past a plan of the largest total: the forecast stated as the plan is still over it', async () => {
    const h = budgetsHarness();
    await h.budget(
      aBudget({ lines: [{ lineId: 'radio', category: 'radio-plugging', planned: eur(totalLimit) }] }),
    );
    // 2^52 minor units in the last week: half the plan left, gone by 2027-03-19 at that rate.
    await h.expense(anExpense({ date: '2027-03-10', amount: eur(half) }));
    h.setNow('2027-03-12T07:00:00.000Z');

    await h.reconcile('2027-03-12');

    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({
        planned: eur(totalLimit),
        forecastAtEnd: eur(totalLimit),
        runsOutOn: '2027-03-19',
        status: 'at-risk',
      }),
    ]);
    expect(h.events('Budget Forecast Over').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ forecastAtEnd: eur(totalLimit), runsOutOn: '2027-03-19' }),
    ]);
  });

  it('refuses a void that would reopen an order past it, and the invoice keeps settling the order', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    const order = (expenseId: string) =>
      anExpense({ expenseId, kind: 'commitment', amount: { minor: half, currency: 'EUR' } });
    await h.expense(order('po-2'));
    await h.expense(
      anExpense({ expenseId: 'inv-2', settles: 'po-2', amount: { minor: half, currency: 'EUR' } }),
    );
    // Committed beside the settled one: reopened, po-2 would take the committed total past the limit.
    await h.expense(order('po-1'));

    await h.voidExpense({ expenseId: 'inv-2', budgetId: 'bud-1', reason: 'booked twice' });

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({
      [counter.committed('radio')]: half,
      [counter.actual('radio')]: half,
    });
    expect(ledger.states.find((s) => s.expenseId === 'po-2')?.settledBy).toEqual(['inv-2']);
    expect(ledger.refused).toEqual([
      expect.objectContaining({ expenseId: 'inv-2', change: 'voided', total: 'committed radio' }),
    ]);
  });

  it("refuses for good the order an invoice of another budget released, when the invoice's void would take it back past it: the void handled, its redelivery too", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.budget(aBudget({ budgetId: 'bud-2' }));
    const order = (expenseId: string) =>
      anExpense({ expenseId, kind: 'commitment', amount: { minor: half, currency: 'EUR' } });
    await h.expense(order('po-1'));
    // Booked to bud-2, the invoice releases po-1 in bud-1.
    await h.expense(
      anExpense({
        expenseId: 'inv-1',
        budgetId: 'bud-2',
        settles: 'po-1',
        amount: { minor: half, currency: 'EUR' },
      }),
    );
    // Committed beside the released one: taken back, po-1 would take the committed total past the limit.
    await h.expense(order('po-2'));
    const voided = { expenseId: 'inv-1', budgetId: 'bud-2', reason: 'booked twice' };
    const meta = { occurredAt: '2027-01-01T09:00:00.000Z', eventId: 'evt-void' };

    await h.voidExpense(voided, meta);
    await h.voidExpense(voided, meta);

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.committed('radio')]: half });
    expect(ledger.states.filter(isCounted).map((s) => s.expenseId)).toEqual(['po-2']);
    expect(ledger.refused).toEqual([
      expect.objectContaining({
        expenseId: 'po-1',
        change: 'recorded',
        total: 'committed radio',
        reason: `committed radio would pass ${totalLimit}, the largest total Backline keeps`,
      }),
    ]);
    expect((await h.ledger('bud-2')).totals).toEqual({});
    h.setNow('2027-03-30T07:00:00.000Z');
    await h.reconcile('2027-03-30');
    expect(h.events('Budget Reconciled')).toHaveLength(2);
    expect(h.events('Budget Drift Repaired')).toEqual([]);
  });

  it("takes the word of an order's own budget into a budget whose totals are at it: the word adds to no total, and the reconciliation runs to its end", async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    for (const budgetId of ['bud-1', 'bud-2', 'bud-3']) await h.budget(aBudget({ budgetId }));
    await h.expense(
      anExpense({ expenseId: 'po-video', kind: 'commitment', amount: eur(50_000), recoupable: artistInFull }),
    );
    // bud-2 spends the largest total on ads, and the crew's 220.00 USD (no rate yet) names the order.
    await h.expense(
      anExpense({ expenseId: 'inv-ads', budgetId: 'bud-2', lineId: 'ads', amount: eur(totalLimit) }),
    );
    await h.expense(
      anExpense({
        expenseId: 'inv-crew',
        budgetId: 'bud-2',
        settles: 'po-video',
        date: '2027-03-04',
        amount: { minor: 22_000, currency: 'USD' },
        recoupable: artistInFull,
      }),
    );
    // The director's invoice, booked to bud-3, releases the order in bud-1: it holds its share no more.
    await h.expense(
      anExpense({
        expenseId: 'inv-director',
        budgetId: 'bud-3',
        settles: 'po-video',
        amount: eur(30_000),
        recoupable: artistInFull,
      }),
    );
    h.setNow('2027-03-06T07:00:00.000Z');

    await h.reconcile('2027-03-06');

    const ledger = await h.ledger('bud-2');
    expect(ledger.states.find((s) => s.expenseId === 'po-video')?.heldAtHome).toBe(false);
    expect(ledger.states.find((s) => s.expenseId === 'inv-crew')?.recoupable?.amount).toEqual({
      minor: 22_000,
      currency: 'USD',
    });
    expect(ledger.totals[counter.actual('ads')]).toBe(totalLimit);
    expect(ledger.refused).toEqual([]);
    expect(h.events('Budget Reconciled')).toHaveLength(3);
  });

  it("refuses for good, when the totals lag a ledger past it, the expense received last that takes it past: the reconciliation's repair counts the rest and the day is kept", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ expenseId: 'exp-1', amount: eur(half) }));
    // exp-2 stored as counted with its totals lost (drift): the ledger's radio actual passes the limit.
    const version = {
      expenseId: 'exp-2',
      at: '2027-01-01T09:00:00.000Z#evt-lost',
      change: 'recorded' as const,
      data: anExpense({ expenseId: 'exp-2', amount: eur(half) }),
      receivedAt: '2027-01-01T09:00:01.000Z',
    };
    const state = evaluate(
      withVersion(emptyState('exp-2', version.receivedAt), version),
      await h.store.getBudget('lbl-1', 'bud-1'),
      () => undefined,
    );
    await h.store.writeLedger('lbl-1', 'bud-1', { versions: [version], states: [state], delta: {} });
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    const ledger = await h.ledger('bud-1');
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half });
    expect(ledger.states.filter(isCounted).map((s) => s.expenseId)).toEqual(['exp-1']);
    expect(ledger.refused).toEqual([
      expect.objectContaining({ expenseId: 'exp-2', total: 'actual radio', change: 'recorded' }),
    ]);
    expect(h.events('Budget Reconciled').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({ actual: eur(half) }),
    ]);
  });

  it('refuses an expense of more versions than one write takes, those that do not make its state first: stopped between, it counts as before, and the Budget Set delivered again refuses the rest', async () => {
    const h = budgetsHarness();
    await h.expense(anExpense({ expenseId: 'exp-1', amount: eur(half) }));
    // Recorded and amended 59 times, held for the budget: 60 versions, each two items of a refusal.
    h.setNow('2027-01-01T08:01:00.000Z');
    await h.expense(anExpense({ expenseId: 'exp-2', amount: eur(1_000) }));
    for (let n = 1; n < 60; n++) {
      h.setNow(new Date(Date.parse('2027-01-01T08:01:00.000Z') + n * 1000).toISOString());
      await h.amend(anExpense({ expenseId: 'exp-2', amount: eur(n === 59 ? half : 1_000 + n) }));
    }
    // The second write of refusals (after the first 49) throttled, as DynamoDB throttles it.
    const writeLedger = h.store.writeLedger.bind(h.store);
    let refusing = 0;
    h.store.writeLedger = async (labelId, budgetId, write) => {
      if (write.refused?.length && ++refusing === 2)
        throw new Error('ProvisionedThroughputExceededException');
      return writeLedger(labelId, budgetId, write);
    };
    const set = await h.budget(aBudget()).then(
      () => 'handled',
      () => 'threw',
    );
    const stopped = await h.ledger('bud-1');

    await h.budget(aBudget());

    expect(set).toBe('threw');
    expect([stopped.versions.length, stopped.refused.length]).toEqual([1 + 11, 49]);
    // What is left of exp-2 makes its state as stored: its latest amendment, held, nothing counted.
    const left = stopped.versions.filter((v) => v.expenseId === 'exp-2');
    expect(left.map((v) => v.data?.amount.minor)).toContain(half);
    expect(stopped.states.find((s) => s.expenseId === 'exp-2')).toMatchObject({ contribution: {} });
    // The recount counts exp-1 once exp-2 is refused: nothing yet.
    expect(stopped.totals).toEqual({});
    const ledger = await h.ledger('bud-1');
    expect(ledger.versions.map((v) => v.expenseId)).toEqual(['exp-1']);
    expect(ledger.refused).toHaveLength(60);
    expect(ledger.totals).toEqual({ [counter.actual('radio')]: half });
  });

  it('repairs a running total stored past it (before it was kept) that the ledger does not sum to, stating what it held as the largest total: the day is kept', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    await h.expense(anExpense({ amount: eur(10_000) }));
    // As DynamoDB added totals before the limit was kept: read back as the nearest number, 10^16.
    h.store.totals.get(JSON.stringify(['lbl-1', 'bud-1']))!.counters[counter.actual('radio')] = 1e16;
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    expect((await h.ledger('bud-1')).totals).toEqual({ [counter.actual('radio')]: 10_000 });
    expect(driftStated(h, 'bud-1')).toEqual([{ total: 'actual radio', was: totalLimit, ledger: 10_000 }]);
    expect(h.events('Budget Reconciled')).toHaveLength(1);
  });

  it("refuses for good, when the budget is set after them, the expenses whose recoupable artists' totals would not fit their item, the latest received first, and counts the rest", async () => {
    const h = budgetsHarness();
    // Artists of 128-character ids JSON writes as six bytes a character: about 760 bytes a total, so
    // about 530 fill the 400 KB of the totals' item.
    const artistId = (n: number) => `${String(n).padStart(6, '0')}${'\u0001'.repeat(122)}`;
    for (let n = 0; n < 560; n++) {
      h.setNow(new Date(Date.parse('2027-01-01T08:00:00.000Z') + n * 1000).toISOString());
      await h.expense(
        anExpense({
          expenseId: `exp-${n}`,
          recoupable: { artist: { artistId: artistId(n), name: `Artist ${n}` }, sharePercent: 50 },
        }),
      );
    }

    await h.budget(aBudget());

    const ledger = await h.ledger('bud-1');
    const counted = ledger.states.filter(isCounted).map((s) => Number(s.expenseId.slice(4)));
    const refused = ledger.refused.map((r) => Number(r.expenseId.slice(4)));
    expect(counted.length + refused.length).toBe(560);
    expect(refused.length).toBeGreaterThan(0);
    // What fits is counted in the order received: every refused expense came after every counted one.
    expect(Math.min(...refused)).toBeGreaterThan(Math.max(...counted));
    expect(ledger.refused[0].reason).toMatch(/does not fit: a budget's running totals are one item/);
    expect(await h.store.heldExpenses(undefined, '2027-01-02')).toEqual([]);
  });

  it("refuses for good, when the totals lag a ledger whose recoupable artists' totals would not fit their item, the latest received that add one: the repair counts the rest and the day is kept", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget());
    // As above: about 760 bytes a total, about 530 fill the item. 500 counted as they come.
    const artistId = (n: number) => `${String(n).padStart(6, '0')}${'\u0001'.repeat(122)}`;
    const recoupable = (n: number) => ({
      expenseId: `exp-${n}`,
      recoupable: { artist: { artistId: artistId(n), name: `Artist ${n}` }, sharePercent: 50 },
    });
    for (let n = 0; n < 500; n++) {
      h.setNow(new Date(Date.parse('2027-01-01T08:00:00.000Z') + n * 1000).toISOString());
      await h.expense(anExpense(recoupable(n)));
    }
    // 60 more stored as counted with their totals lost (drift): the ledger's artists no longer fit.
    const budget = await h.store.getBudget('lbl-1', 'bud-1');
    for (let n = 500; n < 560; n++) {
      const receivedAt = new Date(Date.parse('2027-01-02T08:00:00.000Z') + n * 1000).toISOString();
      const version = {
        expenseId: `exp-${n}`,
        at: `${receivedAt}#evt-lost-${n}`,
        change: 'recorded' as const,
        data: anExpense(recoupable(n)),
        receivedAt,
      };
      const state = evaluate(
        withVersion(emptyState(`exp-${n}`, receivedAt), version),
        budget,
        () => undefined,
      );
      await h.store.writeLedger('lbl-1', 'bud-1', { versions: [version], states: [state], delta: {} });
    }
    h.setNow('2027-03-30T07:00:00.000Z');

    await h.reconcile('2027-03-30');

    const ledger = await h.ledger('bud-1');
    const refused = ledger.refused.map((r) => Number(r.expenseId.slice(4)));
    expect(refused.length).toBeGreaterThan(0);
    // The latest received are refused: every one of them was lost, and none of the 500 counted first.
    expect(Math.min(...refused)).toBeGreaterThanOrEqual(500);
    expect(ledger.states.filter(isCounted)).toHaveLength(560 - refused.length);
    expect(ledger.refused[0].reason).toMatch(/does not fit: a budget's running totals are one item/);
    expect(h.events('Budget Reconciled')).toHaveLength(1);
  });
});
