import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernBase, ernMessage } from '#test/support/ern.ts';

/**
 * docs/design.md#ddex-ern: an ERN end date is taken at 00:00 UTC, a date-time at its offset or as UTC
 * without one (a start naming no zone is local to its territory: ern-local-starts.test.ts); a deal ended
 * by the message withdraws its territories. A date that is none (30
 * February) is a 400 naming its element, never rolled over into March, and an end given as a
 * date-time is compared with the message's creation as the instant it names, not as a day.
 */
const message = (values: Partial<Record<'createdAt' | 'date', string>> = {}) =>
  ernMessage('single', {
    messageId: 'MSG-2026-1204',
    createdAt: '2026-12-04T20:00:00Z',
    icpn: '5012345678900',
    genre: 'Synthpop',
    date: '2026-11-06',
    ...values,
  });
/** The single's two deals (GB and IE) running from its street date until `end`. */
const endingAt = (end: string) =>
  message().replaceAll('<StartDate>2026-11-06</StartDate>', `<StartDate>2026-11-06</StartDate>${end}`);

const issues = (xml: string) => {
  const parsed = parseErn(xml);
  return parsed.ok ? [] : parsed.error.issues;
};
const deals = 'NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms/ValidityPeriod';

describe('dates in an ERN message', () => {
  it('refuses a MessageCreatedDateTime that is no date, naming it, rather than reading 30 February as 2 March', () => {
    expect(issues(message({ createdAt: '2026-02-30T10:00:00' }))).toEqual([
      {
        path: 'NewReleaseMessage/MessageHeader/MessageCreatedDateTime',
        message: 'is not an ISO 8601 date-time',
      },
    ]);
  });

  it('refuses a deal starting on a day that does not exist, naming its StartDateTime', () => {
    const xml = message().replaceAll(
      '<StartDate>2026-11-06</StartDate>',
      '<StartDateTime>2027-02-30T09:00:00</StartDateTime>',
    );

    expect(issues(xml)).toEqual([
      { path: `${deals}/StartDateTime`, message: 'is not an ISO 8601 date-time' },
    ]);
  });

  it('refuses an EndDate that is no date, naming it, rather than keeping the deal running', () => {
    expect(issues(endingAt('<EndDate>2026-12-32</EndDate>'))).toEqual([
      { path: `${deals}/EndDate`, message: 'is not an ISO 8601 date' },
    ]);
  });

  it('refuses a preview start that is no date-time, naming it, rather than leaving the preview unread', () => {
    const xml = ernMessage('three-territories', {
      ...ernBase,
      dateGB: '2027-03-05',
      dateDE: '2027-03-12',
      dateUS: '2027-03-19',
      preOrderDate: '2027-02-05',
    }).replace(
      '<ClipPreviewStartDateTime>2027-02-05T00:00:00</ClipPreviewStartDateTime>',
      '<ClipPreviewStartDateTime>2027-02-30T00:00:00</ClipPreviewStartDateTime>',
    );

    expect(issues(xml)).toEqual([
      {
        path: 'NewReleaseMessage/DealList/ReleaseVisibility/ClipPreviewStartDateTime',
        message: 'is not an ISO 8601 date-time',
      },
    ]);
  });

  it('keeps a territory whose deal ends later on the day the message was created', () => {
    const parsed = parseErn(endingAt('<EndDateTime>2026-12-04T23:00:00Z</EndDateTime>'));

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details?.territories).toEqual(['GB', 'IE']);
  });

  it('withdraws a territory whose deal ended at an offset before the message, though on a later day there', () => {
    // 02:00 on 5 December in Tokyo is 17:00 UTC on 4 December, three hours before the message.
    const parsed = parseErn(endingAt('<EndDateTime>2026-12-05T02:00:00+09:00</EndDateTime>'));

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details).toBeUndefined();
  });
});
