import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyState, evaluate, sameJson, sameState, versionAt, withVersion } from '#shared/budgets/ledger.ts';
import { ExpenseRecorded } from '#shared/events/index.ts';

/** What "the same as JSON" means: the JSON texts with every object's keys in one order are equal. */
const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((key) => [key, v[key]]),
        )
      : v,
  );

/** The same value with every object's keys in reverse order, as the table may hand attributes back. */
const reordered = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reordered)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([key, v]) => [key, reordered(v)]),
        )
      : value;

const recorded = (minor: number) => {
  const data = ExpenseRecorded.data.parse({ ...ExpenseRecorded.sample, amount: { minor, currency: 'EUR' } });
  const version = {
    expenseId: data.expenseId,
    at: versionAt('2027-02-10T10:00:00.000Z', 'evt-1'),
    change: 'recorded' as const,
    data,
    receivedAt: '2027-02-10T10:00:01.000Z',
  };
  return evaluate(
    withVersion(emptyState(data.expenseId, version.receivedAt), version),
    { currency: 'EUR' },
    () => undefined,
  );
};

describe('expense states compared by the reconciliation', () => {
  it('are the same whatever order their attributes come back in, and whatever their revision', () => {
    const state = recorded(120_000);
    const stored = { ...(reordered(state) as typeof state), revision: 7 };
    expect(sameState(state, stored)).toBe(true);
  });

  it('are the same when one leaves an attribute undefined that the table dropped', () => {
    const state = { ...recorded(120_000), voidAt: undefined, voidReason: undefined };
    expect(sameState(state, recorded(120_000))).toBe(true);
  });

  it('differ when a nested value, a counter or the expenses that settle it differ', () => {
    const state = recorded(120_000);
    expect(sameState(state, recorded(110_000))).toBe(false);
    expect(sameState(state, { ...state, contribution: { ...state.contribution, extra: 1 } })).toBe(false);
    expect(sameState(state, { ...state, settledBy: ['exp-2'] })).toBe(false);
    expect(sameState({ ...state, settledBy: ['a', 'b'] }, { ...state, settledBy: ['b', 'a'] })).toBe(false);
  });

  it('agree with comparing the JSON texts with keys sorted, for any JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(sameJson(a, reordered(a))).toBe(true);
        expect(sameJson(a, b)).toBe(sortedJson(a) === sortedJson(b));
      }),
    );
  });
});
