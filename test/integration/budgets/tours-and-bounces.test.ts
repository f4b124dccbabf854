import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TourShowSettled } from '#shared/events/index.ts';
import { aLabel } from '#test/support/announcing.ts';
import {
  aBudgetAlertDue,
  advanceToManagerTime,
  aTourBudgetBody,
  getJson,
  managerDate,
  plusDays,
  sendLabelEvent,
  waitForReconciled,
} from '#test/support/budgets-cloud.ts';
import { armFault, busEvents, busIdle, sentMail, uniqueId, waitFor } from '#test/support/cloud.ts';
import { aDomain } from '#test/support/outlets-cloud.ts';

/** What reaches budgets from tours and from deliverability, end to end on the local cloud. */

interface BudgetView {
  ownerUnreachable: { reason: string; mail: string } | null;
  totals: {
    income: number;
    remaining: number;
    planned: number;
    unconverted: Record<string, Record<string, number>>;
  };
  lines: { lineId: string; category: string | null; income: number }[];
}

describe('budgets and the rest of Backline on the local cloud', () => {
  it("takes a show's settlement as income of the tour's budget once, converted at the rate of its day", async () => {
    const label = await aLabel();
    const today = await managerDate();
    const tourId = uniqueId('tour');
    const budget = aTourBudgetBody(tourId);
    const settled = {
      ...TourShowSettled.sample,
      tourId,
      showId: 'show-berlin',
      settledAt: `${today}T01:30:00+02:00`,
    };
    await getJson(`/fx-rates/${today}`, { method: 'PUT', json: { rates: { 'EUR/GBP': '0.85' } } });

    await sendLabelEvent(label, 'budget.set', budget);
    await sendLabelEvent(label, 'tour.show.settled', settled, 1);
    await sendLabelEvent(label, 'tour.show.settled', settled, 1);
    await busIdle();

    const view = await waitFor(
      async () => {
        const { body } = await getJson<BudgetView>(`/labels/${label.id}/budgets/${budget.budgetId}`);
        return body.totals?.income ? body : undefined;
      },
      { timeoutMs: 20_000, what: 'the settlement on the tour budget' },
    );
    // 61,054.21 EUR at 0.85 GBP = 51,896.0785 GBP, half-even on the penny.
    expect(view.totals).toMatchObject({ income: 5_189_608, remaining: 500_000 + 5_189_608 });
    expect(view.lines.find((l) => l.lineId === 'show-settlement')).toMatchObject({
      category: 'show-settlement',
      income: 5_189_608,
    });
  });

  it('marks the owner unreachable, once, when a budget alert to them bounces at the SES mailbox simulator', async () => {
    const label = await aLabel();
    const day0 = await managerDate();
    const owner = { name: 'Mara Quinn', email: `bounce+${randomUUID()}@simulator.amazonses.com` };
    const budget = await aBudgetAlertDue(label, day0, owner);

    await advanceToManagerTime(plusDays(day0, 1), '07:15');
    await waitForReconciled(label.id, [budget.budgetId], plusDays(day0, 1));
    const [stated] = await waitFor(
      async () => {
        const found = (await busEvents({ detailType: 'Budget Owner Unreachable' })).filter(
          (e) =>
            (e.detail.data as { labelId: string }).labelId === label.id &&
            (e.detail.data as { reason: string }).reason === 'bounce',
        );
        return found.length > 0 && found;
      },
      { timeoutMs: 30_000, what: 'Budget Owner Unreachable for the bounced alert' },
    );
    await busIdle();
    const { body } = await getJson<BudgetView>(`/labels/${label.id}/budgets/${budget.budgetId}`);

    expect((await sentMail()).filter((m) => m.destination.to.includes(owner.email))).toHaveLength(1);
    expect(stated.detail.data).toMatchObject({
      address: owner.email.toLowerCase(),
      reason: 'bounce',
      kind: 'threshold-crossed',
      budgetIds: [budget.budgetId],
    });
    // Once per mail: the bounced alert's, stated once however often the bounce is repeated.
    const all = (await busEvents({ detailType: 'Budget Owner Unreachable' }))
      .map((e) => e.detail.data as { labelId: string; reason: string; deliveryId: string })
      .filter((data) => data.labelId === label.id);
    expect(all.filter((data) => data.reason === 'bounce')).toHaveLength(1);
    expect(all.every((data) => data.reason === 'bounce' || data.reason === 'complaint')).toBe(true);
    expect(new Set(all.map((data) => data.deliveryId)).size).toBe(all.length);
    expect(body.ownerUnreachable).toMatchObject({ reason: 'bounce', mail: 'threshold-crossed' });
  });
  it('marks the owner unreachable, once, when SES refuses a budget alert to them for good', async () => {
    const label = await aLabel();
    const day0 = await managerDate();
    // The owner's own domain: the refusal is aimed at this alert, not at another file's mail on the shared cloud.
    const domain = aDomain('alert-refused');
    const owner = { name: 'Ines Varga', email: `${uniqueId('owner')}@${domain}` };
    const budget = await aBudgetAlertDue(label, day0, owner);
    await armFault(`ses.reject-entry:${domain}`);

    await advanceToManagerTime(plusDays(day0, 1), '07:15');
    await waitForReconciled(label.id, [budget.budgetId], plusDays(day0, 1));
    const ofLabel = async (detailType: string) =>
      (await busEvents({ detailType })).filter(
        (e) => (e.detail.data as { labelId: string }).labelId === label.id,
      );
    const [stated] = await waitFor(
      async () => {
        const found = await ofLabel('Budget Owner Mail Refused');
        return found.length > 0 && found;
      },
      { timeoutMs: 30_000, what: 'Budget Owner Mail Refused for the refused alert' },
    );
    await busIdle();
    const { body } = await getJson<BudgetView>(`/labels/${label.id}/budgets/${budget.budgetId}`);

    expect((await sentMail()).filter((m) => m.destination.to.includes(owner.email))).toEqual([]);
    expect((await ofLabel('Mail Undeliverable')).map((e) => e.detail.data)).toEqual([
      expect.objectContaining({
        address: owner.email,
        stream: 'operational',
        kind: 'threshold-crossed',
        reason: 'refused',
        detail: 'MESSAGE_REJECTED: Message rejected (the ses.reject-entry fault)',
        context: expect.objectContaining({ budgetId: budget.budgetId }),
      }),
    ]);
    expect((await ofLabel('Budget Owner Mail Refused')).map((e) => e.detail.data)).toEqual([
      expect.objectContaining({
        address: owner.email,
        kind: 'threshold-crossed',
        budgetIds: [budget.budgetId],
      }),
    ]);
    expect(stated.source).toBe('backline.budgets');
    expect(await ofLabel('Budget Owner Unreachable')).toEqual([]);
    expect(body.ownerUnreachable).toMatchObject({ reason: 'refused', mail: 'threshold-crossed' });
  });
});
