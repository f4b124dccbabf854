/**
 * AWS list prices the capacity model (docs/capacity.md) uses: us-east-1, on-demand,
 * no free tier, in US dollars. Prices change: `asOf` says when these were taken from the AWS pricing
 * pages named in `sources`; update the numbers and the date together.
 */
export const prices = {
  asOf: '2025-06-01',
  region: 'us-east-1',
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/eventbridge/pricing/',
    'https://aws.amazon.com/ses/pricing/',
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/kms/pricing/',
    'https://aws.amazon.com/secrets-manager/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
  ],
  lambda: {
    perMillionRequests: 0.2,
    /** arm64 (Graviton), first 7.5 billion GB-seconds a month. */
    perGbSecond: 0.0000133334,
  },
  dynamodb: {
    /** On-demand, since the price cut of 2024-11-01. */
    perMillionWriteUnits: 0.625,
    perMillionReadUnits: 0.125,
    perGbMonth: 0.25,
  },
  eventbridge: {
    /** Custom events put on a bus (64 KB chunks); events from AWS services such as SES are free. */
    perMillionEvents: 1.0,
    /** EventBridge Scheduler invocations. */
    perMillionScheduledInvocations: 1.0,
  },
  ses: { perThousandMails: 0.1 },
  sqs: {
    /** Standard queues, per request (64 KB chunks), including the event source mapping's receives and deletes. */
    perMillionRequests: 0.4,
  },
  apiGateway: { perMillionHttpApiRequests: 1.0 },
  kms: {
    perTenThousandRequests: 0.03,
    /** Each customer managed key, a month (prorated by the hour). */
    perKeyMonth: 1.0,
  },
  secretsManager: {
    /** Each secret stored, a month (prorated by the hour). */
    perSecretMonth: 0.4,
  },
  cloudwatch: {
    /** Each standard-resolution alarm metric, a month. */
    perAlarmMonth: 0.1,
  },
} as const;
