import { randomBytes } from 'node:crypto';
import { get, request } from 'node:http';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { mersenne } from 'pure-rand/generator/mersenne';
import { completionEvents } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import type { FaultsReport } from '#infra/local/faults.ts';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import type { CloudProcess } from './cloud-process.ts';
import { postSignedWebhook } from './signing.ts';

/**
 * The chaos scenarios (`npm run test:chaos`, and a small one in `npm test`): real traffic against a
 * local cloud whose engines fail at rates, then faults cleared, dead letters redriven and the sweeps
 * run, then the mail read back from the SES store and checked: every mail exactly once, every
 * acknowledged webhook recorded. Each scenario returns one row of the table the suite prints.
 */

/** The mix of faults at rates the scenarios run under (see infra/local/faults.ts for each). */
export const faultMix = [
  'ses.throttle@0.3',
  'ses.error@0.05',
  'ses.event-drop@0.1',
  'dynamodb.error@0.05',
  'dynamodb.transaction-conflict@0.05',
  'dynamodb.accept-then-fail@0.02',
  'invoke.crash-before@0.05',
  'invoke.crash-after-return@0.1',
  'events.put-fail@0.2',
  'invoke.duplicate@0.1',
  'sqs.duplicate@0.1',
].join(',');

/**
 * Faults after which Backline cannot know whether SES sent a mail: SES accepted the call and the
 * answer was lost, or the sending invocation was abandoned at its timeout with the call under way.
 * Such a claim is settled by SES's `Email Sent` event; only when that event is lost too is the mail
 * sent again (docs/design.md#exactly-once-mail). So these run apart from `ses.event-drop`: here
 * every event arrives, and every such mail must still go exactly once.
 */
/**
 * A kill of the local cloud is such a fault too (the sender dies between SES's answer and the
 * mark), so the kill scenario runs the mix without `ses.event-drop`.
 */
export const killMix = faultMix
  .split(',')
  .filter((fault) => !fault.startsWith('ses.event-drop'))
  .join(',');

export const unknownOutcomeMix = [
  'ses.accept-then-fail@0.05',
  'invoke.timeout@0.05',
  'dynamodb.accept-then-fail@0.05',
  'ses.throttle@0.2',
  'events.put-fail@0.1',
].join(',');

export interface Endpoints {
  urls: { http: string; ses: string };
  apiKey: string;
}

export interface ChaosRow {
  scenario: string;
  seed: number;
  faults: string;
  /** How many injected faults fired during the scenario. */
  faultsFired: number;
  eventsIn: number;
  mailsExpected: number;
  sent: number;
  duplicates: number;
  lost: number;
  unrecorded: number;
  deadLettered: number;
  replayed: number;
  /** Why a figure is not zero, per outlet or webhook (the first few). */
  findings: string[];
}

export interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  at?: number;
}

const totalFired = (report: FaultsReport) => Object.values(report.fired).reduce((sum, n) => sum + n, 0);

/**
 * A share in [0, 1) drawn from the seed, for the moment a scenario acts at (a kill). Mersenne Twister's
 * first draw: xoroshiro128+'s first barely moves with the seed (0.68, 0.70 and 0.72 for seeds 21550711,
 * 20261130 and 1562525365), so every seed acted at about the same moment.
 */
export const shareOf = (seed: number) => uniformFloat64(mersenne(seed));

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A test's hands on one local cloud, over HTTP only, as a user would. */
export class ChaosClient {
  cloud: Endpoints;

  constructor(cloud: Endpoints) {
    this.cloud = cloud;
  }

  async request(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.cloud.apiKey}`);
    // The local cloud's own routes take state changes only from tools that say so.
    if (path.startsWith('/_local/')) headers.set('x-backline-local', '1');
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(`${this.cloud.urls.http}${path}`, { ...init, headers, body });
  }

  async json<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
    const response = await this.request(path, init);
    if (!response.ok)
      throw new Error(
        `${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`,
      );
    return (await response.json()) as T;
  }

  #firedWhenArmed = 0;

  async armFaults(spec: string, seed: number): Promise<FaultsReport> {
    this.phase('set-up');
    const report = await this.json<FaultsReport>('/_local/faults', { method: 'POST', json: { spec, seed } });
    this.#firedWhenArmed = totalFired(report);
    return report;
  }

  /** How many faults fired since `armFaults`. */
  firedSinceArmed = async () => totalFired(await this.faults()) - this.#firedWhenArmed;
  faults = () => this.json<FaultsReport>('/_local/faults');
  clearFaults = () => this.json<FaultsReport>('/_local/faults', { method: 'DELETE' });
  /**
   * Waits until the local cloud has nothing in flight. Under heavy faults that can take longer than
   * fetch's 300 s limit on an answer's headers, so this uses node:http, which has none.
   */
  idle = () =>
    new Promise<void>((done, fail) => {
      get(`${this.cloud.urls.http}/_local/idle`, (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200
            ? done()
            : fail(new Error(`/_local/idle answered ${response.statusCode}`)),
        );
      }).on('error', fail);
    });
  now = async () => new Date((await this.json<{ now: string }>('/_local/clock')).now);
  /**
   * Moves the local clock to `to`, firing what falls due on the way (each firing waits for its work, so
   * under faults this too can outlast fetch's 300 s: node:http). A 409, invocations still running, is
   * tried again.
   */
  advanceClock = async (to: Date): Promise<void> => {
    for (;;) {
      const { status, text } = await new Promise<{ status: number; text: string }>((done, fail) => {
        const headers = {
          authorization: `Bearer ${this.cloud.apiKey}`,
          'x-backline-local': '1',
          'content-type': 'application/json',
        };
        const call = request(
          `${this.cloud.urls.http}/_local/clock`,
          { method: 'POST', headers },
          (response) => {
            let text = '';
            response.on('data', (chunk) => {
              text += chunk;
            });
            response.on('end', () => done({ status: response.statusCode ?? 0, text }));
          },
        );
        call.on('error', fail);
        call.end(JSON.stringify({ advanceTo: to.toISOString() }));
      });
      if (status === 200) return;
      if (status !== 409) throw new Error(`POST /_local/clock answered ${status}: ${text}`);
    }
  };
  /** The bus's dead letters and the queues' (a settlement message that failed every receive). */
  deadLetters = async () => {
    const dlq = await this.json<{ deadLetters: unknown[]; queueMessages: unknown[] }>('/_local/dlq');
    return [...dlq.deadLetters, ...dlq.queueMessages];
  };
  redrive = () =>
    this.json<{ redriven: number; succeeded: number; failed: number; queueMessages: number }>(
      '/_local/dlq/redrive',
      {
        method: 'POST',
      },
    );

  /** For a finding: the release's state and the outlet's deliveries (kind: status, resends), as the management API shows them. */
  async deliveryStates(labelId: string, releaseId: string, email: string): Promise<string> {
    const view = await this.request(`/labels/${labelId}/releases/${releaseId}`);
    if (view.status !== 200) return `release view ${view.status}`;
    const { state } = (await view.json()) as { state: string };
    const { deliveries } = await this.json<{
      deliveries: ({ email: string; kind: string; status: string } & Record<string, unknown>)[];
    }>(`/labels/${labelId}/releases/${releaseId}/deliveries`);
    const mine = deliveries.filter((delivery) => delivery.email === email);
    // The whole record (resends, message id, times), to tell a resend from a second send of one claim.
    return `release ${state}, deliveries: ${mine.map(({ email: _, ...d }) => JSON.stringify(d)).join(', ') || 'none'}`;
  }

  /**
   * The completion facts of the releases' mailings (`Release Announced`, ...) stated more than once: one
   * per mailing, whatever runs it took (docs/design.md#the-outbox). A fact is one event id: the same
   * event put on the bus again (the outbox publishes at least once, as EventBridge delivers) is the
   * same fact. From the bus's recent events, so a fact trimmed from them is not counted, never one
   * counted twice.
   */
  async factsStatedTwice(releaseIds: string[]): Promise<{ count: number; findings: string[] }> {
    const ids = new Set(releaseIds);
    const stated = new Map<string, Set<string>>();
    for (const { detailType } of Object.values(completionEvents)) {
      const { events } = await this.json<{
        events: {
          id: string;
          detail: {
            metadata?: { eventId?: string };
            data?: { labelId?: string; releaseId?: string; revision?: string };
          };
        }[];
      }>(`/_local/events?${new URLSearchParams({ detailType })}`);
      for (const { id, detail } of events) {
        if (!ids.has(detail.data?.releaseId ?? '')) continue;
        const key = `${detail.data?.releaseId} ${detailType}${detail.data?.revision ? ` ${detail.data.revision}` : ''}`;
        stated.set(key, (stated.get(key) ?? new Set()).add(detail.metadata?.eventId ?? id));
      }
    }
    const twice = [...stated].filter(([, eventIds]) => eventIds.size > 1);
    return {
      count: twice.reduce((sum, [, eventIds]) => sum + eventIds.size - 1, 0),
      findings: twice.map(
        ([key, eventIds]) => `${key}: the fact stated ${eventIds.size} times (${[...eventIds].join(', ')})`,
      ),
    };
  }

  async mail(): Promise<StoredMail[]> {
    const response = await fetch(`${this.cloud.urls.ses}/store`);
    return ((await response.json()) as { emails: StoredMail[] }).emails;
  }

  async label(name: string): Promise<{ id: string; secret: string }> {
    const id = `chaos-${randomBytes(4).toString('hex')}`;
    const created = await this.json<{ webhookSecret: string }>('/labels', {
      method: 'POST',
      json: { name, id },
    });
    return { id, secret: created.webhookSecret };
  }

  /** `count` radio outlets in one genre and one territory (GB unless named), imported as a CSV import job; resolves with their addresses. */
  async outlets(genre: string, count: number, territory = 'GB'): Promise<string[]> {
    const emails = Array.from(
      { length: count },
      (_, i) => `${genre}-${territory === 'GB' ? '' : `${territory.toLowerCase()}-`}${i}@outlet.example`,
    );
    const csv = [
      'name,email,kind,genres,territories,contactName',
      ...emails.map((email, i) => `Radio ${i},${email},radio,${genre},${territory},Host ${i}`),
    ].join('\n');
    const response = await this.request('/media-outlets/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    const text = await response.text();
    if (response.status !== 202)
      throw new Error(`outlet import answered ${response.status}: ${text.slice(0, 300)}`);
    const { jobId } = JSON.parse(text) as { jobId: string };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await this.json<{ status: string; result?: { created?: number } }>(`/jobs/${jobId}`);
      if (job.status === 'done' && job.result?.created === count) break;
      if (job.status === 'done' || job.status === 'failed' || Date.now() > deadline) {
        throw new Error(`outlet import job ${jobId} ended ${JSON.stringify(job).slice(0, 300)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return emails;
  }

  /**
   * Sends a signed webhook as a label system does: answers other than 2xx and 4xx, and lost
   * connections, are retried with the same webhook id (Standard Webhooks senders retry), up to 8 times.
   */
  async webhook(
    label: { id: string; secret: string },
    body: unknown,
    webhookId = `msg_${randomBytes(9).toString('hex')}`,
  ): Promise<{ status: number; webhookId: string; attempts: number }> {
    const payload = JSON.stringify(body);
    let status = 0;
    let attempts = 0;
    while (attempts < 8) {
      attempts++;
      const at = await this.now().catch(() => new Date());
      try {
        const response = await postSignedWebhook(this.cloud.urls.http, label, webhookId, at, payload);
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
      if (status >= 200 && status < 500) break;
      await pause(50 * 2 ** Math.min(attempts, 5));
    }
    return { status, webhookId, attempts };
  }

  /** Waits until `check` holds or `timeoutMs` passes; resolves with whether it held. */
  async until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check().catch(() => false)) return true;
      if (Date.now() > deadline) return false;
      await pause(100);
    }
  }

  /**
   * After the traffic: waits for the bus, clears the faults, redrives the dead letters, and lets the
   * sweeps run twice (each clock jump passes the window after which a claim is stale, and the
   * visibility timeout after which a settlement message that failed comes back).
   */
  /** Milliseconds spent per phase of the last scenario (printed, to see where a slow run spends its time). */
  timings: Record<string, number> = {};
  #phaseStart = Date.now();

  /** Ends the current phase under `name`. */
  phase(name: string): void {
    const now = Date.now();
    this.timings[name] = (this.timings[name] ?? 0) + (now - this.#phaseStart);
    this.#phaseStart = now;
  }

  /**
   * Moves the clock a minute past the window after which a claim is stale (the announcer's, the
   * longest of the senders'), so that the once-a-minute sweeps resend what was left open before, and
   * waits until all is idle.
   */
  async staleWindowPassed(): Promise<void> {
    const now = await this.now();
    await this.advanceClock(new Date(now.getTime() + defaultSettings.staleClaimMs + 60_000));
    await this.idle();
  }

  async settle(): Promise<{ deadLettered: number; replayed: number; fired: number }> {
    this.phase('traffic');
    await this.idle();
    this.phase('waiting for the bus under faults');
    const fired = await this.firedSinceArmed();
    await this.clearFaults();
    await this.idle();
    const deadLettered = (await this.deadLetters()).length;
    let replayed = 0;
    for (let round = 0; round < 2; round++) {
      replayed += replayedBy(await this.redrive());
      await this.staleWindowPassed();
    }
    replayed += replayedBy(await this.redrive());
    await this.idle();
    this.phase('redrive and sweeps');
    return { deadLettered, replayed, fired };
  }
}

/** What a redrive replayed: the bus's dead letters that then succeeded, and the queues' moved back. */
const replayedBy = (redrive: { succeeded: number; queueMessages: number }) =>
  redrive.succeeded + redrive.queueMessages;

/** How the mail templates write a release date in a subject (`5 March 2027`). */
export const dateInSubject = (isoDate: string) =>
  new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${isoDate}T00:00:00Z`));

export const daysAfter = (now: Date, days: number) =>
  new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);

export const aRelease = (title: string, genre: string, releaseDate: string) => ({
  ...sampleRelease,
  releaseId: `rel-${title}`,
  title,
  genres: [genre],
  territories: ['GB'],
  releaseDate,
  releaseTime: '09:00',
  timeZone: 'Europe/London',
});

/** Mail in the store to one of `emails` whose subject names `title`, grouped by address. */
export function mailByOutlet(all: StoredMail[], emails: string[], title: string): Map<string, StoredMail[]> {
  const byOutlet = new Map(emails.map((email) => [email, [] as StoredMail[]]));
  for (const mail of all) {
    if (!mail.subject.includes(title)) continue;
    for (const to of mail.destination.to) byOutlet.get(to)?.push(mail);
  }
  return byOutlet;
}

/** Mails beyond the first with the same subject to the same address. */
const repeats = (mails: StoredMail[]) => mails.length - new Set(mails.map((mail) => mail.subject)).size;

export interface ScenarioOptions {
  outlets: number;
  seed: number;
  faults: string;
  /** Per scenario, how long to wait for the mailing to reach a point before moving on anyway. */
  waitMs?: number;
}

/**
 * A release announced to `outlets` outlets, its date moved twice while the announcement is going
 * out. Every outlet gets one announcement, and learns the final date (from the announcement or a
 * date-change mail), and no mail twice.
 */
export async function releaseMovedTwice(client: ChaosClient, options: ScenarioOptions): Promise<ChaosRow> {
  const genre = `moved${randomBytes(3).toString('hex')}`;
  const label = await client.label('Moving Dates Records');
  const emails = await client.outlets(genre, options.outlets);
  const now = await client.now();
  const dates = [daysAfter(now, 30), daysAfter(now, 40), daysAfter(now, 50)];
  const title = `Moved ${genre}`;
  const release = aRelease(title, genre, dates[0]);
  const labelTime = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
  await client.armFaults(options.faults, options.seed);

  const sent = [
    await client.webhook(label, { type: 'release.scheduled', timestamp: labelTime(0), data: release }),
  ];
  const mailed = async (atLeast: number) =>
    (await client.mail()).filter((mail) => mail.subject.includes(title)).length >= atLeast;
  await client.until(() => mailed(Math.ceil(options.outlets * 0.15)), options.waitMs ?? 60_000);
  sent.push(
    await client.webhook(label, {
      type: 'release.updated',
      timestamp: labelTime(1),
      data: { ...release, releaseDate: dates[1] },
    }),
  );
  await client.until(() => mailed(Math.ceil(options.outlets * 0.5)), options.waitMs ?? 60_000);
  sent.push(
    await client.webhook(label, {
      type: 'release.updated',
      timestamp: labelTime(2),
      data: { ...release, releaseDate: dates[2] },
    }),
  );
  const { deadLettered, replayed, fired } = await client.settle();

  const findings: string[] = [];
  let expected = 0;
  let duplicates = 0;
  let lost = 0;
  let total = 0;
  const finalDate = dateInSubject(dates[2]);
  for (const [email, mails] of mailByOutlet(await client.mail(), emails, title)) {
    total += mails.length;
    const announcements = mails.filter((mail) => mail.subject.startsWith('New single:'));
    const toldFinal = mails.some((mail) => mail.subject.endsWith(finalDate));
    expected += 1 + (announcements[0] && !announcements[0].subject.endsWith(finalDate) ? 1 : 0);
    duplicates +=
      Math.max(0, announcements.length - 1) + repeats(mails.filter((mail) => !announcements.includes(mail)));
    if (announcements.length === 0) {
      lost++;
      findings.push(`${email}: no announcement`);
    }
    if (announcements.length > 1) findings.push(`${email}: ${announcements.length} announcements`);
    const others = mails.filter((mail) => !announcements.includes(mail));
    if (repeats(others) > 0 && findings.length < 10) {
      findings.push(
        `${email}: the same mail twice (${others.map((m) => m.subject.replace(/^(.{12}).*( out .*)$/, '$1…$2')).join(' | ')}); ${await client.deliveryStates(label.id, release.releaseId, email)}`,
      );
    }
    if (announcements.length > 0 && !toldFinal) {
      lost++;
      findings.push(
        `${email}: never told the final date (got: ${mails.map((m) => m.subject.slice(-16)).join(' | ')})`,
      );
    }
  }
  const facts = await client.factsStatedTwice([release.releaseId]);
  duplicates += facts.count;
  findings.unshift(...facts.findings);
  return {
    scenario: `${options.outlets} outlets, date moved twice`,
    seed: options.seed,
    faults: options.faults,
    faultsFired: fired,
    eventsIn: sent.length,
    mailsExpected: expected,
    sent: total,
    duplicates,
    lost,
    unrecorded: sent.filter((s) => s.status < 200 || s.status >= 300).length,
    deadLettered,
    replayed,
    findings: findings.slice(0, 10),
  };
}

/**
 * A release cancelled while its announcement is going out: every outlet announced gets one
 * cancellation, none gets a mail twice, and none is announced after the cancellation went out.
 */
export async function releaseCancelledMidMailing(
  client: ChaosClient,
  options: ScenarioOptions,
): Promise<ChaosRow> {
  const genre = `cancel${randomBytes(3).toString('hex')}`;
  const label = await client.label('Cancelling Records');
  const emails = await client.outlets(genre, options.outlets);
  const now = await client.now();
  const title = `Cancelled ${genre}`;
  const release = aRelease(title, genre, daysAfter(now, 30));
  const labelTime = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
  await client.armFaults(options.faults, options.seed);

  const sent = [
    await client.webhook(label, { type: 'release.scheduled', timestamp: labelTime(0), data: release }),
  ];
  await client.until(
    async () =>
      (await client.mail()).filter((mail) => mail.subject.includes(title)).length >=
      Math.ceil(options.outlets * 0.3),
    options.waitMs ?? 60_000,
  );
  sent.push(
    await client.webhook(label, {
      type: 'release.cancelled',
      timestamp: labelTime(1),
      data: { releaseId: release.releaseId, reason: 'The artist withdrew the single.' },
    }),
  );
  const { deadLettered, replayed, fired } = await client.settle();

  const findings: string[] = [];
  let expected = 0;
  let duplicates = 0;
  let lost = 0;
  let total = 0;
  for (const [email, mails] of mailByOutlet(await client.mail(), emails, title)) {
    total += mails.length;
    const announcements = mails.filter((mail) => mail.subject.startsWith('New single:'));
    const cancellations = mails.filter((mail) => mail.subject.startsWith('Cancelled:'));
    expected += announcements.length > 0 ? 2 : 0;
    duplicates += Math.max(0, announcements.length - 1) + Math.max(0, cancellations.length - 1);
    if (announcements.length > 1 || cancellations.length > 1) {
      findings.push(`${email}: ${announcements.length} announcements, ${cancellations.length} cancellations`);
    }
    if (announcements.length > 0 && cancellations.length === 0) {
      lost++;
      if (findings.length < 10) {
        findings.push(
          `${email}: announced, never told of the cancellation; ${await client.deliveryStates(label.id, release.releaseId, email)}`,
        );
      }
    }
    if (announcements.length === 0 && cancellations.length > 0) {
      duplicates++;
      findings.push(`${email}: a cancellation without an announcement`);
    }
  }
  const facts = await client.factsStatedTwice([release.releaseId]);
  duplicates += facts.count;
  findings.unshift(...facts.findings);
  return {
    scenario: `${options.outlets} outlets, cancelled mid-mailing`,
    seed: options.seed,
    faults: options.faults,
    faultsFired: fired,
    eventsIn: sent.length,
    mailsExpected: expected,
    sent: total,
    duplicates,
    lost,
    unrecorded: sent.filter((s) => s.status < 200 || s.status >= 300).length,
    deadLettered,
    replayed,
    findings: findings.slice(0, 10),
  };
}

/**
 * `webhooks` webhooks from 3 labels, a fifth of them duplicates (the same webhook again, or the
 * same release under a new webhook id), each release mailed to `outlets` outlets: every
 * acknowledged webhook's release is recorded, every outlet gets each release's announcement once.
 */
export async function webhookFlood(
  client: ChaosClient,
  options: ScenarioOptions & { webhooks: number },
): Promise<ChaosRow> {
  const genre = `flood${randomBytes(3).toString('hex')}`;
  const labels = [
    await client.label('Flood One'),
    await client.label('Flood Two'),
    await client.label('Flood Three'),
  ];
  const emails = await client.outlets(genre, options.outlets);
  const now = await client.now();
  const distinct = Math.round(options.webhooks * 0.8);
  const originals = Array.from({ length: distinct }, (_, i) => ({
    label: labels[i % 3],
    body: {
      type: 'release.scheduled',
      timestamp: now.toISOString(),
      data: aRelease(`Flood ${genre} n${i} x`, genre, daysAfter(now, 30 + (i % 20))),
    },
    webhookId: `msg_${randomBytes(9).toString('hex')}`,
  }));
  const duplicates = Array.from({ length: options.webhooks - distinct }, (_, i) => {
    const original = originals[(i * 7) % distinct];
    // Half resend the same webhook, half send the same release under a new webhook id.
    return i % 2 === 0 ? original : { ...original, webhookId: `msg_${randomBytes(9).toString('hex')}` };
  });
  const all = [...originals, ...duplicates];
  await client.armFaults(options.faults, options.seed);

  const results: { status: number; index: number }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < all.length) {
        const index = next++;
        const { label, body, webhookId } = all[index];
        const { status } = await client.webhook(label, body, webhookId);
        results.push({ status, index });
      }
    }),
  );
  const { deadLettered, replayed, fired } = await client.settle();

  const findings: string[] = [];
  const acknowledged = new Set(
    results.filter((r) => r.status >= 200 && r.status < 300).map((r) => all[r.index].body.data.releaseId),
  );
  for (const r of results.filter((r) => r.status < 200 || r.status >= 300).slice(0, 5)) {
    findings.push(`webhook ${r.index}: never acknowledged after 8 attempts (last answer ${r.status})`);
  }
  const expectedReleases = originals.filter((original) => acknowledged.has(original.body.data.releaseId));
  let unrecorded = 0;
  for (const original of expectedReleases) {
    const view = await client.request(
      `/labels/${original.label.id}/releases/${original.body.data.releaseId}`,
    );
    await view.arrayBuffer();
    if (view.status !== 200) {
      unrecorded++;
      findings.push(`${original.body.data.releaseId}: acknowledged, but its view answered ${view.status}`);
    }
  }

  // Announcements per outlet and title ("New single: <title> by ...").
  const count = new Map<string, number>();
  const targets = new Set(emails);
  let total = 0;
  for (const mail of await client.mail()) {
    if (!mail.subject.startsWith(`New single: Flood ${genre} `)) continue;
    const title = mail.subject.slice('New single: '.length, mail.subject.indexOf(' by '));
    for (const to of mail.destination.to) {
      if (!targets.has(to)) continue;
      total++;
      count.set(`${to}|${title}`, (count.get(`${to}|${title}`) ?? 0) + 1);
    }
  }
  let lost = 0;
  let repeated = 0;
  for (const original of expectedReleases) {
    for (const email of emails) {
      const n = count.get(`${email}|${original.body.data.title}`) ?? 0;
      if (n === 0) lost++;
      if (n > 1) repeated += n - 1;
      if ((n === 0 || n > 1) && findings.length < 10) {
        findings.push(
          `${email}: ${n} announcements of ${original.body.data.title}; ${await client.deliveryStates(original.label.id, original.body.data.releaseId, email)}`,
        );
      }
    }
  }
  const facts = await client.factsStatedTwice(
    expectedReleases.map((original) => original.body.data.releaseId),
  );
  repeated += facts.count;
  findings.unshift(...facts.findings.slice(0, 5));
  return {
    scenario: `${options.webhooks} webhooks, 3 labels, duplicates`,
    seed: options.seed,
    faults: options.faults,
    faultsFired: fired,
    eventsIn: all.length,
    mailsExpected: expectedReleases.length * emails.length,
    sent: total,
    duplicates: repeated,
    lost,
    unrecorded,
    deadLettered,
    replayed,
    findings,
  };
}

/** A show of a tour in the chaos scenarios, announced, its press embargoed until `announceAt`. */
const aShow = (city: string, country: string, timeZone: string, date: string, announceAt: string) => ({
  showId: `show-${city.toLowerCase()}`,
  date,
  venue: { name: `${city} Hall`, address: '1 Main Street', city, country, timeZone },
  times: { loadIn: '14:00', soundcheck: '16:30', doors: '19:00', set: '21:00', curfew: '23:00' },
  promoter: { name: `${city} Promoter`, email: `promoter@${city.toLowerCase()}.example` },
  status: 'announced' as const,
  announceAt,
});

/**
 * What a press mail's subject tells of each show it lists (`<headline>: <City> <date>, ...`): the
 * city and `on <date>`, or `cancelled`.
 */
const toldInSubject = (subject: string): [city: string, told: string][] =>
  subject
    .slice(subject.lastIndexOf(': ') + 2)
    .split(', ')
    .map((show) => {
      const [city, date] = show.split(' ');
      return [city, subject.startsWith('Cancelled: ') ? 'cancelled' : `on ${date}`];
    });

/**
 * A tour's press: two shows in GB (London, Manchester) and one in DE (Berlin), each country's press
 * `outlets` outlets, more pages of the directory than one (the suite's cloud reads it in pages of 5,
 * one an invocation), so each press step continues itself page by page through the outbox. While
 * the announcements go out, Manchester is cancelled, Berlin moves to a later date, and Manchester is
 * set on again. Every outlet gets one announcement and, as releases' outlets do, learns what stands
 * (its country's shows on, Berlin on its final date) and gets no mail twice.
 */
export async function tourPressMidMailing(client: ChaosClient, options: ScenarioOptions): Promise<ChaosRow> {
  const genre = `tour${randomBytes(3).toString('hex')}`;
  const artist = `Touring ${genre}`;
  const label = await client.label('Touring Records');
  const gb = await client.outlets(genre, options.outlets, 'GB');
  const de = await client.outlets(genre, options.outlets, 'DE');
  const now = await client.now();
  // Embargoed for a day: the press goes out when the clock passes it, once the booking is in place.
  const announceAt = new Date(now.getTime() + 86_400_000).toISOString();
  const london = aShow('London', 'GB', 'Europe/London', daysAfter(now, 60), announceAt);
  const manchester = aShow('Manchester', 'GB', 'Europe/London', daysAfter(now, 62), announceAt);
  const berlin = aShow('Berlin', 'DE', 'Europe/Berlin', daysAfter(now, 64), announceAt);
  const moved = { ...berlin, date: daysAfter(now, 70) };
  const tourId = `tour-${genre}`;
  // The label's time of the booking, then of each change a minute after the one before, once the day passed.
  const labelTime = (minutes: number) =>
    new Date((minutes ? Date.parse(announceAt) : now.getTime()) + minutes * 60_000).toISOString();
  await client.armFaults(options.faults, options.seed);

  const sent = [
    await client.webhook(label, {
      type: 'tour.booked',
      timestamp: labelTime(0),
      data: {
        tourId,
        artist: { name: artist },
        genres: [genre],
        tourManager: { name: 'Tam', email: `tm-${genre}@tm.example` },
        shows: [london, manchester, berlin],
      },
    }),
  ];
  await client.idle();
  await client.json('/_local/clock', {
    method: 'POST',
    json: { advanceTo: new Date(Date.parse(announceAt) + 60_000).toISOString() },
  });
  const mails = async () => (await client.mail()).filter((mail) => mail.subject.includes(artist));
  const change = async (type: string, data: unknown) =>
    sent.push(await client.webhook(label, { type, timestamp: labelTime(sent.length), data }));
  // While the announcements (one an outlet) go out: Manchester cancelled after the first few, then, once
  // GB's announcements go on without it (or after 30 s), Berlin moved and Manchester set on again.
  await client.until(async () => (await mails()).length >= options.outlets * 0.05, options.waitMs ?? 60_000);
  await change('tour.show.cancelled', { tourId, showId: manchester.showId, reason: 'The venue closed.' });
  await client.until(
    async () =>
      (await mails()).some((mail) => /live in the United Kingdom: London [-\d]+$/.test(mail.subject)),
    options.waitMs ?? 30_000,
  );
  await change('tour.show.updated', { tourId, show: moved });
  await change('tour.show.updated', { tourId, show: manchester });
  const { deadLettered, replayed, fired } = await client.settle();

  const findings: string[] = [];
  let duplicates = 0;
  let lost = 0;
  let total = 0;
  for (const [email, mails] of mailByOutlet(await client.mail(), [...gb, ...de], artist)) {
    total += mails.length;
    const announcements = mails.filter((mail) => mail.subject.startsWith(`${artist} live in`));
    const others = mails.filter((mail) => !announcements.includes(mail));
    // Each show's last word to the outlet, against what stands.
    const last = new Map(mails.flatMap((mail) => toldInSubject(mail.subject)));
    const untold = (gb.includes(email) ? [london, manchester] : [moved]).filter(
      (show) => last.get(show.venue.city) !== `on ${show.date}`,
    );
    duplicates +=
      Math.max(0, announcements.length - 1) +
      repeats(others) +
      (announcements.length === 0 ? others.length : 0);
    if (announcements.length === 0) {
      lost++;
      findings.push(
        `${email}: no announcement (got: ${mails.map((m) => m.subject).join(' | ') || 'nothing'})`,
      );
    } else if (untold.length > 0) {
      lost++;
      findings.push(
        `${email}: never told ${untold.map((show) => `${show.venue.city} on ${show.date}`).join(', ')} (got: ${mails.map((m) => m.subject).join(' | ')})`,
      );
    }
    if (announcements.length > 1 || repeats(others) > 0)
      findings.push(`${email}: a mail twice (${mails.map((m) => m.subject).join(' | ')})`);
  }
  return {
    scenario: `tour press, ${options.outlets} outlets in each of 2 countries in pages, shows cancelled, moved and on again mid-mailing`,
    seed: options.seed,
    faults: options.faults,
    faultsFired: fired,
    eventsIn: sent.length,
    // Each mail that told news, and each missing one.
    mailsExpected: total - duplicates + lost,
    sent: total,
    duplicates,
    lost,
    unrecorded: sent.filter((s) => s.status < 200 || s.status >= 300).length,
    deadLettered,
    replayed,
    findings: findings.slice(0, 10),
  };
}

/**
 * A release announced to `outlets` outlets, and the whole local cloud killed (SIGKILL) at a moment
 * drawn from the seed while the announcement goes out, then started again on the same data folder:
 * every outlet still gets its announcement exactly once. Mail the SES store held just before the
 * kill counts too (the store may not survive the kill).
 */
export async function killedMidMailing(
  start: () => Promise<CloudProcess>,
  options: ScenarioOptions,
): Promise<ChaosRow> {
  let cloud = await start();
  const client = new ChaosClient(cloud);
  const genre = `killed${randomBytes(3).toString('hex')}`;
  const title = `Killed ${genre}`;
  let findings: string[] = [];
  try {
    const label = await client.label('Crash Test Records');
    const emails = await client.outlets(genre, options.outlets);
    const now = await client.now();
    await client.armFaults(options.faults, options.seed);
    const release = aRelease(title, genre, daysAfter(now, 30));
    const sent = await client.webhook(label, {
      type: 'release.scheduled',
      timestamp: now.toISOString(),
      data: release,
    });
    // The moment: when a share of the mailing drawn from the seed (5 % to 90 %) is in the store.
    const share = 0.05 + 0.85 * shareOf(options.seed);
    const started = Date.now();
    await client.until(
      async () =>
        (await client.mail()).filter((mail) => mail.subject.includes(title)).length >=
        share * options.outlets,
      options.waitMs ?? 60_000,
    );
    const firedBeforeKill = await client.firedSinceArmed();
    const beforeKill = await client.mail();
    await cloud.kill();
    const killedAfterMs = Date.now() - started;
    cloud = await start();
    client.cloud = cloud;
    await client.armFaults(options.faults, options.seed + 1);
    const { deadLettered, replayed, fired } = await client.settle();

    const byId = new Map([...beforeKill, ...(await client.mail())].map((mail) => [mail.messageId, mail]));
    let lost = 0;
    let duplicates = 0;
    let total = 0;
    for (const [email, mails] of mailByOutlet([...byId.values()], emails, title)) {
      total += mails.length;
      if (mails.length === 0) lost++;
      if (mails.length > 1) duplicates += mails.length - 1;
      if (mails.length > 1) {
        // Which copies the store held before the kill, and the delivery record: a resend, or one claim sent twice.
        const copies = mails.map(
          (mail) =>
            `${mail.messageId}${beforeKill.some((m) => m.messageId === mail.messageId) ? ' (before the kill)' : ''}`,
        );
        findings.push(
          `${email}: ${mails.length} announcements: ${copies.join(', ')}; ${await client.deliveryStates(label.id, release.releaseId, email)}`,
        );
      } else if (mails.length === 0) findings.push(`${email}: no announcement`);
    }
    findings = [
      `killed ${killedAfterMs} ms after the webhook was acknowledged, ${beforeKill.filter((m) => m.subject.includes(title)).length} of its ${options.outlets} mails in the store then`,
      ...findings.slice(0, 9),
    ];
    return {
      scenario: `${options.outlets} outlets, local cloud killed (SIGKILL) and restarted`,
      seed: options.seed,
      faults: options.faults,
      faultsFired: firedBeforeKill + fired,
      eventsIn: 1,
      mailsExpected: emails.length,
      sent: total,
      duplicates,
      lost,
      unrecorded: sent.status >= 200 && sent.status < 300 ? 0 : 1,
      deadLettered,
      replayed,
      findings,
    };
  } finally {
    await cloud.stop();
  }
}

/** The table the chaos suite prints, as Markdown (the README shows the latest). */
const mixNames = new Map([
  [faultMix, 'mix'],
  [killMix, 'mix without event drop'],
  [unknownOutcomeMix, 'unknown outcomes'],
]);

export function chaosTable(rows: ChaosRow[]): string {
  const header = [
    'scenario',
    'seed',
    'faults',
    'events in',
    'mails expected',
    'sent',
    'duplicates',
    'lost',
    'unrecorded webhooks',
    'dead-lettered',
    'replayed from the DLQ',
  ];
  const lines = rows.map((row) =>
    [
      row.scenario,
      row.seed,
      row.faults === '' ? 'none' : `${mixNames.get(row.faults) ?? 'custom'}, ${row.faultsFired} fired`,
      row.eventsIn,
      row.mailsExpected,
      row.sent,
      row.duplicates,
      row.lost,
      row.unrecorded,
      row.deadLettered,
      row.replayed,
    ].join(' | '),
  );
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l} |`),
  ].join('\n');
}
