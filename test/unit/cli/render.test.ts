import { describe, expect, it } from 'vitest';
import type { BudgetView } from '#functions/office/budgets.ts';
import type { TourView } from '#functions/office/tours.ts';
import { budgetStatusText, releaseStatusText, tourStatusText } from '#infra/cli/backline.ts';
import { table } from '#infra/cli/client.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

const aTourView = (): TourView => ({
  labelId: 'nightshift',
  tourId: 'spring',
  artist: { name: 'The Midnight Echoes' },
  tourManager: { name: 'Sam Reyes', email: 'sam@tm.example' },
  occurredAt: '2027-01-05T10:00:00.000Z',
  tourManagerPage: 'https://api.example/tm/v1.token',
  shows: [
    {
      showId: 's1',
      date: '2027-03-01',
      status: 'confirmed',
      venue: {
        name: 'Albert Hall',
        address: '1 High St',
        city: 'Manchester',
        country: 'GB',
        timeZone: 'Europe/London',
      },
      times: {},
      promoter: { promoterId: 'prm-1', name: 'Northern Nights', email: 'b@nn.example' },
      advance: 'submitted',
      guests: 3,
      guestListLocked: false,
      changedAt: '2027-01-05T10:00:00.000Z',
      outletsTold: 0,
    },
    {
      showId: 's2',
      date: '2027-03-03',
      status: 'confirmed',
      venue: { name: 'La Cigale', address: '120 Bd', city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' },
      times: {},
      promoter: { promoterId: 'prm-2', name: 'Continental Live', email: 'a@cl.example' },
      advance: 'overdue',
      guests: 0,
      guestListLocked: false,
      changedAt: '2027-01-05T10:00:00.000Z',
      outletsTold: 12,
    },
  ],
});

const aBudgetView = (): BudgetView => ({
  budgetId: 'bud-1',
  scope: { kind: 'release', id: 'night-drive' },
  currency: 'EUR',
  period: { start: '2027-01-01', end: '2027-03-31' },
  owner: { name: 'Mara Quinn', email: 'mara@label.example' },
  ownerUnreachable: null,
  planned: 500_000,
  thresholds: [80, 100],
  lines: [
    {
      lineId: 'radio',
      planned: 300_000,
      committed: 0,
      actual: 287_600,
      income: 0,
      spent: 287_600,
      over: false,
      inPlan: true,
      category: 'radio-plugging',
    },
    {
      lineId: 'ads',
      planned: 100_000,
      committed: 50_000,
      actual: 71_000,
      income: 0,
      spent: 121_000,
      over: true,
      inPlan: true,
      category: 'advertising',
    },
  ],
  totals: {
    currency: 'EUR',
    planned: 500_000,
    committed: 50_000,
    actual: 358_600,
    income: 0,
    remaining: 91_400,
    usedPercent: 81.7,
    vat: 0,
    recoupable: {},
    // As figuresOf gives it: per currency, per kind, an actual's VAT apart.
    unconverted: { USD: { actual: 5_000, vat: 1_000 } },
  },
  thresholdsCrossed: [{ threshold: 80, on: '2027-02-02T07:00:00.000Z', date: '2027-02-02' }],
  forecastAtEnd: 408_600,
  runsOutOn: null,
  // At risk for a line over its plan; at the week's rate what is left lasts the period.
  moneyLastsThePeriod: true,
  burnRate: { last7Days: 0, last30Days: 0 },
  variance: 0,
  lastReconciled: { date: '2027-02-02', at: '2027-02-02T07:00:00.000Z', status: 'at-risk' },
  driftHistory: [],
  unconverted: [],
  possibleDuplicates: [],
  refused: [],
  expenses: 6,
});

describe('what the CLI prints', () => {
  it('lines up a table under its header, lists joined with ;', () => {
    const text = table(
      [{ name: 'Radio One', territories: ['GB', 'IE'] }, { name: 'Blog' }],
      ['name', 'territories'],
    );

    expect(text.split('\n')).toEqual([
      'name       territories',
      '---------  -----------',
      'Radio One  GB;IE',
      'Blog',
    ]);
  });

  it('lines up names in scripts a terminal shows two columns wide, and letters with combining accents', () => {
    // 東京 and 안녕 take two columns each on a terminal; the e of Cafe\u0301 carries its accent in none.
    const text = table(
      [
        { name: 'Blog 東京', kind: 'blog' },
        { name: 'Radio 안녕', kind: 'radio' },
        { name: 'Cafe\u0301 Radio', kind: 'radio' },
        { name: 'Radio One', kind: 'radio' },
      ],
      ['name', 'kind'],
    );

    expect(text.split('\n')).toEqual([
      'name        kind',
      '----------  -----',
      'Blog 東京   blog',
      'Radio 안녕  radio',
      'Cafe\u0301 Radio  radio',
      'Radio One   radio',
    ]);
  });

  it("shows a tour's shows one per row with venue, status, advance status and promoter", () => {
    const text = tourStatusText(aTourView());

    expect(text).toContain(
      'The Midnight Echoes (nightshift/spring), tour manager Sam Reyes <sam@tm.example>',
    );
    expect(text).toContain("the tour manager's page: https://api.example/tm/v1.token");
    expect(text).toMatch(
      /s1\s+2027-03-01\s+Albert Hall, Manchester GB\s+confirmed\s+submitted\s+Northern Nights\s+3/,
    );
    expect(text).toMatch(
      /s2\s+2027-03-03\s+La Cigale, Paris FR\s+confirmed\s+overdue\s+Continental Live\s+0\s+12/,
    );
  });

  it("shows a budget's spend in its currency's digits, the thresholds crossed, the unconverted amounts and each line", () => {
    const text = budgetStatusText(aBudgetView());

    expect(text).toContain('bud-1: release night-drive, 2027-01-01 to 2027-03-31, owner Mara Quinn');
    expect(text).toContain(
      '81.7 % used: 4,086.00 EUR of 5,000.00 EUR (3,586.00 EUR spent, 500.00 EUR committed, 914.00 EUR left); 6 expenses',
    );
    expect(text).toContain('reconciled 2027-02-02: at-risk, the money lasts the period');
    expect(text).toContain('thresholds 80 %, 100 %; crossed: 80 % on 2027-02-02');
    expect(text).toContain('not converted yet: 50.00 USD actual, VAT 10.00 USD');
    expect(text).toMatch(/radio\s+radio-plugging\s+3,000.00 EUR\s+0.00 EUR\s+2,876.00 EUR\n/);
    expect(text).toMatch(/ads\s+advertising\s+1,000.00 EUR\s+500.00 EUR\s+710.00 EUR\s+over/);
  });
  it('says when the owner can no longer be warned by mail: which mail did not reach them, why and since when', () => {
    const text = budgetStatusText({
      ...aBudgetView(),
      ownerUnreachable: {
        reason: 'bounce',
        detail: '550 5.1.1 mailbox does not exist',
        mail: 'budget-alert',
        since: '2027-02-02T07:01:00.000Z',
      },
    });

    expect(text).toContain(
      'owner unreachable since 2027-02-02T07:01:00.000Z: their budget-alert mail bounced (550 5.1.1 mailbox does not exist); no alert or report reaches Mara Quinn <mara@label.example> by mail until a new owner is set',
    );
  });

  // SES refusing one mail for good (a content or parameter problem) does not suppress the address: the next
  // alert or report is still sent, so the status must not say none will reach the owner.
  it('says of a mail SES refused that later mail to the owner is still tried, not that none reaches them', () => {
    const text = budgetStatusText({
      ...aBudgetView(),
      ownerUnreachable: {
        reason: 'refused',
        detail: 'MESSAGE_REJECTED: Email address is not verified.',
        mail: 'budget-alert',
        since: '2027-02-02T07:01:00.000Z',
      },
    });

    expect(text).toContain(
      'owner unreachable since 2027-02-02T07:01:00.000Z: their budget-alert mail was refused by SES (MESSAGE_REJECTED: Email address is not verified.); later alerts and reports to Mara Quinn <mara@label.example> are still sent, and may not reach them either: reach them another way, or set a new owner',
    );
  });

  it('names the route and cursor of the refused versions past the first page, with the label it was asked for', () => {
    const refusal = {
      expenseId: 'exp-1',
      at: '2027-02-01T10:00:00.000Z#1',
      change: 'recorded' as const,
      total: 'actual',
      reason: 'would take actual past the largest total kept',
      receivedAt: '2027-02-01T10:00:01.000Z',
    };

    const text = budgetStatusText(
      { ...aBudgetView(), refused: [refusal], refusedNextCursor: 'WyJyZWZ1c2VkIl0' },
      'nightshift',
    );

    expect(text).toContain(
      'more refused than these: GET /labels/nightshift/budgets/bud-1/refused?cursor=WyJyZWZ1c2VkIl0',
    );
  });

  it("states a tour budget's income from its shows, which the money left counts, and the line it is on", () => {
    // A tour budget: 900.00 EUR spent of 1,000.00 EUR planned, and a show settled for 4,000.00 EUR, so 4,100.00 EUR left.
    const view = aBudgetView();
    const text = budgetStatusText({
      ...view,
      scope: { kind: 'tour', id: 'spring' },
      planned: 100_000,
      lines: [
        {
          ...view.lines[0],
          planned: 100_000,
          actual: 90_000,
          spent: 90_000,
          category: 'travel',
          lineId: 'travel',
        },
        {
          lineId: 'show-settlement',
          planned: 0,
          committed: 0,
          actual: 0,
          income: 400_000,
          spent: 0,
          over: false,
          inPlan: false,
          category: 'show-settlement',
        },
      ],
      totals: {
        ...view.totals,
        planned: 100_000,
        committed: 0,
        actual: 90_000,
        income: 400_000,
        remaining: 410_000,
        usedPercent: 90,
        unconverted: {},
      },
    });

    expect(text).toContain(
      '90 % used: 900.00 EUR of 1,000.00 EUR (900.00 EUR spent, 0.00 EUR committed, 4,000.00 EUR income, 4,100.00 EUR left); 6 expenses',
    );
    expect(text).toMatch(/line\s+category\s+planned\s+committed\s+actual\s+income\s+over\n/);
    expect(text).toMatch(/travel\s+travel\s+1,000.00 EUR\s+0.00 EUR\s+900.00 EUR\s+0.00 EUR\n/);
    expect(text).toMatch(
      /show-settlement\s+show-settlement\s+0.00 EUR\s+0.00 EUR\s+0.00 EUR\s+4,000.00 EUR\n?/,
    );
  });
  it("shows each of a release's street dates with its territories, earliest first, and WW's exceptions", () => {
    const text = releaseStatusText({
      labelId: 'nightshift',
      releaseId: 'r5',
      state: 'scheduled',
      release: aReleaseDetails({
        releaseDate: '2027-04-09',
        timeZone: 'Asia/Tokyo',
        territories: ['WW', 'US', 'JP'],
        excludedTerritories: ['FR'],
        territoryDates: [
          {
            territories: ['US'],
            releaseDate: '2027-04-01',
            releaseTime: '21:00',
            timeZone: 'America/Los_Angeles',
          },
        ],
      }),
      mail: { announcement: { claimed: 0, sent: 4 } },
    });

    expect(text).toContain('Night Drive (nightshift/r5): scheduled\n');
    expect(text).toContain(
      'release day: 2027-04-01 21:00 America/Los_Angeles in US; 2027-04-09 00:00 Asia/Tokyo in JP, WW except FR\n',
    );
    expect(text).toMatch(/announcement\s+0\s+4/);
  });
});
