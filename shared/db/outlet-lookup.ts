import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import type { Outlet } from '../outlets.ts';
import { type OptOuts, optOuts } from './opt-outs.ts';
import { outletEmailKey, outletKey, toOutlet } from './outlet-items.ts';

/**
 * An outlet by id or by address, with its address's opt-outs: the outlet directory (shared/db/outlets.ts)
 * without its listing, each item read by its key. In a module of its own, because a function's DynamoDB
 * grants follow the modules it imports (docs/design.md#topology): the deliverability function, which
 * suppresses an address and finds its outlet, reaches neither the listing's Query nor its BatchGetItem,
 * and the public recipients function, which reads an outlet and unsubscribes its address, not its
 * BatchGetItem.
 */
export function outletLookup(db: DynamoDBDocumentClient, TableName: string) {
  /**
   * An outlet with the import line that last wrote it (`importedBy` and `importedLine`, kept off the
   * `Outlet`: an import's bookkeeping, see docs/design.md#jobs).
   */
  const getStored = async (
    outletId: string,
  ): Promise<{ outlet: Outlet; importedBy?: string; importedLine?: number } | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: outletKey(outletId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      outlet: toOutlet(Item),
      ...(Item.importedBy ? { importedBy: Item.importedBy as string } : {}),
      ...(typeof Item.importedLine === 'number' ? { importedLine: Item.importedLine } : {}),
    };
  };

  const get = async (outletId: string): Promise<Outlet | undefined> => (await getStored(outletId))?.outlet;

  const ownerOf = async (email: string): Promise<string | undefined> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: outletEmailKey(email), ConsistentRead: true }),
    );
    return Item?.outletId as string | undefined;
  };

  const {
    suppressionOf,
    unsubscriptionOf,
    optOuts: addressOptOuts,
  } = optOuts(db, TableName, { get, ownerOf });

  const findByEmail = async (email: string): Promise<Outlet | undefined> => {
    const outletId = await ownerOf(email);
    return outletId ? get(outletId) : undefined;
  };

  return { get, getStored, ownerOf, findByEmail, suppressionOf, unsubscriptionOf, optOuts: addressOptOuts };
}

/** An outlet by id or address, and its address's opt-outs, on DynamoDB. */
export function dynamoOutletLookup(
  db: DynamoDBDocumentClient = dynamo(),
  tableName: string = config().TABLE_NAME,
): OptOuts & Pick<ReturnType<typeof outletLookup>, 'get' | 'findByEmail'> {
  const { get, findByEmail, optOuts: addressOptOuts } = outletLookup(db, tableName);
  return { get, findByEmail, ...addressOptOuts };
}
