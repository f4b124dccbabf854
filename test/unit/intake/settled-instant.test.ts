import { describe, expect, it } from 'vitest';
import { TourShowSettled } from '#shared/events/index.ts';
import { parseWebhookBody } from '#shared/webhooks.ts';

const issuesOf = (body: unknown) => {
  const parsed = parseWebhookBody(Buffer.from(JSON.stringify(body)));
  return parsed.ok ? [] : parsed.error.issues;
};

/**
 * docs/design.md#ordering-by-the-labels-timestamp: "Every instant a label or the manager gives with its
 * zone ... is checked by one field, OffsetInstant ...: it must fall in the years 1970-9999 once in UTC,
 * else a 400 names it." A settlement's settledAt is such an instant (a tour.show.settled webhook).
 */
describe('a tour.show.settled webhook', () => {
  it.each(['9999-12-31T23:30:00-01:00', '1969-12-31T23:00:00Z', '0001-01-01T00:00:00Z'])(
    'refuses a settledAt of %s, outside the years 1970-9999 in UTC, naming it',
    (settledAt) => {
      const issues = issuesOf({
        type: 'tour.show.settled',
        timestamp: '2027-05-15T02:00:00Z',
        data: { ...TourShowSettled.sample, settledAt },
      });

      expect(issues.map((issue) => issue.path)).toEqual(['data.settledAt']);
    },
  );
});
