import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  answerLostThenInParis,
  changeAt,
  kindsToldDe,
  lateEmailSentAt,
  heldInParis as paris,
  runOnTo,
  sweepAt,
} from '#test/support/tours.ts';

/**
 * docs/design.md#tours: outlets told of a show hear that it moved, once per stay. A held announcement's
 * address is counted told nothing by the move's step (which forgets the country) and by the move back's
 * press-change (which, telling nobody, notes no country); its late Email Sent, the show back where the
 * mail told, finds no news, and notes the country again, since the address holds the mail's word of the
 * show there. The German outlet's announcement of show-1 (Berlin; SES sent it, its answer lost), held
 * while on hold; announced again on 10 February at the Olympia in Paris; back in Berlin on 11 February;
 * the late Email Sent at 00:05 (it went: the outlet holds Berlin, rightly); on 12 February moved to Paris
 * again: the move's step tells the outlet it moved (before the fix, no step did, and its last word was
 * 'live in Germany', Berlin).
 */
describe('a held announcement that went while its show was back in Berlin, the show then moved to Paris again', () => {
  it('tells the German outlet that the show moved', async () => {
    const world = await answerLostThenInParis();
    const { now, ses, deps, fakes } = world;
    // Held while on hold, announced again in Paris (the move's step forgets Germany), then back in Berlin.
    await changeAt({ now, deps }, '2027-02-11T00:00:00.000Z', { type: 'set', show: announced });
    await runOnTo({ now, fakes }, '2027-02-11T00:02:00Z');
    // The announcement's Email Sent comes, late: it went; the show is where it told (no news).
    await lateEmailSentAt(world, '2027-02-11T00:05:00Z');
    expect(kindsToldDe(ses)).toEqual(['press-announcement']);

    // 12 February: moved to Paris again; its steps, a sweep and the next day's due steps run.
    await changeAt({ now, deps }, '2027-02-12T00:00:00.000Z', { type: 'set', show: paris });
    await runOnTo({ now, fakes }, '2027-02-12T00:02:00Z');
    await sweepAt({ now, deps }, '2027-02-13T00:02:00Z');
    await runOnTo({ now, fakes }, '2027-02-13T00:03:00Z');

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-moved']);
  });
});
