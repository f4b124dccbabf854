import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  announcementLostThenOnHold,
  changeAt,
  kindsToldDe,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the sweep holds a stale announcement whose show is on hold only for now, and
 * "once they are on again it is written again, the same mail, and sent"; press for a show waits for it
 * to be announced (public) and for its `announceAt`. The rewriting leaves out only a show on hold or
 * cancelled, so a show taken off hold as `confirmed` (booked again, not public: to be announced at a
 * later `announceAt`) counts as on again, and the held announcement is sent to the press while the show
 * is not announced, weeks before its new embargo.
 */
describe('a press announcement held while its show is on hold, the show then confirmed, not yet announced again (8b15188)', () => {
  it('is not sent before the show is announced again', async () => {
    // The German outlet's announcement of show-1 claimed, SES's answer lost (nothing sent).
    // The German outlet's announcement claimed, SES's answer lost; a day later (the claim stale) the show
    // is put on hold; the sweep holds the announcement.
    const { now, fakes, deps, mailer, held } = await announcementLostThenOnHold();
    expect(held).toEqual({ resent: 0, closed: 0 });

    // A week later it is booked again, confirmed, to be announced on 1 March (not public until then).
    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', {
      type: 'set',
      show: { ...announced, status: 'confirmed', announceAt: '2027-03-01T09:00:00.000Z' },
    });
    await takeStepsWritten(fakes);

    // The sweep runs on, every stale window, for a day (still weeks before 1 March).
    await sweepsOn({ now, deps }, 48);

    // The show is not announced: the press hears nothing of it yet.
    expect(kindsToldDe(mailer.ses)).toEqual([]);
  });
});
