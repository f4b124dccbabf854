import { describe, expect, it } from 'vitest';
import { aLabel, aRelease, daysFromNow, sendWebhook } from '#test/support/announcing.ts';
import { api, clockNow, uniqueId, waitFor } from '#test/support/cloud.ts';

/**
 * A release's deliveries answer CSV to an Accept that prefers it, through the gateway: RFC 9110 12.5.1
 * weighs each type (`q`), and a weight of 0 means "not acceptable", so `text/csv;q=0` gets JSON.
 */
describe('a release’s deliveries, by the request’s Accept', () => {
  it('answers JSON to text/csv;q=0 and to a header weighing JSON heavier, CSV to one preferring it', async () => {
    const label = await aLabel();
    // A genre no outlet names: the release is mailed to few outlets, and the answer's shape is what counts.
    const release = aRelease({ genres: [uniqueId('genre')], releaseDate: await daysFromNow(60) });
    const sent = await sendWebhook(label, {
      type: 'release.scheduled',
      timestamp: (await clockNow()).toISOString(),
      data: release,
    });
    const path = `/labels/${label.id}/releases/${release.releaseId}/deliveries`;
    await waitFor(
      async () => (await api(`/labels/${label.id}/releases/${release.releaseId}`)).status === 200,
      {
        timeoutMs: 20_000,
        what: 'the release, stored',
      },
    );

    const answers = [];
    for (const accept of [
      'text/csv;q=0',
      'text/csv;q=0.5, application/json',
      'application/json;q=0.5, text/csv',
    ]) {
      const response = await api(path, { headers: { accept } });
      answers.push([accept, response.status, response.headers.get('content-type')]);
      await response.text();
    }

    expect(sent.status).toBe(202);
    expect(answers).toEqual([
      ['text/csv;q=0', 200, 'application/json'],
      ['text/csv;q=0.5, application/json', 200, 'application/json'],
      ['application/json;q=0.5, text/csv', 200, 'text/csv; charset=utf-8'],
    ]);
  });
});
