import { randomUUID } from 'node:crypto';
import {
  Agent,
  type ClientRequest,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { tableDefinition } from '#shared/db/table.ts';
import type { FaultName, Faults } from './faults.ts';
import type { RequestCounts } from './request-counts.ts';

/**
 * The DynamoDB port of the local cloud: a thin HTTP proxy in front of DynamoDB Local (which listens
 * on an internal port), so that the `dynamodb.*` faults reach every caller as DynamoDB answers them
 * (see docs/design.md#local-faults). When no fault fires, the request and the answer stream through
 * untouched; DynamoDB Streams calls (`DynamoDBStreams_20120810.*`) always do.
 */

const DYNAMODB_TARGET = 'DynamoDB_20120810.';
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const TRANSACTIONS = new Set(['TransactWriteItems', 'TransactGetItems']);

/** DynamoDB's answers, with the `__type` from which the SDK names (and classifies as retryable) the error. */
const refusals = [
  {
    fault: 'dynamodb.throughput-exceeded',
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  {
    fault: 'dynamodb.throttle',
    status: 400,
    type: 'com.amazon.coral.availability#ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  },
  {
    fault: 'dynamodb.error',
    status: 500,
    type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
] as const;
const internalServerError = refusals[2];

export interface DynamoFaultProxy {
  server: Server;
  /** Where DynamoDB Local listens; requests wait for it. */
  setUpstream(port: number): void;
}

export function createDynamoFaultProxy(faults: Faults, counts?: RequestCounts): DynamoFaultProxy {
  // Keep-alive connections to DynamoDB Local, so that the proxy adds no connection set-up per request.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let setUpstream!: (port: number) => void;
  const upstream = new Promise<number>((resolve) => {
    setUpstream = resolve;
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, internalServerError.status, internalServerError.type, String(error));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const port = await upstream;
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') counts?.addTarget(target);
    const operation =
      typeof target === 'string' && target.startsWith(DYNAMODB_TARGET)
        ? target.slice(DYNAMODB_TARGET.length)
        : undefined;
    if (operation === undefined) return forward(req, res, port);

    // A fault aimed at an item (`:op.fragment`) needs the request's keys: only then is its body read here.
    const body = faults.aimsAtItems(operation) ? await readAll(req) : undefined;
    const keys = body === undefined ? [] : itemKeysOf(body);
    const takes = (fault: FaultName) => faults.takeForKeys(fault, operation, keys);

    if (WRITES.has(operation) && takes('dynamodb.accept-then-fail')) {
      const answered = await forwardAndWait(req, port, body);
      return reply(
        res,
        internalServerError.status,
        internalServerError.type,
        `${internalServerError.message} (injected fault dynamodb.accept-then-fail: the write was ${answered === 200 ? 'applied' : `answered ${answered}`})`,
      );
    }
    for (const refusal of refusals) {
      if (takes(refusal.fault)) {
        req.resume();
        return reply(res, refusal.status, refusal.type, refusal.message);
      }
    }
    if (TRANSACTIONS.has(operation) && takes('dynamodb.transaction-conflict')) {
      const text = (body ?? (await readAll(req))).toString('utf8');
      const items = (JSON.parse(text || '{}') as { TransactItems?: unknown[] }).TransactItems ?? [];
      const conflicting = Math.floor(faults.draw('dynamodb.transaction-conflict') * items.length);
      const reasons = items.map((_, index) =>
        index === conflicting
          ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
          : { Code: 'None' },
      );
      return reply(
        res,
        400,
        'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        // DynamoDB spells this one's message `Message`, beside its cancellation reasons.
        { Message: 'Transaction cancelled', CancellationReasons: reasons },
      );
    }
    return forward(req, res, port, body);
  }

  /** Streams the request (or its body, already read) to DynamoDB Local and its answer back. */
  function forward(req: IncomingMessage, res: ServerResponse, port: number, body?: Buffer): void {
    const outgoing = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent },
      (incoming) => {
        // DynamoDB Local's `Date` is wall time: the answer takes its caller's (infra/local/runtime.ts).
        const { date: _, ...headers } = incoming.headers;
        res.writeHead(incoming.statusCode ?? 502, headers);
        incoming.pipe(res);
      },
    );
    outgoing.on('error', (error) => {
      if (!res.headersSent) reply(res, 500, internalServerError.type, `DynamoDB Local: ${error.message}`);
      else res.destroy();
    });
    send(req, outgoing, body);
  }

  /** Sends the request to DynamoDB Local, reads its answer to the end and resolves with the status. */
  function forwardAndWait(req: IncomingMessage, port: number, body?: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent },
        (incoming) => {
          incoming.resume();
          incoming.on('end', () => resolve(incoming.statusCode ?? 0));
          incoming.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      send(req, outgoing, body);
    });
  }

  server.on('close', () => agent.destroy());
  return { server, setUpstream };
}

function reply(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  const text = JSON.stringify({ __type: type, message, ...extra });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/** The request's body to DynamoDB Local: as it streams in, or as it was read. */
function send(req: IncomingMessage, outgoing: ClientRequest, body: Buffer | undefined): void {
  if (body === undefined) req.pipe(outgoing);
  else outgoing.end(body);
}

/**
 * The partition and sort keys of the items a request names: every `Item` and `Key`, and each of `Keys`,
 * wherever it is (PutItem's item, a transaction's Put, Update, Delete or ConditionCheck, a batch's requests).
 */
export function itemKeysOf(body: Buffer): string[] {
  const keys: string[] = [];
  const keyOf = (item: unknown) => {
    for (const name of [tableDefinition.partitionKey, tableDefinition.sortKey]) {
      const value = (item as Record<string, { S?: unknown } | undefined> | null)?.[name]?.S;
      if (typeof value === 'string') keys.push(value);
    }
  };
  const visit = (value: unknown): void => {
    // An array is an object too: its elements are visited by index.
    if (typeof value !== 'object' || value === null) return;
    for (const [name, inner] of Object.entries(value)) {
      if (name === 'Item' || name === 'Key') keyOf(inner);
      else if (name === 'Keys' && Array.isArray(inner)) inner.forEach(keyOf);
      else visit(inner);
    }
  };
  try {
    visit(JSON.parse(body.toString('utf8') || '{}'));
  } catch {
    // Not JSON: DynamoDB Local answers it as it does; no item of it is aimed at.
  }
  return keys;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
