import { describe, expect, it } from 'vitest';
import { consolePage } from '#infra/local/console.ts';

/** The console over a release whose API view is `mail`, as `GET /labels/{labelId}/releases/{releaseId}` answers. */
const pageFor = (mail: Record<string, Record<string, number>>) =>
  consolePage({
    clock: { now: () => new Date('2027-03-01T10:00:00Z'), offsetMs: () => 0 },
    managerTimeZone: 'Europe/London',
    bus: {
      shownEvents: () => [
        {
          bus: 'backline',
          event: {
            id: 'evt-1',
            time: '2027-03-01T09:00:00Z',
            'detail-type': 'Release Scheduled',
            detail: { metadata: { labelId: 'lbl-1' }, data: { releaseId: 'rel-1', title: 'Night Drive' } },
          },
          invocations: [],
        } as never,
      ],
      deadLetters: () => [],
    },
    scheduler: { pending: () => [] },
    sesUrl: () => 'http://127.0.0.1:9',
    api: async () =>
      new Response(JSON.stringify({ labelId: 'lbl-1', releaseId: 'rel-1', state: 'scheduled', mail }), {
        status: 200,
      }),
  });

describe("the local console's releases", () => {
  it('counts every mail the release view counts: one complained about as well as one bounced', async () => {
    const page = await pageFor({
      announcement: { claimed: 0, sent: 1, failed: 0, bounced: 1, complained: 1, resent: 0 },
    });

    expect(page).toContain('announcement: <strong>1</strong> sent, 1 bounced, 1 complained</div>');
  });
});
