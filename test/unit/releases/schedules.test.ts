import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  announcementScheduleName,
  radioServicingScheduleName,
  releaseDayScheduleName,
  schedulerSchedules,
} from '#functions/releases/adapters.ts';
import { showStepScheduleName } from '#functions/tours/adapters.ts';

const client = new SchedulerClient({ region: 'us-east-1' });
const mock = mockClient(client);
const schedules = schedulerSchedules(() => client);
const schedule = {
  labelId: 'lbl-nightshift',
  releaseId: 'rel-night-drive',
  moment: { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/London' },
  correlationId: 'corr-1',
};

beforeEach(() => mock.reset());

describe('release-day schedules', () => {
  it("creates a one-time schedule at the release moment's instant, in UTC, that puts Release Day Reached on the bus", async () => {
    mock.on(CreateScheduleCommand).resolves({});

    await schedules.upsertReleaseDay(schedule);

    const input = mock.commandCalls(CreateScheduleCommand)[0].args[0].input;
    expect(input).toMatchObject({
      Name: releaseDayScheduleName('lbl-nightshift', 'rel-night-drive'),
      GroupName: 'backline',
      // 00:00 in London in March is 00:00 UTC.
      ScheduleExpression: 'at(2027-03-05T00:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/backline',
        RoleArn: 'arn:aws:iam::000000000000:role/backline-scheduler',
        EventBridgeParameters: { DetailType: 'Release Day Reached', Source: 'backline.scheduler' },
        // A firing that fails every retry goes to the schedules' dead-letter queue, not nowhere.
        DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:backline-schedule-dead-letters' },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      },
    });
    expect(JSON.parse(input.Target!.Input!).data).toEqual({
      labelId: 'lbl-nightshift',
      releaseId: 'rel-night-drive',
      ...schedule.moment,
    });
  });

  it.each([
    // Tokyo is nine hours ahead of UTC.
    ['Asia/Tokyo', '2027-03-05', 'at(2027-03-04T15:00:00)'],
    // Santiago's clocks go from 00:00 to 01:00 on 6 September 2026: a wall time of 00:00 that day never
    // comes, and Scheduler skips an at() that names it; the release is out at 01:00 (-03:00).
    ['America/Santiago', '2026-09-06', 'at(2026-09-06T04:00:00)'],
  ])(
    'names the instant of a release day in %s on %s in UTC (%s), so a DST gap cannot skip it',
    async (timeZone, releaseDate, expression) => {
      mock.on(CreateScheduleCommand).resolves({});

      await schedules.upsertReleaseDay({
        ...schedule,
        moment: { ...schedule.moment, timeZone, releaseDate },
      });

      const input = mock.commandCalls(CreateScheduleCommand)[0].args[0].input;
      expect([input.ScheduleExpression, input.ScheduleExpressionTimezone]).toEqual([expression, 'UTC']);
    },
  );

  it('updates the schedule when it already exists', async () => {
    mock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    mock.on(UpdateScheduleCommand).resolves({});

    await schedules.upsertReleaseDay({
      ...schedule,
      moment: { ...schedule.moment, releaseDate: '2027-03-12' },
    });

    expect(mock.commandCalls(UpdateScheduleCommand)[0].args[0].input.ScheduleExpression).toBe(
      'at(2027-03-12T00:00:00)',
    );
  });

  it('creates it again when the update finds it gone (fired and deleted meanwhile)', async () => {
    mock
      .on(CreateScheduleCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }))
      .resolves({});
    mock
      .on(UpdateScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));

    await schedules.upsertReleaseDay(schedule);

    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(2);
  });

  it('deletes the schedule, and a schedule that is not there is fine', async () => {
    mock
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));

    await schedules.deleteReleaseDay('lbl-nightshift', 'rel-night-drive');

    expect(mock.commandCalls(DeleteScheduleCommand)[0].args[0].input).toEqual({
      Name: releaseDayScheduleName('lbl-nightshift', 'rel-night-drive'),
      GroupName: 'backline',
    });
  });

  it('names every schedule validly for Scheduler, whatever characters and lengths the ids have', () => {
    const names = [
      releaseDayScheduleName('lbl-1', 'rel-1'),
      releaseDayScheduleName('lbl-1', 'x'.repeat(128)),
      releaseDayScheduleName('lbl-1', 'rel/2027 night drive'),
    ];

    for (const name of names) expect(name).toMatch(/^release-day-[0-9a-f]+$/);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
    expect(releaseDayScheduleName('lbl-1', 'y'.repeat(128))).not.toBe(names[1]);
    expect(releaseDayScheduleName('lbl-2', 'rel-1')).not.toBe(names[0]);
  });

  it('never gives two labels the same schedule name when their ids join to the same text', () => {
    const pairs: [string, string][] = [
      ['acme', 'rec-r3'],
      ['acme-rec', 'r3'],
      ['acme', 'rec\nr3'],
      ['acme\nrec', 'r3'],
    ];

    const names = pairs.map(([labelId, releaseId]) => releaseDayScheduleName(labelId, releaseId));

    expect(new Set(names).size).toBe(pairs.length);
  });
});

describe('embargo schedules', () => {
  it('creates a one-time UTC schedule at announceAt rounded up to the minute that puts Announcement Due on the bus', async () => {
    mock.on(CreateScheduleCommand).resolves({});

    await schedules.upsertAnnouncement({
      labelId: 'lbl-nightshift',
      releaseId: 'rel-night-drive',
      announceAt: '2027-02-26T10:00:30+01:00',
      correlationId: 'corr-1',
    });

    const input = mock.commandCalls(CreateScheduleCommand)[0].args[0].input;
    expect(input).toMatchObject({
      Name: announcementScheduleName('lbl-nightshift', 'rel-night-drive'),
      ScheduleExpression: 'at(2027-02-26T09:01:00)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: { EventBridgeParameters: { DetailType: 'Announcement Due', Source: 'backline.scheduler' } },
    });
    expect(JSON.parse(input.Target!.Input!).data).toEqual({
      labelId: 'lbl-nightshift',
      releaseId: 'rel-night-drive',
      announceAt: '2027-02-26T10:00:30+01:00',
    });
    expect(announcementScheduleName('acme', 'rec-r3')).not.toBe(announcementScheduleName('acme-rec', 'r3'));
  });

  it('deletes the schedule, and a schedule already gone is fine', async () => {
    mock
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));

    await schedules.deleteAnnouncement('lbl-nightshift', 'rel-night-drive');

    expect(mock.commandCalls(DeleteScheduleCommand)[0].args[0].input.Name).toBe(
      announcementScheduleName('lbl-nightshift', 'rel-night-drive'),
    );
  });
});

describe('schedule names built from several ids (docs/design.md#unambiguous-keys)', () => {
  const pairs: [string, string][] = [
    ['acme', 'rec-r3'],
    ['acme-rec', 'r3'],
    ['acme', 'rec\nr3'],
    ['acme\nrec', 'r3'],
  ];

  it("never gives two labels' radio servicing the same name when their ids join to the same text", () => {
    const moment = { releaseDate: '2027-03-05', releaseTime: '09:00', timeZone: 'Europe/London' };

    const names = pairs.map(([labelId, releaseId]) => radioServicingScheduleName(labelId, releaseId, moment));

    expect(new Set(names).size).toBe(pairs.length);
  });

  it("never gives two labels' or tours' show steps the same name when their ids join to the same text", () => {
    const names = pairs.flatMap(([labelId, tourId]) => [
      showStepScheduleName({ labelId, tourId, showId: 'show-1', step: 'advance' }),
      showStepScheduleName({ labelId: 'lbl-1', tourId: labelId, showId: tourId, step: 'advance' }),
    ]);

    expect(new Set(names).size).toBe(names.length);
  });
});
