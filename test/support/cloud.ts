import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { FaultsReport } from '#infra/local/faults.ts';
import type { Fired } from '#infra/local/scheduler.ts';
import type { SesDetailType } from '#infra/local/ses/events.ts';

/*
 * Integration tests share one local cloud, and its clock only moves forward (POST /_local/clock).
 * So: take "now" from the cloud (`await clockNow()`), never from this process, for anything the
 * handlers compare with their now (webhook-timestamp, release dates, promo expiry), and make dates
 * relative to it (`clockNow() + 30 days`), never absolute. Use `uniqueId()` for every id and address.
 * Integration test files run one after another (vitest.config.ts), tests within a file in order.
 */

/** What the test run's local cloud tells its tests (see global-setup.ts). */
export interface CloudInfo {
  ready: true;
  ports: { http: number; bus: number; dynamodb: number; ses: number };
  urls: { http: string; bus: string; dynamodb: string; ses: string };
  apiKey: string;
  env: Record<string, string>;
}

export const region = 'us-east-1';
export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function cloud() {
  const info = inject('cloud');
  return {
    baseUrl: info.urls.http,
    apiKey: info.apiKey,
    sesUrl: info.urls.ses,
    region,
    credentials,
    tableName: info.env.TABLE_NAME,
    env: info.env,
    endpoints: {
      dynamodb: info.urls.dynamodb,
      ses: info.urls.ses,
      events: info.urls.bus,
      scheduler: info.urls.bus,
    },
  };
}

/** Client config for a real AWS SDK v3 client against one of the local cloud's endpoints. */
export const sdkConfig = (endpoint: keyof ReturnType<typeof cloud>['endpoints']) => ({
  endpoint: cloud().endpoints[endpoint],
  region,
  credentials,
});

/** A document client on the local cloud's DynamoDB, marshalling as the functions' client does (shared/clients.ts). */
export const documentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient(sdkConfig('dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });

/** A request to the local HTTP API with the management key (unless `authorization` is given). */
export function api(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${cloud().apiKey}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  return fetch(`${cloud().baseUrl}${path}`, { ...init, headers, body });
}

/** A request to the local cloud's own routes, as a tool sends it (state changes need `x-backline-local: 1`). */
async function local<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('x-backline-local', '1');
  const response = await api(`/_local/${path}`, { ...init, headers });
  if (!response.ok) throw new Error(`/_local/${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export type { Fired } from '#infra/local/scheduler.ts';

/**
 * SES's own events (source `aws.ses`) put on the default bus as SES publishes them: through the
 * local SES front's publishing path (`POST /_local/ses/events`), since EventBridge refuses a
 * PutEvents entry with an `aws.` source. `resources` name the campaign configuration set unless
 * given, as SES fills them in. Resolves once the events' invocations have finished.
 */
export const publishSesEvents = (
  events: { detailType: SesDetailType; detail: Record<string, unknown>; resources?: string[] }[],
) => {
  const { env } = cloud();
  const account = env.EVENT_BUS_ARN.split(':')[4];
  const configurationSet = `arn:aws:ses:${region}:${account}:configuration-set/${env.SES_CONFIGURATION_SET}`;
  return local<{ published: number }>('ses/events', {
    method: 'POST',
    json: { events: events.map((event) => ({ resources: [configurationSet], ...event })) },
  });
};

/** Moves the local cloud's clock forward; resolves with what fired once every invocation has finished. */
export const advanceClock = (advanceTo: string) =>
  local<{ now: string; fired: Fired[] }>('clock', { method: 'POST', json: { advanceTo } });

/** The requests the cloud's AWS endpoints answered so far (from every caller), by service and operation: `DynamoDB Query`. */
export const requestCounts = async () =>
  (await local<{ requests: Record<string, number> }>('requests')).requests;
export const clockNow = async () => new Date((await local<{ now: string }>('clock')).now);

export interface BusEventRecord {
  bus: 'backline' | 'default';
  id: string;
  source: string;
  detailType: string;
  time: string;
  detail: { metadata?: Record<string, unknown>; data?: Record<string, unknown> } & Record<string, unknown>;
  invocations: { rule: string; function: string; status: string; attempts: number; error?: string }[];
}

export const busEvents = async (filter: { detailType?: string; source?: string } = {}) => {
  const query = new URLSearchParams(filter as Record<string, string>);
  return (await local<{ events: BusEventRecord[] }>(`events?${query}`)).events;
};

export const deadLetters = async () =>
  (
    await local<{
      deadLetters: {
        rule: string;
        function: string;
        attempts: number;
        error: string;
        event: BusEventRecord;
      }[];
    }>('dlq')
  ).deadLetters;

/** Batches a stream mapping gave up: their positions, as its on-failure destination gets them. */
export const streamDeadLetters = async () =>
  (
    await local<{
      streamBatches: {
        function: string;
        attempts: number;
        error: string;
        DDBStreamBatchInfo: { shardId: string; startSequenceNumber: string; batchSize: number };
      }[];
    }>('dlq')
  ).streamBatches;

/** What schedules could not put on the bus after their retries, as their dead-letter queue holds it. */
export const scheduleDeadLetters = async () =>
  (
    await local<{
      scheduleDeadLetters: { name: string; groupName: string; scheduledFor: string; error: string }[];
    }>('dlq')
  ).scheduleDeadLetters;

/** The dead letters of each kind that outlived their queue's retention in this run. */
export const expiredDeadLetters = async () =>
  (
    await local<{
      expired: {
        deadLetters: { function: string; error: string; event: BusEventRecord }[];
        scheduleDeadLetters: { name: string }[];
        streamBatches: unknown[];
        queueMessages: unknown[];
      };
    }>('dlq')
  ).expired;

/** The operator's redrive (POST /_local/dlq/redrive): dead letters, queues' dead letters and parked outbox entries. */
export const redriveDeadLetters = () =>
  local<{
    redriven: number;
    succeeded: number;
    failed: number;
    queueMessages: number;
    outboxEntries: number;
  }>('dlq/redrive', { method: 'POST' });

/** Resolves once no invocation is running or waiting for a retry. */
export const busIdle = () => local<{ idle: true }>('idle');

export type { FaultsReport } from '#infra/local/faults.ts';

export const armFault = (name: string, times: number | 'inf' = 1) =>
  local<FaultsReport>('faults', { method: 'POST', json: { name, times } });

/** What is armed, what fired and the seed of the rates (GET /_local/faults). */
export const faultsReport = () => local<FaultsReport>('faults');

export const clearFaults = () => local<FaultsReport>('faults', { method: 'DELETE' });

/**
 * After a window of DynamoDB throttled for every caller (`dynamodb.throttle:<op>` armed `inf`), once the
 * faults are cleared: the shared cloud's background work throttled through all its attempts (a
 * once-a-minute outbox sweep) was dead-lettered, as on AWS, and the operator's redrive puts it through.
 */
export const redriveThrottled = async () => {
  await busIdle();
  await redriveDeadLetters();
};

/** How often each fault fired since `before` (a `faultsReport()`): the shared cloud counts from its start. */
export const firedSince = async (before: FaultsReport): Promise<Record<string, number>> => {
  const { fired } = await faultsReport();
  return Object.fromEntries(Object.entries(fired).map(([name, n]) => [name, n - (before.fired[name] ?? 0)]));
};

/** Disables or enables the outbox relay, the table stream's event source mapping (POST /_local/streams). */
export const setOutboxRelay = (enabled: boolean) =>
  local<{ enabled: boolean }>('streams', { method: 'POST', json: { enabled } });

export interface SentMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
  [key: string]: unknown;
}

/**
 * When this test file began, in whole seconds as the SES emulator stamps its mail (`at`): by the cloud's
 * virtual clock, since the emulator runs in the cloud's process, whose `Date` the clock patches
 * (infra/local/clock.ts). The shared cloud's store holds every file's mail, thousands by the end of a
 * run; a file reads only what was sent since it began (its addresses are its own), not the whole store
 * at each poll. Each shared-cloud file marks it (integration-setup.ts); unmarked, the whole store.
 */
let fileBegan = 0;

export const markFileBegan = async () => {
  fileBegan = Math.floor((await clockNow()).getTime() / 1000);
};

/** Every mail the SES emulator holds that was sent since this file began (its `/store?since=`). */
export const sentMail = async (): Promise<SentMail[]> => {
  const response = await fetch(`${cloud().sesUrl}/store?since=${fileBegan}`);
  return ((await response.json()) as { emails: SentMail[] }).emails;
};

/**
 * Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. The default
 * is for a condition that never comes, not a slow one: a webhook's mail crosses four functions and two
 * stream polls, which a busy 2-core machine (CI beside other work) slowed past 10 s (the integration
 * project's test timeout, 90 s, is the same kind of limit).
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 60_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** An id no other test uses. */
export const uniqueId = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
