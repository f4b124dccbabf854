import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernWebhookType } from '#shared/webhooks.ts';
import { ernIssues, ernMessage } from '#test/support/ern.ts';

/**
 * docs/design.md#ddex-ern: "a territory whose deals ended by the message (ERN 4's territorial
 * takedown) ... is withdrawn". A territory with one deal ended and another still running (a pre-order
 * deal that ended on the street date, beside the commercial deal that began then) is not taken down.
 */
describe('an ERN message in which some of a territory’s deals have ended', () => {
  // The label's update after the street dates: the pre-order deal ran up to the day before them.
  const afterRelease = ernMessage('three-territories', {
    messageId: 'MSG-2027-0042',
    createdAt: '2027-03-25T10:00:00Z',
    icpn: '5012345678900',
    genre: 'Synthpop',
    dateGB: '2027-03-05',
    dateDE: '2027-03-12',
    dateUS: '2027-03-19',
    preOrderDate: '2027-02-05',
  }).replace(
    '<StartDate>2027-02-05</StartDate>',
    '<StartDate>2027-02-05</StartDate><EndDate>2027-03-04</EndDate>',
  );

  it('keeps every territory whose commercial deal still runs, with its street date', () => {
    const parsed = parseErn(afterRelease);

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details?.territories).toEqual(['GB', 'DE', 'US']);
    expect(parsed.release.details?.releaseDate).toBe('2027-03-05');
  });

  it('is an update of a known release, not its cancellation', () => {
    const parsed = parseErn(afterRelease);

    if (!parsed.ok) throw parsed.error;
    expect(ernWebhookType(parsed.release, true)).toBe('release.updated');
  });
});

/**
 * docs/design.md#ddex-ern: a takedown's ValidityPeriod is when it applies, so one starting after the
 * message was created takes effect then (ERN 4.3 sends a future takedown as a deal ending then). The
 * reader schedules no withdrawal: such a takedown is refused, never read as a withdrawal today (a
 * cancellation told to the press before the label's date).
 */
describe('an ERN takedown whose start is still to come', () => {
  const running = ernMessage('single', {
    messageId: 'MSG-2027-0043',
    createdAt: '2027-01-05T10:00:00Z',
    icpn: '5012345678900',
    genre: 'Synthpop',
    date: '2027-01-01',
  });
  const takedownInGB = (period: string) =>
    running.replace(
      '</ReleaseDeal>',
      `<Deal><DealTerms><TerritoryCode>GB</TerritoryCode><ValidityPeriod>${period}</ValidityPeriod><TakeDown>true</TakeDown></DealTerms></Deal></ReleaseDeal>`,
    );
  const periodPath = 'NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms/ValidityPeriod';
  const notYet =
    'starts after the message was created: a takedown withdraws the release when Backline receives it, so send it when it takes effect';

  it('refuses it, naming its StartDate or StartDateTime, rather than withdrawing the release at once', () => {
    const nextMonth = takedownInGB('<StartDate>2027-02-01</StartDate>');
    const laterToday = takedownInGB('<StartDateTime>2027-01-05T12:00:00Z</StartDateTime>');

    const issues = [ernIssues(nextMonth), ernIssues(laterToday)];

    expect(issues).toEqual([
      [{ path: `${periodPath}/StartDate`, message: notYet }],
      [{ path: `${periodPath}/StartDateTime`, message: notYet }],
    ]);
  });

  it('still withdraws the release where a takedown has started by the message', () => {
    const today = parseErn(takedownInGB('<StartDate>2027-01-05</StartDate>'));
    const atCreation = parseErn(takedownInGB('<StartDateTime>2027-01-05T10:00:00Z</StartDateTime>'));

    if (!today.ok) throw today.error;
    if (!atCreation.ok) throw atCreation.error;
    expect([today.release.details?.territories, atCreation.release.details?.territories]).toEqual([
      ['IE'],
      ['IE'],
    ]);
  });
});
