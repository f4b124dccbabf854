/** The TransactionCanceledException DynamoDB answers a cancelled TransactWriteItems with: one reason code per item. */
export const transactionCancelled = (codes: string[]) =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
