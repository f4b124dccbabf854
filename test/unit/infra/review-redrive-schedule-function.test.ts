import {
  EventBridgeClient,
  ListRuleNamesByTargetCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { releaseDayScheduleName } from '#functions/releases/adapters.ts';
import { redrive } from '#infra/redrive.ts';
import { buildDetail, ReconciliationDue, ReleaseDayReached } from '#shared/events/index.ts';

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const deps = () => ({
  lambda: lambda as unknown as LambdaClient,
  sqs: sqs as unknown as SQSClient,
  events: events as unknown as EventBridgeClient,
  dynamo: dynamo as unknown as DynamoDBDocumentClient,
  log: () => {},
});

const scheduleDlqUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/backline-prod-schedule-dead-letters';
const otherQueueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/backline-prod-some-queue';
const bus = 'arn:aws:events:eu-west-1:123456789012:event-bus/backline-prod';
const scheduleArn = (group: string, name: string) =>
  `arn:aws:scheduler:eu-west-1:123456789012:schedule/${group}/${name}`;
/** Scheduler's dead-letter event: the target's input as its body, the schedule and target as attributes. */
const deadLetter = (id: string, schedule: string, body: string) => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: body,
  MessageAttributes: {
    ERROR_CODE: { DataType: 'String', StringValue: 'AWS.Scheduler.InternalServerError' },
    SCHEDULE_ARN: { DataType: 'String', StringValue: schedule },
    TARGET_ARN: { DataType: 'String', StringValue: bus },
  },
});
const releaseDay = JSON.stringify(
  buildDetail(ReleaseDayReached, ReleaseDayReached.sample, { correlationId: 'corr-1', labelId: 'lbl-1' }),
);
const reconciliation = JSON.stringify(
  buildDetail(ReconciliationDue, ReconciliationDue.sample, { correlationId: 'exec-1' }),
);

beforeEach(() => {
  lambda.reset();
  sqs.reset();
  events.reset();
  dynamo.reset();
  // Stage `prod` is deployed: each function of the topology is there, none with an on-failure queue
  // holding anything, no rule target with a delivery dead-letter queue.
  lambda.on(GetFunctionConfigurationCommand).callsFake(({ FunctionName }: { FunctionName: string }) => ({
    FunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${FunctionName}`,
  }));
  lambda
    .on(GetFunctionEventInvokeConfigCommand)
    .rejects(new ResourceNotFoundException({ message: 'no config', $metadata: {} }));
  events.on(ListRuleNamesByTargetCommand).resolves({ RuleNames: [] });
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: otherQueueUrl });
  sqs
    .on(GetQueueUrlCommand, { QueueName: 'backline-prod-schedule-dead-letters' })
    .resolves({ QueueUrl: scheduleDlqUrl });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
  sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
  // The daily reconciliation's firing at 07:00 and a release day, both lost to a day of bus failures.
  sqs
    .on(ReceiveMessageCommand, { QueueUrl: scheduleDlqUrl })
    .resolvesOnce({
      Messages: [
        deadLetter(
          'reconciliation',
          scheduleArn('default', 'backline-prod-daily-reconciliation'),
          reconciliation,
        ),
        deadLetter(
          'release-day',
          scheduleArn('backline-prod-release-days', releaseDayScheduleName('lbl-1', 'rel-1')),
          releaseDay,
        ),
      ],
    })
    .resolves({ Messages: [] });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
});

/**
 * README (`npm run redrive`): `--function <name>` takes one function. Since 3f3c4a4 the redrive puts the
 * schedules' dead letters back on the bus, and each is one function's event (the daily reconciliation
 * the budgets function's, a release day the releases function's), but which of them a `--function` run
 * takes is still the rule of when they were only counted: all of them for releases or tours, none for
 * any other function.
 */
describe("the schedules' dead letters redriven for one function", () => {
  it('puts back the daily reconciliation for --function budgets, and only what budgets consumes', async () => {
    await redrive({ stage: 'prod', only: 'budgets' }, deps());

    expect(
      events
        .commandCalls(PutEventsCommand)
        .flatMap((call) => call.args[0].input.Entries?.map((e) => e.DetailType)),
    ).toEqual(['Reconciliation Due']);
    expect(
      sqs
        .commandCalls(DeleteMessageCommand, { QueueUrl: scheduleDlqUrl })
        .map((call) => call.args[0].input.ReceiptHandle),
    ).toEqual(['rh-reconciliation']);
  });
});
