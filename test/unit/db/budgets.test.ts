import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { duplicatesSummary } from '#shared/budgets/ledger.ts';
import { dynamoBudgets, type LedgerWrite, settlementEntryId } from '#shared/db/budgets.ts';
import { keyOf, keyParts } from '#shared/db/keys.ts';
import { BudgetReconciled, outboxEntry } from '#shared/events/index.ts';
import { aDayResult } from '#test/support/budgets.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';

const documents = mockClient(DynamoDBDocumentClient);
const client = documents as unknown as DynamoDBDocumentClient;

beforeEach(() => documents.reset());

const result = aDayResult({
  date: '2027-03-10',
  owner: { name: 'Mara', email: 'mara@label.example' },
  actual: 90_000,
  remaining: 10_000,
  usedPercent: 90,
  reconciledAt: '2027-03-10T07:00:05.000Z',
});

const eur = (minor: number) => ({ minor, currency: 'EUR' });
const reconciled = () =>
  outboxEntry(
    BudgetReconciled,
    {
      labelId: 'lbl-1',
      budgetId: 'bud-1',
      date: result.date,
      planned: eur(100_000),
      committed: eur(0),
      actual: eur(90_000),
      income: eur(0),
      remaining: eur(10_000),
      usedPercent: 90,
      forecastAtEnd: eur(90_000),
      runsOutOn: null,
      status: 'on-track',
    },
    { source: 'backline.budgets', labelId: 'lbl-1' },
  );

describe('the budget store on DynamoDB', () => {
  it("lists the owner for the 07:30 report when the day's result was kept by an attempt that failed before listing them", async () => {
    // The first attempt's transaction lands and listing the owner fails (throttling, a 500, a
    // timeout); Lambda's retry finds the result kept, so its transaction is refused.
    documents
      .on(TransactWriteCommand)
      .resolvesOnce({})
      .rejects(
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
        }),
      );
    documents
      .on(PutCommand)
      .rejectsOnce(Object.assign(new Error('Internal server error'), { name: 'InternalServerError' }))
      .resolves({});
    // The day's report has not begun.
    documents.on(GetCommand).resolves({});
    const store = dynamoBudgets(client, 't');
    await expect(store.saveDayResult(result, reconciled())).rejects.toThrow('Internal server error');

    await store.saveDayResult(result, reconciled());

    const listed = documents.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(listed).toHaveLength(2);
    expect(listed[1]).toEqual({
      pk: 'BUDGET-OWNERS#2027-03-10',
      sk: 'lbl-1#mara@label.example',
      labelId: 'lbl-1',
      ownerEmail: 'mara@label.example',
    });
  });

  it("keeps the day's result, with its Budget Reconciled, when a concurrent write cancelled its transaction (TransactionConflict)", async () => {
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCancelled(['None', 'TransactionConflict', 'None']))
      .resolves({});
    documents.on(PutCommand).resolves({});
    documents.on(GetCommand).resolves({});

    await dynamoBudgets(client, 't').saveDayResult(result, reconciled());

    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(documents.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('writes a ledger change whose transaction a concurrent write cancelled, and still refuses a stale one', async () => {
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCancelled(['None', 'TransactionConflict']))
      .resolvesOnce({})
      .rejects(transactionCancelled(['ConditionalCheckFailed', 'None']));
    const store = dynamoBudgets(client, 't');
    const write: LedgerWrite = { versions: [], states: [], delta: { 'actual:EUR': 500 } };

    const first = await store.writeLedger('lbl-1', 'bud-1', write);
    const stale = await store.writeLedger('lbl-1', 'bud-1', write);

    expect([first, stale]).toEqual([true, false]);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('reads a day kept before its possible duplicates were counted as that many, all listed, with the fingerprint the same set has now', async () => {
    // Kept listing every invoice, in the order of the ledger then.
    const kept = [
      { vendor: 'Tape Op', invoiceNumber: 'T-9', expenseIds: ['exp-9', 'exp-3'] },
      {
        vendor: 'Airplay Partners',
        invoiceNumber: 'AP-1',
        expenseIds: ['exp-1'],
        elsewhere: [{ budgetId: 'bud-2', expenseId: 'exp-7' }],
      },
    ];
    documents
      .on(QueryCommand)
      .resolves({ Items: [{ pk: 'p', sk: 's', ...result, possibleDuplicates: kept }] });

    // An instance, as the store's paginated query wants one (its send is the mock's).
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const [read] = await dynamoBudgets(db, 'backline').dayResults(result.date, 'lbl-1', 'mara@label.example');

    expect(read.possibleDuplicates).toMatchObject({ count: 2, more: 0 });
    expect(read.possibleDuplicates.first).toEqual(kept.map((d) => ({ ...d, more: 0 })));
    // Today's reconciliation of the same set finds it unchanged.
    expect(read.possibleDuplicates.fingerprint).toBe(
      duplicatesSummary([
        { ...kept[1] },
        { vendor: 'Tape Op', invoiceNumber: 'T-9', expenseIds: ['exp-3', 'exp-9'] },
      ]).fingerprint,
    );
  });
});

describe("a show settlement's ledger id", () => {
  // A tour id of 128 `#` and a show id of 56 `#` then letters: 945 bytes once its expense's key escapes
  // it (each `#` five bytes there), the most whose drift record's key fits DynamoDB's 1,024 bytes.
  const tourId = '#'.repeat(128);
  const showId = (letters: string) => `${'#'.repeat(56)}${letters}`;

  it('is the tour and show ids under its prefix, as they read, while its keys fit', () => {
    const id = settlementEntryId(tourId, showId('abcd'));

    expect(settlementEntryId('tour-eu', 'show-berlin')).toBe('show-settlement#tour-eu#show-berlin');
    expect(id).toBe(keyOf('show-settlement', tourId, showId('abcd')));
    expect(Buffer.byteLength(keyParts(id))).toBe(945);
  });

  it('is a digest of the tour and show ids, with one separator where a readable id has two, once its keys would not fit', () => {
    const id = settlementEntryId(tourId, showId('abcde'));

    expect(id).toMatch(/^show-settlement#[0-9a-f]{40}$/);
    expect(settlementEntryId(tourId, showId('abcdf'))).not.toBe(id);
  });
});
