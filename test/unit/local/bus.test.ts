import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BusError, type BusEvent, LocalBus } from '#infra/local/bus/bus.ts';
import { Faults } from '#infra/local/faults.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

const spec = (
  pattern: Record<string, unknown>,
  retryAttempts: 0 | 1 | 2 = 2,
  bus: 'backline' | 'default' = 'backline',
): FunctionSpec => ({
  entry: 'functions/x/handler.ts',
  description: 'test',
  on: [{ kind: 'event', bus, pattern }],
  may: [],
  retryAttempts,
});

function aBus(
  functions: [string, FunctionSpec][],
  invoke: (name: string, event: BusEvent, requestId: string) => Promise<unknown>,
  faults = new Faults(),
  options: { journalDir?: string; retryBaseMs?: number; keepRecent?: number } = {},
) {
  return new LocalBus({
    functions: functions as [FunctionName, FunctionSpec][],
    invoke,
    faults,
    account: '000000000000',
    region: 'us-east-1',
    retryBaseMs: options.retryBaseMs ?? 1,
    ...(options.keepRecent ? { keepRecent: options.keepRecent } : {}),
    ...(options.journalDir
      ? {
          journalFiles: {
            journal: join(options.journalDir, 'deliveries.jsonl'),
            deadLetters: join(options.journalDir, 'dead-letters.jsonl'),
          },
        }
      : {}),
  });
}

const never = () => new Promise<never>(() => {});

const entry = (detailType: string, detail: unknown = { n: 1 }, EventBusName = 'backline') => ({
  EventBusName,
  Source: 'test.source',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

describe('the local bus', () => {
  it('invokes only the functions whose rule matches, on the bus the event was put on', async () => {
    const calls: string[] = [];
    const bus = aBus(
      [
        ['a', spec({ 'detail-type': ['One'] })],
        ['b', spec({ 'detail-type': ['Two'] })],
        ['c', spec({ 'detail-type': ['One'] }, 2, 'default')],
      ],
      async (name) => {
        calls.push(name);
      },
    );

    const result = bus.putEvents([entry('One')]);
    await bus.whenIdle();

    expect(result.FailedEntryCount).toBe(0);
    expect(calls).toEqual(['a']);
  });

  it('lists the last events put on it, as many as it keeps, oldest first', async () => {
    const bus = aBus([['a', spec({ 'detail-type': ['One'] })]], async () => {}, new Faults(), {
      keepRecent: 4,
    });

    for (let n = 1; n <= 11; n++) bus.putEvents([entry('One', { n })]);
    await bus.whenIdle();

    expect(bus.recentEvents().map((record) => (record.event.detail as { n: number }).n)).toEqual([
      8, 9, 10, 11,
    ]);
  });

  it('retries a failing invocation retryAttempts times, then keeps a dead letter with the error', async () => {
    let attempts = 0;
    const bus = aBus([['flaky', spec({ 'detail-type': ['One'] }, 1)]], async () => {
      attempts++;
      throw new Error('boom');
    });

    bus.putEvents([entry('One')]);
    await bus.whenIdle();

    expect(attempts).toBe(2);
    expect(bus.deadLetters()).toEqual([
      expect.objectContaining({ function: 'flaky', attempts: 2, error: 'Error: boom' }),
    ]);
    expect(bus.recentEvents()[0].invocations[0].status).toBe('dead-lettered');
  });

  it("gives an invocation's retries its request id, as Lambda keeps it, and each event's invocation and a redrive a new one", async () => {
    const requestIds: string[] = [];
    const bus = aBus([['flaky', spec({ 'detail-type': ['One'] }, 2)]], async (_name, _event, requestId) => {
      requestIds.push(requestId);
      throw new Error('boom');
    });

    bus.putEvents([entry('One')]);
    await bus.whenIdle();
    await bus.redrive();
    bus.putEvents([entry('One')]);
    await bus.whenIdle();

    expect(requestIds).toHaveLength(9);
    const [first, redriven, another] = [requestIds.slice(0, 3), requestIds.slice(3, 6), requestIds.slice(6)];
    for (const attempts of [first, redriven, another]) expect(new Set(attempts).size).toBe(1);
    expect(new Set([first[0], redriven[0], another[0]]).size).toBe(3);
  });

  it('records success after a failed first attempt without a dead letter', async () => {
    let attempts = 0;
    const bus = aBus([['flaky', spec({ 'detail-type': ['One'] })]], async () => {
      if (++attempts === 1) throw new Error('once');
    });

    bus.putEvents([entry('One')]);
    await bus.whenIdle();

    expect(bus.deadLetters()).toEqual([]);
    expect(bus.recentEvents()[0].invocations[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('invokes a function twice at the same instant with the same event under invoke.duplicate, each with its own request id, and no other function', async () => {
    const started: { name: string; id: string; requestId: string; running: number }[] = [];
    let running = 0;
    const bus = aBus(
      [
        ['twice', spec({ 'detail-type': ['One'] })],
        ['once', spec({ 'detail-type': ['One'] })],
      ],
      async (name, event, requestId) => {
        running++;
        started.push({ name, id: event.id, requestId, running });
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      },
      new Faults('invoke.duplicate:twice'),
    );

    bus.putEvents([entry('One')]);
    await bus.whenIdle();

    const twice = started.filter((call) => call.name === 'twice');
    expect(twice).toHaveLength(2);
    expect(twice[0].id).toBe(twice[1].id);
    expect(twice[0].requestId).not.toBe(twice[1].requestId);
    expect(Math.max(...twice.map((call) => call.running))).toBeGreaterThanOrEqual(2);
    expect(started.filter((call) => call.name === 'once')).toHaveLength(1);
    expect(bus.recentEvents()[0].invocations).toEqual([
      expect.objectContaining({ function: 'twice', status: 'succeeded', attempts: 1 }),
      expect.objectContaining({ function: 'once', status: 'succeeded', attempts: 1 }),
    ]);
  });

  it('invokes a function twice under invoke.duplicate aimed at one detail-type (`:fn.Detail Type`) only for an event of it', async () => {
    const calls: string[] = [];
    const faults = new Faults('invoke.duplicate:twice.Two Things');
    const bus = aBus(
      [['twice', spec({ 'detail-type': ['One', 'Two Things'] })]],
      async (_name, event) => {
        calls.push(event['detail-type']);
      },
      faults,
    );

    bus.putEvents([entry('One')]);
    await bus.whenIdle();
    bus.putEvents([entry('Two Things')]);
    await bus.whenIdle();

    expect(calls).toEqual(['One', 'Two Things', 'Two Things']);
    expect(faults.list().armed).toEqual({});
  });

  it('retries the event under invoke.duplicate when one of the two invocations fails, as Lambda retries that one', async () => {
    let calls = 0;
    const bus = aBus(
      [['flaky', spec({ 'detail-type': ['One'] }, 2)]],
      async () => {
        if (++calls === 2) throw new Error('the second instance lost');
      },
      new Faults('invoke.duplicate'),
    );

    bus.putEvents([entry('One')]);
    await bus.whenIdle();

    expect(calls).toBe(3);
    expect(bus.deadLetters()).toEqual([]);
    expect(bus.recentEvents()[0].invocations[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('waits for events that handlers put while handling others before it is idle', async () => {
    const seen: string[] = [];
    const bus: LocalBus = aBus(
      [
        ['first', spec({ 'detail-type': ['One'] })],
        ['second', spec({ 'detail-type': ['Two'] })],
      ],
      async (name) => {
        seen.push(name);
        if (name === 'first') {
          await new Promise((resolve) => setTimeout(resolve, 5));
          bus.putEvents([entry('Two')]);
        }
      },
    );

    bus.putEvents([entry('One')]);
    await bus.whenIdle();

    expect(seen).toEqual(['first', 'second']);
  });

  it('answers each bad entry with its error code and accepts the rest', () => {
    const bus = aBus([], async () => {});

    const result = bus.putEvents([
      { ...entry('One'), Detail: '[1,2]' },
      { ...entry('One'), Source: '' },
      { ...entry('One'), EventBusName: 'nope' },
      { ...entry('One'), Time: 'not a time' },
      entry('One'),
    ]);

    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'))).toEqual([
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'ok',
    ]);
  });

  it("refuses a PutEvents entry with an AWS service's source (aws.*) as EventBridge does, and accepts the rest of the call; SES's own events still arrive", async () => {
    const invoked: string[] = [];
    const bus = aBus([['deliverability', spec({ source: ['aws.ses'] }, 2, 'default')]], async (name) => {
      invoked.push(name);
    });

    const result = bus.putEvents([
      { ...entry('Email Bounced', {}, 'default'), Source: 'aws.ses' },
      entry('One'),
    ]);
    await bus.whenIdle();

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toEqual({
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: 'Not authorized for the source.',
    });
    expect(result.Entries[1]).toHaveProperty('EventId');
    expect(invoked).toEqual([]);

    await bus.publish('default', { Source: 'aws.ses', DetailType: 'Email Bounced', Detail: '{}' });
    expect(invoked).toEqual(['deliverability']);
  });

  it("refuses, entry by entry, what the calling function's role may not put (a source outside its events:source grant as EventBridge does, any entry on the default bus as IAM does); a call with no function's role may", () => {
    const tours: FunctionSpec = { ...spec({ 'detail-type': ['One'] }), may: ['events:put:backline.tours'] };
    const bus = aBus([['tours', tours]], async () => {});
    const entries = [
      { ...entry('Tour Booked'), Source: 'backline.tours' },
      { ...entry('Release Scheduled'), Source: 'backline.releases' },
      { ...entry('Tour Booked', {}, 'default'), Source: 'backline.tours' },
    ];

    const fromTours = bus.putEvents(entries, 'functions', 'tours' as FunctionName);
    const fromOutside = bus.putEvents(entries);

    expect(fromTours.FailedEntryCount).toBe(2);
    expect(fromTours.Entries[0]).toHaveProperty('EventId');
    expect(fromTours.Entries.slice(1)).toEqual([
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      {
        ErrorCode: 'AccessDeniedException',
        ErrorMessage:
          'User: arn:aws:sts::000000000000:assumed-role/tours/tours is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/default because no identity-based policy allows the events:PutEvents action',
      },
    ]);
    expect(fromOutside.FailedEntryCount).toBe(0);
  });

  it('rejects a call of more than 10 entries as a whole', () => {
    const bus = aBus([], async () => {});

    expect(() => bus.putEvents(Array.from({ length: 11 }, () => entry('One')))).toThrow(BusError);
  });

  it('refuses as a whole, with ValidationException, a call whose entries total more than 1 MB, as EventBridge does', () => {
    const bus = aBus([], async () => {});
    // Five entries of 300 KB each: every one is within the 1 MB entry limit, the call is not.
    const large = Array.from({ length: 5 }, () => entry('One', { notes: 'x'.repeat(300_000) }));

    let thrown: unknown;
    try {
      bus.putEvents(large);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(BusError);
    expect(thrown).toMatchObject({ code: 'ValidationException' });
  });

  it('fails entries with InternalFailure while the events.put-fail fault is armed', () => {
    const faults = new Faults('events.put-fail=1');
    const bus = aBus([], async () => {}, faults);

    const result = bus.putEvents([entry('One'), entry('One')]);

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toMatchObject({ ErrorCode: 'InternalFailure' });
  });

  it("leaves the producers' events.put-* faults to our functions' calls: Scheduler's own PutEvents neither fails on them nor uses them up", () => {
    const faults = new Faults('events.put-fail=1,events.put-refuse=1');
    const bus = aBus([], async () => {}, faults);

    const fromScheduler = bus.putEvents([entry('Outbox Sweep Due')], 'scheduler');
    const fromAFunction = bus.putEvents([entry('One'), entry('One')]);

    expect(fromScheduler.FailedEntryCount).toBe(0);
    expect(fromAFunction.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'accepted'))).toEqual([
      'InternalFailure',
      'NotAuthorizedForSourceException',
    ]);
  });

  it('replays archived events of a time range to the rules again, marked with the replay name', async () => {
    const events: BusEvent[] = [];
    const bus = aBus([['a', spec({ 'detail-type': ['One'] })]], async (_, event) => {
      events.push(event);
    });
    bus.putEvents([entry('One', { n: 1 })]);
    await bus.whenIdle();

    const replayed = bus.replay({
      bus: 'backline',
      from: new Date(0),
      to: new Date(Date.now() + 1000),
      name: 'r1',
    });
    await bus.whenIdle();

    expect(replayed).toBe(1);
    expect(events.map((e) => e['replay-name'])).toEqual([undefined, 'r1']);
  });

  it('answers TestEventPattern and rejects invalid patterns', () => {
    const bus = aBus([], async () => {});
    const event = JSON.stringify({
      id: '1',
      account: '1',
      source: 's',
      time: '2027-01-01T00:00:00Z',
      region: 'us-east-1',
      'detail-type': 'd',
      detail: { n: 5 },
    });

    expect(bus.testEventPattern('{"detail":{"n":[{"numeric":[">",3]}]}}', event)).toBe(true);
    expect(bus.testEventPattern('{"detail":{"n":[{"numeric":["<",3]}]}}', event)).toBe(false);
    expect(() => bus.testEventPattern('{"detail":{"n":5}}', event)).toThrow(/InvalidEventPattern|not valid/);
  });

  it('matches in TestEventPattern a number beyond a double’s precision exactly as the event writes it', () => {
    const bus = aBus([], async () => {});
    const event = `{"id":"1","account":"1","source":"s","time":"2027-01-01T00:00:00Z","region":"us-east-1","detail-type":"d","detail":{"n":12345678901234567891}}`;

    expect(bus.testEventPattern('{"detail":{"n":[12345678901234567891]}}', event)).toBe(true);
    expect(bus.testEventPattern('{"detail":{"n":[12345678901234567890]}}', event)).toBe(false);
  });
});

describe('the local bus across a restart (its journal)', () => {
  const functions: [string, FunctionSpec][] = [
    ['a', spec({ 'detail-type': ['One'] })],
    ['b', spec({ 'detail-type': ['One'] })],
  ];

  it('delivers again, after a restart, what was accepted and not finished, and nothing that was', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'backline-bus-'));
    const killed = aBus(functions, async (name) => (name === 'a' ? undefined : never()), new Faults(), {
      journalDir,
    });
    killed.putEvents([entry('One', { n: 1 })]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const calls: string[] = [];

    const restarted = aBus(
      functions,
      async (name, event) => {
        calls.push(`${name}:${JSON.stringify(event.detail)}`);
      },
      new Faults(),
      { journalDir },
    );
    const resumed = restarted.resume();
    await restarted.whenIdle();
    const third = aBus(functions, async () => undefined, new Faults(), { journalDir });

    expect(resumed).toBe(1);
    expect(calls).toEqual(['b:{"n":1}']);
    expect(third.resume()).toBe(0);
  });

  const single: [string, FunctionSpec][] = [['a', spec({ 'detail-type': ['One'] }, 2)]];
  /** A bus whose one function keeps failing, killed after its first failure, and a bus restarted on its journal. */
  /**
   * A bus whose first delivery failed and was journalled as retrying, then "killed": it does nothing
   * more (its next attempt never ends, as in a dead process), however long the test takes to go on.
   */
  async function killedWhileRetrying(options: { retryBaseMs: number; restartedRetryBaseMs?: number }) {
    const journalDir = mkdtempSync(join(tmpdir(), 'backline-bus-'));
    let calls = 0;
    const requestIds: string[] = [];
    const killed = aBus(
      single,
      async (_name, _event, requestId) => {
        requestIds.push(requestId);
        if (calls++ > 0) await new Promise(() => undefined);
        throw new Error('down');
      },
      new Faults(),
      { journalDir, retryBaseMs: options.retryBaseMs },
    );
    killed.putEvents([entry('One')]);
    const journal = join(journalDir, 'deliveries.jsonl');
    for (const end = Date.now() + 5_000; Date.now() < end; ) {
      if (existsSync(journal) && readFileSync(journal, 'utf8').includes('"retrying"')) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const attempts = { count: 0 };
    const restarted = aBus(
      single,
      async (_name, _event, requestId) => {
        requestIds.push(requestId);
        attempts.count++;
        throw new Error('still down');
      },
      new Faults(),
      { journalDir, ...(options.restartedRetryBaseMs ? { retryBaseMs: options.restartedRetryBaseMs } : {}) },
    );
    return { journalDir, restarted, attempts, requestIds };
  }

  it("keeps a resumed delivery's request id across a restart, as Lambda keeps it across an invocation's retries", async () => {
    const { restarted, requestIds } = await killedWhileRetrying({ retryBaseMs: 10 });

    restarted.resume();
    await restarted.whenIdle();

    expect(requestIds.length).toBeGreaterThanOrEqual(3);
    expect(new Set(requestIds).size).toBe(1);
  });

  it('resumes a retrying delivery with the attempts it spent, and keeps its dead letter across a restart', async () => {
    const { journalDir, restarted, attempts } = await killedWhileRetrying({
      retryBaseMs: 60_000,
      restartedRetryBaseMs: 1,
    });
    // The retry was due a minute after the failure: the restarted bus waits for it, as it would have.
    restarted.resume();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = aBus(single, async () => undefined, new Faults(), { journalDir });

    expect(attempts.count).toBe(0);
    expect(restarted.recentEvents()[0].invocations[0]).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(after.deadLetters()).toEqual([]);
  });

  it('dead-letters a resumed delivery after the attempts left, and the dead letter outlives a restart', async () => {
    const { journalDir, restarted, attempts } = await killedWhileRetrying({ retryBaseMs: 10 });
    restarted.resume();
    await restarted.whenIdle();
    const after = aBus(single, async () => undefined, new Faults(), { journalDir });

    expect(attempts.count).toBe(2);
    expect(after.deadLetters()).toEqual([
      expect.objectContaining({ function: 'a', attempts: 3, error: 'Error: still down' }),
    ]);
    expect(after.resume()).toBe(0);
  });

  it('still delivers, after a restart, the event to a rule that had not finished when a dead letter of another rule was redriven', async () => {
    // One event, two rules: `a` throws and is dead-lettered at once; `b` is still running when the
    // operator redrives (POST /_local/dlq/redrive), and the local cloud is killed before `b` finished.
    const journalDir = mkdtempSync(join(tmpdir(), 'backline-bus-'));
    const twoRules: [string, FunctionSpec][] = [
      ['a', spec({ 'detail-type': ['One'] }, 0)],
      ['b', spec({ 'detail-type': ['One'] })],
    ];
    const killed = aBus(
      twoRules,
      async (name) => {
        if (name === 'a') throw new Error('down');
        return never();
      },
      new Faults(),
      { journalDir },
    );
    killed.putEvents([entry('One', { n: 1 })]);
    for (const end = Date.now() + 5_000; killed.deadLetters().length === 0 && Date.now() < end; )
      await new Promise((resolve) => setTimeout(resolve, 2));
    void killed.redrive();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // kill -9 here: `b` never finished (the redriven `a` failed again and is a dead letter again).
    const calls: string[] = [];

    const restarted = aBus(
      twoRules,
      async (name) => {
        calls.push(name);
      },
      new Faults(),
      { journalDir },
    );
    restarted.resume();
    await restarted.whenIdle();

    expect(calls).toEqual(['b']);
    expect(restarted.deadLetters()).toEqual([expect.objectContaining({ function: 'a' })]);
  });

  it('delivers after a restart both an event and its replay that were unfinished, each as it was put, and neither again', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'backline-bus-'));
    const one: [string, FunctionSpec][] = [['a', spec({ 'detail-type': ['One'] })]];
    const killed = aBus(one, async () => never(), new Faults(), { journalDir });
    killed.putEvents([entry('One', { n: 1 })]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // POST /_local/replay of the last minutes while the original still runs; then kill -9.
    const now = Date.now();
    expect(
      killed.replay({
        bus: 'backline',
        from: new Date(now - 60_000),
        to: new Date(now + 60_000),
        name: 'r1',
      }),
    ).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const seen: (string | undefined)[] = [];

    const restarted = aBus(
      one,
      async (_name, event) => {
        seen.push(event['replay-name']);
      },
      new Faults(),
      { journalDir },
    );
    restarted.resume();
    await restarted.whenIdle();
    const third = aBus(one, async () => undefined, new Faults(), { journalDir });

    expect(seen.sort()).toEqual(['r1', undefined]);
    expect(third.resume()).toBe(0);
  });

  it('keeps nothing without a journal', async () => {
    const forgetful = aBus(functions, never);
    forgetful.putEvents([entry('One')]);

    const restarted = aBus(functions, async () => undefined);

    expect(restarted.resume()).toBe(0);
  });
});

describe('the local bus and queue triggers', () => {
  const queueSpec: FunctionSpec = {
    entry: 'functions/x/handler.ts',
    description: 'test',
    on: [
      {
        kind: 'queue',
        queue: 'mail-events',
        bus: 'default',
        pattern: { 'detail-type': ['Email Sent'] },
        batchSize: 10,
        batchingWindowSeconds: 1,
        deliveryDelaySeconds: 0,
        visibilityTimeoutSeconds: 30,
        maxReceiveCount: 3,
        maxConcurrency: 5,
      },
    ],
    may: ['queue:consume:mail-events'],
  };

  it("puts the events a queue trigger's pattern matches in its queue, whole, instead of invoking the function", async () => {
    const invoked: string[] = [];
    const queued: { queue: string; event: BusEvent }[] = [];
    const bus = new LocalBus({
      functions: [['announcer', queueSpec]],
      invoke: async (name) => {
        invoked.push(name);
      },
      enqueue: (queue, event) => {
        queued.push({ queue, event });
      },
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      retryBaseMs: 1,
    });

    await bus.publish('default', { Source: 'aws.ses', DetailType: 'Email Sent', Detail: '{"mail":{}}' });
    await bus.publish('default', { Source: 'aws.ses', DetailType: 'Email Delivered', Detail: '{}' });

    expect(invoked).toEqual([]);
    expect(queued).toEqual([
      {
        queue: 'mail-events',
        event: expect.objectContaining({ 'detail-type': 'Email Sent', detail: { mail: {} } }),
      },
    ]);
  });

  it("retries a send its queue refuses by the rule's retry policy (EventBridge's, for up to 24 h), not the function's asynchronous retries", async () => {
    const queued: BusEvent[] = [];
    let refusals = 5;
    const bus = new LocalBus({
      // The function takes two asynchronous retries, which have nothing to do with the rule's target.
      functions: [['announcer', { ...queueSpec, retryAttempts: 2 }]],
      invoke: async () => {},
      enqueue: (_, event) => {
        if (refusals-- > 0) throw new Error('the queue refused the message');
        queued.push(event);
      },
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      retryBaseMs: 1,
    });

    await bus.publish('default', { Source: 'aws.ses', DetailType: 'Email Sent', Detail: '{"mail":{}}' });

    expect(queued).toHaveLength(1);
    expect(bus.deadLetters()).toEqual([]);
  });
});
