import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { normaliseEmail } from '../outlets.ts';
import { batchGetAll } from './batch-get.ts';
import { suppressionKey, unsubscriptionKey } from './outlet-items.ts';

/**
 * Which addresses are suppressed (a hard bounce or a complaint, on either mail stream; opt-outs.ts
 * writes them). Operational mail goes to people outside the outlet directory (promoters, tour
 * managers, budget owners), so the mail module asks this list before claiming it, in one batch read
 * per SES call (see docs/design.md#two-mail-streams).
 */
export interface SuppressionList {
  /** The normalised addresses among `emails` that are suppressed. */
  suppressedAmong(emails: readonly string[]): Promise<Set<string>>;
  /**
   * The normalised addresses among `emails` that campaign mail must not reach: suppressed, or
   * unsubscribed (kept by address, so an outlet deleted since still counts). For a sender that mails
   * addresses it was told of rather than outlets it read (tour press follow-ups).
   */
  optedOutAmong(emails: readonly string[]): Promise<Set<string>>;
}

export const dynamoSuppressionList = (db: DynamoDBDocumentClient, tableName: string): SuppressionList => {
  const among = async (emails: readonly string[], keysOf: (email: string) => Record<string, string>[]) => {
    const addresses = [...new Set(emails.map(normaliseEmail))];
    if (addresses.length === 0) return new Set<string>();
    // Strongly consistent: an opt-out written a moment before (an unsubscribe its page confirmed, a bounce
    // seconds into a mailing) is seen by the claim right after it (docs/design.md#two-mail-streams).
    const items = await batchGetAll(db, tableName, addresses.flatMap(keysOf), {
      ProjectionExpression: 'email',
      ConsistentRead: true,
    });
    return new Set(items.map((item) => normaliseEmail(String(item.email))));
  };
  return {
    suppressedAmong: (emails) => among(emails, (email) => [suppressionKey(email)]),
    optedOutAmong: (emails) => among(emails, (email) => [suppressionKey(email), unsubscriptionKey(email)]),
  };
};
