import type { BudgetStore } from '#shared/db/budgets.ts';

/** A budget mail: an alert or an owner's daily report, on the operational stream. */
export interface BudgetMail {
  labelId: string;
  to: { name: string; email: string };
  /** What it is about, part of its identity: the same identity is mailed once (see docs/design.md#exactly-once-mail). */
  subjectId: string;
  kind: 'budget-alert' | 'budget-report';
  template: string;
  data: unknown;
}

/** Sends budget mail exactly once per identity (recipient, label, subject, kind). */
export interface BudgetMailer {
  send(mail: BudgetMail): Promise<void>;
}

export interface BudgetsDeps {
  store: BudgetStore;
  mailer: BudgetMailer;
  now: () => Date;
  /** The manager's time zone: the reconciliation's and the report's day is a day there. */
  timeZone: string;
}
