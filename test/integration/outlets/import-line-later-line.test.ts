import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { outletKey } from '#shared/db/outlet-items.ts';
import { cloud, documentClient } from '#test/support/cloud.ts';
import { anOutletInput } from '#test/support/outlets.ts';
import {
  localOutletDirectory,
  racedDirectory,
  uniqueEmail,
  updatesOutlet,
} from '#test/support/outlets-cloud.ts';

/**
 * docs/design.md#jobs: an import's line never overwrites an outlet a later line of the same job wrote
 * (a duplicate `Job Page Due` runs a page again while the first run went on to later pages), whatever
 * interleaving two runs allow and whichever code wrote the later line's mark.
 */

const t0 = '2027-04-01T09:00:00.000Z';
const jobTime = '2027-04-01T10:00:00.000Z';

/** An outlet of a fresh address (`email`, id `out-<email>`) as it stood before the job: Desk, GB. */
async function aDesk(emailTag: string) {
  const email = uniqueEmail(emailTag);
  const directory = localOutletDirectory();
  const id = `out-${email}`;
  const outlet = await directory.create(anOutletInput({ email, name: 'Desk', territories: ['GB'] }), {
    id,
    now: t0,
  });
  return { email, directory, id, outlet };
}

/** The import's upsert of the line `line` of `jobId` for `email`, at the job's time. */
const importLine = (
  directory: ReturnType<typeof localOutletDirectory>,
  email: string,
  { name, territories }: { name: string; territories: string[] },
  importedBy: { jobId: string; line: number },
) =>
  directory.upsertByEmail(anOutletInput({ email, name, territories }), {
    newId: () => 'never',
    now: jobTime,
    importedBy,
  });

/** The outlet as the write before `importedLine` was recorded left it: `importedBy` (`<jobId>#<line>`) alone. */
const writtenBeforeImportedLine = (
  id: string,
  { name, territories }: { name: string; territories: string[] },
  by: string,
) =>
  documentClient().send(
    new UpdateCommand({
      TableName: cloud().tableName,
      Key: outletKey(id),
      UpdateExpression: 'SET #name = :name, territories = :territories, updatedAt = :at, importedBy = :by',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: {
        ':name': name,
        ':territories': territories,
        ':at': jobTime,
        ':by': by,
      },
    }),
  );

/**
 * The rule is the update's condition on the table, not only the line's read: here line 12 of the job
 * lands between line 3's read of the outlet and its update, the interleaving two runs at once allow.
 */
describe("an import line's update, a later line of its job landing between its read and its write", () => {
  it('is refused by the table, and the outlet stays as the later line left it', async () => {
    const { email, outlet } = await aDesk('import-line');
    const { directory, ran } = racedDirectory(updatesOutlet(outlet.id), () =>
      importLine(
        localOutletDirectory(),
        email,
        { name: 'Late', territories: ['DE'] },
        { jobId: 'job-a', line: 12 },
      ),
    );

    const early = await importLine(
      directory,
      email,
      { name: 'Early', territories: ['FR'] },
      { jobId: 'job-a', line: 3 },
    );
    const stored = await localOutletDirectory().get(outlet.id);

    expect(ran()).toBe(true);
    expect(stored).toMatchObject({ name: 'Late', territories: ['DE'] });
    expect(early).toEqual({ outcome: 'unchanged', outlet: stored, reachChanged: true });
  });
});

/**
 * "A line never overwrites an outlet a later line of its own job wrote". A job runs over many pages and
 * invocations, so a deploy can land while it runs: its later line written by the code before
 * `importedLine` existed records `importedBy` (`<jobId>#<line>`) alone. A duplicate run of an earlier
 * page, after the deploy, must still find the outlet as that later line left it.
 */
describe('an import line finding the outlet written by a later line of its job before importedLine was recorded', () => {
  it('leaves the outlet as the later line left it (unchanged)', async () => {
    const { email, directory, id } = await aDesk('import-line-before');
    // Line 12 of job-a, as the write before the change left it: importedBy, no importedLine.
    await writtenBeforeImportedLine(id, { name: 'Late', territories: ['DE'] }, 'job-a#12');

    // Line 3 of the same job, run again by a duplicate event after the deploy.
    const early = await importLine(
      directory,
      email,
      { name: 'Early', territories: ['FR'] },
      { jobId: 'job-a', line: 3 },
    );

    expect(await directory.get(id)).toMatchObject({ name: 'Late', territories: ['DE'] });
    expect(early.outcome).toBe('unchanged');
  });
});

/**
 * The line that last wrote an outlet is the one `importedBy` names. A writer from before `importedLine`
 * was recorded sets `importedBy` alone, over an `importedLine` an earlier write left: the outlet then
 * says `job-b#5` beside `12`. Line 7 of job-b comes after line 5 and writes; line 3 comes before it and
 * leaves the outlet as line 5 left it.
 */
describe('an import line finding importedBy set over an importedLine an earlier write left', () => {
  it('writes when importedBy names an earlier line of its job, and leaves the outlet when it names a later one', async () => {
    const { email, directory, id } = await aDesk('import-line-stale');
    // Line 12 of job-a recorded both; line 5 of job-b, by the write before the change, importedBy alone.
    await directory.upsertByEmail(anOutletInput({ email, name: 'Other', territories: ['FR'] }), {
      newId: () => 'never',
      now: t0,
      importedBy: { jobId: 'job-a', line: 12 },
    });
    await writtenBeforeImportedLine(id, { name: 'Middle', territories: ['IE'] }, 'job-b#5');
    const upsert = (name: string, territories: string[], line: number) =>
      importLine(directory, email, { name, territories }, { jobId: 'job-b', line });

    const early = await upsert('Early', ['FR'], 3);
    const afterEarly = await directory.get(id);
    const late = await upsert('Late', ['DE'], 7);

    expect(early.outcome).toBe('unchanged');
    expect(afterEarly).toMatchObject({ name: 'Middle', territories: ['IE'] });
    expect(late.outcome).toBe('updated');
    expect(await directory.get(id)).toMatchObject({ name: 'Late', territories: ['DE'] });
  });
});
