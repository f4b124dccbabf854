import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { OfficeDeps } from '#functions/office/handler.ts';
import { makeHandler, officeRoutes } from '#functions/office/handler.ts';
import { keyOf } from '#shared/db/keys.ts';
import { aBudget, anExpense, aTourBudget, budgetsHarness } from '#test/support/budgets-harness.ts';
import { aLabel, InMemoryLabels } from '#test/support/intake.ts';
import { aRequestTo, expectEveryRouteAt4xxWorst } from '#test/support/route-fuzz.ts';
import { aShow, InMemoryTours, storeTourWithShow } from '#test/support/tours.ts';

/**
 * Every route of the office (budgets, FX rates, tours, shows, guest lists, promoters), driven by the
 * route list its API document is generated from, under random and mutated requests: never a 5xx nor a
 * throw; a 4xx says what is wrong (a 400 each field and why) and changes nothing
 * (docs/design.md#routes-and-auth).
 */
async function anOffice() {
  const labels = new InMemoryLabels(aLabel({ labelId: 'acme' }));
  const h = budgetsHarness({ labelId: 'acme', now: '2027-03-01T08:00:00.000Z' });
  await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
  await h.budget(aTourBudget(), '2027-03-01T00:00:00.000Z');
  await h.expense(anExpense());
  await h.expense(anExpense({ expenseId: 'exp-2', amount: { minor: 5_000, currency: 'USD' } }));
  await h.reconcile('2027-03-03');
  const tours = new InMemoryTours();
  const stored = await storeTourWithShow(tours, aShow(), '2027-01-01T00:00:00.000Z', {
    labelId: 'acme',
    tourId: 'tour-1',
  });
  await tours.savePromoter({
    ...aShow().promoter,
    promoterId: stored.promoterId,
    occurredAt: stored.occurredAt,
  });
  const now = () => new Date('2027-03-05T12:00:00Z');
  const deps: OfficeDeps = {
    apiKey: async () => 'key',
    budgets: { budgets: h.store, labels, now, timeZone: 'UTC' },
    tours: {
      tours,
      labels,
      tourManagerLink: async () => 'https://tm',
      reached: async (mails) => mails.map(() => undefined),
      now,
    },
  };
  return { deps, stores: [labels, h.store, tours], promoterId: stored.promoterId };
}

describe("the office's routes under random and mutated requests", () => {
  it('answers each with a 2xx, or a 4xx saying what is wrong that changes nothing', async () => {
    const { deps, stores, promoterId } = await anOffice();
    const handler = makeHandler(deps);
    const routes = officeRoutes(deps);
    const requests = aRequestTo(routes, {
      ids: {
        labelId: ['acme', 'nope'],
        budgetId: ['bud-1', 'bud-tour'],
        artistId: ['art-1'],
        tourId: ['tour-1'],
        showId: ['show-1'],
        promoterId: [promoterId],
        date: ['2027-03-03', '2027-01-05'],
      },
      listings: [
        'promoters',
        'ledger',
        'unconverted',
        'refused',
        'possibleDuplicates',
        'driftHistory',
        keyOf('BUDGETS', 'acme'),
        keyOf('PROMOTER-SHOWS', promoterId),
      ],
      bodies: {
        'PUT /fx-rates/{date}': { rates: { 'USD/EUR': '0.9200', 'GBP/EUR': '1.1700' } },
        'POST /labels/{labelId}/tours/{tourId}/shows/{showId}/guests': {
          guests: [{ name: 'Alex Doe', plusOnes: 1, note: 'band family' }],
        },
      },
    });

    // One office for every request: the budgets harness is slow to set up.
    await expectEveryRouteAt4xxWorst(routes, requests, fc.constant(undefined), async () => ({
      handler,
      stores,
    }));
  }, 60_000);
});
