import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { StoredRelease } from '#shared/releases.ts';
import { comingPartition, dynamoReleaseReads, type ReleaseReads, releaseOf } from './release-reads.ts';

/**
 * A release, and the releases to come, which the announcer asks (access patterns in shared/db/releases.ts):
 * the Query of the releases to come in a module of its own, apart from `ReleaseReads`, which intake
 * reaches, and from the writes, which the releases function makes and which ask no Query: a function's
 * DynamoDB grants follow the modules it imports (see docs/design.md#topology).
 */
export interface ComingReleases extends ReleaseReads {
  /**
   * The releases not cancelled whose last street date is after `now` (some territory still waits for
   * it), a page at a time: what an outlet added now may still be told of.
   */
  coming(now: Date): AsyncIterable<StoredRelease[]>;
}

export const dynamoComingReleases = (db: DynamoDBDocumentClient, table: string): ComingReleases => ({
  ...dynamoReleaseReads(db, table),

  async *coming(now) {
    for await (const page of paginateQuery(
      { client: db },
      {
        TableName: table,
        IndexName: 'gsi1',
        // `<ISO instant>#...` sorts after the bare instant it starts with: later street dates only.
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk > :now',
        ExpressionAttributeValues: { ':p': comingPartition, ':now': now.toISOString() },
      },
    )) {
      const releases = (page.Items ?? []).map(releaseOf);
      if (releases.length > 0) yield releases;
    }
  },
});
