import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, maxKeysPerBatchGet } from './batch-get.ts';
import type { Suppression } from './opt-outs.ts';
import type { AddressRead } from './outlet-changes.ts';
import { outletEmailKey, suppressionKey, unsubscriptionKey } from './outlet-items.ts';

/**
 * An import page's addresses read together, ahead of its rows (docs/design.md#jobs): each address's owner
 * item and opt-outs, which a new row's upsert would otherwise read one after the other before its write.
 * In a module of its own, because a function's DynamoDB grants follow the modules it imports
 * (docs/design.md#topology): the jobs function reads in batches, the management function, which writes
 * outlets too, reaches no BatchGetItem.
 */
export interface AddressReads {
  /**
   * Every address of `emails` as it is read now (`AddressRead`: what each upsert's first try may start
   * from), strongly consistent, as the upsert's own reads are; gives up once `abortSignal` is aborted.
   */
  readAddresses(emails: readonly string[], abortSignal?: AbortSignal): Promise<Map<string, AddressRead>>;
}

export const dynamoAddressReads = (db: DynamoDBDocumentClient, TableName: string): AddressReads => ({
  async readAddresses(emails, abortSignal) {
    const addresses = [...new Set(emails)];
    const keys = addresses.flatMap((email) => [
      outletEmailKey(email),
      suppressionKey(email),
      unsubscriptionKey(email),
    ]);
    // A page's at most 500 addresses are 1,500 keys: their 15 requests are sent together, where one
    // batchGetAll would read its pages of `maxKeysPerBatchGet` in turn.
    const slices = Array.from({ length: Math.ceil(keys.length / maxKeysPerBatchGet) }, (_, n) =>
      keys.slice(n * maxKeysPerBatchGet, (n + 1) * maxKeysPerBatchGet),
    );
    const found = new Map(
      (
        await Promise.all(
          slices.map((slice) => batchGetAll(db, TableName, slice, { ConsistentRead: true, abortSignal })),
        )
      )
        .flat()
        .map((item) => [item.pk as string, item]),
    );
    return new Map(
      addresses.map((email) => {
        const owner = found.get(outletEmailKey(email).pk)?.outletId as string | undefined;
        const suppression = found.get(suppressionKey(email).pk) as Suppression | undefined;
        const unsubscription = found.get(unsubscriptionKey(email).pk) as { at: string } | undefined;
        return [
          email,
          {
            ...(owner ? { owner } : {}),
            ...(suppression ? { suppression } : {}),
            ...(unsubscription ? { unsubscription } : {}),
          },
        ];
      }),
    );
  },
});
