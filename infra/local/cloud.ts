import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { ConflictException, CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  AlreadyExistsException,
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateEmailTemplateCommand,
  SESv2Client,
  UpdateEmailTemplateCommand,
} from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MailStream } from '#shared/db/deliveries.ts';
import { attemptLeaseMs } from '#shared/db/jobs.ts';
import { dynamoOutbox, type ParkedOutbox } from '#shared/db/outbox-publishing.ts';
import { recurringScheduleDetail, schedulerSource } from '#shared/events/scheduled.ts';
import { mailTemplates } from '#shared/mail/templates.ts';
import { ruleTargetRetry } from '../function-settings.ts';
import { settingSources } from '../settings.ts';
import { functionEntries, mailStreams, schedules as recurringSchedules } from '../topology.ts';
import { adminRoutes } from './admin.ts';
import { LocalBus } from './bus/bus.ts';
import { installVirtualClock } from './clock.ts';
import { keptSecret, takeDataFolder } from './data-folder.ts';
import { dynamoClient, ensureTable, type LocalDynamo, startLocalDynamo } from './dynamodb.ts';
import { createDynamoFaultProxy } from './dynamodb-faults.ts';
import { createEndpoint } from './endpoint.ts';
import { Faults } from './faults.ts';
import { createGateway } from './gateway.ts';
import { InFlight } from './in-flight.ts';
import { LocalKms } from './kms.ts';
import { logFormatOf } from './logs.ts';
import { listen } from './ports.ts';
import { localQueues } from './queues/index.ts';
import { RequestCounts } from './request-counts.ts';
import { LocalRuntime } from './runtime.ts';
import { createLocalScheduler, type LocalScheduler } from './scheduler.ts';
import { type LocalSes, type SesEvent, startLocalSes } from './ses.ts';
import { type LocalStreams, startStreamMappings } from './streams/index.ts';

export interface LocalCloudOptions {
  ports: { http: number; bus: number; dynamodb: number; ses: number };
  /** Where DynamoDB data, schedules, the event archive and the token key persist; none = in memory. */
  dataDir?: string;
  apiKey?: string;
  /** SES send rate in recipients per second (BACKLINE_SES_SEND_RATE); unset = unthrottled. */
  sesSendRate?: number;
  /** BACKLINE_LOCAL_FAULTS. */
  faults?: string;
  /** BACKLINE_LOCAL_FAULTS_SEED: the seed of the fault rates; unset = a random one (GET /_local/faults shows it). */
  faultsSeed?: number;
  /** First retry delay of a failed asynchronous invocation, doubled per retry. */
  retryBaseMs?: number;
  managerTimeZone?: string;
  senderAddress?: string;
}

export interface LocalCloud {
  ports: { http: number; bus: number; dynamodb: number; ses: number };
  urls: { http: string; bus: string; dynamodb: string; ses: string };
  apiKey: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export const account = '000000000000';
export const region = 'us-east-1';
const root = resolve(import.meta.dirname, '../..');
export const names = {
  table: 'backline',
  bus: 'backline',
  scheduleGroup: 'backline',
  scheduleDeadLetters: 'backline-schedule-dead-letters',
  configurationSet: 'backline',
  templatePrefix: 'backline-',
  apiKeySecret: 'backline/api-key',
  tokenKeySecret: 'backline/token-signing-key',
  webhookSecretsKey: '6f1c3a52-8e0b-4d1e-9a47-0b5c1a9e0001',
};
const configurationSetOf = (stream: MailStream) => `${names.configurationSet}${mailStreams[stream].suffix}`;

export class MissingJavaError extends Error {
  constructor() {
    super(
      'Java 17 or newer is needed for DynamoDB Local and was not found on PATH.\n' +
        '  Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless\n' +
        '  macOS:         brew install openjdk@17\n' +
        '  Windows:       winget install Microsoft.OpenJDK.17',
    );
  }
}

export function checkJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new MissingJavaError();
  const version = /version "(\d+)/.exec(probe.stderr ?? '')?.[1];
  if (version && Number(version) < 17) throw new MissingJavaError();
}

/**
 * Starts all of Backline on this machine: DynamoDB Local, the SES front, the EventBridge + Scheduler +
 * Secrets Manager endpoint, and the HTTP gateway, running the topology's handlers in this process
 * against them. What fails to start is stopped again before the error is raised.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  checkJava();
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    return await start(options, stops, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function start(
  options: LocalCloudOptions,
  stops: (() => Promise<void>)[],
  stopAll: () => Promise<void>,
): Promise<LocalCloud> {
  const clock = installVirtualClock();
  const faults = new Faults(options.faults, options.faultsSeed);
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    // One Backline per data folder, taken before any journal in it is read or rewritten.
    const release = takeDataFolder(dataDir);
    stops.push(async () => release());
    clock.keepIn(join(dataDir, 'clock.json'));
  }
  let ready = false;
  let streams: LocalStreams | undefined;
  let parkedOutbox: ParkedOutbox;
  // Idle: no invocation running or retrying, and every stream record handled (an outbox entry
  // written by one invocation is published, and its consumers have run), until neither moves. With
  // `heldRetries: 'due'`, as the clock waits before and during a jump, a retry the bus holds until a
  // time the clock has not reached does not count: the jump brings it due (docs/design.md#the-local-clock).
  const whenIdle = async (heldRetries: 'all' | 'due' = 'all') => {
    for (;;) {
      await bus.whenIdle(heldRetries);
      await queues.whenIdle();
      if (!streams || (await streams.caughtUp()) === 0) {
        // Nothing new on the stream: idle once the bus and the queues stayed so.
        await bus.whenIdle(heldRetries);
        await queues.whenIdle();
        if (!streams || (await streams.caughtUp()) === 0) return;
      }
    }
  };

  // Servers that need no handler first, so that a taken port fails fast.
  const runtime = new LocalRuntime({ root, functions: functionEntries(), faults });
  const inFlight = new InFlight();
  const queues = localQueues({
    functions: functionEntries(),
    invoke: (name, event) => inFlight.track(name, 'SQS batch', () => runtime.invoke(name, event)),
    faults,
    account,
    region,
    dataDir,
  });
  const bus = new LocalBus({
    functions: functionEntries(),
    invoke: (name, event, requestId) =>
      inFlight.track(name, event['detail-type'], () => runtime.invoke(name, event, requestId)),
    enqueue: (queue, event) => {
      queues.send(queue, JSON.stringify(event));
    },
    faults,
    account,
    region,
    retryBaseMs: options.retryBaseMs ?? 500,
    // A failed holder's page lease lapses before the jobs function's retry, as on AWS (docs/design.md#jobs).
    retryNotBeforeMs: { jobs: attemptLeaseMs + 1_000 },
    archiveFile: dataDir ? join(dataDir, 'event-archive.jsonl') : undefined,
    journalFiles: dataDir
      ? {
          journal: join(dataDir, 'bus', 'deliveries.jsonl'),
          deadLetters: join(dataDir, 'bus', 'dead-letters.jsonl'),
        }
      : undefined,
  });
  // How SES's configuration-set events reach the default bus: as SES puts them (a PutEvents with
  // an `aws.` source is refused), resolved once their invocations have finished.
  const publishSesEvents = async (events: SesEvent[]) => {
    await Promise.all(
      events.map((event) =>
        bus.publish('default', {
          Source: event.source,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
          Resources: event.resources,
        }),
      ),
    );
  };
  const scheduler = createLocalScheduler({
    clock,
    file: dataDir ? join(dataDir, 'schedules.jsonl') : undefined,
    account,
    region,
    putEvents: async (target, firing) => {
      const busName =
        target.busName === 'backline' || target.busName === 'default' ? target.busName : undefined;
      if (!busName) throw new Error(`event bus ${target.busName} does not exist locally`);
      // Scheduler's call to its target may fail; the producers' events.put-* faults are not its
      // (they model our functions' calls), so a test's armed fault is not used up by the minute's sweep.
      if (firing && faults.takeFor('scheduler.put-fail', firing.schedule))
        throw new Error('InternalFailure: Injected fault scheduler.put-fail.');
      // Through PutEvents, as Scheduler's templated target calls it: an entry the bus refuses fails the
      // target, which the scheduler retries and then dead-letters.
      const [result] = bus.putEvents(
        [
          {
            EventBusName: busName,
            Source: target.source,
            DetailType: target.detailType,
            Detail: target.detail,
          },
        ],
        'scheduler',
      ).Entries;
      if ('ErrorCode' in result) throw new Error(`${result.ErrorCode}: ${result.ErrorMessage}`);
    },
    settle: () => whenIdle('due'),
    // A settlement message back from its visibility timeout, or a retry held until then, is handled
    // before a sweep the jump fires.
    catchUp: () => whenIdle('due'),
  });
  const secrets = new Map<string, string>();
  const kms = new LocalKms({
    keyArn: `arn:aws:kms:${region}:${account}:key/${names.webhookSecretsKey}`,
    file: dataDir ? join(dataDir, 'kms-master-key') : undefined,
  });
  const requests = new RequestCounts();
  const endpoint = createEndpoint({
    bus,
    scheduler,
    secrets,
    kms,
    account,
    region,
    counts: requests,
    isReady: () => ready,
  });
  const busPort = await listen(
    endpoint,
    options.ports.bus,
    'The local EventBridge/Scheduler endpoint',
    'BACKLINE_BUS_PORT',
  );
  stops.push(() => closeServer(endpoint));

  const gateway = createGateway({
    functions: functionEntries(),
    invoke: (name, event) => inFlight.track(name, event.routeKey, () => runtime.invoke(name, event)),
    admin: adminRoutes({
      clock,
      scheduler,
      bus,
      faults,
      inFlight,
      isReady: () => ready,
      whenIdle,
      streamDeadLetters: () => streams?.deadLetters() ?? [],
      expiredStreamDeadLetters: () => streams?.expiredDeadLetters() ?? [],
      requests,
      streams: {
        enabled: () => streams?.enabled() ?? true,
        setEnabled: (enabled) => streams?.setEnabled(enabled),
        redrive: () => streams?.redrive() ?? 0,
      },
      queues,
      ses: { publish: publishSesEvents },
      outbox: {
        parked: (limit) => parkedOutbox.parked(limit),
        requeueParked: (at) => parkedOutbox.requeueParked(at),
      },
      console: {
        managerTimeZone: options.managerTimeZone ?? settingSources.managerTimeZone.fallback,
        sesUrl: () => urls.ses,
        api: (path) => fetch(`${urls.http}${path}`, { headers: { authorization: `Bearer ${apiKey}` } }),
      },
      urls: () => urls,
    }),
    account,
    isReady: () => ready,
  });
  const httpPort = await listen(gateway, options.ports.http, 'The local HTTP gateway', 'BACKLINE_HTTP_PORT');
  stops.push(() => closeServer(gateway));

  // The DynamoDB port is the fault proxy; DynamoDB Local itself listens on an internal port behind it.
  const dynamoProxy = createDynamoFaultProxy(faults, requests);
  const dynamoPort = await listen(
    dynamoProxy.server,
    options.ports.dynamodb,
    'The local DynamoDB endpoint',
    'BACKLINE_DYNAMODB_PORT',
  );
  stops.push(() => closeServer(dynamoProxy.server));

  const ses: LocalSes = await startLocalSes({
    port: options.ports.ses,
    sendRatePerSecond: options.sesSendRate,
    storeFile: dataDir ? join(dataDir, 'ses', 'sent-mail.jsonl') : undefined,
    suppressionFile: dataDir ? join(dataDir, 'ses', 'suppression-list.jsonl') : undefined,
    faults,
    account,
    region,
    publish: publishSesEvents,
  });
  stops.push(() => ses.stop());

  const dynamo: LocalDynamo = await startLocalDynamo({
    port: 0,
    dataDir: dataDir ? join(dataDir, 'dynamodb') : undefined,
  });
  stops.push(() => dynamo.stop());
  // Stopped before DynamoDB Local and the SES front (stops run last first): an invocation failing as they
  // stop under it is left to the next start, as after a kill -9, not retried or dead-lettered for the stop.
  stops.push(async () => queues.stop());
  stops.push(async () => bus.close());
  dynamoProxy.setUpstream(dynamo.port);
  // The operator's redrive, like the set-up, goes straight to DynamoDB Local (faults are for the system).
  parkedOutbox = dynamoOutbox(DynamoDBDocumentClient.from(dynamoClient(dynamo.endpoint)), names.table);

  const urls = {
    http: `http://localhost:${httpPort}`,
    bus: `http://127.0.0.1:${busPort}`,
    dynamodb: `http://127.0.0.1:${dynamoPort}`,
    ses: ses.url,
  };
  const apiKey =
    options.apiKey ?? persistentSecret(dataDir, 'api-key', () => randomBytes(24).toString('base64url'));
  secrets.set(names.apiKeySecret, apiKey);
  secrets.set(
    names.tokenKeySecret,
    persistentSecret(dataDir, 'token-signing-key', () => randomBytes(32).toString('base64')),
  );

  // What a deployed function finds in its environment, pointed at the emulators with the SDK's own variables.
  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
    AWS_ENDPOINT_URL_SESV2: urls.ses,
    AWS_ENDPOINT_URL_EVENTBRIDGE: urls.bus,
    AWS_ENDPOINT_URL_SCHEDULER: urls.bus,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: urls.bus,
    AWS_ENDPOINT_URL_KMS: urls.bus,
    TABLE_NAME: names.table,
    EVENT_BUS_NAME: names.bus,
    EVENT_BUS_ARN: `arn:aws:events:${region}:${account}:event-bus/${names.bus}`,
    SCHEDULE_GROUP: names.scheduleGroup,
    SCHEDULER_ROLE_ARN: `arn:aws:iam::${account}:role/backline-scheduler`,
    SCHEDULE_DEAD_LETTER_ARN: `arn:aws:sqs:${region}:${account}:${names.scheduleDeadLetters}`,
    SES_CONFIGURATION_SET: configurationSetOf('campaign'),
    SES_OPERATIONAL_CONFIGURATION_SET: configurationSetOf('operational'),
    SES_TEMPLATE_PREFIX: names.templatePrefix,
    SENDER_ADDRESS: options.senderAddress ?? 'press@backline.example',
    PUBLIC_BASE_URL: urls.http,
    API_KEY_SECRET_ID: names.apiKeySecret,
    TOKEN_KEY_SECRET_ID: names.tokenKeySecret,
    WEBHOOK_SECRETS_KEY_ID: kms.keyArn,
    MANAGER_TIME_ZONE: options.managerTimeZone ?? settingSources.managerTimeZone.fallback,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // EMF metric lines only with JSON logs; the readable log has no use for them (infra/local/logs.ts).
    POWERTOOLS_METRICS_DISABLED: logFormatOf() === 'json' ? 'false' : 'true',
  };
  Object.assign(process.env, env);

  // The local cloud's own set-up goes straight to DynamoDB Local: faults are for the system, not for start-up.
  const streamArn = await ensureTable(dynamoClient(dynamo.endpoint), names.table);
  await provisionSes(urls.ses);
  await provisionSchedules(urls.bus, scheduler, {
    busArn: env.EVENT_BUS_ARN,
    roleArn: env.SCHEDULER_ROLE_ARN,
    deadLetterArn: env.SCHEDULE_DEAD_LETTER_ARN,
    managerTimeZone: env.MANAGER_TIME_ZONE,
  });
  await runtime.warm();
  streams = startStreamMappings({
    functions: functionEntries(),
    streamArn,
    endpoint: urls.dynamodb,
    region,
    invoke: (name, event) => inFlight.track(name, 'DynamoDB stream batch', () => runtime.invoke(name, event)),
    retryBaseMs: options.retryBaseMs ?? 500,
    dataDir,
    // Records dated in the local clock, as the functions read now (docs/design.md#the-local-clock).
    clockOffsetMs: () => clock.offsetMs(),
  });
  stops.push(() => streams!.stop());
  // What the last run accepted and never finished (a kill -9 mid-mailing) is delivered again.
  queues.start();
  const resumed = bus.resume();
  if (resumed > 0) console.error(`local bus: resuming ${resumed} unfinished deliveries from the journal`);
  const unhanded = ses.resume();
  if (unhanded > 0)
    console.error(
      `local SES: handing over the events of ${unhanded} mails the last run stopped before handing them over`,
    );
  scheduler.start();
  stops.push(async () => scheduler.stop());
  ready = true;

  return {
    ports: { http: httpPort, bus: busPort, dynamodb: dynamoPort, ses: ses.port },
    urls,
    apiKey,
    env,
    stop: stopAll,
  };
}

/**
 * A generated secret persists with the data: the API key stays the one the manager was shown, and
 * links in mail already sent (signed with the token key) keep working after a restart.
 */
function persistentSecret(dataDir: string | undefined, name: string, generate: () => string): string {
  return keptSecret(dataDir ? join(dataDir, name) : undefined, generate);
}

const localClientConfig = (endpoint: string) => ({
  endpoint,
  region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** The mail templates (docs/design.md#mail-templates) and one configuration set per mail stream publishing to the default bus, as CDK creates them on AWS. */
async function provisionSes(endpoint: string): Promise<void> {
  const ses = new SESv2Client(localClientConfig(endpoint));
  for (const template of mailTemplates) {
    const content = { Subject: template.subject, Html: template.html, Text: template.text };
    try {
      await ses.send(
        new CreateEmailTemplateCommand({
          TemplateName: `${names.templatePrefix}${template.name}`,
          TemplateContent: content,
        }),
      );
    } catch (error) {
      if (!(error instanceof AlreadyExistsException)) throw error;
      await ses.send(
        new UpdateEmailTemplateCommand({
          TemplateName: `${names.templatePrefix}${template.name}`,
          TemplateContent: content,
        }),
      );
    }
  }
  for (const stream of Object.keys(mailStreams) as MailStream[]) {
    try {
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: configurationSetOf(stream) }));
      await ses.send(
        new CreateConfigurationSetEventDestinationCommand({
          ConfigurationSetName: configurationSetOf(stream),
          EventDestinationName: 'default-bus',
          EventDestination: {
            Enabled: true,
            MatchingEventTypes: ['SEND', 'DELIVERY', 'BOUNCE', 'COMPLAINT', 'REJECT'],
            EventBridgeDestination: { EventBusArn: `arn:aws:events:${region}:${account}:event-bus/default` },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof AlreadyExistsException)) throw error;
    }
  }
  ses.destroy();
}

/** Backline's schedule group and the topology's recurring schedules, as CDK creates them on AWS. */
async function provisionSchedules(
  endpoint: string,
  scheduler: LocalScheduler,
  target: { busArn: string; roleArn: string; deadLetterArn: string; managerTimeZone: string },
): Promise<void> {
  const { busArn, roleArn, deadLetterArn, managerTimeZone } = target;
  const client = new SchedulerClient(localClientConfig(endpoint));
  try {
    await client.send(new CreateScheduleGroupCommand({ Name: names.scheduleGroup }));
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
  }
  client.destroy();
  for (const schedule of recurringSchedules) {
    scheduler.ensureSchedule({
      Name: schedule.name,
      GroupName: 'default',
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timeZone === 'manager' ? managerTimeZone : 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Description: schedule.description,
      Target: {
        Arn: busArn,
        RoleArn: roleArn,
        EventBridgeParameters: { Source: schedulerSource, DetailType: schedule.event.detailType },
        Input: JSON.stringify(recurringScheduleDetail(schedule.event)),
        // As the stack gives every schedule (docs/design.md#schedules).
        RetryPolicy: {
          MaximumEventAgeInSeconds: ruleTargetRetry.maxEventAgeSeconds,
          MaximumRetryAttempts: ruleTargetRetry.retryAttempts,
        },
        DeadLetterConfig: { Arn: deadLetterArn },
      },
    });
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
