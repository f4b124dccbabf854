import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../events/outbox.ts';
import { keyOf } from './keys.ts';
import { writeWithOutbox } from './outbox.ts';
import { publishedRetentionSeconds } from './outbox-keys.ts';

/**
 * What each `Mailing Requested` led to, put in the outbox once: its continuation, or its completion fact
 * (`Release Announced`, ...) with the follow-ups it asks, or the follow-ups of a first mail stopped. A
 * mailing's invocation that Lambda runs again (it failed after its handler returned, or EventBridge
 * delivered the event twice) finds its step taken and writes nothing: no second fact saying the retry's
 * own counts, no second continuation starting a second run of the same pages. Until the step is taken,
 * it keeps what the request's runs sent and held, so a run after one that failed part way states the
 * request's counts, not only its own (docs/design.md#the-outbox).
 *
 * Access pattern:
 * - the step a Mailing Requested led to, by that event's id (its counts added batch by batch, then taken
 *   with its outbox entries, once; expires as they do):
 *     pk = MAILING-STEP#<eventId>, sk = MAILING-STEP   (event ids are ours, never a label's)
 */
export interface MailingSteps {
  /** The step of the Mailing Requested `eventId`: whether it was taken, and what its runs sent and held so far. */
  read(eventId: string): Promise<StepCounts & { taken: boolean }>;
  /** Adds what a run sent and held in a batch to the step's counts. */
  count(eventId: string, counts: StepCounts): Promise<void>;
  /** Puts the step's entries in the outbox as it takes the step, all or nothing: false when it was taken before. */
  take(eventId: string, entries: OutboxEntry[]): Promise<boolean>;
}

/** Mails a request's runs sent (or left unsettled) and claimed held; not those skipped, which each run reads again. */
export interface StepCounts {
  sent: number;
  held: number;
}

const mailingStepKey = (eventId: string) => ({ pk: keyOf('MAILING-STEP', eventId), sk: 'MAILING-STEP' });

const expiresAt = (at: string) => Math.floor(Date.parse(at) / 1000) + publishedRetentionSeconds;

export const dynamoMailingSteps = (db: DynamoDBDocumentClient, table: string): MailingSteps => ({
  async read(eventId) {
    const { Item } = await db.send(
      new GetCommand({ TableName: table, Key: mailingStepKey(eventId), ConsistentRead: true }),
    );
    return {
      taken: Item?.takenAt !== undefined,
      sent: Number(Item?.sent ?? 0),
      held: Number(Item?.held ?? 0),
    };
  },
  async count(eventId, counts) {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: mailingStepKey(eventId),
        UpdateExpression: 'ADD sent :sent, held :held SET entity = :entity, expiresAt = :expires',
        ExpressionAttributeValues: {
          ':sent': counts.sent,
          ':held': counts.held,
          ':entity': 'mailing-step',
          ':expires': expiresAt(new Date().toISOString()),
        },
      }),
    );
  },
  take(eventId, entries) {
    const at = new Date().toISOString();
    return writeWithOutbox(
      db,
      [
        {
          Update: {
            TableName: table,
            Key: mailingStepKey(eventId),
            UpdateExpression: 'SET takenAt = :at, entity = :entity, expiresAt = :expires',
            // Once per Mailing Requested: a second run of it puts nothing in the outbox.
            ConditionExpression: 'attribute_not_exists(takenAt)',
            ExpressionAttributeValues: { ':at': at, ':entity': 'mailing-step', ':expires': expiresAt(at) },
          },
        },
      ],
      entries,
      at,
    );
  },
});
