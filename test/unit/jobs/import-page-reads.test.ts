import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { liveDeps } from '#functions/jobs/adapters.ts';
import { importedOutletId, importPage } from '#functions/jobs/outlet-import.ts';
import { startImport } from '#functions/management/outlets.ts';
import { outletEmailKey, outletKey, suppressionKey } from '#shared/db/outlet-items.ts';
import { WriteFence } from '#shared/db/write-fence.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';
import { anImportWorld } from '#test/support/jobs.ts';
import { anOutlet } from '#test/support/outlets.ts';

// Every DynamoDBDocumentClient, the jobs function's own (`liveDeps`) included, answers from here.
const documents = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({});
  documents.on(BatchGetCommand).resolves({ Responses: {} });
  documents.on(TransactWriteCommand).resolves({});
});

/** The unit tests' table (vitest.config.ts). */
const table = 'backline-test';

/**
 * An import of `rows` (lines 2 on) and `run`, which runs its page 0 once with the jobs function's outlet
 * adapters over the mocked table.
 */
async function anImportOf(rows: string[]) {
  const { world, deps } = anImportWorld();
  const { jobId } = await startImport(['name,email,kind,territories', ...rows].join('\n'), deps);
  const job = (await world.store.get(jobId))!;
  const run = () =>
    importPage(
      job,
      0,
      { ...world.runner, outlets: liveDeps().outlets },
      { number: 1, fence: new WriteFence() },
    );
  return { jobId, run };
}

const importedOver = async (rows: string[]) => ({ work: await (await anImportOf(rows)).run() });

const email = 'desk@x.example';
/** An outlet as its item is stored. */
const outletItem = (overrides: Parameters<typeof anOutlet>[0]) => {
  const outlet = anOutlet({ email, ...overrides });
  return { ...outletKey(outlet.id), type: 'outlet', ...outlet };
};
/** The batched read of the page finding the address held by `outletId`. */
const readAsHeldBy = (outletId: string) =>
  documents.on(BatchGetCommand).resolves({
    Responses: { [table]: [{ ...outletEmailKey(email), type: 'outletEmail', outletId, email }] },
  });
const theCreatedOutlet = (call = 0) =>
  documents.commandCalls(TransactWriteCommand)[call].args[0].input.TransactItems?.[0].Put?.Item;

/**
 * docs/design.md#jobs: a page reads its addresses' owners and opt-outs up front, in batches, so a new row's
 * only request is the transaction that creates its outlet (it read the owner, then the two opt-outs, then
 * wrote: three round trips in turn).
 */
describe("an outlet import page's requests", () => {
  it('reads the owners and opt-outs of 250 new addresses in 8 BatchGetItems and writes each in one transaction, with no GetItem a row', async () => {
    const rows = Array.from({ length: 250 }, (_, n) => `Desk ${n},desk${n}@new.example,press,GB`);

    const { work } = await importedOver(rows);

    expect(work).toMatchObject({ counts: { created: 250, updated: 0, unchanged: 0 } });
    expect({
      getItems: documents.commandCalls(GetCommand).length,
      batchGetItems: documents.commandCalls(BatchGetCommand).length,
      transactions: documents.commandCalls(TransactWriteCommand).length,
    }).toEqual({ getItems: 0, batchGetItems: 8, transactions: 250 });
  });
});

/**
 * docs/design.md#jobs: what the page read ahead is a hint for each address's first row; its write is held
 * to it by the conditions that hold a row's own reads, and a hint gone stale is refused and read afresh.
 */
describe("an outlet import row whose address changed after its page's batched read", () => {
  it('updates the outlet someone else created on the address meanwhile, creating no second one', async () => {
    const { run } = await anImportOf([`Desk,${email},press,GB`]);
    // Read as nobody's; the create's claim of the address is refused: an outlet holds it now.
    documents
      .on(TransactWriteCommand)
      .rejects(transactionCancelled(['None', 'ConditionalCheckFailed', 'None', 'None']));
    documents.on(GetCommand, { Key: outletEmailKey(email) }).resolves({ Item: { outletId: 'out-theirs' } });
    documents
      .on(GetCommand, { Key: outletKey('out-theirs') })
      .resolves({ Item: outletItem({ id: 'out-theirs', name: 'Theirs' }) });
    documents.on(UpdateCommand).resolves({});

    const work = await run();

    expect(work).toMatchObject({ counts: { created: 0, updated: 1 }, rejected: [] });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(documents.commandCalls(UpdateCommand).map((call) => call.args[0].input.Key)).toEqual([
      outletKey('out-theirs'),
    ]);
  });

  it('creates the outlet with the bounce that landed on the address meanwhile, and notes it', async () => {
    const bouncedAt = '2027-01-31T23:00:00.000Z';
    const { run } = await anImportOf([`Desk,${email},press,GB`]);
    // Read with no opt-out; the create's check that the address is still not suppressed refuses it.
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCancelled(['None', 'None', 'ConditionalCheckFailed', 'None']))
      .resolves({});
    documents
      .on(GetCommand, { Key: suppressionKey(email) })
      .resolves({ Item: { email, reason: 'bounce', at: bouncedAt } });

    const work = await run();

    expect(work).toMatchObject({
      counts: { created: 1, optedOut: 1 },
      notes: { optedOut: [{ line: 2, email, optOut: 'bounced', since: bouncedAt }] },
    });
    expect(theCreatedOutlet(1)).toMatchObject({ email, suppressedAt: bouncedAt });
  });

  it('creates the outlet afresh when the owner read was deleted before its outlet was read', async () => {
    const { jobId, run } = await anImportOf([`Desk,${email},press,GB`]);
    readAsHeldBy('out-gone');

    const work = await run();

    expect(work).toMatchObject({ counts: { created: 1, updated: 0 }, rejected: [] });
    expect(theCreatedOutlet()).toMatchObject({ id: importedOutletId(jobId, 2), email });
  });

  it('creates the outlet afresh when the owner read was deleted before its update landed', async () => {
    const { jobId, run } = await anImportOf([`Desk,${email},press,GB`]);
    readAsHeldBy('out-gone');
    documents
      .on(GetCommand, { Key: outletKey('out-gone') })
      .resolvesOnce({ Item: outletItem({ id: 'out-gone', name: 'Gone' }) })
      .resolves({});
    // The update's `attribute_exists(pk)` refuses it.
    documents
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const work = await run();

    expect(work).toMatchObject({ counts: { created: 1, updated: 0 }, rejected: [] });
    expect(theCreatedOutlet()).toMatchObject({ id: importedOutletId(jobId, 2), email });
  });

  it('creates an outlet for the address when the owner read has moved off it, leaving that outlet alone', async () => {
    const { jobId, run } = await anImportOf([`Desk,${email},press,GB`]);
    readAsHeldBy('out-moved');
    documents
      .on(GetCommand, { Key: outletKey('out-moved') })
      .resolves({ Item: outletItem({ id: 'out-moved', email: 'moved@x.example' }) });

    const work = await run();

    expect(work).toMatchObject({ counts: { created: 1, updated: 0 }, rejected: [] });
    expect(theCreatedOutlet()).toMatchObject({ id: importedOutletId(jobId, 2), email });
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it("reads the address afresh for its later rows, which run after the first row's write", async () => {
    const { jobId, run } = await anImportOf([`Desk,${email},press,GB`, `Desk Two,${email},press,GB`]);
    const created = importedOutletId(jobId, 2);
    documents.on(GetCommand, { Key: outletEmailKey(email) }).resolves({ Item: { outletId: created } });
    documents
      .on(GetCommand, { Key: outletKey(created) })
      .resolves({ Item: outletItem({ id: created, name: 'Desk', territories: ['GB'] }) });
    documents.on(UpdateCommand).resolves({});

    const work = await run();

    expect(work).toMatchObject({ counts: { created: 1, repeated: 1 }, rejected: [] });
    expect(documents.commandCalls(GetCommand, { Key: outletEmailKey(email) })).toHaveLength(1);
    expect(documents.commandCalls(UpdateCommand)[0].args[0].input.ExpressionAttributeValues).toMatchObject({
      ':name': 'Desk Two',
    });
  });
});
