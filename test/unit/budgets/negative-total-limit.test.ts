import { describe, expect, it } from 'vitest';
import { counter, settlementLine, totalLimit } from '#shared/budgets/ledger.ts';
import { settlementEntryId } from '#shared/db/budgets.ts';
import { TourShowSettled } from '#shared/events/index.ts';
import { aTourBudget, budgetsHarness } from '#test/support/budgets-harness.ts';

/** Half the largest total kept, and a minor unit more: two of them pass it. */
const half = Math.floor(totalLimit / 2) + 1;
const income = counter.income(settlementLine.lineId);

/** A show of the tour settled at a loss for the artist: `net` (negative) in `currency`. */
const aLoss = (showId: string, net: number, currency = 'EUR') => ({
  ...TourShowSettled.sample,
  tourId: 'tour-eu',
  showId,
  settledAt: '2027-05-15T01:30:00+02:00',
  gross: { minor: 0, currency },
  deductions: [],
  artistNet: { minor: net, currency },
});

// The largest total kept holds both ways (docs/design.md#money): a show's settlement may be a loss, and
// an income total taken below its negative is refused for good and listed, as a total past it is.
describe('a show settlement that would take the income total below the negative of the largest kept', () => {
  it('is refused for good: kept apart and listed, nothing of it counted, and the event handled', async () => {
    const h = budgetsHarness();
    await h.budget(aTourBudget());
    await h.settle(aLoss('show-berlin', -half));

    await h.settle(aLoss('show-paris', -half));

    const ledger = await h.ledger('bud-tour');
    expect(ledger.totals).toEqual({ [income]: -half });
    expect(ledger.refused).toEqual([
      expect.objectContaining({
        expenseId: settlementEntryId('tour-eu', 'show-paris'),
        total: 'income show-settlement',
        reason: `income show-settlement would pass -${totalLimit}, the smallest total Backline keeps`,
      }),
    ]);
  });

  it("is refused for good when the manager's rate for its date takes its conversion below it", async () => {
    const h = budgetsHarness();
    await h.budget(aTourBudget());
    await h.store.putRates('2027-05-15', { 'GBP/EUR': '10000000' }, '2027-05-14T00:00:00.000Z');

    // -10,000,000.00 GBP at 10,000,000 euros a pound: -10^16 euro cents.
    await h.settle(aLoss('show-london', -1_000_000_000, 'GBP'));

    const ledger = await h.ledger('bud-tour');
    expect(ledger.totals).toEqual({});
    expect(ledger.refused.map((r) => [r.expenseId, r.total])).toEqual([
      [settlementEntryId('tour-eu', 'show-london'), 'income show-settlement'],
    ]);
  });
});
