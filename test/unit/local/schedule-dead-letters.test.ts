import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';
import { wallTimeAt } from '#infra/local/scheduler/expressions.ts';
import { createLocalScheduler } from '#infra/local/scheduler.ts';

/**
 * docs/design.md#failures-and-retries: the local cloud's data folder keeps what AWS would keep across a
 * restart; "Dead letters and the SES front's sent mail persist there too." A one-time schedule's
 * failed firing is kept as a schedule dead letter (GET /_local/dlq, POST /_local/dlq/redrive) and the
 * schedule deletes itself after firing (ActionAfterCompletion DELETE), so the dead letter is all
 * that is left of the release day: `npm start` again on the same folder must still hold it.
 */
const clock = installVirtualClock();
const MINUTE = 60_000;
let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-schedule-dlq-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('schedule dead letters in the data folder', () => {
  it('still holds a release day that could not be put on the bus after the local cloud restarts on the same folder', async () => {
    const file = join(directory, 'schedules.jsonl');
    const refusing = async () => {
      throw new Error('NotAuthorizedForSourceException: injected');
    };
    const first = createLocalScheduler({ clock, file, putEvents: refusing });
    const instant = Math.ceil(clock.now().getTime() / MINUTE) * MINUTE + 10 * MINUTE;
    first.ensureSchedule({
      Name: 'release-day-r1',
      GroupName: 'default',
      ScheduleExpression: `at(${new Date(wallTimeAt('UTC', instant)).toISOString().slice(0, 19)})`,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
        RoleArn: 'arn:aws:iam::000000000000:role/backline-scheduler',
        EventBridgeParameters: { DetailType: 'Release Day Reached', Source: 'backline.scheduler' },
        Input: JSON.stringify({ data: { releaseId: 'r1' } }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:backline-schedule-dead-letters' },
      },
    });
    await first.advanceTo(new Date(instant));
    expect(first.deadLetters()).toHaveLength(1);
    first.stop();

    const second = createLocalScheduler({ clock, file, putEvents: async () => {} });

    expect(second.deadLetters()).toEqual([
      expect.objectContaining({
        name: 'release-day-r1',
        target: expect.objectContaining({ detailType: 'Release Day Reached' }),
      }),
    ]);
    // Redriven after the restart, it leaves the folder too: a third start does not put it on the bus again.
    expect(await second.redrive()).toEqual({ redriven: 1, failed: 0 });
    second.stop();
    const third = createLocalScheduler({ clock, file, putEvents: async () => {} });
    expect(third.deadLetters()).toEqual([]);
    third.stop();
  });
});
