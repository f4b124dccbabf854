import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { WriteConflictError } from '#shared/db/conflicts.ts';
import { dynamoOutletManagement } from '#shared/db/outlet-changes.ts';
import { outletEmailKey, outletKey, suppressionKey, unsubscriptionKey } from '#shared/db/outlet-items.ts';
import { isMailable } from '#shared/outlets.ts';
import { transactionCancelled } from '#test/support/dynamo-errors.ts';
import { anOutlet, anOutletInput } from '#test/support/outlets.ts';

const documents = mockClient(DynamoDBDocumentClient);
const directory = () => dynamoOutletManagement(documents as unknown as DynamoDBDocumentClient, 't');
const email = 'news@radio.example';
const unsubscribedAt = '2027-03-01T12:00:00.000Z';
const now = '2027-03-05T12:00:00.000Z';

const transactItems = (call = 0) =>
  documents.commandCalls(TransactWriteCommand)[call].args[0].input.TransactItems ?? [];

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({});
  documents.on(TransactWriteCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
});

describe('the outlet directory adapter: unsubscribes outlive the outlet', () => {
  it('records the address as opted out in the same transaction that unsubscribes the outlet', async () => {
    documents
      .on(GetCommand, { Key: outletKey('out-1') })
      .resolves({ Item: anOutlet({ id: 'out-1', email }) });

    const result = await directory().markUnsubscribed('out-1', unsubscribedAt, []);

    expect(result).toMatchObject({ state: 'unsubscribed', outlet: { unsubscribedAt } });
    const [outletUpdate, optOut] = transactItems();
    expect(outletUpdate.Update).toMatchObject({
      Key: outletKey('out-1'),
      ExpressionAttributeValues: expect.objectContaining({ ':at': unsubscribedAt, ':email': email }),
    });
    expect(outletUpdate.Update?.ConditionExpression).toContain('attribute_not_exists(unsubscribedAt)');
    expect(optOut.Update).toMatchObject({
      Key: unsubscriptionKey(email),
      ExpressionAttributeValues: expect.objectContaining({ ':at': unsubscribedAt, ':email': email }),
    });
  });

  it('answers already, without a second opt-out, when the outlet is already unsubscribed', async () => {
    documents
      .on(GetCommand, { Key: outletKey('out-1') })
      .resolves({ Item: anOutlet({ id: 'out-1', email, unsubscribedAt }) });

    const result = await directory().markUnsubscribed('out-1', now, []);

    expect(result).toMatchObject({ state: 'already', outlet: { unsubscribedAt } });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('reads the outlet again when it changed between the read and the unsubscribe', async () => {
    documents
      .on(GetCommand, { Key: outletKey('out-1') })
      .resolvesOnce({ Item: anOutlet({ id: 'out-1', email }) })
      .resolves({ Item: anOutlet({ id: 'out-1', email: 'moved@radio.example' }) });
    documents.on(TransactWriteCommand).rejectsOnce(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    const result = await directory().markUnsubscribed('out-1', unsubscribedAt, []);

    expect(result).toMatchObject({ state: 'unsubscribed', outlet: { email: 'moved@radio.example' } });
    expect(transactItems(1)[1].Update?.Key).toEqual(unsubscriptionKey('moved@radio.example'));
  });

  it('creates an outlet for an address that unsubscribed before as unsubscribed and not mailable', async () => {
    documents
      .on(GetCommand, { Key: unsubscriptionKey(email) })
      .resolves({ Item: { email, at: unsubscribedAt } });

    const outlet = await directory().create(anOutletInput({ email }), { id: 'out-2', now });

    expect(outlet.unsubscribedAt).toBe(unsubscribedAt);
    expect(isMailable(outlet)).toBe(false);
    expect(transactItems()[0].Put?.Item).toMatchObject({ id: 'out-2', unsubscribedAt });
  });

  it('creates an outlet whose write a landing bounce cancelled (TransactionConflict) again, suppressed, instead of failing', async () => {
    // The bounce's suppression is written while the create's transaction is in flight: DynamoDB
    // cancels the create for the conflict (nothing written); tried again, it finds the address
    // suppressed since its read, and is made from a new read.
    const bouncedAt = '2027-03-05T11:59:59.000Z';
    documents
      .on(GetCommand, { Key: suppressionKey(email) })
      .resolvesOnce({})
      .resolves({ Item: { email, reason: 'bounce', at: bouncedAt } });
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCancelled(['None', 'None', 'TransactionConflict', 'None']))
      .rejectsOnce(transactionCancelled(['None', 'None', 'ConditionalCheckFailed', 'None']))
      .resolves({});

    const outlet = await directory().create(anOutletInput({ email }), { id: 'out-2', now });

    expect(outlet.suppressedAt).toBe(bouncedAt);
    expect(isMailable(outlet)).toBe(false);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(3);
    expect(transactItems(2)[0].Put?.Item).toMatchObject({ id: 'out-2', suppressedAt: bouncedAt });
  });

  it('gives up a create whose opt-out checks every attempt refuses as a write conflict (a 503), not an error of its own (a 500)', async () => {
    documents
      .on(TransactWriteCommand)
      .rejects(transactionCancelled(['None', 'None', 'ConditionalCheckFailed', 'None']));

    const created = directory().create(anOutletInput({ email }), { id: 'out-2', now });

    await expect(created).rejects.toBeInstanceOf(WriteConflictError);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('marks an outlet unsubscribed when the manager moves it onto an address that unsubscribed', async () => {
    documents.on(GetCommand, { Key: outletKey('out-1') }).resolves({ Item: anOutlet({ id: 'out-1' }) });
    documents
      .on(GetCommand, { Key: unsubscriptionKey(email) })
      .resolves({ Item: { email, at: unsubscribedAt } });

    const outlet = await directory().replace('out-1', anOutletInput({ email }), now);

    expect(outlet?.unsubscribedAt).toBe(unsubscribedAt);
    const update = transactItems()[0].Update;
    expect(update?.UpdateExpression).toContain(
      '#unsubscribedAt = if_not_exists(#unsubscribedAt, :unsubscribedAt)',
    );
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':unsubscribedAt': unsubscribedAt });
  });

  it('leaves an outlet’s own unsubscribe alone when the manager edits it', async () => {
    documents
      .on(GetCommand, { Key: outletKey('out-1') })
      .resolves({ Item: anOutlet({ id: 'out-1', email, unsubscribedAt }) });

    const outlet = await directory().replace('out-1', anOutletInput({ email, name: 'Renamed' }), now);

    expect(outlet?.unsubscribedAt).toBe(unsubscribedAt);
    expect(documents.commandCalls(UpdateCommand)[0].args[0].input.UpdateExpression).not.toContain(
      'unsubscribedAt',
    );
  });
});

describe('an address unsubscribed while an outlet is created on it', () => {
  it('records the address opt-out, tried again, when the create transaction checking that item holds it (TransactionConflictException)', async () => {
    // The create's transaction now holds a ConditionCheck on the address's unsubscription item; a plain
    // write of that item landing meanwhile is refused with TransactionConflictException (nothing written).
    documents
      .on(UpdateCommand, { Key: unsubscriptionKey(email) })
      .rejectsOnce(
        Object.assign(new Error('Transaction is ongoing for the item'), {
          name: 'TransactionConflictException',
        }),
      )
      .resolves({});

    await expect(directory().markAddressUnsubscribed(email, now, () => [])).resolves.toBeUndefined();
    expect(documents.commandCalls(UpdateCommand, { Key: unsubscriptionKey(email) })).toHaveLength(2);
  });
});

describe("an import line's write, when a later line of its job wrote the outlet between its read and its write", () => {
  it('is refused by its condition, and the line, reading the outlet again, leaves it as the later line left it (unchanged)', async () => {
    // docs/design.md#jobs: a line never overwrites what a later line of its job wrote. Line 12 of
    // job-a lands between line 3's read and its update (a duplicate run of line 3's page): the table
    // refuses the update, and the read made again finds line 12's write.
    const late = { ...anOutlet({ id: 'out-1', email, name: 'Late' }), updatedAt: now };
    documents.on(GetCommand, { Key: outletEmailKey(email) }).resolves({ Item: { outletId: 'out-1' } });
    documents
      .on(GetCommand, { Key: outletKey('out-1') })
      .resolvesOnce({ Item: anOutlet({ id: 'out-1', email }) })
      .resolves({ Item: { ...late, importedBy: 'job-a#12', importedLine: 12 } });
    documents.on(UpdateCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );

    const upserted = await directory().upsertByEmail(anOutletInput({ email, name: 'Early' }), {
      newId: () => 'never',
      now,
      importedBy: { jobId: 'job-a', line: 3 },
    });

    expect(upserted).toEqual({ outcome: 'unchanged', outlet: late, reachChanged: true });
    const updates = documents.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0].args[0].input).toMatchObject({
      ConditionExpression: expect.stringContaining(
        'NOT (begins_with(#importedBy, :importJob) AND #importedLine > :importedLine)',
      ),
      ExpressionAttributeNames: { '#importedBy': 'importedBy', '#importedLine': 'importedLine' },
      ExpressionAttributeValues: { ':importJob': 'job-a#', ':importedBy': 'job-a#3', ':importedLine': 3 },
    });
  });
});

describe('an import line finding its outlet as it says', () => {
  const jobTime = now;
  // Last written by the API (no import line's mark), or by another job's line 4.
  const found = (updatedAt: string, mark?: { importedBy: string; importedLine: number }) => {
    documents.on(GetCommand, { Key: outletEmailKey(email) }).resolves({ Item: { outletId: 'out-1' } });
    documents.on(GetCommand, { Key: outletKey('out-1') }).resolves({
      Item: { ...anOutlet({ id: 'out-1', email, name: 'Desk' }), updatedAt, ...mark },
    });
  };
  const upsert = () =>
    directory().upsertByEmail(anOutletInput({ email, name: 'Desk' }), {
      newId: () => 'never',
      now: jobTime,
      importedBy: { jobId: 'job-a', line: 502 },
    });

  it.each([
    ['changed before its job (re-importing a directory as it is)', '2027-03-01T00:00:00.000Z', undefined],
    [
      "changed while its job ran by another job's line, whose mark stands",
      '2027-03-05T12:30:00.000Z',
      { importedBy: 'job-z#4', importedLine: 4 },
    ],
    ['changed through the API while its job ran', '2027-03-05T12:30:00.000Z', undefined],
  ])('writes nothing, the line recording no mark (docs/design.md#jobs): %s', async (_, updatedAt, mark) => {
    found(updatedAt, mark);

    const upserted = await upsert();

    expect(upserted.outcome).toBe('unchanged');
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

/**
 * docs/design.md#failures-and-retries: "An HTTP route whose write still loses answers 503 with
 * `Retry-After: 1` ... never a 500". A replace or a delete reads the outlet again when it moved
 * between the read and the write, three times; an outlet moved under it every time is that: the
 * write was not made, and sending the request again is safe.
 */
describe('an outlet moved to another address under every attempt to replace or delete it', () => {
  const movingEveryRead = () => {
    let moves = 0;
    documents
      .on(GetCommand, { Key: outletKey('out-1') })
      .callsFake(() => ({ Item: anOutlet({ id: 'out-1', email: `moved-${++moves}@radio.example` }) }));
    documents.on(UpdateCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );
    documents
      .on(TransactWriteCommand)
      .rejects(transactionCancelled(['ConditionalCheckFailed', 'None', 'None', 'None', 'None']));
  };

  it('gives up the replace as a write conflict (a 503), not an error of its own (a 500)', async () => {
    movingEveryRead();

    const replaced = directory().replace('out-1', anOutletInput({ email }), now);

    await expect(replaced).rejects.toBeInstanceOf(WriteConflictError);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('gives up the delete as a write conflict (a 503), not an error of its own (a 500)', async () => {
    movingEveryRead();

    const removed = directory().remove('out-1');

    await expect(removed).rejects.toBeInstanceOf(WriteConflictError);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });
});
