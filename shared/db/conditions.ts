import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A conditional write whose condition did not hold: the invariant it guards refused the write. */
export const isConditionFailure = (error: unknown): boolean =>
  (error as Error)?.name === 'ConditionalCheckFailedException';

/** DynamoDB's word that an item would pass its 400 KB. */
const tooLarge = /exceeded the maximum allowed size/;

/** A write DynamoDB refused because the item would pass its 400 KB. */
export const isItemTooLarge = (error: unknown): boolean =>
  (error as Error)?.name === 'ValidationException' && tooLarge.test((error as Error).message);

/** Of a cancelled transaction, which items (by position) `failed` says of its reason; undefined for another error. */
function cancelled(error: unknown, failed: (reason: { Code?: string; Message?: string }) => boolean) {
  if ((error as Error)?.name !== 'TransactionCanceledException') return undefined;
  const reasons =
    (error as { CancellationReasons?: { Code?: string; Message?: string }[] }).CancellationReasons ?? [];
  return reasons.map(failed);
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

/** An item as DynamoDB stores it, as a refusal holds it (asked with `ReturnValuesOnConditionCheckFailure`). */
export type StoredItem = Record<string, AttributeValue>;

/**
 * Whether the item that refused a write is that write itself, applied with its answer lost and refused
 * when sent again (docs/design.md#failures-and-retries).
 */
export type OwnWrite = (stored?: StoredItem) => boolean;

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
