import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernWebhookType } from '#shared/webhooks.ts';
import { ernMessage } from '#test/support/ern.ts';

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
