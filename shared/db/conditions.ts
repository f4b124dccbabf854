import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A conditional write whose condition did not hold: the invariant it guards refused the write. */
export const isConditionFailure = (error: unknown): boolean =>
  (error as Error)?.name === 'ConditionalCheckFailedException';

/** DynamoDB's word that an item would pass its 400 KB. */
const tooLarge = /exceeded the maximum allowed size/;

/** A write DynamoDB refused because the item would pass its 400 KB. */
export const isItemTooLarge = (error: unknown): boolean =>
  (error as Error)?.name === 'ValidationException' && tooLarge.test((error as Error).message);

/** Why DynamoDB cancelled one item of a transaction, with the item as stored when its condition refused it. */
interface CancellationReason {
  Code?: string;
  Message?: string;
  Item?: StoredItem;
}

/** Of a cancelled transaction, what `of` says of each item's reason (by position); undefined for another error. */
function cancelled<T>(error: unknown, of: (reason: CancellationReason) => T): T[] | undefined {
  if ((error as Error)?.name !== 'TransactionCanceledException') return undefined;
  return ((error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []).map(of);
}

/**
 * Which items of a cancelled transaction would have passed DynamoDB's 400 KB an item (by position), or
 * undefined for another error: as `isItemTooLarge`, but for an item of a transaction.
 */
export const itemsTooLarge = (error: unknown): boolean[] | undefined =>
  cancelled(error, (reason) => reason.Code === 'ValidationError' && tooLarge.test(reason.Message ?? ''));

/** Which items of a cancelled transaction failed their condition (by position), or undefined for another error. */
export const failedConditions = (error: unknown): boolean[] | undefined =>
  cancelled(error, (reason) => reason.Code === 'ConditionalCheckFailed');

/**
 * The items a cancelled transaction's refusals hold (by position: each as stored when its condition
 * refused it, for a write asked with `ReturnValuesOnConditionCheckFailure: ALL_OLD`), or undefined for
 * another error.
 */
export const refusedItems = (error: unknown): (StoredItem | undefined)[] | undefined =>
  cancelled(error, (reason) => reason.Item);

/** An item as DynamoDB stores it, as a refusal holds it (asked with `ReturnValuesOnConditionCheckFailure`). */
export type StoredItem = Record<string, AttributeValue>;

/**
 * Whether the item that refused a write is that write itself, applied with its answer lost and refused
 * when sent again (docs/design.md#failures-and-retries).
 */
export type OwnWrite = (stored?: StoredItem) => boolean;

/**
 * A write's own landing told by the id it keeps on the item (`attribute`: new each attempt, the same in
 * the SDK's retries of its request): the refusing item holds `id` there.
 */
export const keptBy =
  (attribute: string, id: string): OwnWrite =>
  (stored) =>
    stored?.[attribute]?.S === id;

/**
 * Awaits a conditional write: true when it was written, false when its condition refused it (the
 * invariant it guards said no) unless the refusal is its own (`mine`); any other error is thrown.
 */
export async function writtenUnlessRefused(write: Promise<unknown>, mine?: OwnWrite): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return mine?.((error as { Item?: StoredItem }).Item) === true;
    throw error;
  }
}
