import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { buildDetail, TourBooked } from '#shared/events/index.ts';
import {
  advanceClock,
  armFault,
  clearFaults,
  clockNow,
  cloud,
  deadLetters,
  expiredDeadLetters,
  scheduleDeadLetters,
  sdkConfig,
  uniqueId,
  waitFor,
} from '#test/support/cloud.ts';

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60_000;

describe('dead-letter queues keep a message for their retention period, as SQS does', () => {
  it("drops a function's dead letter and a schedule's 14 days after they were dead-lettered, the retention the stack gives every dead-letter queue", async () => {
    // A Tour Booked without a label cannot be filed: the tours handler throws on every attempt.
    const put = await new EventBridgeClient(sdkConfig('events')).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'backline',
            Source: 'backline.intake',
            DetailType: 'Tour Booked',
            Detail: JSON.stringify(
              buildDetail(TourBooked, { ...TourBooked.sample, tourId: uniqueId('tour') }, {}),
            ),
          },
        ],
      }),
    );
    const eventId = put.Entries?.[0].EventId;
    await waitFor(async () => (await deadLetters()).find((d) => d.event.id === eventId), {
      what: 'the dead letter',
    });
    // Named as the run's final check expects the schedule dead letter this test leaves (global-setup.ts).
    const name = uniqueId('retention');
    await armFault(`scheduler.put-fail:${name}`, 'inf');
    const due = Math.ceil(((await clockNow()).getTime() + MINUTE) / MINUTE) * MINUTE;
    await new SchedulerClient(sdkConfig('scheduler')).send(
      new CreateScheduleCommand({
        Name: name,
        ScheduleExpression: `at(${new Date(due).toISOString().slice(0, 19)})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: cloud().env.EVENT_BUS_ARN,
          RoleArn: cloud().env.SCHEDULER_ROLE_ARN,
          EventBridgeParameters: { Source: 'backline.scheduler', DetailType: 'Outbox Sweep Due' },
          Input: '{}',
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: cloud().env.SCHEDULE_DEAD_LETTER_ARN },
        },
      }),
    );
    await advanceClock(new Date(due).toISOString());
    await clearFaults();

    await advanceClock(new Date(due + 14 * DAY - 2 * MINUTE).toISOString());
    const withinRetention = {
      function: (await deadLetters()).some((d) => d.event.id === eventId),
      schedule: (await scheduleDeadLetters()).some((d) => d.name === name),
    };
    await advanceClock(new Date(due + 14 * DAY + MINUTE).toISOString());
    const afterRetention = {
      function: (await deadLetters()).some((d) => d.event.id === eventId),
      schedule: (await scheduleDeadLetters()).some((d) => d.name === name),
    };
    const expired = await expiredDeadLetters();

    expect(withinRetention).toEqual({ function: true, schedule: true });
    expect(afterRetention).toEqual({ function: false, schedule: false });
    // Still named, as their queue's alarm would have named them on AWS while they waited.
    expect(expired.deadLetters.map((d) => d.event.id)).toContain(eventId);
    expect(expired.scheduleDeadLetters.map((d) => d.name)).toContain(name);
  });
});
