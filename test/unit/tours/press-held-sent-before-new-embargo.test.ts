import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  announcementLostThenOnHold,
  changeAt,
  kindsToldDe,
  runOnTo,
  sweepsOn,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the sweep holds a stale announcement whose show is on hold only for now, and
 * "once they are on again it is written again, the same mail, and sent"; press for a show waits for its
 * `announceAt`. The rewriting reads only whether a show is on hold or cancelled, not its embargo: a show
 * taken off hold as announced, its press embargoed until 1 March, counts as on again, and the held
 * announcement is sent to the press weeks before the embargo ends.
 */
describe('a press announcement held while its show is on hold, the show then on again with a new embargo (8b15188)', () => {
  it("is not sent before the show's new announceAt, and once from it", async () => {
    // The German outlet's announcement of show-1 claimed, SES's answer lost (nothing sent).
    // The German outlet's announcement claimed, SES's answer lost; a day later (the claim stale) the show
    // is put on hold; the sweep holds the announcement.
    const { now, fakes, deps, mailer, held } = await announcementLostThenOnHold();
    expect(held).toEqual({ resent: 0, closed: 0 });

    // A week later it is on again, announced, its press embargoed until 1 March (announceAt).
    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', {
      type: 'set',
      show: { ...announced, announceAt: '2027-03-01T09:00:00.000Z' },
    });
    await takeStepsWritten(fakes);

    // The sweep runs on, every stale window, for a day (still weeks before 1 March).
    await sweepsOn({ now, deps }, 48);

    // Its press embargoed until 1 March, the press hears nothing of it yet.
    expect(kindsToldDe(mailer.ses)).toEqual([]);

    // Held, not closed: from 1 March (its step due, the sweep on) the outlet has it, once.
    await runOnTo({ now, fakes }, '2027-03-01T09:01:00Z');
    await sweepsOn({ now, deps }, 4);
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
  });
});
