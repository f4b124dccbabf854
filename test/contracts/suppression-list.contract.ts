import { describe, expect, it } from 'vitest';
import type { SuppressionList } from '#shared/db/suppression-list.ts';
import { uniqueId } from '#test/support/cloud.ts';

/**
 * A suppression list with the writes that fill it: an address suppressed (a hard bounce or a
 * complaint) and an address unsubscribed, as the outlet directory records them (shared/db/opt-outs.ts).
 */
export interface SuppressionWorld {
  list: SuppressionList;
  suppress(email: string): Promise<void>;
  unsubscribe(email: string): Promise<void>;
}

/** What every SuppressionList answers, on the fake and on DynamoDB Local (see outlet-directory.contract.ts). */
export function describeSuppressionListContract(name: string, makeWorld: () => SuppressionWorld) {
  describe(`SuppressionList contract: ${name}`, () => {
    it('answers the suppressed among addresses for all mail, and the suppressed and unsubscribed for campaign mail, by normalised address', async () => {
      const world = makeWorld();
      const [unsubscribed, suppressed, mailable] = ['u', 's', 'm'].map((n) => `${uniqueId(n)}@opted.example`);
      await world.unsubscribe(unsubscribed);
      await world.suppress(suppressed);

      const asked = [unsubscribed.toUpperCase(), ` ${suppressed}`, mailable];

      expect(await world.list.optedOutAmong(asked)).toEqual(new Set([unsubscribed, suppressed]));
      expect(await world.list.suppressedAmong(asked)).toEqual(new Set([suppressed]));
      expect(await world.list.optedOutAmong([])).toEqual(new Set());
      expect(await world.list.suppressedAmong([])).toEqual(new Set());
    });
  });
}
