import { describe, expect, it } from 'vitest';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { BudgetReconciliationDue, BudgetSet, MailUndeliverable } from '#shared/events/index.ts';
import { FakeSuppressionList } from '#test/support/announcer-fakes.ts';
import { budgetsHarness } from '#test/support/budgets-harness.ts';

const aBudget = (budgetId: string, email: string) => ({
  ...BudgetSet.sample,
  budgetId,
  owner: { name: 'Mara Quinn', email },
});
const bounced = (overrides: Partial<typeof MailUndeliverable.sample> = {}) => ({
  ...MailUndeliverable.sample,
  deliveryId: 'dlv-1',
  address: 'mara@label.example',
  labelId: 'lbl-1',
  subject: [...mailSubjects.budgetAlert('bud-1', 'threshold:80', '2027-01-01/2027-06-30')],
  kind: 'threshold-crossed',
  context: { budgetId: 'bud-1' },
  ...overrides,
});

describe('budget mail that cannot be delivered', () => {
  it("marks every budget the owner's address holds in the label and says so once per mail, however often the bounce is repeated", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1', 'mara@label.example'));
    await h.budget(aBudget('bud-2', 'Mara@Label.example'));
    await h.budget(aBudget('bud-3', 'someone@label.example'));

    await h.deliver(MailUndeliverable, bounced());
    await h.deliver(MailUndeliverable, bounced());

    expect(h.events('Budget Owner Unreachable').map((e) => e.detail.data)).toEqual([
      {
        labelId: 'lbl-1',
        address: 'mara@label.example',
        reason: 'bounce',
        detail: 'Permanent/General',
        deliveryId: 'dlv-1',
        kind: 'threshold-crossed',
        budgetIds: ['bud-1', 'bud-2'],
      },
    ]);
    expect((await h.store.getBudget('lbl-1', 'bud-2'))?.ownerUnreachable).toMatchObject({
      address: 'mara@label.example',
      reason: 'bounce',
      kind: 'threshold-crossed',
    });
    expect((await h.store.getBudget('lbl-1', 'bud-3'))?.ownerUnreachable).toBeUndefined();
  });

  it("says so again for another of the owner's mails (a daily report) that bounces", async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1', 'mara@label.example'));

    await h.deliver(MailUndeliverable, bounced());
    await h.deliver(
      MailUndeliverable,
      bounced({
        deliveryId: 'dlv-2',
        subject: [...mailSubjects.ownerReport('mara@label.example', '2027-01-02')],
        kind: 'budget-report',
        reason: 'complaint',
        context: { budgetIds: 'bud-1' },
      }),
    );

    expect(
      h.events('Budget Owner Unreachable').map((e) => (e.detail.data as { deliveryId: string }).deliveryId),
    ).toEqual(['dlv-1', 'dlv-2']);
    expect((await h.store.getBudget('lbl-1', 'bud-1'))?.ownerUnreachable).toMatchObject({
      reason: 'complaint',
    });
  });

  it('leaves budgets alone when the mail that bounced was not budget mail', async () => {
    const h = budgetsHarness();
    await h.budget(aBudget('bud-1', 'mara@label.example'));

    await h.deliver(MailUndeliverable, bounced({ subject: [...mailSubjects.show('tour-1', 'show-1')] }));

    expect(h.events('Budget Owner Unreachable')).toEqual([]);
    expect((await h.store.getBudget('lbl-1', 'bud-1'))?.ownerUnreachable).toBeUndefined();
  });

  it('says once that the owner cannot be warned when budget mail to her suppressed address is left out, for every budget she holds, also on a retry', async () => {
    const h = budgetsHarness({ now: '2027-03-02T08:00:00.000Z' });
    // A complaint on press mail suppressed her address for both streams (docs/design.md#two-mail-streams).
    h.mail.suppressions = new FakeSuppressionList(new Set(['mara@label.example']));
    const march = { period: { start: '2027-03-01', end: '2027-03-30' } };
    await h.budget({ ...aBudget('bud-1', 'mara@label.example'), ...march }, '2027-03-01T00:00:00.000Z');
    await h.budget({ ...aBudget('bud-2', 'Mara@Label.example'), ...march }, '2027-03-01T00:00:00.000Z');
    const line = (await h.store.getBudget('lbl-1', 'bud-1'))!.lines[0];
    await h.expense({
      expenseId: 'exp-1',
      budgetId: 'bud-1',
      lineId: line.lineId,
      vendor: 'Airplay Partners',
      date: '2027-03-02',
      amount: { ...line.planned, minor: line.planned.minor * 2 },
      kind: 'actual',
    });

    // Alerts of bud-1 and the day's report, all left out; bud-1's reconciliation is then redelivered.
    h.setNow('2027-03-03T07:00:00.000Z');
    await h.reconcile('2027-03-03');
    await h.deliver(BudgetReconciliationDue, { labelId: 'lbl-1', budgetId: 'bud-1', date: '2027-03-03' });
    await h.report('2027-03-03');

    expect(h.received()).toEqual([]);
    expect(h.events('Budget Owner Unreachable')).toEqual([]);
    expect(h.events('Budget Owner Suppressed').map((e) => e.detail.data)).toEqual([
      expect.objectContaining({
        labelId: 'lbl-1',
        address: 'mara@label.example',
        kind: 'threshold-crossed',
        budgetIds: ['bud-1', 'bud-2'],
      }),
    ]);
    expect((await h.store.getBudget('lbl-1', 'bud-2'))?.ownerUnreachable).toMatchObject({
      address: 'mara@label.example',
      reason: 'suppressed',
    });
  });
});
