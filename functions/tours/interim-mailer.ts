import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ses } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import type { TourMailer } from './ports.ts';

/** Interim: sends without claims until the shared mail module lands (replaced on rebase). */
export const interimMailer = (): TourMailer => ({
  async send(mail) {
    await ses().send(
      new SendEmailCommand({
        FromEmailAddress: config().SENDER_ADDRESS,
        Destination: { ToAddresses: [mail.to.email] },
        ConfigurationSetName: config().SES_CONFIGURATION_SET,
        Content: { Template: { TemplateName: mail.template, TemplateData: JSON.stringify(mail.data) } },
      }),
    );
    return 'sent';
  },
});
