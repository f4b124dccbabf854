import type { TestProject } from 'vitest/node';
import type { CloudInfo } from './cloud.ts';
import { startCloudProcess } from './cloud-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: CloudInfo;
  }
}

/**
 * One local cloud per test run (docs/design.md#tests): `npm start`'s own entry point on free ports,
 * in memory, with fast retries. Tests reach it over HTTP only, as a user would.
 */
export default async function setup(project: TestProject) {
  const cloud = await startCloudProcess({
    BACKLINE_RETRY_BASE_MS: '50',
    BACKLINE_API_KEY: 'test-api-key-0123456789',
    BACKLINE_MANAGER_TIME_ZONE: 'Europe/London',
  });
  // Only what serialises reaches the tests (not stop or kill).
  const { ready, ports, urls, apiKey, env } = cloud;
  project.provide('cloud', { ready, ports, urls, apiKey, env });
  return async () => {
    try {
      await noDeadLettersButAskedFor(urls.http, apiKey);
    } finally {
      await cloud.stop();
    }
  };
}

/**
 * The dead letters the files leave on purpose, all of the tours function: a Tour Booked without a label
 * (local/delivery.test.ts) and one whose invocations were abandoned under `invoke.timeout` (local/faults.test.ts;
 * while that fault is armed, whatever else reaches tours on the shared cloud is abandoned too). Another
 * function's timeout is no test's.
 */
const askedFor = [/ has no labelId$/, /^Error: Task timed out after /];
const asked = (letter: { function: string; error: string }) =>
  letter.function === 'tours' && askedFor.some((pattern) => pattern.test(letter.error));

/**
 * Fails the run on any other dead letter, of the bus, a stream, a queue or the scheduler: an event some
 * function could not take, which no test looked at (a budgets fan-out page whose key DynamoDB refused
 * sat there every run, unseen, until 61b113da).
 */
async function noDeadLettersButAskedFor(baseUrl: string, apiKey: string) {
  const response = await fetch(`${baseUrl}/_local/dlq`, {
    headers: { authorization: `Bearer ${apiKey}`, 'x-backline-local': '1' },
  });
  const letters = (await response.json()) as {
    deadLetters: { function: string; error: string; event: { detailType: string } }[];
    streamBatches: unknown[];
    queueMessages: unknown[];
    scheduleDeadLetters: unknown[];
  };
  const unasked = [
    ...letters.deadLetters
      .filter((letter) => !asked(letter))
      .map(({ function: name, error, event }) => ({ function: name, detailType: event.detailType, error })),
    ...letters.streamBatches,
    ...letters.queueMessages,
    ...letters.scheduleDeadLetters,
  ];
  if (unasked.length > 0) {
    throw new Error(`dead letters no test asked for (GET /_local/dlq): ${JSON.stringify(unasked, null, 2)}`);
  }
}
