import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BusEvent, LocalBus } from '#infra/local/bus/bus.ts';
import { Faults } from '#infra/local/faults.ts';
import type { FunctionName, FunctionSpec } from '#infra/topology.ts';

/**
 * docs/design.md#failures-and-retries: an invocation's retries keep its request id, on the local bus
 * too, "where it is derived from the event and the rule, so a delivery resumed after a restart (below)
 * keeps it too; a redrive is a new invocation, with a new one". A redrive's delivery is journalled like
 * any other and resumed after a `kill -9`, but it is resumed with the id derived from the event and the
 * rule, not the redrive's own: its retries (0.5 s, 1 s) are then refused by the page's lease the killed
 * redrive's attempt still holds (30 s), as d172a0d found for a first delivery.
 */

const one: [FunctionName, FunctionSpec][] = [
  [
    'a' as FunctionName,
    {
      entry: 'functions/x/handler.ts',
      description: 'test',
      on: [{ kind: 'event', bus: 'backline', pattern: { 'detail-type': ['One'] } }],
      may: [],
      retryAttempts: 1,
    },
  ],
];

const aBus = (
  journalDir: string,
  invoke: (name: string, event: BusEvent, requestId: string) => Promise<unknown>,
) =>
  new LocalBus({
    functions: one,
    invoke,
    faults: new Faults(),
    account: '000000000000',
    region: 'us-east-1',
    retryBaseMs: 10,
    journalFiles: {
      journal: join(journalDir, 'deliveries.jsonl'),
      deadLetters: join(journalDir, 'dead-letters.jsonl'),
    },
  });

const waitFor = async (done: () => boolean) => {
  for (const end = Date.now() + 5_000; !done() && Date.now() < end; )
    await new Promise((resolve) => setTimeout(resolve, 2));
};

describe('a redrive resumed after a restart (the local bus)', () => {
  it("keeps the redrive's request id, as its retries keep it", async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'backline-bus-'));
    const journal = join(journalDir, 'deliveries.jsonl');
    const requestIds: { call: number; requestId: string }[] = [];
    let calls = 0;
    // The event's delivery fails twice and is dead-lettered; the redrive's first try fails, and the
    // local cloud is killed while its retry runs (that retry never ends, as in a dead process).
    const killed = aBus(journalDir, async (_name, _event, requestId) => {
      requestIds.push({ call: ++calls, requestId });
      if (calls === 4) await new Promise(() => undefined);
      throw new Error('down');
    });
    killed.putEvents([
      {
        EventBusName: 'backline',
        Source: 'test.source',
        DetailType: 'One',
        Detail: JSON.stringify({ n: 1 }),
      },
    ]);
    await waitFor(() => killed.deadLetters().length === 1);
    const retryings = () => readFileSync(journal, 'utf8').split('"retrying"').length - 1;
    const before = retryings();
    void killed.redrive();
    await waitFor(() => existsSync(journal) && retryings() > before && calls === 4);
    const redrive = requestIds[2].requestId;

    const resumed: string[] = [];
    const restarted = aBus(journalDir, async (_name, _event, requestId) => {
      resumed.push(requestId);
    });
    restarted.resume();
    await restarted.whenIdle();

    expect(requestIds.map(({ requestId }) => requestId === redrive)).toEqual([false, false, true, true]);
    expect(resumed).toEqual([redrive]);
  });
});
