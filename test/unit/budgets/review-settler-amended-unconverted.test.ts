import { describe, expect, it } from 'vitest';
import { budgetRoutes } from '#functions/office/budgets.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { aBudget, anExpense, budgetsHarness } from '#test/support/budgets-harness.ts';

// docs/design.md#budgets: a change that makes an order get its recoupable share back counts the
// unconverted invoices naming it again in the same transaction, so "the artist's recoupable spend
// never counts the money twice, nor nowhere, between two reconciliations".

/** GET /labels/{labelId}/artists/{artistId}/recoupable, as the management API answers it. */
const recoupable = async (h: ReturnType<typeof budgetsHarness>, artistId: string) => {
  const route = budgetRoutes({
    budgets: h.store,
    now: () => new Date('2027-03-10T12:00:00Z'),
    timeZone: 'UTC',
  }).find((r) => r.method === 'GET' && r.path === '/labels/{labelId}/artists/{artistId}/recoupable')!;
  const answer = (await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
    headers: {},
    isBase64Encoded: false,
    pathParameters: { labelId: h.labelId, artistId },
  } as never)) as { body: string };
  return JSON.parse(answer.body) as { recoupable: { currency: string; minor: number }[] };
};

const artist = { artist: { artistId: 'art-1', name: 'Night Drive' }, sharePercent: 100 };

describe('the invoice that settled an order amended into a currency no rate converts yet', () => {
  it('has no share of its own in the same change as the order gets its own back: the artist is charged once', async () => {
    const h = budgetsHarness({ now: '2027-03-05T08:00:00.000Z' });
    await h.budget(aBudget());
    await h.expense(
      anExpense({
        expenseId: 'po-video',
        kind: 'commitment',
        amount: { minor: 50_000, currency: 'EUR' },
        recoupable: artist,
      }),
    );
    // The director's invoice, 300.00 EUR, settles the order: it holds no share any more.
    const invoice = {
      expenseId: 'inv-director',
      settles: 'po-video',
      amount: { minor: 30_000, currency: 'EUR' },
      recoupable: artist,
    };
    await h.expense(anExpense(invoice), { occurredAt: '2027-03-05T08:00:00.000Z' });
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 30_000 }]);

    // The label corrects it: billed in USD, 330.00, for a date no rate converts yet. It still names
    // the order, which is committed again (an unconverted invoice settles nothing) with its share.
    await h.amend(anExpense({ ...invoice, date: '2027-03-04', amount: { minor: 33_000, currency: 'USD' } }), {
      occurredAt: '2027-03-05T09:00:00.000Z',
    });

    // Once, in the order's 500.00 EUR; not also the invoice's 330.00 USD.
    expect((await recoupable(h, 'art-1')).recoupable).toEqual([{ currency: 'EUR', minor: 50_000 }]);
  });
});
