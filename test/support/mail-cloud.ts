import { SESv2Client } from '@aws-sdk/client-sesv2';
import { dynamoDeliveries } from '#shared/db/deliveries.ts';
import { dynamoSendRateBucket } from '#shared/db/send-rate.ts';
import { dynamoSuppressionList } from '#shared/db/suppression-list.ts';
import { noMeasure } from '#shared/lambda/metrics.ts';
import { noticeTemplateData } from '#shared/mail/data.ts';
import { defaultMailSettings, type MailDeps } from '#shared/mail/ports.ts';
import { accountSendRate, sesMailer, tableSendRate } from '#shared/mail/ses.ts';
import { templateNames } from '#shared/mail/templates.ts';
import { cloud, documentClient, sdkConfig } from './cloud.ts';

/**
 * The mail module wired as a sending function has it (shared/mail/ses.ts `liveMailDeps`), against
 * the test run's local cloud: its table, its SES front (with the SDK's retries off, as in shared/clients.ts).
 */
export function localMailDeps(): MailDeps {
  const ses = new SESv2Client({ ...sdkConfig('ses'), maxAttempts: 1 });
  const table = cloud().tableName;
  return {
    deliveries: dynamoDeliveries(documentClient(), table),
    suppressions: dynamoSuppressionList(documentClient(), table),
    mailer: sesMailer(() => ses),
    sendRate: tableSendRate({
      bucket: dynamoSendRateBucket(documentClient(), table),
      rate: () => accountSendRate(() => ses),
    }),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    settings: defaultMailSettings(300),
    measure: noMeasure,
    source: 'backline.tours',
  };
}

/** The data of an operational `notice` mail. */
export const aNotice = (heading: string, lines: string[] = ['Doors at 19:00.']) => ({
  template: templateNames.notice,
  data: noticeTemplateData({ subject: heading, heading, lines }),
});
