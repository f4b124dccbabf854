import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { Temporal } from 'temporal-polyfill';
import { startLocalCloud } from '#infra/local/cloud.ts';
import { type Show, sampleShow } from '#shared/events/tour-booked.ts';
import { stepMoments } from '#shared/tours.ts';
import { type BenchRow, localApi, reportRows, row, targets } from './rows.ts';

/**
 * Tour advancing: one tour of `BENCH_SHOWS` shows (200, the most one Tour Booked holds) booked by a
 * webhook on the local cloud (in this process), then the clock moved to the shows' advance requests.
 * Counted: the schedules created (Scheduler requests the handlers make, by operation) against the
 * floor of one one-time schedule per step of each show, and the Lambda invocations against the floor
 * of one per function the booking passes through (intake, publisher, tours) and one per step due.
 * Every show is on the same day, so every advance request falls due at the same jump of the clock.
 */
const showCount = Number(process.env.BENCH_SHOWS ?? 200);

const cloud = await startLocalCloud({
  ports: { http: 0, bus: 0, dynamodb: 0, ses: 0 },
  apiKey: 'bench-api-key-0123456789',
});
const schedulerHost = new URL(cloud.urls.bus).host;
const schedulerRequests = new Map<string, number>();
// The handlers run in this process: their Scheduler requests are counted as node:http creates them.
subscribe('http.client.request.created', (message) => {
  const request = (message as { request: ClientRequest }).request;
  if (String(request.getHeader('host') ?? '') !== schedulerHost) return;
  if (!request.path.startsWith('/schedules/')) return;
  const operation =
    { POST: 'CreateSchedule', PUT: 'UpdateSchedule', DELETE: 'DeleteSchedule', GET: 'GetSchedule' }[
      request.method
    ] ?? request.method;
  schedulerRequests.set(operation, (schedulerRequests.get(operation) ?? 0) + 1);
});

const { api, invocations } = localApi(cloud);
const since = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([name, n]) => [name, n - (before[name] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const counted = () => Object.fromEntries(schedulerRequests);

try {
  const run = Date.now().toString(36);
  const labelId = `bench-tours-${run}`;
  const { webhookSecret } = (await (
    await api('/labels', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench Tours', id: labelId }),
    })
  ).json()) as { webhookSecret: string };
  const now = new Date(
    ((await (await api('/_local/clock')).json()) as { now: string }).now ?? new Date().toISOString(),
  );
  // Shows 60 days ahead: every step is in the future when booked.
  const date = Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO('Europe/Berlin')
    .toPlainDate()
    .add({ days: 60 })
    .toString();
  const shows: Show[] = Array.from({ length: showCount }, (_, i) => ({
    ...(sampleShow as Show),
    showId: `show-${i}`,
    date,
    announceAt: undefined,
    promoter: { ...sampleShow.promoter, email: `promoter-${i}@${run}.bench.example` },
  }));
  const floorSchedules = shows.reduce((sum, show) => sum + stepMoments(show).length, 0);
  const body = JSON.stringify({
    type: 'tour.booked',
    timestamp: now.toISOString(),
    data: {
      tourId: `tour-${run}`,
      artist: { name: 'The Bench Echoes' },
      tourManager: { name: 'Sam Reyes', email: `tm@${run}.bench.example` },
      shows,
    },
  });

  const invokedBefore = await invocations();
  const started = performance.now();
  const webhook = await fetch(`${cloud.urls.http}/webhooks/${labelId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': `msg_tour_${run}`,
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': new Webhook(webhookSecret).sign(`msg_tour_${run}`, new Date(), body),
    },
    body,
  });
  if (webhook.status !== 202) throw new Error(`webhook answered ${webhook.status}: ${await webhook.text()}`);
  await api('/_local/idle');
  const bookedMs = performance.now() - started;
  const booked = since(await invocations(), invokedBefore);
  const bookingRequests = counted();
  const created = bookingRequests.CreateSchedule ?? 0;

  // The advance requests (28 days before the show, 10:00 at the venue) all fall due at one jump.
  schedulerRequests.clear();
  const advanceRequestAt = stepMoments(shows[0]).find((m) => m.step === 'advance-request')!.scheduledFor;
  const beforeAdvance = await invocations();
  const jumped = await api('/_local/clock', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceTo: new Date(Date.parse(advanceRequestAt) + 60_000).toISOString() }),
  });
  if (!jumped.ok) throw new Error(`the clock did not move: ${await jumped.text()}`);
  await api('/_local/idle');
  const advanced = since(await invocations(), beforeAdvance);

  console.log(`tour of ${showCount} shows`);
  console.log(`  booked (webhook to idle) in ${(bookedMs / 1000).toFixed(2)} s`);
  console.log(`  Scheduler requests while booking: ${JSON.stringify(bookingRequests)}`);
  console.log(`  invocations while booking: ${JSON.stringify(booked)}`);
  console.log(`  invocations for the advance requests: ${JSON.stringify(advanced)}`);
  const rows: BenchRow[] = [
    row(
      'tours-advance',
      `tour advancing, ${showCount} shows (schedules created)`,
      created,
      'schedules',
      floorSchedules,
      targets.ratioAtMost(1),
      `one one-time schedule per step of each show is the floor; Scheduler requests: ${JSON.stringify(bookingRequests)}`,
    ),
    row(
      'tours-advance-invocations',
      `tour advancing, ${showCount} shows (invocations to book)`,
      total(booked),
      'invocations',
      3,
      targets.none,
      `${JSON.stringify(booked)}; floor: intake, publisher and tours once each. Locally the table's stream and the settlement queue hand each record over at once while something waits for the cloud to be idle, so the publisher runs about once per show here where Lambda's event source would batch them`,
    ),
    row(
      'tours-advance-step-invocations',
      `tour advancing, ${showCount} shows (invocations for the advance requests)`,
      total(advanced),
      'invocations',
      showCount,
      targets.none,
      `${JSON.stringify(advanced)}; floor: one tours invocation per step due. The clock's jump waits for idle, so locally the publisher (Advance Requested) and the settlement queue (Email Sent) run once per mail instead of in batches; the jump also fires each recurring schedule it passes once (the outbox sweep, the budgets' daily reconciliation and report)`,
    ),
  ];
  reportRows(rows);
} finally {
  await cloud.stop();
}
