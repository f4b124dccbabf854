import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';
import { JsonLines } from '#infra/local/jsonl.ts';
import { wallTimeAt } from '#infra/local/scheduler/expressions.ts';
import { createLocalScheduler, type ScheduledTarget } from '#infra/local/scheduler.ts';

/**
 * docs/design.md#schedules: a data folder from before the scheduler's journal kept its schedules in
 * one JSON document (schedules.json), carried over into the journal at the first start. The local
 * cloud killed (kill -9) during that first start, before the journal was written, must find its
 * schedules at the next start on the same folder: a one-time schedule (an advance reminder, a
 * release day) lost there never fires.
 */
const clock = installVirtualClock();
const MINUTE = 60_000;
let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-schedule-carry-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(directory, { recursive: true, force: true });
});

const aReminder = (instant: number) => ({
  name: 'show-step-reminder',
  groupName: 'default',
  scheduleExpression: `at(${new Date(wallTimeAt('UTC', instant)).toISOString().slice(0, 19)})`,
  timeZone: 'UTC',
  state: 'ENABLED',
  flexibleTimeWindow: { Mode: 'OFF' },
  actionAfterCompletion: 'DELETE',
  target: {
    Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
    RoleArn: 'arn:aws:iam::000000000000:role/backline-scheduler',
    EventBridgeParameters: { DetailType: 'Show Step Due', Source: 'backline.scheduler' },
    Input: JSON.stringify({ data: { step: 'advance-reminder-1' } }),
  },
  creationDate: clock.now().getTime(),
  lastModificationDate: clock.now().getTime(),
  windowStart: clock.now().getTime(),
});

describe('a data folder from before the journal, its carrying over cut short by a kill', () => {
  it('still has its schedules at the next start on the same folder', async () => {
    const file = join(directory, 'schedules.jsonl');
    const instant = Math.ceil(clock.now().getTime() / MINUTE) * MINUTE + 10 * MINUTE;
    writeFileSync(
      join(directory, 'schedules.json'),
      JSON.stringify({ version: 1, groups: [], schedules: [aReminder(instant)] }),
    );
    // The first process dies while it writes the journal the document is carried over into.
    vi.spyOn(JsonLines.prototype, 'rewrite').mockImplementationOnce(() => {
      throw new Error('killed');
    });
    expect(() => createLocalScheduler({ clock, file, putEvents: async () => undefined })).toThrow('killed');
    vi.restoreAllMocks();

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
    expect(existsSync(join(directory, 'schedules.json'))).toBe(false);
  });
});
