import { GetAccountCommand, type SESv2Client, SendBulkEmailCommand } from '@aws-sdk/client-sesv2';
import { dynamo, eventBridge, ses } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import {
  claimDelivery,
  getDeliveries,
  markDeliveryFailed,
  markDeliverySent,
  reclaimStaleDelivery,
  releaseDeliveryClaim,
  staleClaims,
} from '#shared/db/deliveries.ts';
import { dynamoOutletDirectory } from '#shared/db/outlets.ts';
import { dynamoReleases } from '#shared/db/releases.ts';
import {
  type Bucket,
  readBucket,
  replaceBucket,
  type StoredBucket,
  takeTokens,
} from '#shared/db/send-rate.ts';
import { publishEvents } from '#shared/events/publish.ts';
import { deliveryTag } from '#shared/events/ses.ts';
import { assetLabel, unsubscribeHeaders } from '#shared/mail/data.ts';
import { templateNames } from '#shared/mail/templates.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import { promoExpiry, promoToken, promoUrl, unsubscribeToken, unsubscribeUrl } from '#shared/tokens.ts';
import {
  type AnnouncerDeps,
  type DeliveryStore,
  defaultSettings,
  type Mailer,
  MailerError,
  type OutletReader,
  type RecipientLinks,
  type SendRate,
} from './ports.ts';

const throttlingErrors = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'SendingPausedException',
]);

export function classifySesError(error: unknown): MailerError {
  const name = (error as Error)?.name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const message = `SendBulkEmail failed: ${name}: ${(error as Error)?.message ?? String(error)}`;
  if (throttlingErrors.has(name) || status === 429)
    return new MailerError('throttled', message, { cause: error });
  if (status !== undefined && status >= 400 && status < 500)
    return new MailerError('refused', message, { cause: error });
  return new MailerError('unknown', message, { cause: error });
}

export function sesMailer(client: () => SESv2Client = ses): Mailer {
  return {
    async sendBulk(mail) {
      try {
        const result = await client().send(
          new SendBulkEmailCommand({
            FromEmailAddress: config().SENDER_ADDRESS,
            ConfigurationSetName: config().SES_CONFIGURATION_SET,
            DefaultContent: {
              Template: {
                TemplateName: templateNames[mail.kind],
                TemplateData: JSON.stringify(mail.defaultData),
              },
            },
            // SES v2: at most 50 destinations per SendBulkEmail (the caller chunks)
            BulkEmailEntries: mail.entries.map((entry) => ({
              Destination: { ToAddresses: [entry.email] },
              ReplacementEmailContent: {
                ReplacementTemplate: { ReplacementTemplateData: JSON.stringify(entry.data) },
              },
              ReplacementHeaders: unsubscribeHeaders(entry.unsubscribeUrl),
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

/** Where the shared bucket is kept: the table (shared/db/send-rate.ts); fakes in tests. */
export interface BucketStore {
  read(): Promise<StoredBucket>;
  replace(bucket: Bucket, expectedVersion: number | undefined): Promise<boolean>;
}

/**
 * How long one `acquire` may wait for the shared budget. Past it the sender gives its claims back
 * and the mailing continues through a new invocation (a `Mailing Requested` with a cursor), rather
 * than one invocation polling the table until its timeout (see docs/design.md#send-rate).
 */
export const maxSendRateWaitMs = 30_000;
// Between reads of a bucket that did not grant: the refill time it names, and never less than this,
// doubling (capped) while it keeps refusing, so a sender that keeps losing backs off.
const firstPollPauseMs = 50;
const maxPollPauseMs = 5_000;

/** The shared token bucket in the table, refilled at the account's rate. */
export function tableSendRate(
  options: {
    rate?: () => Promise<number>;
    bucket?: BucketStore;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
    maxWaitMs?: number;
  } = {},
): SendRate {
  const rate = options.rate ?? (() => accountSendRate());
  const bucket = options.bucket ?? { read: readBucket, replace: replaceBucket };
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxWaitMs = options.maxWaitMs ?? maxSendRateWaitMs;
  return {
    recipientsPerCall: async () => Math.max(1, Math.floor(await rate())),
    async acquire(count, deadline) {
      const giveUpAt = Math.min(deadline, now() + maxWaitMs);
      for (let refusals = 0; ; refusals++) {
        const perSecond = await rate();
        const stored = await bucket.read();
        const at = now();
        const take = takeTokens(stored.bucket, at, count, perSecond, Math.max(1, perSecond));
        // Another sender spent them first: the same backoff as a refusal.
        if (take.granted && (await bucket.replace(take.bucket, stored.version))) return true;
        if (!take.granted && take.restamped) await bucket.replace(take.restamped, stored.version);
        const backoff = Math.min(maxPollPauseMs, firstPollPauseMs * 2 ** refusals);
        const pause = Math.max(take.granted ? 0 : take.waitMs, backoff) * (1 + Math.random() * 0.1);
        if (at + pause > giveUpAt) return false;
        await sleep(pause);
      }
    },
  };
}

export function outletReader(): OutletReader {
  let built: ReturnType<typeof dynamoOutletDirectory> | undefined;
  const directory = () => {
    built ??= dynamoOutletDirectory();
    return built;
  };
  return {
    async page(cursor, limit) {
      const page = await directory().list({ limit, ...(cursor ? { cursor } : {}) });
      return { outlets: page.outlets, ...(page.nextCursor ? { next: page.nextCursor } : {}) };
    },
    getMany: (outletIds) => directory().getMany(outletIds),
  };
}

export const deliveryStore = (): DeliveryStore => ({
  claim: claimDelivery,
  markSent: markDeliverySent,
  release: releaseDeliveryClaim,
  markFailed: markDeliveryFailed,
  getMany: getDeliveries,
  stale: staleClaims,
  reclaim: reclaimStaleDelivery,
});

/** Personal links: the signed one-click unsubscribe link and one promo link per asset. */
export const signedLinks = (): RecipientLinks => ({
  async forRecipient(outlet, release, sentAt) {
    const baseUrl = config().PUBLIC_BASE_URL;
    const unsubscribe = unsubscribeUrl(
      baseUrl,
      await unsubscribeToken({
        outletId: outlet.id,
        labelId: release.labelId,
        releaseId: release.releaseId,
        email: normaliseEmail(outlet.email),
      }),
    );
    const assets = release.details?.promoAssets ?? [];
    const promoLinks = await Promise.all(
      assets.map(async (asset, index) => ({
        label: assetLabel(asset.kind, index),
        url: promoUrl(
          baseUrl,
          await promoToken({
            labelId: release.labelId,
            releaseId: release.releaseId,
            outletId: outlet.id,
            assetIndex: index,
            assetKind: asset.kind,
            url: asset.url,
            ...(asset.expiresInDays ? { expiresAt: promoExpiry(sentAt, asset.expiresInDays) } : {}),
            ...(asset.maxAccesses ? { maxAccesses: asset.maxAccesses } : {}),
          }),
        ),
      })),
    );
    return { unsubscribeUrl: unsubscribe, promoLinks };
  },
});

export const liveDeps = (): AnnouncerDeps => ({
  releases: dynamoReleases(dynamo(), config().TABLE_NAME),
  outlets: outletReader(),
  deliveries: deliveryStore(),
  mailer: sesMailer(),
  sendRate: tableSendRate(),
  links: signedLinks(),
  events: { publish: (events) => publishEvents(eventBridge(), config().EVENT_BUS_NAME, events) },
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  settings: defaultSettings,
});
