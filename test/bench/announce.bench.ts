import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { startLocalCloud } from '#infra/local/cloud.ts';
import { sampleRelease } from '#shared/events/release-scheduled.ts';

/**
 * Announces one release to 5,000 matching outlets on the local cloud (in this process) and reports
 * wall time, SES calls (the floor is 5,000 / 50 = 100 SendBulkEmail calls) and DynamoDB requests.
 * Not a timed test: it prints figures. `BENCH_OUTLETS` and `BACKLINE_SES_SEND_RATE` change the run.
 *
 * Requests are counted by small pass-through proxies in front of DynamoDB Local and the SES front:
 * the handlers' SDK clients are pointed at them with the SDK's own AWS_ENDPOINT_URL_* variables.
 */
const outletCount = Number(process.env.BENCH_OUTLETS ?? 5_000);
const sendRate = process.env.BACKLINE_SES_SEND_RATE ? Number(process.env.BACKLINE_SES_SEND_RATE) : undefined;

interface Counter {
  total: number;
  byOperation: Map<string, number>;
}

/** What a proxy may do to a request body on its way, and learn from the answer. */
interface Inspector {
  request(operation: string, body: Buffer): Buffer;
  response(operation: string, body: Buffer): void;
}

async function countingProxy(
  target: string,
  operationOf: (request: IncomingMessage) => string,
  inspector?: Inspector,
) {
  const counter: Counter = { total: 0, byOperation: new Map() };
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const operation = operationOf(request);
    counter.total++;
    counter.byOperation.set(operation, (counter.byOperation.get(operation) ?? 0) + 1);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !['host', 'connection', 'content-length'].includes(name)) {
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
    }
    try {
      const upstream = await fetch(`${target}${request.url}`, {
        method: request.method,
        headers,
        body: ['GET', 'HEAD'].includes(request.method ?? 'GET')
          ? undefined
          : (inspector?.request(operation, Buffer.concat(chunks)) ?? Buffer.concat(chunks)),
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (upstream.ok) inspector?.response(operation, body);
      const outgoing: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (!['content-encoding', 'transfer-encoding', 'content-length', 'connection'].includes(name))
          outgoing[name] = value;
      });
      response.writeHead(upstream.status, outgoing).end(body);
    } catch (error) {
      response.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, counter, close: () => new Promise<void>((closed) => server.close(() => closed())) };
}

const snapshot = (counter: Counter) => ({ total: counter.total, byOperation: new Map(counter.byOperation) });
const difference = (after: Counter, before: Counter) =>
  [...after.byOperation.entries()]
    .map(([operation, count]) => [operation, count - (before.byOperation.get(operation) ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);

/**
 * DynamoDB write units and item writes (an item put, updated or deleted, alone, in a batch or in a
 * transaction). DynamoDB Local does not check signatures, so the proxy can ask each write for its
 * consumed capacity (`ReturnConsumedCapacity: INDEXES`) without the handlers asking for it.
 */
const writes = { units: 0, items: 0, unitsByOperation: new Map<string, number>() };
const writeOperations = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
const writeCounter: Inspector = {
  request(operation, body) {
    if (!writeOperations.has(operation)) return body;
    const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (operation === 'TransactWriteItems') writes.items += (input.TransactItems as unknown[]).length;
    else if (operation === 'BatchWriteItem')
      writes.items += Object.values(input.RequestItems as Record<string, unknown[]>).flat().length;
    else writes.items++;
    return Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'INDEXES' }));
  },
  response(operation, body) {
    if (!writeOperations.has(operation)) return;
    const { ConsumedCapacity } = JSON.parse(body.toString('utf8') || '{}') as {
      ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
    };
    const units = [ConsumedCapacity ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
    writes.units += units;
    writes.unitsByOperation.set(operation, (writes.unitsByOperation.get(operation) ?? 0) + units);
  },
};

const cloud = await startLocalCloud({
  ports: { http: 0, bus: 0, dynamodb: 0, ses: 0 },
  apiKey: 'bench-api-key-0123456789',
  ...(sendRate ? { sesSendRate: sendRate } : {}),
});
const dynamo = await countingProxy(
  cloud.urls.dynamodb,
  (request) => String(request.headers['x-amz-target'] ?? 'unknown').replace('DynamoDB_20120810.', ''),
  writeCounter,
);
const ses = await countingProxy(
  cloud.urls.ses,
  (request) => `${request.method} ${request.url?.split('?')[0]}`,
);
// The handlers' clients are made on first use, so from here on they go through the proxies.
process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
process.env.AWS_ENDPOINT_URL_SESV2 = ses.url;

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${cloud.urls.http}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${cloud.apiKey}`, ...(init.headers as Record<string, string>) },
  });

try {
  const genre = `bench-${Date.now()}`;
  const rows = Array.from(
    { length: outletCount },
    (_, i) => `Outlet ${i},outlet-${i}@bench.example,radio,${genre},GB;IE,Host ${i}`,
  );
  // The CSV import, as one job, watched until it is done.
  const imported = await api('/media-outlets/import', {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: ['name,email,kind,genres,territories,contactName', ...rows].join('\n'),
  });
  const { jobId } = (await imported.json()) as { jobId: string };
  let created = 0;
  for (;;) {
    const job = (await (await api(`/jobs/${jobId}`)).json()) as {
      status: string;
      result: { created: number };
    };
    if (job.status === 'failed') throw new Error(`import job failed: ${JSON.stringify(job)}`);
    if (job.status === 'done') {
      created = job.result.created;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (created !== outletCount) throw new Error(`import created ${created} of ${outletCount} outlets`);
  console.log(`  (imported ${created} outlets)`);

  const labelResponse = await api('/labels', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Records', id: 'bench-records' }),
  });
  const { webhookSecret } = (await labelResponse.json()) as { webhookSecret: string };

  const dynamoBefore = snapshot(dynamo.counter);
  const writesBefore = {
    units: writes.units,
    items: writes.items,
    byOperation: new Map(writes.unitsByOperation),
  };
  const sesBefore = snapshot(ses.counter);
  const releaseId = `rel-bench-${Date.now()}`;
  const now = new Date();
  const body = JSON.stringify({
    type: 'release.scheduled',
    timestamp: now.toISOString(),
    data: { ...sampleRelease, releaseId, genres: [genre], releaseDate: '2030-01-01' },
  });
  const started = performance.now();
  const webhook = await fetch(`${cloud.urls.http}/webhooks/bench-records`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'msg_bench',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(webhookSecret).sign('msg_bench', now, body),
    },
    body,
  });
  if (webhook.status !== 202) throw new Error(`webhook answered ${webhook.status}: ${await webhook.text()}`);

  let announcedAt: number | undefined;
  let summary: Record<string, unknown> | undefined;
  while (announcedAt === undefined) {
    const { events } = (await (await api('/_local/events?detailType=Release%20Announced')).json()) as {
      events: { detail: { data?: Record<string, unknown> } }[];
    };
    const done = events.find((event) => event.detail.data?.releaseId === releaseId);
    if (done) {
      announcedAt = performance.now();
      summary = done.detail.data;
    } else if (performance.now() - started > 10 * 60_000) {
      const { deadLetters } = (await (await api('/_local/dlq')).json()) as {
        deadLetters: { error: string }[];
      };
      throw new Error(
        `the announcement did not complete within 10 minutes: ${JSON.stringify(deadLetters.slice(-3))}`,
      );
    } else {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await api('/_local/idle');
  const settledAt = performance.now();

  const { deliveries } = (await (
    await api(`/labels/bench-records/releases/${releaseId}/deliveries`)
  ).json()) as {
    deliveries: { status: string }[];
  };
  const sesCalls = difference(ses.counter, sesBefore);
  const bulkCalls = sesCalls.find(([operation]) => operation.includes('outbound-bulk-emails'))?.[1] ?? 0;
  const dynamoCalls = difference(dynamo.counter, dynamoBefore);
  const dynamoTotal = dynamoCalls.reduce((sum, [, count]) => sum + count, 0);

  console.log(`announce ${outletCount} matching outlets (SES rate: ${sendRate ?? 'unthrottled'}/s)`);
  console.log(`  wall time to Release Announced: ${((announcedAt - started) / 1000).toFixed(2)} s`);
  console.log(
    `  wall time until idle (Email Sent events settled): ${((settledAt - started) / 1000).toFixed(2)} s`,
  );
  console.log(`  Release Announced: ${JSON.stringify(summary)}`);
  console.log(
    `  deliveries: ${deliveries.length}, sent: ${deliveries.filter((d) => d.status === 'sent').length}`,
  );
  console.log(`  SES SendBulkEmail calls: ${bulkCalls} (floor ${Math.ceil(outletCount / 50)})`);
  console.log(`  SES calls in all: ${sesCalls.map(([op, n]) => `${op} ${n}`).join(', ')}`);
  console.log(`  DynamoDB requests: ${dynamoTotal} (${(dynamoTotal / outletCount).toFixed(2)} per outlet)`);
  console.log(`    ${dynamoCalls.map(([op, n]) => `${op} ${n}`).join(', ')}`);
  const items = writes.items - writesBefore.items;
  const units = writes.units - writesBefore.units;
  console.log(
    `  DynamoDB item writes: ${items} (${(items / outletCount).toFixed(2)} per outlet); write units: ${units.toFixed(0)} (${(units / outletCount).toFixed(2)} per outlet)`,
  );
  console.log(
    `    write units by operation: ${[...writes.unitsByOperation]
      .map(([op, n]) => `${op} ${(n - (writesBefore.byOperation.get(op) ?? 0)).toFixed(0)}`)
      .join(', ')}`,
  );
} finally {
  await cloud.stop();
  await dynamo.close();
  await ses.close();
}
