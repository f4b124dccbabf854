import { existsSync, writeFileSync } from 'node:fs';
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
 * docs/design.md#schedules: a data folder from before the scheduler's journal kept its schedules in
 * one JSON document (schedules.json), carried over into the journal at the first start. The local
 * cloud killed (kill -9) during that first start, before the journal was written, must find its
 * schedules at the next start on the same folder: a one-time schedule (an advance reminder, a
 * release day) lost there never fires.
 */
const clock = installVirtualClock();
const dataFolder = aDataFolderPerTest('backline-schedule-carry-');

const aReminder = (instant: number) => ({
  name: 'show-step-reminder',
  groupName: 'default',
  scheduleExpression: `at(${new Date(wallTimeAt('UTC', instant)).toISOString().slice(0, 19)})`,
  timeZone: 'UTC',
  state: 'ENABLED',
  flexibleTimeWindow: { Mode: 'OFF' },
  actionAfterCompletion: 'DELETE',
  target: aReminderTarget(),
  creationDate: clock.now().getTime(),
  lastModificationDate: clock.now().getTime(),
  windowStart: clock.now().getTime(),
});

describe('a data folder from before the journal, its carrying over cut short by a kill', () => {
  it('still has its schedules at the next start on the same folder', async () => {
    const file = join(dataFolder(), 'schedules.jsonl');
    const instant = aFiringTenMinutesOn(clock);
    writeFileSync(
      join(dataFolder(), 'schedules.json'),
      JSON.stringify({ version: 1, groups: [], schedules: [aReminder(instant)] }),
    );
    // The first process dies while it writes the journal the document is carried over into.
    vi.spyOn(JsonLines.prototype, 'rewrite').mockImplementationOnce(() => {
      throw new Error('killed');
    });
    expect(() => createLocalScheduler({ clock, file, putEvents: async () => undefined })).toThrow('killed');
    vi.restoreAllMocks();

    const { scheduler: second, put } = await startedAgainPast(clock, file, instant);
    second.stop();

    expect(put.map((target) => target.detailType)).toEqual(['Show Step Due']);
    expect(existsSync(join(dataFolder(), 'schedules.json'))).toBe(false);
  });
});
