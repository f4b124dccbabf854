import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeJob } from '#functions/management/jobs.ts';
import { startImport } from '#functions/management/outlets.ts';
import { dynamoJobStore, maxNotedRowsPerPage } from '#shared/db/jobs.ts';
import { itemBytes } from '#test/support/dynamo-items.ts';
import { aLongestAddress, anImportWorld, theFullestImportPage } from '#test/support/jobs.ts';

const documents = mockClient(DynamoDBDocumentClient);

beforeEach(() => documents.reset());

/** DynamoDB: at most 400 KB an item, its attributes' names and values (UTF-8) counted. */
const itemLimit = 400 * 1024;

/**
 * docs/design.md#jobs: an import page's item holds its rejected rows and its notes (rows repeating an earlier
 * row's address, rows whose address opted out) beside them; a write of an item over 400 KB is refused
 * (ValidationException), so the page could never be recorded.
 */
describe("an outlet import page's item", () => {
  it("stays within DynamoDB's 400 KB, holding the fullest page's rejected rows and notes", async () => {
    const { job, page, completion, pages } = await theFullestImportPage();
    documents.on(TransactWriteCommand).resolves({});

    await dynamoJobStore(documents as unknown as DynamoDBDocumentClient, 't').completePage(
      job,
      page,
      completion,
    );

    const items = documents.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems ?? [];
    const item = items.find((written) => written.Put?.Item?.type === 'jobPage')?.Put?.Item ?? {};
    expect(pages.noted.counts).toMatchObject({ repeated: 500, optedOut: 500 });
    expect(pages.rejected.rejected).toHaveLength(500);
    expect(itemBytes(item), 'bytes of the page item').toBeLessThan(itemLimit);
  });

  it('counts every repeated and opted-out row of a job, however many its pages list', async () => {
    const { world, deps } = anImportWorld();
    const addresses = Array.from({ length: 500 }, (_, n) => aLongestAddress(n));
    for (const email of addresses)
      await world.outlets.markAddressUnsubscribed(email, '2027-01-20T08:00:00.000Z', () => []);
    const rows = addresses.map((email, n) => `Desk ${n},${email},press,GB`);
    const { jobId } = await startImport(['name,email,kind,territories', ...rows, ...rows].join('\n'), deps);

    await world.drain();

    const { status, result } = await describeJob(jobId, world.routes);
    expect(status).toBe('done');
    expect(result).toMatchObject({ created: 500, repeatedCount: 500, optedOutCount: 1000 });
    // Each page lists its first rows: the second page's repeats, and each page's opt-outs.
    expect('repeated' in result && [result.repeated.length, result.optedOut.length]).toEqual([
      maxNotedRowsPerPage,
      2 * maxNotedRowsPerPage,
    ]);
  });
});
