import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deployedFunctionName } from '#infra/app-function.ts';
import { projectRoot } from '#infra/bundles.ts';
import {
  mailSettlementLatencySeconds,
  mailSettlementQueue,
  mailSettlementTiming,
  queueLatencySeconds,
} from '#infra/function-settings.ts';
import { buildRoutes, findRoute } from '#infra/local/gateway.ts';
import {
  apiServerErrorsAlarm,
  defaultRouteThrottle,
  routeThrottles,
  sesReputationAlarms,
} from '#infra/settings.ts';
import { functionEntries, gatewayRoutesOf, routeKeyOf, settingsOf } from '#infra/topology.ts';
import { businessMetrics } from '#shared/lambda/metrics.ts';
import { staleClaimMsFor } from '#shared/mail/ports.ts';
import { backline, flat, logicalIdOf, resourcesOf } from '#test/support/infra.ts';

type RouteSettings = Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;

/** The routes of the HTTP API, as the stack makes them from the topology (a signed page's GET and HEAD share one). */
const httpRoutes = functionEntries().flatMap(([, spec]) => gatewayRoutesOf(spec));

/** An alarm that pages at the first failure it counts, and stays quiet with no data (docs/design.md#observability). */
const pagesAtTheFirst = {
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'notBreaching',
};

describe('the HTTP API throttles each route on its own', () => {
  const { template } = backline();
  const [stageId, stage] = Object.entries(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'))[0];
  const settings = stage.Properties.RouteSettings as RouteSettings;

  it('gives every topology route its own throttle, by its auth', () => {
    const keys = httpRoutes.map(routeKeyOf);

    expect(Object.keys(settings).sort()).toEqual(keys.sort());
    for (const route of httpRoutes) {
      const limits = routeThrottles[route.auth];
      expect(settings[routeKeyOf(route)]).toEqual({
        ThrottlingRateLimit: limits.rateLimit,
        ThrottlingBurstLimit: limits.burstLimit,
      });
    }
  });

  it('limits the public routes separately and more tightly than webhooks and management', () => {
    const publicKeys = [
      'GET /health',
      'ANY /u/{token+}',
      'POST /u/{token}',
      'ANY /p/{token+}',
      'POST /p/{token}',
    ];
    const webhook = settings['POST /webhooks/{labelId}'];
    const management = settings['POST /labels'];

    for (const key of publicKeys) {
      expect(settings[key].ThrottlingRateLimit).toBeLessThan(webhook.ThrottlingRateLimit);
      expect(settings[key].ThrottlingBurstLimit).toBeLessThan(webhook.ThrottlingBurstLimit);
      expect(settings[key].ThrottlingRateLimit).toBeLessThanOrEqual(management.ThrottlingRateLimit);
    }
  });

  it('keeps no stage-wide bucket wider than a route of its own, and creates the routes before their settings', () => {
    const routeIds = Object.keys(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
    const stageResource = template.toJSON().Resources[stageId] as { DependsOn?: string[] };

    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: defaultRouteThrottle.rateLimit,
      ThrottlingBurstLimit: defaultRouteThrottle.burstLimit,
    });
    expect(stageResource.DependsOn ?? []).toEqual(expect.arrayContaining(routeIds));
  });
});

describe("the public pages' rate allowance", () => {
  const { template } = backline();
  const [stage] = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'));
  const settings = stage.Properties.RouteSettings as RouteSettings;
  // The route API Gateway selects for a request, as the local gateway selects it from the same topology.
  const routes = buildRoutes(functionEntries());

  /** How many of `requests`, arriving at once, the stage's route throttles let through: each route's burst. */
  const admitted = (requests: [method: string, path: string][]) => {
    const left = new Map<string, number>();
    let through = 0;
    for (const [method, path] of requests) {
      const match = findRoute(routes, method, path);
      if (!match || match === 'malformed') throw new Error(`no route takes ${method} ${path}`);
      const { routeKey } = match.route;
      const tokens = left.get(routeKey) ?? settings[routeKey].ThrottlingBurstLimit;
      if (tokens > 0) through += 1;
      left.set(routeKey, tokens - 1);
    }
    return through;
  };
  const times = (count: number, method: string, path: string) =>
    Array.from({ length: count }, (): [string, string] => [method, path]);

  it("counts a page's HEAD against its GET's allowance: 30 GETs and 30 HEADs are let through as 60 GETs are", () => {
    const pages = ['/u/a-token', '/p/a-token', '/a/a-token', '/tm/a-token'];

    const mixed = pages.map((page) => admitted([...times(30, 'GET', page), ...times(30, 'HEAD', page)]));
    const getsOnly = pages.map((page) => admitted(times(60, 'GET', page)));

    expect(mixed).toEqual(getsOnly);
    expect(getsOnly).toEqual(pages.map(() => routeThrottles.public.burstLimit));
  });

  it("keeps a page's POST (its form, one-click unsubscribe) on an allowance a flood of GETs cannot spend", () => {
    const page = '/u/a-token';

    const posts = admitted([...times(100, 'GET', page), ...times(10, 'POST', page)]);

    expect(posts).toBe(routeThrottles.public.burstLimit + 10);
  });
});

describe("the HTTP API's access log", () => {
  const { template } = backline();
  const [stage] = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'));
  const format = (stage.Properties.AccessLogSettings as { Format: string }).Format;
  // AWS's "Customize HTTP API access logs" table: what an HTTP API stage fills in. $context.resourcePath
  // is a REST API variable; the identity's caller and user are filled in only for IAM authorization.
  const httpApiVariables = [
    'requestId',
    'extendedRequestId',
    'requestTime',
    'requestTimeEpoch',
    'identity.sourceIp',
    'identity.userAgent',
    'httpMethod',
    'routeKey',
    'path',
    'protocol',
    'status',
    'responseLength',
    'responseLatency',
    'dataProcessed',
    'integrationStatus',
    'integrationErrorMessage',
    'integrationLatency',
    'error.message',
    'error.responseType',
    'domainName',
    'stage',
    'apiId',
    'accountId',
  ];

  it('uses only variables an HTTP API stage fills in, as one JSON object a line', () => {
    const used = [...format.matchAll(/\$context\.([A-Za-z.]+)/g)].map((match) => match[1]);

    expect(() => JSON.parse(format)).not.toThrow();
    expect(used.filter((variable) => !httpApiVariables.includes(variable))).toEqual([]);
  });

  it("names each request's route, its status, and what Lambda or the gateway said when it failed", () => {
    const fields = Object.values(JSON.parse(format) as Record<string, string>);

    expect(fields).toEqual(
      expect.arrayContaining([
        '$context.requestId',
        '$context.routeKey',
        '$context.status',
        '$context.integrationStatus',
        '$context.integrationErrorMessage',
        '$context.error.message',
        '$context.responseLatency',
      ]),
    );
  });

  it('keeps the signed tokens of the public links out of it: the route key, not the path', () => {
    expect(format).not.toContain('$context.path');
  });
});

describe("queue triggers' queues on AWS", () => {
  const { template } = backline();
  const queues = resourcesOf(template, 'AWS::SQS::Queue');
  const lambdas = resourcesOf(template, 'AWS::Lambda::Function');
  const queueMappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'))
    .map((mapping) => mapping.Properties)
    .filter((mapping) => logicalIdOf(mapping.EventSourceArn) in queues);

  it("hides a received batch for at least six times its function's timeout plus its batching window, so a throttled batch is tried again before it counts as received again", () => {
    // AWS's recommendation for an SQS event source: Lambda retries a throttled invocation while the
    // batch is hidden; once the visibility timeout ends, it is received again, and after
    // maxReceiveCount receives it is dead-lettered with nothing wrong with it. A batching window
    // counts too: a message is received (and hidden) when the window opens, not when it closes.
    expect(queueMappings.length).toBeGreaterThan(0);
    for (const mapping of queueMappings) {
      const queue = queues[logicalIdOf(mapping.EventSourceArn)].Properties;
      const timeout = lambdas[logicalIdOf(mapping.FunctionName)].Properties.Timeout as number;
      const window = (mapping.MaximumBatchingWindowInSeconds as number | undefined) ?? 0;

      expect(queue.VisibilityTimeout as number, String(queue.QueueName)).toBeGreaterThanOrEqual(
        6 * timeout + window,
      );
    }
  });

  it('receives a message at least five times before its dead-letter queue takes it, as AWS recommends for a Lambda consumer', () => {
    // AWS's second recommendation for an SQS event source under bursts: a throttled batch that outlives
    // its visibility timeout is received again, and each receive counts, so fewer than five let a burst
    // dead-letter messages nothing was wrong with (docs/design.md#queues).
    const redriven = Object.values(queues).filter((queue) => queue.Properties.RedrivePolicy);
    expect(redriven.length).toBeGreaterThan(0);
    for (const queue of redriven) {
      const { maxReceiveCount } = queue.Properties.RedrivePolicy as { maxReceiveCount: number };
      expect({ [String(queue.Properties.QueueName)]: maxReceiveCount }).toEqual({
        [String(queue.Properties.QueueName)]: expect.toSatisfy((count: number) => count >= 5),
      });
    }
  });

  it("hides a settlement batch for six times its consumer's timeout, a short one, plus its batching window, so every sender's stale-claim window is under 30 minutes", () => {
    // The settlement queue's timing counts in every sender's stale-claim window (staleClaimMsFor): a
    // mail claimed by an invocation that died is resent only once it has passed (docs/design.md#queues).
    const [mapping] = queueMappings.filter(
      (candidate) =>
        queues[logicalIdOf(candidate.EventSourceArn)].Properties.QueueName ===
        `backline-dev-${mailSettlementQueue}`,
    );
    const queue = queues[logicalIdOf(mapping.EventSourceArn)].Properties;
    const timeout = lambdas[logicalIdOf(mapping.FunctionName)].Properties.Timeout as number;
    const senders = functionEntries().filter(([, spec]) => spec.may.includes('ses:send'));

    expect(queue.VisibilityTimeout).toBe(6 * timeout + (mapping.MaximumBatchingWindowInSeconds as number));
    expect(mailSettlementLatencySeconds).toBe(
      queueLatencySeconds(mailSettlementTiming, { timeoutSeconds: timeout }),
    );
    for (const [name, spec] of senders) {
      expect({ [name]: staleClaimMsFor(settingsOf(spec).timeoutSeconds) < 30 * 60_000 }).toEqual({
        [name]: true,
      });
    }
  });
});

describe('alarms on AWS', () => {
  const { template } = backline({ alarmEmail: 'ops@label.example' });
  const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties,
  );
  const [topicId, topic] = Object.entries(resourcesOf(template, 'AWS::SNS::Topic'))[0];
  const notifiesTopic = (alarm: Record<string, unknown>) =>
    (alarm.AlarmActions as unknown[]).map(logicalIdOf).includes(topicId);

  it('sends every alarm to one encrypted SNS topic, mailed to the configured address', () => {
    const subscriptions = Object.values(resourcesOf(template, 'AWS::SNS::Subscription')).map(
      (s) => s.Properties,
    );

    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(notifiesTopic(alarm)).toBe(true);
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    expect(subscriptions).toEqual([
      expect.objectContaining({
        Protocol: 'email',
        Endpoint: 'ops@label.example',
        TopicArn: { Ref: topicId },
      }),
    ]);
  });

  it("counts in docs/capacity.md the alarms a stage's template has, at CloudWatch's $0.10 an alarm a month", () => {
    const capacity = readFileSync(join(projectRoot, 'docs/capacity.md'), 'utf8').replace(/\s+/g, ' ');
    const dev = resourcesOf(backline().template, 'AWS::CloudWatch::Alarm');
    const prod = resourcesOf(
      backline({ stage: 'prod', senderAddress: 'press@label.example' }).template,
      'AWS::CloudWatch::Alarm',
    );

    expect(Object.keys(prod).length).toBe(Object.keys(dev).length);
    expect(capacity).toContain(
      `CloudWatch alarms ($0.10 each, ${alarms.length} in a stage's template: $${(alarms.length * 0.1).toFixed(2)})`,
    );
  });

  // The queues of queue triggers carry work; every other queue holds only what failed.
  const queues = Object.entries(resourcesOf(template, 'AWS::SQS::Queue'));
  const workQueueIds = queues
    .filter(([, queue]) => queue.Properties.RedrivePolicy !== undefined)
    .map(([id]) => id);
  const watchedFor = (metric: string) =>
    alarms
      .filter((alarm) => alarm.MetricName === metric)
      .map((alarm) => logicalIdOf((alarm.Dimensions as { Value: unknown }[])[0].Value));

  it('watches the depth of every dead-letter and on-failure queue', () => {
    const deadLetterQueueIds = queues.map(([id]) => id).filter((id) => !workQueueIds.includes(id));

    const watched = watchedFor('ApproximateNumberOfMessagesVisible');

    expect(watched.sort()).toEqual(deadLetterQueueIds.sort());
  });

  it("tells the operator paged for the settlement queue's dead letters how long they have to redrive them", () => {
    // A dead-lettered Email Sent leaves its claim open: past the shortest sender's stale window, the
    // sweep sends that mail again (docs/design.md#queues).
    const [, settlement] = queues.find(
      ([, queue]) => queue.Properties.QueueName === `backline-dev-${mailSettlementQueue}`,
    )!;
    const deadLettersId = logicalIdOf(
      (settlement.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn,
    );
    const [alarm] = alarms.filter(
      (candidate) =>
        candidate.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        logicalIdOf((candidate.Dimensions as { Value: unknown }[])[0].Value) === deadLettersId,
    );
    const senders = functionEntries().filter(([, spec]) => spec.may.includes('ses:send'));
    const minutes = Math.floor(
      Math.min(...senders.map(([, spec]) => staleClaimMsFor(settingsOf(spec).timeoutSeconds))) / 60_000,
    );

    expect(alarm.AlarmDescription).toContain('npm run redrive');
    expect(alarm.AlarmDescription).toContain(`${minutes} minutes`);
  });

  it("watches how long the oldest message of each queue trigger's queue has waited", () => {
    const watched = watchedFor('ApproximateAgeOfOldestMessage');

    expect(workQueueIds.length).toBeGreaterThan(0);
    expect(watched.sort()).toEqual(workQueueIds.sort());
  });

  it('watches every function for errors and throttles', () => {
    const functionIds = Object.keys(resourcesOf(template, 'AWS::Lambda::Function'));
    const watchedFor = (metric: string) =>
      alarms
        .filter((alarm) => alarm.Namespace === 'AWS/Lambda' && alarm.MetricName === metric)
        .map((alarm) => logicalIdOf((alarm.Dimensions as { Value: unknown }[])[0].Value))
        .sort();

    expect(watchedFor('Errors')).toEqual(functionIds.sort());
    expect(watchedFor('Throttles')).toEqual(functionIds.sort());
  });

  it('alarms when a function could not keep a failed event in its on-failure queue: the event is lost, and no queue depth shows it', () => {
    // AWS/Lambda's DestinationDeliveryFailures, by FunctionName: Lambda could not send an asynchronous
    // invocation's record, or a stream batch's position, to its on-failure destination (permissions, a
    // queue gone, the record over SQS's size limit), and drops it.
    const withDestination = [
      ...Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig')),
      ...Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')),
    ]
      .filter((resource) => resource.Properties.DestinationConfig !== undefined)
      .map((resource) => logicalIdOf(resource.Properties.FunctionName));

    const watched = alarms.filter(
      (alarm) => alarm.Namespace === 'AWS/Lambda' && alarm.MetricName === 'DestinationDeliveryFailures',
    );

    expect(withDestination.length).toBeGreaterThan(0);
    expect(
      watched.map((alarm) => logicalIdOf((alarm.Dimensions as { Value: unknown }[])[0].Value)).sort(),
    ).toEqual([...new Set(withDestination)].sort());
    for (const alarm of watched) {
      expect(alarm).toMatchObject({ Statistic: 'Sum', ...pagesAtTheFirst });
    }
  });

  it("alarms when EventBridge could not keep an undelivered event in its target's dead-letter queue: by rule on the default bus, by bus on a custom one", () => {
    // AWS/Events' InvocationsFailedToBeSentToDlq (the queue's policy, the queue gone, its key, the event's
    // size): such an event is lost, and no queue depth shows it. A metric with only RuleName is the
    // default bus's; one with EventBusName and RuleName a custom bus's ("Monitoring Amazon EventBridge").
    // A custom bus's rules are watched by one Metrics Insights query over that bus, whatever they are named.
    const rules = Object.entries(resourcesOf(template, 'AWS::Events::Rule'));
    const onDefaultBus = (bus: unknown) => bus === undefined || bus === 'default';
    const defaultBusRuleIds = rules
      .filter(([, rule]) => onDefaultBus(rule.Properties.EventBusName))
      .map(([id]) => id);
    const customBuses = [
      ...new Set(
        rules
          .filter(([, rule]) => !onDefaultBus(rule.Properties.EventBusName))
          .map(([, rule]) => flat(rule.Properties.EventBusName)),
      ),
    ];

    const byRule = alarms.filter(
      (alarm) => alarm.Namespace === 'AWS/Events' && alarm.MetricName === 'InvocationsFailedToBeSentToDlq',
    );
    const queries = alarms.flatMap((alarm) =>
      ((alarm.Metrics as { Expression?: unknown }[] | undefined) ?? [])
        .filter((metric) => metric.Expression !== undefined)
        .map((metric) => ({ alarm, expression: flat(metric.Expression) })),
    );

    expect(defaultBusRuleIds.length).toBeGreaterThan(0);
    expect(customBuses.length).toBeGreaterThan(0);
    expect(
      byRule.map((alarm) => (alarm.Dimensions as { Name: string; Value: unknown }[]).map((d) => d.Name)),
    ).toEqual(defaultBusRuleIds.map(() => ['RuleName']));
    // Their names are stated, so that the dimension is the rule's name and not what a Ref returns.
    expect(byRule.map((alarm) => (alarm.Dimensions as { Value: unknown }[])[0].Value).sort()).toEqual(
      defaultBusRuleIds.map((id) => rules.find(([ruleId]) => ruleId === id)?.[1].Properties.Name).sort(),
    );
    for (const id of defaultBusRuleIds) {
      expect(rules.find(([ruleId]) => ruleId === id)?.[1].Properties.Name, id).toMatch(/^backline-dev-/);
    }
    for (const bus of customBuses) {
      const query = `SELECT SUM(InvocationsFailedToBeSentToDlq) FROM SCHEMA("AWS/Events", EventBusName, RuleName) WHERE EventBusName = '${bus}'`;
      expect(
        queries.filter((candidate) => candidate.expression === query),
        query,
      ).toHaveLength(1);
    }
    for (const alarm of [...byRule, ...queries.map((query) => query.alarm)]) {
      expect(alarm).toMatchObject(pagesAtTheFirst);
    }
    for (const alarm of byRule) expect(alarm.Statistic).toBe('Sum');
  });

  it('alarms when Scheduler could not keep a failed firing in the schedule dead-letter queue, for each group schedules are created in', () => {
    // AWS/Scheduler's InvocationsFailedToBeSentToDeadLetterCount, by ScheduleGroup: the recurring
    // schedules are in the template (the default group unless they name one); the functions create the
    // one-time ones in the group their SCHEDULE_GROUP names.
    const environments = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map(
      (fn) =>
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    );
    const groups = [
      ...new Set([
        ...Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((schedule) =>
          flat(schedule.Properties.GroupName ?? 'default'),
        ),
        ...environments.flatMap((variables) =>
          variables.SCHEDULE_GROUP === undefined ? [] : [flat(variables.SCHEDULE_GROUP)],
        ),
      ]),
    ].sort();

    const watched = alarms.filter(
      (alarm) =>
        alarm.Namespace === 'AWS/Scheduler' &&
        alarm.MetricName === 'InvocationsFailedToBeSentToDeadLetterCount',
    );

    expect(groups).toEqual(['backline-dev-release-day', 'default']);
    expect(
      watched.map((alarm) => (alarm.Dimensions as { Name: string; Value: unknown }[]).map((d) => d.Name)),
    ).toEqual(groups.map(() => ['ScheduleGroup']));
    expect(watched.map((alarm) => flat((alarm.Dimensions as { Value: unknown }[])[0].Value)).sort()).toEqual(
      groups,
    );
    for (const alarm of watched) {
      expect(alarm).toMatchObject({ Statistic: 'Sum', ...pagesAtTheFirst });
    }
  });

  it("alarms on the HTTP API's 5xx answers, by API and stage: what the gateway answered that no function's Errors count", () => {
    // AWS/ApiGateway's `5xx` for an HTTP API, by ApiId and Stage (the developer guide's "Monitor
    // CloudWatch metrics for HTTP APIs"); REST APIs' 5XXError and ApiName are not published for it.
    const [apiId] = Object.keys(resourcesOf(template, 'AWS::ApiGatewayV2::Api'));
    const [stage] = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'));
    const api = alarms.filter((alarm) => alarm.Namespace === 'AWS/ApiGateway');

    expect(api).toEqual([
      expect.objectContaining({
        MetricName: '5xx',
        Dimensions: [
          { Name: 'ApiId', Value: { Ref: apiId } },
          { Name: 'Stage', Value: stage.Properties.StageName },
        ],
        Statistic: 'Sum',
        Period: apiServerErrorsAlarm.periodMinutes * 60,
        EvaluationPeriods: 1,
        Threshold: apiServerErrorsAlarm.moreThan,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    ]);
    expect(stage.Properties.StageName).toBe('$default');
    expect(notifiesTopic(api[0])).toBe(true);
  });

  it('names, in the error and throttle alarms of a function behind the API, the routes whose callers got a 5xx', () => {
    const lambdas = resourcesOf(template, 'AWS::Lambda::Function');
    const described = (name: string, metric: string) =>
      alarms
        .filter((alarm) => alarm.Namespace === 'AWS/Lambda' && alarm.MetricName === metric)
        .filter((alarm) => {
          const id = logicalIdOf((alarm.Dimensions as { Value: unknown }[])[0].Value);
          return lambdas[id].Properties.FunctionName === deployedFunctionName('dev', name);
        })
        .map((alarm) => String(alarm.AlarmDescription));
    const httpFacing = functionEntries().filter(([, spec]) => spec.on.some((t) => t.kind === 'http'));

    expect(httpFacing.length).toBeGreaterThan(0);
    for (const [name, spec] of httpFacing) {
      const routes = spec.on.flatMap((t) => (t.kind === 'http' ? [`${t.method} ${t.path}`] : []));
      for (const metric of ['Errors', 'Throttles']) {
        const [description] = described(name, metric);
        expect(description, `${name} ${metric}`).toContain('5xx');
        for (const route of routes) expect(description, `${name} ${metric}`).toContain(route);
      }
    }
    // CloudFormation refuses an AlarmDescription past 1,024 characters, and with it the deploy.
    for (const alarm of alarms) expect(String(alarm.AlarmDescription).length).toBeLessThanOrEqual(1024);
  });

  it('alarms on an SES bounce rate over 2 % and a complaint rate over 0.05 %', () => {
    const ses = Object.fromEntries(
      alarms.filter((alarm) => alarm.Namespace === 'AWS/SES').map((alarm) => [alarm.MetricName, alarm]),
    );

    expect(ses['Reputation.BounceRate']).toMatchObject({
      Threshold: sesReputationAlarms.bounceRate,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(ses['Reputation.ComplaintRate']).toMatchObject({
      Threshold: sesReputationAlarms.complaintRate,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(sesReputationAlarms).toEqual({ bounceRate: 0.02, complaintRate: 0.0005 });
  });

  it('lets CloudWatch alarms publish to the alarms topic: a topic policy of its own must allow cloudwatch.amazonaws.com sns:Publish', () => {
    // A topic policy replaces SNS's default one (which lets the account's own alarms publish): what it
    // does not allow, CloudWatch may not do, and every alarm action fails with "not authorized to perform:
    // SNS:Publish ... because no resource-based policy allows the SNS:Publish action": no mail reaches anyone.
    type Statement = { Effect: string; Action: string | string[]; Principal?: unknown };
    const policies = Object.values(resourcesOf(template, 'AWS::SNS::TopicPolicy'))
      .map((policy) => policy.Properties)
      .filter((policy) => (policy.Topics as unknown[]).map(logicalIdOf).includes(topicId));
    const allowsCloudWatch = (statement: Statement) =>
      statement.Effect === 'Allow' &&
      [statement.Action].flat().some((action) => /^sns:(Publish|\*)$/i.test(action)) &&
      JSON.stringify(statement.Principal ?? '').includes('cloudwatch.amazonaws.com');

    for (const policy of policies) {
      const statements = (policy.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements.some(allowsCloudWatch), JSON.stringify(statements)).toBe(true);
    }
  });

  it('subscribes nobody when no alarm address is configured, and warns at synth that the alarms reach no one', () => {
    const { template: withoutEmail, stack } = backline();

    expect(Object.keys(resourcesOf(withoutEmail, 'AWS::SNS::Subscription'))).toEqual([]);
    Annotations.fromStack(stack).hasWarning(
      '/Backline-dev',
      Match.stringLikeRegexp('alarms reach no one.*alarmEmail.*BACKLINE_ALARM_EMAIL.*AlarmsTopicArn'),
    );
  });

  it('gives no such warning when an alarm address is configured', () => {
    const { stack } = backline({ alarmEmail: 'ops@label.example' });

    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('alarms reach no one'));
  });
});

describe('data at rest and configuration', () => {
  const { template } = backline();

  it('encrypts the table and every SQS queue', () => {
    const tables = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'));
    const queues = Object.values(resourcesOf(template, 'AWS::SQS::Queue'));

    for (const table of tables) expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true });
    expect(queues.length).toBeGreaterThan(0);
    for (const queue of queues) {
      const sse =
        queue.Properties.SqsManagedSseEnabled === true || queue.Properties.KmsMasterKeyId !== undefined;
      expect(sse).toBe(true);
    }
  });

  it('seals webhook secrets under a KMS key that rotates', () => {
    const keys = Object.values(resourcesOf(template, 'AWS::KMS::Key')).map((key) => key.Properties);

    expect(keys.find((key) => String(key.Description).includes('webhook secrets'))).toMatchObject({
      EnableKeyRotation: true,
    });
  });

  it('puts no secret in any function environment: only the names and ARNs to fetch them by', () => {
    const environments = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map(
      (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );
    const secretIds = Object.keys(resourcesOf(template, 'AWS::SecretsManager::Secret'));

    for (const variables of environments) {
      const text = JSON.stringify(variables);
      expect(text).not.toMatch(/resolve:secretsmanager|SecretString|whsec_/);
      expect(secretIds.map((id) => ({ Ref: id }))).toEqual(
        expect.arrayContaining([variables.API_KEY_SECRET_ID, variables.TOKEN_KEY_SECRET_ID]),
      );
    }
  });
});

describe('observability on AWS', () => {
  const { template } = backline();

  it('traces every function with X-Ray', () => {
    const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter((fn) =>
      String(fn.Properties.FunctionName ?? '').startsWith('backline-'),
    );

    expect(functions.length).toBe(functionEntries().length);
    for (const fn of functions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('has a dashboard with every business metric and every alarm of the stack', () => {
    const [dashboard] = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    const alarmIds = Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm'));

    for (const name of Object.keys(businessMetrics))
      expect(body).toContain(`MetricName=\\\\\\"${name}\\\\\\"`);
    for (const id of alarmIds) expect(body).toContain(id);
  });
});
