import { GetAccountCommand, type SESv2Client, SendBulkEmailCommand } from '@aws-sdk/client-sesv2';
import { dynamo, ses } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { deliveryTag, dynamoMailClaims } from '#shared/db/deliveries.ts';
import {
  type BucketStore,
  dynamoSendRateBucket,
  type StoredBucket,
  takeTokens,
} from '#shared/db/send-rate.ts';
import { dynamoSuppressionList } from '#shared/db/suppression-list.ts';
import { measureFor } from '#shared/lambda/metrics.ts';
import { templateDataJson, unsubscribeHeaders } from './data.ts';
import {
  configurationSetVariable,
  defaultMailSettings,
  type MailAttachment,
  type MailDeps,
  type Mailer,
  MailerError,
  type SendRate,
} from './ports.ts';

// LimitExceededException is SES v2's "too many instances of the specified resource type": no pause, and
// waited on as it was before pauses were told apart.
const throttlingErrors = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
]);
// Sending paused for the account (HTTP 400), or its daily quota spent (a throttling error saying "Daily
// message quota exceeded", whatever its name): SES sends nothing for hours.
const pausedErrors = new Set(['SendingPausedException']);

export function classifySesError(error: unknown): MailerError {
  const name = (error as Error)?.name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const message = `SendBulkEmail failed: ${name}: ${(error as Error)?.message ?? String(error)}`;
  if (pausedErrors.has(name) || /daily message quota/i.test(message))
    return new MailerError('paused', message, { cause: error });
  if (throttlingErrors.has(name) || status === 429)
    return new MailerError('throttled', message, { cause: error });
  if (status !== undefined && status >= 400 && status < 500)
    return new MailerError('refused', message, { cause: error });
  return new MailerError('unknown', message, { cause: error });
}

// SES writes an attachment 7bit unless told otherwise, its octets as they are: a calendar naming Sigur
// Rós holds UTF-8, which a 7bit part may not (RFC 2045 2.7), so every attachment goes base64.
const sesAttachments = (attachments: MailAttachment[] | undefined) =>
  attachments?.map((attachment) => ({
    FileName: attachment.fileName,
    ContentType: attachment.contentType,
    ContentTransferEncoding: 'BASE64' as const,
    RawContent:
      typeof attachment.content === 'string'
        ? new TextEncoder().encode(attachment.content)
        : attachment.content,
  }));

export function sesMailer(client: () => SESv2Client = ses): Mailer {
  return {
    async sendBulk(mail) {
      const attachments = sesAttachments(mail.attachments);
      try {
        const result = await client().send(
          new SendBulkEmailCommand({
            FromEmailAddress: config().SENDER_ADDRESS,
            // Each stream has its own configuration set (see docs/design.md#two-mail-streams).
            ConfigurationSetName: config()[configurationSetVariable[mail.stream]],
            DefaultContent: {
              Template: {
                TemplateName: `${config().SES_TEMPLATE_PREFIX}${mail.template}`,
                TemplateData: templateDataJson(mail.defaultData),
                ...(attachments ? { Attachments: attachments } : {}),
              },
            },
            // SES v2: at most 50 destinations per SendBulkEmail (the caller chunks)
            BulkEmailEntries: mail.entries.map((entry) => ({
              Destination: { ToAddresses: [entry.email] },
              ReplacementEmailContent: {
                ReplacementTemplate: { ReplacementTemplateData: templateDataJson(entry.data) },
              },
              ...(entry.unsubscribeUrl
                ? { ReplacementHeaders: unsubscribeHeaders(entry.unsubscribeUrl) }
                : {}),
              ReplacementTags: [{ Name: deliveryTag, Value: entry.deliveryId }],
            })),
          }),
        );
        return (result.BulkEmailEntryResults ?? []).map((entry) => ({
          status: entry.Status ?? 'FAILED',
          ...(entry.MessageId ? { messageId: entry.MessageId } : {}),
          ...(entry.Error ? { error: entry.Error } : {}),
        }));
      } catch (error) {
        throw classifySesError(error);
      }
    },
  };
}

/** The account's send rate from GetAccount, cached for five minutes per container. */
const rateCacheMs = 5 * 60_000;
let cachedRate: { perSecond: number; at: number } | undefined;

export async function accountSendRate(client: () => SESv2Client = ses): Promise<number> {
  if (cachedRate && Date.now() - cachedRate.at < rateCacheMs) return cachedRate.perSecond;
  const account = await client().send(new GetAccountCommand({}));
  const perSecond = account.SendQuota?.MaxSendRate;
  if (!perSecond || perSecond <= 0) throw new Error('SES GetAccount reported no MaxSendRate');
  cachedRate = { perSecond, at: Date.now() };
  return perSecond;
}

/**
 * How long one `acquire` may wait for the shared budget. Past it the sender gives its claims back
 * and continues through a new invocation (a mailing's `Mailing Requested` with a cursor), rather
 * than one invocation polling the table until its timeout (see docs/design.md#send-rate).
 */
export const maxSendRateWaitMs = 30_000;
// Between reads of a bucket that did not grant: the refill time it names, and never less than this,
// doubling (capped) while it keeps refusing, so a sender that keeps losing backs off.
const firstPollPauseMs = 50;
const maxPollPauseMs = 5_000;

/** The shared token bucket in the table, refilled at the account's rate: one budget for every sender. */
export function tableSendRate(options: {
  bucket: BucketStore;
  rate?: () => Promise<number>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  maxWaitMs?: number;
}): SendRate {
  const rate = options.rate ?? (() => accountSendRate());
  const bucket = options.bucket;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxWaitMs = options.maxWaitMs ?? maxSendRateWaitMs;
  // The bucket as this sender last stored it: while no other sender changes it, the next acquire
  // replaces it without reading it first (the replace's condition finds out when another did).
  let known: StoredBucket | undefined;
  return {
    recipientsPerSecond: async () => Math.max(1, Math.floor(await rate())),
    async acquire(count, deadline) {
      const giveUpAt = Math.min(deadline, now() + maxWaitMs);
      for (let refusals = 0; ; refusals++) {
        const perSecond = await rate();
        const stored = known ?? (await bucket.read());
        known = undefined;
        const at = now();
        const take = takeTokens(stored.bucket, at, count, perSecond, Math.max(1, perSecond));
        // Another sender spent them first: the same backoff as a refusal.
        if (take.granted) {
          known = await bucket.replace(take.bucket, stored.version);
          if (known) return true;
        }
        if (!take.granted) {
          // Refused: what was read still stands, unless another sender changes it meanwhile.
          known = take.restamped ? await bucket.replace(take.restamped, stored.version) : stored;
        }
        const backoff = Math.min(maxPollPauseMs, firstPollPauseMs * 2 ** refusals);
        const pause = Math.max(take.granted ? 0 : take.waitMs, backoff) * (1 + Math.random() * 0.1);
        if (at + pause > giveUpAt) return false;
        await sleep(pause);
      }
    },
  };
}

/** The mail module wired to DynamoDB and SES, for the sending function `service` with this timeout. */
export const liveMailDeps = (service: string, senderTimeoutSeconds: number): MailDeps => {
  const table = config().TABLE_NAME;
  return {
    deliveries: dynamoMailClaims(dynamo(), table),
    suppressions: dynamoSuppressionList(dynamo(), table),
    mailer: sesMailer(),
    sendRate: tableSendRate({ bucket: dynamoSendRateBucket(dynamo(), table) }),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    settings: defaultMailSettings(senderTimeoutSeconds),
    measure: measureFor(service),
    source: `backline.${service}`,
  };
};
