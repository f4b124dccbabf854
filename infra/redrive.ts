import { parseArgs } from 'node:util';
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
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoOutbox } from '#shared/db/outbox-publishing.ts';
import type { EventContract } from '#shared/events/envelope.ts';
import {
  AnnouncementDue,
  buildDetail,
  OutboxSweepDue,
  RadioServicingDue,
  ReleaseDayReached,
  ShowStepDue,
} from '#shared/events/index.ts';
import {
  deployedFunctionName,
  deployedName,
  deployedQueueName,
  deployedScheduleName,
  scheduleDeadLettersQueue,
} from './app-function.ts';
import { exitStatus } from './cli/client.ts';
import { matchesPattern } from './local/bus/pattern.ts';
import { type FunctionName, type FunctionSpec, functionEntries, schedules } from './topology.ts';

/**
 * `npm run redrive -- --stage prod`: every event-triggered function of the topology keeps the
 * invocations that failed all of Lambda's asynchronous retries in its on-failure queue, as
 * destination records (`requestPayload` = the original event; see docs/design.md#failures-and-retries).
 * For each function this finds that queue from the function's own event-invoke configuration, re-invokes
 * the function with each record's original event (asynchronously, so it gets its retries again) and
 * deletes the message once Lambda has accepted the invocation. A message whose invocation is refused
 * stays in the queue for the next run. Then it has the publisher sweep the outbox now, round after
 * round, so entries left unpublished (the stream path gave up on them) go out without waiting for the
 * next minute's sweep (see docs/design.md#the-outbox). Each queue trigger's dead letters are moved back
 * to their queue. Events EventBridge could not deliver to a rule's target at all (a function or a
 * trigger's queue) wait in that target's delivery dead-letter queue: they go to their target as
 * EventBridge would have sent them. Outbox entries the bus refused for good are parked (see
 * docs/design.md#the-outbox): before the sweep they are put back on the unpublished index, so that
 * once their cause is fixed they are published. The publisher's table-stream on-failure queue holds
 * only positions, not events: the messages read before the sweep are deleted once the sweep has
 * emptied the outbox (they are moot then, and would keep the queue's alarm on for 14 days), and
 * counted. `--dry-run` only counts; `--function name` limits it to one.
 * A stage none of whose functions exists (a mistyped `--stage`) is refused, saying so (exit 2), before
 * anything is redriven; a function of the stage that is not deployed is skipped, saying so.
 */

export interface RedriveDeps {
  lambda: Pick<LambdaClient, 'send'>;
  sqs: Pick<SQSClient, 'send'>;
  events: Pick<EventBridgeClient, 'send'>;
  /** The table's parked outbox entries (the table is the one the publisher's configuration names). */
  dynamo: DynamoDBDocumentClient;
  log: (line: string) => void;
}

export interface FunctionRedrive {
  /** `scheduler` for the schedules' dead-letter queue (releases', tours' and the recurring schedules). */
  function: FunctionName | 'scheduler';
  /**
   * What was redriven: the function's on-failure queue, a rule target's delivery dead-letter queue, or
   * the publisher's table-stream on-failure queue (positions only: `redriven` are those the outbox
   * sweep made moot and that were deleted).
   */
  kind: 'on-failure' | 'delivery' | 'stream' | 'schedule';
  queue?: string;
  /** Messages found (dry run: approximately, as SQS counts them). */
  found: number;
  redriven: number;
  failed: number;
}

/** A Lambda asynchronous-invocation destination record, as Lambda puts it on an on-failure SQS queue. */
interface DestinationRecord {
  requestContext?: { requestId?: string; condition?: string; approximateInvokeCount?: number };
  requestPayload?: unknown;
  responsePayload?: { errorType?: string; errorMessage?: string };
}

/** Long enough for one run to get through a queue without meeting the messages it could not redrive again. */
const VISIBILITY_SECONDS = 300;

export async function redrive(
  options: { stage: string; only?: FunctionName; dryRun?: boolean },
  deps: RedriveDeps,
): Promise<FunctionRedrive[]> {
  const deployed = await deployedFunctions(options.stage, deps);
  // A mistyped stage finds nothing at all: saying so beats reporting each function as unconfigured.
  if (deployed.size === 0) throw new StageNotDeployed(options.stage);
  const eventTriggered = functionEntries().filter(
    ([name, spec]) =>
      spec.on.some((trigger) => trigger.kind === 'event') && (!options.only || options.only === name),
  );
  const results: FunctionRedrive[] = [];
  for (const [name] of eventTriggered) {
    const functionName = deployedFunctionName(options.stage, name);
    if (!deployed.has(name)) {
      deps.log(`${functionName}: not deployed in stage ${options.stage}, skipped`);
      results.push({ function: name, kind: 'on-failure', found: 0, redriven: 0, failed: 0 });
      continue;
    }
    const queueUrl = await onFailureQueue(functionName, deps);
    if (!queueUrl) {
      deps.log(`${functionName}: no on-failure queue configured, skipped`);
      results.push({ function: name, kind: 'on-failure', found: 0, redriven: 0, failed: 0 });
      continue;
    }
    results.push(
      await redriveOrCount(
        { function: name, kind: 'on-failure', label: functionName },
        queueUrl,
        options.dryRun,
        deps,
        async (body) => {
          const record = JSON.parse(body) as DestinationRecord;
          if (record.requestPayload === undefined)
            throw new Error('not a Lambda destination record (no requestPayload)');
          await invokeAsync(functionName, record.requestPayload, deps);
        },
      ),
    );
  }
  for (const [name, spec] of functionEntries()) {
    if (options.only && options.only !== name) continue;
    if (!deployed.has(name)) continue;
    for (const target of await deliveryTargets(options.stage, name, spec, deployed.get(name)!.arn, deps)) {
      for (const queueUrl of await deliveryDeadLetterQueues(target, deps)) {
        results.push(
          await redriveOrCount(
            { function: name, kind: 'delivery', label: `${target.name} (undelivered events)` },
            queueUrl,
            options.dryRun,
            deps,
            target.deliver,
          ),
        );
      }
    }
  }
  if (!options.dryRun) {
    for (const [name, spec] of functionEntries()) {
      if ((options.only && options.only !== name) || !deployed.has(name)) continue;
      for (const trigger of spec.on) {
        if (trigger.kind === 'queue')
          await moveDeadLettersBack(deployedQueueName(options.stage, trigger.queue), deps);
      }
    }
  }
  results.push(await redriveScheduleDeadLetters(options.stage, options.only, options.dryRun, deps));
  if ((!options.only || options.only === 'publisher') && deployed.has('publisher')) {
    const publisher = deployedFunctionName(options.stage, 'publisher');
    const positions = await streamPositionsQueue(publisher, deps);
    if (options.dryRun) {
      if (positions) results.push(await redriveOrCount(positions.of, positions.queueUrl, true, deps, noop));
      await putBackParked(publisher, deployed.get('publisher')?.tableName, true, deps);
    } else {
      // Read (and hidden) before the sweep: a batch that fails while it runs is not covered by it, and stays.
      const held = positions ? await receiveAll(positions.queueUrl, positionsVisibilitySeconds(), deps) : [];
      await putBackParked(publisher, deployed.get('publisher')?.tableName, false, deps);
      const { emptied } = await sweepOutboxNow(publisher, deps);
      if (positions) results.push(await deleteMoot(positions, held, emptied, deps));
    }
  }
  return results;
}

/** `--stage` names a stage with no function of the topology deployed (in this account and region). */
export class StageNotDeployed extends Error {
  readonly stage: string;
  constructor(stage: string) {
    super(
      `stage "${stage}" has nothing deployed: none of its functions (${deployedName(stage)}-*) exists in this account and region. Check --stage (the stage the stack was deployed with, Backline-<stage>) and --region; nothing was redriven`,
    );
    this.stage = stage;
  }
}

/** A deployed function: its ARN, and the table its configuration names (the publisher's, for parked entries). */
interface DeployedFunction {
  arn: string;
  tableName?: string;
}

/** The topology's functions deployed in `stage`, by name; none when the stage has no stack. */
async function deployedFunctions(
  stage: string,
  deps: RedriveDeps,
): Promise<Map<FunctionName, DeployedFunction>> {
  const deployed = new Map<FunctionName, DeployedFunction>();
  for (const [name] of functionEntries()) {
    try {
      const { FunctionArn, Environment } = await deps.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: deployedFunctionName(stage, name) }),
      );
      const tableName = Environment?.Variables?.TABLE_NAME;
      if (FunctionArn) deployed.set(name, { arn: FunctionArn, ...(tableName ? { tableName } : {}) });
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
  return deployed;
}

const noop = async () => {};

/** Whether a rule of `name` on the Backline bus takes `event`, matched as EventBridge matches it. */
const consumedBy = (name: FunctionName, event: { source: string; 'detail-type': string; detail: unknown }) =>
  functionEntries()
    .find(([entry]) => entry === name)![1]
    .on.some(
      (trigger) =>
        trigger.kind === 'event' && trigger.bus === 'backline' && matchesPattern(trigger.pattern, event),
    );

/**
 * The event each schedule puts on the bus, by the schedule's name (docs/design.md#schedules): a
 * one-time schedule's name starts with its kind and a hash (`releaseDayScheduleName` and the other
 * adapters' names; test/unit/infra/redrive.test.ts holds each to this list), a recurring one is
 * `deployedScheduleName` of its topology name.
 */
const oneTimeSchedules: [prefix: string, contract: EventContract][] = [
  ['release-day-', ReleaseDayReached],
  ['announce-', AnnouncementDue],
  ['radio-', RadioServicingDue],
  ['show-step-', ShowStepDue],
];

export function scheduledEventOf(stage: string, scheduleName: string): EventContract | undefined {
  const recurring = schedules.find((schedule) => deployedScheduleName(stage, schedule.name) === scheduleName);
  if (recurring) return recurring.event;
  return oneTimeSchedules.find(([prefix]) => new RegExp(`^${prefix}[0-9a-z]+$`).test(scheduleName))?.[1];
}

/**
 * The schedules' dead-letter queue (docs/design.md#schedules): a release day, an embargo's end, a
 * radio servicing, a show step or a recurring firing (the daily reconciliation) that Scheduler could
 * not put on the bus after its retries. Each message is Scheduler's dead-letter event: the target's
 * input (the event's `detail`) as its body, the schedule and the bus as its `SCHEDULE_ARN` and
 * `TARGET_ARN` attributes. It is put on that bus again as the schedule would have put it, so it
 * comes late, as the local cloud's redrive of a schedule's dead letter does; its consumers take a
 * late firing as they take a retried one. A message whose schedule names no event of the topology, or
 * whose body is not that event's detail, is left in the queue for the operator, saying why. With
 * `--function`, a run takes only the firings that function consumes (they reach its other consumers
 * too, as the schedule's would have); the others stay in the queue, visible again at once, for their
 * own function's run.
 */
async function redriveScheduleDeadLetters(
  stage: string,
  only: FunctionName | undefined,
  dryRun: boolean | undefined,
  deps: RedriveDeps,
): Promise<FunctionRedrive> {
  const queueName = deployedQueueName(stage, scheduleDeadLettersQueue);
  let queueUrl: string | undefined;
  try {
    queueUrl = (await deps.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
  } catch (error) {
    if (
      (error as Error)?.name !== 'QueueDoesNotExist' &&
      (error as Error)?.name !== 'AWS.SimpleQueueService.NonExistentQueue'
    )
      throw error;
  }
  if (!queueUrl) {
    deps.log(`${queueName}: not deployed, skipped`);
    return { function: 'scheduler', kind: 'schedule', found: 0, redriven: 0, failed: 0 };
  }
  return redriveOrCount(
    { function: 'scheduler', kind: 'schedule', label: `${queueName} (schedule firings)` },
    queueUrl,
    dryRun,
    deps,
    async (body, message) => {
      const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
      const scheduleName = attribute('SCHEDULE_ARN')?.split('/').pop() ?? '';
      const contract = scheduledEventOf(stage, scheduleName);
      if (!contract) throw new Error(`schedule "${scheduleName}" puts no event of the topology`);
      const bus = attribute('TARGET_ARN');
      if (!bus) throw new Error('no TARGET_ARN: not a Scheduler dead-letter event');
      let detail: unknown;
      try {
        detail = JSON.parse(body);
      } catch {
        throw new Error(`its body is not the ${contract.detailType} detail (not JSON)`);
      }
      const parsed = contract.detail.safeParse(detail);
      if (!parsed.success) throw new Error(`its body is not the ${contract.detailType} detail`);
      if (only && !consumedBy(only, { source: contract.source, 'detail-type': contract.detailType, detail }))
        return 'not this run';
      const { FailedEntryCount, Entries } = await deps.events.send(
        new PutEventsCommand({
          Entries: [
            { EventBusName: bus, Source: contract.source, DetailType: contract.detailType, Detail: body },
          ],
        }),
      );
      if (FailedEntryCount) throw new Error(`the bus refused it: ${Entries?.[0]?.ErrorCode ?? 'unknown'}`);
    },
  );
}

/**
 * Positions stay hidden while every round of the sweep may run: each round is one synchronous
 * invocation of the publisher, at most its timeout.
 */
const positionsVisibilitySeconds = () =>
  maxSweepRounds * (functionEntries().find(([name]) => name === 'publisher')?.[1].timeoutSeconds ?? 30) + 60;

/**
 * The publisher's table-stream on-failure queue, from its event source mapping. It holds only
 * positions in the stream (docs/design.md#the-outbox): the entries themselves stay unpublished in the
 * table, so replaying a position adds nothing the outbox sweep does not do.
 */
async function streamPositionsQueue(publisher: string, deps: RedriveDeps) {
  let mappings: { EventSourceArn?: string; DestinationConfig?: { OnFailure?: { Destination?: string } } }[] =
    [];
  try {
    const answer = await deps.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: publisher }));
    mappings = answer?.EventSourceMappings ?? [];
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const streamMapping = mappings.find((mapping) =>
    /:dynamodb:.*\/stream\//.test(mapping.EventSourceArn ?? ''),
  );
  const queueUrl = await queueUrlOf(streamMapping?.DestinationConfig?.OnFailure?.Destination, deps);
  if (!queueUrl) return undefined;
  return {
    queueUrl,
    of: {
      function: 'publisher' as FunctionName,
      kind: 'stream' as const,
      label: `${publisher} (stream positions)`,
    },
  };
}

/**
 * Every message a queue holds now, each once: received (and so hidden for `visibilitySeconds`) ten at
 * a time until a receive brings none not seen yet. Lazy: a caller may handle each batch (and delete
 * its messages) before the next is received.
 */
async function* receiveEach(
  queueUrl: string,
  visibilitySeconds: number,
  deps: RedriveDeps,
): AsyncGenerator<Message> {
  const seen = new Set<string>();
  for (;;) {
    const { Messages = [] } = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        // SQS: at most 10 messages per receive.
        MaxNumberOfMessages: 10,
        // A schedule's dead letter names its schedule and bus in its attributes.
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
        VisibilityTimeout: visibilitySeconds,
      }),
    );
    const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (fresh.length === 0) return;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      yield message;
    }
  }
}

/** Every message a queue holds now (hidden for `visibilitySeconds`), by id and receipt handle. */
async function receiveAll(queueUrl: string, visibilitySeconds: number, deps: RedriveDeps) {
  const held: { id: string; receiptHandle: string }[] = [];
  for await (const message of receiveEach(queueUrl, visibilitySeconds, deps))
    held.push({ id: message.MessageId!, receiptHandle: message.ReceiptHandle ?? '' });
  return held;
}

/**
 * After a sweep that emptied the outbox (a round republished nothing), the positions read before it
 * are moot: each entry of those batches was published (or parked) by the sweep, whose query took
 * them all. They are deleted, so the queue's alarm clears now rather than when they expire (14 days).
 * After a sweep that did not finish, they stay.
 */
async function deleteMoot(
  positions: NonNullable<Awaited<ReturnType<typeof streamPositionsQueue>>>,
  held: { id: string; receiptHandle: string }[],
  emptied: boolean,
  deps: RedriveDeps,
): Promise<FunctionRedrive> {
  const result: FunctionRedrive = {
    function: positions.of.function,
    kind: positions.of.kind,
    queue: positions.queueUrl,
    found: held.length,
    redriven: 0,
    failed: 0,
  };
  if (!emptied) {
    deps.log(`${positions.of.label}: ${held.length} left in the queue: the sweep did not empty the outbox`);
    return { ...result, failed: held.length };
  }
  for (const message of held) {
    try {
      await deps.sqs.send(
        new DeleteMessageCommand({ QueueUrl: positions.queueUrl, ReceiptHandle: message.receiptHandle }),
      );
      result.redriven++;
    } catch (error) {
      result.failed++;
      deps.log(`${positions.of.label}: message ${message.id} left in the queue: ${(error as Error).message}`);
    }
  }
  deps.log(`${positions.of.label}: ${result.redriven} made moot by the outbox sweep and deleted`);
  return result;
}

/** At most this many parked entries are listed on a dry run. */
const parkedListed = 1000;

/**
 * Outbox entries the bus refused for good wait parked (docs/design.md#the-outbox) until the cause is
 * fixed: put back on the unpublished index, the table stream brings them to the publisher at once.
 * Found in the table the publisher's own configuration names (read with the stage's functions).
 */
async function putBackParked(
  publisher: string,
  tableName: string | undefined,
  dryRun: boolean | undefined,
  deps: RedriveDeps,
) {
  if (!tableName) {
    deps.log(`${publisher}: its configuration names no table, no parked outbox entries looked for`);
    return;
  }
  const outbox = dynamoOutbox(deps.dynamo, tableName);
  if (dryRun) {
    const parked = await outbox.parked(parkedListed);
    const oldest = parked[0] ? ` (oldest ${parked[0].parkedAt}: ${parked[0].code})` : '';
    deps.log(`${publisher}: ${parked.length} parked outbox entries${oldest}`);
    return;
  }
  const requeued = await outbox.requeueParked(new Date());
  deps.log(`${publisher}: ${requeued} parked outbox entries put back for publishing`);
}

/**
 * A queue trigger's dead letters go back to its queue through SQS's own dead-letter redrive
 * (StartMessageMoveTask, to the queue they came from). A settlement message left there keeps its
 * claim open, and the stale-claim sweep would send that mail again once the stale window passes
 * (see docs/design.md#queues). Answers whether a move was started.
 */
export async function moveDeadLettersBack(queueName: string, deps: RedriveDeps): Promise<boolean> {
  const { QueueUrl } = await deps.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const { Attributes } = await deps.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }),
  );
  const policy = Attributes?.RedrivePolicy;
  const deadLetters = policy
    ? (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn
    : undefined;
  if (!deadLetters) {
    deps.log(`${queueName}: no dead-letter queue, skipped`);
    return false;
  }
  try {
    await deps.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: deadLetters }));
  } catch (error) {
    // One move task at a time per queue: one already running will move these too.
    deps.log(`${queueName}: dead letters not moved back: ${(error as Error).message}`);
    return false;
  }
  deps.log(`${queueName}: moving its dead letters back to it`);
  return true;
}

/** At most this many sweeps of up to 500 entries each in one redrive. */
const maxSweepRounds = 20;

/**
 * Invokes the publisher synchronously with the same `Outbox Sweep Due` its schedule sends, until a
 * sweep republishes nothing. A sweep takes only entries unpublished for three minutes or more, so
 * this never races the stream path for an entry it is still publishing.
 */
export async function sweepOutboxNow(
  functionName: string,
  deps: RedriveDeps,
): Promise<{ republished: number; emptied: boolean }> {
  let republished = 0;
  let emptied = false;
  for (let round = 0; round < maxSweepRounds; round++) {
    const event = {
      version: '0',
      'detail-type': OutboxSweepDue.detailType,
      source: OutboxSweepDue.source,
      detail: buildDetail(OutboxSweepDue, {}),
    };
    const answer = await deps.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    const payload = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
    if (answer.FunctionError) {
      deps.log(`${functionName}: outbox sweep failed: ${payload}`);
      throw new Error(`${functionName}: outbox sweep failed (${answer.FunctionError})`);
    }
    const swept = Number((JSON.parse(payload || '{}') as { republished?: number }).republished ?? 0);
    republished += swept;
    if (swept === 0) {
      emptied = true;
      break;
    }
  }
  deps.log(`${functionName}: ${republished} unpublished outbox entries republished`);
  return { republished, emptied };
}

async function onFailureQueue(functionName: string, deps: RedriveDeps): Promise<string | undefined> {
  let destination: string | undefined;
  try {
    const config = await deps.lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: functionName }),
    );
    destination = config.DestinationConfig?.OnFailure?.Destination;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
  return queueUrlOf(destination, deps);
}

/** The URL of the queue an SQS ARN names; undefined for no ARN or another service's. */
async function queueUrlOf(arn: string | undefined, deps: RedriveDeps): Promise<string | undefined> {
  // arn:aws:sqs:<region>:<account>:<queue name>
  const [, , service, , account, queueName] = arn?.split(':') ?? [];
  if (service !== 'sqs' || !queueName) return undefined;
  const { QueueUrl } = await deps.sqs.send(
    new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }),
  );
  return QueueUrl;
}

/** Lambda answers 202 once it has queued an asynchronous invocation. */
async function invokeAsync(functionName: string, event: unknown, deps: RedriveDeps): Promise<void> {
  const invoked = await deps.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  if (invoked.StatusCode !== 202) throw new Error(`Invoke answered ${invoked.StatusCode}`);
}

/** A rule target of a function's triggers: its ARN, the buses its rules are on, and how an event reaches it. */
interface DeliveryTarget {
  name: string;
  arn: string;
  buses: string[];
  deliver: (event: string) => Promise<void>;
}

/**
 * The targets EventBridge delivers a deployed function's events to: the function itself (`functionArn`)
 * for its event triggers, and each queue trigger's queue.
 */
async function deliveryTargets(
  stage: string,
  name: FunctionName,
  spec: FunctionSpec,
  functionArn: string,
  deps: RedriveDeps,
): Promise<DeliveryTarget[]> {
  const busName = (bus: string) => (bus === 'default' ? 'default' : deployedName(stage));
  const targets: DeliveryTarget[] = [];
  const eventBuses = [
    ...new Set(spec.on.flatMap((trigger) => (trigger.kind === 'event' ? [busName(trigger.bus)] : []))),
  ];
  if (eventBuses.length > 0) {
    const functionName = deployedFunctionName(stage, name);
    targets.push({
      name: functionName,
      arn: functionArn,
      buses: eventBuses,
      deliver: (event) => invokeAsync(functionName, JSON.parse(event), deps),
    });
  }
  for (const trigger of spec.on) {
    if (trigger.kind !== 'queue') continue;
    const queueName = deployedQueueName(stage, trigger.queue);
    const { QueueUrl } = await deps.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    const { Attributes } = await deps.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    if (!Attributes?.QueueArn) continue;
    targets.push({
      name: queueName,
      arn: Attributes.QueueArn,
      buses: [busName(trigger.bus)],
      deliver: async (event) => {
        await deps.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: event }));
      },
    });
  }
  return targets;
}

/** The delivery dead-letter queues of a target's rules, found from the rules themselves. */
async function deliveryDeadLetterQueues(target: DeliveryTarget, deps: RedriveDeps): Promise<string[]> {
  const arns = new Set<string>();
  for (const bus of target.buses) {
    let next: string | undefined;
    do {
      const page = await deps.events.send(
        new ListRuleNamesByTargetCommand({ TargetArn: target.arn, EventBusName: bus, NextToken: next }),
      );
      for (const rule of page.RuleNames ?? []) {
        const { Targets = [] } = await deps.events.send(
          new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus }),
        );
        for (const t of Targets)
          if (t.Arn === target.arn && t.DeadLetterConfig?.Arn) arns.add(t.DeadLetterConfig.Arn);
      }
      next = page.NextToken;
    } while (next);
  }
  const urls: string[] = [];
  for (const arn of arns) {
    const url = await queueUrlOf(arn, deps);
    if (url) urls.push(url);
  }
  return urls;
}

/**
 * Counts a dead-letter queue's messages (dry run), or hands each to `deliver` and deletes it once
 * delivered; a message that fails stays in the queue for the next run. A message `deliver` answers is
 * not this run's (`'not this run'`) is neither counted nor deleted, and made visible again once the queue is read through
 * (not before: a receive that finds only messages it has seen ends the reading).
 */
async function redriveOrCount(
  of: { function: FunctionRedrive['function']; kind: FunctionRedrive['kind']; label: string },
  queueUrl: string,
  dryRun: boolean | undefined,
  deps: RedriveDeps,
  deliver: (body: string, message: Message) => Promise<unknown>,
): Promise<FunctionRedrive> {
  const result: FunctionRedrive = {
    function: of.function,
    kind: of.kind,
    queue: queueUrl,
    found: 0,
    redriven: 0,
    failed: 0,
  };
  if (dryRun) {
    const { Attributes } = await deps.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    result.found = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    deps.log(`${of.label}: ${result.found} dead-lettered`);
    return result;
  }
  const others: Message[] = [];
  for await (const message of receiveEach(queueUrl, VISIBILITY_SECONDS, deps)) {
    try {
      if ((await deliver(message.Body ?? '', message)) === 'not this run') {
        others.push(message);
        continue;
      }
      result.found++;
      await deps.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      result.redriven++;
    } catch (error) {
      result.found++;
      result.failed++;
      deps.log(`${of.label}: message ${message.MessageId} left in the queue: ${(error as Error).message}`);
    }
  }
  for (const message of others) {
    await deps.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
  deps.log(
    `${of.label}: ${result.found} dead-lettered, ${result.redriven} redriven, ${result.failed} left in the queue`,
  );
  return result;
}

const usage = [
  'usage: npm run redrive -- --stage <stage> [--function <name>] [--dry-run] [--region <region>]',
  // One shape with the backline command's (infra/cli/client.ts).
  'exit status: 0 when every dead letter was redriven, 1 when some are left in their queue (it says so, and why), 2 when it did not run or did not finish (the error is on stderr)',
].join('\n');

const readOptions = () =>
  parseArgs({
    options: {
      stage: { type: 'string' },
      function: { type: 'string' },
      region: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });

async function main(): Promise<void> {
  let values: ReturnType<typeof readOptions>['values'];
  try {
    values = readOptions().values;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${usage}`);
  }
  if (values.help) return console.log(usage);
  if (!values.stage) throw new Error(usage);
  const known = functionEntries().map(([name]) => name);
  if (values.function && !known.includes(values.function as FunctionName)) {
    throw new Error(`--function must be one of ${known.join(', ')}`);
  }
  const config = values.region ? { region: values.region } : {};
  const results = await redrive(
    { stage: values.stage, only: values.function as FunctionName | undefined, dryRun: values['dry-run'] },
    {
      lambda: new LambdaClient(config),
      sqs: new SQSClient(config),
      events: new EventBridgeClient(config),
      dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
      log: (line) => console.log(line),
    },
  );
  if (results.some((result) => result.failed > 0)) process.exitCode = exitStatus.inPart;
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(exitStatus.notDone);
  });
}
