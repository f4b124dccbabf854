import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { BusEvent, LocalBus } from '#infra/local/bus/bus.ts';
import { JsonLines } from '#infra/local/jsonl.ts';
import { aBusJournallingIn, aDataFolderPerTest, anEventForOne } from '#test/support/local-restarts.ts';
import { until } from '#test/support/processes.ts';

/**
 * docs/design.md#failures-and-retries: Lambda hands an asynchronous invocation that ran out of
 * retries to the on-failure destination once, and invokes it no more; the local bus keeps that
 * across a `kill -9` of the local cloud. A dead letter is two writes (the letter, then the journal's
 * line ending the delivery), and so is a redrive (the delivery accepted again, then the letter taken
 * out): a kill between them must leave one outcome at the next start on the same data folder, never
 * the dead letter kept and the delivery tried again as well.
 */

const dataFolder = aDataFolderPerTest('backline-bus-dead-');
const aBus = (invoke: (name: string, event: BusEvent) => Promise<unknown>) =>
  aBusJournallingIn(dataFolder(), invoke);

/** A bus whose function always fails, its event dead-lettered; answers the bus. */
async function aDeadLetteredEvent(): Promise<LocalBus> {
  const first = aBus(async () => {
    throw new Error('down');
  });
  first.putEvents([anEventForOne()]);
  await until(() => first.deadLetters().length === 1, 5_000);
  await first.whenIdle();
  return first;
}

describe('a dead letter cut short by a kill of the local cloud', () => {
  it('is not delivered again at the next start when the kill came between the letter and its journal line', async () => {
    (await aDeadLetteredEvent()).close();
    // What the kill left: the letter synced, the journal's `dead` line never written.
    const journal = join(dataFolder(), 'deliveries.jsonl');
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    writeFileSync(journal, `${lines.filter((line) => !line.includes('"op":"dead"')).join('\n')}\n`);

    const invoked: string[] = [];
    const second = aBus(async (_name, event) => {
      invoked.push(event.id);
    });
    const resumed = second.resume();
    await second.whenIdle();
    second.close();

    expect({ resumed, invoked, deadLetters: second.deadLetters().length }).toEqual({
      resumed: 0,
      invoked: [],
      deadLetters: 1,
    });
  });

  it('is redriven once when the kill came between the redrive journalled and the letter taken out', async () => {
    const first = await aDeadLetteredEvent();
    // The process dies as the redrive rewrites the dead letters' file.
    vi.spyOn(JsonLines.prototype, 'rewrite').mockImplementationOnce(() => {
      throw new Error('killed');
    });
    await expect(first.redrive()).rejects.toThrow('killed');
    vi.restoreAllMocks();
    first.close();

    const invoked: string[] = [];
    const second = aBus(async (_name, event) => {
      invoked.push(event.id);
    });
    second.resume();
    await second.whenIdle();
    const redriven = await second.redrive();
    second.close();

    expect({ invoked: invoked.length, redriven: redriven.redriven, left: second.deadLetters() }).toEqual({
      invoked: 1,
      redriven: 1,
      left: [],
    });
  });
});
