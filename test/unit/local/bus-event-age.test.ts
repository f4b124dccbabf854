import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asyncEventMaxAgeSeconds } from '#infra/function-settings.ts';
import { LocalBus, type LocalBusOptions } from '#infra/local/bus/bus.ts';
import { installVirtualClock } from '#infra/local/clock.ts';
import { Faults } from '#infra/local/faults.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

/**
 * docs/design.md#failures-and-retries: Lambda keeps an asynchronous event for its retries at most the
 * maximum event age (6 hours); a retry due later than that is not made, and the event goes to the
 * on-failure destination. In a run, the event's age is the real time it waited: the local clock jumping
 * past that age while it runs or waits is none (Lambda would have made the retry minutes after the
 * failure); the time `npm start` was down counts (the own-cloud test of the event age across a restart).
 * So too for a delivery resumed after a restart and held past a page's lease by the local clock
 * (`retryNotBeforeMs`, docs/design.md#local-faults): a jump that brings it on is no age of it.
 */
const clock = installVirtualClock();

const flaky: [FunctionName, FunctionSpec][] = [
  [
    'flaky' as FunctionName,
    {
      entry: 'functions/x/handler.ts',
      description: 'test',
      on: [{ kind: 'event', bus: 'backline', pattern: { 'detail-type': ['One'] } }],
      may: [],
      retryAttempts: 2,
    },
  ],
];

describe("the local bus's asynchronous invocations", () => {
  const bus = (invoke: () => Promise<void>, options: Partial<LocalBusOptions> = {}) =>
    new LocalBus({
      functions: flaky,
      invoke,
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      retryBaseMs: 20,
      ...options,
    });

  it('makes a retry the local clock jumped past the maximum event age while it ran or waited', async () => {
    const jump = () => clock.raiseTo(new Date(clock.now().getTime() + (asyncEventMaxAgeSeconds + 60) * 1000));
    let attempts = 0;
    const local = bus(async () => {
      attempts++;
      if (attempts > 2) return;
      // The first attempt: the clock jumps while it runs. The second: while its retry waits its backoff.
      if (attempts === 1) jump();
      else setTimeout(jump, 5);
      throw new Error('boom');
    });

    local.putEvents([{ EventBusName: 'backline', Source: 'test', DetailType: 'One', Detail: '{}' }]);
    await local.whenIdle();

    expect(attempts).toBe(3);
    expect(local.deadLetters()).toEqual([]);
  });

  it('makes a delivery resumed after a restart and held by the local clock, which a jump past the maximum event age brings on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backline-bus-'));
    const restartable = (invoke: () => Promise<void>) =>
      bus(invoke, {
        retryNotBeforeMs: { ['flaky' as FunctionName]: 31_000 },
        journalFiles: {
          journal: join(dir, 'deliveries.jsonl'),
          deadLetters: join(dir, 'dead-letters.jsonl'),
        },
      });
    // Killed while its first attempt runs: the delivery is left unfinished in the journal.
    const killed = restartable(() => new Promise<never>(() => {}));
    killed.putEvents([{ EventBusName: 'backline', Source: 'test', DetailType: 'One', Detail: '{}' }]);
    killed.close();
    let attempts = 0;
    const restarted = restartable(async () => {
      attempts++;
    });

    restarted.resume();
    await restarted.whenIdle('due');
    const heldPastTheLease = attempts;
    clock.raiseTo(new Date(clock.now().getTime() + (asyncEventMaxAgeSeconds + 60) * 1000));
    await restarted.whenIdle('due');

    expect({ heldPastTheLease, attempts, deadLetters: restarted.deadLetters() }).toEqual({
      heldPastTheLease: 0,
      attempts: 1,
      deadLetters: [],
    });
  });
});
