import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { replayPage } from '#functions/jobs/replay.ts';
import { maxReasonBytes } from '#shared/db/job-keys.ts';
import { dynamoReplayRejections } from '#shared/db/replay-rejections.ts';
import type { WebhookRecord } from '#shared/db/webhooks.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';
import { aStartedReplay } from '#test/support/jobs.ts';

/** docs/design.md#jobs: a replay says what it did not republish, each record once. */
describe('a replay page', () => {
  const aRecord = (webhookId: string, overrides: Partial<WebhookRecord> = {}): WebhookRecord => ({
    labelId: 'nightshift-records',
    webhookId,
    format: 'ern',
    eventId: `evt-${webhookId}`,
    type: 'release.scheduled',
    body: '<NewReleaseMessage/>',
    receivedAt: '2027-01-02T10:00:00.000Z',
    status: 'published',
    expiresAt: 1_900_000_000,
    ...overrides,
  });

  it('lists a record found unpublishable with its reason, and not one the publisher listed for this page before (an earlier attempt put it back)', async () => {
    const { world, job } = await aStartedReplay();
    const now = world.clock.now;
    await world.webhooks.record(aRecord('MSG-1'), now);
    await world.webhooks.record(
      aRecord('MSG-2', {
        status: 'unpublishable',
        unpublishableReason: '(body): body is not well-formed XML',
        replayedBy: { jobId: job.jobId, page: 0 },
      }),
      now,
    );
    await world.webhooks.record(
      aRecord('MSG-3', {
        status: 'unpublishable',
        unpublishableReason: 'data.title: Too big',
        replayedBy: { jobId: 'job-earlier', page: 0 },
      }),
      now,
    );

    const pages = [await replayPage(job, 0, world.runner)];
    const next = pages[0] && 'cursor' in pages[0] ? pages[0].cursor : undefined;
    pages.push(await replayPage({ ...job, ...(next ? { cursor: next } : {}) }, 1, world.runner));

    expect(
      pages.map((page) => ('fail' in page ? page : { counts: page.counts, rejected: page.rejected })),
    ).toEqual([
      { counts: { replayed: 2, rejected: 0 }, rejected: [] },
      {
        counts: { replayed: 0, rejected: 1 },
        rejected: [{ webhookId: 'MSG-3', error: 'its event can no longer be built: data.title: Too big' }],
      },
    ]);
    expect(world.webhooks.requeued.map((record) => record.webhookId)).toEqual(['MSG-1']);
  });

  // A page's item holds up to 500 rejected records: a reason the publisher wrote long (a zod message
  // listing many fields) is cut as an import row's is, so the page stays within DynamoDB's 400 KB.
  it("cuts a long reason to the bytes an import row's reason is cut to, between characters", async () => {
    const { world, job } = await aStartedReplay();
    const reason = Array.from({ length: 80 }, (_, i) => `data.tracks.${i}.title: Trop long é`).join('; ');
    await world.webhooks.record(
      aRecord('MSG-9', { status: 'unpublishable', unpublishableReason: reason }),
      world.clock.now,
    );

    const page = await replayPage(job, 0, world.runner);

    const error = 'rejected' in page ? (page.rejected[0]?.error ?? '') : '';
    expect({
      within: Buffer.byteLength(error) <= maxReasonBytes,
      start: error.startsWith('its event can no longer be built: data.tracks.0.title: Trop long é; '),
      cut: error.endsWith('…'),
    }).toEqual({ within: true, start: true, cut: true });
  });
});

describe("the publisher's word to a replay", () => {
  /**
   * A table that holds each page's told rows under their keys, refusing a second put of a key as the
   * adapter's condition (attribute_not_exists) does, and counts the job's rejections.
   */
  function aTable() {
    const documents = mockClient(DynamoDBDocumentClient);
    const rows = new Map<string, unknown>();
    let rejected = 0;
    documents.on(TransactWriteCommand).callsFake(({ TransactItems }) => {
      const { Item } = TransactItems[0].Put;
      const key = `${Item.pk} ${Item.sk}`;
      if (rows.has(key)) throw transactionCancelled(['ConditionalCheckFailed', 'None']);
      rows.set(key, Item.rejected);
      rejected++;
      return {};
    });
    const client = documents as unknown as DynamoDBDocumentClient;
    return { client, rows: () => [...rows.values()].flat(), rejected: () => rejected };
  }

  // A JSON webhook's webhook-id and an ERN message's MessageId are the label's own, and may be the same
  // text: two records (shared/db/webhooks.ts), which one page may put back together.
  it("lists and counts both records of a page that share an id, a JSON webhook's and an ERN message's", async () => {
    const table = aTable();
    const replays = dynamoReplayRejections(table.client, 't');
    const at = new Date('2027-01-05T10:00:00Z');
    const by = { jobId: 'job-00000000-0000-4000-8000-000000000001', page: 0 };

    await replays.record(by, { webhookId: 'MSG-1' }, 'data.title: Too big', at);
    await replays.record(by, { webhookId: 'MSG-1', format: 'ern' }, '(body): not well-formed XML', at);

    expect({ rows: table.rows(), rejected: table.rejected() }).toEqual({
      rows: [
        { webhookId: 'MSG-1', error: 'its event can no longer be built: data.title: Too big' },
        { webhookId: 'MSG-1', error: 'its event can no longer be built: (body): not well-formed XML' },
      ],
      rejected: 2,
    });
  });
});
