import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';
import { createLocalScheduler, type ScheduledTarget } from '#infra/local/scheduler.ts';
import { ReconciliationDue } from '#shared/events/reconciliation-due.ts';
import { recurringScheduleDetail } from '#shared/events/scheduled.ts';

/**
 * docs/design.md#schedules: Scheduler fills in `<aws.scheduler.scheduled-time>` with the occurrence it
 * fires for, which a recurring schedule's event carries as `occurredAt` (the daily reconciliation
 * takes its day from it). The local cloud was down across a 07:00 (`npm start` again the next
 * morning, before that day's 07:00): the timer catches the missed occurrence up late, and its event
 * must still say the day it was for.
 */
const clock = installVirtualClock();
const DAY = 24 * 3_600_000;
let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'backline-schedule-catch-up-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('a recurring schedule caught up after a restart', () => {
  it('stamps the catch-up firing with the occurrence it fires for, not the time it is put', async () => {
    const file = join(directory, 'schedules.jsonl');
    const first = createLocalScheduler({ clock, file, putEvents: async () => {} });
    first.ensureSchedule({
      Name: 'daily-reconciliation',
      GroupName: 'default',
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
        RoleArn: 'arn:aws:iam::000000000000:role/backline-scheduler',
        EventBridgeParameters: { DetailType: ReconciliationDue.detailType, Source: 'backline.scheduler' },
        Input: JSON.stringify(recurringScheduleDetail(ReconciliationDue)),
      },
    });
    // Today's 07:00 fires in the first run.
    const today7 = Math.ceil((clock.now().getTime() - 7 * 3_600_000) / DAY) * DAY + 7 * 3_600_000;
    await first.advanceTo(new Date(today7));
    // kill; down across the next 07:00; `npm start` again at 06:00 the day after.
    first.stop();
    clock.raiseTo(new Date(today7 + 2 * DAY - 3_600_000));
    const sent: ScheduledTarget[] = [];

    const second = createLocalScheduler({
      clock,
      file,
      putEvents: async (target) => {
        sent.push(target);
      },
    });
    second.start();
    for (const end = Date.now() + 10_000; sent.length === 0 && Date.now() < end; )
      await new Promise((resolve) => setTimeout(resolve, 50));
    second.stop();

    expect(sent.map((target) => JSON.parse(target.detail).metadata.occurredAt)).toEqual([
      `${new Date(today7 + DAY).toISOString().slice(0, 19)}Z`,
    ]);
  });
});
