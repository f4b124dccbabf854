import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keyOf } from './keys.ts';

/**
 * Exchange rates of a day, as the manager puts them (office) and the reconciliation converts with
 * them (budgets): pk = FX#<date>, sk = FX. Part of the budgets store (`dynamoBudgets`), in a module of
 * its own so that the office function, which puts rates, imports no ledger write (see
 * shared/db/budget-reads.ts).
 */
const ratesKey = (date: string) => ({ pk: keyOf('FX', date), sk: 'FX' });

export interface FxRates {
  rates(date: string): Promise<Record<string, string> | undefined>;
  putRates(date: string, rates: Record<string, string>, at: string): Promise<void>;
}

export const dynamoFxRates = (db: DynamoDBDocumentClient, table: string): FxRates => ({
  async rates(date) {
    return (await db.send(new GetCommand({ TableName: table, Key: ratesKey(date) }))).Item?.rates;
  },
  async putRates(date, rates, at) {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...ratesKey(date), entity: 'fx-rates', date, rates, updatedAt: at },
      }),
    );
  },
});
