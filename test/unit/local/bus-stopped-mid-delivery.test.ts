import { describe, expect, it } from 'vitest';
import type { BusEvent } from '#infra/local/bus/bus.ts';
import { aBusJournallingIn, aDataFolderPerTest, anEventForOne } from '#test/support/local-restarts.ts';

/**
 * docs/design.md#failures-and-retries: a local cloud whose `npm start` is killed (`kill -9` of npm) or
 * stopped with Ctrl-C keeps what it acknowledged, as after a `kill -9` of the cloud itself. Stopping, it
 * stops DynamoDB Local and the SES front under the invocations still running; an attempt that fails for
 * that is no failure of the function's: the event must be delivered at the next start on the same data
 * folder, not dead-lettered (nor a retry spent) for the stop.
 */

const dataFolder = aDataFolderPerTest('backline-bus-stop-');
const aBus = (invoke: (name: string, event: BusEvent) => Promise<unknown>) =>
  aBusJournallingIn(dataFolder(), invoke);

describe('a delivery under way when the local cloud stops', () => {
  it('is delivered at the next start on the same folder, not dead-lettered for the stop', async () => {
    // The function's last attempt runs when the cloud stops, and fails as DynamoDB Local stops under it.
    let attempts = 0;
    let stopUnderIt: (error: Error) => void = () => undefined;
    let running: () => void = () => undefined;
    const lastAttemptRuns = new Promise<void>((resolve) => {
      running = resolve;
    });
    const first = aBus(
      () =>
        new Promise((_, reject) => {
          if (++attempts === 1) return reject(new Error('a failure of its own'));
          stopUnderIt = reject;
          running();
        }),
    );
    first.putEvents([anEventForOne()]);
    await lastAttemptRuns;
    first.close();
    stopUnderIt(new Error('connect ECONNREFUSED 127.0.0.1:8000'));
    await first.whenIdle();

    const invoked: string[] = [];
    const second = aBus(async (_name, event) => {
      invoked.push(event['detail-type']);
    });
    second.resume();
    await second.whenIdle();
    second.close();

    expect({ deadLetters: first.deadLetters().length, invoked }).toEqual({
      deadLetters: 0,
      invoked: ['One'],
    });
  });
});
