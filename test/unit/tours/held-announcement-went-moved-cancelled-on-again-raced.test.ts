import { describe, expect, it } from 'vitest';
import {
  answerLostThenInParis,
  cancelledOn11February,
  kindsToldDe,
  lateEmailSentRacedByParis,
  runOnTo,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: of a show moved to Paris, the country forgotten, and cancelled before the late
 * Email Sent, the held announcement's follow-up tells the cancellation (91d4e27); like every step it reads
 * the show again after the notes and tells nothing when it changed since, as "that latest change's step
 * ..., reading the notes after, tells what stands". Set on again in Paris between the follow-up's read and
 * that read again, the show's latest step tells France only (Germany forgotten) and the follow-up tells
 * nothing: nobody tells the outlet it moved. The German outlet's announcement of show-1 (Berlin; SES sent
 * it, its answer lost), held while on hold; announced again on 10 February at the Olympia in Paris (the
 * move's step forgets Germany); cancelled on 11 February; the late Email Sent on 12 February: its
 * follow-up has read the show cancelled when the label sets it on again in Paris and that change's steps
 * run; the follow-up then reads it on and tells nothing. Due steps and a day of sweeps add nothing: the
 * outlet's last word is "live in Germany", Berlin, for a show on in Paris.
 */
describe('a held announcement that went, its show cancelled in Paris and set on again just after its follow-up read it', () => {
  // The follow-up notes Germany before it tells, so the on-again's step, reading it, tells the outlet the
  // show moved; a change landing before that note refuses it, and the follow-up is taken from a fresh read.
  it('tells the German outlet that the show moved', async () => {
    const world = await answerLostThenInParis();
    const { now, ses, fakes } = world;
    await cancelledOn11February(world);
    await runOnTo({ now, fakes }, '2027-02-11T00:02:00Z');

    // The late Email Sent on 12 February: its follow-up has read the show (cancelled) when the label sets
    // it on again in Paris and that change's steps run, before the follow-up reads the notes.
    // Whatever the change left due runs, and the sweep looks, a day on.
    expect(await lateEmailSentRacedByParis(world, 'pressTold')).toBe(true);

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
