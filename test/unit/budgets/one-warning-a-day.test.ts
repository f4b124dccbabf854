import { describe, expect, it } from 'vitest';
import { BudgetReconciliationDue, OutboxSweepDue } from '#shared/events/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * Of the thresholds a day's reconciliation finds to warn of, only the highest is mailed; the others are
 * raised and stated by it (docs/design.md#budgets), also when the day is reconciled again after a stop.
 */
const eur = (minor: number) => ({ minor, currency: 'EUR' });

/** The threshold warnings mailed, by headline. */
const warnings = (h: ReturnType<typeof budgetsHarness>) =>
  h
    .received()
    .filter((m) => m.kind === 'threshold-crossed')
    .map((m) => (m.data as { text: { headline: string } }).text.headline);

/** Makes the store's next mark of an alert as mailed fail, as a function stopped there would: once. */
const stopAtNextMark = (h: ReturnType<typeof budgetsHarness>) => {
  const mark = h.store.markAlertMailed.bind(h.store);
  h.store.markAlertMailed = async () => {
    h.store.markAlertMailed = mark;
    throw new Error('the function stopped');
  };
};

/** Makes the function stop right after it next raises an alert (its event kept), before its mail: once. */
const stopAfterNextRaise = (h: ReturnType<typeof budgetsHarness>) => {
  const raise = h.store.raiseAlert.bind(h.store);
  h.store.raiseAlert = async (...args) => {
    h.store.raiseAlert = raise;
    await raise(...args);
    throw new Error('the function stopped');
  };
};

/** bud-1's reconciliation of `date`, delivered again (a retry, a redrive). */
const reconciledAgain = (h: ReturnType<typeof budgetsHarness>, date: string) =>
  h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId: 'bud-1', date });

describe('a day whose reconciliation finds several thresholds to warn of', () => {
  it('mails one warning, at the highest, when the day is reconciled again after a stop before its mail', async () => {
    const h = budgetsHarness({ now: '2027-03-03T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    // 850.00 of 1,000.00: 50 and 80 % reached the same day.
    await h.expense(anExpense({ amount: eur(85_000) }));
    stopAtNextMark(h);
    await h.reconcile('2027-03-03').catch(() => undefined);

    await reconciledAgain(h, '2027-03-03');

    expect(warnings(h)).toEqual(['80 % of the plan is spent']);
    expect(h.events('Budget Threshold Crossed')).toHaveLength(2);
  });

  it("states with the next day's warning a threshold an earlier day raised and never mailed, and the redriven day mails nothing more", async () => {
    const h = budgetsHarness({ now: '2027-03-09T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    // 600.00 of 1,000.00 by 8 March: 9 March's run raises 50 % and stops before its mail (a dead letter).
    await h.expense(anExpense({ date: '2027-03-08', amount: eur(60_000) }));
    stopAfterNextRaise(h);
    await reconciledAgain(h, '2027-03-09').catch(() => undefined);
    // 950.00 by 9 March: the 10th's run finds 50 % raised and never mailed, and 80 % reached.
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-09', amount: eur(35_000) }));
    h.setNow('2027-03-10T07:00:00.000Z');
    await h.reconcile('2027-03-10');

    await reconciledAgain(h, '2027-03-09');

    expect(warnings(h)).toEqual(['80 % of the plan is spent']);
  });

  it('mails nothing on a retry of the day a raised plan put the spend below every threshold warned at before it', async () => {
    const h = budgetsHarness({ now: '2027-03-03T07:00:00.000Z' });
    await h.budget({ ...aBudget(), thresholds: [80] }, '2027-03-01T00:00:00.000Z');
    // 850.00 of 1,000.00: warned at 80 %.
    await h.expense(anExpense({ amount: eur(85_000) }));
    await h.reconcile('2027-03-03');
    // Raised to 2,000.00, with a threshold at 40 %: 850.00 is 42.5 % of it, below the 80 % warned at.
    await h.budget(
      aBudget({
        thresholds: [40, 80],
        lines: [
          { lineId: 'radio', category: 'radio-plugging', planned: eur(120_000) },
          { lineId: 'ads', category: 'advertising', planned: eur(80_000) },
        ],
      }),
      '2027-03-04T10:00:00.000Z',
    );
    h.setNow('2027-03-05T07:00:00.000Z');
    // The run raises 40 % (stated, no mail of its own) and stops before marking it.
    stopAtNextMark(h);
    await h.reconcile('2027-03-05').catch(() => undefined);

    await reconciledAgain(h, '2027-03-05');

    expect(warnings(h)).toEqual(['80 % of the plan is spent']);
  });
});

describe("a day's warning whose claim went stale before a higher threshold's warning", () => {
  /**
   * 9 March's run warns at 50 % (600.00 of 1,000.00); SES answers its call for no entry (nothing sent,
   * the claim open, the sender gone), and the sweep has not sent it again before 10 March's run, which
   * finds 80 % reached (850.00) and warns of it.
   */
  const warnedAt50ThenAt80 = async (answer80: boolean) => {
    const h = budgetsHarness({ now: '2027-03-09T07:00:00.000Z' });
    await h.budget(aBudget(), '2027-03-01T00:00:00.000Z');
    await h.expense(anExpense({ date: '2027-03-08', amount: eur(60_000) }));
    h.mailer.script = (mail) => (mail.kind === 'threshold-crossed' ? [] : (undefined as never));
    await h.reconcile('2027-03-09');
    if (answer80) h.mailer.script = undefined;
    await h.expense(anExpense({ expenseId: 'exp-2', date: '2027-03-09', amount: eur(25_000) }));
    h.setNow('2027-03-10T07:00:00.000Z');
    await h.reconcile('2027-03-10');
    h.mailer.script = undefined;
    return h;
  };
  const stale50 = (h: ReturnType<typeof budgetsHarness>) =>
    [...h.deliveries.items.values()].find((d) => d.subject[2] === 'threshold:50')!;
  /** The threshold warnings SES took, each time it took one (the first call's, which it did not, left out). */
  const taken = (h: ReturnType<typeof budgetsHarness>) =>
    h.mailer.delivered
      .filter((m) => m.kind === 'threshold-crossed')
      .map((m) => h.deliveries.items.get(m.deliveryId)?.subject[2]);

  it('is closed by the sweep without mail once the higher warning is mailed, saying it was superseded', async () => {
    const h = await warnedAt50ThenAt80(true);

    h.setNow('2027-03-10T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});

    expect(taken(h)).toEqual(['threshold:80']);
    expect(stale50(h)).toMatchObject({ status: 'failed', failure: 'superseded by the 80 % warning' });
  });

  it('is closed by the sweep without mail while the higher warning is only claimed, which it sends', async () => {
    const h = await warnedAt50ThenAt80(false);

    h.setNow('2027-03-10T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});
    await h.deliver(OutboxSweepDue, {});

    expect(taken(h)).toEqual(['threshold:80']);
    expect(stale50(h)).toMatchObject({ status: 'failed', failure: 'superseded by the 80 % warning' });
  });

  /** bud-1 warning at 25, 50, 80 and 100 %. */
  const fourThresholds = async () => {
    const h = budgetsHarness({ now: '2027-03-09T07:00:00.000Z' });
    await h.budget(aBudget({ thresholds: [25, 50, 80, 100] }), '2027-03-01T00:00:00.000Z');
    return h;
  };
  /** Each day of `spent` warns at the threshold its spend reaches; SES takes none of them. */
  const warnedUnanswered = async (
    h: ReturnType<typeof budgetsHarness>,
    spent: { spentOn: string; minor: number; warnedOn: string }[],
  ) => {
    h.mailer.script = (mail) => (mail.kind === 'threshold-crossed' ? [] : (undefined as never));
    for (const { spentOn, minor, warnedOn } of spent) {
      await h.expense(anExpense({ expenseId: `exp-${spentOn}`, date: spentOn, amount: eur(minor) }));
      h.setNow(`${warnedOn}T07:00:00.000Z`);
      await h.reconcile(warnedOn);
    }
    h.mailer.script = undefined;
  };
  /** Counts the strongly consistent reads of deliveries (the sweep's reads of the warnings reached). */
  const countReads = (h: ReturnType<typeof budgetsHarness>) => {
    const getMany = h.deliveries.getMany;
    const counted = { reads: 0 };
    h.deliveries.getMany = async (ids, options?: { consistent?: boolean }) => {
      if (options?.consistent) counted.reads += 1;
      return getMany(ids);
    };
    return counted;
  };
  const closedWhy = (h: ReturnType<typeof budgetsHarness>, ...thresholds: number[]) =>
    thresholds.map((threshold) => {
      const warning = [...h.deliveries.items.values()].find((d) => d.subject[2] === `threshold:${threshold}`);
      return [threshold, warning?.status, warning?.failure];
    });

  it("reads the budget's higher warnings once for all its stale warnings of the period a sweep closes", async () => {
    // 25 % on 9 March, 50 % on the 10th, 80 % on the 11th.
    const h = await fourThresholds();
    await warnedUnanswered(h, [
      { spentOn: '2027-03-08', minor: 30_000, warnedOn: '2027-03-09' },
      { spentOn: '2027-03-09', minor: 25_000, warnedOn: '2027-03-10' },
      { spentOn: '2027-03-10', minor: 30_000, warnedOn: '2027-03-11' },
    ]);
    const counted = countReads(h);

    h.setNow('2027-03-11T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});

    expect(counted.reads).toBe(1);
    expect(taken(h)).toEqual(['threshold:80']);
    expect(closedWhy(h, 25, 50)).toEqual([
      [25, 'failed', 'superseded by the 80 % warning'],
      [50, 'failed', 'superseded by the 80 % warning'],
    ]);
  });

  it("reads the budget's ledger once for all its stale warnings a sweep rebuilds", async () => {
    // 25 % on 9 March, 50 % on the 10th, 80 % on the 11th: three stale warnings of one budget and period.
    const h = await fourThresholds();
    await warnedUnanswered(h, [
      { spentOn: '2027-03-08', minor: 30_000, warnedOn: '2027-03-09' },
      { spentOn: '2027-03-09', minor: 25_000, warnedOn: '2027-03-10' },
      { spentOn: '2027-03-10', minor: 30_000, warnedOn: '2027-03-11' },
    ]);
    const ledger = h.store.ledger.bind(h.store);
    const ledgerReads: string[] = [];
    h.store.ledger = async (labelId, budgetId) => {
      ledgerReads.push(budgetId);
      return ledger(labelId, budgetId);
    };

    h.setNow('2027-03-11T09:00:00.000Z');
    await h.deliver(OutboxSweepDue, {});

    expect(ledgerReads).toEqual(['bud-1']);
    expect(taken(h)).toEqual(['threshold:80']);
  });

  it('reads them again on the next sweep, which finds the higher warning claimed since', async () => {
    // 25 % on 9 March, 50 % on the 10th: a sweep minutes after the 10th's run closes the 25 % warning.
    const h = await fourThresholds();
    await warnedUnanswered(h, [
      { spentOn: '2027-03-08', minor: 30_000, warnedOn: '2027-03-09' },
      { spentOn: '2027-03-09', minor: 25_000, warnedOn: '2027-03-10' },
    ]);
    const counted = countReads(h);
    h.setNow('2027-03-10T07:05:00.000Z');
    await h.deliver(OutboxSweepDue, {});
    // 80 % on the 11th, its claim open minutes before the next sweep finds the 50 % warning stale.
    await warnedUnanswered(h, [{ spentOn: '2027-03-10', minor: 30_000, warnedOn: '2027-03-11' }]);

    h.setNow('2027-03-11T07:05:00.000Z');
    await h.deliver(OutboxSweepDue, {});

    expect(counted.reads).toBe(2);
    expect(taken(h)).toEqual([]);
    expect(closedWhy(h, 25, 50)).toEqual([
      [25, 'failed', 'superseded by the 50 % warning'],
      [50, 'failed', 'superseded by the 80 % warning'],
    ]);
  });
});
