/**
 * SES template names, by the key senders use (the release mails by their mail kind). Apart from the
 * templates themselves (templates.ts), which only their creation needs (CDK, the local cloud): a
 * sender names its template and SES renders it (see docs/design.md#bundles).
 */
export const templateNames = {
  announcement: 'backline-release-announcement',
  'date-change': 'backline-release-date-change',
  cancellation: 'backline-release-cancellation',
  'out-now': 'backline-release-out-now',
  'radio-servicing': 'backline-radio-servicing',
  'radio-add-date-change': 'backline-radio-add-date-change',
  notice: 'backline-notice',
  /** Press for a tour's shows: a notice on the campaign stream, with its calendar attached. */
  'tour-press': 'backline-tour-press',
} as const;

/** The budget mails (operational stream): an alert, and the owner's daily report (budget-templates.ts). */
export const budgetTemplateNames = {
  alert: 'backline-budget-alert',
  report: 'backline-budget-report',
} as const;
