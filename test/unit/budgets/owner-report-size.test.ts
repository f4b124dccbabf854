import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { budgetTemplates } from '#shared/mail/budget-templates.ts';
import { templateDataJson, templateDataLimit } from '#shared/mail/data.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

interface ReportData {
  html: { notListed: string };
  text: {
    held: string[];
    summary: string;
    rows: { budgetId: string; status: string }[];
    unconverted: string[];
    notListed: string;
  };
}

/** SES refuses a template mail whose data passes templateDataLimit (SES v2's 262,144 characters). */
describe("an owner's report of more budgets than one mail's template data holds (docs/design.md#budgets)", () => {
  it('is sent within the limit: every budget over its plan listed, with its expenses that need a rate, and the rest on track counted', async () => {
    const h = budgetsHarness();
    const total = 400;
    const ids = Array.from(
      { length: total },
      (_, i) => `bud-2027-world-tour-leg-${String(i).padStart(3, '0')}`,
    );
    // Five budgets over their plan (spread through the ids), each with an invoice in dollars no rate converts.
    const over = ids.filter((_, i) => i % 80 === 79);
    for (const budgetId of ids) await h.budget(aBudget({ budgetId }));
    for (const budgetId of over) {
      await h.expense(
        anExpense({ expenseId: `${budgetId}-stage`, budgetId, amount: { minor: 120_000, currency: 'EUR' } }),
      );
      await h.expense(
        anExpense({ expenseId: `${budgetId}-lights`, budgetId, amount: { minor: 5_000, currency: 'USD' } }),
      );
    }
    await h.reconcile('2027-03-03');
    await h.report('2027-03-03');

    const reports = h.received().filter((m) => m.kind === 'budget-report');
    expect(reports).toHaveLength(1);
    const data = reports[0].data as ReportData;
    const listed = data.text.rows.map((r) => r.budgetId);
    expect(templateDataJson(data).length).toBeLessThanOrEqual(templateDataLimit);
    expect(data.text.summary).toBe(
      `${total} budgets reconciled before this report, ${over.length} at risk or over; a budget of yours reconciled after it is in a later report, once it changes or is at risk`,
    );
    expect(over.filter((id) => !listed.includes(id))).toEqual([]);
    expect(
      over.filter((id) => !data.text.unconverted.some((line) => line.startsWith(`${id}: ${id}-lights`))),
    ).toEqual([]);
    expect(listed.length).toBeLessThan(total);
    expect(data.text.notListed).toBe(
      `and ${total - listed.length} more budgets on track, not listed here: this mail has room for no more; each budget's view has its figures`,
    );
    // What the owner reads (SES fills the templates in unescaped: the html view is escaped already).
    const [template] = budgetTemplates.filter((t) => t.name === reports[0].template);
    const render = (body: string) => Handlebars.compile(body, { noEscape: true })(data);
    expect(render(template.text)).toContain(`\n${data.text.notListed}\n`);
    expect(render(template.html)).toContain(`<p>${data.html.notListed}</p>`);
  });

  it('lists the held expenses after the budgets over their plan and before those on track, counting the ones it has no room for', async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    const ids = Array.from(
      { length: 100 },
      (_, i) => `bud-2027-world-tour-leg-${String(i).padStart(3, '0')}`,
    );
    for (const budgetId of ids) await h.budget(aBudget({ budgetId }));
    await h.expense(anExpense({ budgetId: ids[99], amount: { minor: 120_000, currency: 'EUR' } }));
    // A label's importer that booked a year of invoices to a budget it never sent.
    const heldCount = 1_000;
    for (let i = 0; i < heldCount; i++)
      await h.expense(
        anExpense({
          expenseId: `exp-${String(i).padStart(4, '0')}`,
          budgetId: 'bud-2027-world-tour-leg-1o1',
          vendor: 'Reykjavik Studio Services ehf. (mastering and lacquer cutting)',
        }),
      );
    h.setNow('2027-03-09T07:30:00.000Z');
    await h.reconcile('2027-03-09');
    await h.report('2027-03-09');

    const [report] = h.received().filter((m) => m.kind === 'budget-report');
    const data = report.data as ReportData;
    const listedHeld = data.text.held.length - 1;
    expect(templateDataJson(data).length).toBeLessThanOrEqual(templateDataLimit);
    expect(data.text.rows.map((r) => r.budgetId)).toEqual([ids[99]]);
    expect(data.text.notListed).toBe(
      "and 99 more budgets on track, not listed here: this mail has room for no more; each budget's view has its figures",
    );
    expect(listedHeld).toBeGreaterThan(100);
    expect(data.text.held[0]).toMatch(
      /^exp-0000 \(Reykjavik Studio Services ehf. \(mastering and lacquer cutting\), 2027-03-02\) 100\.00 EUR for budget/,
    );
    expect(data.text.held.at(-1)).toBe(
      `and ${(heldCount - listedHeld).toLocaleString('en')} more not listed here: this mail has room for no more`,
    );
  });
});
