import { afterEach, describe, expect, it } from 'vitest';
import { armFault, busIdle, clearFaults, faultsReport, firedSince } from '#test/support/cloud.ts';
import { csvImport, waitForJob } from '#test/support/jobs-cloud.ts';
import { localOutletDirectory, uniqueEmail } from '#test/support/outlets-cloud.ts';

afterEach(clearFaults);

/**
 * docs/design.md#failures-and-retries: the job's creation (its item with its Job Requested, one
 * transaction) is applied and answered 500 (dynamodb.accept-then-fail); the SDK's retry, with the same
 * request token, is cancelled for a conflict (dynamodb.transaction-conflict), and the write goes again
 * as a new transaction, which the job its first attempt stored refuses. Read as an id taken by another
 * job, that refusal answered 500 to an import that was accepted and ran: the client sending it again
 * imports it twice.
 */
describe('an import whose job was created while its answer was lost', () => {
  it('is answered 202 with the job, which runs', async () => {
    const email = uniqueEmail();
    // Aimed at jobs' items (keys `JOB#<jobId>`, sort key `JOB`): the import's job id is made by its request,
    // so no fragment of its own is known before. With the bus idle, no job's page is writing; only another
    // job created meanwhile could take them.
    const faults = [
      'dynamodb.accept-then-fail:TransactWriteItems.JOB',
      'dynamodb.transaction-conflict:TransactWriteItems.JOB',
    ];
    await busIdle();
    const before = await faultsReport();
    for (const fault of faults) await armFault(fault);

    const accepted = await csvImport(`name,email,kind,territories\r\nLost Answer FM,${email},radio,GB`);

    const fired = await firedSince(before);
    expect(faults.map((fault) => fired[fault])).toEqual([1, 1]);
    expect(accepted.status).toBe(202);
    const { jobId } = (await accepted.json()) as { jobId: string };
    expect(await waitForJob(jobId)).toMatchObject({ status: 'done', result: { created: 1 } });
    expect(await localOutletDirectory().findByEmail(email)).toMatchObject({ name: 'Lost Answer FM' });
  });
});
