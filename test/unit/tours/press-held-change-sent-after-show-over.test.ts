import { describe, expect, it } from 'vitest';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import {
  announcedShow as announced,
  changeAt,
  changeHeldWhileOnHold,
  kindsToldDe,
  sweepsOn,
  takeStepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the sweep writes a stale press-change "as that show's step would write it for the
 * address now", and a show's press step is of use until the show is over (stepStopped: stepLapsesAt,
 * 06:00 the day after at the venue); e9f701d leaves a show over out of a held announcement, but the
 * change branch of rebuildPressMails reads pressDue alone. The German outlet's "Changed" (doors 20:00,
 * SES's answer lost) is held while the 14 May Berlin show is on hold; the label sets it announced again at
 * 06:10 Berlin on 15 May, after it was over (its step, too late, tells nothing), and the sweep's next look
 * at the held claim, half an hour after its last, tells the outlet "Changed" of a show that played.
 */
describe('a press-change held while its show is on hold, the show set announced again after it is over (e9f701d, the change path)', () => {
  it('is closed, not sent to the German outlet after the show is over', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    // An hour later the doors change to 20:00 (the outlet's "Changed" claimed, SES's answer lost); a day
    // later (the claim stale) the show is put on hold; the sweep holds the change.
    const retimed = await changeHeldWhileOnHold({ now, deps, fakes, mailer }, announced);

    // 05:50 in Berlin on 15 May (03:50 UTC), the show still on hold and not over: held again.
    now.value = new Date('2027-05-15T03:50:00Z');
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // 06:10 in Berlin (04:10 UTC), the show over at 06:00, it is set announced again; the sweep looks on.
    await changeAt({ now, deps }, '2027-05-15T04:10:00.000Z', { type: 'set', show: retimed });
    await takeStepsWritten(fakes);
    await sweepsOn({ now, deps }, 60, 60_000);

    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
  });
});
