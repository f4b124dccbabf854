import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';
import { wallTimeAt } from '#infra/local/scheduler/expressions.ts';
import { createLocalScheduler, type ScheduledTarget } from '#infra/local/scheduler.ts';

/**
 * docs/design.md#schedules: a redrive puts each schedule dead letter on the bus again and takes it out
 * of the dead-letter queue, one at a time, as `npm run redrive` deletes each SQS message once its event
 * is put. The local cloud killed (kill -9) during a redrive must not put again, at the next redrive on
 * the same data folder, the letters that were on the bus before the kill.
 */
const clock = installVirtualClock();
const MINUTE = 60_000;
let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-schedule-redrive-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const aReleaseDay = (releaseId: string, instant: number) => ({
  Name: `release-day-${releaseId}`,
  GroupName: 'default',
  ScheduleExpression: `at(${new Date(wallTimeAt('UTC', instant)).toISOString().slice(0, 19)})`,
  FlexibleTimeWindow: { Mode: 'OFF' as const },
  ActionAfterCompletion: 'DELETE' as const,
  Target: {
    Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
    RoleArn: 'arn:aws:iam::000000000000:role/backline-scheduler',
    EventBridgeParameters: { DetailType: 'Release Day Reached', Source: 'backline.scheduler' },
    Input: JSON.stringify({ data: { releaseId } }),
    RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:backline-schedule-dead-letters' },
  },
});

const releaseOf = (target: ScheduledTarget) =>
  (JSON.parse(target.detail) as { data: { releaseId: string } }).data.releaseId;

describe('a schedule dead-letter redrive cut short by a kill of the local cloud', () => {
  it('puts at the next redrive only the letters it had not put before the kill', async () => {
    const file = join(directory, 'schedules.jsonl');
    const put: string[] = [];
    let putting: () => void = () => undefined;
    const secondPutUnderWay = new Promise<void>((resolve) => {
      putting = resolve;
    });
    let refusing = true;
    // Both firings fail into dead letters; in the redrive, the first put lands and the second never
    // answers: the process dies with it under way.
    const first = createLocalScheduler({
      clock,
      file,
      putEvents: (target) => {
        if (refusing) return Promise.reject(new Error('InternalFailure: injected'));
        put.push(releaseOf(target));
        if (put.length === 1) return Promise.resolve();
        putting();
        return new Promise<void>(() => undefined);
      },
    });
    const instant = Math.ceil(clock.now().getTime() / MINUTE) * MINUTE + 10 * MINUTE;
    first.ensureSchedule(aReleaseDay('r1', instant));
    first.ensureSchedule(aReleaseDay('r2', instant + MINUTE));
    await first.advanceTo(new Date(instant + MINUTE));
    expect(first.deadLetters()).toHaveLength(2);
    refusing = false;
    void first.redrive();
    await secondPutUnderWay;

    const second = createLocalScheduler({
      clock,
      file,
      putEvents: async (target) => {
        put.push(releaseOf(target));
      },
    });
    await second.redrive();
    second.stop();

    expect(put).toEqual(['r1', 'r2', 'r2']);
  });
});
