import { afterEach, describe, expect, it } from 'vitest';
import { armFault, busIdle, clearFaults, faultsReport } from '#test/support/cloud.ts';
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
    const fired = (report: Awaited<ReturnType<typeof faultsReport>>) => [
      report.fired['dynamodb.accept-then-fail:TransactWriteItems'] ?? 0,
      report.fired['dynamodb.transaction-conflict:TransactWriteItems'] ?? 0,
    ];
    await busIdle();
    const before = fired(await faultsReport());
    await armFault('dynamodb.accept-then-fail:TransactWriteItems');
    await armFault('dynamodb.transaction-conflict:TransactWriteItems');

    const accepted = await csvImport(`name,email,kind,territories\r\nLost Answer FM,${email},radio,GB`);

    expect(fired(await faultsReport())).toEqual(before.map((count) => count + 1));
    expect(accepted.status).toBe(202);
    const { jobId } = (await accepted.json()) as { jobId: string };
    expect(await waitForJob(jobId)).toMatchObject({ status: 'done', result: { created: 1 } });
    expect(await localOutletDirectory().findByEmail(email)).toMatchObject({ name: 'Lost Answer FM' });
  });
});
