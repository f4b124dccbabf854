import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { schedules as recurringSchedules } from '#infra/topology.ts';
import { buildDetail, TourBooked } from '#shared/events/index.ts';
import {
  advanceClock,
  busEvents,
  clockNow,
  cloud,
  deadLetters,
  sdkConfig,
  uniqueId,
  waitFor,
} from '#test/support/cloud.ts';

/** A Tour Booked detail; without a label the tours function cannot file it and fails. */
const tourDetail = (tourId: string, labelId?: string) =>
  JSON.stringify(buildDetail(TourBooked, { ...TourBooked.sample, tourId }, labelId ? { labelId } : {}));

describe('delivery of bus events to functions', () => {
  it('retries a handler that keeps failing, then dead-letters the event with the error', async () => {
    const events = new EventBridgeClient(sdkConfig('events'));
    const tourId = uniqueId('tour');

    // A Tour Booked without a label cannot be filed: the tours handler throws every time.
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'backline',
            Source: 'backline.intake',
            DetailType: 'Tour Booked',
            Detail: tourDetail(tourId),
          },
        ],
      }),
    );

    const letter = await waitFor(
      async () => (await deadLetters()).find((d) => d.event.id === result.Entries?.[0].EventId),
      { what: 'the dead letter' },
    );
    expect(letter.function).toBe('tours');
    expect(letter.attempts).toBe(3);
    expect(letter.error).toMatch(/has no labelId/);
  });

  it('answers a bad PutEvents entry with its own error code and routes the good one', async () => {
    const events = new EventBridgeClient(sdkConfig('events'));

    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'backline',
            Source: 'backline.intake',
            DetailType: 'Tour Booked',
            Detail: 'not json',
          },
          { EventBusName: 'backline', Source: 'test.local', DetailType: 'Nothing Listens', Detail: '{}' },
          {
            EventBusName: 'backline',
            Source: 'test.local',
            DetailType: 'Too Big',
            Detail: JSON.stringify({ x: 'x'.repeat(1024 * 1024) }),
          },
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.[0].ErrorCode).toBe('MalformedDetail');
    expect(result.Entries?.[1].EventId).toBeDefined();
    expect(result.Entries?.[2].ErrorCode).toBe('InvalidArgument');
  });

  it('rejects more than 10 entries in one PutEvents call', async () => {
    const events = new EventBridgeClient(sdkConfig('events'));
    const entries = Array.from({ length: 11 }, () => ({
      EventBusName: 'backline',
      Source: 'test.local',
      DetailType: 'X',
      Detail: '{}',
    }));

    await expect(events.send(new PutEventsCommand({ Entries: entries }))).rejects.toThrow(
      /less than or equal to 10/,
    );
  });

  it('fires a one-time schedule onto the bus when the clock passes it, then deletes it', async () => {
    const scheduler = new SchedulerClient(sdkConfig('scheduler'));
    const tourId = uniqueId('tour');
    const name = uniqueId('once');
    const due = new Date((await clockNow()).getTime() + 3 * 60 * 60 * 1000);
    const at = due.toISOString().slice(0, 19);
    await scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        ScheduleExpression: `at(${at})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: cloud().env.EVENT_BUS_ARN,
          RoleArn: cloud().env.SCHEDULER_ROLE_ARN,
          EventBridgeParameters: { Source: 'backline.intake', DetailType: 'Tour Booked' },
          Input: tourDetail(tourId, 'lbl-schedules'),
        },
      }),
    );

    const early = await advanceClock(new Date(due.getTime() - 60_000).toISOString());
    const onTime = await advanceClock(new Date(due.getTime() + 60_000).toISOString());

    expect(early.fired.map((f) => f.name)).not.toContain(name);
    expect(onTime.fired.map((f) => f.name)).toContain(name);
    const delivered = (await busEvents({ detailType: 'Tour Booked' })).find(
      (e) => e.detail.data?.tourId === tourId,
    );
    expect(delivered?.invocations).toEqual([
      expect.objectContaining({ function: 'tours', status: 'succeeded' }),
    ]);
    await expect(scheduler.send(new GetScheduleCommand({ Name: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("gives every recurring schedule Scheduler's retry policy and the schedules' dead-letter queue, as the stack does", async () => {
    const scheduler = new SchedulerClient(sdkConfig('scheduler'));

    const targets = await Promise.all(
      recurringSchedules.map(
        async ({ name }) => (await scheduler.send(new GetScheduleCommand({ Name: name }))).Target,
      ),
    );

    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets)
      expect(target).toMatchObject({
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: cloud().env.SCHEDULE_DEAD_LETTER_ARN },
      });
  });
});
