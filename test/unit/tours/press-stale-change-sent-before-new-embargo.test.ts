import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  changeAt,
  changeHeldWhileOnHold,
  kindsToldDe,
  stepsWritten,
  sweepsOn,
  toldDePressOf,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: "Press for a show waits for its `announceAt`"; 186369f made pressDue (announced,
 * its announceAt passed) the rule for what a held announcement may tell, and holds one whose show is
 * announced again under a new embargo. 52424fe holds a stale change of a show on hold "while the show may
 * yet be announced", but its change branch writes the change again once the show is merely announced
 * (isAnnounced), not due: a show put on hold and announced again with its press embargoed to 1 March has
 * its held "Changed" sent to the German outlet on 10 February.
 */
describe('a stale press-change held while its show is on hold, the show announced again with a new embargo (52424fe)', () => {
  it("tells the German outlet nothing of it before the show's new announceAt", async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    // An hour later the doors change to 20:00 (the outlet's "Changed" claimed, SES's answer lost); a day
    // later (the claim stale) the show is put on hold; the sweep holds the change.
    const retimed = await changeHeldWhileOnHold({ now, deps, fakes, mailer }, announced);

    // On 10 February it is announced again, its press embargoed until 1 March. Its own press-change step
    // is left out here (press-change-before-new-embargo.test.ts shows it): the sweep alone.
    await changeAt({ now, deps }, '2027-02-10T00:00:00.000Z', {
      type: 'set',
      show: { ...retimed, announceAt: '2027-03-01T09:00:00.000Z' },
    });
    stepsWritten(fakes.tours);
    await sweepsOn({ now, deps }, 48);

    // Still weeks before 1 March: the outlet has only its first announcement.
    expect(kindsToldDe(mailer.ses)).toEqual(['press-announcement']);
  });
});
