import { describe, expect, it } from 'vitest';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

describe('a budget handed to a new owner', () => {
  it('reports it to the new owner on the first day they hold it, though no figure moved', async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    // 100.00 of 1,000.00 over March: on track, nothing to look at.
    await h.expense(anExpense({ date: '2027-03-02', amount: { minor: 10_000, currency: 'EUR' } }));
    h.setNow('2027-03-03T07:00:00.000Z');
    await h.reconcile('2027-03-03');
    await h.report('2027-03-03');

    await h.budget(
      aBudget({ owner: { name: 'Ben Ortiz', email: 'ben@label.example' } }),
      '2027-03-03T12:00:00.000Z',
    );
    h.setNow('2027-03-04T07:00:00.000Z');
    await h.reconcile('2027-03-04');
    await h.report('2027-03-04');

    const [result] = await h.store.dayResults('2027-03-04', 'lbl-1', 'ben@label.example');
    expect([result?.status, result?.changed]).toEqual(['on-track', true]);
    const reports = h
      .received()
      .filter((m) => m.kind === 'budget-report')
      .map((m) => [m.email, m.subject[2]]);
    expect(reports).toEqual([
      ['mara@label.example', '2027-03-03'],
      ['ben@label.example', '2027-03-04'],
    ]);
  });
});
