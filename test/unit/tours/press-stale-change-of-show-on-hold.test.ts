import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import {
  announcedShow as announced,
  changeHeldWhileOnHold,
  kindsToldDe,
  metaAt,
  sweepsOn,
  takeStepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: the sweep writes a stale press-change "as that show's step would write it for the
 * address now", and a show on hold takes no press step for now (its press-change step is ignored: the
 * show is not announced). 8b15188 leaves a show on hold out of a stale announcement's resend, but not out
 * of a stale change's: the change branch of rebuildPressMails writes the change again for a show on hold
 * (only a cancelled one is told otherwise), under the hold's own change, so the outlet hears "Changed:
 * ... Berlin 2027-05-14", its calendar TENTATIVE: the press is told of a hold, which is not public.
 */
describe("a stale press-change claim of a show put on hold since (8b15188's hold, the change's path)", () => {
  it('tells the outlet nothing while the show is on hold, and the change once it is announced again', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    // An hour later the doors change to 20:00 (the outlet's "Changed" claimed, SES's answer lost); a day
    // later (the claim stale) the show is put on hold; the sweep runs.
    const retimed = await changeHeldWhileOnHold({ now, deps, fakes, mailer }, announced);

    // Its press-change step would send nothing for a show on hold; nor does the sweep.
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);

    // Held, not closed: a week later the show is announced again as it was; the outlet, told doors at
    // 19:00, hears of 20:00 from the sweep (from a hold, no step of the show tells the press).
    now.value = new Date(now.value.getTime() + 7 * 24 * 3600_000);
    await applyShowChange('tour-1', { type: 'set', show: retimed }, metaAt(now.value.toISOString()), deps);
    await takeStepsWritten(fakes);
    await sweepsOn({ now, deps }, 4);
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement', 'press-change']);
  });
});
