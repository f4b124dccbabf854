import { describe, expect, it } from 'vitest';
import { asyncEventMaxAgeSeconds } from '#infra/function-settings.ts';
import { LocalBus } from '#infra/local/bus/bus.ts';
import { installVirtualClock } from '#infra/local/clock.ts';
import { Faults } from '#infra/local/faults.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

/**
 * docs/design.md#failures-and-retries: Lambda keeps an asynchronous event for its retries at most the
 * maximum event age (6 hours); a retry due later than that is not made, and the event goes to the
 * on-failure destination. The local clock can pass that age while a retry waits (a jump).
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
  it('dead-letters an event whose retry comes due past the maximum event age, without that retry', async () => {
    let attempts = 0;
    const bus = new LocalBus({
      functions: flaky,
      invoke: async () => {
        attempts++;
        // The clock jumps past the event's maximum age while its first retry waits.
        clock.raiseTo(new Date(clock.now().getTime() + (asyncEventMaxAgeSeconds + 60) * 1000));
        throw new Error('boom');
      },
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      retryBaseMs: 20,
    });

    bus.putEvents([{ EventBusName: 'backline', Source: 'test', DetailType: 'One', Detail: '{}' }]);
    await bus.whenIdle();

    expect(attempts).toBe(1);
    expect(bus.deadLetters()).toEqual([
      expect.objectContaining({
        function: 'flaky',
        attempts: 1,
        error: expect.stringMatching(/^EventAgeExceeded/),
      }),
    ]);
  });
});
