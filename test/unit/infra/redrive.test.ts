import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  ListRuleNamesByTargetCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  announcementScheduleName,
  radioServicingScheduleName,
  releaseDayScheduleName,
} from '#functions/releases/adapters.ts';
import { showStepScheduleName } from '#functions/tours/adapters.ts';
import { deployedScheduleName } from '#infra/app-function.ts';
import { redrive, scheduledEventOf } from '#infra/redrive.ts';
import { schedules } from '#infra/topology.ts';
import {
  AnnouncementDue,
  buildDetail,
  RadioServicingDue,
  ReconciliationDue,
  ReleaseDayReached,
  ShowStepDue,
} from '#shared/events/index.ts';

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const deps = () => ({
  lambda: lambda as unknown as LambdaClient,
  sqs: sqs as unknown as SQSClient,
  events: events as unknown as EventBridgeClient,
  // A real document client, whose `send` the mock stubs (mockClient stubs the class): lib-dynamodb's
  // paginator, which the outbox store reads its parked entries with, takes nothing else.
  dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
  log: () => {},
});
const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:Backline-prod-AnnouncerOnFailure1A2B3C';
const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/Backline-prod-AnnouncerOnFailure1A2B3C';
const record = (eventId: string) =>
  JSON.stringify({
    version: '1.0',
    timestamp: '2027-01-05T10:00:00.000Z',
    requestContext: {
      requestId: 'r',
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:backline-prod-announcer:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: { id: eventId, 'detail-type': 'Mailing Requested', detail: { data: {} } },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'boom' },
  });

beforeEach(() => {
  lambda.reset();
  sqs.reset();
  events.reset();
  dynamo.reset();
  // Stage `prod` is deployed: each function of the topology is there.
  lambda.on(GetFunctionConfigurationCommand).callsFake(({ FunctionName }: { FunctionName: string }) => {
    if (!FunctionName.startsWith('backline-prod-'))
      throw new ResourceNotFoundException({ message: 'not deployed', $metadata: {} });
    return { FunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${FunctionName}` };
  });
  events.on(ListRuleNamesByTargetCommand).resolves({ RuleNames: [] });
  lambda
    .on(GetFunctionEventInvokeConfigCommand)
    .rejects(new ResourceNotFoundException({ message: 'no config', $metadata: {} }));
  lambda
    .on(GetFunctionEventInvokeConfigCommand, { FunctionName: 'backline-prod-announcer' })
    .resolves({ DestinationConfig: { OnFailure: { Destination: queueArn } } });
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: queueUrl });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
  lambda.on(InvokeCommand, { FunctionName: 'backline-prod-publisher' }).resolves(sweepAnswer(0));
});

// The SDK types a payload as its blob adapter; the code under test only decodes the bytes.
const payload = (text: string) => new TextEncoder().encode(text) as InvokeCommandOutput['Payload'];
const sweepAnswer = (republished: number) => ({
  StatusCode: 200,
  Payload: payload(JSON.stringify({ republished, stillUnpublished: 0 })),
});
const asyncInvokes = () =>
  lambda
    .commandCalls(InvokeCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.InvocationType === 'Event');

describe('redrive on AWS', () => {
  it("re-invokes a function asynchronously with each dead letter's original event and deletes the ones Lambda accepted", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm1', ReceiptHandle: 'h1', Body: record('evt-1') },
          { MessageId: 'm2', ReceiptHandle: 'h2', Body: record('evt-2') },
        ],
      })
      .resolves({ Messages: [] });
    lambda
      .on(InvokeCommand, { FunctionName: 'backline-prod-announcer' })
      .resolvesOnce({ StatusCode: 202 })
      .rejects(new Error('TooManyRequestsException'));

    const results = await redrive({ stage: 'prod' }, deps());

    expect(results.find((r) => r.function === 'announcer')).toMatchObject({
      found: 2,
      redriven: 1,
      failed: 1,
    });
    const invokes = asyncInvokes();
    expect(invokes.map((input) => input.FunctionName)).toEqual([
      'backline-prod-announcer',
      'backline-prod-announcer',
    ]);
    expect(JSON.parse(new TextDecoder().decode(invokes[0].Payload as Uint8Array))).toMatchObject({
      id: 'evt-1',
    });
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: queueUrl, ReceiptHandle: 'h1' },
    ]);
    expect(sqs.commandCalls(GetQueueUrlCommand)[0].args[0].input).toEqual({
      QueueName: 'Backline-prod-AnnouncerOnFailure1A2B3C',
      QueueOwnerAWSAccountId: '123456789012',
    });
  });

  it('keeps a message that is not a destination record, and stops when the queue gives back only messages it has seen', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolves({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'h1', Body: 'not json' }] });
    // The announcer consumes a schedule's firing too (the outbox sweep's): its dead letters, none here.
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'backline-prod-schedule-dead-letters' })
      .rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));

    const results = await redrive({ stage: 'prod', only: 'announcer' }, deps());

    expect(results).toEqual([
      { function: 'announcer', kind: 'on-failure', queue: queueUrl, found: 1, redriven: 0, failed: 1 },
      { function: 'scheduler', kind: 'schedule', found: 0, redriven: 0, failed: 0 },
    ]);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('only counts on a dry run, and skips functions without an on-failure queue', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '4' } });

    const results = await redrive({ stage: 'prod', dryRun: true }, deps());

    expect(results.find((r) => r.function === 'announcer')?.found).toBe(4);
    expect(results.find((r) => r.function === 'releases')).toEqual({
      function: 'releases',
      kind: 'on-failure',
      found: 0,
      redriven: 0,
      failed: 0,
    });
    expect(results.map((r) => r.function)).not.toContain('intake');
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('sends events EventBridge could not deliver to their target again: the function by an asynchronous invoke, a queue trigger by a message on its queue', async () => {
    const functionArn = 'arn:aws:lambda:eu-west-1:123456789012:function:backline-prod-announcer';
    const settlementArn = 'arn:aws:sqs:eu-west-1:123456789012:backline-prod-mail-settlement';
    const settlementUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/backline-prod-mail-settlement';
    const dlq = (name: string) => ({
      arn: `arn:aws:sqs:eu-west-1:123456789012:${name}`,
      url: `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`,
    });
    const announcerDlq = dlq('Backline-prod-AnnouncerDeliveryDlq9F');
    const settlementDlq = dlq('Backline-prod-MailSettlementQueueDeliveryDlq4C');
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: 'backline-prod-announcer' })
      .resolves({ FunctionArn: functionArn });
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'backline-prod-mail-settlement' })
      .resolves({ QueueUrl: settlementUrl });
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'Backline-prod-AnnouncerDeliveryDlq9F' })
      .resolves({ QueueUrl: announcerDlq.url });
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'Backline-prod-MailSettlementQueueDeliveryDlq4C' })
      .resolves({ QueueUrl: settlementDlq.url });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: settlementUrl })
      .resolves({ Attributes: { QueueArn: settlementArn } });
    events
      .on(ListRuleNamesByTargetCommand, { TargetArn: functionArn, EventBusName: 'backline-prod' })
      .resolves({ RuleNames: ['announcer-rule-1', 'announcer-rule-2'] });
    events
      .on(ListRuleNamesByTargetCommand, { TargetArn: settlementArn, EventBusName: 'default' })
      .resolves({ RuleNames: ['settlement-rule'] });
    events
      .on(ListTargetsByRuleCommand, { Rule: 'announcer-rule-1' })
      .resolves({ Targets: [{ Id: 't', Arn: functionArn, DeadLetterConfig: { Arn: announcerDlq.arn } }] });
    events
      .on(ListTargetsByRuleCommand, { Rule: 'announcer-rule-2' })
      .resolves({ Targets: [{ Id: 't', Arn: functionArn, DeadLetterConfig: { Arn: announcerDlq.arn } }] });
    events
      .on(ListTargetsByRuleCommand, { Rule: 'settlement-rule' })
      .resolves({ Targets: [{ Id: 't', Arn: settlementArn, DeadLetterConfig: { Arn: settlementDlq.arn } }] });
    const mailing = JSON.stringify({ id: 'evt-9', 'detail-type': 'Mailing Requested', detail: { data: {} } });
    const emailSent = JSON.stringify({
      id: 'evt-10',
      source: 'aws.ses',
      'detail-type': 'Email Sent',
      detail: {},
    });
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: announcerDlq.url })
      .resolvesOnce({ Messages: [{ MessageId: 'd1', ReceiptHandle: 'hd1', Body: mailing }] })
      .resolves({ Messages: [] });
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: settlementDlq.url })
      .resolvesOnce({ Messages: [{ MessageId: 'd2', ReceiptHandle: 'hd2', Body: emailSent }] })
      .resolves({ Messages: [] });
    lambda.on(InvokeCommand, { FunctionName: 'backline-prod-announcer' }).resolves({ StatusCode: 202 });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'sent' });

    const results = [
      ...(await redrive({ stage: 'prod', only: 'announcer' }, deps())),
      ...(await redrive({ stage: 'prod', only: 'settlement' }, deps())),
    ];

    expect(results.filter((r) => r.kind === 'delivery')).toEqual([
      { function: 'announcer', kind: 'delivery', queue: announcerDlq.url, found: 1, redriven: 1, failed: 0 },
      {
        function: 'settlement',
        kind: 'delivery',
        queue: settlementDlq.url,
        found: 1,
        redriven: 1,
        failed: 0,
      },
    ]);
    expect(
      asyncInvokes().map((input) => JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))),
    ).toEqual([JSON.parse(mailing)]);
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: settlementUrl, MessageBody: emailSent },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: announcerDlq.url, ReceiptHandle: 'hd1' },
      { QueueUrl: settlementDlq.url, ReceiptHandle: 'hd2' },
    ]);
  });

  it('then has the publisher sweep the outbox now, round after round, until a sweep republishes nothing', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    lambda
      .on(InvokeCommand, { FunctionName: 'backline-prod-publisher' })
      .resolvesOnce(sweepAnswer(500))
      .resolvesOnce(sweepAnswer(12))
      .resolves(sweepAnswer(0));
    const lines: string[] = [];

    await redrive({ stage: 'prod' }, { ...deps(), log: (line: string) => lines.push(line) });

    const sweeps = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    expect(sweeps).toHaveLength(3);
    expect(sweeps.every((input) => input.InvocationType === 'RequestResponse')).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(sweeps[0].Payload as Uint8Array))).toMatchObject({
      'detail-type': 'Outbox Sweep Due',
      source: 'backline.scheduler',
      detail: { data: {} },
    });
    expect(lines).toContain('backline-prod-publisher: 512 unpublished outbox entries republished');
  });

  it('fails when the sweep fails, so the operator sees the outbox was not emptied', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    lambda.on(InvokeCommand, { FunctionName: 'backline-prod-publisher' }).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload('{"errorMessage":"the bus refused 3 of 3"}'),
    });

    await expect(redrive({ stage: 'prod' }, deps())).rejects.toThrow(/outbox sweep failed/);
  });
  it("moves each queue trigger's dead letters back to its queue, so no dead-lettered settlement waits for the stale-claim sweep", async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const settlementDlq = 'arn:aws:sqs:eu-west-1:123456789012:Backline-prod-MailSettlementQueueDlq';
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: settlementDlq, maxReceiveCount: 5 }),
      },
    });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'h' });

    await redrive({ stage: 'prod' }, deps());
    await redrive({ stage: 'prod', dryRun: true }, deps());

    expect(sqs.commandCalls(GetQueueUrlCommand).map((call) => call.args[0].input.QueueName)).toContain(
      'backline-prod-mail-settlement',
    );
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      { SourceArn: settlementDlq },
    ]);
  });

  it('says that a stage with nothing deployed does not exist, and fails, rather than that each function has no on-failure queue', async () => {
    // What AWS answers for a stage that was never deployed (here `prd` for `prod`): no such function, no such queue.
    const notFound = new ResourceNotFoundException({ message: 'Function not found', $metadata: {} });
    lambda.on(GetFunctionConfigurationCommand).rejects(notFound);
    lambda.on(GetFunctionEventInvokeConfigCommand).rejects(notFound);
    lambda.on(InvokeCommand).rejects(notFound);
    sqs
      .on(GetQueueUrlCommand)
      .rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
    const lines: string[] = [];

    const run = redrive({ stage: 'prd' }, { ...deps(), log: (line: string) => lines.push(line) });

    await expect(run).rejects.toThrow(/stage "prd" has nothing deployed/);
    expect(lines.filter((line) => line.includes('no on-failure queue'))).toEqual([]);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it('puts the outbox entries the bus refused for good (parked) back on the unpublished index before it sweeps, and says how many', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const order: string[] = [];
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'backline-prod-publisher' }).resolves({
      FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:backline-prod-publisher',
      Environment: { Variables: { TABLE_NAME: 'Backline-prod-Table1A2B' } },
    });
    events.on(ListRuleNamesByTargetCommand).resolves({ RuleNames: [] });
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          { pk: 'OUTBOX#evt-1', sk: 'OUTBOX', entity: 'outbox', eventId: 'evt-1', status: 'parked' },
          { pk: 'WEBHOOK#lbl#wh-1', sk: 'WEBHOOK', entity: 'webhook', eventId: 'evt-2', status: 'parked' },
        ],
      })
      .resolves({ Items: [] });
    dynamo.on(UpdateCommand).callsFake(async () => {
      order.push('requeue');
      return {};
    });
    lambda.on(InvokeCommand, { FunctionName: 'backline-prod-publisher' }).callsFake(() => {
      order.push('sweep');
      return sweepAnswer(0);
    });
    const lines: string[] = [];

    await redrive(
      { stage: 'prod', only: 'publisher' },
      { ...deps(), log: (line: string) => lines.push(line) },
    );

    const updates = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates.map((input) => [input.TableName, input.Key, input.ConditionExpression])).toEqual([
      ['Backline-prod-Table1A2B', { pk: 'OUTBOX#evt-1', sk: 'OUTBOX' }, '#status = :parked'],
      ['Backline-prod-Table1A2B', { pk: 'WEBHOOK#lbl#wh-1', sk: 'WEBHOOK' }, '#status = :parked'],
    ]);
    expect(updates[0].ExpressionAttributeValues?.[':pk']).toMatch(/^OUTBOX#UNPUBLISHED#[0-3]$/);
    expect(dynamo.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({
      TableName: 'Backline-prod-Table1A2B',
      IndexName: 'gsi2',
      ExpressionAttributeValues: { ':parked': 'OUTBOX#PARKED' },
    });
    expect(order).toEqual(['requeue', 'requeue', 'sweep']);
    expect(lines).toContain('backline-prod-publisher: 2 parked outbox entries put back for publishing');
  });

  it('only counts parked outbox entries on a dry run', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'backline-prod-publisher' }).resolves({
      FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:backline-prod-publisher',
      Environment: { Variables: { TABLE_NAME: 'Backline-prod-Table1A2B' } },
    });
    dynamo.on(QueryCommand).resolves({
      Items: [
        {
          pk: 'OUTBOX#evt-1',
          sk: 'OUTBOX',
          entity: 'outbox',
          eventId: 'evt-1',
          status: 'parked',
          parkedAt: '2027-01-05T10:00:00.000Z',
          parkedCode: 'NotAuthorizedForSourceException',
        },
      ],
    });
    const lines: string[] = [];

    await redrive(
      { stage: 'prod', only: 'publisher', dryRun: true },
      { ...deps(), log: (line: string) => lines.push(line) },
    );

    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(lines).toContain(
      'backline-prod-publisher: 1 parked outbox entries (oldest 2027-01-05T10:00:00.000Z: NotAuthorizedForSourceException)',
    );
  });

  describe("the publisher's stream on-failure queue (positions only, no events)", () => {
    const streamQueueArn = 'arn:aws:sqs:eu-west-1:123456789012:Backline-prod-PublisherStreamOnFailure9C';
    const streamQueueUrl =
      'https://sqs.eu-west-1.amazonaws.com/123456789012/Backline-prod-PublisherStreamOnFailure9C';
    const position = (id: string) => ({
      MessageId: id,
      ReceiptHandle: `handle-${id}`,
      Body: JSON.stringify({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
        DDBStreamBatchInfo: { shardId: 'shard-1', startSequenceNumber: '100', batchSize: 1 },
      }),
    });
    /** Sweep answers, and a position that arrives while the sweep runs (a failure the sweep did not cover). */
    function publisherWith(sweep: () => object) {
      let swept = false;
      let beforeTheSweep = [position('p1'), position('p2')];
      lambda.on(ListEventSourceMappingsCommand, { FunctionName: 'backline-prod-publisher' }).resolves({
        EventSourceMappings: [
          {
            EventSourceArn:
              'arn:aws:dynamodb:eu-west-1:123456789012:table/Backline-prod-Table/stream/2027-01-01T00:00:00.000',
            DestinationConfig: { OnFailure: { Destination: streamQueueArn } },
          },
        ],
      });
      sqs.on(GetQueueUrlCommand, { QueueName: 'Backline-prod-PublisherStreamOnFailure9C' }).resolves({
        QueueUrl: streamQueueUrl,
      });
      sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
      sqs.on(ReceiveMessageCommand, { QueueUrl: streamQueueUrl }).callsFake(() => {
        if (swept) return { Messages: [position('p3')] };
        const messages = beforeTheSweep;
        beforeTheSweep = [];
        return { Messages: messages };
      });
      lambda.on(InvokeCommand, { FunctionName: 'backline-prod-publisher' }).callsFake(() => {
        swept = true;
        return sweep();
      });
      sqs.on(DeleteMessageCommand).resolves({});
    }
    const deleted = () =>
      sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle);

    it('deletes, after a sweep that emptied the outbox, the positions it read before the sweep, and says how many', async () => {
      publisherWith(() => sweepAnswer(0));
      const lines: string[] = [];

      const results = await redrive(
        { stage: 'prod', only: 'publisher' },
        { ...deps(), log: (line: string) => lines.push(line) },
      );

      expect(deleted()).toEqual(['handle-p1', 'handle-p2']);
      expect(results).toContainEqual({
        function: 'publisher',
        kind: 'stream',
        queue: streamQueueUrl,
        found: 2,
        redriven: 2,
        failed: 0,
      });
      expect(lines).toContain(
        'backline-prod-publisher (stream positions): 2 made moot by the outbox sweep and deleted',
      );
    });

    it('keeps them when the sweep fails', async () => {
      publisherWith(() => ({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: payload('{"errorMessage":"the bus refused 3 of 3"}'),
      }));

      await expect(redrive({ stage: 'prod', only: 'publisher' }, deps())).rejects.toThrow(
        /outbox sweep failed/,
      );
      expect(deleted()).toEqual([]);
    });

    it('only counts them on a dry run', async () => {
      publisherWith(() => sweepAnswer(0));
      sqs
        .on(GetQueueAttributesCommand, { QueueUrl: streamQueueUrl })
        .resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });

      const results = await redrive({ stage: 'prod', only: 'publisher', dryRun: true }, deps());

      expect(results).toContainEqual(expect.objectContaining({ kind: 'stream', found: 2, redriven: 0 }));
      expect(deleted()).toEqual([]);
      expect(sqs.commandCalls(ReceiveMessageCommand, { QueueUrl: streamQueueUrl })).toHaveLength(0);
    });
  });

  describe("the schedules' dead letters", () => {
    const scheduleDlqUrl =
      'https://sqs.eu-west-1.amazonaws.com/123456789012/backline-prod-schedule-dead-letters';
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
        EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: 'MaximumRetryAttempts' },
        RETRY_ATTEMPTS: { DataType: 'String', StringValue: '185' },
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
    const releaseDaySchedule = scheduleArn(
      'backline-prod-release-days',
      releaseDayScheduleName('lbl-1', 'rel-1'),
    );
    const queueHolds = (...messages: ReturnType<typeof deadLetter>[]) => {
      sqs
        .on(GetQueueUrlCommand, { QueueName: 'backline-prod-schedule-dead-letters' })
        .resolves({ QueueUrl: scheduleDlqUrl });
      sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
      sqs
        .on(ReceiveMessageCommand, { QueueUrl: scheduleDlqUrl })
        .resolvesOnce({ Messages: messages })
        .resolves({ Messages: [] });
    };
    const deletedHere = () =>
      sqs
        .commandCalls(DeleteMessageCommand, { QueueUrl: scheduleDlqUrl })
        .map((call) => call.args[0].input.ReceiptHandle);

    it('puts each firing back on the bus its schedule named, as the schedule would have sent it, and deletes it once the bus took it', async () => {
      queueHolds(
        deadLetter('m1', releaseDaySchedule, releaseDay),
        deadLetter('m2', scheduleArn('default', 'backline-prod-daily-reconciliation'), reconciliation),
      );
      events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });

      const results = await redrive({ stage: 'prod' }, deps());

      expect(events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries)).toEqual([
        [
          {
            EventBusName: bus,
            Source: 'backline.scheduler',
            DetailType: 'Release Day Reached',
            Detail: releaseDay,
          },
        ],
        [
          {
            EventBusName: bus,
            Source: 'backline.scheduler',
            DetailType: 'Reconciliation Due',
            Detail: reconciliation,
          },
        ],
      ]);
      expect(deletedHere()).toEqual(['rh-m1', 'rh-m2']);
      expect(results).toContainEqual({
        function: 'scheduler',
        kind: 'schedule',
        queue: scheduleDlqUrl,
        found: 2,
        redriven: 2,
        failed: 0,
      });
      // Scheduler's dead letter names its schedule in an attribute: the receive asks for them.
      expect(
        sqs.commandCalls(ReceiveMessageCommand, { QueueUrl: scheduleDlqUrl })[0].args[0].input
          .MessageAttributeNames,
      ).toEqual(['All']);
    });

    it("leaves in the queue, saying why, a dead letter it cannot put back as its schedule's event", async () => {
      queueHolds(
        deadLetter('unknown', scheduleArn('default', 'someone-elses-schedule'), releaseDay),
        deadLetter('not-its-detail', releaseDaySchedule, reconciliation),
        deadLetter('not-json', releaseDaySchedule, 'Release day'),
        deadLetter('refused', releaseDaySchedule, releaseDay),
      );
      events
        .on(PutEventsCommand)
        .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
      const lines: string[] = [];

      const results = await redrive(
        { stage: 'prod' },
        { ...deps(), log: (line: string) => lines.push(line) },
      );

      expect(deletedHere()).toEqual([]);
      expect(results).toContainEqual(
        expect.objectContaining({ kind: 'schedule', found: 4, redriven: 0, failed: 4 }),
      );
      const why = (id: string) => lines.find((line) => line.includes(`message ${id} left in the queue`));
      expect(why('unknown')).toContain('schedule "someone-elses-schedule" puts no event of the topology');
      expect(why('not-its-detail')).toContain('its body is not the Release Day Reached detail');
      expect(why('not-json')).toContain('its body is not the Release Day Reached detail (not JSON)');
      expect(why('refused')).toContain('the bus refused it: InternalFailure');
      expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
    });

    /** What a `--function` run puts back of the 07:00 reconciliation's and a release day's dead letters. */
    const takenWith = async (only: 'budgets' | 'releases') => {
      queueHolds(
        deadLetter(
          'reconciliation',
          scheduleArn('default', 'backline-prod-daily-reconciliation'),
          reconciliation,
        ),
        deadLetter('release-day', releaseDaySchedule, releaseDay),
      );
      events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
      await redrive({ stage: 'prod', only }, deps());
      return {
        put: events
          .commandCalls(PutEventsCommand)
          .flatMap((call) => call.args[0].input.Entries?.map((entry) => entry.DetailType)),
        deleted: deletedHere(),
        visibleAgain: sqs
          .commandCalls(ChangeMessageVisibilityCommand, { QueueUrl: scheduleDlqUrl, VisibilityTimeout: 0 })
          .map((call) => call.args[0].input.ReceiptHandle),
      };
    };

    it("with --function budgets, puts back the daily reconciliation (the budgets function's) and leaves the release day visible in the queue", async () => {
      expect(await takenWith('budgets')).toEqual({
        put: ['Reconciliation Due'],
        deleted: ['rh-reconciliation'],
        visibleAgain: ['rh-release-day'],
      });
    });

    it("with --function releases, puts back the release day (the releases function's) and leaves the reconciliation visible in the queue", async () => {
      expect(await takenWith('releases')).toEqual({
        put: ['Release Day Reached'],
        deleted: ['rh-release-day'],
        visibleAgain: ['rh-reconciliation'],
      });
    });

    it('only counts them in a dry run', async () => {
      queueHolds(deadLetter('m1', releaseDaySchedule, releaseDay));
      sqs
        .on(GetQueueAttributesCommand, { QueueUrl: scheduleDlqUrl })
        .resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });

      const results = await redrive({ stage: 'prod', dryRun: true }, deps());

      expect(results).toContainEqual(expect.objectContaining({ kind: 'schedule', found: 3, redriven: 0 }));
      expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
      expect(deletedHere()).toEqual([]);
    });

    it('knows which event each schedule puts by its name, as the functions and the stack name them', () => {
      const moment = { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/London' };
      expect(scheduledEventOf('prod', releaseDayScheduleName('lbl-1', 'rel-1'))).toBe(ReleaseDayReached);
      expect(scheduledEventOf('prod', releaseDayScheduleName('lbl-1', 'rel-1', moment))).toBe(
        ReleaseDayReached,
      );
      expect(
        scheduledEventOf('prod', announcementScheduleName('lbl-1', 'rel-1', '2027-03-01T09:00:00Z')),
      ).toBe(AnnouncementDue);
      expect(scheduledEventOf('prod', radioServicingScheduleName('lbl-1', 'rel-1', moment))).toBe(
        RadioServicingDue,
      );
      expect(
        scheduledEventOf(
          'prod',
          showStepScheduleName({ labelId: 'l', tourId: 't', showId: 's', step: 'advance' }),
        ),
      ).toBe(ShowStepDue);
      for (const schedule of schedules)
        expect(scheduledEventOf('prod', deployedScheduleName('prod', schedule.name))).toBe(schedule.event);
      expect(scheduledEventOf('prod', 'backline-staging-daily-reconciliation')).toBeUndefined();
      expect(scheduledEventOf('prod', 'release-day-')).toBeUndefined();
    });
  });
});
