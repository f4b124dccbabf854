import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BusEvent } from '#infra/local/bus/bus.ts';
import { aBusJournallingIn, aDataFolderPerTest, anEventForOne } from '#test/support/local-restarts.ts';
import { until } from '#test/support/processes.ts';

/**
 * docs/design.md#failures-and-retries: an invocation's retries keep its request id, on the local bus
 * too, "where it is derived from the event and the rule, so a delivery resumed after a restart (below)
 * keeps it too; a redrive is a new invocation, with a new one". A redrive's delivery is journalled like
 * any other and resumed after a `kill -9`, but it is resumed with the id derived from the event and the
 * rule, not the redrive's own: its retries (0.5 s, 1 s) are then refused by the page's lease the killed
 * redrive's attempt still holds (30 s), as d172a0d found for a first delivery.
 */

const dataFolder = aDataFolderPerTest('backline-bus-');
const aBus = (invoke: (name: string, event: BusEvent, requestId: string) => Promise<unknown>) =>
  aBusJournallingIn(dataFolder(), invoke, 10);

describe('a redrive resumed after a restart (the local bus)', () => {
  it("keeps the redrive's request id, as its retries keep it", async () => {
    const journal = join(dataFolder(), 'deliveries.jsonl');
    const requestIds: { call: number; requestId: string }[] = [];
    let calls = 0;
    // The event's delivery fails twice and is dead-lettered; the redrive's first try fails, and the
    // local cloud is killed while its retry runs (that retry never ends, as in a dead process).
    const killed = aBus(async (_name, _event, requestId) => {
      requestIds.push({ call: ++calls, requestId });
      if (calls === 4) await new Promise(() => undefined);
      throw new Error('down');
    });
    killed.putEvents([anEventForOne(JSON.stringify({ n: 1 }))]);
    await until(() => killed.deadLetters().length === 1, 5_000);
    const retryings = () => readFileSync(journal, 'utf8').split('"retrying"').length - 1;
    const before = retryings();
    void killed.redrive();
    await until(() => existsSync(journal) && retryings() > before && calls === 4, 5_000);
    const redrive = requestIds[2].requestId;

    const resumed: string[] = [];
    const restarted = aBus(async (_name, _event, requestId) => {
      resumed.push(requestId);
    });
    restarted.resume();
    await restarted.whenIdle();

    expect(requestIds.map(({ requestId }) => requestId === redrive)).toEqual([false, false, true, true]);
    expect(resumed).toEqual([redrive]);
  });
});
