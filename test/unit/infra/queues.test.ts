import { describe, expect, it } from 'vitest';
import { functionEntries, type QueueTrigger, settingsOf } from '#infra/topology.ts';

/** Queue triggers as Lambda and SQS accept them (see docs/design.md#queues). */
const queueTriggers = functionEntries().flatMap(([name, spec]) =>
  spec.on.flatMap((trigger) => (trigger.kind === 'queue' ? [{ name, spec, trigger }] : [])),
);

describe('queue triggers in the topology', () => {
  it('grants queue:consume exactly for the queues a function is triggered by', () => {
    for (const [name, spec] of functionEntries()) {
      const triggered = spec.on.flatMap((t) => (t.kind === 'queue' ? [`queue:consume:${t.queue}`] : []));
      const granted = spec.may.filter((permission) => permission.startsWith('queue:consume:'));

      expect({ [name]: granted.sort() }).toEqual({ [name]: triggered.sort() });
    }
  });

  it('keeps within what SQS and Lambda accept, with queue names used once', () => {
    const valid = (trigger: QueueTrigger, timeoutSeconds: number) =>
      trigger.batchSize >= 1 &&
      trigger.batchSize <= 10_000 &&
      (trigger.batchSize <= 10 || trigger.batchingWindowSeconds > 0) &&
      trigger.batchingWindowSeconds >= 0 &&
      trigger.batchingWindowSeconds <= 300 &&
      trigger.deliveryDelaySeconds >= 0 &&
      trigger.deliveryDelaySeconds <= 900 &&
      // Lambda refuses a mapping whose queue's visibility timeout is shorter than the function's timeout.
      trigger.visibilityTimeoutSeconds >= timeoutSeconds &&
      trigger.maxReceiveCount >= 1 &&
      /^[a-z][a-z0-9-]{0,40}$/.test(trigger.queue);

    for (const { name, spec, trigger } of queueTriggers) {
      expect({ [name]: valid(trigger, settingsOf(spec).timeoutSeconds) }).toEqual({ [name]: true });
    }
    const names = queueTriggers.map(({ trigger }) => trigger.queue);
    expect(new Set(names).size).toBe(names.length);
  });
});
