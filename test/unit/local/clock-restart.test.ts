import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installVirtualClock } from '#infra/local/clock.ts';

const HOUR = 3_600_000;
const INSTALLED = Symbol.for('backline.local.virtualClock');

// The local clock keeps the time it shows as it runs (once a second), so a restart on a machine whose
// clock was set back shows no earlier time than the last run showed (docs/design.md#the-local-clock).
describe('the local clock across a restart after the machine clock went back', () => {
  it('never shows an earlier time than the last run showed', () => {
    const RealDate = Date;
    const realNow = RealDate.now;
    let wall = Date.UTC(2027, 0, 1, 9);
    RealDate.now = () => wall; // the machine's clock, under the test's control
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'rv-clock-')), 'clock.json');

      // First run: started at 09:00, the clock runs on its own for three hours.
      const first = installVirtualClock();
      first.keepIn(file);
      wall += 3 * HOUR;
      const lastShown = first.now().getTime(); // 12:00: what handlers saw (a schedule fired then, say)

      // kill -9; the machine's clock is corrected back one hour; `npm start` again.
      const global = globalThis as unknown as Record<symbol, { realDate: DateConstructor } | undefined>;
      globalThis.Date = global[INSTALLED]!.realDate;
      delete global[INSTALLED];
      wall -= HOUR;
      const second = installVirtualClock();
      second.keepIn(file);

      // Shown 12:00 before the kill; 11:00 after the restart.
      expect(second.now().getTime() - lastShown).toBeGreaterThanOrEqual(0);
    } finally {
      RealDate.now = realNow;
    }
  });
});
