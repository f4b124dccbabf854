import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AlreadyExistsException,
  BadRequestException,
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateEmailTemplateCommand,
  DeleteSuppressedDestinationCommand,
  GetAccountCommand,
  GetEmailTemplateCommand,
  GetSuppressedDestinationCommand,
  NotFoundException,
  PutSuppressedDestinationCommand,
  SESv2Client,
  SESv2ServiceException,
  SendBulkEmailCommand,
  type SendBulkEmailCommandInput,
  SendEmailCommand,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Faults } from '#infra/local/faults.ts';
import { type LocalSes, type SesEvent, startLocalSes } from '#infra/local/ses.ts';

interface StoredMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

// The emulator's in-process store (the same module instance the front uses).
const emulatorStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as {
  getStoreReadonly: () => { emails: StoredMail[] };
};

const FROM = 'Backline <announce@backline.example>';
const CONFIGURATION_SET = 'backline-mail';
const SES_ID = /^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$/;

const events: SesEvent[] = [];
const faults = new Faults();
let ses: LocalSes;
let client: SESv2Client;

const clientOf = (url: string, maxAttempts = 3) =>
  new SESv2Client({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    maxAttempts,
  });
const anAddress = (label: string) => `${label}-${crypto.randomUUID()}@outlet.example`;
const aSimulatorAddress = (kind: string) => `${kind}+${crypto.randomUUID()}@simulator.amazonses.com`;
const aTemplateName = () => `release-${crypto.randomUUID()}`;

async function storedMail(url: string): Promise<StoredMail[]> {
  const response = await fetch(`${url}/store`);
  return ((await response.json()) as { emails: StoredMail[] }).emails;
}

async function eventsFor(messageId: string, expected: number): Promise<SesEvent[]> {
  const matching = () => events.filter((event) => mailOf(event).messageId === messageId);
  for (let waited = 0; matching().length < expected && waited < 3000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return matching();
}

const mailOf = (event: SesEvent) =>
  (event.detail as { mail: { messageId: string; tags: Record<string, string[]>; destination: string[] } })
    .mail;

function aSimpleSend(
  to: string[],
  overrides: Partial<ConstructorParameters<typeof SendEmailCommand>[0]> = {},
) {
  return new SendEmailCommand({
    FromEmailAddress: FROM,
    Destination: { ToAddresses: to },
    Content: { Simple: { Subject: { Data: 'New release' }, Body: { Text: { Data: 'Out now' } } } },
    ConfigurationSetName: CONFIGURATION_SET,
    ...overrides,
  });
}

/** A SendBulkEmail of `templateName` to `address` alone, its one entry given `entry`'s replacements. */
function oneEntrySend(
  templateName: string,
  address: string,
  entry: Omit<NonNullable<SendBulkEmailCommandInput['BulkEmailEntries']>[number], 'Destination'> = {},
) {
  return new SendBulkEmailCommand({
    FromEmailAddress: FROM,
    DefaultContent: { Template: { TemplateName: templateName, TemplateData: '{}' } },
    BulkEmailEntries: [{ Destination: { ToAddresses: [address] }, ...entry }],
  });
}

beforeAll(async () => {
  ses = await startLocalSes({
    port: 0,
    publish: async (published) => {
      events.push(...published);
    },
    faults,
    account: '123456789012',
  });
  client = clientOf(ses.url);
  await createConfigurationSet(client);
});

/** The configuration set the sends name, publishing every event type to the default bus. */
async function createConfigurationSet(sesClient: SESv2Client): Promise<void> {
  await sesClient.send(new CreateConfigurationSetCommand({ ConfigurationSetName: CONFIGURATION_SET }));
  await sesClient.send(
    new CreateConfigurationSetEventDestinationCommand({
      ConfigurationSetName: CONFIGURATION_SET,
      EventDestinationName: 'default-bus',
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['SEND', 'DELIVERY', 'BOUNCE', 'COMPLAINT', 'REJECT'],
        EventBridgeDestination: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      },
    }),
  );
}

afterAll(async () => {
  await ses?.stop();
});

describe('local SES', () => {
  it('renders each entry of a templated bulk send, with its data and headers, into the store', async () => {
    const templateName = aTemplateName();
    await client.send(
      new CreateEmailTemplateCommand({
        TemplateName: templateName,
        TemplateContent: {
          Subject: '{{release.title}} by {{artist}}',
          Html: '<p>Hi {{outlet}},</p>{{#each tracks}}<li>{{this}}</li>{{/each}}{{#if promo}}<a href="{{promo}}">promo</a>{{/if}}',
          Text: 'Hi {{outlet}}, {{release.title}} is out.',
        },
      }),
    );
    const outlets = [anAddress('radio'), anAddress('magazine'), anAddress('blog')];
    const input: SendBulkEmailCommandInput = {
      FromEmailAddress: FROM,
      ReplyToAddresses: ['press@backline.example'],
      ConfigurationSetName: CONFIGURATION_SET,
      DefaultContent: {
        Template: {
          TemplateName: templateName,
          TemplateData: JSON.stringify({
            artist: 'The Band',
            release: { title: 'Loud & Clear' },
            tracks: ['A', 'B'],
          }),
          Headers: [{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' }],
        },
      },
      DefaultEmailTags: [{ Name: 'kind', Value: 'announcement' }],
      BulkEmailEntries: outlets.map((address, index) => ({
        Destination: { ToAddresses: [address] },
        ReplacementEmailContent: {
          ReplacementTemplate: {
            ReplacementTemplateData: JSON.stringify({
              outlet: `Outlet ${index}`,
              promo: index === 0 ? 'https://p/1' : '',
            }),
          },
        },
        ReplacementHeaders: [{ Name: 'List-Unsubscribe', Value: `<https://backline.example/u/${index}>` }],
        ReplacementTags: [{ Name: 'delivery', Value: `d-${index}` }],
      })),
    };

    const result = await client.send(new SendBulkEmailCommand(input));

    const results = result.BulkEmailEntryResults ?? [];
    expect(results.map((entry) => entry.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    const store = await storedMail(ses.url);
    const mails = results.map((entry) => store.find((mail) => mail.messageId === entry.MessageId));
    expect(mails.map((mail) => mail?.destination.to)).toEqual(outlets.map((address) => [address]));
    const [first, second] = mails;
    expect(first?.subject).toBe('Loud & Clear by The Band');
    expect(first?.body.html).toBe('<p>Hi Outlet 0,</p><li>A</li><li>B</li><a href="https://p/1">promo</a>');
    expect(second?.body.html).toBe('<p>Hi Outlet 1,</p><li>A</li><li>B</li>');
    expect(second?.body.text).toBe('Hi Outlet 1, Loud & Clear is out.');
    expect(first?.from).toBe(FROM);
    expect(first?.replyTo).toEqual(['press@backline.example']);
    expect(second?.headers).toEqual([
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      { name: 'List-Unsubscribe', value: '<https://backline.example/u/1>' },
    ]);
  });

  it('refuses a SendBulkEmail of 51 entries with BadRequestException and stores none of them', async () => {
    const templateName = aTemplateName();
    await client.send(
      new CreateEmailTemplateCommand({
        TemplateName: templateName,
        TemplateContent: { Subject: 's', Text: 't' },
      }),
    );
    const outlets = Array.from({ length: 51 }, () => anAddress('many'));

    const sending = client.send(
      new SendBulkEmailCommand({
        FromEmailAddress: FROM,
        DefaultContent: { Template: { TemplateName: templateName, TemplateData: '{}' } },
        BulkEmailEntries: outlets.map((address) => ({ Destination: { ToAddresses: [address] } })),
      }),
    );

    await expect(sending).rejects.toBeInstanceOf(BadRequestException);
    const store = await storedMail(ses.url);
    expect(store.filter((mail) => outlets.includes(mail.destination.to[0]))).toEqual([]);
  });

  it("refuses a SendBulkEmail whose entry's template data passes SES's 262,144 characters with BadRequestException, and takes it at that length", async () => {
    const templateName = aTemplateName();
    await client.send(
      new CreateEmailTemplateCommand({
        TemplateName: templateName,
        TemplateContent: { Subject: '{{subject}}', Text: '{{subject}}: {{pad}}' },
      }),
    );
    // Template data of exactly `length` characters, as SES counts them.
    const dataOf = (length: number) => {
      const base = JSON.stringify({ subject: 'Your budgets', pad: '' });
      return JSON.stringify({ subject: 'Your budgets', pad: 'x'.repeat(length - base.length) });
    };
    const sendWith = (data: string, address: string) =>
      client.send(
        oneEntrySend(templateName, address, {
          ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: data } },
        }),
      );
    const [over, within] = [anAddress('over'), anAddress('within')];

    await expect(sendWith(dataOf(262_145), over)).rejects.toBeInstanceOf(BadRequestException);
    const taken = await sendWith(dataOf(262_144), within);

    expect(dataOf(262_144)).toHaveLength(262_144);
    expect(taken.BulkEmailEntryResults?.map((r) => r.Status)).toEqual(['SUCCESS']);
    const store = await storedMail(ses.url);
    expect(store.filter((mail) => mail.destination.to[0] === over)).toEqual([]);
    expect(store.filter((mail) => mail.destination.to[0] === within)).toHaveLength(1);
  });

  // SES v2's MessageHeader: a value of 1 to 870 printable ASCII characters; a longer one refuses the call.
  it("refuses a SendBulkEmail whose entry's header value passes SES's 870 characters with BadRequestException, and takes it at that length", async () => {
    const templateName = aTemplateName();
    await client.send(
      new CreateEmailTemplateCommand({
        TemplateName: templateName,
        TemplateContent: { Subject: 's', Text: 't' },
      }),
    );
    const unsubscribeOf = (length: number) => {
      const url = 'https://backline.example/u/';
      return `<${url}${'x'.repeat(length - url.length - 2)}>`;
    };
    const sendWith = (value: string, address: string) =>
      client.send(
        oneEntrySend(templateName, address, {
          ReplacementHeaders: [{ Name: 'List-Unsubscribe', Value: value }],
        }),
      );
    const [over, outsideAscii, within] = [anAddress('over'), anAddress('outside-ascii'), anAddress('within')];

    await expect(sendWith(unsubscribeOf(871), over)).rejects.toBeInstanceOf(BadRequestException);
    await expect(sendWith('<https://backline.example/u/café>', outsideAscii)).rejects.toBeInstanceOf(
      BadRequestException,
    );
    const taken = await sendWith(unsubscribeOf(870), within);

    expect(unsubscribeOf(870)).toHaveLength(870);
    expect(taken.BulkEmailEntryResults?.map((r) => r.Status)).toEqual(['SUCCESS']);
    const store = await storedMail(ses.url);
    expect(store.filter((mail) => [over, outsideAscii].includes(mail.destination.to[0]))).toEqual([]);
    expect(store.filter((mail) => mail.destination.to[0] === within)).toHaveLength(1);
  });

  it('refuses a SendEmail to more than 50 recipients with BadRequestException', async () => {
    const recipients = Array.from({ length: 51 }, () => anAddress('cc'));

    await expect(client.send(aSimpleSend(recipients))).rejects.toBeInstanceOf(BadRequestException);
  });

  it('answers NotFoundException for a bulk send with a template that does not exist', async () => {
    const sending = client.send(oneEntrySend(aTemplateName(), anAddress('nobody')));

    await expect(sending).rejects.toBeInstanceOf(NotFoundException);
  });

  it('keeps templates with the SES errors for duplicates and unknown names', async () => {
    const templateName = aTemplateName();
    const content = { Subject: 'Hello {{name}}', Text: 'Hi' };
    await client.send(
      new CreateEmailTemplateCommand({ TemplateName: templateName, TemplateContent: content }),
    );

    const again = client.send(
      new CreateEmailTemplateCommand({ TemplateName: templateName, TemplateContent: content }),
    );
    const fetched = await client.send(new GetEmailTemplateCommand({ TemplateName: templateName }));

    await expect(again).rejects.toBeInstanceOf(AlreadyExistsException);
    expect(fetched.TemplateContent).toEqual(content);
    await expect(
      client.send(new GetEmailTemplateCommand({ TemplateName: aTemplateName() })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('reports the configured send rate in GetAccount, and a rate no one reaches when unset', async () => {
    const limited = await startLocalSes({
      port: 0,
      sendRatePerSecond: 14,
      publish: async () => {},
      faults: new Faults(),
    });
    try {
      const account = await clientOf(limited.url).send(new GetAccountCommand({}));
      const unlimited = await client.send(new GetAccountCommand({}));

      expect(account.SendQuota?.MaxSendRate).toBe(14);
      expect(account).toMatchObject({
        SendingEnabled: true,
        ProductionAccessEnabled: true,
        EnforcementStatus: 'HEALTHY',
      });
      expect(unlimited.SendQuota?.MaxSendRate).toBe(1_000_000);
    } finally {
      await limited.stop();
    }
  });

  it('refuses a send above the rate, counted in recipients, with the SDK throttling exception', async () => {
    // A clock that stands still: the bucket does not refill between the two sends, however slow the machine.
    const frozen = Date.parse('2027-03-01T12:00:00.000Z');
    const limited = await startLocalSes({
      port: 0,
      sendRatePerSecond: 3,
      publish: async () => {},
      faults: new Faults(),
      now: () => frozen,
    });
    try {
      const throttledClient = clientOf(limited.url, 1);
      const refused = [anAddress('late')];
      await throttledClient.send(
        aSimpleSend([anAddress('a'), anAddress('b'), anAddress('c')], { ConfigurationSetName: undefined }),
      );

      const error = await throttledClient
        .send(aSimpleSend(refused, { ConfigurationSetName: undefined }))
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(TooManyRequestsException);
      expect((error as TooManyRequestsException).message).toBe('Maximum sending rate exceeded.');
      expect((error as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
      const store = await storedMail(limited.url);
      expect(store.some((mail) => mail.destination.to.includes(refused[0]))).toBe(false);
    } finally {
      await limited.stop();
    }
  });

  it('gives every message a unique SES-style id, in the answer and in the store', async () => {
    const templateName = aTemplateName();
    await client.send(
      new CreateEmailTemplateCommand({
        TemplateName: templateName,
        TemplateContent: { Subject: 's', Text: 't' },
      }),
    );
    const bulk = () =>
      client.send(
        new SendBulkEmailCommand({
          FromEmailAddress: FROM,
          DefaultContent: { Template: { TemplateName: templateName, TemplateData: '{}' } },
          BulkEmailEntries: Array.from({ length: 50 }, () => ({
            Destination: { ToAddresses: [anAddress('id')] },
          })),
        }),
      );

    const results = await Promise.all([bulk(), bulk(), bulk(), bulk()]);

    const ids = results.flatMap((result) =>
      (result.BulkEmailEntryResults ?? []).map((entry) => entry.MessageId),
    );
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) expect(id).toMatch(SES_ID);
    const stored = new Set((await storedMail(ses.url)).map((mail) => mail.messageId));
    expect(ids.every((id) => stored.has(id!))).toBe(true);
  });

  it('publishes Email Sent and Email Delivered on the default bus with the entry tags in mail.tags', async () => {
    const templateName = aTemplateName();
    await client.send(
      new CreateEmailTemplateCommand({
        TemplateName: templateName,
        TemplateContent: { Subject: 's', Html: 'h' },
      }),
    );
    const outlet = aSimulatorAddress('success');

    const result = await client.send(
      new SendBulkEmailCommand({
        FromEmailAddress: FROM,
        ConfigurationSetName: CONFIGURATION_SET,
        DefaultContent: { Template: { TemplateName: templateName, TemplateData: '{}' } },
        DefaultEmailTags: [{ Name: 'kind', Value: 'announcement' }],
        BulkEmailEntries: [
          {
            Destination: { ToAddresses: [outlet] },
            ReplacementTags: [{ Name: 'delivery', Value: 'dlv-42' }],
          },
        ],
      }),
    );

    const messageId = result.BulkEmailEntryResults?.[0]?.MessageId ?? '';
    const published = await eventsFor(messageId, 2);
    expect(published.map((event) => event.detailType)).toEqual(['Email Sent', 'Email Delivered']);
    expect(published[0]).toMatchObject({
      source: 'aws.ses',
      resources: [`arn:aws:ses:us-east-1:123456789012:configuration-set/${CONFIGURATION_SET}`],
      detail: {
        eventType: 'Send',
        send: {},
        mail: {
          messageId,
          source: FROM,
          sendingAccountId: '123456789012',
          destination: [outlet],
          commonHeaders: { subject: 's', to: [outlet] },
          tags: {
            delivery: ['dlv-42'],
            kind: ['announcement'],
            'ses:configuration-set': [CONFIGURATION_SET],
            'ses:from-domain': ['backline.example'],
          },
        },
      },
    });
    expect(published[1]?.detail).toMatchObject({ eventType: 'Delivery', delivery: { recipients: [outlet] } });
  });

  it('publishes no events for a send without a configuration set', async () => {
    const quiet = await client.send(aSimpleSend([anAddress('quiet')], { ConfigurationSetName: undefined }));
    const heard = await client.send(aSimpleSend([anAddress('heard')]));

    // events are published in the order of the sends: once the later send's are out, the first's would be too
    await eventsFor(heard.MessageId ?? '', 2);
    expect(events.filter((event) => mailOf(event).messageId === quiet.MessageId)).toEqual([]);
  });

  it('yields a permanent bounce for bounce@ and a delivery then a complaint for complaint@ of the simulator', async () => {
    const bounced = await client.send(aSimpleSend([aSimulatorAddress('bounce')]));
    const complained = await client.send(aSimpleSend([aSimulatorAddress('complaint')]));

    const bounceEvents = await eventsFor(bounced.MessageId ?? '', 2);
    const complaintEvents = await eventsFor(complained.MessageId ?? '', 3);
    expect(bounceEvents.map((event) => event.detailType)).toEqual(['Email Sent', 'Email Bounced']);
    expect(bounceEvents[1]?.detail).toMatchObject({
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General' },
    });
    expect(complaintEvents.map((event) => event.detailType)).toEqual([
      'Email Sent',
      'Email Delivered',
      'Email Complaint Received',
    ]);
    expect(complaintEvents[2]?.detail).toMatchObject({
      eventType: 'Complaint',
      complaint: { complaintFeedbackType: 'abuse' },
    });
  });

  it('bounces mail to an address on the suppression list instead of delivering it', async () => {
    const suppressed = anAddress('suppressed');
    await client.send(new PutSuppressedDestinationCommand({ EmailAddress: suppressed, Reason: 'BOUNCE' }));

    const result = await client.send(aSimpleSend([suppressed]));

    const published = await eventsFor(result.MessageId ?? '', 2);
    expect(published.map((event) => event.detailType)).toEqual(['Email Sent', 'Email Bounced']);
    expect(published[1]?.detail).toMatchObject({
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'OnAccountSuppressionList',
        bouncedRecipients: [{ emailAddress: suppressed }],
      },
    });
    const entry = await client.send(new GetSuppressedDestinationCommand({ EmailAddress: suppressed }));
    expect(entry.SuppressedDestination?.Reason).toBe('BOUNCE');
    await client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: suppressed }));
    await expect(
      client.send(new GetSuppressedDestinationCommand({ EmailAddress: suppressed })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('with ses.accept-then-fail armed, stores the mail and publishes its events but fails the call', async () => {
    const outlet = anAddress('lost-answer');
    faults.arm('ses.accept-then-fail');

    const error = await clientOf(ses.url, 1)
      .send(aSimpleSend([outlet]))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SESv2ServiceException);
    expect((error as SESv2ServiceException).$metadata.httpStatusCode).toBe(500);
    const stored = (await storedMail(ses.url)).find((mail) => mail.destination.to.includes(outlet));
    expect(stored?.messageId).toMatch(SES_ID);
    expect((await eventsFor(stored?.messageId ?? '', 2)).map((event) => event.detailType)).toEqual([
      'Email Sent',
      'Email Delivered',
    ]);
    expect(faults.list().armed).toEqual({});
  });

  it('with ses.accept-then-fail and ses.event-drop aimed at a domain, fails only a call with mail to it and drops its first event', async () => {
    const domain = `aimed-${crypto.randomUUID()}.example`;
    faults.arm(`ses.accept-then-fail:${domain}`);
    faults.arm(`ses.event-drop:${domain}`);

    const elsewhere = await client.send(aSimpleSend([anAddress('elsewhere')]));
    const aimedAt = `Desk <desk@${domain.toUpperCase()}>`;
    const failed = await clientOf(ses.url, 1)
      .send(aSimpleSend([anAddress('beside'), aimedAt]))
      .catch((caught: unknown) => caught);

    expect((await eventsFor(elsewhere.MessageId ?? '', 2)).map((event) => event.detailType)).toEqual([
      'Email Sent',
      'Email Delivered',
    ]);
    expect((failed as SESv2ServiceException).$metadata.httpStatusCode).toBe(500);
    const aimed = (await storedMail(ses.url)).find((mail) => mail.destination.to.includes(aimedAt));
    expect(new Set((await eventsFor(aimed?.messageId ?? '', 1)).map((event) => event.detailType))).toEqual(
      new Set(['Email Delivered']),
    );
    expect(faults.list().armed).toEqual({});
  });

  it('with ses.reject-entry aimed at a domain, refuses only the bulk entry with mail to it and sends the others', async () => {
    const templateName = aTemplateName();
    await client.send(
      new CreateEmailTemplateCommand({
        TemplateName: templateName,
        TemplateContent: { Subject: 'Hi', Text: 'Hi' },
      }),
    );
    const domain = `aimed-${crypto.randomUUID()}.example`;
    const elsewhere = anAddress('elsewhere');
    const aimedAt = `Desk <desk@${domain.toUpperCase()}>`;
    faults.arm(`ses.reject-entry:${domain}`);

    const result = await client.send(
      new SendBulkEmailCommand({
        FromEmailAddress: FROM,
        DefaultContent: { Template: { TemplateName: templateName, TemplateData: '{}' } },
        BulkEmailEntries: [elsewhere, aimedAt].map((address) => ({
          Destination: { ToAddresses: [address] },
        })),
      }),
    );

    expect(result.BulkEmailEntryResults?.map((entry) => entry.Status)).toEqual([
      'SUCCESS',
      'MESSAGE_REJECTED',
    ]);
    const stored = await storedMail(ses.url);
    expect(stored.some((mail) => mail.destination.to.includes(elsewhere))).toBe(true);
    expect(stored.some((mail) => mail.destination.to.includes(aimedAt))).toBe(false);
    expect(faults.list().armed).toEqual({});
  });

  it('with ses.throttle armed, refuses the send with TooManyRequestsException and stores nothing', async () => {
    const outlet = anAddress('throttled');
    faults.arm('ses.throttle');

    const error = await clientOf(ses.url, 1)
      .send(aSimpleSend([outlet]))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect((await storedMail(ses.url)).some((mail) => mail.destination.to.includes(outlet))).toBe(false);
    expect(faults.list().fired['ses.throttle']).toBeGreaterThanOrEqual(1);
  });

  it('with ses.paused armed for ever, refuses every send with 400 SendingPausedException until the faults are cleared', async () => {
    const outlet = anAddress('paused');
    faults.arm('ses.paused', Number.POSITIVE_INFINITY);

    const errors = await Promise.all(
      [1, 2].map(() =>
        clientOf(ses.url, 1)
          .send(aSimpleSend([outlet]))
          .catch((caught: unknown) => caught),
      ),
    );
    const storedWhilePaused = (await storedMail(ses.url)).some((mail) =>
      mail.destination.to.includes(outlet),
    );
    faults.clear();
    const resumed = await clientOf(ses.url, 1).send(aSimpleSend([outlet]));

    for (const error of errors) {
      expect(error).toBeInstanceOf(SendingPausedException);
      expect((error as SendingPausedException).$metadata.httpStatusCode).toBe(400);
    }
    expect(storedWhilePaused).toBe(false);
    expect(resumed.MessageId).toMatch(SES_ID);
  });

  it('with ses.error armed, answers 500 before accepting, and the SDK retry then sends the mail once', async () => {
    const outlet = anAddress('retried');
    faults.arm('ses.error');

    const result = await clientOf(ses.url, 2).send(aSimpleSend([outlet]));

    const stored = (await storedMail(ses.url)).filter((mail) => mail.destination.to.includes(outlet));
    expect(stored.map((mail) => mail.messageId)).toEqual([result.MessageId]);
  });

  it('loses the events ses.event-drop names, and an event whose put fails ten times under events.put-fail', async () => {
    faults.arm('ses.event-drop:Delivery');
    const dropped = await client.send(aSimpleSend([anAddress('drop')]));
    faults.arm('events.put-fail:aws.ses', 10);
    const lost = await client.send(aSimpleSend([anAddress('lost')]));
    faults.arm('events.put-fail:aws.ses', 9);

    const retried = await client.send(aSimpleSend([anAddress('retried-put')]));

    expect((await eventsFor(dropped.MessageId ?? '', 1)).map((event) => event.detailType)).toEqual([
      'Email Sent',
    ]);
    expect((await eventsFor(retried.MessageId ?? '', 2)).map((event) => event.detailType)).toEqual([
      'Email Sent',
      'Email Delivered',
    ]);
    expect((await eventsFor(lost.MessageId ?? '', 1)).map((event) => event.detailType)).toEqual([
      'Email Delivered',
    ]);
    expect(faults.list().armed).toEqual({});
  });

  it('refuses to clear the store for a request without x-backline-local: 1 or from a web page, and keeps the mail', async () => {
    const { MessageId } = await client.send(aSimpleSend([anAddress('kept')]));

    const bare = await fetch(`${ses.url}/clear-store`, { method: 'POST' });
    const fromPage = await fetch(`${ses.url}/clear-store`, {
      method: 'POST',
      headers: { 'x-backline-local': '1', origin: 'https://evil.example' },
    });

    expect([bare.status, fromPage.status]).toEqual([403, 403]);
    expect(((await bare.json()) as { message: string }).message).toContain('x-backline-local: 1');
    expect((await storedMail(ses.url)).some((mail) => mail.messageId === MessageId)).toBe(true);
  });

  it('keeps sent mail in its store file, so that a restarted front still shows mail sent before', async () => {
    const storeFile = join(mkdtempSync(join(tmpdir(), 'backline-ses-')), 'sent-mail.jsonl');
    const before = await startLocalSes({ port: 0, publish: async () => {}, faults: new Faults(), storeFile });
    const { MessageId } = await clientOf(before.url).send(
      aSimpleSend([anAddress('evidence')], { ConfigurationSetName: undefined }),
    );
    await before.stop();
    // What a restart loses: the emulator's memory.
    const memory = emulatorStore.getStoreReadonly().emails;
    memory.splice(
      memory.findIndex((mail) => mail.messageId === MessageId),
      1,
    );

    const after = await startLocalSes({ port: 0, publish: async () => {}, faults: new Faults(), storeFile });
    const stored = await storedMail(after.url);
    await after.stop();

    expect(stored.filter((mail) => mail.messageId === MessageId)).toHaveLength(1);
  });

  it('hands over at its next start the events of a mail it kept before a kill stopped their hand-over, and only once', async () => {
    const storeFile = join(mkdtempSync(join(tmpdir(), 'backline-ses-')), 'sent-mail.jsonl');
    // The bus never journals these events: the process "dies" right after the mail was written.
    const killed = await startLocalSes({
      port: 0,
      publish: () => {
        throw new Error('killed before the bus journalled the events');
      },
      faults: new Faults(),
      storeFile,
    });
    await createConfigurationSet(clientOf(killed.url));
    const address = anAddress('killed');
    await expect(clientOf(killed.url, 1).send(aSimpleSend([address]))).rejects.toThrow();
    const kept = (await storedMail(killed.url)).find((mail) => mail.destination.to.includes(address));
    await killed.stop();

    const handedOver: SesEvent[] = [];
    const restarted = await startLocalSes({
      port: 0,
      publish: async (published) => {
        handedOver.push(...published);
      },
      faults: new Faults(),
      storeFile,
    });
    const first = restarted.resume();
    await restarted.stop();
    const again = await startLocalSes({ port: 0, publish: async () => {}, faults: new Faults(), storeFile });
    const second = again.resume();
    await again.stop();

    expect(first).toBe(1);
    expect(handedOver.map((event) => [event.detailType, mailOf(event).messageId])).toEqual([
      ['Email Sent', kept?.messageId],
      ['Email Delivered', kept?.messageId],
    ]);
    expect(second).toBe(0);
  });

  it('rejects start-up when the public port is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      await expect(startLocalSes({ port, publish: async () => {}, faults: new Faults() })).rejects.toThrow(
        `cannot listen on port ${port}: it is taken`,
      );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
