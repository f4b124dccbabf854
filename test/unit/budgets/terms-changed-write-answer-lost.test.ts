import { describe, expect, it } from 'vitest';
import { counter, sum } from '#shared/budgets/ledger.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';

// docs/design.md#budgets: terms set between an expense's read of them and its write count it again under
// the terms stored after the write. With the write's answer lost (DynamoDB applied it; the answer never
// came, as the local cloud's dynamodb.accept-then-fail leaves it), the next attempt found its version
// written and stopped there: the expense stayed counted as the older terms count it.
describe("an expense written with its answer lost while the budget's terms are set again", () => {
  it('counts the expense under the terms in force', async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }), '2027-03-01T09:00:00.000Z');
    // The London plugger's invoice (100.00 GBP) in bud-1 in euros, no rate into euros: it would wait for one.
    // bud-1's terms in pounds (10:00) land, and are counted, right after the invoice's write read the
    // euros' terms, before it reads the invoice's state.
    const expenseStates = h.store.expenseStates.bind(h.store);
    let raced = false;
    h.store.expenseStates = async (...args: Parameters<typeof expenseStates>) => {
      if (!raced && args[2].includes('inv-london')) {
        raced = true;
        await h.budget(
          aBudget({
            currency: 'GBP',
            lines: [
              { lineId: 'radio', category: 'radio-plugging', planned: { minor: 60_000, currency: 'GBP' } },
              { lineId: 'ads', category: 'advertising', planned: { minor: 40_000, currency: 'GBP' } },
            ],
          }),
          '2027-03-01T10:00:00.000Z',
        );
      }
      return expenseStates(...args);
    };
    // The invoice's ledger write is applied and its answer lost: refused, as the SDK's retry of it is.
    const lost = refusedOnceAfterLanding(h.store, 'writeLedger', (_label, _budget, write) =>
      write.versions.some((v) => v.expenseId === 'inv-london'),
    );

    await h.expense(anExpense({ expenseId: 'inv-london', amount: { minor: 10_000, currency: 'GBP' } }), {
      occurredAt: '2027-03-01T10:01:00.000Z',
    });

    expect(raced).toBe(true);
    expect(lost()).toBe(true);
    const after = await h.ledger('bud-1');
    expect(after.budget?.currency).toBe('GBP');
    // 100.00 GBP spent on radio in a pounds budget, none of it waiting for a rate.
    expect(after.totals).toEqual({ [counter.actual('radio')]: 10_000 });
    expect(after.totals).toEqual(sum(...after.states.map((s) => s.contribution)));
  });
});
