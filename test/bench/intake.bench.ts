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
 *
 * What is measured is intake's request path: during its window the outbox relay (the table stream's
 * event source mapping) is disabled, as `UpdateEventSourceMapping` can on AWS, so that the work the
 * webhooks lead to (publishing, then the budgets ledger: about ten DynamoDB requests, two of them
 * transactions, per expense) does not share the machine's 2 cores and the one DynamoDB Local with
 * the requests being timed. The floor's events have no consumer, and on AWS consumers run on
 * capacity of their own. That work is then timed on its own, from enabling the relay until idle.
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmUpSeconds = Number(process.env.BENCH_WARM_UP_SECONDS ?? 2);

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

  /** Disables or enables the outbox relay (POST /_local/streams). */
  const relay = async (enabled: boolean) => {
    const answer = await fetch(`${cloud.urls.http}/_local/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-backline-local': '1' },
      body: JSON.stringify({ enabled }),
    });
    if (!answer.ok) throw new Error(`POST /_local/streams: ${answer.status} ${await answer.text()}`);
  };
  /** Requests the local cloud's AWS endpoints answered so far, by service and operation (GET /_local/requests). */
  const requests = async () =>
    (
      (await (await fetch(`${cloud.urls.http}/_local/requests`)).json()) as {
        requests: Record<string, number>;
      }
    ).requests;
  /** The counts once the requests still under way when a window closed have been answered: they stop moving. */
  const settledRequests = async () => {
    let last = await requests();
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = await requests();
      if (JSON.stringify(now) === JSON.stringify(last)) return now;
      last = now;
    }
    return last;
  };
  /** Requests per webhook between two counts, by operation, most first: `DynamoDB PutItem 1.00, ...`. */
  const perWebhook = (before: Record<string, number>, after: Record<string, number>, webhooks: number) =>
    Object.entries(after)
      .map(([operation, count]) => [operation, (count - (before[operation] ?? 0)) / webhooks] as const)
      .filter(([, count]) => count >= 0.005)
      .sort((a, b) => b[1] - a[1])
      .map(([operation, count]) => `${operation} ${count.toFixed(2)}`)
      .join(', ');
  let n = 0;
  const load = async (url: string, duration = seconds) => {
    const first = n;
    const result = await autocannon({
      url,
      connections,
      duration,
      method: 'POST',
      requests: [
        {
          setupRequest: (request) => {
            const signed = signedWebhook(label.webhookSecret, {
              type: 'expense.recorded',
              timestamp: new Date().toISOString(),
              // Distinct expenses on distinct vendor invoices: the sample's one invoice number would
              // file every expense under one invoice, whose growing list of filings each then reads.
              data: {
                ...ExpenseRecorded.sample,
                expenseId: `exp-bench-${++n}`,
                invoiceNumber: `AP-2027-${n}`,
              },
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
      /** Every request sent, those still under way when the window closed included. */
      sent: n - first,
      perSecond: (result['2xx'] ?? answered - bad) / seconds,
      p50: result.latency.p50,
      p99: result.latency.p99,
    };
  };
  // Both first warmed up, unmeasured: the JVM of DynamoDB Local and the processes' code are then
  // compiled for this load, so that neither side pays for warming up what the other then uses.
  if (warmUpSeconds > 0) {
    await load(`http://127.0.0.1:${floorPort}/webhooks/${label.id}`, warmUpSeconds);
    await relay(false);
    await load(`${cloud.urls.http}/webhooks/${label.id}`, warmUpSeconds);
    await relay(true);
    await fetch(`${cloud.urls.http}/_local/idle`);
  }
  // The floor first: the cloud's own work after intake (stream, publisher, budgets) cannot slow it.
  const beforeFloor = await requests();
  const bare = await load(`http://127.0.0.1:${floorPort}/webhooks/${label.id}`);
  const afterFloor = await settledRequests();
  await fetch(`${cloud.urls.http}/_local/idle`);
  await relay(false);
  const beforeIntake = await requests();
  // The window's webhooks, as a replay names them (received in [from, to]; the cloud's clock is this one's).
  const windowFrom = new Date(Date.now() - 1_000).toISOString();
  const intake = await load(`${cloud.urls.http}/webhooks/${label.id}`);
  const afterIntake = await settledRequests();
  await relay(true);
  const drainStart = performance.now();
  await fetch(`${cloud.urls.http}/_local/idle`);
  const drainSeconds = (performance.now() - drainStart) / 1000;
  const windowTo = new Date().toISOString();

  // The same webhooks replayed (POST /labels/{labelId}/replays): a job puts them back in the outbox a
  // page at a time, and they are published and consumed again, until idle. Its floor is the drain
  // above, the same webhooks published and consumed the first time (consumers find each one applied).
  const beforeReplay = await requests();
  const replayStart = performance.now();
  const replayAnswer = await fetch(`${cloud.urls.http}/labels/${label.id}/replays`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: windowFrom, to: windowTo }),
  });
  const { jobId } = (await replayAnswer.json()) as { jobId: string };
  let job: { status: string; result: { replayed?: number } };
  do {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = (await (
      await fetch(`${cloud.urls.http}/jobs/${jobId}`, {
        headers: { authorization: `Bearer ${cloud.apiKey}` },
      })
    ).json()) as typeof job;
  } while (job.status === 'queued' || job.status === 'running');
  const jobSeconds = (performance.now() - replayStart) / 1000;
  await fetch(`${cloud.urls.http}/_local/idle`);
  const replaySeconds = (performance.now() - replayStart) / 1000;
  const replayed = job.result.replayed ?? 0;
  if (job.status !== 'done') throw new Error(`the replay ${job.status} (${replayed} webhooks replayed)`);
  const counted = {
    floor: perWebhook(beforeFloor, afterFloor, bare.sent),
    intake: perWebhook(beforeIntake, afterIntake, intake.sent),
    drain: perWebhook(afterIntake, beforeReplay, intake.sent),
    replay: perWebhook(beforeReplay, await requests(), intake.sent),
  };
  console.log(`  requests per webhook: floor ${counted.floor}`);
  console.log(`  requests per webhook: intake's window ${counted.intake}`);
  console.log(`  requests per webhook: after it ${counted.drain}`);
  console.log(
    `  replay of ${replayed} webhooks: job done in ${jobSeconds.toFixed(1)} s, idle in ${replaySeconds.toFixed(1)} s (drain: ${drainSeconds.toFixed(1)} s); requests per webhook: ${counted.replay}`,
  );
  const how = `${connections} connections, ${seconds} s of distinct signed webhooks (autocannon)`;
  reportRows([
    row(
      'intake-throughput',
      'intake throughput',
      intake.perSecond,
      'req/s',
      bare.perSecond,
      targets.ratioAtLeast(0.8),
      `${how}; intake's request path (the outbox relay disabled during the window, timed apart in intake-drain), requests per webhook: ${counted.intake}; floor: one conditional PutItem + one PutEvents per request (${counted.floor})`,
    ),
    row('intake-p50', 'intake latency p50', intake.p50, 'ms', bare.p50, targets.none, how),
    row('intake-p99', 'intake latency p99', intake.p99, 'ms', bare.p99, targets.none, how),
    row(
      'intake-drain',
      "intake's webhooks published and consumed after the window",
      intake.sent / drainSeconds,
      'webhooks/s',
      null,
      targets.none,
      `${intake.sent} webhooks in ${drainSeconds.toFixed(1)} s: the outbox relay enabled again until idle (publisher, bus, budgets ledger); requests per webhook: ${counted.drain}`,
    ),
    row(
      'webhook-replay',
      "the window's webhooks replayed, published and consumed again",
      replayed / replaySeconds,
      'webhooks/s',
      intake.sent / drainSeconds,
      targets.none,
      `${replayed} webhooks in ${replaySeconds.toFixed(1)} s from POST /labels/{labelId}/replays until idle (the job done after ${jobSeconds.toFixed(1)} s); floor: the same webhooks drained the first time; requests per webhook: ${counted.replay}`,
    ),
  ]);
} finally {
  floor.kill();
  await cloud.stop();
}
