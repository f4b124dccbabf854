import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mailSettlementTiming, timeoutSeconds } from '#infra/function-settings.ts';
import { sesEventMarginMs, staleClaimMsFor } from '#shared/mail/ports.ts';

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8').replace(/\s+/g, ' ');
const thousands = (n: number) => n.toLocaleString('en-GB');
const about = (seconds: number) => Math.round(seconds / 60);
const floorMinutes = (seconds: number) => Math.floor(seconds / 60);

/**
 * The stale-claim windows the documents state, as the settings compute them (staleClaimMsFor): a
 * change of a sender's timeout or of the settlement queue's timing fails here until the prose follows.
 */
describe("the documents' stale-claim windows", () => {
  const { deliveryDelaySeconds, batchingWindowSeconds, maxReceiveCount, visibilityTimeoutSeconds } =
    mailSettlementTiming;
  const announcer = staleClaimMsFor(timeoutSeconds.announcer) / 1000;
  const tours = staleClaimMsFor(timeoutSeconds.tours) / 1000;
  const budgets = staleClaimMsFor(timeoutSeconds.budgets) / 1000;

  it("states the announcer's worked sum in docs/design.md#exactly-once-mail and the queue's timeout in #queues", () => {
    const design = read('docs/design.md');
    const sum = [
      timeoutSeconds.announcer,
      sesEventMarginMs / 1000,
      deliveryDelaySeconds,
      batchingWindowSeconds,
      `${maxReceiveCount - 1} x ${thousands(visibilityTimeoutSeconds)}`,
      timeoutSeconds.settlement,
    ].join(' + ');

    expect(design).toContain(`${sum} s, about ${about(announcer)} minutes for the announcer.`);
    expect(design).toContain(
      `(the settlement queue's: ${thousands(visibilityTimeoutSeconds)} s for the settlement function's ${timeoutSeconds.settlement} s)`,
    );
    expect(design).toContain(
      `naming the shortest sender's window in minutes: ${floorMinutes(budgets)}, the budgets'`,
    );
    expect(design).toContain(`resent about ${about(announcer)} minutes later`);
  });

  it('states the windows the README gives the operator and the chaos suite', () => {
    const readme = read('README.md');

    expect(about(tours)).toBe(about(announcer));
    expect(readme).toContain(
      `(${floorMinutes(budgets)} minutes for the budgets' mail, about ${about(announcer)} for the announcer's and the tours'`,
    );
    expect(readme).toContain(
      `about ${about(announcer)} minutes for the announcer's mail: \`staleClaimMsFor\``,
    );
    expect(readme).toContain(
      `goes out once its claim is stale, about ${about(announcer)} minutes later (${floorMinutes(budgets)} for a budget's mail)`,
    );
  });
});
