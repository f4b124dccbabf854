import type { MailTemplate } from './stack.ts';

/**
 * The SES templates the stack creates (DESIGN Decision 14: defined once in shared/mail).
 *
 * PENDING shared/mail: until that module exports `mailTemplates`, no template is deployed and `ses:send`
 * is granted on the sender identities and the configuration set only. When it lands, this becomes
 * `export { mailTemplates as deployedMailTemplates } from '#shared/mail/index.ts';` (mapping its shape
 * to `MailTemplate` if it differs).
 */
export const deployedMailTemplates: readonly MailTemplate[] = [];
