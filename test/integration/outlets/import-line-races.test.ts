import { describe, expect, it } from 'vitest';
import { anOutletInput } from '#test/support/outlets.ts';
import {
  localOutletDirectory,
  racedDirectory,
  uniqueEmail,
  updatesOutlet,
} from '#test/support/outlets-cloud.ts';

/**
 * docs/design.md#jobs: an import's line never overwrites an outlet a later line of the same job wrote
 * (a duplicate `Job Page Due` runs a page again while the first run went on to later pages). The rule
 * is the update's condition on the table, not only the line's read: here line 12 of the job lands
 * between line 3's read of the outlet and its update, the interleaving two runs at once allow.
 */

const t0 = '2027-04-01T09:00:00.000Z';
const jobTime = '2027-04-01T10:00:00.000Z';

describe("an import line's update, a later line of its job landing between its read and its write", () => {
  it('is refused by the table, and the outlet stays as the later line left it', async () => {
    const email = uniqueEmail('import-line');
    const outlet = await localOutletDirectory().create(
      anOutletInput({ email, name: 'Desk', territories: ['GB'] }),
      { id: `out-${email}`, now: t0 },
    );
    const line = (name: string, territories: string[]) => anOutletInput({ email, name, territories });
    const { directory, ran } = racedDirectory(updatesOutlet(outlet.id), () =>
      localOutletDirectory().upsertByEmail(line('Late', ['DE']), {
        newId: () => 'never',
        now: jobTime,
        importedBy: { jobId: 'job-a', line: 12 },
      }),
    );

    const early = await directory.upsertByEmail(line('Early', ['FR']), {
      newId: () => 'never',
      now: jobTime,
      importedBy: { jobId: 'job-a', line: 3 },
    });
    const stored = await localOutletDirectory().get(outlet.id);

    expect(ran()).toBe(true);
    expect(stored).toMatchObject({ name: 'Late', territories: ['DE'] });
    expect(early).toEqual({ outcome: 'unchanged', outlet: stored, reachChanged: true });
  });
});
