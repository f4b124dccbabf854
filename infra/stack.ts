import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { type EventPattern as CdkEventPattern, EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  type IScheduleGroup,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { EventBridgePutEvents } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  CfnTemplate,
  ConfigurationSet,
  ConfigurationSetEventDestination,
  ConfigurationSetTlsPolicy,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import type { Config } from '#shared/config.ts';
import type { MailStream } from '#shared/db/deliveries.ts';
import { overdueMetric, parkedMetric, unpublishableMetric } from '#shared/db/outbox-publishing.ts';
import { tableDefinition } from '#shared/db/table.ts';
import { recurringScheduleDetail, schedulerSource } from '#shared/events/scheduled.ts';
import { businessMetrics, type MetricName, metricsNamespace, metricUnit } from '#shared/lambda/metrics.ts';
import { configurationSetVariable, staleClaimMsFor } from '#shared/mail/ports.ts';
import type { MailTemplate } from '#shared/mail/templates.ts';
import {
  AppFunction,
  deadLetterQueue,
  deployedName,
  deployedQueueName,
  deployedScheduleName,
  scheduleDeadLettersQueue,
} from './app-function.ts';
import { mailSettlementQueue, queueRetentionSeconds } from './function-settings.ts';
import {
  apiServerErrorsAlarm,
  defaultRouteThrottle,
  routeThrottles,
  type Settings,
  sesReputationAlarms,
} from './settings.ts';
import {
  type BusName,
  type EventPattern,
  type FunctionName,
  type FunctionSpec,
  functionEntries,
  gatewayRoutesOf,
  mailStreams,
  type QueueTrigger,
  queueLatencySeconds,
  type RecurringSchedule,
  routeKeyOf,
  ruleTargetRetry,
  type StreamTrigger,
  schedules,
  settingsOf,
} from './topology.ts';

export interface BacklineStackProps extends StackProps {
  settings: Settings;
  /** The SES templates to create (docs/design.md#mail-templates): shared/mail's `mailTemplates`. */
  mailTemplates: readonly MailTemplate[];
}

/** EventBridge's own delivery to a target: its documented maximum, after which the event goes to the rule's DLQ. */
const ruleRetry = {
  maxEventAge: Duration.seconds(ruleTargetRetry.maxEventAgeSeconds),
  retryAttempts: ruleTargetRetry.retryAttempts,
};

/**
 * One JSON line per request in the API's access log, from the variables an HTTP API stage fills in
 * (docs/design.md#observability): the route key rather than the path, which holds the signed token of
 * a recipient's link; Lambda's own status and error message (a throttled or failed invocation, the
 * gateway giving up after 30 s) beside the status the client got; the gateway's error for what it
 * answered itself (a throttled route).
 */
const apiAccessLogFields = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
};

/**
 * How long a dead-lettered settlement can wait for its redrive, in whole minutes: the shortest
 * stale-claim window of any sender, after which the sweep sends the claimed mail again.
 */
const settlementRedriveMinutes = () =>
  Math.floor(
    Math.min(
      ...functionEntries()
        .filter(([, spec]) => spec.may.includes('ses:send'))
        .map(([, spec]) => staleClaimMsFor(settingsOf(spec).timeoutSeconds)),
    ) / 60_000,
  );

/** What an event source mapping needs to read the table's stream. */
export const streamReadActions = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

/**
 * Backline on AWS, built from infra/topology.ts: one function per entry, one rule per event trigger,
 * one route per HTTP trigger, one Scheduler schedule per recurring schedule, and the shared resources
 * they name (table, buses, schedule group, SES configuration set and templates, secrets).
 */
export class BacklineStack extends Stack {
  readonly functions: Record<string, AppFunction> = {};
  /** Every dead-letter and on-failure queue: each has a depth alarm. */
  readonly deadLetterQueues: Queue[] = [];
  /** What a dead-letter queue's depth alarm tells the operator, where the generic word is not enough. */
  private readonly deadLetterNotes = new Map<Queue, string>();
  /**
   * The stage's configuration sets, as SES names them in its events' `resources`: the rules on the
   * default bus, which every stage of the account shares, take only their own stage's events.
   */
  private sesEventResources: string[] = [];
  /** Every rule the stack puts on a bus, with what it delivers, for the alarm on what it could not keep. */
  private readonly rules: { rule: Rule; bus: BusName; ruleName?: string; delivers: string }[] = [];
  /** The routes' keys (`GET /health`) and their throttles, for the stage's route settings. */
  private readonly routeSettings: Record<
    string,
    { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
  > = {};

  constructor(scope: Construct, id: string, props: BacklineStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const dev = settings.stage === 'dev';
    const removalPolicy = dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = dev ? RetentionDays.ONE_WEEK : RetentionDays.THREE_MONTHS;
    const name = deployedName(settings.stage);
    // SES template names are one namespace per account and region: each stage's carry its name.
    const templatePrefix = `${name}-`;

    const table = new Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      stream: StreamViewType[tableDefinition.stream],
      // Encrypted with KMS (the AWS managed key), stated rather than left to the default.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: !dev,
      removalPolicy,
    });
    for (const index of tableDefinition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    const bus = new EventBus(this, 'Bus', { eventBusName: name, description: "Backline's own events" });
    bus.archive('Archive', {
      description: 'Every Backline event, for replay after a fix',
      eventPattern: { account: [this.account] },
      retention: Duration.days(90),
    });
    // SES publishes only to the default bus (docs/design.md#two-buses); Backline adds rules to it, nothing more.
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    const buses: Record<BusName, IEventBus> = { backline: bus, default: defaultBus };

    // Scheduler assumes this role to put a schedule's event on the bus, and may do nothing else (docs/design.md#schedules).
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler: puts scheduled events on the Backline bus',
    });
    bus.grantPutEventsTo(schedulerRole);
    // What a schedule could not put on the bus after its retries (docs/design.md#schedules):
    // alarmed like every dead-letter queue, and counted by `npm run redrive`, which finds it by name.
    const scheduleDeadLetters = deadLetterQueue(this, 'ScheduleDeadLetters', {
      queueName: deployedQueueName(settings.stage, scheduleDeadLettersQueue),
    });
    this.deadLetterQueues.push(scheduleDeadLetters);
    schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [scheduleDeadLetters.queueArn] }),
    );
    const releaseDaySchedules = new ScheduleGroup(this, 'ReleaseDaySchedules', {
      scheduleGroupName: `${name}-release-day`,
      removalPolicy,
    });

    // One configuration set per mail stream (docs/design.md#two-mail-streams); the campaign one keeps
    // the construct ids it had before the operational stream, so deploying does not replace it.
    const configurationSets = Object.fromEntries(
      Object.entries(mailStreams).map(([stream, { suffix }]) => {
        const id = stream === 'campaign' ? '' : pascal(stream);
        const configurationSet = new ConfigurationSet(this, `${id}MailConfiguration`, {
          configurationSetName: `${name}${suffix}`,
          tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
          reputationMetrics: true,
          // A hard bounce or complaint suppresses the address for both streams.
          suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        });
        new ConfigurationSetEventDestination(this, `${id}MailEventsToDefaultBus`, {
          configurationSet,
          destination: EventDestination.eventBus(defaultBus),
          events: [
            EmailSendingEvent.SEND,
            EmailSendingEvent.DELIVERY,
            EmailSendingEvent.BOUNCE,
            EmailSendingEvent.COMPLAINT,
            EmailSendingEvent.REJECT,
          ],
        });
        return [stream, configurationSet];
      }),
    ) as Record<MailStream, ConfigurationSet>;
    this.sesEventResources = Object.values(configurationSets).map((set) =>
      this.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: set.configurationSetName,
      }),
    );
    for (const template of props.mailTemplates) {
      new CfnTemplate(this, `MailTemplate-${template.name}`, {
        template: {
          templateName: `${templatePrefix}${template.name}`,
          subjectPart: template.subject,
          htmlPart: template.html,
          textPart: template.text,
        },
      });
    }

    const apiKeySecret = new Secret(this, 'ApiKey', {
      secretName: `${name}/api-key`,
      description: "Bearer key of the manager's API",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy,
    });
    const tokenKeySecret = new Secret(this, 'TokenSigningKey', {
      secretName: `${name}/token-signing-key`,
      description: 'Signs unsubscribe and promo-link tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(apiKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The API key is handed to the manager out of band; rotating it is a manual step (update the secret, then give the manager the new key), because an automatic rotation would lock the manager out.',
    });
    Validations.of(tokenKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Unsubscribe links (RFC 8058) and promo links sent in mail are signed with this key and must keep working; an automatic rotation would break every link already delivered.',
    });

    // Seals label webhook secrets (envelope encryption, see docs/design.md#secrets); only intake and the
    // management function may use it, through their topology permissions.
    const webhookSecretsKey = new Key(this, 'WebhookSecretsKey', {
      description: 'Seals label webhook secrets (data keys per secret)',
      enableKeyRotation: true,
      removalPolicy,
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    const api = new HttpApi(this, 'Api', {
      apiName: name,
      description: 'Label webhooks, the management API, recipient links',
      createDefaultStage: false,
    });
    const stage = new HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(apiAccessLogFields)),
      },
      // Each topology route gets its own throttle below (route settings); this is the default for any other.
      throttle: defaultRouteThrottle,
    });

    const environment: Record<keyof Config, string> = {
      TABLE_NAME: table.tableName,
      EVENT_BUS_NAME: bus.eventBusName,
      EVENT_BUS_ARN: bus.eventBusArn,
      SCHEDULE_GROUP: releaseDaySchedules.scheduleGroupName,
      SCHEDULER_ROLE_ARN: schedulerRole.roleArn,
      SCHEDULE_DEAD_LETTER_ARN: scheduleDeadLetters.queueArn,
      ...(Object.fromEntries(
        Object.entries(configurationSetVariable).map(([stream, variable]) => [
          variable,
          configurationSets[stream as MailStream].configurationSetName,
        ]),
      ) as Record<(typeof configurationSetVariable)[MailStream], string>),
      SES_TEMPLATE_PREFIX: templatePrefix,
      SENDER_ADDRESS: settings.senderAddress,
      PUBLIC_BASE_URL: settings.publicBaseUrl ?? api.apiEndpoint,
      API_KEY_SECRET_ID: apiKeySecret.secretArn,
      TOKEN_KEY_SECRET_ID: tokenKeySecret.secretArn,
      WEBHOOK_SECRETS_KEY_ID: webhookSecretsKey.keyArn,
      MANAGER_TIME_ZONE: settings.managerTimeZone,
    };
    const senderDomain = settings.senderAddress.split('@')[1];
    const sesArn = (resource: string, resourceName: string) =>
      this.formatArn({ service: 'ses', resource, resourceName });

    for (const [functionName, spec] of functionEntries()) {
      const fn = new AppFunction(this, pascal(functionName), {
        name: functionName,
        spec,
        stage: settings.stage,
        environment,
        logRetention,
        removalPolicy,
        resources: {
          table,
          bus,
          releaseDaySchedules,
          schedulerRole,
          secrets: { 'api-key': apiKeySecret, 'token-signing-key': tokenKeySecret },
          webhookSecretsKey,
          mail: {
            // SES authorizes a send against the verified identity: the address, or its domain.
            identityArns: [sesArn('identity', settings.senderAddress), sesArn('identity', senderDomain)],
            configurationSetArns: Object.values(configurationSets).map((set) =>
              sesArn('configuration-set', set.configurationSetName),
            ),
            templateArns: props.mailTemplates.map((template) =>
              sesArn('template', `${templatePrefix}${template.name}`),
            ),
          },
        },
      });
      this.functions[functionName] = fn;
      if (fn.onFailure) this.deadLetterQueues.push(fn.onFailure);
      this.wireTriggers(functionName, spec, fn, api, buses, table, name);
    }
    this.throttleRoutes(stage);
    this.alarms(settings, stage, {
      bus,
      // The recurring schedules are in the default group (recurringSchedule); the functions create the
      // one-time ones in the release-day group (SCHEDULE_GROUP).
      scheduleGroups: [
        {
          group: releaseDaySchedules,
          fires:
            'a one-time firing (a release day, an embargo end, a radio servicing, a show step) whose moment has passed: the schedule deleted itself, and its release or tour never got that event',
        },
        {
          group: ScheduleGroup.fromDefaultScheduleGroup(this, 'DefaultScheduleGroup'),
          fires: `a recurring firing (${schedules.map((schedule) => schedule.event.detailType).join(', ')}): a missed sweep is the next minute's work, a missed reconciliation or report waits for the next day's`,
        },
      ],
    });
    this.dashboard(settings);

    for (const schedule of schedules)
      this.recurringSchedule(schedule, settings, {
        bus,
        role: schedulerRole,
        deadLetters: scheduleDeadLetters,
      });

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'ApiKeySecretName', {
      value: apiKeySecret.secretName,
      description: 'aws secretsmanager get-secret-value --secret-id <this> gives the management API key',
    });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }

  /** One rule per event trigger (with its DLQ) and one route per HTTP trigger. */
  /** A trigger's pattern, on the default bus narrowed to this stage's SES configuration sets. */
  private ownEvents(trigger: { bus: BusName; pattern: EventPattern }): EventPattern {
    return trigger.bus === 'default'
      ? { ...trigger.pattern, resources: this.sesEventResources }
      : trigger.pattern;
  }

  private wireTriggers(
    functionName: FunctionName,
    spec: FunctionSpec,
    fn: AppFunction,
    api: HttpApi,
    buses: Record<BusName, IEventBus>,
    table: Table,
    name: string,
  ): void {
    const id = pascal(functionName);
    const eventTriggers = spec.on.flatMap((trigger) => (trigger.kind === 'event' ? [trigger] : []));
    const httpTriggers = spec.on.flatMap((trigger) => (trigger.kind === 'http' ? [trigger] : []));
    const streamTriggers = spec.on.flatMap((trigger) => (trigger.kind === 'stream' ? [trigger] : []));
    for (const trigger of streamTriggers) this.streamMapping(id, trigger, fn, table, name);
    for (const trigger of spec.on.flatMap((t) => (t.kind === 'queue' ? [t] : []))) {
      this.queueMapping(id, functionName, spec, trigger, fn, buses, name);
    }

    if (eventTriggers.length > 0) {
      // Events EventBridge could not hand to Lambda at all (Lambda's own failures go to fn.onFailure).
      const deliveryDlq = deadLetterQueue(this, `${id}DeliveryDlq`);
      this.deadLetterQueues.push(deliveryDlq);
      eventTriggers.forEach((trigger, index) => {
        const ruleName = defaultBusRuleName(trigger.bus, name, `${functionName}-${index + 1}`);
        const rule = new Rule(this, `${id}Rule${index + 1}`, {
          ruleName,
          eventBus: buses[trigger.bus],
          description: `${functionName}: ${JSON.stringify(trigger.pattern)}`,
          eventPattern: toCdkPattern(this.ownEvents(trigger)),
          targets: [new LambdaFunction(fn.function, { deadLetterQueue: deliveryDlq, ...ruleRetry })],
        });
        this.rules.push({
          rule,
          bus: trigger.bus,
          ruleName,
          delivers: `${detailTypesOf(trigger.pattern)} for ${functionName}`,
        });
      });
    }

    if (httpTriggers.length > 0) {
      const integration = new HttpLambdaIntegration(`${id}Integration`, fn.function, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      });
      // One route per route key, which triggers may share (a signed page's GET and HEAD: gatewayRoutesOf).
      const gatewayRoutes = gatewayRoutesOf(spec);
      const routes = gatewayRoutes.flatMap((route) =>
        api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration }),
      );
      for (const route of gatewayRoutes) {
        const throttle = routeThrottles[route.auth];
        this.routeSettings[routeKeyOf(route)] = {
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
        };
      }
      this.routes.push(...routes);
      for (const route of routes) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            "Authorization runs in the function, as the topology declares per route (docs/design.md#routes-and-auth): 'apiKey' routes compare the bearer key in constant time, 'webhook' routes verify the Standard Webhooks signature, and 'public' routes (/u, /p, /health) carry their own signed token or nothing to protect.",
        });
      }
    }
  }

  /**
   * The table's stream through an event source mapping, and the outbox's alarms (the outbox is the
   * stream's one consumer; see docs/design.md#the-outbox). A batch that fails every retry leaves only
   * its position in the on-failure queue (stream records expire after 24 h): the entries themselves
   * stay unpublished in the table, where the sweep finds them. The mapping is the one CDK's
   * DynamoEventSource builds, without its grant of dynamodb:ListStreams on "*": reading this table's
   * stream is all it needs.
   */
  private streamMapping(
    id: string,
    trigger: StreamTrigger,
    fn: AppFunction,
    table: Table,
    name: string,
  ): void {
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error('topology: a stream trigger needs the table stream');
    const streamOnFailure = deadLetterQueue(this, `${id}StreamOnFailure`);
    this.deadLetterQueues.push(streamOnFailure);
    fn.function.addEventSourceMapping('TableStream', {
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: trigger.batchSize,
      bisectBatchOnError: trigger.bisectBatchOnError,
      retryAttempts: trigger.retryAttempts,
      reportBatchItemFailures: true,
      filters: [FilterCriteria.filter(trigger.filter)],
      onFailure: new SqsDlq(streamOnFailure),
    });
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: streamReadActions, resources: [streamArn] }));
    // How far behind the stream the publisher is: every entry waits at least this long for its event.
    new Alarm(this, `${id}IteratorAge`, {
      alarmDescription: `${name}: the publisher is more than two minutes behind the table's stream`,
      metric: fn.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 120_000,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // What the publisher logs and the stack alarms on, at 1 or more in a minute: a log metric filter on
    // the field in the publisher's log group, named `metricName`, and its alarm.
    const alarmOnField = (
      ids: { filter: string; alarm: string },
      metricName: string,
      field: string,
      statistic: 'Maximum' | 'Sum',
      alarmDescription: string,
    ) => {
      const filter = new MetricFilter(this, `${id}${ids.filter}`, {
        logGroup: fn.logGroup,
        metricNamespace: `Backline/${name}`,
        metricName,
        filterPattern: FilterPattern.numberValue(`$.${field}`, '>', 0),
        metricValue: `$.${field}`,
      });
      new Alarm(this, `${id}${ids.alarm}`, {
        alarmDescription: `${name}: ${alarmDescription}`,
        metric: filter.metric({ statistic, period: Duration.minutes(1) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    };
    // Every minute's sweep logs how many entries it found unpublished for more than five minutes.
    alarmOnField(
      { filter: 'UnpublishedOverFiveMinutes', alarm: 'UnpublishedAlarm' },
      'OutboxUnpublishedOverFiveMinutes',
      overdueMetric.field,
      'Maximum',
      'outbox entries unpublished for more than five minutes (the stream path and the sweep both failed them)',
    );
    // Entries the bus refused for good are parked until a redrive; every minute's sweep logs how many
    // are parked now, so the alarm stays on while any is (a minute without the line has none).
    alarmOnField(
      { filter: 'ParkedOutboxEntries', alarm: 'ParkedAlarm' },
      'OutboxParkedEntries',
      parkedMetric.field,
      'Maximum',
      'the bus refused outbox entries for good; they are parked (docs/design.md#the-outbox): fix the cause, then npm run redrive',
    );
    // An acknowledged webhook whose event can no longer be built is taken off the outbox (kept, but no
    // redrive publishes it): each is logged with the field at 1, summed a minute at a time.
    alarmOnField(
      { filter: 'UnpublishableOutboxEntries', alarm: 'UnpublishableAlarm' },
      'OutboxUnpublishableEntries',
      unpublishableMetric.field,
      'Sum',
      "an acknowledged outbox entry no longer makes a valid event and was taken off the outbox (docs/design.md#the-outbox): the publisher's log names it and why",
    );
  }

  /**
   * A queue trigger (see docs/design.md#queues): an encrypted, TLS-only queue with its dead-letter
   * queue, a rule that fills it from the bus (events it cannot deliver go to a dead-letter queue too),
   * and the SQS event source mapping with the trigger's batching, reporting partial batch failures.
   * The mapping grants the function what it needs of this queue, which the topology names as
   * `queue:consume:<queue>`.
   */
  private queueMapping(
    id: string,
    functionName: FunctionName,
    spec: FunctionSpec,
    trigger: QueueTrigger,
    fn: AppFunction,
    buses: Record<BusName, IEventBus>,
    name: string,
  ): void {
    if (!spec.may.includes(`queue:consume:${trigger.queue}`)) {
      throw new Error(`topology: ${functionName} has a queue trigger but not queue:consume:${trigger.queue}`);
    }
    const queueId = pascal(trigger.queue);
    const deadLetters = deadLetterQueue(this, `${queueId}QueueDlq`);
    this.deadLetterQueues.push(deadLetters);
    if (trigger.queue === mailSettlementQueue) {
      this.deadLetterNotes.set(
        deadLetters,
        `${name}: Email Sent events that settled nothing wait in ${deadLetters.node.path}; their mails' claims stay open, and the stale-claim sweep sends those mails again ${settlementRedriveMinutes()} minutes after they were claimed (docs/design.md#queues): fix the cause, then npm run redrive at once.`,
      );
    }
    const queue = new Queue(this, `${queueId}Queue`, {
      queueName: `${name}-${trigger.queue}`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(trigger.visibilityTimeoutSeconds),
      deliveryDelay: Duration.seconds(trigger.deliveryDelaySeconds),
      retentionPeriod: Duration.seconds(queueRetentionSeconds),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: trigger.maxReceiveCount },
    });
    const deliveryDlq = deadLetterQueue(this, `${queueId}QueueDeliveryDlq`);
    this.deadLetterQueues.push(deliveryDlq);
    const ruleName = defaultBusRuleName(trigger.bus, name, trigger.queue);
    const rule = new Rule(this, `${id}${queueId}QueueRule`, {
      ruleName,
      eventBus: buses[trigger.bus],
      description: `${functionName} (queue ${trigger.queue}): ${JSON.stringify(trigger.pattern)}`,
      eventPattern: toCdkPattern(this.ownEvents(trigger)),
      targets: [new SqsQueue(queue, { deadLetterQueue: deliveryDlq, ...ruleRetry })],
    });
    this.rules.push({
      rule,
      bus: trigger.bus,
      ruleName,
      delivers: `${detailTypesOf(trigger.pattern)} for the ${trigger.queue} queue (${functionName})`,
    });
    // Messages waiting longer than the queue's own worst case (retries included) mean the function is behind.
    new Alarm(this, `${queueId}QueueAge`, {
      alarmDescription: `${name}: messages wait in the ${trigger.queue} queue longer than its batching and retries explain`,
      metric: queue.metricApproximateAgeOfOldestMessage({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: queueLatencySeconds(trigger, spec),
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    fn.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: trigger.batchSize,
        maxBatchingWindow: Duration.seconds(trigger.batchingWindowSeconds),
        maxConcurrency: trigger.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }

  private readonly routes: IConstruct[] = [];

  /**
   * One throttle per route (the stage's RouteSettings, which CDK's HttpStage does not expose), so that
   * public routes cannot spend the webhooks' or the manager's allowance. The stage waits for its routes:
   * API Gateway refuses settings for a route key that does not exist yet.
   */
  private throttleRoutes(stage: HttpStage): void {
    const cfnStage = stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = this.routeSettings;
    for (const route of this.routes) cfnStage.node.addDependency(route);
  }

  /**
   * Alarms to an SNS topic (mailed to `alarmEmail` when set): any message in a dead-letter or on-failure
   * queue, any failed event a function, a rule or a schedule could not put in its queue, any function error or throttle (naming the routes whose callers got a 5xx from it), the HTTP
   * API's 5xx answers, and SES reputation well below where SES reviews the account; the outbox's own
   * alarms go to the same topic.
   */
  private alarms(
    settings: Settings,
    stage: HttpStage,
    delivery: {
      bus: EventBus;
      scheduleGroups: { group: IScheduleGroup; fires: string }[];
    },
  ): void {
    // CloudWatch publishes to an encrypted topic only with a customer managed key that lets it.
    const alarmsKey = new Key(this, 'AlarmsKey', {
      description: 'Encrypts the Backline alarms topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    alarmsKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new Topic(this, 'Alarms', {
      displayName: `Backline ${settings.stage} alarms`,
      masterKey: alarmsKey,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one (the account's own
    // alarms may publish): CloudWatch is allowed here, for this account's alarms only.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    if (settings.alarmEmail) topic.addSubscription(new EmailSubscription(settings.alarmEmail));
    // Deployable without one (a stage may subscribe its own pager to the topic), but said at every synth
    // and deploy, so that a stage whose alarms reach no one is never one nobody was told of.
    else
      Annotations.of(this).addWarningV2(
        'backline:no-alarm-email',
        'The alarms reach no one: no alarm address is set (context alarmEmail or BACKLINE_ALARM_EMAIL). Set one, or subscribe to the topic the AlarmsTopicArn output names.',
      );
    const notify = new SnsAction(topic);
    const alarm = (id: string, metric: IMetric, threshold: number, description: string) =>
      new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator:
          threshold === 1
            ? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
            : ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });

    for (const queue of this.deadLetterQueues) {
      const id = queue.node.path.split('/').slice(1).join('');
      alarm(
        `${id}DepthAlarm`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
        this.deadLetterNotes.get(queue) ??
          `Failed events wait in ${queue.node.path}: inspect and redrive them.`,
      );
    }
    for (const [name, spec] of functionEntries()) {
      const fn = this.functions[name];
      const id = pascal(name);
      // An HTTP invocation is synchronous: one that failed or was throttled was a caller's 5xx, and no
      // dead-letter queue keeps it (docs/design.md#observability).
      const routes = spec.on.flatMap((trigger) =>
        trigger.kind === 'http' ? [`${trigger.method} ${trigger.path}`] : [],
      );
      const callers =
        routes.length > 0 ? ` On its routes (${routes.join(', ')}), each one was a caller's 5xx.` : '';
      alarm(
        `${id}ErrorsAlarm`,
        fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        1,
        `${name} failed (see its log group).${callers}`,
      );
      alarm(
        `${id}ThrottlesAlarm`,
        fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        1,
        `${name} was throttled by Lambda.${callers}`,
      );
      // A failed event Lambda could not put in its on-failure queue (permissions, the queue gone, a record
      // over SQS's size limit) is dropped: no queue depth shows it, so the failure to keep it is alarmed.
      if (fn.onFailure || spec.on.some((trigger) => trigger.kind === 'stream')) {
        alarm(
          `${id}DestinationDeliveryFailuresAlarm`,
          fn.function.metric('DestinationDeliveryFailures', {
            period: Duration.minutes(5),
            statistic: 'Sum',
          }),
          1,
          `${name} could not put a failed invocation or stream batch in its on-failure queue, so it is lost: its log group has the failed invocations' errors; the function's role and the queue say why it could not be kept.`,
        );
      }
    }
    // An event EventBridge could neither deliver nor put in its target's dead-letter queue (the queue's
    // policy, the queue gone, its key, the event's size) is lost, and no queue depth shows it: AWS/Events'
    // InvocationsFailedToBeSentToDlq, published only when not zero. With RuleName alone it is a
    // default-bus rule's; with EventBusName and RuleName a custom bus's. The stage's own bus is watched
    // as a whole, by a Metrics Insights query over it: a rule added later is watched too, and none needs
    // a stated name (a custom-bus rule's CloudFormation Ref has been seen to be `bus|rule`, not the name
    // the metric carries). The default bus, which every stage of the account shares, is watched rule by
    // rule, by the names the stack states for them (docs/design.md#observability).
    if (this.rules.some(({ bus }) => bus === 'backline')) {
      alarm(
        'BusFailedToBeSentToDlqAlarm',
        new MathExpression({
          expression: `SELECT SUM(InvocationsFailedToBeSentToDlq) FROM SCHEMA("AWS/Events", EventBusName, RuleName) WHERE EventBusName = '${delivery.bus.eventBusName}'`,
          period: Duration.minutes(5),
        }),
        1,
        `EventBridge could neither deliver an event on the ${deployedName(settings.stage)} bus to a rule's target nor put it in that target's dead-letter queue, so no queue holds it. The rule is the one whose InvocationsFailedToBeSentToDlq (AWS/Events, by EventBusName and RuleName) has data; its dead-letter queue (the queue's policy, whether it exists) and the event's size say why. The bus's archive keeps every event 90 days: once fixed, replay the lost ones to that rule (docs/design.md#observability).`,
      );
    }
    for (const { rule, ruleName, delivers } of this.rules.filter(({ bus }) => bus === 'default')) {
      if (!ruleName) throw new Error(`a default-bus rule needs a stated name: ${rule.node.path}`);
      alarm(
        `${rule.node.id}FailedToBeSentToDlqAlarm`,
        new Metric({
          namespace: 'AWS/Events',
          metricName: 'InvocationsFailedToBeSentToDlq',
          dimensionsMap: { RuleName: ruleName },
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        1,
        `EventBridge could neither deliver an event on the default bus (SES's ${delivers}) nor put it in the rule's dead-letter queue, so that event is lost: SES sends it once, and no archive keeps the default bus. The rule's dead-letter queue (the queue's policy, whether it exists) and the event's size say why (docs/design.md#observability).`,
      );
    }
    // The same for Scheduler, by schedule group: AWS/Scheduler's InvocationsFailedToBeSentToDeadLetterCount.
    for (const { group, fires } of delivery.scheduleGroups) {
      alarm(
        `${group.node.id}FailedToBeSentToDlqAlarm`,
        group.metricFailedToBeSentToDLQ(undefined, { period: Duration.minutes(5), statistic: 'Sum' }),
        1,
        `EventBridge Scheduler could neither put a firing of a schedule in the ${group.scheduleGroupName} group on the bus nor put it in ${deployedQueueName(settings.stage, scheduleDeadLettersQueue)}, so npm run redrive cannot send it: it was ${fires}. The Scheduler role's sqs:SendMessage on that queue, whether the queue exists, and the firing's size say why (docs/design.md#schedules).`,
      );
    }
    // What the gateway answered with a 5xx, whatever the cause: AWS/ApiGateway's `5xx` by ApiId and Stage.
    // No request in a period publishes nothing, and nothing failed: missing data does not breach.
    alarm(
      'ApiServerErrorsAlarm',
      stage.metricServerError({
        period: Duration.minutes(apiServerErrorsAlarm.periodMinutes),
        statistic: 'Sum',
      }),
      apiServerErrorsAlarm.moreThan,
      `The HTTP API answered more than ${apiServerErrorsAlarm.moreThan} requests with a 5xx in ${apiServerErrorsAlarm.periodMinutes} minutes: its access log gives each one's route, status, integrationStatus and integrationError (docs/design.md#observability).`,
    );
    const reputation = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
    alarm(
      'SesBounceRateAlarm',
      reputation('Reputation.BounceRate'),
      sesReputationAlarms.bounceRate,
      'SES bounce rate over 2 % (SES reviews an account at 5 %).',
    );
    alarm(
      'SesComplaintRateAlarm',
      reputation('Reputation.ComplaintRate'),
      sesReputationAlarms.complaintRate,
      'SES complaint rate over 0.05 % (SES reviews an account at 0.1 %).',
    );
    // Every alarm in the stack goes to the topic, the outbox's (made with its stream mapping) included.
    for (const construct of this.node.findAll()) {
      if (construct instanceof Alarm) construct.addAlarmAction(notify);
    }
    new CfnOutput(this, 'AlarmsTopicArn', { value: topic.topicArn, description: 'Where alarms are sent' });
  }

  /**
   * One CloudWatch dashboard: each business metric (shared/lambda/metrics.ts) as a graph, split by its
   * dimensions through a SEARCH, so a new reason or kind shows up without a change here; the
   * functions' errors; and the state of every alarm in the stack.
   */
  private dashboard(settings: Settings): void {
    const graph = (name: MetricName) => {
      const dimensions = businessMetrics[name];
      // A time is graphed at its worst, a count as its sum.
      const statistic = metricUnit(name) === MetricUnit.Count ? 'Sum' : 'Maximum';
      const keys = [metricsNamespace, 'service', ...dimensions].join(',');
      return new GraphWidget({
        title: `${name}${dimensions.length ? ` by ${dimensions.join(' and ')}` : ''} (${statistic.toLowerCase()})`,
        width: 8,
        left: [
          new MathExpression({
            expression: `SEARCH('{${keys}} MetricName="${name}"', '${statistic}', 300)`,
            label: name,
            period: Duration.minutes(5),
          }),
        ],
      });
    };
    const alarms = this.node.findAll().filter((construct): construct is Alarm => construct instanceof Alarm);
    new Dashboard(this, 'Dashboard', {
      dashboardName: `Backline-${settings.stage}`,
      widgets: [
        [new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 })],
        (Object.keys(businessMetrics) as MetricName[]).map(graph),
        [
          new GraphWidget({
            title: 'Function errors',
            width: 24,
            left: Object.entries(this.functions).map(([name, fn]) =>
              fn.function.metricErrors({ label: name, period: Duration.minutes(5), statistic: 'Sum' }),
            ),
          }),
        ],
      ],
    });
  }

  /** A topology schedule as a Scheduler schedule putting a Backline envelope on the bus (docs/design.md#schedules). */
  private recurringSchedule(
    schedule: RecurringSchedule,
    settings: Settings,
    target: { bus: EventBus; role: Role; deadLetters: Queue },
  ): void {
    const timeZone = TimeZone.of(schedule.timeZone === 'manager' ? settings.managerTimeZone : 'Etc/UTC');
    new Schedule(this, `Schedule-${schedule.name}`, {
      // The default group: the release-day group stays what `schedules:manage` may touch.
      scheduleName: deployedScheduleName(settings.stage, schedule.name),
      description: schedule.description,
      schedule: ScheduleExpression.expression(schedule.expression, timeZone),
      target: new EventBridgePutEvents(
        {
          eventBus: target.bus,
          source: schedulerSource,
          detailType: schedule.event.detailType,
          detail: ScheduleTargetInput.fromObject(recurringScheduleDetail(schedule.event)),
        },
        // A firing whose PutEvents fails every retry is kept, as a one-time schedule's is: a lost
        // Reconciliation Due would leave a day unreconciled (docs/design.md#schedules).
        { role: target.role, deadLetterQueue: target.deadLetters, ...ruleRetry },
      ),
    });
  }
}

/** The topology's wire-format pattern (`detail-type`) as CDK's (`detailType`), which CDK renders back. */
export function toCdkPattern(pattern: EventPattern): CdkEventPattern {
  const keys: Record<string, keyof CdkEventPattern> = {
    version: 'version',
    id: 'id',
    'detail-type': 'detailType',
    source: 'source',
    account: 'account',
    time: 'time',
    region: 'region',
    resources: 'resources',
    detail: 'detail',
  };
  return Object.fromEntries(
    Object.entries(pattern).map(([key, value]) => {
      const cdkKey = keys[key];
      if (!cdkKey) throw new Error(`topology: event pattern field ${key} is not an EventBridge event field`);
      return [cdkKey, value];
    }),
  ) as CdkEventPattern;
}

/**
 * A default-bus rule's name, stated: its alarm on what it could not keep names it (RuleName), and every
 * stage of the account shares that bus, so the name carries the stage's. A rule on the stage's own bus
 * keeps the name CloudFormation gives it.
 */
const defaultBusRuleName = (bus: BusName, stageName: string, suffix: string) =>
  bus === 'default' ? `${stageName}-${suffix}` : undefined;

/** The detail-types a pattern matches, for an alarm to say what a rule delivers. */
const detailTypesOf = (pattern: EventPattern) => [pattern['detail-type'] ?? []].flat().join(' or ');

const pascal = (name: string) =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
