import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../events/outbox.ts';
import type { ShowStep } from '../events/show-step-due.ts';
import { keyOf, keyParts } from './keys.ts';
import { putOnce, writeWithOutbox } from './outbox.ts';
import { type ShowRef, showKey } from './tours.ts';

/**
 * The steps taken again for each change of the show (fired at the label's time of it) whose record only
 * moves on, each change recorded once (`recordChangeStep`): a day sheet update, a press cancellation.
 */
export type ChangeStep = Extract<ShowStep, 'day-sheet-update' | 'press-cancellation'>;

/**
 * The records of the change steps, which only the tours function writes: apart from the tours store
 * (shared/db/tours.ts), as the press steps' notes are, so that the office and the recipients function
 * reach neither them nor their transaction's ConditionCheckItem (docs/design.md#topology).
 */
export interface ChangeSteps {
  /**
   * Records `step`, taken for the change `change` (its moment), with its events, once per change: false
   * when that change was recorded before. The step's record moves on only: a change recorded after a
   * later one (its retry came late) is recorded beside it, the later one kept, so that one's firing
   * redelivered still finds it taken (docs/design.md#tours).
   */
  recordChangeStep(ref: ShowRef, step: ChangeStep, change: string, entries: OutboxEntry[]): Promise<boolean>;
}

/** A change step recorded for its change (once, expires): pk = STEP-RECORDED#<labelId>#<tourId>#<showId>, sk = <step>#<change>. */
const stepRecordedKey = (ref: ShowRef, step: ShowStep, change: string) => ({
  pk: keyOf('STEP-RECORDED', ref.labelId, ref.tourId, ref.showId),
  sk: keyParts(step, change),
});

/** The change steps' records on DynamoDB. */
export const dynamoChangeSteps = (db: DynamoDBDocumentClient, table: string): ChangeSteps => ({
  async recordChangeStep(ref, step, change, entries) {
    const at = new Date().toISOString();
    const Key = showKey(ref.labelId, ref.tourId, ref.showId);
    const asked = {
      ExpressionAttributeNames: { '#step': step },
      ExpressionAttributeValues: { ':change': change },
    };
    // Once per change: its marker, put by whichever write records it, refuses the change again after
    // the step's record moved on past it.
    const once = putOnce(table, stepRecordedKey(ref, step, change), 'step-recorded', at);
    const onward = {
      Update: {
        TableName: table,
        Key,
        UpdateExpression: 'SET stepsDone.#step = :change',
        // The record never goes back to an earlier change: instants in UTC order as text
        // (docs/design.md#ordering-by-the-labels-timestamp).
        ConditionExpression:
          'attribute_exists(stepsDone) AND (attribute_not_exists(stepsDone.#step) OR stepsDone.#step < :change)',
        ...asked,
      },
    };
    // Earlier than the change recorded: recorded by its marker alone, the step's record as it is.
    const beside = {
      ConditionCheck: { TableName: table, Key, ConditionExpression: 'stepsDone.#step > :change', ...asked },
    };
    return (
      (await writeWithOutbox(db, [once, onward], entries, at)) ||
      writeWithOutbox(db, [once, beside], entries, at)
    );
  },
});
