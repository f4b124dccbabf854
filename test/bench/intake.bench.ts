import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { ExpenseRecorded } from '#shared/events/index.ts';
import { startCloudProcess } from '#test/support/cloud-process.ts';
import { signedWebhook } from '#test/support/intake.ts';
import { reportRows, row, targets } from './rows.ts';

/**
 * Intake under load: `connections` connections sending distinct signed webhooks for `seconds` seconds
 * with autocannon, against the local cloud (its own process), and the same load against the floor
 * (intake-floor.ts: one conditional PutItem and one PutEvents per request on the same emulators).
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

const cloud = await startCloudProcess();
const floor = spawn(process.execPath, ['test/bench/intake-floor.ts'], {
  env: { ...process.env, ...cloud.env },
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const floorPort = await new Promise<number>((resolve, reject) => {
    floor.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
    createInterface({ input: floor.stdout! }).once('line', (line) => resolve(JSON.parse(line).port));
  });
  const created = await fetch(`${cloud.urls.http}/labels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Records' }),
  });
  const label = (await created.json()) as { id: string; webhookSecret: string };

  let n = 0;
  const load = async (url: string) => {
    const result = await autocannon({
      url,
      connections,
      duration: seconds,
      method: 'POST',
      requests: [
        {
          setupRequest: (request) => {
            const signed = signedWebhook(label.webhookSecret, {
              type: 'expense.recorded',
              timestamp: new Date().toISOString(),
              data: { ...ExpenseRecorded.sample, expenseId: `exp-bench-${++n}` },
            });
            return { ...request, method: 'POST', headers: signed.headers, body: signed.body };
          },
        },
      ],
    });
    const answered = result.requests.total;
    const bad = result.non2xx + result.errors + result.timeouts;
    if (bad > answered * 0.01) throw new Error(`${url}: ${bad} of ${answered} requests failed`);
    return {
      perSecond: (result['2xx'] ?? answered - bad) / seconds,
      p50: result.latency.p50,
      p99: result.latency.p99,
    };
  };
  // The floor first: the cloud's own work after intake (stream, publisher, budgets) cannot slow it.
  const bare = await load(`http://127.0.0.1:${floorPort}/webhooks/${label.id}`);
  await fetch(`${cloud.urls.http}/_local/idle`);
  const intake = await load(`${cloud.urls.http}/webhooks/${label.id}`);
  const how = `${connections} connections, ${seconds} s of distinct signed webhooks (autocannon)`;
  reportRows([
    row(
      'intake-throughput',
      'intake throughput',
      intake.perSecond,
      'req/s',
      bare.perSecond,
      targets.ratioAtLeast(0.8),
      `${how}; floor: one conditional PutItem + one PutEvents per request`,
    ),
    row('intake-p50', 'intake latency p50', intake.p50, 'ms', bare.p50, targets.none, how),
    row('intake-p99', 'intake latency p99', intake.p99, 'ms', bare.p99, targets.none, how),
  ]);
} finally {
  floor.kill();
  await cloud.stop();
}
