import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import { type BusEvent, LocalBus } from '#infra/local/bus/bus.ts';
import type { VirtualClock } from '#infra/local/clock.ts';
import { Faults } from '#infra/local/faults.ts';
import { createLocalScheduler, type ScheduledTarget } from '#infra/local/scheduler.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

/**
 * The local cloud's bus and scheduler started, cut short (a `kill -9`, a stop) and started again on
 * the same data folder, for the tests of what a restart must keep (docs/design.md#schedules,
 * docs/design.md#failures-and-retries).
 */

/**
 * A data folder of its own for each test of the calling file (`prefix` names it in the system's
 * temporary folder), removed after the test with the spies it set restored. Gives the current one.
 */
export function aDataFolderPerTest(prefix: string): () => string {
  let directory = '';
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(directory, { recursive: true, force: true });
  });
  return () => directory;
}

const MINUTE = 60_000;

/** A whole minute ten minutes or so past `clock`'s now: when a one-time schedule made now fires. */
export const aFiringTenMinutesOn = (clock: VirtualClock) =>
  Math.ceil(clock.now().getTime() / MINUTE) * MINUTE + 10 * MINUTE;

/** A schedule's target: the backline bus, an advance reminder's Show Step Due. */
export const aReminderTarget = () => ({
  Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
  RoleArn: 'arn:aws:iam::000000000000:role/backline-scheduler',
  EventBridgeParameters: { DetailType: 'Show Step Due', Source: 'backline.scheduler' },
  Input: JSON.stringify({ data: { step: 'advance-reminder-1' } }),
});

/**
 * The local scheduler started again on `file`, its clock moved a minute past `instant`. Gives it, still
 * running, and every target it put on the bus.
 */
export async function startedAgainPast(clock: VirtualClock, file: string, instant: number) {
  const put: ScheduledTarget[] = [];
  const scheduler = createLocalScheduler({
    clock,
    file,
    putEvents: async (target) => {
      put.push(target);
    },
  });
  await scheduler.advanceTo(new Date(instant + MINUTE));
  return { scheduler, put };
}

/** One function on the backline bus, for the detail-type `One`, retried once when it fails. */
const oneFunction: [FunctionName, FunctionSpec][] = [
  [
    'a' as FunctionName,
    {
      entry: 'functions/x/handler.ts',
      description: 'test',
      on: [{ kind: 'event', bus: 'backline', pattern: { 'detail-type': ['One'] } }],
      may: [],
      retryAttempts: 1,
    },
  ],
];

/** The local bus of oneFunction journalling in `directory`, `invoke` playing the function. */
export const aBusJournallingIn = (
  directory: string,
  invoke: (name: string, event: BusEvent, requestId: string) => Promise<unknown>,
  retryBaseMs = 5,
) =>
  new LocalBus({
    functions: oneFunction,
    invoke,
    faults: new Faults(),
    account: '000000000000',
    region: 'us-east-1',
    retryBaseMs,
    journalFiles: {
      journal: join(directory, 'deliveries.jsonl'),
      deadLetters: join(directory, 'dead-letters.jsonl'),
    },
  });

/** An event for oneFunction, as put on the backline bus. */
export const anEventForOne = (Detail = '{}') => ({
  EventBusName: 'backline',
  Source: 'test.source',
  DetailType: 'One',
  Detail,
});
