import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamoJobStore, type Job } from '#shared/db/jobs.ts';
import { dynamoWebhookRecording } from '#shared/db/webhook-recording.ts';
import { buildDetail, ExpenseRecorded, JobRequested } from '#shared/events/index.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import {
  advanceClock,
  api,
  armFault,
  busEvents,
  busIdle,
  clearFaults,
  clockNow,
  cloud,
  deadLetters,
  faultsReport,
  firedSince,
  redriveDeadLetters,
  sdkConfig,
  uniqueId,
} from '#test/support/cloud.ts';
import { replayWebhooks } from '#test/support/jobs-cloud.ts';

/** Jobs on the local cloud: the store's conditional writes on DynamoDB Local, and a replay of several pages. */

const documents = () =>
  DynamoDBDocumentClient.from(new DynamoDBClient(sdkConfig('dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });

// The store's create puts a Job Requested in the outbox; here it names no stored job, so the jobs
// function leaves these jobs to the test.
const requestedForNobody = () =>
  outboxEntry(JobRequested, { jobId: `job-${crypto.randomUUID()}`, kind: 'webhook-replay' });

const aJob = (overrides: Partial<Job> = {}): Job => ({
  jobId: `job-${crypto.randomUUID()}`,
  kind: 'webhook-replay',
  status: 'queued',
  input: {
    kind: 'webhook-replay',
    labelId: 'lbl',
    from: '2027-01-01T00:00:00.000Z',
    to: '2027-01-02T00:00:00.000Z',
  },
  pagesDone: 0,
  done: 0,
  counts: { replayed: 0 },
  correlationId: 'corr',
  createdAt: '2027-01-01T00:00:00.000Z',
  updatedAt: '2027-01-01T00:00:00.000Z',
  ...overrides,
});

describe('the job store on DynamoDB', () => {
  it('records each page once and in order, carrying the cursor, and finishes the job on the last page', async () => {
    const store = dynamoJobStore(documents(), cloud().tableName);
    const job = aJob();
    await store.create(job, [], requestedForNobody());
    const at = '2027-01-01T00:01:00.000Z';

    const firstPage = { rows: 100, counts: { replayed: 98 }, rejected: [], last: false, cursor: 'c1', at };

    const first = await store.completePage(job, 0, firstPage);
    const again = await store.completePage(job, 0, firstPage);
    const outOfOrder = await store.completePage(job, 2, {
      rows: 1,
      counts: { replayed: 1 },
      rejected: [],
      last: true,
      at,
    });
    const midway = await store.get(job.jobId);
    const last = await store.completePage(job, 1, {
      rows: 20,
      counts: { replayed: 20 },
      rejected: [],
      last: true,
      at,
    });
    const done = await store.get(job.jobId);

    expect([first, again, outOfOrder, last]).toEqual([true, false, false, true]);
    expect(midway).toMatchObject({
      status: 'running',
      pagesDone: 1,
      done: 100,
      cursor: 'c1',
      counts: { replayed: 98 },
    });
    expect(done).toMatchObject({
      status: 'done',
      pagesDone: 2,
      done: 120,
      total: 120,
      counts: { replayed: 118 },
      finishedAt: at,
    });
    expect(done?.cursor).toBeUndefined();
  });

  it('keeps an import’s chunks and its rejected rows in page order, and fails a job only once', async () => {
    const store = dynamoJobStore(documents(), cloud().tableName);
    const job = aJob({
      kind: 'outlet-import',
      input: { kind: 'outlet-import', columns: ['name', 'email', 'kind', 'territories'] },
      pages: 3,
      total: 3,
      counts: { created: 0, updated: 0, rejected: 0 },
    });
    const chunk = (line: number) => ({
      firstLine: line,
      text: `A,a${line}@x.example,radio,GB`,
      rows: 1,
      rejected: [],
    });
    await store.create(job, [chunk(2), chunk(3), chunk(4)], requestedForNobody());
    const at = '2027-01-01T00:01:00.000Z';

    await store.completePage(job, 0, {
      rows: 1,
      counts: { rejected: 1 },
      rejected: [{ line: 2, error: 'email: bad' }],
      last: false,
      at,
    });
    await store.completePage(job, 1, {
      rows: 1,
      counts: { rejected: 1 },
      rejected: [{ line: 3, error: 'kind: bad' }],
      last: false,
      at,
    });
    const attempts = [await store.startAttempt(job.jobId, 2, at)];
    await store.recordFailure(job.jobId, 2, 'timed out', at);
    attempts.push(await store.startAttempt(job.jobId, 2, at));
    await store.recordFailure(job.jobId, 2, 'boom', at);
    await store.fail(job.jobId, 2, 'gave up', at);
    await store.fail(job.jobId, 2, 'again', at);

    expect(await store.chunk(job.jobId, 1)).toEqual(chunk(3));
    expect(await store.rejectedRows(job.jobId, 10)).toEqual([
      { line: 2, error: 'email: bad' },
      { line: 3, error: 'kind: bad' },
    ]);
    expect(await store.rejectedRows(job.jobId, 1)).toHaveLength(1);
    expect(attempts).toEqual([1, 2]);
    expect(await store.get(job.jobId)).toMatchObject({
      status: 'failed',
      error: 'gave up',
      lastError: 'boom',
      counts: { created: 0, updated: 0, rejected: 2 },
    });
  });
});

describe('a replay job', () => {
  it('replays a range of more than one page, each webhook once', async () => {
    const labelId = uniqueId('label');
    await api('/labels', { method: 'POST', json: { name: 'Replay Records', id: labelId } });
    const records = dynamoWebhookRecording(documents(), cloud().tableName);
    const start = await clockNow();
    // One more than a page of the range's webhooks (a replay reads them 100 at a time).
    const webhookIds = Array.from(
      { length: 101 },
      (_, i) => `msg_${String(i).padStart(3, '0')}_${uniqueId('r')}`,
    );
    await Promise.all(
      webhookIds.map((webhookId, i) => {
        const receivedAt = new Date(start.getTime() - 60_000 + i * 10);
        return records.record(
          {
            labelId,
            webhookId,
            eventId: `evt-${webhookId}`,
            type: 'expense.recorded',
            body: JSON.stringify({
              type: 'expense.recorded',
              timestamp: receivedAt.toISOString(),
              data: { ...ExpenseRecorded.sample, expenseId: `exp-${webhookId}` },
            }),
            receivedAt: receivedAt.toISOString(),
            status: 'published',
            expiresAt: Math.floor(start.getTime() / 1000) + 86_400,
          },
          receivedAt,
        );
      }),
    );

    const job = await replayWebhooks(labelId, {
      from: new Date(start.getTime() - 120_000).toISOString(),
      to: new Date(start.getTime() + 1_000).toISOString(),
    });
    await busIdle();
    const replayed = (await busEvents({ source: 'backline.intake' })).filter(
      (event) => event.detail.metadata?.labelId === labelId,
    );

    expect(job).toMatchObject({
      status: 'done',
      progress: { done: 101, total: 101 },
      result: { replayed: 101 },
    });
    const replayedIds = replayed.map((event) => event.detail.metadata?.webhookId as string);
    expect(replayedIds).toHaveLength(webhookIds.length);
    expect(replayedIds.sort()).toEqual([...webhookIds].sort());
  }, 120_000);
});

/**
 * docs/design.md#jobs: an attempt at a page holds the page's lease (30 s), named for its invocation's
 * request id, which Lambda keeps across its retries of the invocation. Lambda retries the failed
 * invocation a minute later, after the lease has lapsed, and the local bus holds the jobs function's
 * retries past the lease as well, by the local clock (docs/design.md#local-faults): the test moves the
 * clock on by that minute rather than wait out the lease (31 s a test). An attempt that took the lease
 * and failed without giving it up is then taken over by the retry, and the page runs; a retry made
 * within the lease would be refused by it, and dead-lettered after the last.
 */
describe('a job page whose attempt failed holding its lease, on the local cloud', () => {
  let started: string | undefined;

  afterEach(async () => {
    // Leave the cloud as found: past the lease, any dead-lettered event redriven and the job finished.
    await clearFaults();
    if (!started) return;
    await advanceClock(new Date((await clockNow()).getTime() + 60_000).toISOString());
    await redriveDeadLetters();
    await busIdle();
    started = undefined;
  });

  /** A one-page replay over a range no webhook was received in, its Job Requested put on the bus with the jobs function's DynamoDB failing as `fault` says. */
  async function aReplayWith(fault: { name: string; times: number }) {
    const store = dynamoJobStore(documents(), cloud().tableName);
    const job = aJob({ input: { ...aJob().input, labelId: uniqueId('lbl') } as Job['input'] });
    await store.create(job, [], requestedForNobody());
    await busIdle();
    started = job.jobId;
    // Aimed at this job's items (their keys hold its id), so that no other write on the shared cloud takes it.
    const aimed = `${fault.name}.${job.jobId}`;
    const before = await faultsReport();
    await armFault(aimed, fault.times);
    await new EventBridgeClient(sdkConfig('events')).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'backline',
            Source: JobRequested.source,
            DetailType: JobRequested.detailType,
            Detail: JSON.stringify(buildDetail(JobRequested, { jobId: job.jobId, kind: 'webhook-replay' })),
          },
        ],
      }),
    );
    // Lambda's retry a minute after the failure, past the lease; nothing to wait for when none failed.
    await advanceClock(new Date((await clockNow()).getTime() + 60_000).toISOString());
    await busIdle();
    const refused = (await deadLetters())
      .filter((letter) => (letter.event.detail.data as { jobId?: string } | undefined)?.jobId === job.jobId)
      .map((letter) => letter.error);
    return { job: await store.get(job.jobId), refused, fired: (await firedSince(before))[aimed] };
  }

  it("runs the page when the attempt's start was applied and its answer lost (the SDK's retry of it)", async () => {
    const { job, refused, fired } = await aReplayWith({
      name: 'dynamodb.accept-then-fail:UpdateItem',
      times: 1,
    });

    expect({ status: job?.status, refused, fired }).toEqual({ status: 'done', refused: [], fired: 1 });
  });

  it("is run again by the jobs function's retries, as on AWS, when the invocation failed holding the lease", async () => {
    // The start is applied, and it and the SDK's retries of it (DynamoDB's client tries a request 4
    // times) are answered 500: the invocation fails holding the lease.
    const { job, refused, fired } = await aReplayWith({
      name: 'dynamodb.accept-then-fail:UpdateItem',
      times: 4,
    });

    expect({ status: job?.status, refused, fired }).toEqual({ status: 'done', refused: [], fired: 4 });
    expect(job?.lastError).toBeUndefined();
  });
});
