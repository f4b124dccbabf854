import type { TestProject } from 'vitest/node';
import type { DeadLetters } from '#infra/local/dead-letters.ts';
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
/** A schedule's dead letter left on purpose: local/dead-letter-retention.test.ts's, which it lets expire. */
const askedForSchedule = (letter: { name: string }) => letter.name.startsWith('retention-');

/**
 * Fails the run on anything else the local cloud holds for a redrive (`deadLettersOf`, which
 * `GET /_local/dlq` answers): a dead letter of the bus, a stream, a queue or the scheduler, or a parked
 * outbox entry, which no test looked at (a budgets fan-out page whose key DynamoDB refused sat there
 * every run, unseen, until 61b113da). Each kind is listed by name, so a kind added to `DeadLetters`
 * does not type-check here until this check reads it.
 */
async function noDeadLettersButAskedFor(baseUrl: string, apiKey: string) {
  const response = await fetch(`${baseUrl}/_local/dlq`, {
    headers: { authorization: `Bearer ${apiKey}`, 'x-backline-local': '1' },
  });
  const letters = (await response.json()) as DeadLetters;
  // What expired in the run counts as left: a later jump of the clock past its retention hid it.
  const { expired } = letters;
  const unaskedByKind: Record<Exclude<keyof DeadLetters, 'queueDepths' | 'expired'>, unknown[]> = {
    deadLetters: [...letters.deadLetters, ...expired.deadLetters]
      .filter((letter) => !asked(letter))
      .map(({ function: name, error, event }) => ({ function: name, detailType: event.detailType, error })),
    streamBatches: [...letters.streamBatches, ...expired.streamBatches],
    queueMessages: [...letters.queueMessages, ...expired.queueMessages],
    scheduleDeadLetters: [...letters.scheduleDeadLetters, ...expired.scheduleDeadLetters].filter(
      (letter) => !askedForSchedule(letter),
    ),
    outboxEntries: letters.outboxEntries,
  };
  const unasked = Object.fromEntries(Object.entries(unaskedByKind).filter(([, listed]) => listed.length > 0));
  if (Object.keys(unasked).length > 0) {
    throw new Error(`dead letters no test asked for (GET /_local/dlq): ${JSON.stringify(unasked, null, 2)}`);
  }
}
