import { type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { Counters, ExpenseState, ExpenseVersion, FlaggedInvoice } from '../budgets/ledger.ts';
import {
  carryingExpenses,
  type DuplicatesSummary,
  duplicatesSummary,
  invoiceOf,
  isCounterName,
  type PossibleDuplicate,
  type UnconvertedExpense,
  type UnconvertedSummary,
} from '../budgets/ledger.ts';
import { byParts } from '../http/cursor.ts';
import type { Money } from '../money/money.ts';
import type {
  DayResult,
  DriftRecord,
  InvoiceFiling,
  InvoiceRef,
  Ledger,
  Refusal,
  StoredBudget,
} from './budgets.ts';
import { type IndexKey, indexPage, startKeyOf } from './index-page.ts';
import { InvalidCursorError, isKeyValue, keyBytes, keyOf, keyParts } from './keys.ts';

/**
 * The budgets store's read side: a budget, its ledger, a label's budgets and an artist's recoupable
 * expenses, as the office API shows them and the budgets function reads them before it writes. Gets
 * and Queries only, in a module of their own, because a function's DynamoDB grants follow the modules
 * it imports (test/unit/infra/grants-match-code.test.ts): the office function reads budgets and so
 * imports this, not shared/db/budgets.ts, whose ledger transactions (a cross-budget condition check
 * among them) it never runs. One store still: `dynamoBudgets` is these reads with the writes. The
 * keys are shared/db/budgets.ts's access patterns.
 */

/** Every item of one budget: pk = BUDGET#<labelId>#<budgetId>. */
export const budgetPartition = (labelId: string, budgetId: string) => keyOf('BUDGET', labelId, budgetId);
export const budgetKey = (labelId: string, budgetId: string) => ({
  pk: budgetPartition(labelId, budgetId),
  sk: 'BUDGET',
});

/** A label's expenses filed by vendor invoice, one item each: pk = INVOICE#<labelId>#<vendor>#<invoice>. */
export const invoicePartition = (labelId: string, invoice: InvoiceRef) => {
  const { vendor, invoiceNumber } = invoiceOf(invoice.vendor, invoice.invoiceNumber);
  return keyOf('INVOICE', labelId, vendor, invoiceNumber);
};

/** Every expense of the label filed under the invoice (its generation's item aside). */
export async function readInvoiceFilings(
  db: DynamoDBDocumentClient,
  table: string,
  labelId: string,
  invoice: InvoiceRef,
  consistent: boolean,
): Promise<InvoiceFiling[]> {
  const filings: InvoiceFiling[] = [];
  for await (const page of paginateQuery(
    { client: db },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': invoicePartition(labelId, invoice) },
      ConsistentRead: consistent,
    },
  ))
    for (const item of page.Items ?? [])
      if (item.entity === 'invoice')
        filings.push({
          budgetId: item.budgetId,
          expenseId: item.expenseId,
          revision: Number(item.revision ?? 0),
          // Filed before filings said whether they carry it: as they were then, carrying it.
          carries: item.carries !== false,
        });
  return filings;
}

/** A label's budgets on the index, by scope: gsi1pk = BUDGETS#<labelId>, gsi1sk = <scopeKind>#<scopeId>#<budgetId>. */
export const labelBudgetsPartition = (labelId: string) => keyOf('BUDGETS', labelId);
export const labelBudgetsIndexKey = (
  labelId: string,
  scope: { kind: string; id: string },
  budgetId: string,
) => ({
  gsi1pk: labelBudgetsPartition(labelId),
  gsi1sk: keyParts(scope.kind, scope.id, budgetId),
});

/** A budget as a cursor of its label's budgets names it: the parts of its index sort key. */
export const labelBudgetRow = (budget: Pick<StoredBudget, 'scope' | 'budgetId'>): string[] => [
  budget.scope.kind,
  budget.scope.id,
  budget.budgetId,
];

/** The scope a label's budgets are asked of: a kind of scope, or one scope. */
export type ScopeAsked = { kind: string; id?: string | undefined };

/** The start of the index sort keys of the budgets of `scope` (every budget of the label: none). */
const scopePrefix = (scope: ScopeAsked | undefined) =>
  scope ? (scope.id ? `${keyParts(scope.kind, scope.id)}#` : `${keyParts(scope.kind)}#`) : '';

/**
 * Where a label's budgets (of `scope`, when asked) go on after the budget a cursor names
 * (`labelBudgetRow`), or InvalidCursorError for a budget outside the scope asked: DynamoDB refuses a
 * start key outside the query's condition with a 5xx.
 */
export function labelBudgetsStartKey(
  labelId: string,
  scope: ScopeAsked | undefined,
  [kind, scopeId, budgetId]: string[],
): IndexKey {
  if (scope && (kind !== scope.kind || (scope.id && scopeId !== scope.id)))
    throw new InvalidCursorError('cursor is not one this API returned');
  return startKeyOf({
    ...budgetKey(labelId, budgetId),
    ...labelBudgetsIndexKey(labelId, { kind, id: scopeId }, budgetId),
  });
}

/**
 * A day's result as kept. One kept before results counted their unconverted expenses listed every one
 * of them (it fitted its item, or it would not have been kept): read as that many, all listed, summed
 * per currency by their net and VAT, since it did not keep their kinds. One kept before results counted
 * their possible duplicates listed every invoice and expense likewise: read as that many, all listed,
 * with the fingerprint the same set has today, so the next day's `changed` compares like with like.
 */
export const dayResultOf = (item: Record<string, unknown>): DayResult => {
  // When a report read it as kept after its own day's report began: the store's, not the result's.
  const { pk: _p, sk: _s, entity: _e, lateReportedOn: _l, ...kept } = item;
  const result = kept as unknown as DayResult;
  const duplicates = kept.possibleDuplicates as DuplicatesSummary | PossibleDuplicate[];
  const unconverted = kept.unconverted as DayResult['unconverted'] | UnconvertedExpense[];
  return {
    ...result,
    ...(Array.isArray(duplicates)
      ? { possibleDuplicates: duplicatesSummary(duplicates, duplicates.length, Number.POSITIVE_INFINITY) }
      : {}),
    ...(Array.isArray(unconverted) ? { unconverted: unconvertedKeptWhole(unconverted) } : {}),
  };
};

/** Unconverted expenses a result kept before they were counted listed every one: that many, all listed. */
function unconvertedKeptWhole(unconverted: UnconvertedExpense[]): UnconvertedSummary {
  const byCurrency: UnconvertedSummary['byCurrency'] = {};
  for (const expense of unconverted)
    for (const [kind, money] of [
      ['net', expense.amount],
      ['vat', expense.vat],
    ] as const) {
      if (!money) continue;
      byCurrency[money.currency] ??= { count: 0, amounts: {} };
      const entry = byCurrency[money.currency];
      if (kind === 'net') entry.count++;
      entry.amounts[kind] = (entry.amounts[kind] ?? 0) + money.minor;
    }
  return { count: unconverted.length, byCurrency, first: unconverted, more: 0 };
}

const budgetOf = (item: Record<string, unknown>): StoredBudget => {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, entity: _e, ...budget } = item;
  return {
    ...(budget as unknown as StoredBudget),
    ...(budget.lastResult ? { lastResult: dayResultOf(budget.lastResult as Record<string, unknown>) } : {}),
  };
};

const driftRecordOf = (item: Record<string, unknown>): DriftRecord => ({
  date: item.date as string,
  at: item.at as string,
  differences: item.differences as DriftRecord['differences'],
  ...(item.by ? { by: item.by as string } : {}),
});

export const stateOf = (item: Record<string, unknown>): ExpenseState => {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _a,
    gsi1sk: _b,
    gsi2pk: _c,
    gsi2sk: _d,
    entity: _e,
    labelId: _l,
    budgetId: _g,
    ...state
  } = item;
  return state as unknown as ExpenseState;
};

/**
 * The running totals of the totals' item, each a number. The SDK reads a number past the largest
 * integer a number holds exactly as a BigInt; no write takes a total there (`totalLimit`), but one
 * stored before the limit was kept may be: it is read as the nearest number, never as a BigInt,
 * which no figure or answer could take (see docs/design.md#money).
 */
export const countersOf = (item: Record<string, unknown> | undefined): Counters =>
  Object.fromEntries(
    Object.entries(item ?? {})
      .filter(([name]) => isCounterName(name))
      .map(([name, value]) => [name, Number(value)])
      .filter(([, value]) => value !== 0),
  );

export interface BudgetReads {
  getBudget(labelId: string, budgetId: string): Promise<StoredBudget | undefined>;
  ledger(labelId: string, budgetId: string, options?: { consistent?: boolean }): Promise<Ledger>;
  /**
   * The budget's drift records by date and time (their keys' order), from the first of the instant
   * `from` names on (every one when none), read `pageSize` at a time as they are asked for: a drift
   * history's page reads from its cursor's instant, not the ledger (see docs/design.md#budgets).
   */
  driftFrom(
    labelId: string,
    budgetId: string,
    from: { date: string; at: string } | undefined,
    pageSize: number,
  ): AsyncIterable<DriftRecord>;
  labelBudgets(labelId: string, scope?: ScopeAsked): Promise<StoredBudget[]>;
  /**
   * The label's budgets (of `scope`, when asked) by scope kind, scope id and budget id (the bytes of the
   * index's sort key), at most `limit` after the one `after` names (`labelBudgetRow`), and whether more
   * follow. InvalidCursorError for a row whose keys DynamoDB would refuse, or outside the scope asked.
   */
  labelBudgetsPage(
    labelId: string,
    scope: ScopeAsked | undefined,
    limit: number,
    after?: string[],
  ): Promise<{ budgets: StoredBudget[]; more: boolean }>;
  recoupable(
    labelId: string,
    artistId: string,
  ): Promise<{ budgetId: string; expenseId: string; amount: Money }[]>;
}

/** How many of a label's budgets `labelBudgets` asks a page for: DynamoDB answers 1 MB at most anyway. */
const labelBudgetsRead = 1_000;

export function dynamoBudgetReads(db: DynamoDBDocumentClient, table: string): BudgetReads {
  const get = async (key: Record<string, unknown>, consistent = false) =>
    (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: consistent }))).Item;

  const labelBudgetsPage: BudgetReads['labelBudgetsPage'] = async (labelId, scope, limit, after) => {
    const startKey = after && labelBudgetsStartKey(labelId, scope, after);
    const partition = labelBudgetsPartition(labelId);
    const { items, more } = await indexPage(db, table, partition, limit, startKey, scopePrefix(scope));
    return { budgets: items.map(budgetOf), more };
  };

  return {
    async getBudget(labelId, budgetId) {
      const item = await get(budgetKey(labelId, budgetId), true);
      return item ? budgetOf(item) : undefined;
    },

    async ledger(labelId, budgetId, options = {}) {
      const ledger: Ledger = {
        totals: {},
        totalsRevision: 0,
        states: [],
        versions: [],
        alerts: [],
        drift: [],
        flagged: [],
        refused: [],
      };
      // A strong read takes the running totals' item first, then the whole ledger in its order (the states
      // before the versions after them, so a write landing amid the read is in the versions if in the
      // states, and a state rebuilt from them is refused by its revision): on a ledger of several pages a
      // write landing amid the read moves the revision past the one it answers, had it been read last
      // (see docs/design.md#budgets). An eventual read (nothing is written from it) is one Query.
      const filed: FlaggedInvoice[] = [];
      for (const sk of options.consistent ? ['=', ''] : [''])
        for await (const page of paginateQuery(
          { client: db },
          {
            TableName: table,
            KeyConditionExpression: `pk = :pk${sk && ` AND sk ${sk} :t`}`,
            ExpressionAttributeValues: {
              ':pk': budgetPartition(labelId, budgetId),
              ...(sk && { ':t': 'TOTALS' }),
            },
            ConsistentRead: options.consistent ?? false,
          },
        )) {
          for (const item of page.Items ?? []) {
            if (item.entity === 'budget') ledger.budget = budgetOf(item);
            else if (item.sk === 'TOTALS') {
              // The revision answered is the first read's.
              if (sk === '' && options.consistent) continue;
              ledger.totals = countersOf(item);
              ledger.totalsRevision = Number(item.revision ?? 0);
            } else if (item.entity === 'expense') ledger.states.push(stateOf(item));
            else if (item.entity === 'version') {
              const { pk: _p, sk: _s, entity: _e, ...version } = item;
              ledger.versions.push(version as ExpenseVersion);
            } else if (item.entity === 'alert')
              ledger.alerts.push({
                alertId: item.alertId,
                raisedAt: item.raisedAt,
                ...(item.date ? { date: item.date } : {}),
                mailed: item.mailed === true,
              });
            else if (item.entity === 'drift') ledger.drift.push(driftRecordOf(item));
            else if (item.entity === 'refused') {
              const { pk: _p, sk: _s, entity: _e, ...refusal } = item;
              ledger.refused.push(refusal as Refusal);
            }
            // A flag whose expenses all stopped carrying the invoice elsewhere names none: no flag.
            else if (item.entity === 'duplicate' && (item.expenses?.length > 0 || item.expensesFiled)) {
              const flag = {
                vendor: item.vendor,
                invoiceNumber: item.invoiceNumber,
                expenses: item.expenses ?? [],
              };
              ledger.flagged.push(flag);
              if (item.expensesFiled) filed.push(flag);
            }
          }
        }
      // A flag naming more expenses than its item holds names them by the invoice's filings, read as they stand.
      for (const flag of filed)
        flag.expenses = carryingExpenses(
          await readInvoiceFilings(db, table, labelId, flag, options.consistent ?? false),
        );
      ledger.flagged = ledger.flagged.filter((flag) => flag.expenses.length > 0);
      return ledger;
    },

    async *driftFrom(labelId, budgetId, from, pageSize) {
      // A record's date and time are ISO 8601 (digits, -, :, ., T, Z, +), each above the % and # of a key's
      // escaping, so the key of any date and time is at or before those of every instant after it, as the
      // list orders them (`byParts`). An instant naming no key DynamoDB takes is read from the first record;
      // what is before it is left out.
      const start = from && keyOf('DRIFT', from.date, from.at);
      const instant = (record: { date: string; at: string }) => [record.date, record.at];
      for await (const page of paginateQuery(
        { client: db, pageSize },
        {
          TableName: table,
          // Every drift key is `DRIFT#...`, below `DRIFT$`.
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': budgetPartition(labelId, budgetId),
            ':from': start && isKeyValue(start, keyBytes.sort) ? start : 'DRIFT#',
            ':to': 'DRIFT$',
          },
        },
      ))
        for (const record of (page.Items ?? []).map(driftRecordOf))
          if (!from || byParts(instant(record), instant(from)) >= 0) yield record;
    },

    async labelBudgets(labelId, scope) {
      const found: StoredBudget[] = [];
      let after: string[] | undefined;
      do {
        const { budgets, more } = await labelBudgetsPage(labelId, scope, labelBudgetsRead, after);
        found.push(...budgets);
        const last = budgets.at(-1);
        after = more && last ? labelBudgetRow(last) : undefined;
      } while (after);
      return found;
    },

    labelBudgetsPage,

    async recoupable(labelId, artistId) {
      const found: { budgetId: string; expenseId: string; amount: Money }[] = [];
      for await (const page of paginateQuery(
        { client: db },
        {
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :artist',
          ExpressionAttributeValues: { ':artist': keyOf('RECOUPABLE', labelId, artistId) },
        },
      ))
        for (const item of page.Items ?? [])
          if (item.recoupable?.artistId === artistId)
            found.push({
              budgetId: item.budgetId,
              expenseId: item.expenseId,
              amount: item.recoupable.amount,
            });
      return found;
    },
  };
}
