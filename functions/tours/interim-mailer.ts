import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ses } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { escapeHtml, unsubscribeHeaders } from '#shared/mail/data.ts';
import { unsubscribeToken, unsubscribeUrl } from '#shared/tokens.ts';
import type { TourMailer } from './ports.ts';

/** Interim: sends without claims until the shared mail module lands (replaced on rebase). */
export const interimMailer = (): TourMailer => ({
  async send(mail) {
    const unsubscribe =
      mail.stream === 'campaign' && mail.outletId
        ? unsubscribeUrl(
            config().PUBLIC_BASE_URL,
            await unsubscribeToken({ outletId: mail.outletId, email: mail.to.email, labelId: mail.labelId }),
          )
        : undefined;
    const data = unsubscribe
      ? {
          text: { ...(mail.data.text as object), unsubscribeUrl: unsubscribe },
          html: { ...(mail.data.html as object), unsubscribeUrl: escapeHtml(unsubscribe) },
        }
      : mail.data;
    await ses().send(
      new SendEmailCommand({
        FromEmailAddress: config().SENDER_ADDRESS,
        Destination: { ToAddresses: [mail.to.email] },
        ConfigurationSetName: config().SES_CONFIGURATION_SET,
        Content: {
          Template: {
            TemplateName: mail.template,
            TemplateData: JSON.stringify(data),
            ...(unsubscribe ? { Headers: unsubscribeHeaders(unsubscribe) } : {}),
            ...(mail.attachments
              ? {
                  Attachments: mail.attachments.map((a) => ({
                    FileName: a.fileName,
                    ContentType: a.contentType,
                    RawContent: Buffer.from(a.content),
                  })),
                }
              : {}),
          },
        },
      }),
    );
    return 'sent';
  },
});
