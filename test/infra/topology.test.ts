import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/bundles.ts';
import {
  asyncEventMaxAgeSeconds,
  functionEntries,
  gatewayRoutesOf,
  httpIntegrationTimeoutSeconds,
  routeKeyOf,
  schedules,
} from '#infra/topology.ts';
import { configKeys } from '#shared/config.ts';
import { overdueMetric, parkedMetric, unpublishableMetric } from '#shared/db/outbox-publishing.ts';
import { tableDefinition } from '#shared/db/table.ts';
import { recurringScheduleDetail } from '#shared/events/scheduled.ts';
import { mailTemplates } from '#shared/mail/templates.ts';
import { asArray, backline, flat, logicalIdOf, resourcesOf } from '#test/support/infra.ts';

/** Canonical JSON (sorted keys), so that two equal patterns compare equal whatever their key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );

const lambdaIdByName = (template: ReturnType<typeof backline>['template']): Record<string, string> =>
  Object.fromEntries(
    Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).map(([id, resource]) => [
      String(resource.Properties.FunctionName).replace(/^backline-dev-/, ''),
      id,
    ]),
  );

const onlyId = (template: ReturnType<typeof backline>['template'], type: string): string => {
  const ids = Object.keys(resourcesOf(template, type));
  expect(ids, type).toHaveLength(1);
  return ids[0];
};

describe('the synthesized stack holds the topology, and nothing else', () => {
  const { template } = backline();
  const lambdas = lambdaIdByName(template);
  const busId = onlyId(template, 'AWS::Events::EventBus');

  it('has one function per topology entry, each on nodejs24.x and arm64 with every configuration key', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');

    const names = Object.keys(lambdas).sort();

    expect(names).toEqual(
      functionEntries()
        .map(([name]) => name)
        .sort(),
    );
    for (const resource of Object.values(functions)) {
      expect(resource.Properties.Runtime).toBe('nodejs24.x');
      expect(resource.Properties.Architectures).toEqual(['arm64']);
      const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables)).toEqual(expect.arrayContaining([...configKeys()]));
      expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('runs the functions locally, and the tests, on the Node major their Lambda runtime is (the node devDependency)', () => {
    const runtimes = new Set(
      Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((resource) =>
        String(resource.Properties.Runtime),
      ),
    );
    const { devDependencies } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };

    const [runtime] = runtimes;
    const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
    expect(runtimes.size).toBe(1);
    expect(process.versions.node.split('.')[0]).toBe(major);
    expect(/^\^?(\d+)\./.exec(devDependencies.node)?.[1]).toBe(major);
  });

  it("gives every function the stack's one Powertools layer, built for its runtime and architecture", () => {
    const layerId = onlyId(template, 'AWS::Lambda::LayerVersion');
    const layer = resourcesOf(template, 'AWS::Lambda::LayerVersion')[layerId];
    expect(layer.Properties.CompatibleRuntimes).toEqual(['nodejs24.x']);
    expect(layer.Properties.CompatibleArchitectures).toEqual(['arm64']);
    for (const resource of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
      expect(resource.Properties.Layers).toEqual([{ Ref: layerId }]);
    }
  });

  it('has exactly one rule per event trigger, on the bus it names, with its pattern and its function as the only target', () => {
    const expected = functionEntries().flatMap(([name, spec]) =>
      spec.on.flatMap((trigger) => {
        if (trigger.kind === 'event') return [`${name} | ${trigger.bus} | ${canonical(trigger.pattern)}`];
        // A queue trigger's rule targets its queue (docs/design.md#queues).
        if (trigger.kind === 'queue')
          return [`queue ${trigger.queue} | ${trigger.bus} | ${canonical(trigger.pattern)}`];
        return [];
      }),
    );
    const queues = resourcesOf(template, 'AWS::SQS::Queue');

    const actual = Object.values(resourcesOf(template, 'AWS::Events::Rule')).map((rule) => {
      const props = rule.Properties;
      const targets = props.Targets as { Arn: unknown }[];
      expect(targets).toHaveLength(1);
      const functionName = Object.entries(lambdas).find(([, id]) => id === logicalIdOf(targets[0].Arn))?.[0];
      const queueName = String(queues[logicalIdOf(targets[0].Arn)]?.Properties.QueueName ?? '');
      const target = functionName ?? `queue ${queueName.replace(/^backline-dev-/, '')}`;
      const bus =
        canonical(props.EventBusName) === canonical({ Ref: busId }) ? 'backline' : props.EventBusName;
      // On the default bus, the stage's own configuration sets narrow the pattern (the next test).
      const { resources: _own, ...pattern } = props.EventPattern as Record<string, unknown>;
      return `${target} | ${bus} | ${canonical(bus === 'default' ? pattern : props.EventPattern)}`;
    });

    expect(actual.sort()).toEqual(expected.sort());
  });

  it("takes on the default bus, which every stage of the account shares, only the SES events of the stage's own configuration sets", () => {
    const configurationSets = resourcesOf(template, 'AWS::SES::ConfigurationSet');
    const onDefault = Object.values(resourcesOf(template, 'AWS::Events::Rule')).filter(
      (rule) => rule.Properties.EventBusName === 'default',
    );
    // Each ARN ends `configuration-set/` + a Ref to one of the stack's configuration sets.
    const setNamed = (arn: unknown) => {
      const parts = (arn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const ref = (parts.at(-1) as { Ref: string }).Ref;
      return `${parts.at(-2)}${configurationSets[ref]?.Properties.Name}`;
    };

    expect(onDefault.length).toBeGreaterThan(0);
    for (const rule of onDefault) {
      const resources = (rule.Properties.EventPattern as { resources?: unknown[] }).resources ?? [];
      expect(resources.map(setNamed)).toEqual([
        ':configuration-set/backline-dev',
        ':configuration-set/backline-dev-operational',
      ]);
    }
  });

  it('gives every rule target a retry policy and an SQS dead-letter queue that the rule may write to', () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule');
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const queuePolicies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'));

    for (const [ruleId, rule] of Object.entries(rules)) {
      const [target] = rule.Properties.Targets as {
        DeadLetterConfig?: { Arn: unknown };
        RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
      }[];
      const dlqId = logicalIdOf(target.DeadLetterConfig?.Arn);
      expect(queues[dlqId], `${ruleId} dead-letter queue`).toBeDefined();
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
      const allowsRule = queuePolicies.some((policy) => {
        const document = policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
        return (
          asArray(policy.Properties.Queues as unknown[]).some((queue) => logicalIdOf(queue) === dlqId) &&
          document.Statement.some(
            (statement) =>
              statement.Action === 'sqs:SendMessage' &&
              canonical(statement.Principal) === canonical({ Service: 'events.amazonaws.com' }) &&
              canonical(statement.Condition).includes(ruleId),
          )
        );
      });
      expect(allowsRule, `${ruleId} may send to its dead-letter queue`).toBe(true);
    }
  });

  it("gives every event-triggered function Lambda's async retries and an on-failure queue", () => {
    const configs = Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig'));
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const eventTriggered = functionEntries().filter(([, spec]) => spec.on.some((t) => t.kind === 'event'));

    const byFunction = Object.fromEntries(
      configs.map((config) => [
        Object.entries(lambdas).find(([, id]) => id === logicalIdOf(config.Properties.FunctionName))?.[0],
        config.Properties,
      ]),
    );

    expect(Object.keys(byFunction).sort()).toEqual(eventTriggered.map(([name]) => name).sort());
    for (const [name, spec] of eventTriggered) {
      const config = byFunction[name] as {
        MaximumRetryAttempts: number;
        MaximumEventAgeInSeconds: number;
        DestinationConfig: { OnFailure: { Destination: unknown } };
      };
      expect(config.MaximumRetryAttempts, name).toBe(spec.retryAttempts);
      expect(config.MaximumEventAgeInSeconds, name).toBe(asyncEventMaxAgeSeconds);
      expect(queues[logicalIdOf(config.DestinationConfig.OnFailure.Destination)], name).toBeDefined();
    }
  });

  it("has exactly one event source mapping per stream trigger, on the table's stream, with the trigger's filter and limits", () => {
    const tableId = onlyId(template, 'AWS::DynamoDB::Table');
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const expected = functionEntries().flatMap(([name, spec]) =>
      spec.on.flatMap((trigger) =>
        trigger.kind === 'stream'
          ? [
              {
                function: name,
                source: `<${tableId}.StreamArn>`,
                filters: [canonical(trigger.filter)],
                BatchSize: trigger.batchSize,
                BisectBatchOnFunctionError: trigger.bisectBatchOnError,
                MaximumRetryAttempts: trigger.retryAttempts,
                FunctionResponseTypes: ['ReportBatchItemFailures'],
                StartingPosition: 'TRIM_HORIZON',
              },
            ]
          : [],
      ),
    );

    const streamMappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).filter(
      (resource) => flat(resource.Properties.EventSourceArn).endsWith('.StreamArn>'),
    );
    const actual = streamMappings.map((resource) => {
      const props = resource.Properties as Record<string, unknown> & {
        FilterCriteria: { Filters: { Pattern: string }[] };
        DestinationConfig: { OnFailure: { Destination: unknown } };
      };
      expect(queues[logicalIdOf(props.DestinationConfig.OnFailure.Destination)]).toBeDefined();
      return {
        function: Object.entries(lambdas).find(([, id]) => id === logicalIdOf(props.FunctionName))?.[0],
        source: flat(props.EventSourceArn),
        filters: props.FilterCriteria.Filters.map((filter) => canonical(JSON.parse(filter.Pattern))),
        BatchSize: props.BatchSize,
        BisectBatchOnFunctionError: props.BisectBatchOnFunctionError,
        MaximumRetryAttempts: props.MaximumRetryAttempts,
        FunctionResponseTypes: props.FunctionResponseTypes,
        StartingPosition: props.StartingPosition,
      };
    });

    expect(expected.length).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: tableDefinition.stream },
    });
  });

  it("has one queue per queue trigger, kept 14 days, read by its function in batches with the trigger's window, concurrency, timeout and redrive", () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const expected = functionEntries().flatMap(([name, spec]) =>
      spec.on.flatMap((trigger) =>
        trigger.kind === 'queue'
          ? [
              {
                function: name,
                queue: `backline-dev-${trigger.queue}`,
                BatchSize: trigger.batchSize,
                MaximumBatchingWindowInSeconds: trigger.batchingWindowSeconds,
                ScalingConfig: { MaximumConcurrency: trigger.maxConcurrency },
                FunctionResponseTypes: ['ReportBatchItemFailures'],
                VisibilityTimeout: trigger.visibilityTimeoutSeconds,
                DelaySeconds: trigger.deliveryDelaySeconds,
                // 14 days, as long as its dead-letter queue keeps a message (SQS's default is 4).
                MessageRetentionPeriod: 1_209_600,
                maxReceiveCount: trigger.maxReceiveCount,
                deadLetterQueue: true,
              },
            ]
          : [],
      ),
    );

    const actual = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'))
      .filter((resource) => !flat(resource.Properties.EventSourceArn).endsWith('.StreamArn>'))
      .map((resource) => {
        const props = resource.Properties as Record<string, unknown>;
        const queue = queues[logicalIdOf(props.EventSourceArn)].Properties as Record<string, unknown> & {
          RedrivePolicy: { deadLetterTargetArn: unknown; maxReceiveCount: number };
        };
        return {
          function: Object.entries(lambdas).find(([, id]) => id === logicalIdOf(props.FunctionName))?.[0],
          queue: queue.QueueName,
          BatchSize: props.BatchSize,
          MaximumBatchingWindowInSeconds: props.MaximumBatchingWindowInSeconds,
          ScalingConfig: props.ScalingConfig,
          FunctionResponseTypes: props.FunctionResponseTypes,
          VisibilityTimeout: queue.VisibilityTimeout,
          DelaySeconds: queue.DelaySeconds,
          MessageRetentionPeriod: queue.MessageRetentionPeriod,
          maxReceiveCount: queue.RedrivePolicy.maxReceiveCount,
          deadLetterQueue: queues[logicalIdOf(queue.RedrivePolicy.deadLetterTargetArn)] !== undefined,
        };
      });

    expect(expected.length).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });

  it("alarms on outbox entries unpublished for more than five minutes and on the stream mapping's iterator age", () => {
    const publisherLogs = resourcesOf(template, 'AWS::Logs::MetricFilter');
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties,
    );

    const filters = Object.values(publisherLogs).map((resource) => resource.Properties);
    const filter = filters.find((f) => JSON.stringify(f.MetricTransformations).includes('OutboxUnpublished'));
    expect(filter).toMatchObject({
      FilterPattern: `{ $.${overdueMetric.field} > 0 }`,
      MetricTransformations: [
        expect.objectContaining({
          MetricName: 'OutboxUnpublishedOverFiveMinutes',
          MetricValue: `$.${overdueMetric.field}`,
        }),
      ],
    });
    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          MetricName: 'OutboxUnpublishedOverFiveMinutes',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
        expect.objectContaining({
          MetricName: 'IteratorAge',
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: lambdas.publisher } }],
        }),
      ]),
    );
  });

  it('alarms in the minute the publisher takes an acknowledged entry off the outbox because its event no longer builds, from its own log group', () => {
    const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter')).map(
      (resource) => resource.Properties,
    );
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties,
    );

    expect(
      filters.find((f) => JSON.stringify(f.MetricTransformations).includes('OutboxUnpublishableEntries')),
    ).toMatchObject({
      FilterPattern: `{ $.${unpublishableMetric.field} > 0 }`,
      LogGroupName: { Ref: expect.stringMatching(/^PublisherLogs/) },
      MetricTransformations: [
        expect.objectContaining({
          MetricName: 'OutboxUnpublishableEntries',
          MetricNamespace: 'Backline/backline-dev',
          MetricValue: `$.${unpublishableMetric.field}`,
        }),
      ],
    });
    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          MetricName: 'OutboxUnpublishableEntries',
          Namespace: 'Backline/backline-dev',
          // Each is logged once, taken off the index: a Sum of the minute's, not a standing count.
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [expect.anything()],
        }),
      ]),
    );
  });

  it("alarms while outbox entries the bus refused for good stay parked, from the count each sweep logs in the publisher's own log group", () => {
    const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter')).map(
      (resource) => resource.Properties,
    );
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties,
    );

    const parked = filters.find((f) =>
      JSON.stringify(f.MetricTransformations).includes('OutboxParkedEntries'),
    );
    expect(parked).toMatchObject({
      FilterPattern: `{ $.${parkedMetric.field} > 0 }`,
      LogGroupName: { Ref: expect.stringMatching(/^PublisherLogs/) },
      MetricTransformations: [
        expect.objectContaining({
          MetricName: 'OutboxParkedEntries',
          MetricNamespace: 'Backline/backline-dev',
          MetricValue: `$.${parkedMetric.field}`,
        }),
      ],
    });
    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          MetricName: 'OutboxParkedEntries',
          Namespace: 'Backline/backline-dev',
          // The count of entries parked now, logged by every minute's sweep: not a Sum of parks, which
          // would clear the alarm a minute after the park while the entry stays parked.
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [expect.anything()],
        }),
      ]),
    );
  });

  it('gives the schedules a dead-letter queue of their own, alarmed, and names it to every function', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const [queueId] = Object.entries(queues)
      .filter(([, queue]) => queue.Properties.QueueName === 'backline-dev-schedule-dead-letters')
      .map(([id]) => id);
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties,
    );

    expect(queueId).toBeDefined();
    expect(queues[queueId].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    expect(
      alarms.filter(
        (alarm) =>
          alarm.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          flat((alarm.Dimensions as { Value: unknown }[])[0].Value) === `<${queueId}.QueueName>`,
      ),
    ).toEqual([expect.objectContaining({ Threshold: 1, AlarmActions: [expect.anything()] })]);
    for (const resource of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
      const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(flat(variables.SCHEDULE_DEAD_LETTER_ARN)).toBe(`<${queueId}.Arn>`);
    }
  });

  it("has exactly one route per route of the topology's HTTP API, each integrating its function with payload 2.0", () => {
    const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
    const expected = functionEntries().flatMap(([name, spec]) =>
      gatewayRoutesOf(spec).map((route) => `${routeKeyOf(route)} -> ${name}`),
    );

    const actual = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).map((route) => {
      const integrationId = logicalIdOf(
        (route.Properties.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][1],
      );
      const integration = integrations[integrationId].Properties;
      expect(integration.IntegrationType).toBe('AWS_PROXY');
      expect(integration.PayloadFormatVersion).toBe('2.0');
      const target = logicalIdOf(integration.IntegrationUri);
      const functionName = Object.entries(lambdas).find(([, id]) => id === target)?.[0];
      return `${route.Properties.RouteKey} -> ${functionName}`;
    });

    expect(actual.sort()).toEqual(expected.sort());
  });

  it("times out every function behind a route before the API's integration timeout, which the stack leaves at its maximum", () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const behindRoutes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Integration')).map(
      (integration) => {
        expect(integration.Properties.TimeoutInMillis).toBeUndefined();
        return logicalIdOf(integration.Properties.IntegrationUri);
      },
    );

    const timeouts = [...new Set(behindRoutes)].map((id) => ({
      name: functions[id].Properties.FunctionName,
      seconds: Number(functions[id].Properties.Timeout),
    }));

    expect(timeouts.length).toBeGreaterThan(0);
    expect(timeouts.filter(({ seconds }) => !(seconds < httpIntegrationTimeoutSeconds))).toEqual([]);
  });

  it('keeps every log a week in dev and three months in every other stage: each function’s and the API’s access logs', () => {
    const prod = backline({ stage: 'prod', senderAddress: 'press@label.example' }).template;

    for (const [stage, stack, days] of [
      ['dev', template, 7],
      ['prod', prod, 90],
    ] as const) {
      const logGroups = resourcesOf(stack, 'AWS::Logs::LogGroup');
      const retentionOf = (reference: unknown) =>
        logGroups[logicalIdOf(reference)]?.Properties.RetentionInDays;
      const functions = Object.values(resourcesOf(stack, 'AWS::Lambda::Function'));
      const stages = Object.values(resourcesOf(stack, 'AWS::ApiGatewayV2::Stage'));

      expect(functions).toHaveLength(functionEntries().length);
      for (const { Properties: fn } of functions)
        expect(
          retentionOf((fn.LoggingConfig as { LogGroup: unknown }).LogGroup),
          `${stage} ${fn.FunctionName}`,
        ).toBe(days);
      expect(stages).toHaveLength(1);
      for (const { Properties: apiStage } of stages) {
        expect(apiStage).toMatchObject({ StageName: '$default', AutoDeploy: true });
        const access = apiStage.AccessLogSettings as { DestinationArn: unknown; Format: string };
        expect(access.Format, `${stage} access log format`).toMatch(/requestId/);
        expect(retentionOf(access.DestinationArn), `${stage} access logs`).toBe(days);
      }
    }
  });

  it("has exactly one Scheduler schedule per recurring schedule, putting a Backline envelope on the bus, or in the schedules' dead-letter queue after a day of retries", () => {
    const roleId = Object.entries(resourcesOf(template, 'AWS::IAM::Role')).find(([, role]) =>
      canonical(role.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    )?.[0];
    const [deadLettersId] = Object.entries(resourcesOf(template, 'AWS::SQS::Queue'))
      .filter(([, queue]) => queue.Properties.QueueName === 'backline-dev-schedule-dead-letters')
      .map(([id]) => id);
    const expected = schedules.map((schedule) => ({
      Name: `backline-dev-${schedule.name}`,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timeZone === 'manager' ? 'America/New_York' : 'Etc/UTC',
      DetailType: schedule.event.detailType,
      Source: 'backline.scheduler',
      Input: recurringScheduleDetail(schedule.event),
      Arn: `<${busId}.Arn>`,
      RoleArn: `<${roleId}.Arn>`,
      RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      DeadLetterArn: `<${deadLettersId}.Arn>`,
    }));

    const actual = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((resource) => {
      const props = resource.Properties as Record<string, unknown> & {
        Target: Record<string, unknown> & { EventBridgeParameters: Record<string, string> };
      };
      return {
        Name: props.Name,
        ScheduleExpression: props.ScheduleExpression,
        ScheduleExpressionTimezone: props.ScheduleExpressionTimezone,
        DetailType: props.Target.EventBridgeParameters.DetailType,
        Source: props.Target.EventBridgeParameters.Source,
        Input: JSON.parse(props.Target.Input as string),
        Arn: flat(props.Target.Arn),
        RoleArn: flat(props.Target.RoleArn),
        RetryPolicy: props.Target.RetryPolicy,
        DeadLetterArn: flat((props.Target.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn),
      };
    });

    expect(actual).toEqual(expect.arrayContaining(expected));
    expect(actual).toHaveLength(expected.length);
  });

  it('keeps release-day schedules in a group of their own', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);

    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'backline-dev-release-day' });
  });

  it('has one custom bus, with an archive, named after the stage', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'backline-dev' });

    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 90,
    });
  });

  it('builds the one table from shared/db/table.ts: on demand, PITR, TTL, both GSIs', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);

    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: tableDefinition.indexes.map((index) =>
        Match.objectLike({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ),
    });
  });

  it('lets the dev table go with the stack but protects and retains it, its secrets and the key that seals webhook secrets in every other stage', () => {
    const prod = backline({ stage: 'prod', senderAddress: 'press@label.example' }).template;

    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    prod.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    prod.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    // The label webhook secrets in a retained table open only with this key.
    prod.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ Description: Match.stringLikeRegexp('webhook secrets') }),
    });
  });

  it('has one configuration set per mail stream, each publishing SES send, delivery, bounce, complaint and reject events to the default bus', () => {
    const configurationSets = resourcesOf(template, 'AWS::SES::ConfigurationSet');
    const names = Object.values(configurationSets).map((set) => set.Properties.Name);

    expect(names.sort()).toEqual(['backline-dev', 'backline-dev-operational']);
    for (const configurationSetId of Object.keys(configurationSets)) {
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: { Ref: configurationSetId },
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'reject'],
          EventBridgeDestination: {
            EventBusArn: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':events:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':event-bus/default',
                ],
              ],
            },
          },
        },
      });
    }
  });

  it('deploys a second stage beside the first in one account and region: no SES template, queue, function, log group, schedule, secret or configuration set name is shared between two stages', () => {
    // Names that must be unique per account and region: a second stack using one fails to create it.
    const namesOf = (stack: ReturnType<typeof backline>['template']): string[] => {
      const named: [string, (props: Record<string, unknown>) => unknown][] = [
        ['AWS::SES::Template', (props) => (props.Template as { TemplateName?: string }).TemplateName],
        ['AWS::SES::ConfigurationSet', (props) => props.Name],
        ['AWS::SQS::Queue', (props) => props.QueueName],
        ['AWS::Lambda::Function', (props) => props.FunctionName],
        ['AWS::Logs::LogGroup', (props) => props.LogGroupName],
        ['AWS::Events::EventBus', (props) => props.Name],
        ['AWS::Scheduler::Schedule', (props) => props.Name],
        ['AWS::Scheduler::ScheduleGroup', (props) => props.Name],
        ['AWS::SecretsManager::Secret', (props) => props.Name],
        ['AWS::CloudWatch::Dashboard', (props) => props.DashboardName],
      ];
      return named.flatMap(([type, name]) =>
        Object.values(resourcesOf(stack, type)).flatMap((resource) => {
          const value = name(resource.Properties);
          return typeof value === 'string' ? [`${type} ${value}`] : [];
        }),
      );
    };
    const prod = backline({ stage: 'prod', senderAddress: 'press@label.example' }).template;

    const prodNames = new Set(namesOf(prod));
    const shared = namesOf(template).filter((name) => prodNames.has(name));

    expect(shared).toEqual([]);
  });

  it("creates an SES template for each of shared/mail's templates", () => {
    const names = Object.values(resourcesOf(template, 'AWS::SES::Template')).map(
      (resource) => (resource.Properties.Template as { TemplateName: string }).TemplateName,
    );

    // Each under the stage's prefix (SES template names are one namespace per account and region).
    expect(names.sort()).toEqual(mailTemplates.map((mail) => `backline-dev-${mail.name}`).sort());
  });

  it('gives each SES template the subject, HTML and text shared/mail defines, as they are', () => {
    const deployed = Object.values(resourcesOf(template, 'AWS::SES::Template')).map(
      (resource) => resource.Properties.Template,
    );

    // Defined once: what CDK deploys is shared/mail's text itself, as the local cloud creates it at start.
    expect(deployed).toEqual(
      expect.arrayContaining(
        mailTemplates.map((mail) => ({
          TemplateName: `backline-dev-${mail.name}`,
          SubjectPart: mail.subject,
          HtmlPart: mail.html,
          TextPart: mail.text,
        })),
      ),
    );
    expect(deployed).toHaveLength(mailTemplates.length);
  });

  it('generates the API key and the token-signing key as secrets whose ids the functions get', () => {
    const secrets = Object.keys(resourcesOf(template, 'AWS::SecretsManager::Secret'));
    const variables = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map(
      (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );

    expect(secrets).toHaveLength(2);
    template.allResourcesProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ ExcludePunctuation: true }),
    });
    for (const variable of variables) {
      expect(
        [logicalIdOf(variable.API_KEY_SECRET_ID), logicalIdOf(variable.TOKEN_KEY_SECRET_ID)].sort(),
      ).toEqual(secrets.sort());
    }
  });
});
