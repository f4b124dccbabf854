/**
 * The tour mails' templates, each named where tours sends it: every notice (operational), and the press
 * for a tour's shows, a notice on the campaign stream with its calendar attached. Constants of their own,
 * so the tours bundle holds these two names and not the release mails' (see docs/design.md#bundles).
 */
export const noticeTemplateName = 'notice';
export const tourPressTemplateName = 'tour-press';

/**
 * Mail template names, by the key senders use (the release mails by their mail kind). Apart from the
 * templates themselves (templates.ts), which only their creation needs (CDK, the local cloud): a
 * sender names its template and SES renders it (see docs/design.md#bundles). In SES each name carries
 * the stack's prefix (`SES_TEMPLATE_PREFIX`, `backline-<stage>-` on AWS), since SES template names are
 * one namespace per account and region, which two stages share.
 */
export const templateNames = {
  announcement: 'release-announcement',
  'date-change': 'release-date-change',
  cancellation: 'release-cancellation',
  'out-now': 'release-out-now',
  'radio-servicing': 'radio-servicing',
  'radio-add-date-change': 'radio-add-date-change',
  notice: noticeTemplateName,
  'tour-press': tourPressTemplateName,
} as const;

/** The budget mails (operational stream): an alert, and the owner's daily report (budget-templates.ts). */
export const budgetTemplateNames = {
  alert: 'budget-alert',
  report: 'budget-report',
} as const;
