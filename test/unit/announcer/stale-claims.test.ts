import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { functions, settingsOf } from '#infra/topology.ts';
import { sesEventMarginMs } from '#shared/mail/ports.ts';
import { aReleaseClaim, fakeWorld } from '#test/support/announcer-fakes.ts';
import { anOutlet, aStoredRelease } from '#test/support/releases.ts';

const announcerTimeoutMs = settingsOf(functions.announcer).timeoutSeconds * 1000;
const far = () => Date.parse('2100-01-01T00:00:00Z');

describe('the stale-claim window', () => {
  it("is longer than the announcer's timeout plus the time SES events take to arrive", () => {
    expect(sesEventMarginMs).toBeGreaterThanOrEqual(5 * 60_000);
    expect(defaultSettings.staleClaimMs).toBeGreaterThanOrEqual(announcerTimeoutMs + sesEventMarginMs);
  });

  it('never resends a claim whose sending invocation may still be running or whose Email Sent may still come', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await world.deliveries.claim(aReleaseClaim(outlet), new Date(world.clock.now).toISOString());

    world.clock.now += announcerTimeoutMs + sesEventMarginMs - 1_000;
    const tooEarly = await sweepStaleClaims(world.deps, far());
    world.clock.now += 2_000;
    const stale = await sweepStaleClaims(world.deps, far());

    expect(tooEarly).toEqual({ resent: 0, closed: 0 });
    expect(stale).toEqual({ resent: 1, closed: 0 });
  });
});
