import { budgetMailSubjectTypes, type MailStream } from '#shared/db/deliveries.ts';
import { outboxStreamFilter } from '#shared/db/outbox.ts';
import {
  AnnouncementDue,
  BudgetReconciliationDue,
  BudgetReportDue,
  BudgetSet,
  type EventContract,
  ExpenseAmended,
  ExpenseRecorded,
  ExpenseVoided,
  JobPageDue,
  JobRequested,
  MailingRequested,
  MailUndeliverable,
  OutboxSweepDue,
  OutletsChanged,
  RadioServicingDue,
  ReconciliationDue,
  ReleaseCancelled,
  ReleaseDayReached,
  ReleaseMailsSettled,
  ReleaseScheduled,
  ReleaseUpdated,
  ShowStepDue,
  TourBooked,
  TourPressSettled,
  TourShowAdded,
  TourShowCancelled,
  TourShowSettled,
  TourShowUpdated,
} from '#shared/events/index.ts';
import type { sesDetailTypes } from '#shared/events/ses.ts';
import { mailSettlementQueue, mailSettlementTiming, timeoutSeconds } from './function-settings.ts';

/**
 * Backline's topology: every function once, with its triggers and what it may touch.
 * The CDK stack (infra/stack.ts) and the local cloud (infra/local/) are both built from this
 * module, and test/infra holds the synthesized template against it, so the two cannot drift.
 */

/**
 * DynamoDB actions on the Backline table and its indexes, as IAM names them. IAM has no action for a
 * transaction: each item in a `TransactWriteItems` is authorized as PutItem, UpdateItem, DeleteItem or
 * ConditionCheckItem, so a function that writes transactions names the item actions it uses.
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/** `table:read` is short for these. */
export const tableReadActions: TableAction[] = ['GetItem', 'Query', 'BatchGetItem'];

/** The secrets in Secrets Manager a function can be granted, by name. */
export type SecretName = 'api-key' | 'token-signing-key';

/**
 * What a function may touch. The CDK stack turns each into the narrowest IAM grant; test/infra holds
 * the template to it, and a unit test holds each function's code to its `table:` grants.
 */
export type Permission =
  | 'table:read' // GetItem, Query, BatchGetItem
  | `table:${TableAction}`
  | 'ses:send'
  | `events:put:backline.${string}` // PutEvents on the Backline bus, with this `source` only (IAM events:source)
  | 'schedules:manage' // release-day schedules in Backline's schedule group, and passing the Scheduler role
  | `secrets:read:${SecretName}`
  | 'webhook-secrets:decrypt' // kms:Decrypt with the key that seals label webhook secrets
  | 'webhook-secrets:encrypt' // kms:GenerateDataKey with that key: a data key per secret written
  | `queue:consume:${string}`; // receive, delete and change the visibility of messages of this queue trigger's queue

/**
 * The `backline.<context>` sources a function may put events with: the stack's `events:source`
 * condition on its role, and what the local bus lets it put (docs/design.md#topology).
 */
export const eventSourcesOf = (may: readonly Permission[]): string[] =>
  may.flatMap((permission) =>
    permission.startsWith('events:put:') ? [permission.slice('events:put:'.length)] : [],
  );

/** Backline's own bus, or the account's default bus (where SES publishes, docs/design.md#two-buses). */
export type BusName = 'backline' | 'default';

/** An EventBridge content-filter pattern. */
export type EventPattern = Record<string, unknown>;

export type RouteAuth = 'apiKey' | 'webhook' | 'public';
/**
 * A method a route takes: an HTTP API matches a request's method to its routes exactly (only ANY takes
 * others), so a HEAD where a path has only GET is API Gateway's 404, as the local gateway answers; a
 * signed page's HEAD reaches its function through the page's `ANY` route (`signedPage`).
 */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/**
 * A route of the HTTP API as API Gateway holds it: what the stack creates and throttles (each route key
 * its own bucket, infra/settings.ts) and the local gateway matches. `ANY` takes every method its path
 * has no route of its own for. Most are a trigger's own `METHOD path`; a signed page's GET and HEAD
 * share one (`signedPage`).
 */
export interface GatewayRoute {
  method: HttpMethod | 'ANY';
  path: string;
  auth: RouteAuth;
}

export interface HttpTrigger {
  kind: 'http';
  /** The method and path as a client calls them, and the API document and the function's router list them. */
  method: HttpMethod;
  path: string;
  auth: RouteAuth;
  /** The route of the HTTP API that takes it, when not its own `method path` (see `signedPage`). */
  via?: GatewayRoute;
}

/**
 * The table's DynamoDB stream through a Lambda event source mapping: batches of records that pass
 * `filter` (Lambda filter criteria: EventBridge's pattern language over the stream record), a batch
 * retried `retryAttempts` times (split in two on a function error when `bisectBatchOnError`), then
 * its position recorded in an on-failure queue. The function answers partial batch failures.
 */
export interface StreamTrigger {
  kind: 'stream';
  filter: EventPattern;
  batchSize: number;
  retryAttempts: number;
  bisectBatchOnError: boolean;
}

/**
 * An SQS queue between a bus and a function (see docs/design.md#queues): a rule on `bus` puts the events
 * matching `pattern` in the queue, and Lambda's SQS event source mapping hands them to the function in
 * batches of up to `batchSize`, gathering for at most `batchingWindowSeconds`; each message becomes
 * visible `deliveryDelaySeconds` after it was sent (the queue's delivery delay). A message the function
 * does not finish (it throws, or names it in `batchItemFailures`) comes back after
 * `visibilityTimeoutSeconds`; after `maxReceiveCount` receives it goes to the queue's dead-letter queue.
 * The function needs the grant `queue:consume:<queue>`.
 */
export interface QueueTrigger {
  kind: 'queue';
  /** Unique in the topology; names the queue (`backline-<stage>-<queue>`) and its local journal. */
  queue: string;
  bus: BusName;
  pattern: EventPattern;
  /** SQS event source: 1-10,000; above 10 needs a batching window. */
  batchSize: number;
  /** 0-300 s. */
  batchingWindowSeconds: number;
  /** The queue's delivery delay: 0-900 s before a message sent to it can be received. */
  deliveryDelaySeconds: number;
  /** At least the function's timeout (Lambda refuses a mapping otherwise). */
  visibilityTimeoutSeconds: number;
  /** Receives before the dead-letter queue (the queue's redrive policy). */
  maxReceiveCount: number;
  /**
   * The most batches Lambda runs at once for this queue (the event source's `maxConcurrency`, 2-1,000):
   * it caps what the queue takes of the account's concurrency without a reserved concurrency, which
   * would make SQS count throttled receives towards `maxReceiveCount` (see docs/capacity.md).
   */
  maxConcurrency: number;
}

export type Trigger =
  | { kind: 'event'; bus: BusName; pattern: EventPattern }
  | HttpTrigger
  | StreamTrigger
  | QueueTrigger;

export interface FunctionSpec {
  /** Module with the exported `handler`, relative to the repository root. */
  entry: string;
  description: string;
  on: Trigger[];
  may: Permission[];
  /** Lambda's asynchronous retries for a handler that throws (0-2), before the on-failure queue. */
  retryAttempts?: 0 | 1 | 2;
  timeoutSeconds?: number;
  memoryMb?: number;
  /**
   * Files of the entry's folder that the function imports at run time as `./<file>` (JSON): left out of
   * its bundle and shipped beside it, so they cost nothing to compile when the function loads
   * (docs/design.md#bundles).
   */
  besideBundle?: string[];
}

/** A recurring EventBridge Scheduler schedule that puts its `event` (source `backline.scheduler`) on the Backline bus. */
export interface RecurringSchedule {
  name: string;
  expression: string;
  /** IANA zone; `manager` means the manager's time zone from configuration. */
  timeZone: 'UTC' | 'manager';
  event: EventContract;
  description: string;
}

/**
 * Rules on the Backline bus for these events, built from their contracts so that a typo cannot route
 * nothing: one pattern per set of sources, so each detail-type matches only from its own producers.
 */
export const consumes = (...contracts: EventContract[]): Trigger[] => {
  const bySources = new Map<string, { sources: string[]; detailTypes: string[] }>();
  for (const contract of contracts) {
    const key = JSON.stringify(contract.sources);
    const group = bySources.get(key) ?? { sources: [...contract.sources], detailTypes: [] };
    group.detailTypes.push(contract.detailType);
    bySources.set(key, group);
  }
  return [...bySources.values()].map(({ sources, detailTypes }) => ({
    kind: 'event',
    bus: 'backline',
    pattern: { source: sources, 'detail-type': detailTypes },
  }));
};

/** A rule on the default bus for SES's own events (docs/design.md#two-buses). */
export const consumesSes = (...detailTypes: (typeof sesDetailTypes)[number][]): Trigger => ({
  kind: 'event',
  bus: 'default',
  pattern: { source: ['aws.ses'], 'detail-type': detailTypes },
});

const route = (method: HttpMethod, path: string, auth: RouteAuth): HttpTrigger => ({
  kind: 'http',
  method,
  path,
  auth,
});

/**
 * A page behind a signed link in mail (`/u/{token}`): its GET and HEAD through one route of the HTTP API,
 * `ANY`, so that a HEAD (mail clients and link scanners check a mail's links with it) counts against the
 * allowance of the page's GET instead of adding one of its own; its POST (the page's form, RFC 8058's
 * one-click unsubscribe) keeps a route and an allowance of its own, which a flood of GETs cannot spend.
 * The `ANY` route's token is greedy (`{token+}`), so that the link with a trailing slash that a mail
 * client or a person typing writes reaches the function, which answers a 308 to the link as sent, where
 * `/u/{token}` would leave it the HTTP API's JSON 404 (a POST with one too: `POST /u/{token}` does not
 * take it). Another method reaches the function through `ANY` too, whose router answers it 404 as API
 * Gateway did (docs/design.md#routes-and-auth).
 */
const signedPage = (path: `${string}/{token}`): Trigger[] => {
  const via: GatewayRoute = { method: 'ANY', path: path.replace(/\{token\}$/, '{token+}'), auth: 'public' };
  return [
    { ...route('GET', path, 'public'), via },
    { ...route('HEAD', path, 'public'), via },
    route('POST', path, 'public'),
  ];
};

/** The routes of the HTTP API a function's triggers make, each once (several triggers may share one). */
export const gatewayRoutesOf = (spec: FunctionSpec): GatewayRoute[] => {
  const routes = new Map<string, GatewayRoute>();
  for (const trigger of spec.on) {
    if (trigger.kind !== 'http') continue;
    const gatewayRoute = trigger.via ?? { method: trigger.method, path: trigger.path, auth: trigger.auth };
    routes.set(routeKeyOf(gatewayRoute), gatewayRoute);
  }
  return [...routes.values()];
};

/** API Gateway's route key: `GET /u/{token}`. */
export const routeKeyOf = (route: { method: string; path: string }): string =>
  `${route.method} ${route.path}`;

const apiKey = (...routes: [HttpMethod, string][]): Trigger[] =>
  routes.map(([method, path]) => route(method, path, 'apiKey'));

export const schedules: RecurringSchedule[] = [
  {
    name: 'outbox-sweep',
    expression: 'rate(1 minute)',
    timeZone: 'UTC',
    event: OutboxSweepDue,
    description: 'Republishes outbox entries left unpublished and settles mail claims left open by a crash.',
  },
  {
    name: 'daily-reconciliation',
    expression: 'cron(0 7 * * ? *)',
    timeZone: 'manager',
    event: ReconciliationDue,
    description: "Fans out the reconciliation of every budget at 07:00 in the manager's time zone.",
  },
  {
    name: 'daily-budget-report',
    expression: 'cron(30 7 * * ? *)',
    timeZone: 'manager',
    event: BudgetReportDue,
    description:
      "Mails each budget owner the day's report at 07:30 in the manager's time zone, after the reconciliation.",
  },
];

/**
 * SES's Email Sent events, on their way to settle mail claims, gathered through a queue: one
 * invocation settles up to 100 of them (one BatchGetItem, one batched write for the claims still
 * open) instead of one invocation each (see docs/design.md#exactly-once-mail), in the settlement
 * function. The visibility timeout is six times its timeout plus the batching window, as AWS recommends
 * (see docs/design.md#queues).
 *
 * Each event waits 3 s in the queue before it can be received (its delivery delay): SES publishes
 * Email Sent as it accepts a mail, and the sender marks the call's mails sent as soon as SES answers,
 * so an event read at once would mostly find its claim open only because that write is under way.
 * After the delay the batch reads each claim once and writes only those still open, and no
 * invocation is billed for waiting. Its timing is function-settings.ts's `mailSettlementTiming`.
 */
export const mailSettlement: QueueTrigger = {
  kind: 'queue',
  queue: mailSettlementQueue,
  bus: 'default',
  pattern: { source: ['aws.ses'], 'detail-type': ['Email Sent'] },
  batchSize: 100,
  ...mailSettlementTiming,
  // 5 batches of 100 settle far more than any SES send rate the account is granted.
  maxConcurrency: 5,
};

export const functions = {
  intake: {
    entry: 'functions/intake/handler.ts',
    description: 'Takes signed label webhooks: records each one, which puts it in the outbox.',
    on: [route('POST', '/webhooks/{labelId}', 'webhook')],
    may: ['table:GetItem', 'table:PutItem', 'webhook-secrets:decrypt'],
  },
  publisher: {
    entry: 'functions/publisher/handler.ts',
    description:
      'Publishes outbox entries from the table stream; the sweep republishes those left unpublished.',
    on: [
      // Lambda: batches of up to 100 records from a DynamoDB stream would take 10 PutEvents calls of 10.
      {
        kind: 'stream',
        filter: outboxStreamFilter,
        batchSize: 100,
        retryAttempts: 3,
        bisectBatchOnError: true,
      },
      ...consumes(OutboxSweepDue),
    ],
    may: [
      'table:Query',
      // A replay told of a record whose event can no longer be built: its page's item put (shared/db/replay-rejections.ts).
      'table:PutItem',
      'table:UpdateItem',
      'events:put:backline.intake',
      'events:put:backline.releases',
      'events:put:backline.announcer',
      'events:put:backline.recipients',
      'events:put:backline.deliverability',
      'events:put:backline.management',
      'events:put:backline.jobs',
      'events:put:backline.budgets',
      'events:put:backline.tours',
    ],
    retryAttempts: 2,
    timeoutSeconds: 30,
  },
  management: {
    entry: 'functions/management/handler.ts',
    description:
      "The manager's API for labels, media outlets and release views; starts CSV imports and webhook replays as jobs.",
    on: apiKey(
      ['POST', '/labels'],
      ['GET', '/labels/{labelId}'],
      ['POST', '/labels/{labelId}/secrets/rotate'],
      ['POST', '/labels/{labelId}/secrets/revoke'],
      ['POST', '/labels/{labelId}/replays'],
      ['GET', '/labels/{labelId}/releases/{releaseId}'],
      ['GET', '/labels/{labelId}/releases/{releaseId}/deliveries'],
      ['POST', '/media-outlets'],
      ['GET', '/media-outlets'],
      ['POST', '/media-outlets/import'],
      ['GET', '/media-outlets/{outletId}'],
      ['PUT', '/media-outlets/{outletId}'],
      ['DELETE', '/media-outlets/{outletId}'],
      ['GET', '/jobs/{jobId}'],
    ),
    may: [
      'table:GetItem',
      'table:Query',
      'table:PutItem',
      'table:UpdateItem',
      'table:DeleteItem',
      'table:ConditionCheckItem',
      'secrets:read:api-key',
      'webhook-secrets:decrypt',
      'webhook-secrets:encrypt',
    ],
    // Under the API's integration timeout, as every function behind a route (function-settings.ts).
    timeoutSeconds: 29,
  },
  // The manager's API is served by two functions behind the one HTTP API, by area, so that neither
  // bundles the other's code (see docs/design.md#bundles).
  office: {
    entry: 'functions/office/handler.ts',
    description:
      "The manager's API for tours and money: budgets, ledgers and recoupables, FX rates, tours with their calendars, shows, guest lists and promoters.",
    on: apiKey(
      ['GET', '/labels/{labelId}/budgets'],
      ['GET', '/labels/{labelId}/budgets/{budgetId}'],
      ['GET', '/labels/{labelId}/budgets/{budgetId}/ledger'],
      ['GET', '/labels/{labelId}/budgets/{budgetId}/unconverted'],
      ['GET', '/labels/{labelId}/budgets/{budgetId}/refused'],
      ['GET', '/labels/{labelId}/budgets/{budgetId}/possible-duplicates'],
      ['GET', '/labels/{labelId}/budgets/{budgetId}/drift-history'],
      ['GET', '/labels/{labelId}/artists/{artistId}/recoupable'],
      ['PUT', '/fx-rates/{date}'],
      ['GET', '/fx-rates/{date}'],
      ['GET', '/labels/{labelId}/tours/{tourId}'],
      ['GET', '/labels/{labelId}/tours/{tourId}/itinerary.ics'],
      ['GET', '/labels/{labelId}/tours/{tourId}/shows/{showId}'],
      ['POST', '/labels/{labelId}/tours/{tourId}/shows/{showId}/guests'],
      ['GET', '/promoters'],
      ['GET', '/promoters/{promoterId}'],
    ),
    may: [
      'table:GetItem',
      // The tour view reads the deliveries of the press mails its notes name (toldAsReached).
      'table:BatchGetItem',
      'table:Query',
      'table:PutItem',
      'table:UpdateItem',
      'secrets:read:api-key',
      'secrets:read:token-signing-key',
    ],
    // Under the API's integration timeout, as every function behind a route (function-settings.ts).
    timeoutSeconds: 29,
  },
  jobs: {
    entry: 'functions/jobs/handler.ts',
    description:
      'Runs long work (CSV imports, webhook replays) one page per invocation, continuing through events.',
    on: consumes(JobRequested, JobPageDue),
    may: [
      'table:GetItem',
      'table:Query',
      'table:BatchGetItem',
      'table:PutItem',
      'table:UpdateItem',
      'table:DeleteItem',
      'table:ConditionCheckItem',
    ],
    retryAttempts: 2,
    timeoutSeconds: 120,
  },
  releases: {
    entry: 'functions/releases/handler.ts',
    description:
      'Keeps releases and their release-day, embargo and radio servicing schedules; asks the announcer for mailings.',
    on: consumes(
      ReleaseScheduled,
      ReleaseUpdated,
      ReleaseCancelled,
      ReleaseDayReached,
      AnnouncementDue,
      RadioServicingDue,
    ),
    may: ['table:GetItem', 'table:PutItem', 'table:UpdateItem', 'schedules:manage'],
    retryAttempts: 2,
  },
  announcer: {
    entry: 'functions/announcer/handler.ts',
    description:
      'Sends release mailings to matching outlets exactly once each, within the SES send rate; asks the first mails of upcoming releases for outlets added or changed.',
    on: consumes(MailingRequested, OutletsChanged, OutboxSweepDue, ReleaseMailsSettled),
    may: [
      'table:read',
      'table:PutItem',
      'table:UpdateItem',
      'table:DeleteItem',
      'ses:send',
      'events:put:backline.announcer',
      'secrets:read:token-signing-key',
    ],
    retryAttempts: 2,
    timeoutSeconds: timeoutSeconds.announcer,
    memoryMb: 1024,
  },
  // Apart from the announcer so that the settlement queue's visibility timeout, and every sender's
  // stale-claim window with it, is sized from a short batch's timeout, not a long mailing's
  // (docs/design.md#queues).
  settlement: {
    entry: 'functions/settlement/handler.ts',
    description:
      "Settles mail claims from SES's Email Sent events in batches; asks what follows a withdrawal found sent after its release was given back.",
    on: [mailSettlement],
    may: [
      // The claims, outlets and release its events name, each by its key or in batches.
      'table:GetItem',
      'table:BatchGetItem',
      'table:PutItem',
      'table:UpdateItem',
      'events:put:backline.announcer',
      `queue:consume:${mailSettlement.queue}`,
    ],
    timeoutSeconds: timeoutSeconds.settlement,
  },
  recipients: {
    entry: 'functions/recipients/handler.ts',
    description:
      "The pages behind the signed links in Backline's mail: one-click unsubscribe (RFC 8058), promo links, the promoter's advance form and the tour manager's page.",
    // Each page's HEAD too: mail clients and link scanners check a mail's links with it
    // (docs/design.md#routes-and-auth).
    on: [
      ...signedPage('/u/{token}'),
      ...signedPage('/p/{token}'),
      // The tours' pages, behind the links tour mail carries: served here, so that the tours function
      // bundles no router and no pages (see docs/design.md#bundles).
      ...signedPage('/a/{token}'),
      ...signedPage('/tm/{token}'),
    ],
    // An outlet and its address's opt-outs by key, a subject's deliveries and a tour's shows by Query.
    may: [
      'table:GetItem',
      'table:Query',
      'table:PutItem',
      'table:UpdateItem',
      'secrets:read:token-signing-key',
    ],
  },
  deliverability: {
    entry: 'functions/deliverability/handler.ts',
    description:
      'Suppresses addresses on a permanent bounce or a complaint; marks mail SES rejected; states Mail Undeliverable for operational mail.',
    on: [consumesSes('Email Bounced', 'Email Complaint Received', 'Email Rejected')],
    // It reads an outlet, an address's owner and opt-outs, and the delivery that bounced or was rejected, each by its key.
    may: ['table:GetItem', 'table:PutItem', 'table:UpdateItem'],
    retryAttempts: 2,
  },
  tours: {
    entry: 'functions/tours/handler.ts',
    description:
      "Keeps tours and their shows in the venues' time zones, schedules each show's advancing, and mails promoters, tour managers and the press (with the shows' calendars).",
    on: consumes(
      TourBooked,
      TourShowAdded,
      TourShowUpdated,
      TourShowCancelled,
      TourShowSettled,
      ShowStepDue,
      MailUndeliverable,
      OutboxSweepDue,
      TourPressSettled,
      OutletsChanged,
    ),
    may: [
      'table:GetItem',
      'table:BatchGetItem',
      'table:Query',
      'table:PutItem',
      'table:UpdateItem',
      // The mail module gives back a claim SES certainly did not take.
      'table:DeleteItem',
      // A press step's notes and claims are written only while the show is as the step read it.
      'table:ConditionCheckItem',
      'schedules:manage',
      'ses:send',
      'secrets:read:token-signing-key',
    ],
    retryAttempts: 2,
    // Press is sent page by page within the shared send rate (see function-settings.ts).
    timeoutSeconds: timeoutSeconds.tours,
  },
  budgets: {
    entry: 'functions/budgets/handler.ts',
    description:
      "Keeps budgets and the expense ledger with running totals (a tour budget takes its shows' settlements as income); reconciles each budget daily, alerts and reports to owners, and marks owners whose address bounced.",
    on: [
      ...consumes(
        BudgetSet,
        ExpenseRecorded,
        ExpenseAmended,
        ExpenseVoided,
        TourShowSettled,
        ReconciliationDue,
        BudgetReconciliationDue,
        BudgetReportDue,
        OutboxSweepDue,
      ),
      // Only budget mail that could not be delivered: a bounced advance request is the tours' business.
      {
        kind: 'event',
        bus: 'backline',
        pattern: {
          source: [...MailUndeliverable.sources],
          'detail-type': [MailUndeliverable.detailType],
          detail: { data: { subject: budgetMailSubjectTypes } },
        },
      },
    ],
    may: [
      'table:read',
      'table:PutItem',
      'table:UpdateItem',
      'table:DeleteItem',
      'table:ConditionCheckItem',
      'ses:send',
    ],
    retryAttempts: 2,
    timeoutSeconds: timeoutSeconds.budgets,
  },
  health: {
    entry: 'functions/health/handler.ts',
    description: 'Answers that the API is up, and serves the API document (OpenAPI).',
    on: [route('GET', '/health', 'public'), route('GET', '/openapi.json', 'public')],
    may: [],
    besideBundle: ['openapi.json'],
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

export const functionEntries = (): [FunctionName, FunctionSpec][] =>
  Object.entries(functions) as [FunctionName, FunctionSpec][];

export const busNames: Record<BusName, string> = { backline: 'backline', default: 'default' };

/**
 * One SES configuration set per mail stream (see docs/design.md#two-mail-streams), each publishing
 * SES's send, delivery, bounce, complaint and reject events to the default bus: named after the
 * stack (or the local cloud) plus `suffix`, and given to every function in the variable
 * `configurationSetVariable` (shared/mail/ports.ts) names.
 */
export const mailStreams: Record<MailStream, { suffix: string }> = {
  campaign: { suffix: '' },
  operational: { suffix: '-operational' },
};

// What running code reads is declared in function-settings.ts (see there); the topology is where to find it.
export {
  asyncEventMaxAgeSeconds,
  deadLetterRetentionSeconds,
  functionDefaults,
  httpIntegrationTimeoutSeconds,
  mailSettlementLatencySeconds,
  queueLatencySeconds,
  queueRetentionSeconds,
  ruleTargetRetry,
  settingsOf,
} from './function-settings.ts';
