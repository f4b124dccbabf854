import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';
import { JsonLines } from '#infra/local/jsonl.ts';
import { wallTimeAt } from '#infra/local/scheduler/expressions.ts';
import { createLocalScheduler } from '#infra/local/scheduler.ts';
import {
  aDataFolderPerTest,
  aFiringTenMinutesOn,
  aReminderTarget,
  startedAgainPast,
} from '#test/support/local-restarts.ts';

/**
 * docs/design.md#schedules: Scheduler delivers a firing at least once. The local cloud killed (kill -9)
 * while a firing's PutEvents is under way, before the bus has its event, must fire that occurrence
 * when it starts again on the same data folder: a one-time schedule (an advance reminder, a release
 * day) fires once, so an occurrence counted as fired but never put on the bus is lost for good.
 */
const clock = installVirtualClock();
const dataFolder = aDataFolderPerTest('backline-schedule-kill-');

const aReminder = (instant: number) => ({
  Name: 'show-step-reminder',
  GroupName: 'default',
  ScheduleExpression: `at(${new Date(wallTimeAt('UTC', instant)).toISOString().slice(0, 19)})`,
  FlexibleTimeWindow: { Mode: 'OFF' as const },
  ActionAfterCompletion: 'DELETE' as const,
  Target: aReminderTarget(),
});

describe('a firing cut short by a kill of the local cloud', () => {
  it('fires again at the next start on the same folder when the kill came before the bus had its event', async () => {
    const file = join(dataFolder(), 'schedules.jsonl');
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
    const instant = aFiringTenMinutesOn(clock);
    first.ensureSchedule(aReminder(instant));
    void first.advanceTo(new Date(instant));
    await underWay;

    const { scheduler: second, put } = await startedAgainPast(clock, file, instant);
    second.stop();

    expect(put.map((target) => target.detailType)).toEqual(['Show Step Due']);
  });

  it('does not fire again once the bus had its event', async () => {
    const file = join(dataFolder(), 'schedules.jsonl');
    const first = createLocalScheduler({ clock, file, putEvents: async () => undefined });
    const instant = aFiringTenMinutesOn(clock);
    first.ensureSchedule(aReminder(instant));
    await first.advanceTo(new Date(instant));

    const { scheduler: second, put } = await startedAgainPast(clock, file, instant);
    second.stop();

    expect(put).toEqual([]);
  });
});

describe('a firing that failed for good, cut short by a kill after its dead letter was kept', () => {
  it('counts the occurrence as fired at the next start, so the redrive delivers it once', async () => {
    const file = join(dataFolder(), 'schedules.jsonl');
    const first = createLocalScheduler({
      clock,
      file,
      putEvents: async () => {
        throw new Error('InternalException: injected');
      },
    });
    const instant = aFiringTenMinutesOn(clock);
    const reminder = aReminder(instant);
    first.ensureSchedule({
      ...reminder,
      Target: {
        ...reminder.Target,
        RetryPolicy: { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:backline-schedule-dead-letters' },
      },
    });
    // The process dies (kill -9) right after the dead letter is synced, before the firing is journaled:
    // nothing the first scheduler writes to its schedules' journal from then on reaches the folder.
    const append = JsonLines.prototype.append;
    vi.spyOn(JsonLines.prototype, 'append').mockImplementation(function (
      this: JsonLines<unknown>,
      records,
      options,
    ) {
      if (this.file === file) throw new Error('killed');
      append.call(this, records, options);
    });
    await expect(first.advanceTo(new Date(instant))).rejects.toThrow('killed');
    vi.restoreAllMocks();

    const { scheduler: second, put } = await startedAgainPast(clock, file, instant);
    const kept = second.deadLetters().length;
    await second.redrive();
    second.stop();

    expect(kept).toBe(1);
    expect(put.map((target) => target.detailType)).toEqual(['Show Step Due']);
  });
});
