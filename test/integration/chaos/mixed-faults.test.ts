import { describe, expect, it } from 'vitest';
import { ChaosClient, chaosTable, faultMix, releaseMovedTwice } from '#test/support/chaos.ts';
import { cloud } from '#test/support/cloud.ts';

/**
 * The chaos suite in small (`npm run test:chaos` has the full one): 60 outlets, a fixed seed, the
 * mix of faults at rates on every engine, then faults cleared, dead letters redriven, sweeps run.
 */
describe('under mixed faults at rates', () => {
  it('announces a release whose date moves twice to 60 outlets, each mail exactly once', {
    // Minutes of faults, retries and sweeps; more on a busy machine.
    timeout: 420_000,
  }, async () => {
    const client = new ChaosClient({
      urls: { http: cloud().baseUrl, ses: cloud().sesUrl },
      apiKey: cloud().apiKey,
    });
    const before = await client.faults();

    const row = await releaseMovedTwice(client, {
      outlets: 60,
      seed: 20261130,
      faults: faultMix,
      waitMs: 4_000,
    });

    console.log(`${chaosTable([row])}\n${JSON.stringify(client.timings)}`);
    const fired = (await client.faults()).fired;
    const firedNow = Object.entries(fired).filter(([name, n]) => n > (before.fired[name] ?? 0));
    expect(firedNow.length).toBeGreaterThan(3);
    expect(row.findings).toEqual([]);
    expect({ lost: row.lost, duplicates: row.duplicates, unrecorded: row.unrecorded }).toEqual({
      lost: 0,
      duplicates: 0,
      unrecorded: 0,
    });
  });
});
