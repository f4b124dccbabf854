import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { mailSubjects, type NewClaim } from '#shared/db/deliveries.ts';
import { dynamoNotePressAndClaim, type NotedClaims } from '#shared/db/press-notes.ts';

const documents = mockClient(DynamoDBDocumentClient);
const write = () => dynamoNotePressAndClaim(documents as unknown as DynamoDBDocumentClient, 't');
const at = '2027-02-03T00:00:00.000Z';

const claimOf = (email: string): NewClaim => ({
  labelId: 'lbl-1',
  subject: mailSubjects.tourShows('tour-1', 'DE-x'),
  email,
  kind: 'press-cancellation',
  stream: 'campaign',
});
const page = (emails: string[]): NotedClaims => ({
  asRead: { labelId: 'lbl-1', tourId: 'tour-1', showId: 'show-1', occurredAt: '2027-02-02T00:00:00.000Z' },
  country: 'DE',
  claims: emails.map((email) => ({
    claim: claimOf(email),
    told: {
      email,
      outletId: 'o1',
      showIds: ['show-1'],
      stated: { 'show-1': { facts: 'f', change: '2027-02-02T00:00:00.000Z', kind: 'cancellation' } },
    },
  })),
});
/** DynamoDB's answer to a transaction whose items at `positions` failed their condition. */
const cancelled = (items: number, positions: number[]) =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: Array.from({ length: items }, (_, at) => ({
      Code: positions.includes(at) ? 'ConditionalCheckFailed' : 'None',
    })),
  });
const transactions = () =>
  documents.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems ?? []);

beforeEach(() => documents.reset());

describe("a press step's notes and claims on DynamoDB", () => {
  it('writes the show check, the notes and the claims in one transaction, 49 addresses a transaction', async () => {
    documents.on(TransactWriteCommand).resolves({});
    const emails = Array.from({ length: 50 }, (_, n) => `a${n}@press.example`);

    const { claimed, refused } = await write()(page(emails), at);

    expect(refused).toBe(false);
    expect(claimed.map((delivery) => delivery.email)).toEqual(emails);
    expect(transactions().map((items) => items.length)).toEqual([99, 3]);
    expect(transactions()[1].map((item) => Object.keys(item)[0])).toEqual([
      'ConditionCheck',
      'Update',
      'Put',
    ]);
    expect(transactions()[1][0].ConditionCheck?.ExpressionAttributeValues).toEqual({
      ':read': '2027-02-02T00:00:00.000Z',
    });
  });

  it('writes nothing and says so when the show changed since the step read it', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled(5, [0]));

    const { claimed, refused } = await write()(page(['a@press.example', 'b@press.example']), at);

    expect({ claimed, refused }).toEqual({ claimed: [], refused: true });
    expect(transactions()).toHaveLength(1);
  });

  it('leaves out a mail claimed before (the step taken again) and still writes the notes', async () => {
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(5, [3]))
      .resolves({});

    const { claimed, refused } = await write()(page(['a@press.example', 'b@press.example']), at);

    expect(refused).toBe(false);
    expect(claimed.map((delivery) => delivery.email)).toEqual(['b@press.example']);
    expect(transactions()[1].map((item) => Object.keys(item)[0])).toEqual([
      'ConditionCheck',
      'Update',
      'Update',
      'Put',
    ]);
  });
});
