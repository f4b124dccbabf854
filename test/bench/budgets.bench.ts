import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { BudgetsDeps } from '#functions/budgets/ports.ts';
import { reconcileBudget } from '#functions/budgets/reconcile.ts';
import { names } from '#infra/local/cloud.ts';
import { dynamoClient, ensureTable, startLocalDynamo } from '#infra/local/dynamodb.ts';
import type { Budget } from '#shared/budgets/ledger.ts';
import { budgetKey, dynamoBudgets } from '#shared/db/budgets.ts';
import { BudgetReconciliationDue, BudgetSet, buildDetail, ExpenseRecorded } from '#shared/events/index.ts';
import { ledgerItems, putItems } from '#test/support/budgets-seeding.ts';
import { startCloudProcess } from '#test/support/cloud-process.ts';
import { reportRows, row, targets } from './rows.ts';

/**
 * The daily reconciliation of `BENCH_BUDGETS` budgets (2,000) with `BENCH_EXPENSES` expenses each (50)
 * on DynamoDB Local: wall time with `BENCH_CONCURRENCY` budgets reconciled at once (as Lambda would run
 * the fanned-out events side by side), and the read units every request reported
 * (`ReturnConsumedCapacity: TOTAL`) beside the floor: one eventually consistent Query of each ledger.
 *
 * The ledgers (about 200,000 items at full size) are seeded before the local cloud starts, into the
 * table it then opens from its data folder, with the table's stream off: DynamoDB Local spends about
 * as much again on each write's stream record, and the cloud's stream mapping would then read every
 * one of them (none is an outbox entry) while the seeding runs. The cloud turns the stream back on
 * when it opens the table, so the reconciliation's own writes reach the publisher as usual. The folder
 * is on /dev/shm where there is one: DynamoDB Local on a disk-backed folder waits on every commit.
 */
const budgets = Number(process.env.BENCH_BUDGETS ?? 2_000);
const expenses = Number(process.env.BENCH_EXPENSES ?? 50);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Each expense's net (EUR): the day's result must say budget x expenses of it, or the run counted wrong. */
const expenseMinor = 120_000;
const labelId = 'lbl-bench';
const ids = Array.from({ length: budgets }, (_, i) => `bud-${String(i).padStart(5, '0')}`);
const table = names.table;

async function inParallel<T>(items: T[], run: (item: T) => Promise<void>, width = concurrency) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'backline-bench-budgets-'));
const seeding = await startLocalDynamo({ port: 0, dataDir: join(dataDir, 'dynamodb') });
try {
  const client = dynamoClient(seeding.endpoint);
  await ensureTable(client, table);
  await client.send(
    new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: false } }),
  );
  const seedDb = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const seedStore = dynamoBudgets(seedDb, table);
  let requests = 0;
  const seeded = performance.now();
  await inParallel(ids, async (budgetId) => {
    const budget: Budget = {
      ...BudgetSet.data.parse({ ...BudgetSet.sample, budgetId }),
      labelId,
      occurredAt: '2027-01-01T00:00:00.000Z',
    };
    budget.lines = budget.lines.map((line) => ({
      ...line,
      planned: { ...line.planned, minor: 1_000_000_000 },
    }));
    await seedStore.saveBudget(budget);
    requests++;
    // Each budget's own invoice numbers: invoices shared across budgets would be flagged as duplicates.
    const data = Array.from({ length: expenses }, (_, e) =>
      ExpenseRecorded.data.parse({
        ...ExpenseRecorded.sample,
        budgetId,
        expenseId: `exp-${e}`,
        invoiceNumber: `INV-${budgetId}-${e}`,
        date: '2027-02-10',
        amount: { minor: expenseMinor, currency: 'EUR' },
      }),
    );
    requests += await putItems(seedDb, table, ledgerItems(labelId, budget, data, '2027-02-10T10:00:00.000Z'));
  });
  console.log(
    `seeded ${budgets} budgets x ${expenses} expenses (${budgets * (2 * expenses + 2)} items, ${requests} requests) in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
  );
} catch (error) {
  await seeding.stop();
  rmSync(dataDir, { recursive: true, force: true });
  throw error;
}
await seeding.stop();

const cloud = await startCloudProcess({ BACKLINE_DATA_DIR: dataDir });
const units = { read: 0, write: 0 };
const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: cloud.urls.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);
const readCommands = new Set(['GetCommand', 'QueryCommand', 'BatchGetCommand', 'ScanCommand']);
db.middlewareStack.add(
  (next, context) => async (args) => {
    (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const output = result.output as { ConsumedCapacity?: unknown };
    const consumed = [output.ConsumedCapacity ?? []].flat() as { CapacityUnits?: number }[];
    const total = consumed.reduce((t, c) => t + (c.CapacityUnits ?? 0), 0);
    if (readCommands.has(context.commandName ?? '')) units.read += total;
    else units.write += total;
    return result;
  },
  { step: 'initialize', name: 'consumedCapacity' },
);
const store = dynamoBudgets(db, table);

/**
 * DynamoDB Local answers a transaction that waited too long for its table lock with a 500 ("This request
 * will succeed in actual DynamoDB API"); on a busy machine that happens. Tried again, as Lambda would.
 */
let lockRetries = 0;
async function withLockRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 20 || !String((error as Error).message).includes('waiting for a lock')) throw error;
      lockRetries++;
      await new Promise((resolve) => setTimeout(resolve, 200 * (1 + Math.random())));
    }
  }
}

try {
  units.read = 0;
  units.write = 0;
  let floorUnits = 0;
  let ledgerBytes = 0;
  const floorStarted = performance.now();
  await inParallel(ids, async (budgetId) => {
    for await (const page of paginateQuery(
      { client: db },
      {
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': budgetKey(labelId, budgetId).pk },
        ReturnConsumedCapacity: 'TOTAL',
      },
    ))
      ledgerBytes += JSON.stringify(page.Items ?? []).length;
  });
  floorUnits = units.read;
  const floorMs = performance.now() - floorStarted;

  units.read = 0;
  units.write = 0;
  // Budgets planned far above their spend: no alert, so only the reconciliation's own reads and writes count.
  const mail = new Proxy({} as BudgetsDeps['mail'], {
    get: () => {
      throw new Error('the benchmark sends no mail');
    },
  });
  const deps: BudgetsDeps = {
    store,
    mail,
    now: () => new Date('2027-02-11T07:00:05.000Z'),
    timeZone: 'Europe/London',
  };
  const started = performance.now();
  await inParallel(ids, async (budgetId) => {
    const due = buildDetail(BudgetReconciliationDue, { labelId, budgetId, date: '2027-02-11' });
    await withLockRetries(() => reconcileBudget(due.data, due.metadata, deps));
  });
  const ms = performance.now() - started;
  console.log(
    `reconciled ${budgets} budgets x ${expenses} expenses, ${concurrency} at a time: ${(ms / 1000).toFixed(1)} s wall (${(ms / budgets).toFixed(1)} ms per budget of work), ${units.read.toFixed(1)} read units, ${units.write.toFixed(1)} write units, ${lockRetries} DynamoDB Local lock timeouts retried`,
  );
  console.log(
    `floor, each ledger read once (one Query per budget, eventually consistent): ${floorUnits.toFixed(1)} read units (${(ledgerBytes / budgets / 1024).toFixed(1)} KB of JSON per ledger), ${(floorMs / 1000).toFixed(1)} s; the reconciliation read ${(units.read / Math.max(floorUnits, 1)).toFixed(2)} x the floor`,
  );

  // Counted right: every budget has the day's result, with every expense in it once and no drift.
  const readUnits = units.read;
  const wrong: string[] = [];
  await inParallel(ids, async (budgetId) => {
    const result = (await store.getBudget(labelId, budgetId))?.lastResult;
    if (result?.date !== '2027-02-11' || result.actual !== expenses * expenseMinor || result.drift.length > 0)
      wrong.push(budgetId);
  });
  if (wrong.length > 0)
    throw new Error(`${wrong.length} budgets reconciled wrong, for example ${wrong.slice(0, 3).join(', ')}`);
  console.log(`checked: ${budgets} day results, each ${expenses} expenses counted once, no drift`);

  const size = `${budgets.toLocaleString('en')} budgets x ${expenses} expenses`;
  reportRows([
    row(
      'budgets-reconciliation',
      `reconciliation, ${size} (read units vs one read of each ledger)`,
      readUnits,
      'RCU',
      floorUnits,
      targets.ratioAtMost(1.1),
      `read units counted from ReturnConsumedCapacity (load-independent); ${(ledgerBytes / budgets / 1024).toFixed(1)} KB of JSON per ledger; ${units.write.toFixed(1)} write units`,
    ),
    row(
      'budgets-reconciliation-wall',
      `reconciliation, ${size}, ${concurrency} at a time (wall time vs reading each ledger once)`,
      ms / 1000,
      's',
      floorMs / 1000,
      targets.none,
      `${lockRetries} DynamoDB Local lock timeouts retried; DynamoDB Local on one machine, not Lambda`,
    ),
  ]);
} finally {
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
