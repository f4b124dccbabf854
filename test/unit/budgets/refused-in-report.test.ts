import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { totalLimit } from '#shared/budgets/ledger.ts';
import { budgetTemplates } from '#shared/mail/budget-templates.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/** Half the largest total kept, and a minor unit more: two of them pass it. */
const half = Math.floor(totalLimit / 2) + 1;

/**
 * A version refused for good counts nowhere (docs/design.md#money): the owner's report says so, or the
 * owner, who reads the report and not the budget's view, never learns an invoice went uncounted.
 */
describe("the owner's report of a budget with a version refused for good", () => {
  it('lists the refused version and why, in text and HTML', async () => {
    const h = budgetsHarness({ now: '2027-03-02T12:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ expenseId: 'exp-1', amount: { minor: half, currency: 'EUR' } }));
    await h.expense(anExpense({ expenseId: 'exp-2', amount: { minor: half, currency: 'EUR' } }));
    h.setNow('2027-03-03T07:00:00.000Z');
    await h.reconcile('2027-03-03');
    await h.report('2027-03-03');

    const [report] = h.received().filter((m) => m.kind === 'budget-report');
    const [template] = budgetTemplates.filter((t) => t.name === report.template);
    const line = `bud-1: exp-2 (recorded): actual radio would pass ${totalLimit}, the largest total Backline keeps`;
    expect(Handlebars.compile(template.text)(report.data)).toContain(`Refused, not counted:\n- ${line}`);
    expect(Handlebars.compile(template.html)(report.data)).toContain(`<li>${line}</li>`);
  });
});
