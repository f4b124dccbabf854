import { describe, expect, it } from 'vitest';
import { BudgetSet } from '#shared/events/index.ts';
import { aBudget, budgetsHarness } from '#test/support/budgets-harness.ts';

const at = '2027-03-01T09:00:00.000Z';

describe('two Budget Sets with the same label timestamp', () => {
  for (const order of [
    ['evt-a', 'evt-b'],
    ['evt-b', 'evt-a'],
  ])
    it(`keeps the terms of the later event id, as an expense's versions tie, whichever arrives first (${order.join(' then ')})`, async () => {
      const h = budgetsHarness({ now: '2027-03-01T10:00:00.000Z' });
      const terms = { 'evt-a': aBudget({ thresholds: [50] }), 'evt-b': aBudget({ thresholds: [90] }) };

      for (const eventId of order)
        await h.deliver(BudgetSet, terms[eventId as keyof typeof terms], { occurredAt: at, eventId });

      expect((await h.store.getBudget('lbl-1', 'bud-1'))?.thresholds).toEqual([90]);
    });
});
