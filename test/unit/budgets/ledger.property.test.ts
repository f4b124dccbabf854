import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statesFromLedger } from '#functions/budgets/reconcile.ts';
import { type Counters, counter, evaluate, sum } from '#shared/budgets/ledger.ts';
import { settlementEntryId } from '#shared/db/budgets.ts';
import { BudgetSet } from '#shared/events/index.ts';
import { budgetsHarness } from '#test/support/budgets-harness.ts';

/**
 * For any order, duplication and amendment of expense events and show settlements: the running totals
 * equal the ledger (and a plain model of it), and each threshold alert is raised once, its mail sent at
 * most once.
 */
const budget = {
  ...BudgetSet.sample,
  budgetId: 'bud-p',
  scope: { kind: 'tour' as const, id: 'tour-p' },
  period: { start: '2027-03-01', end: '2027-03-31' },
  thresholds: [25, 50, 100],
  lines: [
    { lineId: 'a', category: 'pr' as const, planned: { minor: 50_000, currency: 'EUR' } },
    { lineId: 'b', category: 'video' as const, planned: { minor: 50_000, currency: 'EUR' } },
  ],
};

type Change =
  | {
      change: 'recorded' | 'amended';
      expenseId: string;
      at: number;
      line: 'a' | 'b';
      minor: number;
      kind: 'commitment' | 'actual';
      settles?: string;
    }
  | { change: 'voided'; expenseId: string; at: number }
  | { change: 'settled'; expenseId: string; showId: string; at: number; minor: number; kind: 'income' };

const ids = ['e1', 'e2', 'e3', 'e4'];
const aChange: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    change: fc.constantFrom('recorded' as const, 'amended' as const),
    expenseId: fc.constantFrom(...ids),
    at: fc.integer({ min: 0, max: 50 }),
    line: fc.constantFrom('a' as const, 'b' as const),
    minor: fc.integer({ min: 0, max: 40_000 }),
    kind: fc.constantFrom('commitment' as const, 'actual' as const),
    settles: fc.option(fc.constantFrom(...ids), { nil: undefined }),
  }),
  fc.record({
    change: fc.constant('voided' as const),
    expenseId: fc.constantFrom(...ids),
    at: fc.integer({ min: 0, max: 50 }),
  }),
  fc
    .record({
      showId: fc.constantFrom('s1', 's2'),
      at: fc.integer({ min: 0, max: 50 }),
      minor: fc.integer({ min: -5_000, max: 40_000 }),
    })
    .map((s) => ({
      ...s,
      change: 'settled' as const,
      expenseId: settlementEntryId('tour-p', s.showId),
      kind: 'income' as const,
    })),
);

/** The totals a plain reading of the changes gives: the latest of each expense by the label's time, unless voided later. */
function model(changes: (Change & { eventId: string })[]): Counters {
  const key = (c: { at: number; eventId: string }) => `${String(c.at).padStart(3, '0')}#${c.eventId}`;
  const latest = new Map<string, { data?: Change & { eventId: string }; voidAt?: string }>();
  for (const c of changes) {
    const entry = latest.get(c.expenseId) ?? {};
    if (c.change === 'voided') {
      if (!entry.voidAt || key(c) > entry.voidAt) entry.voidAt = key(c);
    } else if (!entry.data || key(c) > key(entry.data)) entry.data = c;
    latest.set(c.expenseId, entry);
  }
  const counted = [...latest.values()].flatMap(({ data, voidAt }) =>
    data && data.change !== 'voided' && !(voidAt && voidAt > key(data)) ? [data] : [],
  ) as Exclude<Change, { change: 'voided' }>[];
  const totals: Counters = {};
  const income = counter.income('show-settlement');
  for (const c of counted) if (c.kind === 'income') totals[income] = (totals[income] ?? 0) + c.minor;
  const spend = counted.filter((c) => c.change !== 'settled');
  const settled = new Set(
    spend.filter((c) => c.kind === 'actual' && c.settles && c.settles !== c.expenseId).map((c) => c.settles),
  );
  for (const c of spend) {
    if (c.kind === 'commitment' && settled.has(c.expenseId)) continue;
    const name = c.kind === 'actual' ? counter.actual(c.line) : counter.committed(c.line);
    totals[name] = (totals[name] ?? 0) + c.minor;
  }
  return sum(totals);
}

describe('budget totals (property)', () => {
  it('equal the ledger for any order, duplication and amendment of expense events and show settlements, and each threshold alert goes out once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(aChange, { minLength: 1, maxLength: 14 }),
        fc.array(fc.nat(), { maxLength: 14 }),
        fc.array(fc.boolean(), { maxLength: 14 }),
        async (changes, order, reconcileAfter) => {
          const h = budgetsHarness();
          await h.budget(budget);
          const events = changes.map((c, i) => ({ ...c, eventId: `evt-${i}` }));
          // Deliveries: each event once or twice (at-least-once), in any order.
          const deliveries = [
            ...events,
            ...events.filter((_, i) => order[i] !== undefined && order[i] % 3 === 0),
          ];
          const shuffled = deliveries
            .map((d, i) => ({ d, rank: order[i % Math.max(1, order.length)] ?? i, i }))
            .sort((x, y) => x.rank - y.rank || x.i - y.i)
            .map(({ d }) => d);
          let day = 1;
          for (const [i, c] of shuffled.entries()) {
            const meta = {
              eventId: c.eventId,
              occurredAt: new Date(Date.UTC(2027, 1, 1, 0, c.at)).toISOString(),
            };
            if (c.change === 'voided')
              await h.voidExpense({ expenseId: c.expenseId, budgetId: 'bud-p' }, meta);
            else if (c.change === 'settled') {
              const net = { minor: c.minor, currency: 'EUR' };
              // A net below zero is a show whose costs passed its gross (neither is ever below zero).
              const loss = { minor: Math.max(-c.minor, 0), currency: 'EUR' };
              await h.settle(
                {
                  tourId: 'tour-p',
                  showId: c.showId,
                  settledAt: '2027-03-01T23:00:00Z',
                  gross: { minor: Math.max(c.minor, 0), currency: 'EUR' },
                  deductions: loss.minor > 0 ? [{ kind: 'venue', amount: loss }] : [],
                  artistNet: net,
                },
                meta,
              );
            } else {
              const data = {
                expenseId: c.expenseId,
                budgetId: 'bud-p',
                lineId: c.line,
                vendor: 'Vendor',
                date: '2027-03-01',
                amount: { minor: c.minor, currency: 'EUR' },
                kind: c.kind,
                ...(c.kind === 'actual' && c.settles && c.settles !== c.expenseId
                  ? { settles: c.settles }
                  : {}),
              };
              if (c.change === 'amended') await h.amend(data, meta);
              else await h.expense(data, meta);
            }
            if (reconcileAfter[i] && day < 28) await h.reconcile(`2027-03-${String(++day).padStart(2, '0')}`);
          }
          const expected = model(
            events.map((e) =>
              e.change === 'voided' || e.change === 'settled'
                ? e
                : { ...e, settles: e.kind === 'actual' && e.settles !== e.expenseId ? e.settles : undefined },
            ),
          );

          const ledger = await h.ledger('bud-p');
          const fromLedger = sum(
            ...[...statesFromLedger(ledger).values()].map(
              (s) => evaluate(s, ledger.budget, () => undefined).contribution,
            ),
          );
          expect(ledger.totals).toEqual(expected);
          expect(fromLedger).toEqual(expected);
          expect(h.events('Budget Drift Repaired')).toEqual([]);

          await h.reconcile('2027-03-29');
          await h.reconcile('2027-03-30');
          const used = Object.entries(expected)
            .filter(([name]) => name !== counter.income('show-settlement'))
            .reduce((t, [, v]) => t + v, 0);
          const crossed = budget.thresholds.filter((t) => used * 100 >= t * 100_000 && used > 0);
          const thresholdMails = h.received().filter((m) => m.kind === 'threshold-crossed');
          const mailed = thresholdMails.map(
            (m) => (m.data as { text: { headline: string } }).text.headline.split(' ')[0],
          );
          const alerted = h
            .events('Budget Threshold Crossed')
            .map((e) => (e.detail.data as { threshold: number }).threshold);
          expect(new Set(thresholdMails.map((m) => JSON.stringify(m.subject))).size).toBe(
            thresholdMails.length,
          );
          expect(new Set(alerted).size).toBe(alerted.length);
          // Each day's thresholds are told by one mail, at the highest: never one a threshold not raised,
          // and always the highest raised (docs/design.md#budgets).
          expect(alerted.map(String)).toEqual(expect.arrayContaining(mailed));
          if (alerted.length > 0) expect(mailed).toContain(String(Math.max(...alerted)));
          expect(alerted).toEqual(expect.arrayContaining(crossed));
        },
      ),
      { numRuns: 60 },
    );
  });
});
