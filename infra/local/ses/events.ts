import { sesDetailTypes } from '#shared/events/ses.ts';
import type { EventType } from './configuration-sets.ts';
import type { SimpleMail } from './emulator.ts';

/**
 * The events a configuration set publishes for one accepted message, shaped as SES puts them
 * on the default bus (SES developer guide, "Monitoring SES events using Amazon EventBridge"
 * and "Contents of event data"): detail-type `Email Sent` etc., `resources` = the
 * configuration set's ARN, `detail` = `{ eventType, mail, send | delivery | bounce | complaint }`.
 * Outcomes follow the SES mailbox simulator; any other address is delivered, and an address on
 * the account's suppression list bounces with sub-type `OnAccountSuppressionList`.
 */

/** The detail-types of the configuration-set events SES puts on the bus (the contract's list). */
export { sesDetailTypes };

export type SesDetailType = (typeof sesDetailTypes)[number];

export interface SesEvent {
  source: 'aws.ses';
  detailType: SesDetailType;
  detail: unknown;
  resources: string[];
  time: string;
}

export interface AcceptedMessage
  extends Pick<SimpleMail, 'from' | 'replyTo' | 'to' | 'cc' | 'bcc' | 'subject' | 'headers'> {
  messageId: string;
  /** When SES accepted it, in epoch milliseconds on the local cloud's clock. */
  acceptedAt: number;
  operation: 'SendEmail' | 'SendBulkEmail';
  configurationSet: string;
  contentType: string;
  /** Default tags merged with the message's own (SendBulkEmail: ReplacementTags win). */
  tags: Record<string, string>;
}

export interface Account {
  account: string;
  region: string;
  isSuppressed: (address: string) => boolean;
}

type Outcome = 'delivered' | 'bounced' | 'complained' | 'suppressed';

const SIMULATOR_DOMAIN = 'simulator.amazonses.com';
const REPORTING_MTA = 'a8-30.smtp-out.amazonses.com';
const SUPPRESSED_DIAGNOSTIC =
  'Amazon SES did not send the message to this address because it is on the suppression list for your account. ' +
  'For more information about removing addresses from the suppression list, see the Amazon SES Developer Guide at ' +
  'https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html';

/** What happens to mail for `address` (simulator addresses may carry a `+label`). */
export function outcomeFor(address: string, isSuppressed: (address: string) => boolean): Outcome {
  const [local = '', domain = ''] = bareAddress(address).toLowerCase().split('@');
  if (domain === SIMULATOR_DOMAIN) {
    switch (local.split('+')[0]) {
      case 'bounce':
        return 'bounced';
      case 'complaint':
        return 'complained';
      case 'suppressionlist':
        return 'suppressed';
    }
  }
  return isSuppressed(bareAddress(address)) ? 'suppressed' : 'delivered';
}

export function sesEvents(message: AcceptedMessage, account: Account, types: Set<EventType>): SesEvent[] {
  const recipients = [...message.to, ...message.cc, ...message.bcc];
  const mail = mailObject(message, account, recipients);
  const resources = [
    `arn:aws:ses:${account.region}:${account.account}:configuration-set/${message.configurationSet}`,
  ];
  const at = (offsetMs: number) => new Date(message.acceptedAt + offsetMs).toISOString();
  const event = (
    detailType: SesDetailType,
    eventType: string,
    key: string,
    body: unknown,
    offsetMs: number,
  ) => ({
    source: 'aws.ses' as const,
    detailType,
    resources,
    time: at(offsetMs).replace(/\.\d{3}Z$/, 'Z'),
    detail: { eventType, mail, [key]: body },
  });

  const events: SesEvent[] = [];
  if (types.has('SEND')) events.push(event('Email Sent', 'Send', 'send', {}, 0));
  for (const recipient of recipients) {
    const outcome = outcomeFor(recipient, account.isSuppressed);
    const emailAddress = bareAddress(recipient);
    if ((outcome === 'delivered' || outcome === 'complained') && types.has('DELIVERY')) {
      events.push(
        event(
          'Email Delivered',
          'Delivery',
          'delivery',
          {
            timestamp: at(800),
            processingTimeMillis: 800,
            recipients: [emailAddress],
            smtpResponse: '250 2.6.0 Message received',
            reportingMTA: REPORTING_MTA,
            remoteMtaIp: '127.0.0.1',
          },
          800,
        ),
      );
    }
    if ((outcome === 'bounced' || outcome === 'suppressed') && types.has('BOUNCE')) {
      const suppressed = outcome === 'suppressed';
      events.push(
        event(
          'Email Bounced',
          'Bounce',
          'bounce',
          {
            feedbackId: sesId(message.acceptedAt + 900),
            bounceType: 'Permanent',
            bounceSubType: suppressed ? 'OnAccountSuppressionList' : 'General',
            bouncedRecipients: [
              {
                emailAddress,
                action: 'failed',
                status: '5.1.1',
                diagnosticCode: suppressed ? SUPPRESSED_DIAGNOSTIC : 'smtp; 550 5.1.1 user unknown',
              },
            ],
            timestamp: at(900),
            reportingMTA: suppressed ? 'dns; amazonses.com' : `dsn; ${REPORTING_MTA}`,
          },
          900,
        ),
      );
    }
    if (outcome === 'complained' && types.has('COMPLAINT')) {
      events.push(
        event(
          'Email Complaint Received',
          'Complaint',
          'complaint',
          {
            feedbackId: sesId(message.acceptedAt + 1500),
            complaintSubType: null,
            complainedRecipients: [{ emailAddress }],
            timestamp: at(1500),
            userAgent: 'Amazon SES Mailbox Simulator',
            complaintFeedbackType: 'abuse',
            arrivalDate: at(1000),
          },
          1500,
        ),
      );
    }
  }
  return events;
}

function mailObject(message: AcceptedMessage, account: Account, recipients: string[]) {
  const fromDomain = bareAddress(message.from).split('@')[1] ?? '';
  const headers = [
    { name: 'From', value: message.from },
    ...(message.replyTo.length > 0 ? [{ name: 'Reply-To', value: message.replyTo.join(', ') }] : []),
    ...(message.to.length > 0 ? [{ name: 'To', value: message.to.join(', ') }] : []),
    ...(message.cc.length > 0 ? [{ name: 'Cc', value: message.cc.join(', ') }] : []),
    { name: 'Subject', value: message.subject },
    { name: 'MIME-Version', value: '1.0' },
    { name: 'Content-Type', value: message.contentType },
    ...message.headers.map((header) => ({ name: header.Name, value: header.Value })),
  ];
  const tags: Record<string, string[]> = {
    'ses:operation': [message.operation],
    'ses:configuration-set': [message.configurationSet],
    'ses:source-ip': ['127.0.0.1'],
    'ses:from-domain': [fromDomain],
    'ses:caller-identity': ['backline-local'],
  };
  for (const [name, value] of Object.entries(message.tags)) tags[name] = [value];
  return {
    timestamp: new Date(message.acceptedAt).toISOString(),
    source: message.from,
    sourceArn: `arn:aws:ses:${account.region}:${account.account}:identity/${fromDomain}`,
    sendingAccountId: account.account,
    messageId: message.messageId,
    destination: recipients,
    headersTruncated: false,
    headers,
    commonHeaders: {
      from: [message.from],
      ...(message.replyTo.length > 0 ? { replyTo: message.replyTo } : {}),
      ...(message.to.length > 0 ? { to: message.to } : {}),
      ...(message.cc.length > 0 ? { cc: message.cc } : {}),
      messageId: message.messageId,
      subject: message.subject,
    },
    tags,
  };
}

/** An SES-style id: region prefix, the time in hex, a UUID, `-000000`; never repeats. */
export function sesId(epochMs: number): string {
  return `0100${Math.floor(epochMs).toString(16).padStart(12, '0')}-${crypto.randomUUID()}-000000`;
}

/** `Name <a@b>` → `a@b`. */
export function bareAddress(address: string): string {
  const match = /<([^<>]+)>\s*$/.exec(address);
  return (match ? match[1] : address).trim();
}
