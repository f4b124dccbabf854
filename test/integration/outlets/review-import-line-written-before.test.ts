import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { outletKey } from '#shared/db/outlet-items.ts';
import { cloud, documentClient } from '#test/support/cloud.ts';
import { anOutletInput } from '#test/support/outlets.ts';
import { localOutletDirectory, uniqueEmail } from '#test/support/outlets-cloud.ts';

/**
 * docs/design.md#jobs: "A line never overwrites an outlet a later line of its own job wrote". A job runs
 * over many pages and invocations, so a deploy can land while it runs: its later line written by the
 * code before `importedLine` existed records `importedBy` (`<jobId>#<line>`) alone. A duplicate run of
 * an earlier page, after the deploy, must still find the outlet as that later line left it.
 */

const t0 = '2027-04-01T09:00:00.000Z';
const jobTime = '2027-04-01T10:00:00.000Z';

describe('an import line finding the outlet written by a later line of its job before importedLine was recorded', () => {
  it('leaves the outlet as the later line left it (unchanged)', async () => {
    const email = uniqueEmail('import-line-before');
    const directory = localOutletDirectory();
    const id = `out-${email}`;
    await directory.create(anOutletInput({ email, name: 'Desk', territories: ['GB'] }), { id, now: t0 });
    // Line 12 of job-a, as the write before the change left it: importedBy, no importedLine.
    await documentClient().send(
      new UpdateCommand({
        TableName: cloud().tableName,
        Key: outletKey(id),
        UpdateExpression: 'SET #name = :name, territories = :territories, updatedAt = :at, importedBy = :by',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: {
          ':name': 'Late',
          ':territories': ['DE'],
          ':at': jobTime,
          ':by': 'job-a#12',
        },
      }),
    );

    // Line 3 of the same job, run again by a duplicate event after the deploy.
    const early = await directory.upsertByEmail(
      anOutletInput({ email, name: 'Early', territories: ['FR'] }),
      {
        newId: () => 'never',
        now: jobTime,
        importedBy: { jobId: 'job-a', line: 3 },
      },
    );

    expect(await directory.get(id)).toMatchObject({ name: 'Late', territories: ['DE'] });
    expect(early.outcome).toBe('unchanged');
  });
});
