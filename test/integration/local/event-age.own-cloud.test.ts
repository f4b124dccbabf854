import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { asyncEventMaxAgeSeconds } from '#infra/function-settings.ts';
import { buildDetail, TourBooked } from '#shared/events/index.ts';
import { waitFor } from '#test/support/cloud.ts';
import { type CloudProcess, startCloudProcess } from '#test/support/cloud-process.ts';

/**
 * docs/design.md#failures-and-retries: Lambda keeps an asynchronous event for its retries at most the
 * function's maximum event age (6 hours), then hands it to the on-failure destination. A delivery the
 * local bus journalled before a `kill -9` and resumes at the next start is held to the same age.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'backline-event-age-'));
// Retries an hour apart: the delivery is still waiting for its first retry when the cloud is killed.
const env = { BACKLINE_DATA_DIR: dataDir, BACKLINE_RETRY_BASE_MS: '3600000' };
const running: CloudProcess[] = [];
afterAll(async () => {
  for (const cloud of running) await cloud.kill().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<CloudProcess> {
  const cloud = await startCloudProcess(env, { killable: true });
  running.push(cloud);
  return cloud;
}

const local = async <T>(cloud: CloudProcess, path: string): Promise<T> =>
  (await (
    await fetch(`${cloud.urls.http}/_local/${path}`, { headers: { 'x-backline-local': '1' } })
  ).json()) as T;

interface DeadLetterSeen {
  function: string;
  attempts: number;
  error: string;
  event: { id: string };
}

describe('an asynchronous delivery resumed after a kill -9', () => {
  it("is dead-lettered, not invoked again, once it is older than the function's maximum event age", async () => {
    const first = await start();
    const events = new EventBridgeClient({
      endpoint: first.urls.bus,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    // A Tour Booked without a label cannot be filed: the tours handler throws on every attempt.
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'backline',
            Source: 'backline.intake',
            DetailType: 'Tour Booked',
            Detail: JSON.stringify(buildDetail(TourBooked, TourBooked.sample, {})),
          },
        ],
      }),
    );
    const eventId = put.Entries?.[0].EventId;
    await waitFor(
      async () => {
        const { events: shown } = await local<{
          events: { id: string; invocations: { status: string }[] }[];
        }>(first, 'events?detailType=Tour%20Booked');
        return shown.find((e) => e.id === eventId)?.invocations[0]?.status === 'retrying';
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the first attempt to fail' },
    );
    await first.kill();
    // The machine's clock runs on while the cloud is down: seven hours pass before the next start.
    const clockFile = join(dataDir, 'clock.json');
    const kept = JSON.parse(readFileSync(clockFile, 'utf8')) as { offsetMs: number; now: string };
    const down = (asyncEventMaxAgeSeconds + 3600) * 1000;
    writeFileSync(
      clockFile,
      JSON.stringify({
        offsetMs: kept.offsetMs + down,
        now: new Date(Date.parse(kept.now) + down).toISOString(),
      }),
    );

    const second = await start();
    const letter = await waitFor(
      async () =>
        (await local<{ deadLetters: DeadLetterSeen[] }>(second, 'dlq')).deadLetters.find(
          (d) => d.event.id === eventId,
        ),
      { timeoutMs: 30_000, intervalMs: 200, what: 'the dead letter' },
    );

    expect(letter).toMatchObject({ function: 'tours', attempts: 1 });
    expect(letter.error).toMatch(/EventAgeExceeded/);
  }, 240_000); // two cloud processes start: slow on a busy machine
});
