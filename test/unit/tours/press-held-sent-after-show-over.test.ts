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
 * docs/design.md#tours: a held announcement "with its show over, cancelled still or not, it is closed";
 * a show's press is of use until the show is over (stepLapsesAt: 06:00 the day after, at the venue).
 * 186369f's rewriting keeps a show by pressDue alone (announced, its announceAt passed), and the margin
 * of fab0d41 holds the claim from the change that set the show on again; nothing reads whether the show
 * is over when the claim is looked at again. The show of 14 May in Berlin, on hold since February (its
 * German announcement held, SES's answer lost), is set announced again at 05:45 on 15 May (the label
 * correcting its status after the night): the sweep holds the claim from that change and, at its next
 * look past the margin, sends the German outlet the announcement of a show that played the night before.
 */
describe('a press announcement held while its show is on hold, the show set on again just before it is over (186369f, fab0d41)', () => {
  it('is closed, not sent to the German outlet after the show is over', async () => {
    // The German outlet's announcement claimed, SES's answer lost; a day later (the claim stale) the show
    // is put on hold; the sweep holds the announcement.
    const { now, fakes, deps, mailer, held } = await announcementLostThenOnHold();
    expect(held).toEqual({ resent: 0, closed: 0 });

    // 05:45 in Berlin on 15 May (03:45 UTC), a quarter of an hour before the show is over (06:00), it is
    // set announced again; the sweep looks a minute later (holding it for the margin), then every 31
    // minutes for two hours: its look at 04:17 UTC (06:17 in Berlin) is past the show's end.
    await changeAt({ now, deps }, '2027-05-15T03:45:00.000Z', { type: 'set', show: announced });
    await takeStepsWritten(fakes);
    await sweepsOn({ now, deps }, 1, 60_000);
    await sweepsOn({ now, deps }, 4);

    // Held from 03:45 for the margin, it could go no earlier than after the show was over: it never goes.
    expect(kindsToldDe(mailer.ses)).toEqual([]);
  });
});
