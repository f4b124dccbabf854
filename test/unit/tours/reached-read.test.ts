import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import { dynamoDeliveries, mailSubjects } from '#shared/db/deliveries.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { InMemoryTours } from '#test/support/tours.ts';

/**
 * announceToMedia asks `reached` about the page's deliveries right after it claimed and marked them
 * (same invocation, milliseconds later). BatchGetItem is eventually consistent unless asked otherwise:
 * a just-claimed delivery could read as absent ("never claimed", not reached) and a just-refused one
 * as still claimed (reached). DynamoDB Local is always consistent, so this is checked on the request
 * the adapter makes (docs/design.md#tours).
 */
describe('whether a press mail reached SES is read consistently', () => {
  const documents = mockClient(DynamoDBDocumentClient);
  afterEach(() => documents.reset());

  it('reads the deliveries with ConsistentRead', async () => {
    documents.on(BatchGetCommand).resolves({ Responses: { table: [] } });
    const { deps } = fakeMailDeps(() => new Date('2027-04-16T08:00:00Z'), defaultMailSettings(60));
    deps.deliveries = dynamoDeliveries(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
      'table',
    );
    const mailer = moduleTourMailer(
      deps,
      async () => 'https://b.example/u/x',
      60_000,
      new InMemoryTours().notePressAndClaim(deps.deliveries),
      new InMemoryTours().claimAwaitingAdvance(deps.deliveries),
    );

    await mailer.reached([
      {
        labelId: 'lbl-1',
        subject: mailSubjects.tourShows('tour-1', 'DE-x'),
        email: 'de@press.example',
        kind: 'press-announcement',
      },
    ]);

    const reads = documents.commandCalls(BatchGetCommand);
    expect(reads).toHaveLength(1);
    expect(reads[0].args[0].input.RequestItems?.table).toMatchObject({ ConsistentRead: true });
  });
});
