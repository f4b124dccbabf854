import { describe, expect, it } from 'vitest';
import { dynamoDeliveries, mailSubjects } from '#shared/db/deliveries.ts';
import { aLabel } from '#test/support/announcing.ts';
import {
  aBudgetAlertDue,
  advanceToManagerTime,
  managerDate,
  plusDays,
  waitForReconciled,
} from '#test/support/budgets-cloud.ts';
import {
  advanceClock,
  armFault,
  busIdle,
  clearFaults,
  clockNow,
  cloud,
  deadLetters,
  documentClient,
  faultsReport,
  sentMail,
  uniqueId,
  waitFor,
} from '#test/support/cloud.ts';

/**
 * SES with sending paused for the account (`ses.paused`: 400 SendingPausedException) when a budget's
 * threshold is crossed, on the local cloud: the owner's alert is sent once SES sends again, not
 * dead-lettered with the reconciliation, and recorded as sent once, no resend (docs/design.md#send-rate).
 */

const hour = 3_600_000;
const later = async (ms: number) => new Date((await clockNow()).getTime() + ms).toISOString();

describe("a budget's alert while SES has sending paused", () => {
  it('is sent to the owner once after SES sends again, recorded as its first sending (no resend), and nothing of the budget is dead-lettered', async () => {
    const label = await aLabel();
    const day0 = await managerDate();
    const owner = { name: 'Pia Paused', email: `${uniqueId('owner')}@budgets.example` };
    // 60 % of the plan spent on day0: the 50 % threshold's alert is due the next morning.
    const budget = await aBudgetAlertDue(label, day0, owner);
    await armFault('ses.paused', 'inf');

    await advanceToManagerTime(plusDays(day0, 1), '07:15');
    await waitForReconciled(label.id, [budget.budgetId], plusDays(day0, 1));
    await busIdle();
    const alertsTo = async () =>
      (await sentMail()).filter(
        (m) => m.destination.to.includes(owner.email) && m.subject.startsWith(`Budget ${budget.budgetId}`),
      );
    const whilePaused = await alertsTo();
    const refused = (await faultsReport()).fired['ses.paused'] ?? 0;
    // An hour with SES still paused, then SES sends again and the clock moves on an hour.
    await advanceClock(await later(hour));
    await clearFaults();
    await advanceClock(await later(hour));
    await waitFor(async () => (await alertsTo()).length > 0, { what: `the alert to ${owner.email}` });
    await busIdle();

    const deliveries = await dynamoDeliveries(documentClient(), cloud().tableName).ofSubject(
      label.id,
      mailSubjects.budgetAlert(budget.budgetId, 'threshold:50', day0),
    );

    expect(refused).toBeGreaterThan(0);
    expect(whilePaused).toEqual([]);
    expect(await alertsTo()).toHaveLength(1);
    // Its first sending, by the sweep: no resend recorded (docs/design.md#send-rate).
    expect(deliveries.map(({ status, resends }) => ({ status, resends: resends ?? 0 }))).toEqual([
      { status: 'sent', resends: 0 },
    ]);
    expect(
      (await deadLetters()).filter((letter) => JSON.stringify(letter.event.detail).includes(budget.budgetId)),
    ).toEqual([]);
  });
});
