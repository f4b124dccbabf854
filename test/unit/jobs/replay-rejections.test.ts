import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { replayPage } from '#functions/jobs/replay.ts';
import { describeJob, startJob } from '#functions/management/jobs.ts';
import { publishEntries } from '#functions/publisher/publish.ts';
import { maxReasonBytes } from '#shared/db/job-keys.ts';
import type { Outbox } from '#shared/db/outbox-publishing.ts';
import { dynamoReplayRejections } from '#shared/db/replay-rejections.ts';
import { type WebhookRecord, webhookKey } from '#shared/db/webhooks.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';
import { silentLog } from '#test/support/intake.ts';
import { aStartedReplay, InMemoryReplayRejections, jobWorld } from '#test/support/jobs.ts';

/** docs/design.md#jobs: a replay says what it did not republish, each record once. */
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

describe('a replay page', () => {
  it('lists a record found unpublishable with its reason, and not one the publisher listed for this page before (an earlier attempt put it back)', async () => {
    const { world, job } = await aStartedReplay();
    const now = world.clock.now;
    await world.webhooks.record(aRecord('MSG-1'), now);
    await world.webhooks.record(
      aRecord('MSG-2', {
        status: 'unpublishable',
        unpublishableReason: '(body): body is not well-formed XML',
        replayedByPages: [{ jobId: job.jobId, page: 0 }],
      }),
      now,
    );
    await world.webhooks.record(
      aRecord('MSG-3', {
        status: 'unpublishable',
        unpublishableReason: 'data.title: Too big',
        replayedByPages: [{ jobId: 'job-earlier', page: 0 }],
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

describe('two replays of one range at once', () => {
  /**
   * Two replays of one range, a record in it whose event can no longer be built (an ERN message the
   * reader, stricter since, refuses), and the publisher, told of replays in an in-memory job store: it
   * publishes the record as an image of it holds it (the stream's of each put-back, or the sweep's read).
   */
  async function twoReplays() {
    const world = jobWorld();
    const range = {
      kind: 'webhook-replay' as const,
      labelId: 'nightshift-records',
      from: '2027-01-01T00:00:00.000Z',
      to: '2027-01-04T00:00:00.000Z',
    };
    const jobs = [await startJob(range, [], {}, world.routes), await startJob(range, [], {}, world.routes)];
    await world.webhooks.record(
      aRecord('MSG-1', { body: '<NewReleaseMessage><Caf&eacute;/>' }),
      world.clock.now,
    );
    const record = () => world.webhooks.all()[0];
    const outbox = {
      markUnpublishable: async () => void Object.assign(record(), { status: 'unpublishable' }),
    } as unknown as Outbox;
    const publish = (image: WebhookRecord) =>
      publishEntries(
        [
          {
            kind: 'webhook',
            key: webhookKey('nightshift-records', 'MSG-1', 'ern'),
            createdAt: image.receivedAt,
            webhook: image,
          },
        ],
        {
          outbox,
          bus: { put: async () => [] },
          replays: new InMemoryReplayRejections(world.store),
          now: () => world.clock.now,
          log: silentLog,
        },
      );
    const results = () =>
      Promise.all(jobs.map(async ({ jobId }) => (await describeJob(jobId, world.routes)).result));
    return { world, jobs, record, publish, results };
  }

  const rejectedOnce = {
    replayed: 0,
    rejectedCount: 1,
    rejected: [{ webhookId: 'MSG-1', error: expect.stringMatching(/^its event can no longer be built: /) }],
  };

  // Both put the record back before the publisher reads it; the sweep (the stream's tries spent) reads
  // the record as it is then.
  it('count a record neither republished as rejected, each, when its event can no longer be built', async () => {
    const { world, record, publish, results } = await twoReplays();
    await world.drain();

    await publish(structuredClone(record()));

    expect(await results()).toEqual([rejectedOnce, rejectedOnce]);
  });

  // The first replay's attempt at its page puts the record back and is killed before it records the page;
  // the second puts it back; the stream brings the publisher each put-back's image, each naming its replay.
  it('list a record once on a page run again after the other replay put it back too', async () => {
    const { world, jobs, record, publish, results } = await twoReplays();
    const [first, second] = await Promise.all(jobs.map(async ({ jobId }) => world.store.get(jobId)));
    if (!first || !second) throw new Error('two jobs');
    await replayPage(first, 0, world.runner);
    const firstImage = structuredClone(record());
    await replayPage(second, 0, world.runner);
    const secondImage = structuredClone(record());
    await publish(firstImage);
    await publish(secondImage);

    await world.drain();

    expect(await results()).toEqual([rejectedOnce, rejectedOnce]);
  });
});
