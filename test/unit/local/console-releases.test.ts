import { describe, expect, it } from 'vitest';
import { consolePageOver } from '#test/support/console.ts';

/** The console over a release whose API view is `mail`, as `GET /labels/{labelId}/releases/{releaseId}` answers. */
const pageFor = (mail: Record<string, Record<string, number>>) =>
  consolePageOver(
    [
      {
        detailType: 'Release Scheduled',
        labelId: 'lbl-1',
        data: { releaseId: 'rel-1', title: 'Night Drive' },
      },
    ],
    () => ({ labelId: 'lbl-1', releaseId: 'rel-1', state: 'scheduled', mail }),
  );

describe("the local console's releases", () => {
  it('counts every mail the release view counts: one complained about as well as one bounced', async () => {
    const page = await pageFor({
      announcement: { claimed: 0, sent: 1, failed: 0, bounced: 1, complained: 1, resent: 0 },
    });

    expect(page).toContain('announcement: <strong>1</strong> sent, 1 bounced, 1 complained</div>');
  });

  it('counts a mail SES rejected after taking it apart from those sent', async () => {
    const page = await pageFor({
      announcement: { claimed: 0, sent: 2, failed: 0, bounced: 0, complained: 0, rejected: 1, resent: 0 },
    });

    expect(page).toContain('announcement: <strong>2</strong> sent, 1 rejected</div>');
  });
});
