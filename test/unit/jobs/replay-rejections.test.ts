import { describe, expect, it } from 'vitest';
import { replayPage } from '#functions/jobs/replay.ts';
import { maxReasonBytes } from '#shared/db/job-keys.ts';
import type { WebhookRecord } from '#shared/db/webhooks.ts';
import { aStartedReplay } from '#test/support/jobs.ts';

/** docs/design.md#jobs: a replay says what it did not republish, each record once. */
describe('a replay page', () => {
  const aRecord = (webhookId: string, overrides: Partial<WebhookRecord> = {}): WebhookRecord => ({
    labelId: 'nightshift-records',
    webhookId,
    format: 'ern',
    eventId: `evt-${webhookId}`,
    type: 'release.scheduled',
    body: '<NewReleaseMessage/>',
    receivedAt: '2027-01-02T10:00:00.000Z',
    status: 'published',
    expiresAt: 1_900_000_000,
    ...overrides,
  });

  it('lists a record found unpublishable with its reason, and not one the publisher listed for this page before (an earlier attempt put it back)', async () => {
    const { world, job } = await aStartedReplay();
    const now = world.clock.now;
    await world.webhooks.record(aRecord('MSG-1'), now);
    await world.webhooks.record(
      aRecord('MSG-2', {
        status: 'unpublishable',
        unpublishableReason: '(body): body is not well-formed XML',
        replayedBy: { jobId: job.jobId, page: 0 },
      }),
      now,
    );
    await world.webhooks.record(
      aRecord('MSG-3', {
        status: 'unpublishable',
        unpublishableReason: 'data.title: Too big',
        replayedBy: { jobId: 'job-earlier', page: 0 },
      }),
      now,
    );

    const pages = [await replayPage(job, 0, world.runner)];
    const next = pages[0] && 'cursor' in pages[0] ? pages[0].cursor : undefined;
    pages.push(await replayPage({ ...job, ...(next ? { cursor: next } : {}) }, 1, world.runner));

    expect(
      pages.map((page) => ('fail' in page ? page : { counts: page.counts, rejected: page.rejected })),
    ).toEqual([
      { counts: { replayed: 2, rejected: 0 }, rejected: [] },
      {
        counts: { replayed: 0, rejected: 1 },
        rejected: [{ webhookId: 'MSG-3', error: 'its event can no longer be built: data.title: Too big' }],
      },
    ]);
    expect(world.webhooks.requeued.map((record) => record.webhookId)).toEqual(['MSG-1']);
  });

  // A page's item holds up to 500 rejected records: a reason the publisher wrote long (a zod message
  // listing many fields) is cut as an import row's is, so the page stays within DynamoDB's 400 KB.
  it("cuts a long reason to the bytes an import row's reason is cut to, between characters", async () => {
    const { world, job } = await aStartedReplay();
    const reason = Array.from({ length: 80 }, (_, i) => `data.tracks.${i}.title: Trop long é`).join('; ');
    await world.webhooks.record(
      aRecord('MSG-9', { status: 'unpublishable', unpublishableReason: reason }),
      world.clock.now,
    );

    const page = await replayPage(job, 0, world.runner);

    const error = 'rejected' in page ? (page.rejected[0]?.error ?? '') : '';
    expect({
      within: Buffer.byteLength(error) <= maxReasonBytes,
      start: error.startsWith('its event can no longer be built: data.tracks.0.title: Trop long é; '),
      cut: error.endsWith('…'),
    }).toEqual({ within: true, start: true, cut: true });
  });
});
