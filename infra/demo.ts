import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import { clockNow, signedHeaders } from './cli/sign-webhook.ts';

/**
 * `npm run demo`: against a running `npm start`, what Backline does for a production manager, step by
 * step: a label, 30 media outlets in three territories, a release sent by the label as a signed
 * webhook and announced, then the clock advanced through release day. Every run uses new ids, so it
 * can run again and again. BACKLINE_HTTP_PORT (or BACKLINE_API_URL) says where Backline runs;
 * the API key is BACKLINE_API_KEY, else the one npm start keeps in its data folder.
 */

const base = (
  process.env.BACKLINE_API_URL ?? `http://localhost:${process.env.BACKLINE_HTTP_PORT || 3000}`
).replace(/\/+$/, '');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const say = (text: string) => process.stdout.write(`${text}\n`);

class DemoError extends Error {}

async function local<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}/_local/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-backline-local': '1', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new DemoError(`/_local/${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function findLocalCloud(): Promise<{ ses: string }> {
  try {
    const response = await fetch(`${base}/_local/info`);
    if (response.status === 503)
      throw new DemoError(`Backline at ${base} is still starting: run npm run demo again in a few seconds.`);
    if (!response.ok)
      throw new DemoError(
        `${base} is not a local Backline (npm start): GET /_local/info answered ${response.status}.`,
      );
    return ((await response.json()) as { urls: { ses: string } }).urls;
  } catch (error) {
    if (error instanceof DemoError) throw error;
    throw new DemoError(
      `No Backline is running at ${base}.\nStart it in another terminal with \`npm start\`, wait for "Backline is running locally", then run \`npm run demo\` again.\n(If it runs on another port, set BACKLINE_HTTP_PORT.)`,
    );
  }
}

function apiKey(): string {
  if (process.env.BACKLINE_API_KEY) return process.env.BACKLINE_API_KEY;
  const file = resolve(process.env.BACKLINE_DATA_DIR || '.local', 'api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new DemoError(
    'No API key: set BACKLINE_API_KEY to the key npm start printed (npm start keeps a generated one in .local/api-key).',
  );
}

async function api<T>(
  key: string,
  path: string,
  init: { method?: string; json?: unknown; csv?: string } = {},
): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.json === undefined && init.csv === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': init.csv !== undefined ? 'text/csv' : 'application/json',
    },
    ...(init.json !== undefined
      ? { body: JSON.stringify(init.json) }
      : init.csv !== undefined
        ? { body: init.csv }
        : {}),
  });
  if (response.status === 401)
    throw new DemoError(
      `Backline at ${base} refused the API key: set BACKLINE_API_KEY to the key npm start printed.`,
    );
  if (!response.ok) throw new DemoError(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A label's webhook, signed with its secret as of the local clock (a wall-clock signature is stale once the clock moved). */
async function webhook(
  label: { id: string; secret: string },
  body: unknown,
): Promise<{ status: number; eventId?: string }> {
  const payload = JSON.stringify(body);
  const response = await fetch(`${base}/webhooks/${encodeURIComponent(label.id)}`, {
    method: 'POST',
    headers: signedHeaders(label.secret, payload, await clockNow(base)),
    body: payload,
  });
  const answer = (await response.json()) as { eventId?: string; message?: string };
  if (response.status !== 202)
    throw new DemoError(`the webhook was refused (${response.status}): ${answer.message}`);
  return { status: response.status, eventId: answer.eventId };
}

type MailCounts = Record<string, { sent: number; claimed: number }>;
const sent = (mail: MailCounts, kind: string) => mail[kind]?.sent ?? 0;

const territories = ['GB', 'DE', 'FR'];
const kinds = ['radio', 'press', 'blog', 'playlist', 'podcast'];

async function demo(): Promise<void> {
  const { ses } = await findLocalCloud();
  const key = apiKey();
  await api(key, '/media-outlets?limit=1');
  const started = await clockNow(base);
  say(`Backline demo (run ${run}) against ${base}; the local clock says ${started.toISOString()}\n`);

  say('1. The label signs up');
  const created = await api<{ id: string; webhookSecret: string }>(key, '/labels', {
    json: { name: 'Nightshift Records', id: `demo-${run}` },
  });
  const label = { id: created.id, secret: created.webhookSecret };
  say(
    `   label ${label.id} added; its webhook secret (shown once) signs what it sends: ${label.secret.slice(0, 12)}...\n`,
  );

  say('2. The manager imports 30 media outlets in three territories (CSV, as a job)');
  const rows = Array.from({ length: 30 }, (_, i) => {
    const territory = territories[i % 3];
    const kind = kinds[i % kinds.length];
    return `${territory} ${kind} ${i + 1},${kind}${i + 1}.${run}@${territory.toLowerCase()}.outlets.example,${kind},techno;electronic,${territory}`;
  });
  const job = await api<{ jobId: string }>(key, '/media-outlets/import', {
    csv: ['name,email,kind,genres,territories', ...rows].join('\n'),
  });
  await local('idle');
  const imported = await api<{ status: string; result: { created: number; rejectedCount: number } }>(
    key,
    `/jobs/${job.jobId}`,
  );
  say(
    `   job ${job.jobId}: ${imported.status}, ${imported.result.created} created, ${imported.result.rejectedCount} rejected`,
  );
  say('   10 in GB, 10 in DE, 10 in FR; genres techno and electronic\n');

  say('3. The label schedules a release (a signed webhook, dated by the local clock)');
  const releaseDay = new Date(started.getTime() + 14 * 86_400_000).toISOString().slice(0, 10);
  const release = {
    ...sampleRelease,
    releaseId: `rel-${run}`,
    title: 'Night Drive',
    releaseDate: releaseDay,
    releaseTime: '09:00',
    timeZone: 'Europe/London',
    territories,
    genres: ['techno'],
  };
  const accepted = await webhook(label, {
    type: 'release.scheduled',
    timestamp: started.toISOString(),
    data: release,
  });
  say(
    `   202 Accepted, event ${accepted.eventId}: release ${release.releaseId} on ${releaseDay} 09:00 Europe/London`,
  );
  await local('idle');
  const announced = await api<{ state: string; mail: MailCounts }>(
    key,
    `/labels/${label.id}/releases/${release.releaseId}`,
  );
  say(
    `   releases kept it (${announced.state}) and set its release-day schedule; the announcer mailed ${sent(announced.mail, 'announcement')} outlets, each once, with a promo link and one-click unsubscribe\n`,
  );

  // --- Tour step: goes here once tours are on main (a tour of four shows with two promoters, its
  // signed `tour.booked` webhook, then the clock through the advance request and the day sheet).
  // --- Budget step: goes here once budgets are on main (a budget with six expenses in two
  // currencies, its signed `budget.set` and `expense.recorded` webhooks, two reconciliations).

  say('4. The clock moves through release day');
  const after = new Date(Date.parse(`${releaseDay}T12:00:00Z`));
  const advanced = await local<{ now: string; fired: { detailType: string; scheduledFor: string }[] }>(
    'clock',
    {
      advanceTo: after.toISOString(),
    },
  );
  const releaseDays = advanced.fired.filter((f) => f.detailType === 'Release Day Reached');
  say(
    `   clock now ${advanced.now}; ${advanced.fired.length} schedules fired on the way, ${releaseDays.length} of them release day (${releaseDays.map((f) => f.scheduledFor).join(', ')})`,
  );
  await local('idle');
  const out = await api<{ state: string; mail: MailCounts }>(
    key,
    `/labels/${label.id}/releases/${release.releaseId}`,
  );
  say(`   the release is ${out.state}; "out now" mail went to ${sent(out.mail, 'out-now')} outlets\n`);

  say('See it:');
  say(`   the console (events, schedules, mail, releases):  ${base}/_local/console`);
  say(`   the mail viewer (every mail sent):                ${ses}/`);
  say(
    `   in the terminal:  npx backline login --url ${base} --key <API key>; npx backline release status ${label.id} ${release.releaseId}`,
  );
}

try {
  await demo();
} catch (error) {
  if (!(error instanceof DemoError)) throw error;
  process.stderr.write(`\nnpm run demo: ${error.message}\n`);
  process.exit(1);
}
