import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';
import { consolePageOver } from '#test/support/console.ts';
import { InMemoryLabels } from '#test/support/intake.ts';

describe("the local console's budgets", () => {
  it("dates a threshold crossed on the manager's day, as the alert mail and the reconciliation do, not UTC's", async () => {
    // Tokyo: the reconciliation of 2 March runs at 07:00 there, 22:00 UTC on 1 March.
    const timeZone = 'Asia/Tokyo';
    const h = budgetsHarness({ timeZone, now: '2027-03-01T22:00:00.000Z' });
    await h.budget(aBudget());
    await h.expense(anExpense({ amount: { minor: 85_000, currency: 'EUR' } }));
    await h.reconcile('2027-03-02');
    const route = budgetRoutes({
      budgets: h.store,
      labels: new InMemoryLabels(),
      now: () => new Date('2027-03-01T22:05:00Z'),
      timeZone,
    }).find((r) => r.method === 'GET' && r.path === '/labels/{labelId}/budgets/{budgetId}')!;
    const answer = await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      headers: {},
      isBase64Encoded: false,
      pathParameters: { labelId: 'lbl-1', budgetId: 'bud-1' },
    } as never);

    const page = await consolePageOver(
      [{ detailType: 'Budget Set', labelId: 'lbl-1', data: { budgetId: 'bud-1' } }],
      () => JSON.parse(answer.body as string),
      { now: '2027-03-01T22:05:00Z', timeZone },
    );
    const mail = h.received().filter((m) => m.kind === 'threshold-crossed');

    // 850.00 of 1,000.00 EUR: the 50 % and 80 % alerts, the day's one warning (at 80 %) mailed as of 2 March.
    expect(mail.map((m) => (m.data as { text: { detail: string } }).text.detail)).toEqual([
      expect.stringContaining('On 2027-03-02'),
    ]);
    expect(page).toContain('reconciled 2027-03-02');
    expect(page).toMatch(/80 % crossed <small>2027-03-02<\/small>/);
  });
});

/** A budget's view as the office answers it: 900.00 EUR spent of 1,000.00 EUR planned, with `changes`. */
const budgetView = (changes: Record<string, unknown> = {}) => ({
  budgetId: 'bud-1',
  scope: { kind: 'release', id: 'night-drive' },
  owner: { name: 'Mara Quinn', email: 'mara@label.example' },
  totals: {
    currency: 'EUR',
    planned: 100_000,
    committed: 0,
    actual: 90_000,
    income: 0,
    remaining: 10_000,
    usedPercent: 90,
    vat: 0,
    recoupable: {},
    unconverted: {},
  },
  thresholdsCrossed: [],
  lastReconciled: null,
  expenses: 2,
  ...changes,
});

describe("the local console's budget bar", () => {
  it("states a tour budget's income from its shows, which the money left counts", async () => {
    // 900.00 EUR spent of 1,000.00 EUR planned, and a show settled for 4,000.00 EUR: 4,100.00 EUR left.
    const view = budgetView({
      scope: { kind: 'tour', id: 'spring' },
      totals: { ...budgetView().totals, income: 400_000, remaining: 410_000 },
    });
    const page = await consolePageOver(
      [{ detailType: 'Budget Set', labelId: 'lbl-1', data: { budgetId: 'bud-1' } }],
      () => view,
    );

    expect(page).toContain(
      '900.00 EUR of 1,000.00 EUR <small>(900.00 EUR spent, 0.00 EUR committed, 4,000.00 EUR income; 4,100.00 EUR left)</small>',
    );
  });

  it('says when the owner can no longer be warned by mail, as the budget view marks it', async () => {
    const view = budgetView({
      ownerUnreachable: { reason: 'complaint', mail: 'budget-report', since: '2027-02-02T07:31:00.000Z' },
    });

    const page = await consolePageOver(
      [{ detailType: 'Budget Set', labelId: 'lbl-1', data: { budgetId: 'bud-1' } }],
      () => view,
    );

    expect(page).toContain(
      'owner unreachable since 2027-02-02T07:31:00.000Z: their budget-report mail drew a complaint; no alert or report reaches Mara Quinn &lt;mara@label.example&gt; by mail until a new owner is set',
    );
  });
});
