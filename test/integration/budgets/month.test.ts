import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { counter } from '#shared/budgets/ledger.ts';
import { totalsKey } from '#shared/db/budgets.ts';
import { aLabel, mailTo } from '#test/support/announcing.ts';
import {
  aBudgetBody,
  advanceToManagerTime,
  aMonthInEuros,
  anExpenseBody,
  anOwner,
  eur,
  getJson,
  managerDate,
  plusDays,
  reconciledOn,
  sendLabelEvent,
} from '#test/support/budgets-cloud.ts';
import { busEvents, cloud, documentClient, type SentMail, uniqueId, waitFor } from '#test/support/cloud.ts';

/**
 * A month of budgets on the local cloud, one day at a time: webhooks in, the clock moved to 07:15
 * (after the 07:00 reconciliation) and 07:45 (after the 07:30 report) in the manager's time zone,
 * alerts and reports read back from the SES emulator.
 */
describe('budgets across a month on the local cloud', () => {
  it('alerts once per threshold on the day it is crossed, warns of the forecast first, repairs drift, converts once a rate is added and reports daily', async () => {
    const label = await aLabel();
    const owner = anOwner();
    const day0 = await managerDate();
    const main = aMonthInEuros(day0, owner, {
      thresholds: [50, 80, 100],
      lines: [
        { lineId: 'radio', category: 'radio-plugging', planned: eur(200_000) },
        { lineId: 'ads', category: 'advertising', planned: eur(100_000) },
      ],
    });
    const period = { start: day0, end: plusDays(day0, 29) };
    const jpy = aBudgetBody({
      currency: 'JPY',
      period,
      owner,
      lines: [{ lineId: 'pr', category: 'pr', planned: { minor: 1_000_000, currency: 'JPY' } }],
    });
    const usd = aBudgetBody({
      currency: 'USD',
      period,
      owner,
      lines: [{ lineId: 'pr', category: 'pr', planned: { minor: 1_000_000, currency: 'USD' } }],
    });
    const bhd = aBudgetBody({
      currency: 'BHD',
      period,
      owner,
      lines: [{ lineId: 'pr', category: 'pr', planned: { minor: 1_000_000, currency: 'BHD' } }],
    });
    const budgets = [main, jpy, usd, bhd];
    for (const budget of budgets) await sendLabelEvent(label, 'budget.set', budget);
    for (const [budget, minor] of [
      [jpy, 1_234],
      [usd, 1_234],
      [bhd, 1_234],
    ] as const)
      await sendLabelEvent(
        label,
        'expense.recorded',
        anExpenseBody(budget.budgetId, uniqueId('exp'), day0, {
          lineId: 'pr',
          amount: { minor, currency: budget.currency },
        }),
      );
    const heldId = uniqueId('exp-held');
    await sendLabelEvent(label, 'expense.recorded', anExpenseBody(uniqueId('bud-unknown'), heldId, day0));

    const alertsOn = new Map<number, string[]>();
    const reportOn = new Map<number, SentMail>();
    const totalsOn = new Map<number, { actual: number; committed: number }>();
    let seenAlerts = 0;
    for (let d = 0; d < 29; d++) {
      const today = plusDays(day0, d);
      await sendLabelEvent(label, 'expense.recorded', anExpenseBody(main.budgetId, `daily-${d}`, today));
      if (d === 0)
        await sendLabelEvent(
          label,
          'expense.recorded',
          anExpenseBody(main.budgetId, 'po-1', today, {
            kind: 'commitment',
            lineId: 'ads',
            amount: eur(30_000),
          }),
        );
      if (d === 1)
        await sendLabelEvent(
          label,
          'expense.recorded',
          anExpenseBody(main.budgetId, 'usd-1', today, {
            lineId: 'ads',
            amount: { minor: 5_000, currency: 'USD' },
          }),
        );
      if (d === 2)
        await sendLabelEvent(
          label,
          'expense.recorded',
          anExpenseBody(main.budgetId, 'wrong-1', today, { lineId: 'ads', amount: eur(20_000) }),
        );
      if (d === 3) {
        await sendLabelEvent(
          label,
          'expense.recorded',
          anExpenseBody(main.budgetId, 'inv-1', today, {
            lineId: 'ads',
            amount: eur(28_000),
            settles: 'po-1',
            vat: eur(5_600),
          }),
        );
        await sendLabelEvent(label, 'expense.voided', {
          expenseId: 'wrong-1',
          budgetId: main.budgetId,
          reason: 'Booked on the wrong budget',
        });
      }
      if (d === 4) {
        const put = await getJson(`/fx-rates/${plusDays(day0, 1)}`, {
          method: 'PUT',
          json: { rates: { 'USD/EUR': '0.9' } },
        });
        expect(put.status).toBe(200);
      }
      if (d === 12)
        await documentClient().send(
          new UpdateCommand({
            TableName: cloud().tableName,
            Key: totalsKey(label.id, main.budgetId),
            UpdateExpression: 'ADD #c :drift',
            ExpressionAttributeNames: { '#c': counter.actual('radio') },
            ExpressionAttributeValues: { ':drift': 777 },
          }),
        );

      const date = plusDays(day0, d + 1);
      await reconciledOn(
        label.id,
        budgets.map((b) => b.budgetId),
        date,
      );
      await advanceToManagerTime(date, '07:45');
      reportOn.set(
        d + 1,
        await waitFor(async () => (await mailTo(owner.email, `Budgets on ${date}`))[0], {
          timeoutMs: 20_000,
          what: `report of ${date}`,
        }),
      );
      const alerts = (await mailTo(owner.email, `Budget ${main.budgetId}:`)).map((m) => m.subject);
      alertsOn.set(d + 1, alerts.slice(seenAlerts));
      seenAlerts = alerts.length;
      const { body } = await getJson<{ totals: { actual: number; committed: number } }>(
        `/labels/${label.id}/budgets/${main.budgetId}`,
      );
      totalsOn.set(d + 1, body.totals);
    }

    // Spend reconciled on day n (expenses dated before it): 120 EUR a day, an order of 300 EUR settled
    // by an invoice of 280 EUR from day 4, 200 EUR counted on day 3 only (voided), 50 USD at 0.9 from
    // day 5. Day 3: 860 EUR spent, all in the last 7 days: 2,140 EUR left lasts 18 days at that rate.
    const days = [...alertsOn].filter(([, subjects]) => subjects.length > 0);
    expect(days).toEqual([
      [3, [`Budget ${main.budgetId}: At this rate the money runs out on ${plusDays(day0, 21)}`]],
      [10, [`Budget ${main.budgetId}: 50 % of the plan is spent`]],
      [17, [`Budget ${main.budgetId}: Line radio is over its plan`]],
      [18, [`Budget ${main.budgetId}: 80 % of the plan is spent`]],
      [23, [`Budget ${main.budgetId}: 100 % of the plan is spent`]],
    ]);
    expect(totalsOn.get(3)).toMatchObject({ committed: 30_000, actual: 3 * 12_000 + 20_000 });
    expect(totalsOn.get(4)).toMatchObject({ committed: 0, actual: 4 * 12_000 + 28_000 });
    expect(totalsOn.get(5)).toMatchObject({ committed: 0, actual: 5 * 12_000 + 28_000 + 4_500 });
    expect(totalsOn.get(13)).toMatchObject({ actual: 13 * 12_000 + 28_000 + 4_500 });
    expect(await busEvents({ detailType: 'Budget Drift Repaired' })).toContainEqual(
      expect.objectContaining({
        detail: expect.objectContaining({
          data: {
            labelId: label.id,
            budgetId: main.budgetId,
            date: plusDays(day0, 13),
            differences: [{ total: 'actual radio', was: 13 * 12_000 + 777, ledger: 13 * 12_000 }],
          },
        }),
      }),
    );

    const first = reportOn.get(2) as SentMail;
    expect(first.body.html).toContain('1,234 JPY');
    expect(first.body.html).toContain('12.34 USD');
    expect(first.body.html).toContain('1.234 BHD');
    expect(first.body.text).toContain(`${main.budgetId} (release rel-2027-nightdrive): planned 3,000.00 EUR`);
    expect(first.body.html).toContain('usd-1');
    expect(reportOn.get(5)?.body.html).not.toContain('usd-1');
    // Held since day 0 (before or after 07:30): listed once, in the report of day 7 or 8, and stated on the bus once.
    const listingHeld = [...reportOn].filter(([, mail]) => mail.body.html?.includes(heldId)).map(([n]) => n);
    expect(listingHeld).toHaveLength(1);
    expect([7, 8]).toContain(listingHeld[0]);
    const heldEvents = (await busEvents({ detailType: 'Expense Held Too Long' })).filter(
      (e) => (e.detail as { data: { expenseId: string } }).data.expenseId === heldId,
    );
    expect(heldEvents.map((e) => (e.detail as { data: { owners: string[] } }).data)).toEqual([
      expect.objectContaining({
        labelId: label.id,
        date: plusDays(day0, listingHeld[0]),
        owners: [owner.email],
      }),
    ]);
    expect(await mailTo(owner.email, 'Budgets on ')).toHaveLength(29);

    const ledger = await getJson<{ entries: { expenseId: string; change: string; counted: boolean }[] }>(
      `/labels/${label.id}/budgets/${main.budgetId}/ledger`,
    );
    expect(
      ledger.body.entries.filter((e) => e.expenseId === 'wrong-1').map((e) => [e.change, e.counted]),
    ).toEqual([
      ['recorded', false],
      ['voided', false],
    ]);
  }, 600_000);
});
