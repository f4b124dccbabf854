import { describe, expect, it } from 'vitest';
import { timeoutSeconds } from '#infra/function-settings.ts';
import { functionEntries, type QueueTrigger, settingsOf } from '#infra/topology.ts';

/** Queue triggers as Lambda and SQS accept them (see docs/design.md#queues). */
const queueTriggers = functionEntries().flatMap(([name, spec]) =>
  spec.on.flatMap((trigger) => (trigger.kind === 'queue' ? [{ name, spec, trigger }] : [])),
);

describe('mail senders in the topology', () => {
  it("deploys every function that sends mail with the timeout its mail module's stale-claim window is computed from", () => {
    // A claim counts as stale after the sender's timeout (staleClaimMsFor): a sender deployed with a
    // longer timeout than its code reads could still be sending a mail the sweep resends.
    const senders = functionEntries().filter(([, spec]) => spec.may.includes('ses:send'));

    expect(senders.map(([name, spec]) => [name, settingsOf(spec).timeoutSeconds])).toEqual(
      senders.map(([name]) => [name, timeoutSeconds[name as keyof typeof timeoutSeconds]]),
    );
  });
});

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
