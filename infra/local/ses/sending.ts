import * as z from '#shared/zod.ts';
import type { Faults } from '../faults.ts';
import type { ConfigurationSets } from './configuration-sets.ts';
import type { Emulator, SimpleMail, StoredEmail } from './emulator.ts';
import {
  type AcceptedMessage,
  type Account,
  bareAddress,
  type SesEvent,
  sesEvents,
  sesId,
} from './events.ts';
import {
  badRequest,
  internalFailure,
  parseRequest,
  type Route,
  sendingPaused,
  sendingRateExceeded,
} from './http.ts';
import type { SendRate } from './send-rate.ts';
import { compileTemplate, type EmailTemplates, mergeTemplateData, parseTemplateData } from './templates.ts';

/**
 * SendEmail and SendBulkEmail as SES answers them: validated (at most 50 destinations),
 * throttled at the account's rate, rendered here, stored in the emulator one message per
 * recipient entry under an SES-style id, and followed by the configuration set's events.
 */

// SES v2: at most 50 destinations per SendBulkEmail and 50 recipients per message.
const MAX_DESTINATIONS = 50;
// SES v2: a template's data (TemplateData, an entry's ReplacementTemplateData) is at most this many
// characters; longer, the whole call is refused as invalid, and nothing is sent.
const MAX_TEMPLATE_DATA = 262_144;
const TemplateData = z
  .string()
  .check(
    z.maxLength(
      MAX_TEMPLATE_DATA,
      `failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_DATA}`,
    ),
  );

// SES v2's MessageHeader: a name of 1 to 126 printable ASCII characters but a colon, a value of 1 to 870
// printable ASCII characters (a List-Unsubscribe URL past it); else the whole call is refused as invalid.
const Header = z.object({
  Name: z
    .string()
    .check(
      z.regex(
        /^[!-9;-~]{1,126}$/,
        'failed to satisfy constraint: Member must satisfy regular expression pattern: ^[!-9;-@A-~]+$',
      ),
    ),
  Value: z
    .string()
    .check(
      z.minLength(1, 'failed to satisfy constraint: Member must have length greater than or equal to 1'),
      z.maxLength(870, 'failed to satisfy constraint: Member must have length less than or equal to 870'),
      z.regex(
        /^[ -~]*$/,
        'failed to satisfy constraint: Member must satisfy regular expression pattern: [ -~]*',
      ),
    ),
});
const Tag = z.object({ Name: z.string(), Value: z.string() });
const Destination = z.object({
  ToAddresses: z.optional(z.array(z.string())),
  CcAddresses: z.optional(z.array(z.string())),
  BccAddresses: z.optional(z.array(z.string())),
});
const Body = z.object({ Data: z.string(), Charset: z.optional(z.string()) });
const Attachment = z.looseObject({ FileName: z.string(), RawContent: z.string() });
const TemplateReference = z.object({
  TemplateName: z.optional(z.string()),
  TemplateArn: z.optional(z.string()),
  TemplateContent: z.optional(
    z.object({ Subject: z.optional(z.string()), Html: z.optional(z.string()), Text: z.optional(z.string()) }),
  ),
  TemplateData: z.optional(TemplateData),
  Headers: z.optional(z.array(Header)),
  Attachments: z.optional(z.array(Attachment)),
});
const Sender = {
  FromEmailAddress: z.optional(z.string()),
  ReplyToAddresses: z.optional(z.array(z.string())),
  ConfigurationSetName: z.optional(z.string()),
};

const SendEmailRequest = z.object({
  ...Sender,
  Destination: z.optional(Destination),
  EmailTags: z.optional(z.array(Tag)),
  Content: z.object({
    Simple: z.optional(
      z.object({
        Subject: Body,
        Body: z.object({ Html: z.optional(Body), Text: z.optional(Body) }),
        Headers: z.optional(z.array(Header)),
        Attachments: z.optional(z.array(Attachment)),
      }),
    ),
    Raw: z.optional(z.object({ Data: z.string() })),
    Template: z.optional(TemplateReference),
  }),
});

const SendBulkEmailRequest = z.object({
  ...Sender,
  DefaultEmailTags: z.optional(z.array(Tag)),
  DefaultContent: z.object({ Template: TemplateReference }),
  BulkEmailEntries: z
    .array(
      z.object({
        Destination: Destination,
        ReplacementTags: z.optional(z.array(Tag)),
        ReplacementEmailContent: z.optional(
          z.object({
            ReplacementTemplate: z.optional(z.object({ ReplacementTemplateData: z.optional(TemplateData) })),
          }),
        ),
        ReplacementHeaders: z.optional(z.array(Header)),
      }),
    )
    .check(z.minLength(1)),
});

type Recipients = Pick<SimpleMail, 'to' | 'cc' | 'bcc'>;
/** An accepted mail, stored, with its recipients' domains (which the SES faults may be aimed at). */
type StoredMessage = AcceptedMessage & { stored: StoredEmail; domains: string[] };
type BulkEntryResult = { Status: 'SUCCESS'; MessageId: string } | { Status: string; Error: string };

export interface SendingDeps {
  emulator: Emulator;
  templates: EmailTemplates;
  configurationSets: ConfigurationSets;
  sendRate: SendRate;
  faults: Faults;
  account: Account;
  now: () => number;
  publish: (events: SesEvent[]) => Promise<void>;
}

export class Sending {
  readonly #deps: SendingDeps;
  #publishing: Promise<void> = Promise.resolve();

  constructor(deps: SendingDeps) {
    this.#deps = deps;
  }

  routes(): Route[] {
    return [
      { method: 'POST', path: /^\/v2\/email\/outbound-emails$/, handle: ({ body }) => this.#sendEmail(body) },
      {
        method: 'POST',
        path: /^\/v2\/email\/outbound-bulk-emails$/,
        handle: ({ body }) => this.#sendBulkEmail(body),
      },
      { method: 'GET', path: /^\/v2\/email\/account$/, handle: () => this.#account() },
    ];
  }

  /** Resolves once every event published so far has been handed to `publish`. */
  settled(): Promise<void> {
    return this.#publishing;
  }

  async #sendEmail(body: unknown) {
    this.#refuseByFault();
    const request = parseRequest(SendEmailRequest, body);
    const configurationSet = this.#configurationSet(request.ConfigurationSetName);
    const tags = tagsOf(request.EmailTags);
    const { Simple, Raw, Template } = request.Content;

    if (Raw) return this.#sendRaw(Raw.Data, request.Destination, configurationSet, tags);

    const from = requireFrom(request.FromEmailAddress);
    const recipients = recipientsOf(request.Destination);
    let content: { subject: string; html?: string; text?: string };
    let headers: SimpleMail['headers'];
    let attachments: unknown[] | undefined;
    if (Simple) {
      content = { subject: Simple.Subject.Data, html: Simple.Body.Html?.Data, text: Simple.Body.Text?.Data };
      if (content.html === undefined && content.text === undefined) {
        throw badRequest('Simple content must have an HTML or a text body.');
      }
      headers = Simple.Headers ?? [];
      attachments = Simple.Attachments;
    } else if (Template) {
      content = compileTemplate(this.#deps.templates.resolve(Template))(
        parseTemplateData(Template.TemplateData),
      );
      headers = Template.Headers ?? [];
      attachments = Template.Attachments;
    } else {
      throw badRequest('Content must have one of Simple, Raw or Template.');
    }

    this.#throttle(count(recipients));
    const mail: SimpleMail = {
      from,
      replyTo: request.ReplyToAddresses ?? [],
      ...recipients,
      ...content,
      headers,
    };
    if (attachments) mail.attachments = attachments;
    const message = await this.#store(
      mail,
      'SendEmail',
      configurationSet,
      tags,
      recipientDomains(recipients),
    );
    this.#accepted(message);
    return { MessageId: message.messageId };
  }

  async #sendRaw(
    rawBase64: string,
    destination: z.infer<typeof Destination> | undefined,
    configurationSet: string | undefined,
    tags: Record<string, string>,
  ) {
    const declared = destination ? recipientsOf(destination) : recipientsOfRaw(rawBase64);
    this.#throttle(count(declared));
    const messageId = sesId(this.#deps.now());
    const stored = await this.#deps.emulator.storeRaw(rawBase64, destination, messageId);
    this.#deps.sendRate.recordSent(count(declared));
    const message = this.#acceptedMessage(messageId, 'SendEmail', configurationSet, tags, {
      from: stored.from,
      replyTo: stored.replyTo,
      ...declared,
      subject: stored.subject,
      html: stored.body.html,
      text: stored.body.text,
      headers: [],
    });
    this.#accepted({ ...message, stored, domains: recipientDomains(declared) });
    return { MessageId: messageId };
  }

  async #sendBulkEmail(body: unknown) {
    this.#refuseByFault();
    const request = parseRequest(SendBulkEmailRequest, body);
    if (request.BulkEmailEntries.length > MAX_DESTINATIONS) {
      throw badRequest(
        `Too many destinations: SendBulkEmail takes at most ${MAX_DESTINATIONS} BulkEmailEntries, got ${request.BulkEmailEntries.length}.`,
      );
    }
    const from = requireFrom(request.FromEmailAddress);
    const configurationSet = this.#configurationSet(request.ConfigurationSetName);
    const defaultTags = tagsOf(request.DefaultEmailTags);
    const template = request.DefaultContent.Template;
    const render = compileTemplate(this.#deps.templates.resolve(template));
    const defaultData = parseTemplateData(template.TemplateData);
    const defaultHeaders = template.Headers ?? [];

    // Every entry is checked and rendered before anything is sent: a refused call sends nothing.
    const prepared = request.BulkEmailEntries.map(
      (entry): (SimpleMail & { tags: Record<string, string>; domains: string[] }) | BulkEntryResult => {
        const tags = { ...defaultTags, ...tagsOf(entry.ReplacementTags) };
        let recipients: Recipients;
        let data: Record<string, unknown>;
        try {
          recipients = recipientsOf(entry.Destination);
          data = parseTemplateData(
            entry.ReplacementEmailContent?.ReplacementTemplate?.ReplacementTemplateData,
            'ReplacementTemplateData',
          );
        } catch (error) {
          return { Status: 'INVALID_PARAMETER', Error: (error as Error).message };
        }
        const domains = recipientDomains(recipients);
        if (this.#deps.faults.takeFor('ses.reject-entry', template.TemplateName ?? '', ...domains))
          return { Status: 'MESSAGE_REJECTED', Error: 'Message rejected (the ses.reject-entry fault)' };
        const replaced = new Set((entry.ReplacementHeaders ?? []).map((header) => header.Name.toLowerCase()));
        const headers = [
          ...defaultHeaders.filter((header) => !replaced.has(header.Name.toLowerCase())),
          ...(entry.ReplacementHeaders ?? []),
        ];
        const content = render(mergeTemplateData(defaultData, data));
        const mail: SimpleMail = {
          from,
          replyTo: request.ReplyToAddresses ?? [],
          ...recipients,
          ...content,
          headers,
        };
        if (template.Attachments) mail.attachments = template.Attachments;
        return { ...mail, tags, domains };
      },
    );

    this.#throttle(prepared.reduce((total, entry) => total + ('Status' in entry ? 0 : count(entry)), 0));
    const results: BulkEntryResult[] = [];
    const accepted: StoredMessage[] = [];
    for (const entry of prepared) {
      if ('Status' in entry) {
        results.push(entry);
        continue;
      }
      const { tags, domains, ...mail } = entry;
      const message = await this.#store(mail, 'SendBulkEmail', configurationSet, tags, domains);
      // Each stored mail is kept and its events handed over at once, not after the whole call.
      this.#keepAndHandOver(message);
      accepted.push(message);
      results.push({ Status: 'SUCCESS', MessageId: message.messageId });
    }
    this.#deps.emulator.handedOver(accepted.map((message) => message.messageId));
    this.#failAfterAccepting(accepted);
    return { BulkEmailEntryResults: results };
  }

  #account() {
    const rate = this.#deps.sendRate.maxSendRate;
    return {
      DedicatedIpAutoWarmupEnabled: false,
      EnforcementStatus: 'HEALTHY',
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: {
        // Unset rate: unthrottled, reported as a rate no sender will reach.
        Max24HourSend: rate === undefined ? 1_000_000_000 : rate * 86_400,
        MaxSendRate: rate ?? 1_000_000,
        SentLast24Hours: this.#deps.sendRate.sentLast24Hours(),
      },
      SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      Details: {
        MailType: 'MARKETING',
        WebsiteURL: 'http://localhost',
        ContactLanguage: 'EN',
        UseCaseDescription: 'Backline local cloud',
        AdditionalContactEmailAddresses: [],
        ReviewDetails: { Status: 'GRANTED', CaseId: 'local' },
      },
      VdmAttributes: { VdmEnabled: 'DISABLED' },
    };
  }

  #configurationSet(name: string | undefined): string | undefined {
    if (name !== undefined) this.#deps.configurationSets.require(name);
    return name;
  }

  /** The faults that refuse a send before SES accepts it: nothing is stored, no event is published. */
  #refuseByFault(): void {
    if (this.#deps.faults.take('ses.paused')) throw sendingPaused();
    if (this.#deps.faults.take('ses.throttle')) throw sendingRateExceeded();
    if (this.#deps.faults.take('ses.error')) throw internalFailure();
  }

  #throttle(recipients: number): void {
    if (!this.#deps.sendRate.tryTake(recipients)) throw sendingRateExceeded();
  }

  async #store(
    mail: SimpleMail,
    operation: AcceptedMessage['operation'],
    configurationSet: string | undefined,
    tags: Record<string, string>,
    domains: string[],
  ): Promise<StoredMessage> {
    const messageId = sesId(this.#deps.now());
    const stored = await this.#deps.emulator.store(mail, messageId);
    this.#deps.sendRate.recordSent(count(mail));
    return { ...this.#acceptedMessage(messageId, operation, configurationSet, tags, mail), stored, domains };
  }

  #acceptedMessage(
    messageId: string,
    operation: AcceptedMessage['operation'],
    configurationSet: string | undefined,
    tags: Record<string, string>,
    mail: SimpleMail,
  ): AcceptedMessage {
    return {
      messageId,
      acceptedAt: this.#deps.now(),
      operation,
      configurationSet: configurationSet ?? '',
      from: mail.from,
      replyTo: mail.replyTo,
      to: mail.to,
      cc: mail.cc,
      bcc: mail.bcc,
      subject: mail.subject,
      contentType: contentTypeOf(mail),
      headers: mail.headers,
      tags,
    };
  }

  /**
   * After a send was accepted: its events go to the default bus once the answer is out
   * (SES publishes asynchronously, best effort: `ses.event-drop` loses one, and a put failed
   * by `events.put-fail:aws.ses` is tried again, up to 10 times in all, then lost); then the `ses.accept-then-fail`
   * fault may turn the answer into a 500, as if it had been lost on the way back.
   */
  #accepted(message: StoredMessage): void {
    this.#keepAndHandOver(message);
    this.#deps.emulator.handedOver([message.messageId]);
    this.#failAfterAccepting([message]);
  }

  /** `ses.accept-then-fail`, for every call or (`:domain`) for a call with a mail to that domain. */
  #failAfterAccepting(messages: StoredMessage[]): void {
    if (this.#deps.faults.takeFor('ses.accept-then-fail', ...messages.flatMap((message) => message.domains)))
      throw internalFailure();
  }

  /**
   * Writes the mail to the store file together with the events that survive the faults, then hands
   * them to the bus, which journals them at once (a crash after the answer loses no event) and
   * delivers them once the answer is out. The caller marks the hand-over afterwards; a kill before
   * that mark leaves the mail with its events, and `resume` hands them over at the next start (an
   * event handed over twice is delivered twice, which every consumer of SES's at-least-once events takes).
   */
  #keepAndHandOver(message: StoredMessage): void {
    const { stored, domains, ...accepted } = message;
    const events =
      accepted.configurationSet === ''
        ? []
        : this.#deps.configurationSets
            .eventBridgeDestinations(accepted.configurationSet)
            .flatMap((types) =>
              this.#survivingFaults(sesEvents(accepted, this.#deps.account, types), domains),
            );
    this.#deps.emulator.keep(stored, events);
    this.#handOver(events);
  }

  #handOver(events: SesEvent[]): void {
    if (events.length === 0) return;
    const handedOver = this.#deps.publish(events).catch((error: unknown) => {
      console.error('local SES: publishing events to the default bus failed', error);
    });
    this.#publishing = Promise.all([this.#publishing, handedOver]).then(() => undefined);
  }

  /**
   * At start, once the bus delivers: hands over the events of mails that a kill kept without marking
   * their hand-over. Returns how many mails that was.
   */
  resume(): number {
    const unhanded = this.#deps.emulator.unhandedEvents();
    for (const { events } of unhanded) this.#handOver(events);
    this.#deps.emulator.handedOver(unhanded.map(({ messageId }) => messageId));
    return unhanded.length;
  }

  /**
   * The events of one mail (to addresses at `domains`) that the event faults let through: each dropped,
   * or failed on every put attempt, is lost.
   */
  #survivingFaults(events: SesEvent[], domains: string[]): SesEvent[] {
    const { faults } = this.#deps;
    const surviving: SesEvent[] = [];
    for (const event of events) {
      const eventType = (event.detail as { eventType: string }).eventType;
      if (faults.takeFor('ses.event-drop', eventType, ...domains)) continue;
      let put = false;
      for (let attempt = 0; attempt < PUT_ATTEMPTS && !put; attempt++) {
        put = !faults.takeFor('events.put-fail', event.source);
      }
      if (put) surviving.push(event);
    }
    return surviving;
  }
}

/**
 * Attempts at putting one SES event on the bus under `events.put-fail` before it is lost. An AWS service
 * tries again when EventBridge fails its events ("Event delivery from AWS services", EventBridge user
 * guide); the loss of a best-effort event is `ses.event-drop`'s, so a failed put is lost only when it
 * fails every time (0.2 ** 10, about one event in ten million, under the chaos mix).
 */
const PUT_ATTEMPTS = 10;

/** The domains of a mail's recipients (lower case), which an SES fault may be aimed at. */
function recipientDomains(message: Recipients): string[] {
  return [...message.to, ...message.cc, ...message.bcc]
    .map(bareAddress)
    .map((address) => address.slice(address.lastIndexOf('@') + 1).toLowerCase());
}

function requireFrom(from: string | undefined): string {
  if (!from) throw badRequest('Missing FromEmailAddress.');
  checkAddress(from);
  return from;
}

function recipientsOf(destination: z.infer<typeof Destination> | undefined): Recipients {
  const recipients = {
    to: destination?.ToAddresses ?? [],
    cc: destination?.CcAddresses ?? [],
    bcc: destination?.BccAddresses ?? [],
  };
  const total = count(recipients);
  if (total === 0) throw badRequest('The message must have at least one recipient.');
  if (total > MAX_DESTINATIONS) {
    throw badRequest(`Too many recipients: a message takes at most ${MAX_DESTINATIONS}, got ${total}.`);
  }
  for (const address of [...recipients.to, ...recipients.cc, ...recipients.bcc]) checkAddress(address);
  return recipients;
}

/** The To, Cc and Bcc of a raw MIME message, when the call names no Destination. */
function recipientsOfRaw(rawBase64: string): Recipients {
  const head =
    Buffer.from(rawBase64, 'base64')
      .toString('utf8')
      .split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const field = (name: string) =>
    unfolded
      .split(/\r?\n/)
      .filter((line) => line.toLowerCase().startsWith(`${name}:`))
      .flatMap((line) => line.slice(name.length + 1).match(/[^\s<>,"]+@[^\s<>,"]+/g) ?? []);
  return recipientsOf({ ToAddresses: field('to'), CcAddresses: field('cc'), BccAddresses: field('bcc') });
}

function checkAddress(address: string): void {
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(bareAddress(address))) throw badRequest(`Illegal address: ${address}`);
}

function count(recipients: Recipients): number {
  return recipients.to.length + recipients.cc.length + recipients.bcc.length;
}

// SES v2 MessageTag: name and value only ASCII letters, digits, '_' and '-', at most 256 characters.
const TAG_TEXT = /^[A-Za-z0-9_-]{1,256}$/;

function tagsOf(tags: { Name: string; Value: string }[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (!TAG_TEXT.test(tag.Name)) {
      throw badRequest(
        `Invalid tag name <${tag.Name}>: only alphanumeric ASCII characters, '_' and '-' are allowed.`,
      );
    }
    if (!TAG_TEXT.test(tag.Value)) {
      throw badRequest(
        `Invalid tag value <${tag.Value}>: only alphanumeric ASCII characters, '_' and '-' are allowed.`,
      );
    }
    result[tag.Name] = tag.Value;
  }
  return result;
}

function contentTypeOf(mail: SimpleMail): string {
  if (mail.attachments && mail.attachments.length > 0) return `multipart/mixed; boundary="${boundary()}"`;
  if (mail.html !== undefined && mail.text !== undefined)
    return `multipart/alternative; boundary="${boundary()}"`;
  return mail.html !== undefined ? 'text/html; charset=UTF-8' : 'text/plain; charset=UTF-8';
}

function boundary(): string {
  return `----=_Part_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}
