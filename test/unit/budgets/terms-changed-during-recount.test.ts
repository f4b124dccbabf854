import { describe, expect, it } from 'vitest';
import { counter, sum } from '#shared/budgets/ledger.ts';
import {
  aBudget,
  anExpense,
  anOrderReleasedFromBud3,
  artistInFull,
  budgetsHarness,
} from '#test/support/budgets-harness.ts';

/** bud-1 in pounds: the same two lines, radio 600.00 GBP and ads 400.00 GBP. */
const inPounds = () =>
  aBudget({
    currency: 'GBP',
    lines: [
      { lineId: 'radio', category: 'radio-plugging', planned: { minor: 60_000, currency: 'GBP' } },
      { lineId: 'ads', category: 'advertising', planned: { minor: 40_000, currency: 'GBP' } },
    ],
  });

type Harness = ReturnType<typeof budgetsHarness>;

/**
 * bud-1's terms set in pounds at `at` right before a read of `expenseId`'s state, once `armed()`: they
 * land, and are counted, between a writer's read of the terms and its read of that state. Answers
 * whether they did.
 */
function inPoundsBeforeStateRead(h: Harness, expenseId: string, at: string, armed = () => true) {
  const expenseStates = h.store.expenseStates.bind(h.store);
  let raced = false;
  h.store.expenseStates = async (...args: Parameters<typeof expenseStates>) => {
    if (armed() && !raced && args[2].includes(expenseId)) {
      raced = true;
      await h.budget(inPounds(), at);
    }
    return expenseStates(...args);
  };
  return () => raced;
}

/**
 * bud-1's terms set in pounds at 10:00 right after the first read of bud-1's terms: they land, and are
 * counted, after that reader read the euros' terms. Answers whether they did.
 */
function inPoundsAfterBud1TermsRead(h: Harness) {
  const getBudget = h.store.getBudget.bind(h.store);
  let raced = false;
  h.store.getBudget = async (...args: Parameters<typeof getBudget>) => {
    const terms = await getBudget(...args);
    if (!raced && args[1] === 'bud-1') {
      raced = true;
      await h.budget(inPounds(), '2027-03-01T10:00:00.000Z');
    }
    return terms;
  };
  return () => raced;
}

/** The race happened, and bud-1 is left in pounds with `totals`, the sum of its states' contributions. */
async function expectBud1InPounds(h: Harness, raced: () => boolean, totals: Record<string, number>) {
  expect(raced()).toBe(true);
  const after = await h.ledger('bud-1');
  expect(after.budget?.currency).toBe('GBP');
  expect(after.totals).toEqual(totals);
  expect(after.totals).toEqual(sum(...after.states.map((s) => s.contribution)));
}

// docs/design.md#budgets: an expense is counted under the terms in force; terms set between a write's
// read of them and its write count it again under the terms stored after it. A recount (reevaluate: a
// budget's terms, a new rate) read the terms, then the states: terms set in between were counted first,
// and the recount then wrote the states as the older terms count them, and nothing counted them again.
describe("a budget's terms set again while the recount of its earlier terms runs", () => {
  it('counts the ledger under the terms in force, not the ones the recount read', async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    // The London plugger's invoice (100.00 GBP) arrives before bud-1's terms: held.
    await h.expense(anExpense({ expenseId: 'inv-london', amount: { minor: 10_000, currency: 'GBP' } }));
    // The label sets bud-1 in euros, then at once in pounds (09:01): the pounds' terms land, and are
    // counted, right after the euros' recount read the terms and before it reads the invoice's state.
    let armed = false;
    const raced = inPoundsBeforeStateRead(h, 'inv-london', '2027-03-01T09:01:00.000Z', () => armed);
    const getBudget = h.store.getBudget.bind(h.store);
    let reads = 0;
    h.store.getBudget = async (...args: Parameters<typeof getBudget>) => {
      // setBudget reads the terms once to check they are its own, its recount (reevaluate) once more.
      if (!raced() && ++reads === 2) armed = true;
      return getBudget(...args);
    };

    await h.budget(aBudget({ budgetId: 'bud-1' }), '2027-03-01T09:00:00.000Z');

    // 100.00 GBP spent on radio in a pounds budget, none of it waiting for a rate.
    await expectBud1InPounds(h, raced, { [counter.actual('radio')]: 10_000 });
  });
});

// docs/design.md#budgets: an actual that stops settling a commitment reopens it in the same write, and
// terms set between an expense's read of them and its write count it again under the terms stored
// after the write. Only the expense was counted again: the order its void reopened, written as the
// older terms count it, stayed so.
describe("an invoice voided while the budget's terms are set again, reopening the order it settled", () => {
  it('counts the reopened order under the terms in force', async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }), '2027-03-01T09:00:00.000Z');
    // The video's order (500.00 GBP) and the director's invoice settling it (400.00 GBP), no rate into
    // euros: both counted apart, the order still committed.
    await h.expense(
      anExpense({ expenseId: 'po-video', kind: 'commitment', amount: { minor: 50_000, currency: 'GBP' } }),
    );
    await h.expense(
      anExpense({ expenseId: 'inv-video', settles: 'po-video', amount: { minor: 40_000, currency: 'GBP' } }),
    );
    // The label voids the invoice (10:01); bud-1's terms in pounds (10:00) land, and are counted (the
    // invoice settles the order), right after the void read the euros' terms, before it reads the invoice.
    const raced = inPoundsBeforeStateRead(h, 'inv-video', '2027-03-01T10:00:00.000Z');

    await h.voidExpense(
      { expenseId: 'inv-video', budgetId: 'bud-1', reason: 'Sent in error' },
      { occurredAt: '2027-03-01T10:01:00.000Z' },
    );

    // The order is committed again: 500.00 GBP on radio in a pounds budget, none of it waiting for a rate.
    await expectBud1InPounds(h, raced, { [counter.committed('radio')]: 50_000 });
  });
});

// docs/design.md#budgets: an order of one budget settled by another budget's invoice is released in its
// own (settleAcrossBudgets), counted under that budget's terms. The release read the order's budget's
// terms after the order's state; terms set right after that read were counted first (the order, released,
// counted nothing under them either), and the release then wrote the order reopened as the older terms
// count it, and nothing counted it again.
describe("an order of one budget taken back by another budget's invoice while its budget's terms are set again", () => {
  it("counts the order back under its budget's terms in force", async () => {
    const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
    await h.budget(aBudget({ budgetId: 'bud-1' }), '2027-03-01T09:00:00.000Z');
    await h.budget(aBudget({ budgetId: 'bud-3' }), '2027-03-01T09:00:00.000Z');
    // The video's order (500.00 GBP, no rate into euros) in bud-1, released by the director's invoice in bud-3.
    await anOrderReleasedFromBud3(h, 'GBP');
    // The label voids the director's invoice (10:01): bud-1's terms in pounds (10:00) land, and are
    // counted, right after the release taking the order back read bud-1's terms in euros.
    const raced = inPoundsAfterBud1TermsRead(h);

    await h.voidExpense(
      { expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Sent in error' },
      { occurredAt: '2027-03-01T10:01:00.000Z' },
    );

    // The order is committed again in bud-1: 500.00 GBP on radio in a pounds budget, none of it waiting for a rate.
    await expectBud1InPounds(h, raced, { [counter.committed('radio')]: 50_000 });
  });
});

/**
 * bud-1 and bud-3 in euros; the video's order in bud-1 (500.00 GBP, no rate into euros, the artist's),
 * released by the director's invoice in bud-3 (300.00 EUR), and the crew's invoice in bud-1 naming the
 * order (220.00 USD, no rate yet: its share the artist's while the order holds none). Then the label voids
 * the director's invoice (10:01): bud-1's terms in pounds (10:00) land, and are counted, right after the
 * release taking the order back read bud-1's terms in euros. `dies`: the run dies right after that
 * release's write (Lambda's timeout), and Lambda delivers the void again. Answers bud-1 as it is left.
 */
async function orderTakenBackWhileTermsSet(dies: boolean) {
  const h = budgetsHarness({ now: '2027-03-01T08:00:00.000Z' });
  await h.budget(aBudget({ budgetId: 'bud-1' }), '2027-03-01T09:00:00.000Z');
  await h.budget(aBudget({ budgetId: 'bud-3' }), '2027-03-01T09:00:00.000Z');
  await anOrderReleasedFromBud3(h, 'GBP', artistInFull);
  await h.expense(
    anExpense({
      expenseId: 'inv-crew',
      settles: 'po-video',
      date: '2027-03-04',
      amount: { minor: 22_000, currency: 'USD' },
      recoupable: artistInFull,
    }),
  );
  const raced = inPoundsAfterBud1TermsRead(h);
  const write = h.store.writeLedger.bind(h.store);
  let died = false;
  h.store.writeLedger = async (...args: Parameters<typeof write>) => {
    const written = await write(...args);
    const [, budgetId, ledgerWrite] = args;
    if (!dies || died || budgetId !== 'bud-1' || (ledgerWrite.checks?.length ?? 0) === 0) return written;
    died = true;
    throw new Error('Task timed out after 30.00 seconds');
  };
  const voidTheDirector = () =>
    h.voidExpense(
      { expenseId: 'inv-director', budgetId: 'bud-3', reason: 'Sent in error' },
      { occurredAt: '2027-03-01T10:01:00.000Z', eventId: 'evt-director-voided' },
    );
  await voidTheDirector().catch(voidTheDirector);
  if (!raced() || died !== dies) throw new Error('the scene did not happen as told');
  const bud1 = await h.ledger('bud-1');
  return { bud1, shares: await h.store.recoupable(h.labelId, 'art-1') };
}

// docs/design.md#budgets: a redelivery of a version stored already releases again the orders its versions
// name (releaseAgain) and counts them again under the terms in force. The release of an order held in
// another budget counts it, and the actuals there naming it (`namedBy`), under that budget's terms as it
// read them, and counts them again when those changed meanwhile; a run that died right after the
// release's write lost that, and its redelivery, finding the release made, counted nothing in bud-1.
describe("an order taken back by another budget's invoice while its budget's terms are set again, the run dying after the release", () => {
  it('leaves bud-1 as a run that never died: the order committed in pounds, the crew with no share', async () => {
    const clean = await orderTakenBackWhileTermsSet(false);

    const redelivered = await orderTakenBackWhileTermsSet(true);

    expect(clean.bud1.totals).toEqual({
      [counter.committed('radio')]: 50_000,
      [counter.recoupable('art-1')]: 50_000,
      [counter.unconverted('USD', 'actual')]: 22_000,
    });
    expect(clean.shares).toEqual([
      { budgetId: 'bud-1', expenseId: 'po-video', amount: { minor: 50_000, currency: 'GBP' } },
    ]);
    expect(redelivered.bud1.totals).toEqual(clean.bud1.totals);
    expect(redelivered.bud1.totals).toEqual(sum(...redelivered.bud1.states.map((s) => s.contribution)));
    expect(redelivered.shares).toEqual(clean.shares);
  });
});
