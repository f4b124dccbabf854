import { describe, expect, it } from 'vitest';
import {
  type Budget,
  counter,
  type ExpenseState,
  type ExpenseVersion,
  emptyState,
  totalLimit,
} from '#shared/budgets/ledger.ts';
import { labelBudgetRow, type ScopeAsked } from '#shared/db/budget-reads.ts';
import {
  type BudgetStore,
  type DayResult,
  type DriftRecord,
  settlementEntryId,
  TotalPastLimitError,
  TotalsItemFullError,
  totalText,
} from '#shared/db/budgets.ts';
import { InvalidCursorError } from '#shared/db/keys.ts';
import {
  BudgetOwnerSuppressed,
  BudgetOwnerUnreachable,
  BudgetReconciled,
  BudgetSet,
  ExpenseRecorded,
  outboxEntry,
  TourShowSettled,
} from '#shared/events/index.ts';
import { aDayResult } from '#test/support/budgets.ts';
import { uniqueId } from '#test/support/cloud.ts';

/**
 * Recoupable totals named by 128-character artist ids JSON writes as six bytes a character: about 760
 * bytes a total, so about 530 fill the totals' item (400 KB).
 */
const artist = (n: number) => counter.recoupable(`${String(n).padStart(6, '0')}${'\u0001'.repeat(122)}`);
const totalsOf = (from: number, count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [artist(from + i), 100]));

/** What every BudgetStore does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts). */
export function describeBudgetStoreContract<S extends BudgetStore>(
  name: string,
  makeStore: () => S,
  inOutbox: (store: S, eventId: string) => Promise<boolean>,
  /**
   * A store whose strong ledger reads run `amid` once it has read a state of an expense: on DynamoDB in
   * pages of one item, as a ledger of over 1 MB is read in pages; the fake's read is one, and runs it after.
   */
  readingAmid: (amid: () => Promise<void>) => S,
) {
  const aBudget = (overrides: Partial<Budget> = {}): Budget => ({
    ...BudgetSet.data.parse(BudgetSet.sample),
    labelId: uniqueId('lbl'),
    budgetId: uniqueId('bud'),
    occurredAt: '2027-01-05T10:00:00.000Z',
    ...overrides,
  });
  const aVersion = (expenseId: string, at = '2027-02-01T10:00:00.000Z#e1'): ExpenseVersion => ({
    expenseId,
    at,
    change: 'recorded',
    data: { ...ExpenseRecorded.data.parse(ExpenseRecorded.sample), expenseId },
    receivedAt: '2027-02-01T10:00:01.000Z',
  });
  const aState = (expenseId: string, overrides: Partial<ExpenseState> = {}): ExpenseState => ({
    ...emptyState(expenseId, '2027-02-01T10:00:01.000Z'),
    contribution: { [counter.actual('radio')]: 1_000 },
    ...overrides,
  });
  /** `version` refused by a recount: it would take actual radio past its limit. */
  const aRefusal = (version: ExpenseVersion) => ({
    expenseId: version.expenseId,
    at: version.at,
    change: version.change,
    total: 'actual radio',
    reason: new TotalPastLimitError('actual radio').message,
    receivedAt: version.receivedAt,
  });
  const aResult = (budget: Budget, date: string): DayResult =>
    aDayResult({
      labelId: budget.labelId,
      budgetId: budget.budgetId,
      date,
      owner: budget.owner,
      scope: budget.scope,
      currency: budget.currency,
      planned: 500_000,
      actual: 1_000,
      remaining: 499_000,
      usedPercent: 0.2,
      forecastAtEnd: 1_000,
    });
  /** Another budget of `budget`'s label, where invoice inv-1 settles order po-1 (its state's revision 1). */
  const anotherSettlingPo1 = async (store: S, budget: Budget) => {
    const other = aBudget({ labelId: budget.labelId });
    await store.writeLedger(budget.labelId, other.budgetId, {
      versions: [],
      states: [aState('po-1', { settledBy: ['inv-1'], contribution: {} })],
      delta: {},
    });
    return other;
  };
  /** The write releasing the order `expenseId` as settled by inv-1 in `other`, read at po-1's `revision` there. */
  const releasedBy = (other: Budget, expenseId: string, revision: number) => ({
    versions: [],
    states: [aState(expenseId, { settledElsewhere: ['inv-1'], contribution: {} })],
    delta: { [counter.committed('radio')]: -1_000 },
    checks: [{ budgetId: other.budgetId, expenseId: 'po-1', revision }],
  });
  /** A bounce of the budget mail `kind` to the owner, as it marks the owner unreachable. */
  const aBounce = (kind: string, at: string) => ({
    address: 'manager@backline.example',
    reason: 'bounce' as const,
    deliveryId: uniqueId('dlv'),
    kind,
    at,
  });
  const unreachable = (deliveryId: string) =>
    outboxEntry(
      BudgetOwnerUnreachable,
      { ...BudgetOwnerUnreachable.sample, deliveryId },
      { source: 'backline.budgets' },
    );
  const reconciled = (budget: Budget, date: string) =>
    outboxEntry(
      BudgetReconciled,
      { ...BudgetReconciled.sample, labelId: budget.labelId, budgetId: budget.budgetId, date },
      { source: 'backline.budgets' },
    );

  /** Every owner listed for the report of `date`, page by page. */
  const reportOwners = async (store: S, date: string) => {
    const owners: { labelId: string; ownerEmail: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.reportOwnersPage(date, cursor, 10);
      owners.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return owners;
  };

  describe(`BudgetStore contract: ${name}`, () => {
    it('writes a version, its state and the totals together, and a repeated version changes nothing', async () => {
      const store = makeStore();
      const budget = aBudget();
      const write = {
        versions: [aVersion('exp-1')],
        states: [aState('exp-1')],
        delta: { [counter.actual('radio')]: 1_000 },
      };

      expect(await store.writeLedger(budget.labelId, budget.budgetId, write)).toBe(true);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, write)).toBe(false);

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(ledger.totals).toEqual({ [counter.actual('radio')]: 1_000 });
      expect(ledger.versions).toHaveLength(1);
      expect(ledger.states.map((s) => [s.expenseId, s.revision])).toEqual([['exp-1', 1]]);
      expect(await store.hasVersion(budget.labelId, budget.budgetId, 'exp-1', aVersion('exp-1').at)).toBe(
        true,
      );
    });

    it('refuses, by the write itself, a write that would take a running total past the limit: nothing written, its refusal kept once', async () => {
      const store = makeStore();
      const budget = aBudget();
      const half = Math.floor(totalLimit / 2) + 1;
      const radio = counter.actual('radio');
      const past = (revision?: number) => ({
        versions: [aVersion('exp-2')],
        states: [aState('exp-2', { contribution: { [radio]: half } })],
        delta: { [counter.vat()]: 100, [radio]: half },
        ...(revision === undefined ? {} : { totalsRevision: revision }),
      });
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [aVersion('exp-1')],
        states: [aState('exp-1', { contribution: { [radio]: half } })],
        delta: { [radio]: half },
      });

      await expect(store.writeLedger(budget.labelId, budget.budgetId, past())).rejects.toThrow(
        new TotalPastLimitError('actual radio'),
      );
      await expect(store.writeLedger(budget.labelId, budget.budgetId, past(1))).rejects.toThrow(
        TotalPastLimitError,
      );
      // At another revision it is that refusal, read again: the limit is judged on the totals read then.
      expect(await store.writeLedger(budget.labelId, budget.budgetId, past(0))).toBe(false);
      // Taking a total down within the limit is never refused, and what it frees is taken again.
      expect(
        await store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [],
          states: [{ ...aState('exp-1', { contribution: { [radio]: 1 } }), revision: 1 }],
          delta: { [radio]: 1 - half },
        }),
      ).toBe(true);

      const refusal = {
        expenseId: 'exp-2',
        at: aVersion('exp-2').at,
        change: 'recorded' as const,
        total: 'actual radio',
        reason: new TotalPastLimitError('actual radio').message,
        receivedAt: '2027-02-01T10:00:02.000Z',
      };
      await store.keepRefused(budget.labelId, budget.budgetId, refusal);
      await store.keepRefused(budget.labelId, budget.budgetId, refusal);
      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(ledger.totals).toEqual({ [radio]: 1 });
      expect(ledger.totalsRevision).toBe(2);
      expect(ledger.states.map((s) => s.expenseId)).toEqual(['exp-1']);
      expect(ledger.versions.map((v) => v.expenseId)).toEqual(['exp-1']);
      expect(ledger.refused).toEqual([refusal]);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, past(2))).toBe(true);
    });

    it('refuses, by the write itself, a write that would take a running total below the negative of the limit (a loss): nothing written', async () => {
      const store = makeStore();
      const budget = aBudget();
      const half = Math.floor(totalLimit / 2) + 1;
      const income = counter.income('show-settlement');
      const loss = (expenseId: string, minor: number) => ({
        versions: [aVersion(expenseId)],
        states: [aState(expenseId, { contribution: { [income]: minor } })],
        delta: { [income]: minor },
      });
      await store.writeLedger(budget.labelId, budget.budgetId, loss('exp-1', -half));

      await expect(store.writeLedger(budget.labelId, budget.budgetId, loss('exp-2', -half))).rejects.toThrow(
        new TotalPastLimitError('income show-settlement', true),
      );
      // One amount below it alone (a conversion past it), on a total not kept yet.
      await expect(
        store.writeLedger(budget.labelId, budget.budgetId, {
          ...loss('exp-3', -1e16),
          delta: { [counter.income('other')]: -1e16 },
        }),
      ).rejects.toThrow(new TotalPastLimitError('income other', true));
      await expect(
        store.repairTotals(
          budget.labelId,
          budget.budgetId,
          1,
          { [income]: -totalLimit - 1 },
          { date: '2027-02-02', at: '2027-02-02T07:00:00.000Z', differences: [] },
          [],
        ),
      ).rejects.toThrow(new TotalPastLimitError('income show-settlement', true));

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect([ledger.totals, ledger.totalsRevision]).toEqual([{ [income]: -half }, 1]);
      expect(ledger.states.map((s) => s.expenseId)).toEqual(['exp-1']);
      // Down to the negative of the limit itself is taken.
      expect(await store.writeLedger(budget.labelId, budget.budgetId, loss('exp-4', half - totalLimit))).toBe(
        true,
      );
    });

    it("refuses past the limit a release's write, checking other budgets' states as read, as any write: nothing written", async () => {
      const store = makeStore();
      const budget = aBudget();
      const committed = counter.committed('radio');
      const half = Math.floor(totalLimit / 2) + 1;
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [],
        states: [aState('po-2', { contribution: { [committed]: half } })],
        delta: { [committed]: half },
      });

      // The order taken back: committed again beside po-2, while the invoice's budget holds no state of it.
      await expect(
        store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [],
          states: [aState('po-1', { contribution: { [committed]: half } })],
          delta: { [committed]: half },
          checks: [{ budgetId: uniqueId('bud'), expenseId: 'po-1', revision: 0 }],
        }),
      ).rejects.toThrow(new TotalPastLimitError('committed radio'));

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect([ledger.totals, ledger.states.map((s) => s.expenseId)]).toEqual([
        { [committed]: half },
        ['po-2'],
      ]);
    });

    it('refuses a write whose running totals would not fit their one item (400 KB): nothing written, the first total it adds named', async () => {
      const store = makeStore();
      const budget = aBudget();
      // 500 of them (about 372 KB), in writes of 50.
      for (let from = 0; from < 500; from += 50)
        expect(
          await store.writeLedger(budget.labelId, budget.budgetId, {
            versions: [],
            states: [],
            delta: totalsOf(from, 50),
          }),
        ).toBe(true);

      // 60 more (about 45 KB) pass the 400 KB.
      await expect(
        store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [aVersion('exp-1')],
          states: [aState('exp-1', { contribution: totalsOf(500, 60) })],
          delta: totalsOf(500, 60),
        }),
      ).rejects.toThrow(new TotalsItemFullError(totalText(artist(500))));

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(Object.keys(ledger.totals)).toHaveLength(500);
      expect([ledger.versions, ledger.states]).toEqual([[], []]);
      // What adds to the totals it holds still fits.
      expect(
        await store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [],
          states: [],
          delta: { [artist(0)]: 1 },
        }),
      ).toBe(true);
    });

    it("takes a recount's refused versions off the ledger and keeps them as refused, in the write; one gone since refuses it", async () => {
      const store = makeStore();
      const budget = aBudget();
      const held = aState('exp-1', { contribution: {}, held: true });
      const versions = [
        aVersion('exp-1'),
        { ...aVersion('exp-1', '2027-02-02T10:00:00.000Z#e2'), change: 'amended' as const },
      ];
      await store.writeLedger(budget.labelId, budget.budgetId, { versions, states: [held], delta: {} });
      const refused = versions.map(aRefusal);
      const refusal = {
        versions: [],
        states: [{ ...emptyState('exp-1', held.firstSeenAt), revision: 1 }],
        delta: {},
        refused,
      };

      expect(await store.heldExpenses(undefined, '2028-01-01')).toContainEqual(
        expect.objectContaining({ labelId: budget.labelId, expenseId: 'exp-1' }),
      );

      expect(await store.writeLedger(budget.labelId, budget.budgetId, refusal)).toBe(true);
      // Refused already: the versions are gone, so the same refusal again writes nothing.
      expect(
        await store.writeLedger(budget.labelId, budget.budgetId, {
          ...refusal,
          states: [{ ...refusal.states[0], revision: 2 }],
        }),
      ).toBe(false);

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(ledger.versions).toEqual([]);
      expect(ledger.refused).toEqual(refused);
      expect(ledger.states).toEqual([
        expect.objectContaining({ expenseId: 'exp-1', revision: 2, contribution: {} }),
      ]);
      expect(ledger.states[0].held).toBeUndefined();
      expect(await store.heldExpenses(undefined, '2028-01-01')).not.toContainEqual(
        expect.objectContaining({ labelId: budget.labelId }),
      );
    });

    it('refuses a write of more than the 100 items a transaction takes (a refusal is two): nothing written', async () => {
      const store = makeStore();
      const budget = aBudget();
      const versions = Array.from({ length: 50 }, (_, n) =>
        aVersion('exp-1', `2027-02-01T10:00:${String(n).padStart(2, '0')}.000Z#e${n}`),
      );
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions,
        states: [aState('exp-1', { contribution: {} })],
        delta: {},
      });

      // 50 refusals and the totals: 101 items.
      await expect(
        store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [],
          states: [],
          delta: {},
          refused: versions.map(aRefusal),
        }),
      ).rejects.toThrow(/100/);
      // 49 of them and the totals: 99.
      expect(
        await store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [],
          states: [],
          delta: {},
          refused: versions.slice(1).map(aRefusal),
        }),
      ).toBe(true);

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect([ledger.versions.length, ledger.refused.length]).toEqual([1, 49]);
    });

    it('answers the running totals alone as the ledger answers them, a total back at zero left out', async () => {
      const store = makeStore();
      const budget = aBudget();
      const none = await store.runningTotals(budget.labelId, budget.budgetId);
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [aVersion('exp-1')],
        states: [aState('exp-1')],
        delta: { [counter.actual('radio')]: 1_000, [counter.committed('radio')]: 500 },
      });
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [],
        states: [{ ...aState('exp-1'), revision: 1 }],
        delta: { [counter.committed('radio')]: -500 },
      });

      expect(none).toEqual({ totals: {}, totalsRevision: 0 });
      expect(await store.runningTotals(budget.labelId, budget.budgetId)).toEqual({
        totals: { [counter.actual('radio')]: 1_000 },
        totalsRevision: 2,
      });
      const { totals, totalsRevision } = await store.ledger(budget.labelId, budget.budgetId, {
        consistent: true,
      });
      expect(await store.runningTotals(budget.labelId, budget.budgetId)).toEqual({ totals, totalsRevision });
    });

    it("moves the totals' revision with every write, an empty delta too, and refuses one read at another revision", async () => {
      const store = makeStore();
      const budget = aBudget();
      const revision = async () =>
        (await store.runningTotals(budget.labelId, budget.budgetId)).totalsRevision;
      // A repair's write of a share counted apart (no delta), at the revision its figures were read at.
      const share = (revision: number, totalsRevision?: number) => ({
        versions: [],
        states: [aState('po-1', { contribution: {}, revision })],
        delta: {},
        ...(totalsRevision === undefined ? {} : { totalsRevision }),
      });
      // None written yet: revision 0, and a write read then is made.
      expect(await store.writeLedger(budget.labelId, budget.budgetId, share(0, 0))).toBe(true);
      expect(await revision()).toBe(1);
      // An invoice recorded meanwhile (its own delta) moves it on: a write read before it is refused, whole.
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [aVersion('inv-crew')],
        states: [aState('inv-crew')],
        delta: { [counter.actual('radio')]: 1_000 },
      });
      expect(await revision()).toBe(2);
      const stale = await store.writeLedger(budget.labelId, budget.budgetId, {
        ...share(1, 1),
        drift: {
          record: {
            date: '2027-02-02',
            at: '2027-02-02T07:00:00.000Z',
            differences: [{ total: 'unconverted USD recoupable art-1', was: 1_000, ledger: 0 }],
          },
          entries: [reconciled(budget, '2027-02-02')],
        },
      });
      expect(stale).toBe(false);
      const refused = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(refused.states.find((s) => s.expenseId === 'po-1')?.revision).toBe(1);
      expect(refused.drift).toEqual([]);
      expect(refused.totalsRevision).toBe(2);
      // Read again: made. A write holding no revision is made as before, and moves it too.
      expect(await store.writeLedger(budget.labelId, budget.budgetId, share(1, 2))).toBe(true);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, share(2))).toBe(true);
      expect(await revision()).toBe(4);
      expect((await store.runningTotals(budget.labelId, budget.budgetId)).totals).toEqual({
        [counter.actual('radio')]: 1_000,
      });
    });

    it('answers on a strong read the totals and their revision as they stood before it read any state', async () => {
      // What the reconciliation's repairs rely on (docs/design.md#budgets): a write landing amid its read, on
      // a state already read, is in no revision it answers, so a write holding that revision is refused.
      let amid = async () => {};
      const store = readingAmid(() => {
        const write = amid;
        amid = async () => {};
        return write();
      });
      const budget = aBudget();
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [aVersion('exp-1')],
        states: [aState('exp-1')],
        delta: { [counter.actual('radio')]: 1_000 },
      });
      // The invoice amended to 15.00 once its state was read.
      amid = async () => {
        const amended = await store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [aVersion('exp-1', '2027-02-02T10:00:00.000Z#e2')],
          states: [aState('exp-1', { revision: 1, contribution: { [counter.actual('radio')]: 1_500 } })],
          delta: { [counter.actual('radio')]: 500 },
        });
        expect(amended).toBe(true);
      };

      const read = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });

      expect(read.states.map((s) => [s.expenseId, s.revision, s.contribution])).toEqual([
        ['exp-1', 1, { [counter.actual('radio')]: 1_000 }],
      ]);
      expect({ totals: read.totals, totalsRevision: read.totalsRevision }).toEqual({
        totals: { [counter.actual('radio')]: 1_000 },
        totalsRevision: 1,
      });
      expect((await store.runningTotals(budget.labelId, budget.budgetId)).totalsRevision).toBe(2);
    });

    it('refuses the whole write when a state changed since it was read: no version, no totals', async () => {
      const store = makeStore();
      const budget = aBudget();
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [],
        states: [aState('exp-1')],
        delta: { [counter.actual('radio')]: 1_000 },
      });

      const stale = await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [aVersion('exp-1', '2027-02-02T00:00:00.000Z#e2')],
        states: [aState('exp-1', { revision: 0 })],
        delta: { [counter.actual('radio')]: 5 },
      });

      expect(stale).toBe(false);
      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(ledger.totals).toEqual({ [counter.actual('radio')]: 1_000 });
      expect(ledger.versions).toEqual([]);
      const states = await store.expenseStates(budget.labelId, budget.budgetId, ['exp-1', 'exp-none']);
      expect([...states.keys()]).toEqual(['exp-1']);
    });

    it("refuses the whole write when another budget's state it was computed from changed since, or appeared", async () => {
      const store = makeStore();
      const budget = aBudget();
      const other = await anotherSettlingPo1(store, budget);
      const release = (revision: number) => releasedBy(other, 'po-1', revision);

      // Read before the other budget's state was stored, then at its revision.
      expect(await store.writeLedger(budget.labelId, budget.budgetId, release(0))).toBe(false);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, release(2))).toBe(false);
      expect((await store.ledger(budget.labelId, budget.budgetId, { consistent: true })).states).toEqual([]);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, release(1))).toBe(true);
      const [released] = (await store.ledger(budget.labelId, budget.budgetId, { consistent: true })).states;
      expect(released).toMatchObject({ expenseId: 'po-1', settledElsewhere: ['inv-1'], revision: 1 });
    });

    it('refuses the whole write when the terms it was computed under were replaced since, or are not set', async () => {
      const store = makeStore();
      const budget = aBudget();
      const replaced = {
        ...budget,
        occurredAt: '2027-01-06T10:00:00.000Z',
        termsAt: '2027-01-06T10:00:00.000Z#e2',
      };
      const write = (expenseId: string, terms: string) =>
        store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [aVersion(expenseId)],
          states: [aState(expenseId)],
          delta: { [counter.actual('radio')]: 1_000 },
          terms,
        });

      // No terms yet, then terms stored before versions (known by their timestamp), then terms replaced.
      expect(await write('exp-1', budget.occurredAt)).toBe(false);
      await store.saveBudget(budget);
      expect(await write('exp-1', budget.occurredAt)).toBe(true);
      await store.saveBudget(replaced);
      expect(await write('exp-2', budget.occurredAt)).toBe(false);
      expect(await write('exp-2', replaced.termsAt)).toBe(true);

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(ledger.versions.map((v) => v.expenseId)).toEqual(['exp-1', 'exp-2']);
      expect(ledger.totals).toEqual({ [counter.actual('radio')]: 2_000 });
    });

    it("keeps a repaired release's drift and states its event with the write, and neither when the write is refused", async () => {
      const store = makeStore();
      const budget = aBudget();
      const other = await anotherSettlingPo1(store, budget);
      const at = '2027-02-02T07:00:00.000Z';
      const release = (expenseId: string, revision: number) => {
        const record = {
          date: '2027-02-02',
          at,
          differences: [{ total: 'committed radio', was: 1_000, ledger: 0 }],
        };
        return {
          record,
          event: reconciled(budget, '2027-02-02'),
          write: (event: ReturnType<typeof reconciled>) => ({
            ...releasedBy(other, expenseId, revision),
            drift: { record, entries: [event] },
          }),
        };
      };

      const refused = release('po-1', 2);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, refused.write(refused.event))).toBe(
        false,
      );
      expect((await store.ledger(budget.labelId, budget.budgetId, { consistent: true })).drift).toEqual([]);
      expect(await inOutbox(store, refused.event.eventId)).toBe(false);
      // Two orders repaired by one reconciliation, at the same instant: both kept.
      const first = release('po-1', 1);
      const second = release('po-2', 1);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, first.write(first.event))).toBe(true);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, second.write(second.event))).toBe(true);
      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(ledger.drift).toEqual([first.record, second.record]);
      expect(await inOutbox(store, first.event.eventId)).toBe(true);
      expect(await inOutbox(store, second.event.eventId)).toBe(true);
    });

    it('keeps both drift records of two repairs of one instant led by the same expense, as it states both', async () => {
      const store = makeStore();
      const budget = aBudget();
      const at = '2027-02-02T07:00:00.000Z';
      // The order's state leads both writes (a release, then a push of its word), each its own event.
      const repair = (revision: number, was: number, ledger: number) => {
        const record = {
          date: '2027-02-02',
          at,
          differences: [{ total: 'unconverted USD recoupable art-1', was, ledger }],
        };
        return {
          record,
          write: {
            versions: [],
            states: [aState('po-1', { contribution: {}, revision })],
            delta: {},
            drift: { record, entries: [reconciled(budget, '2027-02-02')] },
          },
        };
      };
      const first = repair(0, 0, 22_000);
      const second = repair(1, 22_000, 0);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, first.write)).toBe(true);
      expect(await store.writeLedger(budget.labelId, budget.budgetId, second.write)).toBe(true);
      const { drift } = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(drift).toHaveLength(2);
      expect(drift).toEqual(expect.arrayContaining([first.record, second.record]));
    });

    it("keeps ledgers apart: the same expense id in another budget or another label's budget of the same id", async () => {
      const store = makeStore();
      const budget = aBudget();
      const otherLabel = aBudget({ budgetId: budget.budgetId });
      const write = {
        versions: [aVersion('exp-1')],
        states: [aState('exp-1')],
        delta: { [counter.actual('radio')]: 1_000 },
      };

      await store.writeLedger(budget.labelId, budget.budgetId, write);

      expect(await store.writeLedger(otherLabel.labelId, otherLabel.budgetId, write)).toBe(true);
      expect((await store.ledger(budget.labelId, 'bud-other', { consistent: true })).states).toEqual([]);
    });

    it('keeps the newest terms of a budget, and its ledger and last result when new terms arrive', async () => {
      const store = makeStore();
      const budget = aBudget();
      const newer = { ...budget, thresholds: [50, 90], occurredAt: '2027-01-06T10:00:00.000Z' };
      await store.saveBudget(budget);
      await store.saveDayResult(aResult(budget, '2027-01-05'), reconciled(budget, '2027-01-05'));

      expect(await store.saveBudget(newer)).toBe(true);
      expect(await store.saveBudget({ ...budget, thresholds: [10] })).toBe(false);
      expect(await store.saveBudget({ ...newer, currency: 'USD' })).toBe(false);

      const stored = await store.getBudget(budget.labelId, budget.budgetId);
      expect(stored).toMatchObject({ ...newer, lastResult: { date: '2027-01-05' } });
    });

    it('keeps, of two terms with one label timestamp, those of the later version whichever is saved first', async () => {
      const store = makeStore();
      const budget = aBudget();
      const at = '2027-01-06T10:00:00.000Z';
      const earlier = { ...budget, occurredAt: at, termsAt: `${at}#evt-a`, thresholds: [50] };
      const later = { ...budget, occurredAt: at, termsAt: `${at}#evt-b`, thresholds: [90] };
      const other = { ...budget, budgetId: `${budget.budgetId}-2` };

      expect(await store.saveBudget(later)).toBe(true);
      expect(await store.saveBudget(earlier)).toBe(false);
      expect(await store.saveBudget({ ...other, ...earlier, budgetId: other.budgetId })).toBe(true);
      expect(await store.saveBudget({ ...other, ...later, budgetId: other.budgetId })).toBe(true);

      expect((await store.getBudget(budget.labelId, budget.budgetId))?.thresholds).toEqual([90]);
      expect((await store.getBudget(budget.labelId, other.budgetId))?.thresholds).toEqual([90]);
    });

    it('lists a label’s budgets by scope, and every budget a page at a time', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const tour = aBudget({ labelId, scope: { kind: 'tour', id: 'tour-1' } });
      const release = aBudget({ labelId, scope: { kind: 'release', id: 'rel-1' } });
      await store.saveBudget(tour);
      await store.saveBudget(release);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.budgetsPage(cursor, 50);
        seen.push(...page.items.filter((b) => b.labelId === labelId).map((b) => b.budgetId));
        cursor = page.cursor;
      } while (cursor);

      expect((await store.labelBudgets(labelId)).map((b) => b.budgetId).sort()).toEqual(
        [tour.budgetId, release.budgetId].sort(),
      );
      expect(
        (await store.labelBudgets(labelId, { kind: 'tour', id: 'tour-1' })).map((b) => b.budgetId),
      ).toEqual([tour.budgetId]);
      expect(
        (await store.labelBudgets(labelId, { kind: 'tour', id: 'tour' })).map((b) => b.budgetId),
      ).toEqual([]);
      expect(seen.sort()).toEqual([tour.budgetId, release.budgetId].sort());
    });

    it('pages a label’s budgets in the index’s order, of one scope too, and refuses a cursor outside the scope asked', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      // Scope ids holding a `#` (escaped in the key: `%23`) and an é (two bytes): the index orders its keys' bytes.
      const budgets = [
        aBudget({ labelId, budgetId: 'b-2', scope: { kind: 'tour', id: 't' } }),
        aBudget({ labelId, budgetId: 'b-1', scope: { kind: 'tour', id: 't' } }),
        aBudget({ labelId, budgetId: 'b-3', scope: { kind: 'tour', id: 'té' } }),
        aBudget({ labelId, budgetId: 'b-4', scope: { kind: 'release', id: 'r' } }),
        aBudget({ labelId, budgetId: 'b-5', scope: { kind: 'tour', id: 't#x' } }),
      ];
      for (const budget of budgets) await store.saveBudget(budget);
      const pages = async (scope: ScopeAsked | undefined, limit: number) => {
        const seen: string[][] = [];
        let after: string[] | undefined;
        for (;;) {
          const page = await store.labelBudgetsPage(labelId, scope, limit, after);
          seen.push(page.budgets.map((b) => b.budgetId));
          if (!page.more) return seen;
          after = labelBudgetRow(page.budgets.at(-1)!);
        }
      };

      expect(await pages(undefined, 2)).toEqual([['b-4', 'b-1'], ['b-2', 'b-5'], ['b-3']]);
      expect(await pages({ kind: 'tour' }, 3)).toEqual([['b-1', 'b-2', 'b-5'], ['b-3']]);
      expect(await pages({ kind: 'tour', id: 't' }, 1)).toEqual([['b-1'], ['b-2']]);
      await expect(
        store.labelBudgetsPage(labelId, { kind: 'tour', id: 't' }, 1, ['tour', 'té', 'b-3']),
      ).rejects.toThrow(InvalidCursorError);
      await expect(store.labelBudgetsPage(labelId, undefined, 1, ['tour', 't\ud800', 'b-1'])).rejects.toThrow(
        InvalidCursorError,
      );
    });

    it("reads a budget's drift records by date and time from an instant on, that instant's every record included", async () => {
      const store = makeStore();
      const budget = aBudget();
      const repair = (expenseId: string, revision: number, date: string, at: string) => {
        const record = { date, at, differences: [{ total: 'actual radio', was: revision, ledger: 0 }] };
        return {
          record,
          write: {
            versions: [],
            states: [aState(expenseId, { contribution: {}, revision })],
            delta: {},
            drift: { record, entries: [reconciled(budget, date)] },
          },
        };
      };
      const repairs = [
        repair('exp-3', 0, '2027-02-03', '2027-02-03T07:00:00.000Z'),
        repair('exp-1', 0, '2027-02-01', '2027-02-01T07:00:00.000Z'),
        repair('exp-2', 0, '2027-02-02', '2027-02-02T07:00:00.000Z'),
        repair('exp-2', 1, '2027-02-02', '2027-02-02T07:00:00.000Z'),
      ];
      for (const { write } of repairs)
        expect(await store.writeLedger(budget.labelId, budget.budgetId, write)).toBe(true);
      // By instant; the records of one instant in an order of their own (their expense's and event's ids).
      const readFrom = async (from: { date: string; at: string } | undefined, expected: DriftRecord[]) => {
        const records: DriftRecord[] = [];
        for await (const record of store.driftFrom(budget.labelId, budget.budgetId, from, 1))
          records.push(record);
        expect(records.map((record) => record.at)).toEqual(expected.map((record) => record.at));
        expect(records).toEqual(expect.arrayContaining(expected));
      };
      const [third, first, second, alsoSecond] = repairs.map(({ record }) => record);

      await readFrom(undefined, [first, second, alsoSecond, third]);
      await readFrom(second, [second, alsoSecond, third]);
      // An instant between records: those after it.
      await readFrom({ date: '2027-02-01', at: '2027-02-01T08:00:00.000Z' }, [second, alsoSecond, third]);
      // An instant DynamoDB would refuse as a key (past 1,024 bytes): those after it still.
      await readFrom({ date: '2027-02-02', at: '9'.repeat(2_000) }, [third]);
    });

    it('repairs the totals only while they are still at the revision read, with the drift and its event', async () => {
      const store = makeStore();
      const budget = aBudget();
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [],
        states: [aState('exp-1')],
        delta: { [counter.actual('radio')]: 1_500, [counter.vat()]: 3 },
      });
      const { totalsRevision } = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      const drift = {
        date: '2027-02-02',
        at: '2027-02-02T07:00:00.000Z',
        differences: [{ total: 'actual radio', was: 1_500, ledger: 1_000 }],
      };
      const event = reconciled(budget, '2027-02-02');

      expect(
        await store.repairTotals(
          budget.labelId,
          budget.budgetId,
          totalsRevision - 1,
          { [counter.actual('radio')]: 1 },
          drift,
          [],
        ),
      ).toBe(false);
      expect(
        await store.repairTotals(
          budget.labelId,
          budget.budgetId,
          totalsRevision,
          { [counter.actual('radio')]: 1_000 },
          drift,
          [event],
        ),
      ).toBe(true);

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(ledger.totals).toEqual({ [counter.actual('radio')]: 1_000 });
      expect(ledger.drift).toEqual([drift]);
      expect(await inOutbox(store, event.eventId)).toBe(true);
    });

    it('repairs the one total that differs of a budget of 400 totals, within the 4 KB of an expression, and leaves the rest as they are', async () => {
      const store = makeStore();
      const budget = aBudget();
      const names = Array.from({ length: 400 }, (_, n) => counter.recoupable(`art-${n}`));
      for (let from = 0; from < 400; from += 50)
        await store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [],
          states: [],
          delta: Object.fromEntries(names.slice(from, from + 50).map((name) => [name, 100])),
        });
      const ledger = { ...Object.fromEntries(names.map((name) => [name, 100])), [names[7]]: 250 };
      const drift = {
        date: '2027-02-02',
        at: '2027-02-02T07:00:00.000Z',
        differences: [{ total: totalText(names[7]), was: 100, ledger: 250 }],
      };

      expect(await store.repairTotals(budget.labelId, budget.budgetId, 8, ledger, drift, [])).toBe(true);

      const after = await store.runningTotals(budget.labelId, budget.budgetId);
      expect(after).toEqual({ totals: ledger, totalsRevision: 9 });
    });

    it('refuses a repair that would set a running total past the limit: nothing written, no drift, no event', async () => {
      const store = makeStore();
      const budget = aBudget();
      const radio = counter.actual('radio');
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [],
        states: [aState('exp-1')],
        delta: { [radio]: 1_000 },
      });
      const drift = {
        date: '2027-02-02',
        at: '2027-02-02T07:00:00.000Z',
        differences: [{ total: 'actual radio', was: 1_000, ledger: totalLimit }],
      };
      const event = reconciled(budget, '2027-02-02');

      await expect(
        store.repairTotals(budget.labelId, budget.budgetId, 1, { [radio]: totalLimit + 1 }, drift, [event]),
      ).rejects.toThrow(new TotalPastLimitError('actual radio'));

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect([ledger.totals, ledger.totalsRevision, ledger.drift]).toEqual([{ [radio]: 1_000 }, 1, []]);
      expect(await inOutbox(store, event.eventId)).toBe(false);
      // The largest total itself is repaired to.
      expect(
        await store.repairTotals(budget.labelId, budget.budgetId, 1, { [radio]: totalLimit }, drift, []),
      ).toBe(true);
    });

    it('refuses a repair whose running totals would not fit their one item (400 KB): nothing written, the first total it adds named', async () => {
      const store = makeStore();
      const budget = aBudget();
      // 500 totals of about 760 bytes, then a repair adding 60 more.
      for (let from = 0; from < 500; from += 50)
        await store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [],
          states: [],
          delta: totalsOf(from, 50),
        });
      const drift = {
        date: '2027-02-02',
        at: '2027-02-02T07:00:00.000Z',
        differences: [{ total: totalText(artist(500)), was: 0, ledger: 100 }],
      };
      const event = reconciled(budget, '2027-02-02');

      await expect(
        store.repairTotals(
          budget.labelId,
          budget.budgetId,
          10,
          { ...totalsOf(0, 500), ...totalsOf(500, 60) },
          drift,
          [event],
        ),
      ).rejects.toThrow(new TotalsItemFullError(totalText(artist(500))));

      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect([Object.keys(ledger.totals).length, ledger.totalsRevision, ledger.drift]).toEqual([500, 10, []]);
      expect(await inOutbox(store, event.eventId)).toBe(false);
    });

    it('puts a page of a fan-out once', async () => {
      const store = makeStore();
      const date = `2027-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
      const run = uniqueId('run');
      const first = reconciled(aBudget(), date);

      expect(await store.putFanOutPage(run, date, undefined, [first])).toBe(true);
      expect(await store.putFanOutPage(run, date, undefined, [reconciled(aBudget(), date)])).toBe(false);
      expect(await store.putFanOutPage(run, date, 'next', [reconciled(aBudget(), date)])).toBe(true);
      expect(await inOutbox(store, first.eventId)).toBe(true);
    });

    it('puts a page of a fan-out once after the cursor of a budget whose ids are as long as they may be', async () => {
      const store = makeStore();
      // Ids at their limit (128 characters) of a character JSON writes as six bytes (\u0001), as a label may send.
      const longest = (id: string) => '\u0001'.repeat(128 - id.length) + id;
      const labelId = longest(uniqueId('lbl'));
      await store.saveBudget(aBudget({ labelId, budgetId: longest('b-1') }));
      await store.saveBudget(aBudget({ labelId, budgetId: longest('b-2') }));
      let page = await store.budgetsPage(undefined, 1);
      while (page.cursor && page.items[0]?.budgetId !== longest('b-1'))
        page = await store.budgetsPage(page.cursor, 1);
      const date = `2027-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
      const run = uniqueId('run');
      const next = reconciled(aBudget(), date);

      const put = await store.putFanOutPage(run, date, page.cursor, [next]);
      const again = await store.putFanOutPage(run, date, page.cursor, [reconciled(aBudget(), date)]);

      expect([page.items[0]?.labelId, page.cursor === undefined]).toEqual([labelId, false]);
      expect([put, again]).toEqual([true, false]);
      expect(await inOutbox(store, next.eventId)).toBe(true);
    });

    it('raises an alert once, with its event and the day of the reconciliation that raised it, and remembers whether it was mailed', async () => {
      const store = makeStore();
      const budget = aBudget();
      // 1 February's reconciliation, redriven on the 2nd.
      const event = reconciled(budget, '2027-02-01');

      expect(
        await store.raiseAlert(
          budget.labelId,
          budget.budgetId,
          'threshold#80',
          '2027-02-02T07:00:00.000Z',
          '2027-02-01',
          event,
        ),
      ).toEqual({ mailed: false });
      expect(
        await store.raiseAlert(
          budget.labelId,
          budget.budgetId,
          'threshold#80',
          '2027-02-03T07:00:00.000Z',
          '2027-02-03',
          reconciled(budget, '2027-02-03'),
        ),
      ).toEqual({ mailed: false });
      await store.markAlertMailed(budget.labelId, budget.budgetId, 'threshold#80');

      expect(
        await store.raiseAlert(
          budget.labelId,
          budget.budgetId,
          'threshold#80',
          '2027-02-04T07:00:00.000Z',
          '2027-02-04',
          reconciled(budget, '2027-02-04'),
        ),
      ).toEqual({ mailed: true });
      expect((await store.ledger(budget.labelId, budget.budgetId, { consistent: true })).alerts).toEqual([
        { alertId: 'threshold#80', raisedAt: '2027-02-02T07:00:00.000Z', date: '2027-02-01', mailed: true },
      ]);
      expect(await inOutbox(store, event.eventId)).toBe(true);
    });

    it("keeps a budget's day once, lists its owner for that day's report and shows it on the budget", async () => {
      const store = makeStore();
      const budget = aBudget({ owner: { name: 'Owner', email: `${uniqueId('owner')}@label.example` } });
      await store.saveBudget(budget);
      const date = '2027-03-03';

      await store.saveDayResult(aResult(budget, date), reconciled(budget, date));
      await store.saveDayResult({ ...aResult(budget, date), actual: 99 }, reconciled(budget, date));

      expect(await store.dayResults(date, budget.labelId, budget.owner.email)).toEqual([
        aResult(budget, date),
      ]);
      expect(await reportOwners(store, date)).toContainEqual({
        labelId: budget.labelId,
        ownerEmail: budget.owner.email,
      });
      expect((await store.getBudget(budget.labelId, budget.budgetId))?.lastResult).toEqual(
        aResult(budget, date),
      );
    });

    it("keeps a late day's result, with its event, and leaves the budget's later last result in place", async () => {
      const store = makeStore();
      const budget = aBudget({ owner: { name: 'Owner', email: `${uniqueId('owner')}@label.example` } });
      await store.saveBudget(budget);
      await store.saveDayResult(aResult(budget, '2027-03-10'), reconciled(budget, '2027-03-10'));
      const late = reconciled(budget, '2027-03-09');

      await store.saveDayResult(aResult(budget, '2027-03-09'), late);

      expect(await store.dayResults('2027-03-09', budget.labelId, budget.owner.email)).toEqual([
        aResult(budget, '2027-03-09'),
      ]);
      expect(await inOutbox(store, late.eventId)).toBe(true);
      expect((await store.getBudget(budget.labelId, budget.budgetId))?.lastResult).toEqual(
        aResult(budget, '2027-03-10'),
      );
    });

    it("keeps a result kept after its day's report began for the owner's first report not begun, which reads it until marked reported", async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const owner = { name: 'Owner', email: `${uniqueId('owner')}@label.example` };
      const [before, after, redriven] = [1, 2, 3].map(() => aBudget({ labelId, owner }));
      for (const budget of [before, after, redriven]) await store.saveBudget(budget);
      // Days whose reports no other test begins.
      const [date, next, third] = ['2031-06-15', '2031-06-16', '2031-06-17'];
      const listed = { labelId, ownerEmail: owner.email };
      await store.saveDayResult(aResult(before, date), reconciled(before, date));

      await store.beginReport(date, '2031-06-15T07:30:00.000Z');
      await store.saveDayResult(aResult(after, date), reconciled(after, date));
      // A retry keeps nothing new: the result kept is the one read.
      await store.saveDayResult({ ...aResult(after, date), actual: 99 }, reconciled(after, date));

      expect(await reportOwners(store, next)).toContainEqual(listed);
      expect(await store.lateResults(next, labelId, owner.email)).toEqual([aResult(after, date)]);

      // Redriven after the next day's report began too: the owner is listed for the day after.
      await store.beginReport(next, '2031-06-16T07:30:00.000Z');
      await store.saveDayResult(aResult(redriven, date), reconciled(redriven, date));

      expect(await reportOwners(store, third)).toContainEqual(listed);
      const late = await store.lateResults(third, labelId, owner.email);
      expect(late).toHaveLength(2);
      expect(late).toEqual(expect.arrayContaining([aResult(after, date), aResult(redriven, date)]));
      // A report of an earlier day (delivered late) reads none of a later day.
      expect(await store.lateResults('2031-06-14', labelId, owner.email)).toEqual([]);

      await store.markLateReported(third, labelId, owner.email, late);
      // A retry delivered after the report read it notes it no more.
      await store.saveDayResult(aResult(after, date), reconciled(after, date));

      expect(await store.lateResults(third, labelId, owner.email)).toEqual([]);
      expect(await store.dayResults(date, labelId, owner.email)).toEqual(
        expect.arrayContaining([aResult(before, date), aResult(after, date), aResult(redriven, date)]),
      );
    });

    it('finds held expenses by when they were first seen and recoupable ones by artist, and forgets both once counted elsewhere', async () => {
      const store = makeStore();
      const budget = aBudget();
      // Held expenses are every label's: a first-seen time of this test's own keeps others' out of the window.
      const firstSeenAt = new Date(Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 1e11)).toISOString();
      const after = new Date(Date.parse(firstSeenAt) + 1).toISOString();
      const held = aState('exp-held', {
        held: true,
        contribution: {},
        data: aVersion('exp-held').data,
        firstSeenAt,
      });
      const recoupable = aState('exp-r', {
        data: aVersion('exp-r').data,
        recoupable: { artistId: 'art-1', name: 'Night Drive', amount: { minor: 500, currency: 'EUR' } },
      });
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [],
        states: [held, recoupable],
        delta: {},
      });

      const { vendor, date, amount } = aVersion('exp-held').data ?? ExpenseRecorded.sample;
      expect(await store.heldExpenses(firstSeenAt, after)).toEqual([
        {
          labelId: budget.labelId,
          budgetId: budget.budgetId,
          expenseId: 'exp-held',
          firstSeenAt,
          expense: { vendor, date, amount },
        },
      ]);
      expect(await store.heldExpenses(after, '2999-01-01')).not.toContainEqual(
        expect.objectContaining({ labelId: budget.labelId }),
      );
      expect(await store.heldExpenses(undefined, firstSeenAt)).not.toContainEqual(
        expect.objectContaining({ labelId: budget.labelId }),
      );
      expect(await store.heldExpenses(after, firstSeenAt)).toEqual([]);
      expect(await store.recoupable(budget.labelId, 'art-1')).toEqual([
        { budgetId: budget.budgetId, expenseId: 'exp-r', amount: { minor: 500, currency: 'EUR' } },
      ]);

      const { held: _h, ...counted } = held;
      const { recoupable: _r, ...voided } = recoupable;
      await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [],
        states: [
          { ...counted, revision: 1 },
          { ...voided, revision: 1 },
        ],
        delta: {},
      });

      expect(await store.heldExpenses(firstSeenAt, after)).toEqual([]);
      expect(await store.recoupable(budget.labelId, 'art-1')).toEqual([]);
    });

    it('reports a held expense once, with its event, in the list of the day it was reported on', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const held = {
        labelId,
        budgetId: 'bud-typo',
        expenseId: 'exp-1',
        firstSeenAt: '2027-02-01T10:00:01.000Z',
      };
      const entry = (eventId: string) => ({
        ...outboxEntry(BudgetReconciled, BudgetReconciled.data.parse(BudgetReconciled.sample), {
          source: 'backline.budgets',
          labelId,
        }),
        eventId,
      });
      const first = entry(uniqueId('evt'));
      const again = entry(uniqueId('evt'));

      const reported = await store.reportHeld('2027-02-09', held, first);
      const twice = await store.reportHeld('2027-02-10', held, again);

      expect([reported, twice]).toEqual([true, false]);
      expect(await store.heldReported('2027-02-09', labelId)).toEqual([held]);
      expect(await store.heldReported('2027-02-10', labelId)).toEqual([]);
      expect(await inOutbox(store, first.eventId)).toBe(true);
      expect(await inOutbox(store, again.eventId)).toBe(false);
    });

    it('moves the mark of the held expenses swept on, never back', async () => {
      const store = makeStore();
      // The mark is every label's, one for the whole store: moved on from wherever it stands.
      const before = await store.heldSweptBefore();
      const next = before ? new Date(Date.parse(before) + 1).toISOString() : '2000-01-01T00:00:00.000Z';

      await store.markHeldSwept(next);
      await store.markHeldSwept('1999-01-01T00:00:00.000Z');

      expect(((await store.heldSweptBefore()) ?? '') >= next).toBe(true);
    });

    it('keeps the rates of a day as last put: a pair left out of the table is dropped', async () => {
      const store = makeStore();
      const date = `2001-0${1 + Math.floor(Math.random() * 9)}-0${1 + Math.floor(Math.random() * 9)}`;

      await store.putRates(date, { 'GBP/USD': '1.2534' }, '2027-01-01T00:00:00.000Z');
      await store.putRates(date, { 'GBP/USD': '1.2600', 'EUR/USD': '1.08' }, '2027-01-01T00:00:00.000Z');

      expect(await store.rates(date)).toEqual({ 'GBP/USD': '1.2600', 'EUR/USD': '1.08' });
      await store.putRates(date, { 'EUR/USD': '1.09' }, '2027-01-02T00:00:00.000Z');

      expect(await store.rates(date)).toEqual({ 'EUR/USD': '1.09' });
      expect(await store.rates('1999-01-01')).toBeUndefined();
    });

    it("keeps each version of a show's settlement once and gives back the tour's, and no other tour's", async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const tourId = uniqueId('tour');
      const version = (showId: string, at: string, minor: number) => ({
        at,
        receivedAt: '2027-05-15T08:00:01.000Z',
        settlement: TourShowSettled.data.parse({
          ...TourShowSettled.sample,
          tourId,
          showId,
          artistNet: { minor, currency: 'EUR' },
        }),
      });

      await store.saveSettlement(labelId, version('show-1', '2027-05-15T08:00:00.000Z#e1', 100));
      await store.saveSettlement(labelId, version('show-1', '2027-05-15T08:00:00.000Z#e1', 100));
      await store.saveSettlement(labelId, version('show-1', '2027-05-16T08:00:00.000Z#e2', 200));
      await store.saveSettlement(labelId, version('show-2', '2027-05-15T08:00:00.000Z#e3', 300));
      await store.saveSettlement(labelId, {
        ...version('show-1', 'x#e4', 400),
        settlement: { ...version('show-1', 'x', 400).settlement, tourId: `${tourId}#x` },
      });

      const kept = await store.tourSettlements(labelId, tourId);
      expect(kept.map((v) => [v.settlement.showId, v.at, v.settlement.artistNet.minor]).sort()).toEqual([
        ['show-1', '2027-05-15T08:00:00.000Z#e1', 100],
        ['show-1', '2027-05-16T08:00:00.000Z#e2', 200],
        ['show-2', '2027-05-15T08:00:00.000Z#e3', 300],
      ]);
      expect(kept[0]).toEqual(expect.objectContaining({ receivedAt: '2027-05-15T08:00:01.000Z' }));
    });

    it("keeps a show's settlement in its tour budget's ledger, and a repair it leads, when the tour and show ids are as long as they may be", async () => {
      const store = makeStore();
      const budget = aBudget();
      // Ids at their limit (128 characters) of a character a key escapes (`#`: %23), which the settlement's
      // id, itself a part of its expense's keys, escapes once more there (%2523).
      const longest = (id: string) => '#'.repeat(128 - id.length) + id;
      const expenseId = settlementEntryId(longest(uniqueId('tour')), longest('show-1'));
      const at = '2027-05-15T08:00:00.000Z#00000000-0000-4000-8000-000000000000';
      const settled = { ...aVersion(expenseId, at), change: 'settled' as const };
      const record: DriftRecord = {
        date: '2027-05-16',
        at: '2027-05-16T07:00:00.000Z',
        differences: [{ total: 'income show-settlement', was: 0, ledger: 1_000 }],
      };

      const written = await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [settled],
        states: [aState(expenseId)],
        delta: { [counter.actual('radio')]: 1_000 },
      });
      const repaired = await store.writeLedger(budget.labelId, budget.budgetId, {
        versions: [],
        states: [aState(expenseId, { revision: 1 })],
        delta: {},
        totalsRevision: 1,
        drift: { record, entries: [reconciled(budget, record.date)] },
      });

      expect([written, repaired]).toEqual([true, true]);
      const ledger = await store.ledger(budget.labelId, budget.budgetId, { consistent: true });
      expect(ledger.states.map((s) => s.expenseId)).toEqual([expenseId]);
      expect(ledger.versions.map((v) => [v.expenseId, v.at])).toEqual([[expenseId, at]]);
      expect(ledger.drift.map((d) => d.at)).toEqual([record.at]);
    });

    it("marks the owner's budgets unreachable and keeps the mail's event once", async () => {
      const store = makeStore();
      const budget = aBudget();
      await store.saveBudget(budget);
      const mark = aBounce('budget-report', '2027-01-06T07:31:00.000Z');
      const first = unreachable(mark.deliveryId);
      const again = unreachable(mark.deliveryId);

      const stated = await store.markOwnerUnreachable(
        budget.labelId,
        [budget.budgetId, 'bud-gone'],
        mark,
        first,
      );
      const repeated = await store.markOwnerUnreachable(budget.labelId, [budget.budgetId], mark, again);

      expect([stated, repeated]).toEqual([true, false]);
      expect((await store.getBudget(budget.labelId, budget.budgetId))?.ownerUnreachable).toEqual(mark);
      expect(await store.getBudget(budget.labelId, 'bud-gone')).toBeUndefined();
      expect(await inOutbox(store, first.eventId)).toBe(true);
      expect(await inOutbox(store, again.eventId)).toBe(false);
    });

    it("keeps a bounce's mark of the owner when a mail left out as suppressed is marked after it, and states only the bounce", async () => {
      const store = makeStore();
      const budget = aBudget();
      await store.saveBudget(budget);
      const bounce = aBounce('threshold-crossed', '2027-01-06T07:00:02.000Z');
      const suppressed = {
        ...bounce,
        reason: 'suppressed' as const,
        deliveryId: uniqueId('dlv'),
        kind: 'forecast-over',
      };

      await store.markOwnerUnreachable(
        budget.labelId,
        [budget.budgetId],
        bounce,
        unreachable(bounce.deliveryId),
      );
      const stated = await store.markOwnerUnreachable(
        budget.labelId,
        [budget.budgetId],
        suppressed,
        unreachable(suppressed.deliveryId),
      );

      // Once per owner while the mark stands (docs/design.md#budgets): the left-out mail won no mark.
      expect(stated).toBe(false);
      expect((await store.getBudget(budget.labelId, budget.budgetId))?.ownerUnreachable).toEqual(bounce);
    });

    describe("a budget owner's address left out as suppressed (docs/design.md#budgets)", () => {
      const owner = 'mara@label.example';
      const leftOut = (deliveryId: string) => ({
        address: owner,
        reason: 'suppressed' as const,
        detail: 'the address is suppressed after a bounce or a complaint',
        deliveryId,
        kind: 'threshold-crossed',
        at: '2027-03-03T07:00:01.000Z',
      });
      const entry = (deliveryId: string) =>
        outboxEntry(
          BudgetOwnerSuppressed,
          { ...BudgetOwnerSuppressed.sample, address: owner, deliveryId },
          { source: 'backline.budgets' },
        );
      /** Two budgets of one label that the owner holds. */
      const marasBudgets = async () => {
        const labelId = uniqueId('lbl');
        const budgets = ['bud-1', 'bud-2'].map((budgetId) =>
          aBudget({ labelId, budgetId, owner: { name: 'Mara Quinn', email: owner } }),
        );
        for (const budget of budgets) await store.saveBudget(budget);
        return { labelId, budgets };
      };
      let store: S;
      /** The mail `deliveryId` left out, marking the owner on `budgetIds`: whether it stated her, and its event's id. */
      const markLeftOut = async (labelId: string, budgetIds: string[], deliveryId: string) => {
        const stating = entry(deliveryId);
        const stated = await store.markOwnerUnreachable(labelId, budgetIds, leftOut(deliveryId), stating);
        return { stated, eventId: stating.eventId };
      };

      it('states the owner once when two mails left out at once each win a different budget’s mark first', async () => {
        store = makeStore();
        const { labelId } = await marasBudgets();
        const [first, second] = [uniqueId('dlv'), uniqueId('dlv')];

        // The race, in the order it runs: the second mail marks bud-2 (its first budget) and states;
        // the first mail had marked bud-1 before it, finds bud-2 taken, and states after it.
        const secondMark = await markLeftOut(labelId, ['bud-2'], second);
        const firstMark = await markLeftOut(labelId, ['bud-1', 'bud-2'], first);

        expect([secondMark.stated, firstMark.stated]).toEqual([true, false]);
        expect(await inOutbox(store, secondMark.eventId)).toBe(true);
        expect(await inOutbox(store, firstMark.eventId)).toBe(false);
        // Each budget keeps the mark it got: the owner shows unreachable on both.
        expect((await store.getBudget(labelId, 'bud-1'))?.ownerUnreachable?.deliveryId).toBe(first);
        expect((await store.getBudget(labelId, 'bud-2'))?.ownerUnreachable?.deliveryId).toBe(second);
      });

      it('states the owner again once no budget the statement named is hers any more, for a budget she holds since', async () => {
        store = makeStore();
        const { labelId, budgets } = await marasBudgets();
        const [first, later, last] = [uniqueId('dlv'), uniqueId('dlv'), uniqueId('dlv')];
        await markLeftOut(labelId, ['bud-1', 'bud-2'], first);
        // A third budget of hers: the mark stated for bud-1 and bud-2 still stands.
        await store.saveBudget(aBudget({ labelId, budgetId: 'bud-3', owner: budgets[0].owner }));
        const whileItStands = await markLeftOut(labelId, ['bud-1', 'bud-2', 'bud-3'], later);
        // A new owner is set on both budgets it named: her mark there no longer stands.
        for (const budget of budgets)
          await store.saveBudget({
            ...budget,
            owner: { name: 'Ivo Brandt', email: 'ivo@label.example' },
            occurredAt: '2027-03-04T09:00:00.000Z',
          });
        await store.saveBudget({
          ...aBudget({ labelId, budgetId: 'bud-4', owner: budgets[0].owner }),
        });

        const afterItEnded = await markLeftOut(labelId, ['bud-4'], last);

        expect(whileItStands.stated).toBe(false);
        expect(await inOutbox(store, whileItStands.eventId)).toBe(false);
        expect(afterItEnded.stated).toBe(true);
        expect(await inOutbox(store, afterItEnded.eventId)).toBe(true);
      });
    });

    it("files expenses by the label's vendor invoice in the order of their state's revision, raising the invoice's generation", async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const invoice = { vendor: 'Airplay Partners', invoiceNumber: 'AP-1' };
      const filing = { budgetId: 'bud-1', expenseId: 'exp-1', revision: 2, carries: true };

      await store.fileInvoice(labelId, invoice, filing);
      await store.fileInvoice(uniqueId('lbl'), invoice, { ...filing, budgetId: 'bud-x' });
      await store.fileInvoice(
        labelId,
        { vendor: ' airplay PARTNERS', invoiceNumber: 'ap-1 ' },
        { budgetId: 'bud-2', expenseId: 'exp-2', revision: 1, carries: true },
      );
      const before = await store.invoiceFilings(labelId, invoice);
      await store.fileInvoice(labelId, invoice, { ...filing, revision: 1, carries: false });
      await store.fileInvoice(labelId, invoice, filing);
      const late = await store.invoiceFilings(labelId, invoice);
      await store.fileInvoice(labelId, invoice, { ...filing, revision: 3, carries: false });
      const after = await store.invoiceFilings(labelId, invoice);

      expect(before.filings).toHaveLength(2);
      expect(before.filings).toEqual(
        expect.arrayContaining([
          filing,
          { budgetId: 'bud-2', expenseId: 'exp-2', revision: 1, carries: true },
        ]),
      );
      expect(late).toEqual(before);
      expect(after.generation).toBeGreaterThan(before.generation);
      expect(after.filings).toContainEqual({ ...filing, revision: 3, carries: false });
      expect(
        await store.invoiceFilings(labelId, { vendor: 'Airplay Partners', invoiceNumber: 'AP-2' }),
      ).toEqual({
        generation: 0,
        filings: [],
      });
    });

    it("keeps on each budget the invoice's flag of the latest generation, and none once it names no expense", async () => {
      const store = makeStore();
      const budget = aBudget();
      const other = aBudget({ labelId: budget.labelId });
      await store.saveBudget(budget);
      await store.saveBudget(other);
      const both = {
        vendor: 'Airplay Partners',
        invoiceNumber: 'AP-1',
        expenses: [
          { budgetId: budget.budgetId, expenseId: 'exp-1' },
          { budgetId: other.budgetId, expenseId: 'exp-2' },
        ],
      };

      await store.flagInvoice(budget.labelId, budget.budgetId, both, 2);
      await store.flagInvoice(budget.labelId, other.budgetId, both, 2);
      await store.flagInvoice(budget.labelId, budget.budgetId, { ...both, expenses: [] }, 1);
      const flagged = (await store.ledger(budget.labelId, budget.budgetId)).flagged;
      await store.flagInvoice(budget.labelId, other.budgetId, { ...both, expenses: [] }, 3);
      await store.flagInvoice(budget.labelId, other.budgetId, both, 2);

      expect(flagged).toEqual([both]);
      expect((await store.ledger(budget.labelId, other.budgetId)).flagged).toEqual([]);
    });

    it('keeps on each budget the flag of an invoice carried by more expenses than one item (400 KB) lists', async () => {
      const store = makeStore();
      // Budget and expense ids of 128 characters of three bytes each: about 770 bytes an expense as a flag
      // lists it, so 600 of them pass the 409,600 bytes of a DynamoDB item.
      const longId = (prefix: string, n: number) =>
        `${prefix}${String(n).padStart(4, '0')}${'€'.repeat(123)}`;
      const budget = aBudget({ budgetId: longId('a', 0) });
      const other = aBudget({ labelId: budget.labelId, budgetId: longId('b', 0) });
      await store.saveBudget(budget);
      await store.saveBudget(other);
      const invoice = { vendor: 'Airplay Partners', invoiceNumber: 'AP-1' };
      const expenses = [budget, other].flatMap(({ budgetId }) =>
        Array.from({ length: 300 }, (_, n) => ({ budgetId, expenseId: longId('e', n) })),
      );
      for (const expense of expenses)
        await store.fileInvoice(budget.labelId, invoice, { ...expense, revision: 1, carries: true });
      const { generation } = await store.invoiceFilings(budget.labelId, invoice);

      await store.flagInvoice(budget.labelId, budget.budgetId, { ...invoice, expenses }, generation);
      await store.flagInvoice(budget.labelId, other.budgetId, { ...invoice, expenses }, generation);
      const flagged = (await store.ledger(budget.labelId, budget.budgetId)).flagged;
      const readStrongly = (await store.ledger(budget.labelId, budget.budgetId, { consistent: true }))
        .flagged;
      await store.flagInvoice(budget.labelId, other.budgetId, { ...invoice, expenses: [] }, generation + 1);
      await store.flagInvoice(budget.labelId, other.budgetId, { ...invoice, expenses }, generation);

      expect(flagged).toEqual([{ ...invoice, expenses }]);
      expect(readStrongly).toEqual([{ ...invoice, expenses }]);
      expect((await store.ledger(budget.labelId, other.budgetId)).flagged).toEqual([]);
    });

    it('reads the versions of one expense, not those of an expense whose id starts the same', async () => {
      const store = makeStore();
      const budget = aBudget();
      await store.saveBudget(budget);
      const first = aVersion('exp-1', '2027-02-01T10:00:00.000Z#e1');
      const second = { ...aVersion('exp-1', '2027-02-02T10:00:00.000Z#e2'), change: 'amended' as const };
      const other = aVersion('exp-1#2');

      for (const version of [first, second, other])
        await store.writeLedger(budget.labelId, budget.budgetId, {
          versions: [version],
          states: [],
          delta: {},
        });

      const versions = await store.expenseVersions(budget.labelId, budget.budgetId, 'exp-1');
      expect(versions.sort((a, b) => a.at.localeCompare(b.at))).toEqual([first, second]);
    });

    it("files a label's expense under each budget it has versions in, once each, apart from other expenses and labels", async () => {
      const store = makeStore();
      const budget = aBudget();
      const otherLabel = aBudget({ labelId: `${budget.labelId}-other` });

      const first = await store.fileExpenseUnder(budget.labelId, 'exp-1', 'bud-b');
      const again = await store.fileExpenseUnder(budget.labelId, 'exp-1', 'bud-b');
      const both = await store.fileExpenseUnder(budget.labelId, 'exp-1', 'bud-a');
      const another = await store.fileExpenseUnder(budget.labelId, 'exp-1#2', 'bud-c');
      const elsewhere = await store.fileExpenseUnder(otherLabel.labelId, 'exp-1', 'bud-d');

      expect({ first, again, both, another, elsewhere }).toEqual({
        first: ['bud-b'],
        again: ['bud-b'],
        both: ['bud-a', 'bud-b'],
        another: ['bud-c'],
        elsewhere: ['bud-d'],
      });
    });

    it("answers the budgets a label's expense is filed under without filing it (none when never filed)", async () => {
      const store = makeStore();
      const budget = aBudget();
      const otherLabel = aBudget({ labelId: `${budget.labelId}-other` });
      await store.fileExpenseUnder(budget.labelId, 'exp-1', 'bud-b');
      await store.fileExpenseUnder(budget.labelId, 'exp-1', 'bud-a');

      expect({
        filed: await store.expenseFiledUnder(budget.labelId, 'exp-1'),
        never: await store.expenseFiledUnder(budget.labelId, 'exp-2'),
        elsewhere: await store.expenseFiledUnder(otherLabel.labelId, 'exp-1'),
      }).toEqual({ filed: ['bud-a', 'bud-b'], never: [], elsewhere: [] });
      // Reading filed nothing: exp-2 is filed under the one budget named when it is.
      expect(await store.fileExpenseUnder(budget.labelId, 'exp-2', 'bud-c')).toEqual(['bud-c']);
    });
  });
}
