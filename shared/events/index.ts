import { AnnouncementDue } from './announcement-due.ts';
import {
  BudgetDriftRepaired,
  BudgetForecastOver,
  BudgetLineOverPlan,
  BudgetOwnerMailRefused,
  BudgetOwnerSuppressed,
  BudgetOwnerUnreachable,
  BudgetReconciled,
  BudgetReconciliationDue,
  BudgetThresholdCrossed,
  ExpenseHeldTooLong,
} from './budget-outcomes.ts';
import { BudgetSet } from './budget-set.ts';
import type { EventContract } from './envelope.ts';
import { ExpenseAmended, ExpenseRecorded, ExpenseVoided } from './expense-recorded.ts';
import { JobPageDue } from './job-page-due.ts';
import { JobRequested } from './job-requested.ts';
import { MailUndeliverable } from './mail-undeliverable.ts';
import { MailingRequested } from './mailing-requested.ts';
import {
  ReleaseAddDateChangeSent,
  ReleaseAnnounced,
  ReleaseCancellationSent,
  ReleaseDateChangeSent,
  ReleaseOutNowSent,
  ReleaseRadioServiced,
} from './mailing-sent.ts';
import { OutboxSweepDue } from './outbox-sweep-due.ts';
import { OutletSuppressed } from './outlet-suppressed.ts';
import { OutletUnsubscribed } from './outlet-unsubscribed.ts';
import { OutletsChanged } from './outlets-changed.ts';
import { PromoAccessed } from './promo-accessed.ts';
import { RadioServicingDue } from './radio-servicing-due.ts';
import { BudgetReportDue, ReconciliationDue } from './reconciliation-due.ts';
import { ReleaseCancelled } from './release-cancelled.ts';
import { ReleaseDayReached } from './release-day-reached.ts';
import { ReleaseMailsSettled } from './release-mails-settled.ts';
import { ReleaseScheduled } from './release-scheduled.ts';
import { ReleaseUpdated } from './release-updated.ts';
import { ShowAdvanced } from './show-advanced.ts';
import { ShowStepDue } from './show-step-due.ts';
import { TourBooked } from './tour-booked.ts';
import { TourPressSettled } from './tour-press-settled.ts';
import {
  AdvanceOverdue,
  AdvanceReminderSent,
  AdvanceRequested,
  DaySheetSent,
  GuestListLocked,
  ShowAnnouncedToMedia,
  ShowCancellationSent,
  ShowConfirmed,
} from './tour-progress.ts';
import { TourShowAdded, TourShowCancelled, TourShowSettled, TourShowUpdated } from './tour-show-changes.ts';

export * from './envelope.ts';
export * from './outbox.ts';
export {
  AdvanceOverdue,
  AdvanceReminderSent,
  AdvanceRequested,
  AnnouncementDue,
  BudgetDriftRepaired,
  BudgetForecastOver,
  BudgetLineOverPlan,
  BudgetOwnerMailRefused,
  BudgetOwnerSuppressed,
  BudgetOwnerUnreachable,
  BudgetReconciled,
  BudgetReconciliationDue,
  BudgetReportDue,
  BudgetSet,
  BudgetThresholdCrossed,
  DaySheetSent,
  ExpenseAmended,
  ExpenseHeldTooLong,
  ExpenseRecorded,
  ExpenseVoided,
  GuestListLocked,
  JobPageDue,
  JobRequested,
  MailingRequested,
  MailUndeliverable,
  OutboxSweepDue,
  OutletSuppressed,
  OutletsChanged,
  OutletUnsubscribed,
  PromoAccessed,
  RadioServicingDue,
  ReconciliationDue,
  ReleaseAddDateChangeSent,
  ReleaseAnnounced,
  ReleaseCancellationSent,
  ReleaseCancelled,
  ReleaseDateChangeSent,
  ReleaseDayReached,
  ReleaseMailsSettled,
  ReleaseOutNowSent,
  ReleaseRadioServiced,
  ReleaseScheduled,
  ReleaseUpdated,
  ShowAdvanced,
  ShowAnnouncedToMedia,
  ShowCancellationSent,
  ShowConfirmed,
  ShowStepDue,
  TourBooked,
  TourPressSettled,
  TourShowAdded,
  TourShowCancelled,
  TourShowSettled,
  TourShowUpdated,
};

/** Every Backline event, for the contract test and the exported JSON Schema / AsyncAPI document. */
export const catalogue: EventContract[] = [
  ReleaseScheduled,
  ReleaseUpdated,
  ReleaseCancelled,
  TourBooked,
  TourShowAdded,
  TourShowUpdated,
  TourShowCancelled,
  TourShowSettled,
  BudgetSet,
  ExpenseRecorded,
  ExpenseAmended,
  ExpenseVoided,
  MailingRequested,
  ReleaseDayReached,
  AnnouncementDue,
  RadioServicingDue,
  OutboxSweepDue,
  ReconciliationDue,
  BudgetReportDue,
  BudgetReconciliationDue,
  BudgetReconciled,
  BudgetThresholdCrossed,
  BudgetForecastOver,
  BudgetLineOverPlan,
  BudgetDriftRepaired,
  BudgetOwnerUnreachable,
  BudgetOwnerSuppressed,
  BudgetOwnerMailRefused,
  ExpenseHeldTooLong,
  ReleaseAnnounced,
  ReleaseOutNowSent,
  ReleaseDateChangeSent,
  ReleaseCancellationSent,
  ReleaseRadioServiced,
  ReleaseAddDateChangeSent,
  ReleaseMailsSettled,
  OutletUnsubscribed,
  PromoAccessed,
  OutletSuppressed,
  OutletsChanged,
  MailUndeliverable,
  JobRequested,
  JobPageDue,
  ShowStepDue,
  TourPressSettled,
  ShowConfirmed,
  AdvanceRequested,
  AdvanceReminderSent,
  AdvanceOverdue,
  ShowAdvanced,
  GuestListLocked,
  DaySheetSent,
  ShowAnnouncedToMedia,
  ShowCancellationSent,
];
