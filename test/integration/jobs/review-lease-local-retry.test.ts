import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamoJobStore, type Job } from '#shared/db/jobs.ts';
import { buildDetail, JobRequested } from '#shared/events/index.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import {
  advanceClock,
  armFault,
  busIdle,
  clearFaults,
  clockNow,
  cloud,
  deadLetters,
  redriveDeadLetters,
  sdkConfig,
} from '#test/support/cloud.ts';

/**
 * docs/design.md#jobs: an attempt at a page holds the page's lease for 30 s, and "the lease of an
 * attempt that crashed lapses within 30 s, before Lambda's first retry" (a minute later on AWS). The
 * local cloud retries a failed invocation at once, scaled down (0.5 s then 1 s; 50 ms then 100 ms for
 * the tests; docs/design.md#local-faults): an attempt that took the lease and failed without giving it
 * up leaves it live through both retries, which are refused (AttemptLiveError), and the page's event
 * goes to the jobs function's on-failure queue, the job `running` until someone redrives it. Before the
 * lease, the first retry ran the page again. Here the start's own answer is lost (DynamoDB applied the
 * UpdateItem, then answered 500: `dynamodb.accept-then-fail`), so the SDK's retry of it is refused by
 * the lease it took; an invocation `invoke.timeout` abandons once the lease is taken does the same (its
 * failure's record is a request never sent), but when it is abandoned is up to the machine's speed.
 */

const documents = () =>
  DynamoDBDocumentClient.from(new DynamoDBClient(sdkConfig('dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });

/** A replay of one page over a range no webhook was received in: its page does nothing but get recorded. */
const aReplay = (): Job => ({
  jobId: `job-${crypto.randomUUID()}`,
  kind: 'webhook-replay',
  status: 'queued',
  input: {
    kind: 'webhook-replay',
    labelId: `lbl-${crypto.randomUUID()}`,
    from: '2027-01-01T00:00:00.000Z',
    to: '2027-01-02T00:00:00.000Z',
  },
  pagesDone: 0,
  done: 0,
  counts: { replayed: 0 },
  correlationId: 'corr',
  createdAt: '2027-01-01T00:00:00.000Z',
  updatedAt: '2027-01-01T00:00:00.000Z',
});

let started: string | undefined;

afterEach(async () => {
  // Leave the cloud as found: past the lease, the dead-lettered event redriven and the job finished.
  await clearFaults();
  if (!started) return;
  await advanceClock(new Date((await clockNow()).getTime() + 60_000).toISOString());
  await redriveDeadLetters();
  await busIdle();
  started = undefined;
});

describe('a job page whose attempt failed holding its lease, on the local cloud', () => {
  it("is run again by the jobs function's retries, as on AWS", async () => {
    const store = dynamoJobStore(documents(), cloud().tableName);
    const job = aReplay();
    // The store's Job Requested names no stored job (the jobs function leaves it): this test delivers its own.
    await store.create(
      job,
      [],
      outboxEntry(JobRequested, { jobId: `job-${crypto.randomUUID()}`, kind: 'webhook-replay' }),
    );
    await busIdle();
    started = job.jobId;

    // The next UpdateItem, the attempt's start, is applied and its answer lost.
    await armFault('dynamodb.accept-then-fail:UpdateItem', 1);
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
    await busIdle();

    const refused = (await deadLetters())
      .filter((letter) => (letter.event.detail.data as { jobId?: string } | undefined)?.jobId === job.jobId)
      .map((letter) => letter.error);
    expect({ status: (await store.get(job.jobId))?.status, refused }).toEqual({
      status: 'done',
      refused: [],
    });
  });
});
