import { createHash, randomUUID } from 'node:crypto';
import { entrySize, maxPutBytes } from '#shared/events/publish.ts';
import {
  asyncEventMaxAgeSeconds,
  type BusName,
  eventSourcesOf,
  type FunctionName,
  type FunctionSpec,
  ruleTargetRetry,
  settingsOf,
} from '../../topology.ts';
import { takeOutExpired } from '../dead-letters.ts';
import type { Faults } from '../faults.ts';
import { JsonLines } from '../jsonl.ts';
import { DeliveryJournal, journalKey, type UnfinishedDelivery } from './journal.ts';
import { compilePattern, type EventMatcher } from './pattern.ts';

/** EventBridge: at most 10 entries per PutEvents call. */
export const maxEntriesPerCall = 10;
/** EventBridge: 1 MB per event, and per PutEvents call, since 2026-01-29 (docs/design.md#event-size). */
export const maxEventBytes = maxPutBytes;

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  'replay-name'?: string;
}

export interface Invocation {
  rule: string;
  function: FunctionName;
  status: 'running' | 'retrying' | 'succeeded' | 'dead-lettered';
  attempts: number;
  error?: string;
}

export interface EventRecord {
  bus: BusName;
  event: BusEvent;
  invocations: Invocation[];
}

export interface DeadLetter {
  rule: string;
  function: FunctionName;
  attempts: number;
  error: string;
  at: string;
  event: BusEvent;
}

interface Rule {
  name: string;
  bus: BusName;
  function: FunctionName;
  /** A queue trigger's rule: its target is this queue, read by `function` (see docs/design.md#queues). */
  queue?: string;
  /**
   * Attempts after the first: Lambda's asynchronous retries of a handler that throws for a function
   * target; for a queue target, EventBridge's own retries of a SendMessage the queue refused.
   */
  retryAttempts: number;
  /**
   * How old an event may be when an attempt starts: a function target's is Lambda's maximum event age
   * for asynchronous invocations, a queue target's the rule's retry policy's (EventBridge's); older, it
   * is dead-lettered without another attempt (docs/design.md#failures-and-retries).
   */
  maxEventAgeMs: number;
  matches: EventMatcher;
}

/** A delivery to make: a rule's target, and, resumed after a restart, what the last run left of it. */
interface Target {
  rule: Rule;
  delivery?: UnfinishedDelivery;
  /** When the event was accepted (epoch ms, the local clock), for a delivery not resumed. */
  acceptedAt?: number;
}

/** An entry's `Time`: epoch seconds (the SDK's wire form) or a date string. */
const timeOf = (time: NonNullable<PutEventsEntry['Time']>) =>
  new Date(typeof time === 'number' ? time * 1000 : time);

export class BusError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface LocalBusOptions {
  functions: [FunctionName, FunctionSpec][];
  /** `requestId`: the asynchronous invocation's, the same for each of its retries (as Lambda keeps it). */
  invoke: (name: FunctionName, event: BusEvent, requestId: string) => Promise<unknown>;
  /** SendMessage to a queue trigger's queue, the event as the body (as EventBridge sends it); throws when refused. */
  enqueue?: (queue: string, event: BusEvent) => void;
  faults: Faults;
  account: string;
  region: string;
  /** First retry delay of a failed invocation; doubles per attempt (Lambda async retries, scaled down). */
  retryBaseMs: number;
  /**
   * The least delay before a retry of a function's failed invocation, whatever `retryBaseMs` says: the
   * jobs function's comes after a failed holder's page lease lapsed, as Lambda's do on AWS
   * (docs/design.md#local-faults). Such a retry is held by the local clock (`Date.now()`), as the lease
   * is timed: a jump of the clock past it brings it on (see `whenIdle`).
   */
  retryNotBeforeMs?: Partial<Record<FunctionName, number>>;
  /** Where every event is archived (JSON lines), so it can be replayed after a restart. */
  archiveFile?: string;
  /** Where accepted deliveries and dead letters are journalled, so a restart resumes them; none = in memory. */
  journalFiles?: { journal: string; deadLetters: string };
  /** How many recent events `/_local/events` keeps. */
  keepRecent?: number;
}

/**
 * The local EventBridge: the Backline bus and the default bus, the topology's rules with EventBridge's
 * content filtering, asynchronous Lambda invocation with retries and backoff, then a dead letter with
 * the error (docs/design.md#failures-and-retries), and an archive that can be replayed.
 */
export class LocalBus {
  readonly #options: LocalBusOptions;
  readonly #rules: Rule[];
  /** The sources each function's role may put on the Backline bus (the stack's `events:source` condition). */
  readonly #grants: Map<FunctionName, Set<string>>;
  readonly #recent: EventRecord[] = [];
  #earlier: EventRecord[] = [];
  readonly #deadLetters: DeadLetter[] = [];
  readonly #expired: DeadLetter[] = [];
  readonly #archive: { bus: BusName; event: BusEvent }[] = [];
  readonly #archiveFile: JsonLines<{ bus: BusName; event: BusEvent }> | undefined;
  readonly #journal: DeliveryJournal;
  #unfinished: UnfinishedDelivery[];
  #inFlight = 0;
  /** Who waits for the bus to be idle (`whenIdle`), and whether a retry held until later counts as work. */
  #idleWaiters: IdleWaiter[] = [];
  /** The retries held by the local clock (`retryNotBeforeMs`), each until it is due. */
  readonly #held = new Set<HeldRetry>();
  #closed = false;
  #wakeSleepers: () => void = () => undefined;
  readonly #closing = new Promise<void>((resolve) => {
    this.#wakeSleepers = resolve;
  });

  constructor(options: LocalBusOptions) {
    this.#options = options;
    this.#grants = new Map(
      options.functions.map(([name, spec]) => [name, new Set(eventSourcesOf(spec.may))]),
    );
    this.#rules = options.functions.flatMap(([name, spec]) =>
      spec.on.flatMap((trigger, index) =>
        trigger.kind === 'event' || trigger.kind === 'queue'
          ? [
              {
                name: `${name}-${index}`,
                bus: trigger.bus,
                function: name,
                ...(trigger.kind === 'queue' ? { queue: trigger.queue } : {}),
                // A queue target's failures are EventBridge's to retry (the rule's retry policy, up to
                // 185 times over 24 h on AWS); the function's asynchronous retries never apply to it.
                retryAttempts:
                  trigger.kind === 'queue' ? ruleTargetRetry.retryAttempts : settingsOf(spec).retryAttempts,
                maxEventAgeMs:
                  (trigger.kind === 'queue' ? ruleTargetRetry.maxEventAgeSeconds : asyncEventMaxAgeSeconds) *
                  1000,
                matches: compilePattern(trigger.pattern),
              },
            ]
          : [],
      ),
    );
    if (options.archiveFile) {
      // One file of JSON lines like the journals: a torn last line (a crash mid-write) is skipped.
      this.#archiveFile = new JsonLines(options.archiveFile);
      this.#archive.push(...this.#archiveFile.read());
      // What the console shows of the events before a restart: the archive's latest (their
      // invocations were the last run's, and are not kept).
      this.#earlier = this.#archive
        .slice(-this.#keepRecent)
        .map(({ bus, event }) => ({ bus, event, invocations: [] }));
    }
    this.#journal = new DeliveryJournal(options.journalFiles);
    const { unfinished, deadLetters } = this.#journal.open();
    this.#unfinished = unfinished;
    this.#deadLetters.push(...deadLetters);
  }

  /**
   * Delivers again what the last run accepted and did not finish (a crash, a `kill -9`), with the
   * attempts already spent; called once the functions can run. Answers how many deliveries resumed.
   */
  resume(): number {
    // Grouped as the journal keeps them: an event and its replay share an id, and each is delivered
    // as it was put (the replay with its replay-name).
    const byEvent = new Map<string, UnfinishedDelivery[]>();
    for (const delivery of this.#unfinished) {
      const key = journalKey(delivery.event);
      byEvent.set(key, [...(byEvent.get(key) ?? []), delivery]);
    }
    this.#unfinished = [];
    let resumed = 0;
    for (const deliveries of byEvent.values()) {
      const { bus, event } = deliveries[0];
      const known = deliveries.flatMap((delivery) => {
        const rule = this.#rules.find((candidate) => candidate.name === delivery.rule);
        if (!rule)
          console.warn(`local bus: rule ${delivery.rule} is gone; event ${event.id} not resumed for it`);
        return rule ? [{ rule, delivery: this.#heldAsRetry(rule, delivery) }] : [];
      });
      resumed += known.length;
      void this.#deliverAll(bus, event, known);
    }
    return resumed;
  }

  /**
   * A resumed delivery not waiting for a retry still to come may have had an attempt running at the kill,
   * which holds what it held (a jobs page's lease) as a failed one does: it is held as a retry is, no
   * sooner than `retryNotBeforeMs` from now (the kill came before now), as Lambda retries an invocation
   * that crashed (docs/design.md#local-faults).
   */
  #heldAsRetry(rule: Rule, delivery: UnfinishedDelivery): UnfinishedDelivery {
    const notBefore = this.#options.retryNotBeforeMs?.[rule.function];
    const now = Date.now();
    if (notBefore === undefined || (delivery.nextAt ?? 0) > now) return delivery;
    return { ...delivery, nextAt: now + notBefore };
  }

  /**
   * Stops delivering and closes the journal's files, before the local cloud stops what the functions
   * call: no attempt starts from now on, and one that fails now (DynamoDB Local stopped under it) is left
   * unfinished in the journal, resumed at the next start as after a `kill -9`, never spent as a retry or
   * dead-lettered for the stop. One that succeeds is still journalled as done.
   */
  close(): void {
    this.#closed = true;
    this.#wakeSleepers();
    this.#journal.close();
  }

  /**
   * The PutEvents API: validates the call, then each entry; accepted entries are routed asynchronously.
   * `caller: 'scheduler'` is EventBridge Scheduler's own call (a schedule's templated target): the
   * `events.put-*` faults model the calls our functions make and are not taken by it. `role` is the
   * function whose handler called (infra/local/runtime.ts names it): its entries are held to its
   * grants; a call of no function (a test, the operator) is the account's own.
   */
  putEvents(
    entries: PutEventsEntry[] | undefined,
    caller: 'functions' | 'scheduler' = 'functions',
    role?: FunctionName,
  ): {
    FailedEntryCount: number;
    Entries: PutEventsResultEntry[];
  } {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new BusError('ValidationException', 'Entries must contain between 1 and 10 entries.');
    }
    if (entries.length > maxEntriesPerCall) {
      throw new BusError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${maxEntriesPerCall}`,
      );
    }
    // Entries each within the limit but together over it: EventBridge refuses the whole call (an entry
    // over the limit on its own is refused on its own, below).
    const together = entries.reduce((sum, entry) => {
      const size = entrySize(entry);
      return size > maxEventBytes ? sum : sum + size;
    }, 0);
    if (together > maxEventBytes) {
      throw new BusError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const accepted: { bus: BusName; event: BusEvent }[] = [];
    const results = entries.map((entry) => {
      const result = this.#accept(entry, caller, role);
      if ('event' in result) {
        accepted.push(result);
        return { EventId: result.event.id };
      }
      return result;
    });
    // Journalled (one fsync for the call) before the answer says the entries were accepted.
    const routed = this.#journalAccepted(accepted);
    for (const { bus, event, rules, acceptedAt } of routed)
      void this.#deliverAll(
        bus,
        event,
        rules.map((rule) => ({ rule, acceptedAt })),
      );
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /**
   * Puts an event from inside the local cloud (SES, Scheduler) and resolves once its invocations
   * have finished. The event is journalled at once, in the caller's turn, and delivered from the
   * next one: the SES front hands over a mail's events before it answers, and they reach the
   * functions once the answer is out, as SES publishes them.
   */
  async publish(bus: BusName, entry: Omit<PutEventsEntry, 'EventBusName'>): Promise<EventRecord> {
    const [routed] = this.#journalAccepted([{ bus, event: this.#envelope(entry) }]);
    this.#begin();
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return this.#deliverAll(
        routed.bus,
        routed.event,
        routed.rules.map((rule) => ({ rule, acceptedAt: routed.acceptedAt })),
      );
    } finally {
      this.#end();
    }
  }

  testEventPattern(pattern: string | undefined, event: string | undefined): boolean {
    if (!pattern) throw new BusError('ValidationException', 'EventPattern is required.');
    if (!event) throw new BusError('ValidationException', 'Event is required.');
    let matcher: EventMatcher;
    try {
      matcher = compilePattern(pattern);
    } catch (error) {
      throw new BusError('InvalidEventPatternException', (error as Error).message);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(event);
    } catch {
      throw new BusError('ValidationException', 'Event is not valid JSON.');
    }
    for (const field of ['id', 'account', 'source', 'time', 'region', 'detail-type']) {
      if (typeof (parsed as Record<string, unknown>)?.[field] !== 'string') {
        throw new BusError(
          'ValidationException',
          `Parameter Event is not valid. Reason: Field "${field}" is missing.`,
        );
      }
    }
    // Matched as the text it came as: a number beyond a double's precision stays exact.
    return matcher(event);
  }

  /** Re-sends archived events of a bus whose time lies in [from, to] to the rules, as EventBridge replay does. */
  replay(options: { bus: BusName; from: Date; to: Date; name?: string }): number {
    const name = options.name ?? `replay-${randomUUID()}`;
    const chosen = this.#archive.filter(
      ({ bus, event }) =>
        bus === options.bus &&
        Date.parse(event.time) >= options.from.getTime() &&
        Date.parse(event.time) <= options.to.getTime(),
    );
    const routed = this.#journalAccepted(
      chosen.map(({ bus, event }) => ({ bus, event: { ...event, 'replay-name': name } })),
      false,
    );
    for (const { bus, event, rules, acceptedAt } of routed)
      void this.#deliverAll(
        bus,
        event,
        rules.map((rule) => ({ rule, acceptedAt })),
      );
    return chosen.length;
  }

  /**
   * The events the console shows, oldest first: at most `keepRecent`, this run's (`recentEvents`) after
   * the latest of those the archive kept from earlier runs that leave room for them.
   */
  shownEvents(): EventRecord[] {
    const recent = this.recentEvents();
    const room = this.#keepRecent - recent.length;
    return [...this.#earlier.slice(Math.max(0, this.#earlier.length - room)), ...recent];
  }

  /** The last `keepRecent` events put on the buses in this run, oldest first. */
  recentEvents(): EventRecord[] {
    const keep = this.#keepRecent;
    return this.#recent.length > keep ? this.#recent.slice(-keep) : this.#recent;
  }

  get #keepRecent(): number {
    return this.#options.keepRecent ?? 10_000;
  }

  /** Keeps a record for `recentEvents()`, trimmed a quarter at a time: trimming at each event moved every kept record once the list was full. */
  #remember(record: EventRecord): void {
    this.#recent.push(record);
    const keep = this.#keepRecent;
    if (this.#recent.length > keep + keep / 4) this.#recent.splice(0, this.#recent.length - keep);
  }

  deadLetters(): DeadLetter[] {
    this.#dropExpired();
    return this.#deadLetters;
  }

  /**
   * Drops the dead letters older than their queue's retention (the on-failure queue's, or a queue
   * trigger's rule's dead-letter queue's, sent when dead-lettered), as SQS deletes them, and out of
   * their file too. Only once the journal was read: a kept letter ended its delivery at start, whatever
   * its age.
   */
  #dropExpired(): void {
    if (takeOutExpired(this.#deadLetters, (letter) => letter.at, this.#expired))
      this.#journal.keepDeadLetters(this.#deadLetters);
  }

  /** The dead letters that outlived their retention in this run. */
  expiredDeadLetters(): DeadLetter[] {
    this.#dropExpired();
    return [...this.#expired];
  }

  /**
   * Re-invokes each dead-lettered event's function with the original event, as a new asynchronous
   * invocation (with its retries); one that succeeds leaves the dead letters, one that fails again
   * is dead-lettered again with its new error.
   */
  async redrive(): Promise<{ redriven: number; succeeded: number; failed: number }> {
    this.#dropExpired();
    const letters = this.#deadLetters.splice(0);
    const redriven = letters.flatMap((letter) => {
      const rule = this.#rules.find((candidate) => candidate.name === letter.rule);
      if (!rule) this.#deadLetters.push(letter);
      return rule ? [{ letter, rule }] : [];
    });
    // Journalled as accepted before the dead letters are dropped, so a crash mid-redrive loses none,
    // with the new invocation's request id, which its retries keep, resumed after a restart too.
    const requestIds = redriven.map(() => randomUUID());
    // A new invocation: its event's age counts from now.
    const acceptedAt = Date.now();
    this.#journal.accepted(
      redriven.map(({ letter, rule }, i) => ({
        bus: rule.bus,
        event: letter.event,
        rules: [rule.name],
        requestId: requestIds[i],
        acceptedAt,
      })),
    );
    this.#journal.keepDeadLetters(this.#deadLetters);
    const outcomes = await Promise.all(
      redriven.map(async ({ letter, rule }, i) => {
        const invocation: Invocation = {
          rule: rule.name,
          function: rule.function,
          status: 'running',
          attempts: 0,
        };
        this.#remember({ bus: rule.bus, event: letter.event, invocations: [invocation] });
        // A new asynchronous invocation: a request id of its own (journalled, resumed with it).
        await this.#deliver(rule, letter.event, invocation, { requestId: requestIds[i], acceptedAt });
        return invocation.status === 'succeeded';
      }),
    );
    const succeeded = outcomes.filter(Boolean).length;
    return { redriven: redriven.length, succeeded, failed: letters.length - succeeded };
  }

  /**
   * Resolves when no invocation is running or waiting to be retried; with `heldRetries: 'due'`, a retry
   * held by the local clock until a time it has not reached does not count (a jump of the clock is
   * what brings it due: docs/design.md#the-local-clock). A held retry is woken by its own timer as the
   * clock runs, and by this wait once a jump brought it due: every jump waits for the bus after raising
   * the clock.
   */
  whenIdle(heldRetries: 'all' | 'due' = 'all'): Promise<void> {
    this.#wakeDueRetries();
    if (this.#idle(heldRetries)) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push({ heldRetries, resolve }));
  }

  /**
   * Nothing runs or waits to be retried; with `'due'`, nothing but retries held until a time the local
   * clock has not reached.
   */
  #idle(heldRetries: 'all' | 'due'): boolean {
    if (heldRetries === 'all') return this.#inFlight === 0;
    const now = Date.now();
    let notDue = 0;
    for (const held of this.#held) if (held.dueAt > now) notDue++;
    return this.#inFlight === notDue;
  }

  /** Wakes the waiters for whom the bus is now idle, once invocations just started have registered. */
  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0) return;
    // Let invocations that were just started by this one register first.
    setImmediate(() => {
      const waiting = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const waiter of waiting) {
        if (this.#idle(waiter.heldRetries)) waiter.resolve();
        else this.#idleWaiters.push(waiter);
      }
    });
  }

  #wakeDueRetries(): void {
    const now = Date.now();
    for (const held of this.#held) if (held.dueAt <= now) held.wake();
  }

  /**
   * Waits until the local clock reaches `dueAt`: as it runs, or at once when a jump takes it there
   * (`#wakeDueRetries`), or less once the bus is closed.
   */
  async #holdUntil(dueAt: number): Promise<void> {
    const held: HeldRetry = { dueAt, wake: () => undefined };
    this.#held.add(held);
    this.#notifyIdle();
    try {
      while (!this.#closed && Date.now() < dueAt) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => {
            held.wake = resolve;
            timer = setTimeout(resolve, dueAt - Date.now());
          }),
          this.#closing,
        ]);
        clearTimeout(timer);
      }
    } finally {
      this.#held.delete(held);
    }
  }

  #accept(
    entry: PutEventsEntry,
    caller: 'functions' | 'scheduler',
    role: FunctionName | undefined,
  ): { bus: BusName; event: BusEvent } | Exclude<PutEventsResultEntry, { EventId: string }> {
    const bus = this.#busName(entry.EventBusName);
    if (!bus) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
      };
    }
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (typeof entry[field] !== 'string' || entry[field] === '') {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid.` };
      }
    }
    // The `aws.` sources are AWS services' own: EventBridge refuses them in a customer's PutEvents,
    // entry by entry. SES's events come in through `publish`, as SES puts them.
    if (entry.Source!.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    // A function's role may put its own sources on the Backline bus and nothing else (the stack's
    // grants, from the same topology), refused entry by entry so a producer putting a source it was
    // not granted fails here as it would on AWS: a source outside its events:source condition as
    // EventBridge refuses one (NotAuthorizedForSourceException), any entry on a bus its role has no
    // grant on with IAM's denial.
    if (role && bus !== 'backline') {
      const { account, region } = this.#options;
      return {
        ErrorCode: 'AccessDeniedException',
        ErrorMessage: `User: arn:aws:sts::${account}:assumed-role/${role}/${role} is not authorized to perform: events:PutEvents on resource: arn:aws:events:${region}:${account}:event-bus/${bus} because no identity-based policy allows the events:PutEvents action`,
      };
    }
    if (role && !this.#grants.get(role)?.has(entry.Source!)) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail!);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (entry.Time !== undefined && Number.isNaN(timeOf(entry.Time).getTime())) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Time is not valid.' };
    }
    if (entrySize(entry) > maxEventBytes) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Event size exceeds the limit of ${maxEventBytes} bytes.`,
      };
    }
    // The producers' faults: a test arming them means the calls our functions make, which Scheduler's
    // firings (the minute's Outbox Sweep Due) must not use up (the scheduler has its own fault).
    const producer = caller === 'functions';
    if (producer && this.#options.faults.takeFor('events.put-fail', entry.Source!)) {
      return { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected fault events.put-fail.' };
    }
    // As EventBridge refuses an entry whose source the caller may not put (the events:source
    // condition), which no retry changes.
    if (producer && this.#options.faults.takeFor('events.put-refuse', entry.Source!)) {
      return {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: `Not authorized for the source ${entry.Source} (injected fault events.put-refuse).`,
      };
    }
    return { bus, event: this.#envelope(entry, detail) };
  }

  #busName(name: string | undefined): BusName | undefined {
    const plain = name?.startsWith('arn:') ? name.slice(name.lastIndexOf('/') + 1) : (name ?? 'default');
    return plain === 'backline' || plain === 'default' ? plain : undefined;
  }

  #envelope(entry: Omit<PutEventsEntry, 'EventBusName'>, detail?: unknown): BusEvent {
    const time = entry.Time === undefined ? new Date() : timeOf(entry.Time);
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType!,
      source: entry.Source!,
      account: this.#options.account,
      // EventBridge stamps events to the second.
      time: `${time.toISOString().slice(0, 19)}Z`,
      region: this.#options.region,
      resources: entry.Resources ?? [],
      detail: detail ?? JSON.parse(entry.Detail!),
    };
  }

  /** Archives the events, finds the rules each matches, and journals them (synced) as accepted. */
  #journalAccepted(
    accepted: { bus: BusName; event: BusEvent }[],
    archive = true,
  ): { bus: BusName; event: BusEvent; rules: Rule[]; acceptedAt: number }[] {
    const acceptedAt = Date.now();
    const routed = accepted.map(({ bus, event }) => ({
      bus,
      event,
      rules: this.#rules.filter((rule) => rule.bus === bus && rule.matches(event)),
      acceptedAt,
    }));
    if (archive) {
      for (const { bus, event } of accepted) this.#archive.push({ bus, event });
      this.#archiveFile?.append(accepted.map(({ bus, event }) => ({ bus, event })));
    }
    this.#journal.accepted(
      routed.map(({ bus, event, rules }) => ({
        bus,
        event,
        rules: rules.map((rule) => rule.name),
        acceptedAt,
      })),
    );
    return routed;
  }

  /** Delivers one event to its rules' targets (resumed ones carry the attempts they already spent). */
  async #deliverAll(bus: BusName, event: BusEvent, targets: Target[]): Promise<EventRecord> {
    const record: EventRecord = {
      bus,
      event,
      invocations: targets.map(({ rule, delivery }) => ({
        rule: rule.name,
        function: rule.function,
        status: delivery?.nextAt === undefined ? 'running' : 'retrying',
        attempts: delivery?.attempts ?? 0,
      })),
    };
    this.#remember(record);
    await Promise.all(
      targets.map(({ rule, delivery, acceptedAt }, i) =>
        this.#deliver(rule, event, record.invocations[i], {
          // Resumed after a restart: due now at the earliest (its first attempt's too), whatever it waited.
          ...(delivery ? { nextAt: delivery.nextAt ?? Date.now() } : {}),
          ...(delivery?.requestId === undefined ? {} : { requestId: delivery.requestId }),
          // A journal from before December 2026 kept no acceptance time: the event's own stands in.
          acceptedAt: delivery ? (delivery.acceptedAt ?? Date.parse(event.time)) : (acceptedAt ?? Date.now()),
        }),
      ),
    );
    return record;
  }

  /**
   * Lambda's asynchronous invocation: the first attempt, `retryAttempts` retries with backoff, then the
   * on-failure destination; and so, without another attempt, once the event is older than the rule's
   * `maxEventAgeMs` when an attempt is due: "When an event fails all processing attempts or stays in the
   * asynchronous invocation queue for too long, Lambda discards it" (CloudFormation,
   * AWS::Lambda::EventInvokeConfig), to the on-failure destination where there is one. In a run, its age
   * is the real time it has waited since it was accepted, as the local backoffs are real time: a jump of
   * the local clock while it runs or waits is no age of it (Lambda makes its retries minutes after each
   * failure, before the time jumped over). Resumed after a restart, the local clock's time since it was
   * accepted counts too: the local cloud was down, as an event waits in Lambda's queue while the function
   * cannot take it.
   */
  async #deliver(
    rule: Rule,
    event: BusEvent,
    invocation: Invocation,
    options: { nextAt?: number; requestId?: string; acceptedAt: number },
  ): Promise<void> {
    const { nextAt, requestId = deliveryRequestId(event, rule.name), acceptedAt } = options;
    this.#begin();
    try {
      // Resumed after a restart: its age so far is the local clock's time since it was accepted (the
      // local cloud was down); from here on, as in any run, the real time it waits, so a jump of the clock
      // that brings on a held one is no age of it.
      const ageWhenTaken = nextAt === undefined ? 0 : Date.now() - acceptedAt;
      const taken = performance.now();
      if (nextAt !== undefined) {
        // A jobs delivery resumed after a restart is held past the lease as its retry is (#heldAsRetry).
        if (this.#options.retryNotBeforeMs?.[rule.function] === undefined)
          await this.#sleep(nextAt - Date.now());
        else await this.#holdUntil(nextAt);
      }
      for (;;) {
        if (this.#closed) return;
        const age = ageWhenTaken + performance.now() - taken;
        if (age > rule.maxEventAgeMs) {
          invocation.error = `EventAgeExceeded: the event is ${Math.round(age / 1000)} s old, past the ${rule.maxEventAgeMs / 1000} s ${rule.queue ? "its rule's retry policy keeps it" : 'Lambda keeps an asynchronous event'}`;
          this.#deadLetter(rule, event, invocation);
          return;
        }
        invocation.attempts++;
        invocation.status = 'running';
        try {
          if (rule.queue) {
            if (!this.#options.enqueue) throw new Error(`no queues: cannot deliver to ${rule.queue}`);
            this.#options.enqueue(rule.queue, event);
          } else if (this.#options.faults.takeForInvocation('invoke.duplicate', rule.function, event)) {
            await this.#invokeTwice(rule.function, event, requestId);
          } else await this.#options.invoke(rule.function, event, requestId);
          invocation.status = 'succeeded';
          delete invocation.error;
          this.#journal.done(event, rule.name);
          return;
        } catch (error) {
          if (this.#closed) return;
          invocation.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          if (invocation.attempts > rule.retryAttempts) {
            this.#deadLetter(rule, event, invocation);
            return;
          }
          invocation.status = 'retrying';
          // Doubling per attempt, as Lambda's two retries do; capped, so that a queue target's many
          // retries keep trying every so often (EventBridge backs off up to minutes apart).
          const backoff = this.#options.retryBaseMs * 2 ** Math.min(invocation.attempts - 1, 6);
          const notBefore = this.#options.retryNotBeforeMs?.[rule.function] ?? 0;
          const dueAt = Date.now() + Math.max(backoff, notBefore);
          this.#journal.retrying(event, rule.name, invocation.attempts, dueAt);
          if (notBefore > backoff) await this.#holdUntil(dueAt);
          else await this.#sleep(backoff);
        }
      }
    } finally {
      this.#end();
    }
  }

  /** The invocation's on-failure destination (or a queue target's rule's dead-letter queue) takes the event, with its error. */
  #deadLetter(rule: Rule, event: BusEvent, invocation: Invocation): void {
    invocation.status = 'dead-lettered';
    const letter: DeadLetter = {
      rule: rule.name,
      function: rule.function,
      attempts: invocation.attempts,
      error: invocation.error ?? 'dead-lettered',
      at: new Date().toISOString(),
      event,
    };
    this.#deadLetters.push(letter);
    this.#journal.deadLettered(letter);
  }

  /**
   * invoke.duplicate: the same event delivered twice at once, as two concurrent instances of the
   * function (docs/design.md#local-faults). The second is an asynchronous invocation of its own, with
   * its own request id. Lambda would retry whichever of the two failed, so the attempt fails with the
   * first error and the delivery's retries take it again.
   */
  async #invokeTwice(name: FunctionName, event: BusEvent, requestId: string): Promise<void> {
    const outcomes = await Promise.allSettled([
      this.#options.invoke(name, event, requestId),
      this.#options.invoke(name, event, randomUUID()),
    ]);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Waits `ms`, or less once the bus is closed. */
  #sleep(ms: number): Promise<void> {
    return Promise.race([sleep(ms), this.#closing]);
  }

  #begin(): void {
    this.#inFlight++;
  }

  #end(): void {
    this.#inFlight--;
    this.#notifyIdle();
  }
}

/**
 * The request id of an event's invocation of a rule's function, for it and all its retries, as Lambda
 * keeps one across the retries of an asynchronous invocation (docs/design.md#failures-and-retries):
 * derived from the event's journal key and the rule, so a delivery resumed after a restart keeps it.
 */
const deliveryRequestId = (event: BusEvent, rule: string): string => {
  const hash = createHash('sha256')
    .update(`${journalKey(event)}\n${rule}`)
    .digest('hex');
  return [
    hash.slice(0, 8),
    hash.slice(8, 12),
    `5${hash.slice(13, 16)}`,
    `${'89ab'[Number.parseInt(hash[16], 16) % 4]}${hash.slice(17, 20)}`,
    hash.slice(20, 32),
  ].join('-');
};

/** A retry waiting for the local clock to reach `dueAt`; `wake` ends its wait early. */
interface HeldRetry {
  dueAt: number;
  wake: () => void;
}

interface IdleWaiter {
  heldRetries: 'all' | 'due';
  resolve: () => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
