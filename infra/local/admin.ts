import type { ParkedEntry } from '#shared/db/outbox-publishing.ts';
import { OffsetInstant } from '#shared/events/fields.ts';
import type { LocalBus } from './bus/bus.ts';
import type { VirtualClock } from './clock.ts';
import { type ConsoleSources, consolePage, consoleState } from './console.ts';
import { busEventSummary, deadLettersOf } from './dead-letters.ts';
import type { Faults } from './faults.ts';
import { type AdminHandler, startingAnswer } from './gateway.ts';
import type { InFlight, RunningInvocation } from './in-flight.ts';
import type { QueueDeadLetter } from './queues/index.ts';
import type { RequestCounts } from './request-counts.ts';
import { crossSiteRefusal } from './same-origin.ts';
import type { LocalScheduler } from './scheduler.ts';
import { type SesEvent, sesDetailTypes } from './ses/events.ts';
import type { LocalStreams, StreamDeadLetter } from './streams/index.ts';

/** How long `POST /_local/clock` lets running invocations finish before it refuses to move the clock. */
export const clockSettleMs = 60_000;

export interface AdminParts {
  clock: Pick<VirtualClock, 'now' | 'offsetMs'>;
  scheduler: Pick<LocalScheduler, 'advanceTo' | 'pending' | 'deadLetters' | 'expiredDeadLetters' | 'redrive'>;
  bus: Pick<
    LocalBus,
    'recentEvents' | 'shownEvents' | 'deadLetters' | 'expiredDeadLetters' | 'replay' | 'redrive'
  >;
  faults: Faults;
  inFlight: InFlight;
  isReady: () => boolean;
  /**
   * No invocation running or retrying, and every stream record handled; with `'due'`, a retry held
   * until a time the local clock has not reached does not count.
   */
  whenIdle: (heldRetries?: 'all' | 'due') => Promise<void>;
  streamDeadLetters: () => StreamDeadLetter[];
  /** The stream's on-failure records that outlived their retention in this run. */
  expiredStreamDeadLetters?: () => StreamDeadLetter[];
  /** Requests the AWS endpoints answered, by service and operation. */
  requests?: Pick<RequestCounts, 'snapshot'>;
  /** The table stream's event source mappings (the outbox relay): whether they read the stream. */
  streams?: Pick<LocalStreams, 'enabled' | 'setEnabled'> & Partial<Pick<LocalStreams, 'redrive'>>;
  /** Messages queue triggers' queues moved to their dead-letter queues, and how deep each queue is. */
  queues?: {
    deadLetters: () => QueueDeadLetter[];
    expiredDeadLetters: () => QueueDeadLetter[];
    depths: () => Record<string, unknown>;
    redrive: () => number;
  };
  /**
   * SES's way onto the default bus (the SES front's `publish`): `POST /_local/ses/events` hands it
   * events SES would publish, since a PutEvents with an `aws.` source is refused, as on AWS.
   */
  ses?: { publish: (events: SesEvent[]) => Promise<void> };
  /** The outbox's parked entries (docs/design.md#the-outbox), listed, and put back for publishing by a redrive. */
  outbox?: {
    parked: (limit: number) => Promise<ParkedEntry[]>;
    requeueParked: (at: Date) => Promise<number>;
  };
  /** What the console reads besides the parts above. */
  console: Omit<ConsoleSources, 'clock' | 'bus' | 'scheduler' | 'deadLetters'>;
  /** The local cloud's addresses (`GET /_local/info`, with the manager's time zone). */
  urls: () => Record<string, string>;
  /** Overrides clockSettleMs (tests). */
  settleMs?: number;
}

const startingPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="1">
<title>Backline is starting</title></head>
<body><p>Backline is starting (DynamoDB Local, the functions). This page reloads itself until the console is up.</p></body></html>
`;

/**
 * The local cloud's own routes on the HTTP port: `/health` while starting, and `/_local/*` (the
 * clock, recent events, dead letters, faults, replay). Every state-changing request must come from
 * a tool, not a web page (see same-origin.ts).
 */
export function adminRoutes(parts: AdminParts): AdminHandler {
  const { clock, scheduler, bus, faults, whenIdle } = parts;
  // The one list of what a redrive takes: the dlq route answers it, the console shows it.
  const deadLetters = () => deadLettersOf(parts);
  const consoleSources = (): ConsoleSources => ({ ...parts.console, clock, bus, scheduler, deadLetters });

  return async (req, url, body) => {
    const method = req.method ?? 'GET';
    const route = `${method} ${url.pathname}`;
    const refusal = url.pathname.startsWith('/_local/') ? crossSiteRefusal(method, req.headers) : undefined;
    if (refusal) return { status: 403, body: { error: 'forbidden', message: refusal } };
    if (!parts.isReady()) {
      // The console opened that soon (a tab left open from the last run, say) is a page that says so and
      // reloads itself every second, until it is the console.
      if (route === 'GET /_local/console')
        return { status: 503, contentType: 'text/html; charset=utf-8', body: startingPage };
      // The console's state and the addresses read parts that exist only once the local cloud is up. A
      // change (a clock moved, a fault armed, a redrive) waits for it too: start-up's own waits read the
      // clock, and what it would fire would load functions not yet configured.
      if (method === 'POST' || method === 'DELETE' || /^\/_local\/(console|info)/.test(url.pathname))
        return startingAnswer;
    }
    switch (route) {
      case 'GET /health':
        // Healthy only when every part is up; then the topology's health function answers.
        return parts.isReady() ? { status: 0, body: null } : startingAnswer;
      case 'GET /_local/console':
        return {
          status: 200,
          contentType: 'text/html; charset=utf-8',
          body: await consolePage(consoleSources()),
        };
      case 'GET /_local/console/state':
        return {
          status: 200,
          contentType: 'text/plain; charset=utf-8',
          body: await consoleState(consoleSources()),
        };
      case 'GET /_local/info':
        return {
          status: 200,
          body: { urls: parts.urls(), managerTimeZone: parts.console.managerTimeZone },
        };
      case 'GET /_local/clock':
        return { status: 200, body: { now: clock.now().toISOString(), offsetMs: clock.offsetMs() } };
      case 'POST /_local/clock': {
        const target = instantOf(jsonBody(body).advanceTo);
        if (!target) return invalidField('advanceTo', instantMessage);
        // The clock only moves forward (docs/design.md#the-local-clock): a time before it is refused, not taken as "now".
        if (target.getTime() < clock.now().getTime()) {
          return invalidField(
            'advanceTo',
            `must not be before the local clock's now, ${clock.now().toISOString()}`,
          );
        }
        // A jump must not overtake work in flight: a running mailing's open claims would look
        // stale to the sweep the jump fires (see docs/design.md#exactly-once-mail).
        const stillRunning = await settle(parts, parts.settleMs ?? clockSettleMs);
        if (stillRunning.length > 0) {
          return {
            status: 409,
            body: {
              error: 'busy',
              message: `The clock was not moved: ${stillRunning.length} invocation(s) still running after ${Math.round((parts.settleMs ?? clockSettleMs) / 1000)} s: ${describe(stillRunning)}. Try again once they have finished.`,
              running: stillRunning,
            },
          };
        }
        const fired = await scheduler.advanceTo(target);
        await whenIdle();
        return { status: 200, body: { now: clock.now().toISOString(), fired } };
      }
      case 'GET /_local/events': {
        const detailType = url.searchParams.get('detailType');
        const source = url.searchParams.get('source');
        const limit = Number(url.searchParams.get('limit') ?? 1000);
        const events = bus
          .recentEvents()
          .filter(
            (r) =>
              (!detailType || r.event['detail-type'] === detailType) &&
              (!source || r.event.source === source),
          )
          .slice(-limit)
          .map((r) => ({ bus: r.bus, ...busEventSummary(r.event), invocations: r.invocations }));
        return { status: 200, body: { events } };
      }
      case 'GET /_local/dlq':
        return { status: 200, body: await deadLetters() };
      case 'GET /_local/invocations':
        return { status: 200, body: { started: parts.inFlight.started() } };
      case 'GET /_local/idle':
        await whenIdle();
        return { status: 200, body: { idle: true } };
      case 'GET /_local/requests':
        return { status: 200, body: { requests: parts.requests?.snapshot() ?? {} } };
      case 'GET /_local/streams':
        return { status: 200, body: { enabled: parts.streams?.enabled() ?? true } };
      case 'POST /_local/streams': {
        const { enabled } = jsonBody(body);
        if (typeof enabled !== 'boolean') {
          return invalidField('enabled', 'must be true or false');
        }
        parts.streams?.setEnabled(enabled);
        return { status: 200, body: { enabled: parts.streams?.enabled() ?? true } };
      }
      case 'GET /_local/faults':
        return { status: 200, body: faults.list() };
      case 'POST /_local/faults': {
        try {
          armFaults(faults, jsonBody(body));
        } catch (error) {
          return { status: 400, body: { error: 'validation', message: (error as Error).message } };
        }
        return { status: 200, body: faults.list() };
      }
      case 'DELETE /_local/faults':
        faults.clear();
        return { status: 200, body: faults.list() };
      case 'POST /_local/dlq/redrive': {
        // The queues' dead letters go back to their queues, then run like any message.
        const queueMessages = parts.queues?.redrive() ?? 0;
        // Parked outbox entries go back on the unpublished index, as `npm run redrive` puts them back.
        const outboxEntries = (await parts.outbox?.requeueParked(clock.now())) ?? 0;
        const fromTheBus = await bus.redrive();
        const schedules = await scheduler.redrive();
        await whenIdle();
        // The stream's on-failure records hold positions, not events: the outbox sweep republishes
        // what is still unpublished, so the redrive takes them out (docs/design.md#the-outbox).
        const streamBatches = parts.streams?.redrive?.() ?? 0;
        return {
          status: 200,
          body: {
            ...fromTheBus,
            queueMessages,
            outboxEntries,
            scheduleDeadLetters: schedules.redriven,
            streamBatches,
          },
        };
      }
      case 'POST /_local/ses/events': {
        if (!parts.ses) return { status: 404, body: { message: 'no local SES in this cloud' } };
        const parsed = sesEventsOf(jsonBody(body).events);
        if ('path' in parsed) return invalidField(parsed.path, parsed.message);
        // Resolves once the events' invocations have finished, as `publish` does for the SES front.
        await parts.ses.publish(parsed.events);
        return { status: 200, body: { published: parsed.events.length } };
      }
      case 'POST /_local/replay': {
        const { bus: busName = 'backline', from, to } = jsonBody(body);
        if (busName !== 'backline' && busName !== 'default')
          return invalidField('bus', 'must be backline or default');
        const range = { from: instantOf(from), to: instantOf(to) };
        if (!range.from) return invalidField('from', instantMessage);
        if (!range.to) return invalidField('to', instantMessage);
        const replayed = bus.replay({ bus: busName, from: range.from, to: range.to });
        await whenIdle();
        return { status: 200, body: { replayed } };
      }
      default:
        // `/health` is the API's own route too: another method gets the gateway's 404, as on AWS.
        if (!url.pathname.startsWith('/_local/')) return { status: 0, body: null };
        return { status: 404, body: { message: `no local admin route ${route}` } };
    }
  };
}

/**
 * Waits, up to `limitMs`, until no invocation runs and the bus has nothing left to deliver (an
 * invocation may start another: a long mailing continues itself) but retries held by the clock, which
 * the jump brings due (docs/design.md#the-local-clock). Answers what still runs.
 */
async function settle(parts: AdminParts, limitMs: number): Promise<RunningInvocation[]> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limitMs);
  });
  try {
    for (;;) {
      const quiet = Promise.all([parts.inFlight.whenIdle(), parts.whenIdle('due')]).then(
        () => 'quiet' as const,
      );
      if ((await Promise.race([quiet, timedOut])) === 'timeout') return parts.inFlight.running();
      if (parts.inFlight.running().length === 0) return [];
    }
  } finally {
    clearTimeout(timer);
  }
}

function describe(running: RunningInvocation[]): string {
  const listed = running
    .slice(0, 5)
    .map((r) => `${r.function} (${r.trigger}, since ${r.since})`)
    .join(', ');
  return running.length > 5 ? `${listed} and ${running.length - 5} more` : listed;
}

/**
 * The instant a body's field gives, read as every instant given with its zone is (`OffsetInstant`,
 * docs/design.md#ordering-by-the-labels-timestamp): ISO 8601 with `Z` or an offset, on a day the calendar
 * has; else undefined. `Date` alone reads a time without its zone in this machine's zone, and rolls
 * 2031-02-30 into March: a clock moved there cannot come back, and a replay took another range.
 */
const instantOf = (value: unknown): Date | undefined =>
  OffsetInstant.safeParse(value).success ? new Date(value as string) : undefined;
const instantMessage =
  'must be an ISO 8601 date-time with seconds and its zone (Z or an offset), on a day the calendar has';

/** A 400 naming the one field of the body that is wrong, and why. */
const invalidField = (path: string, message: string) => ({
  status: 400,
  body: { error: 'validation', issues: [{ path, message }] },
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The body of `POST /_local/ses/events`: 1-10 events, each a detail-type SES publishes, its `detail` and `resources`. */
function sesEventsOf(value: unknown): { events: SesEvent[] } | { path: string; message: string } {
  if (!Array.isArray(value) || value.length === 0 || value.length > 10)
    return { path: 'events', message: 'must be a list of 1 to 10 events' };
  const events: SesEvent[] = [];
  for (const [index, event] of value.entries()) {
    const at = `events.${index}`;
    if (!isRecord(event)) return { path: at, message: 'must be an object' };
    const { detailType, detail, resources = [] } = event;
    if (!sesDetailTypes.includes(detailType as SesEvent['detailType']))
      return { path: `${at}.detailType`, message: `must be one of ${sesDetailTypes.join(', ')}` };
    if (!isRecord(detail)) return { path: `${at}.detail`, message: 'must be an object' };
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string'))
      return { path: `${at}.resources`, message: 'must be a list of ARNs' };
    events.push({
      source: 'aws.ses',
      detailType: detailType as SesEvent['detailType'],
      detail,
      resources,
      time: new Date().toISOString(),
    });
  }
  return { events };
}

function jsonBody(body: Buffer): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body.toString('utf8') || '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * `POST /_local/faults`: `{"name", "times"}` (times a count or "inf", default 1), `{"name", "rate"}`,
 * or `{"spec": "a@0.2,b=3"}` as in BACKLINE_LOCAL_FAULTS; `"seed"` restarts the rates from that seed.
 */
function armFaults(faults: Faults, input: Record<string, unknown>): void {
  const { name, times, rate, spec, seed } = input;
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error('seed must be an integer');
  const entries =
    spec !== undefined
      ? String(spec)
      : name !== undefined
        ? `${name}${rate !== undefined ? `@${rate}` : times !== undefined ? `=${times}` : ''}`
        : undefined;
  if (entries === undefined && seed === undefined) throw new Error('needs name, spec or seed');
  // The whole spec is read before anything is armed, so a bad entry changes nothing.
  if (entries !== undefined) faults.armSpec(entries);
  if (seed !== undefined) faults.reseed(seed as number);
}
