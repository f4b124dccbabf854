import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { aLabel } from '#test/support/announcing.ts';
import {
  aBudgetBody,
  aTourBudgetBody,
  getJson,
  managerDate,
  managerTimeZone,
  plusDays,
  sendLabelEvent,
} from '#test/support/budgets-cloud.ts';
import { api, uniqueId, waitFor } from '#test/support/cloud.ts';

/** The manager's reads of budgets and the rate table, on the local cloud. */
describe('budget routes on the local cloud', () => {
  it('lists budgets by scope, shows totals and flagged expenses, exports the ledger as neutralised CSV and sums recoupable spend', async () => {
    const label = await aLabel();
    const today = await managerDate();
    const tourId = uniqueId('tour');
    const budget = aTourBudgetBody(tourId);
    const other = aBudgetBody({
      currency: 'GBP',
      lines: [{ lineId: 'travel', category: 'travel', planned: { minor: 100_000, currency: 'GBP' } }],
    });
    const expense = (expenseId: string, overrides: Record<string, unknown> = {}) => ({
      expenseId,
      budgetId: budget.budgetId,
      lineId: 'travel',
      vendor: '=HYPERLINK("http://evil.example")',
      invoiceNumber: 'INV-1',
      date: today,
      amount: { minor: 10_000, currency: 'GBP' },
      kind: 'actual',
      recoupable: { artist: { artistId: 'art-night', name: 'Night Drive' }, sharePercent: 50 },
      ...overrides,
    });
    await sendLabelEvent(label, 'budget.set', budget);
    await sendLabelEvent(label, 'budget.set', other);
    await sendLabelEvent(label, 'expense.recorded', expense('exp-1'));
    await sendLabelEvent(
      label,
      'expense.recorded',
      expense('exp-2', { amount: { minor: 2_000, currency: 'GBP' } }),
    );
    await sendLabelEvent(
      label,
      'expense.recorded',
      expense('exp-3', { invoiceNumber: 'INV-3', amount: { minor: 1_000, currency: 'CHF' } }),
    );

    const view = await waitFor(
      async () => {
        const { status, body } = await getJson<{
          expenses: number;
          totals: { actual: number };
          possibleDuplicates: unknown[];
          unconverted: { expenseId: string }[];
        }>(`/labels/${label.id}/budgets/${budget.budgetId}`);
        // Expenses that arrive with their budget are counted again once it is stored: wait for that too.
        const counted = body.expenses === 3 && body.totals.actual === 12_000 && body.unconverted.length === 1;
        return status === 200 && counted ? body : undefined;
      },
      { timeoutMs: 20_000, what: 'the three expenses, counted' },
    );
    const listed = await getJson<{ budgets: { budgetId: string }[] }>(
      `/labels/${label.id}/budgets?scope=tour&scopeId=${tourId}`,
    );
    const all = await getJson<{ budgets: { budgetId: string }[] }>(`/labels/${label.id}/budgets`);
    const csv = await api(`/labels/${label.id}/budgets/${budget.budgetId}/ledger`, {
      headers: { accept: 'text/csv' },
    });
    const recoupable = await getJson<{ recoupable: { currency: string; minor: number }[] }>(
      `/labels/${label.id}/artists/art-night/recoupable`,
    );
    const missing = await api(`/labels/${label.id}/budgets/${uniqueId('bud')}`);

    expect(view.totals.actual).toBe(12_000);
    // One row per expense carrying the invoice (docs/design.md#budgets).
    expect(view.possibleDuplicates).toEqual(
      ['exp-1', 'exp-2'].map((expenseId) => ({
        vendor: '=HYPERLINK("http://evil.example")',
        invoiceNumber: 'INV-1',
        budgetId: budget.budgetId,
        expenseId,
      })),
    );
    expect(view.unconverted.map((u) => u.expenseId)).toEqual(['exp-3']);
    expect(listed.body.budgets.map((b) => b.budgetId)).toEqual([budget.budgetId]);
    expect(all.body.budgets.map((b) => b.budgetId).sort()).toEqual([budget.budgetId, other.budgetId].sort());
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toMatch(/^expenseId,version,change,counted/);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(text).not.toMatch(/,=HYPERLINK/);
    // The CHF expense has no rate yet: its share is counted apart, in CHF.
    expect(recoupable.body.recoupable).toHaveLength(2);
    expect(recoupable.body.recoupable).toEqual(
      expect.arrayContaining([
        { currency: 'GBP', minor: 6_000 },
        { currency: 'CHF', minor: 500 },
      ]),
    );
    expect(missing.status).toBe(404);
  });

  it("filters a budget's ledger by date with the moved and voided rows of an expense that left it, on the manager's day they happened", async () => {
    const label = await aLabel();
    const today = await managerDate();
    const left = aBudgetBody();
    const home = aBudgetBody();
    const expense = (budgetId: string) => ({
      expenseId: 'exp-left',
      budgetId,
      lineId: 'radio',
      vendor: 'Airplay Partners',
      // Dated weeks before it moved: only the move and the void happened today.
      date: plusDays(today, -20),
      amount: { minor: 10_000, currency: 'EUR' },
      kind: 'actual',
    });
    await sendLabelEvent(label, 'budget.set', left);
    await sendLabelEvent(label, 'budget.set', home);
    await sendLabelEvent(label, 'expense.recorded', expense(left.budgetId), 1);
    await sendLabelEvent(label, 'expense.amended', expense(home.budgetId), 2);
    await sendLabelEvent(label, 'expense.voided', { expenseId: 'exp-left', budgetId: home.budgetId }, 3);
    type Entry = { change: string; version: string; date?: string };
    const ledger = (query = '') =>
      getJson<{ entries: Entry[] }>(`/labels/${label.id}/budgets/${left.budgetId}/ledger${query}`);
    const all = await waitFor(
      async () => {
        const { body } = await ledger();
        return body.entries?.length === 3 ? body.entries : undefined;
      },
      { timeoutMs: 20_000, what: 'the recorded, moved and voided rows of the budget it left' },
    );
    // The manager's day of the label's timestamp of each change (the version is that timestamp#event id).
    const dayOf = (change: string) =>
      Temporal.Instant.from(all.find((e) => e.change === change)!.version.split('#')[0])
        .toZonedDateTimeISO(managerTimeZone())
        .toPlainDate()
        .toString();

    const filtered = await ledger(`?from=${dayOf('moved')}&to=${dayOf('voided')}`);

    expect(all.map((e) => [e.change, e.date])).toEqual([
      ['recorded', plusDays(today, -20)],
      ['moved', dayOf('moved')],
      ['voided', dayOf('voided')],
    ]);
    expect(filtered.body.entries.map((e) => e.change)).toEqual(['moved', 'voided']);
  });

  it('answers a label that does not exist with 404 label not found, where a known label with nothing yet has an empty list', async () => {
    const label = await aLabel();
    const unknown = uniqueId('label');

    const answers = await Promise.all(
      [
        `/labels/${unknown}/budgets`,
        `/labels/${unknown}/artists/art-1/recoupable`,
        `/labels/${unknown}/budgets/b1`,
        `/labels/${unknown}/tours/t1`,
        `/labels/${label.id}/budgets`,
        `/labels/${label.id}/budgets/b1`,
      ].map((path) => getJson<{ message?: string; budgets?: unknown[] }>(path)),
    );

    expect(answers.map(({ status, body }) => [status, body.message ?? body.budgets])).toEqual([
      [404, 'label not found'],
      [404, 'label not found'],
      [404, 'label not found'],
      [404, 'label not found'],
      [200, []],
      [404, 'budget not found'],
    ]);
  });

  it('keeps the rates of a day, and refuses a bad pair or rate naming the field, changing nothing', async () => {
    const date = '2003-04-05';

    const put = await getJson(`/fx-rates/${date}`, {
      method: 'PUT',
      json: { rates: { 'GBP/USD': '1.2534', 'EUR/JPY': '161.5' } },
    });
    const badRate = await getJson<{ issues?: { path: string }[] }>(`/fx-rates/${date}`, {
      method: 'PUT',
      json: { rates: { 'GBP/USD': 1.3 } },
    });
    const badPair = await getJson<{ issues?: { path: string }[] }>(`/fx-rates/${date}`, {
      method: 'PUT',
      json: { rates: { 'GBP-USD': '1.3' } },
    });
    const badDate = await api('/fx-rates/2003-02-30');
    const read = await getJson<{ rates: Record<string, string> }>(`/fx-rates/${date}`);

    expect(put.status).toBe(200);
    expect([badRate.status, badPair.status, badDate.status]).toEqual([400, 400, 400]);
    expect(JSON.stringify(badRate.body)).toContain('rates.GBP/USD');
    expect(JSON.stringify(badPair.body)).toContain('rates.GBP-USD');
    expect(read.body.rates).toEqual({ 'GBP/USD': '1.2534', 'EUR/JPY': '161.5' });
  });
});
