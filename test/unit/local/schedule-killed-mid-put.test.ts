import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';
import { wallTimeAt } from '#infra/local/scheduler/expressions.ts';
import { createLocalScheduler, type ScheduledTarget } from '#infra/local/scheduler.ts';

/**
 * docs/design.md#schedules: Scheduler delivers a firing at least once. The local cloud killed (kill -9)
 * while a firing's PutEvents is under way, before the bus has its event, must fire that occurrence
 * when it starts again on the same data folder: a one-time schedule (an advance reminder, a release
 * day) fires once, so an occurrence counted as fired but never put on the bus is lost for good.
 */
const clock = installVirtualClock();
const MINUTE = 60_000;
let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-schedule-kill-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const aReminder = (instant: number) => ({
  Name: 'show-step-reminder',
  GroupName: 'default',
  ScheduleExpression: `at(${new Date(wallTimeAt('UTC', instant)).toISOString().slice(0, 19)})`,
  FlexibleTimeWindow: { Mode: 'OFF' as const },
  ActionAfterCompletion: 'DELETE' as const,
  Target: {
    Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
    RoleArn: 'arn:aws:iam::000000000000:role/backline-scheduler',
    EventBridgeParameters: { DetailType: 'Show Step Due', Source: 'backline.scheduler' },
    Input: JSON.stringify({ data: { step: 'advance-reminder-1' } }),
  },
});

describe('a firing cut short by a kill of the local cloud', () => {
  it('fires again at the next start on the same folder when the kill came before the bus had its event', async () => {
    const file = join(directory, 'schedules.jsonl');
    let putting: () => void = () => undefined;
    const underWay = new Promise<void>((resolve) => {
      putting = resolve;
    });
    // The first process's PutEvents never answers: the process dies with it under way.
    const first = createLocalScheduler({
      clock,
      file,
      putEvents: () => {
        putting();
        return new Promise<void>(() => undefined);
      },
    });
    const instant = Math.ceil(clock.now().getTime() / MINUTE) * MINUTE + 10 * MINUTE;
    first.ensureSchedule(aReminder(instant));
    void first.advanceTo(new Date(instant));
    await underWay;

    const put: ScheduledTarget[] = [];
    const second = createLocalScheduler({
      clock,
      file,
      putEvents: async (target) => {
        put.push(target);
      },
    });
    await second.advanceTo(new Date(instant + MINUTE));
    second.stop();

    expect(put.map((target) => target.detailType)).toEqual(['Show Step Due']);
  });

  it('does not fire again once the bus had its event', async () => {
    const file = join(directory, 'schedules.jsonl');
    const first = createLocalScheduler({ clock, file, putEvents: async () => undefined });
    const instant = Math.ceil(clock.now().getTime() / MINUTE) * MINUTE + 10 * MINUTE;
    first.ensureSchedule(aReminder(instant));
    await first.advanceTo(new Date(instant));

    const put: ScheduledTarget[] = [];
    const second = createLocalScheduler({
      clock,
      file,
      putEvents: async (target) => {
        put.push(target);
      },
    });
    await second.advanceTo(new Date(instant + MINUTE));
    second.stop();

    expect(put).toEqual([]);
  });
});
