import { describe, expect, it } from 'vitest';
import { LocalBus } from '#infra/local/bus/bus.ts';
import { installVirtualClock } from '#infra/local/clock.ts';
import { Faults } from '#infra/local/faults.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

/**
 * docs/design.md#local-faults: the local bus holds the jobs function's retries past the page's lease
 * (`retryNotBeforeMs`), as Lambda's retry a minute later on AWS comes after the 30 s lease. The lease is
 * timed by the local clock, and so is the hold: a jump of the clock past it brings the retry on at once,
 * and the jump does not wait for it beforehand (docs/design.md#the-local-clock); `/_local/idle` still
 * waits for it.
 */
const clock = installVirtualClock();

const leased: [FunctionName, FunctionSpec][] = [
  [
    'leased' as FunctionName,
    {
      entry: 'functions/x/handler.ts',
      description: 'test',
      on: [{ kind: 'event', bus: 'backline', pattern: { 'detail-type': ['One'] } }],
      may: [],
      retryAttempts: 2,
    },
  ],
];

/** `wait`'s outcome, or `'still waiting'` after `ms` of real time. */
const within = (ms: number, wait: Promise<void>) =>
  Promise.race([
    wait.then(() => 'idle' as const),
    new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms)),
  ]);

describe("the local bus's retries held by the local clock", () => {
  const aBusFailingOnce = (notBeforeMs: number) => {
    const attempts: number[] = [];
    const bus = new LocalBus({
      functions: leased,
      invoke: async () => {
        attempts.push(clock.now().getTime());
        if (attempts.length === 1) throw new Error('boom');
      },
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      retryBaseMs: 20,
      retryNotBeforeMs: { ['leased' as FunctionName]: notBeforeMs },
    });
    bus.putEvents([{ EventBusName: 'backline', Source: 'test', DetailType: 'One', Detail: '{}' }]);
    return { bus, attempts };
  };

  it('brings a held retry on at once when the clock jumps past it, and lets the jump go first', async () => {
    const { bus, attempts } = aBusFailingOnce(31_000);

    const beforeTheJump = await within(2_000, bus.whenIdle('due'));
    const failedAt = attempts[0];
    clock.raiseTo(new Date(clock.now().getTime() + 31_000));
    const afterTheJump = await within(2_000, bus.whenIdle('due'));

    expect({ beforeTheJump, afterTheJump, attempts: attempts.length }).toEqual({
      beforeTheJump: 'idle',
      afterTheJump: 'idle',
      attempts: 2,
    });
    expect(attempts[1] - failedAt).toBeGreaterThanOrEqual(31_000);
    expect(bus.deadLetters()).toEqual([]);
  });

  it('makes a held retry as the clock runs on its own, and is idle only once it is made', async () => {
    const { bus, attempts } = aBusFailingOnce(300);

    await bus.whenIdle();

    expect(attempts).toHaveLength(2);
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(300);
    expect(bus.deadLetters()).toEqual([]);
  });
});
