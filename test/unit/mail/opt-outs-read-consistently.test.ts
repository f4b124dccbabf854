import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { suppressionKey, unsubscriptionKey } from '#shared/db/outlet-items.ts';
import { dynamoSuppressionList } from '#shared/db/suppression-list.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { sendMails } from '#shared/mail/send.ts';
import { fakeWorld } from '#test/support/announcer-fakes.ts';

/**
 * sendMails asks the suppression list right before each claim (docs/design.md#two-mail-streams): an
 * address that unsubscribed (its page said "You are unsubscribed") or bounced a moment before must get
 * no campaign mail, nor a suppressed one operational mail. BatchGetItem is eventually consistent unless
 * asked otherwise, and may not yet see an opt-out written a moment before. DynamoDB Local is always
 * consistent, so the table is modelled here: the opt-outs just written are seen by a strongly
 * consistent read only.
 */
describe('the opt-outs asked right before a claim', () => {
  const documents = mockClient(DynamoDBDocumentClient);
  afterEach(() => documents.reset());

  const justWritten = [
    { ...unsubscriptionKey('gone@press.example'), email: 'gone@press.example' },
    { ...suppressionKey('bounced@venue.example'), email: 'bounced@venue.example' },
  ];
  const answered = (input: {
    RequestItems?: Record<string, { Keys?: Record<string, unknown>[]; ConsistentRead?: boolean }>;
  }) => {
    const asked = input.RequestItems?.table;
    const seen = asked?.ConsistentRead === true ? justWritten : [];
    return {
      Responses: {
        table: seen.filter((item) => asked?.Keys?.some((key) => key.pk === item.pk && key.sk === item.sk)),
      },
    };
  };

  const mail = (email: string, stream: OutgoingMail['stream']): OutgoingMail => ({
    identity: { labelId: 'lbl-nightshift', subject: mailSubjects.show('tour-1', 'show-1'), email, kind: 'x' },
    stream,
    template: stream === 'campaign' ? 'tour-press' : 'backline-advance-request',
    data: { text: {}, html: {} },
    ...(stream === 'campaign' ? { unsubscribeUrl: `https://backline.example/u/${email}` } : {}),
  });

  it('sees an unsubscribe or a bounce written a moment before, and claims no mail for it', async () => {
    documents.on(BatchGetCommand).callsFake(answered);
    const world = fakeWorld();
    world.deps.suppressions = dynamoSuppressionList(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
      'table',
    );

    const outcome = await sendMails(
      world.deps,
      [
        mail('gone@press.example', 'campaign'),
        mail('kept@press.example', 'campaign'),
        mail('bounced@venue.example', 'operational'),
      ],
      Date.parse('2100-01-01T00:00:00Z'),
    );

    expect(world.mailer.delivered.map((sent) => sent.email)).toEqual(['kept@press.example']);
    expect(outcome).toMatchObject({ optedOut: 1, claimed: 1 });
  });
});
