import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { outletKey } from '#shared/db/outlet-items.ts';
import { cloud, documentClient } from '#test/support/cloud.ts';
import { anOutletInput } from '#test/support/outlets.ts';
import { localOutletDirectory, uniqueEmail } from '#test/support/outlets-cloud.ts';

/**
 * docs/design.md#jobs: the line that last wrote an outlet is the one `importedBy` names. A writer from
 * before `importedLine` was recorded sets `importedBy` alone, over an `importedLine` an earlier write
 * left: the outlet then says `job-b#5` beside `12`. Line 7 of job-b comes after line 5 and writes; line 3
 * comes before it and leaves the outlet as line 5 left it.
 */

const t0 = '2027-04-01T09:00:00.000Z';
const jobTime = '2027-04-01T10:00:00.000Z';

describe('an import line finding importedBy set over an importedLine an earlier write left', () => {
  it('writes when importedBy names an earlier line of its job, and leaves the outlet when it names a later one', async () => {
    const email = uniqueEmail('import-line-stale');
    const directory = localOutletDirectory();
    const id = `out-${email}`;
    await directory.create(anOutletInput({ email, name: 'Desk', territories: ['GB'] }), { id, now: t0 });
    // Line 12 of job-a recorded both; line 5 of job-b, by the write before the change, importedBy alone.
    await directory.upsertByEmail(anOutletInput({ email, name: 'Other', territories: ['FR'] }), {
      newId: () => 'never',
      now: t0,
      importedBy: { jobId: 'job-a', line: 12 },
    });
    await documentClient().send(
      new UpdateCommand({
        TableName: cloud().tableName,
        Key: outletKey(id),
        UpdateExpression: 'SET #name = :name, territories = :territories, updatedAt = :at, importedBy = :by',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: {
          ':name': 'Middle',
          ':territories': ['IE'],
          ':at': jobTime,
          ':by': 'job-b#5',
        },
      }),
    );
    const upsert = (name: string, territories: string[], line: number) =>
      directory.upsertByEmail(anOutletInput({ email, name, territories }), {
        newId: () => 'never',
        now: jobTime,
        importedBy: { jobId: 'job-b', line },
      });

    const early = await upsert('Early', ['FR'], 3);
    const afterEarly = await directory.get(id);
    const late = await upsert('Late', ['DE'], 7);

    expect(early.outcome).toBe('unchanged');
    expect(afterEarly).toMatchObject({ name: 'Middle', territories: ['IE'] });
    expect(late.outcome).toBe('updated');
    expect(await directory.get(id)).toMatchObject({ name: 'Late', territories: ['DE'] });
  });
});
