import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredRelease } from '#shared/releases.ts';
import { keyOf } from './keys.ts';

/**
 * Reading a release by its id (shared/db/releases.ts holds the access patterns), which intake, management,
 * the recipients function and the announcer do: a Get only, in a module of their own, because a function's
 * DynamoDB grants follow the modules it imports (docs/design.md#topology), and intake, the public webhook
 * endpoint, neither writes a release nor queries the releases to come. One store still: `dynamoReleases`
 * is this read with the rest.
 */
export const releaseKey = (labelId: string, releaseId: string) => ({
  pk: keyOf('RELEASE', labelId, releaseId),
  sk: 'RELEASE',
});

/** The index partition of the releases still to come (its access pattern in shared/db/releases.ts). */
export const comingPartition = 'RELEASES#COMING';

/** A release item as the release it stores: string sets as lists, and without its keys. */
export function releaseOf(item: Record<string, unknown>): StoredRelease {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _gsi1pk,
    gsi1sk: _gsi1sk,
    outMoments,
    servicedMoments,
    ...release
  } = item;
  // String sets in the table, lists in the release.
  return {
    ...release,
    ...(outMoments ? { outMoments: [...(outMoments as Set<string>)].sort() } : {}),
    ...(servicedMoments ? { servicedMoments: [...(servicedMoments as Set<string>)].sort() } : {}),
  } as StoredRelease;
}

/**
 * What reads a release. Built apart from the releases to come (`ComingReleases`, shared/db/coming-releases.ts,
 * which the announcer asks too) and from the writes (`ReleaseStore`), which only the releases function makes: a store is one
 * object, which esbuild cannot trim (see docs/design.md#bundles).
 */
export interface ReleaseReads {
  get(labelId: string, releaseId: string): Promise<StoredRelease | undefined>;
}

export const dynamoReleaseReads = (db: DynamoDBDocumentClient, table: string): ReleaseReads => ({
  async get(labelId, releaseId) {
    const { Item } = await db.send(
      new GetCommand({
        TableName: table,
        Key: releaseKey(labelId, releaseId),
        ConsistentRead: true,
      }),
    );
    return Item ? releaseOf(Item) : undefined;
  },
});
