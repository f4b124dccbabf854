import { parseArgs } from 'node:util';
import {
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { buildDetail, OutboxSweepDue } from '#shared/events/index.ts';
import { deployedFunctionName } from './app-function.ts';
import { type FunctionName, functionEntries } from './topology.ts';

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
 * to their queue. `--dry-run` only counts; `--function name`
 * limits it to one.
 */

export interface RedriveDeps {
  lambda: Pick<LambdaClient, 'send'>;
  sqs: Pick<SQSClient, 'send'>;
  log: (line: string) => void;
}

export interface FunctionRedrive {
  function: FunctionName;
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
  const eventTriggered = functionEntries().filter(
    ([name, spec]) =>
      spec.on.some((trigger) => trigger.kind === 'event') && (!options.only || options.only === name),
  );
  const results: FunctionRedrive[] = [];
  for (const [name] of eventTriggered) {
    const functionName = deployedFunctionName(options.stage, name);
    const queueUrl = await onFailureQueue(functionName, deps);
    if (!queueUrl) {
      deps.log(`${functionName}: no on-failure queue configured, skipped`);
      results.push({ function: name, found: 0, redriven: 0, failed: 0 });
      continue;
    }
    const result = options.dryRun
      ? await count(name, queueUrl, deps)
      : await redriveQueue(name, functionName, queueUrl, deps);
    deps.log(
      `${functionName}: ${result.found} dead-lettered${options.dryRun ? '' : `, ${result.redriven} redriven, ${result.failed} left in the queue`}`,
    );
    results.push(result);
  }
  if (!options.dryRun) {
    for (const [name, spec] of functionEntries()) {
      if (options.only && options.only !== name) continue;
      for (const trigger of spec.on) {
        if (trigger.kind === 'queue')
          await moveDeadLettersBack(`backline-${options.stage}-${trigger.queue}`, deps);
      }
    }
  }
  if (!options.dryRun && (!options.only || options.only === 'publisher')) {
    await sweepOutboxNow(deployedFunctionName(options.stage, 'publisher'), deps);
  }
  return results;
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
export async function sweepOutboxNow(functionName: string, deps: RedriveDeps): Promise<number> {
  let republished = 0;
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
    if (swept === 0) break;
  }
  deps.log(`${functionName}: ${republished} unpublished outbox entries republished`);
  return republished;
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
  // arn:aws:sqs:<region>:<account>:<queue name>
  const [, , service, , account, queueName] = destination?.split(':') ?? [];
  if (service !== 'sqs' || !queueName) return undefined;
  const { QueueUrl } = await deps.sqs.send(
    new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }),
  );
  return QueueUrl;
}

async function count(name: FunctionName, queueUrl: string, deps: RedriveDeps): Promise<FunctionRedrive> {
  const { Attributes } = await deps.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const found = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  return { function: name, queue: queueUrl, found, redriven: 0, failed: 0 };
}

async function redriveQueue(
  name: FunctionName,
  functionName: string,
  queueUrl: string,
  deps: RedriveDeps,
): Promise<FunctionRedrive> {
  const result: FunctionRedrive = { function: name, queue: queueUrl, found: 0, redriven: 0, failed: 0 };
  const seen = new Set<string>();
  for (;;) {
    const { Messages = [] } = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        // SQS: at most 10 messages per receive.
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: VISIBILITY_SECONDS,
      }),
    );
    const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (fresh.length === 0) return result;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      result.found++;
      try {
        const record = JSON.parse(message.Body ?? '') as DestinationRecord;
        if (record.requestPayload === undefined)
          throw new Error('not a Lambda destination record (no requestPayload)');
        const invoked = await deps.lambda.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(record.requestPayload)),
          }),
        );
        // Lambda answers 202 once it has queued an asynchronous invocation.
        if (invoked.StatusCode !== 202) throw new Error(`Invoke answered ${invoked.StatusCode}`);
        await deps.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        result.redriven++;
      } catch (error) {
        result.failed++;
        deps.log(
          `${functionName}: message ${message.MessageId} left in the queue: ${(error as Error).message}`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      function: { type: 'string' },
      region: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (!values.stage)
    throw new Error(
      'usage: npm run redrive -- --stage <stage> [--function <name>] [--dry-run] [--region <region>]',
    );
  const known = functionEntries().map(([name]) => name);
  if (values.function && !known.includes(values.function as FunctionName)) {
    throw new Error(`--function must be one of ${known.join(', ')}`);
  }
  const config = values.region ? { region: values.region } : {};
  const results = await redrive(
    { stage: values.stage, only: values.function as FunctionName | undefined, dryRun: values['dry-run'] },
    { lambda: new LambdaClient(config), sqs: new SQSClient(config), log: (line) => console.log(line) },
  );
  if (results.some((result) => result.failed > 0)) process.exitCode = 1;
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(2);
  });
}
