import {
  type DynamoDBDocumentClient,
  type PutCommand,
  TransactWriteCommand,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/** The TransactionCanceledException DynamoDB answers a cancelled TransactWriteItems with: one reason code per item. */
export const transactionCancelled = (codes: string[]) =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/**
 * A document client whose first `kind` command is applied and its answer lost, as the local cloud's
 * `dynamodb.accept-then-fail` leaves it (docs/design.md#failures-and-retries): a transaction is answered
 * as its SDK retry was, cancelled for a conflict; a plain write as the SDK's resend of the same request,
 * refused by the write it resends. `lost()` says whether it came to that.
 */
export function answerLostOnce(
  client: DynamoDBDocumentClient,
  kind: typeof TransactWriteCommand | typeof UpdateCommand | typeof PutCommand,
) {
  let lost = false;
  const losing = {
    send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      const sent = () => client.send(command);
      if (lost || !(command instanceof kind)) return sent();
      lost = true;
      await sent();
      if (command instanceof TransactWriteCommand)
        throw transactionCancelled(['TransactionConflict', 'None']);
      return sent();
    },
  } as DynamoDBDocumentClient;
  return { client: losing, lost: () => lost };
}

/**
 * A fake store's conditional write (`store[method]`, answering whether it wrote) applied and answered
 * as refused, once: its answer lost and the resend refused by its own landing, as answerLostOnce leaves
 * a DynamoDB client's, at the level of the store a unit test fakes. Only a call `when` picks, among those
 * that wrote. Answers whether it came to that.
 */
export function refusedOnceAfterLanding<
  K extends PropertyKey,
  S extends Record<K, (...args: never[]) => Promise<boolean>>,
>(store: S, method: K, when: (...args: Parameters<S[K]>) => boolean = () => true): () => boolean {
  const write = store[method].bind(store) as S[K];
  let lost = false;
  store[method] = (async (...args: Parameters<S[K]>) => {
    const written = await write(...args);
    if (!written || lost || !when(...args)) return written;
    lost = true;
    return false;
  }) as S[K];
  return () => lost;
}
