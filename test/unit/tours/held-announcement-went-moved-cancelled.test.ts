import { describe, expect, it } from 'vitest';
import {
  answerLostThenInParis,
  cancelledOn11February,
  kindsToldDe,
  lateEmailSentAt,
  runOnTo,
} from '#test/support/tours.ts';

/**
 * A held announcement's follow-up tells the cancellation of a show gone from the mail's country and
 * cancelled since, the country forgotten by the move's step, not that it moved (docs/design.md#tours).
 * The German outlet's announcement of show-1 (Berlin; SES sent it, its answer lost), held while on hold;
 * announced again on 10 February at the Olympia in Paris (the move's step counts the outlet told nothing
 * and forgets Germany); cancelled on 11 February; then the late Email Sent: the outlet, told by the mail
 * that went that the show plays in Berlin, hears "Cancelled", not "The show below has moved to Paris".
 */
describe('a held announcement that went, its show moved to Paris and then cancelled before its late Email Sent', () => {
  it('tells the German outlet that the show is cancelled, not that it moved to Paris', async () => {
    const world = await answerLostThenInParis();
    const { now, ses, fakes } = world;
    await cancelledOn11February(world);
    await runOnTo({ now, fakes }, '2027-02-11T00:02:00Z');
    expect(kindsToldDe(ses)).toEqual(['press-announcement']);

    // The announcement's Email Sent comes, late: it went.
    await lateEmailSentAt(world, '2027-02-11T00:05:00Z');

    expect(kindsToldDe(ses)).toEqual(['press-announcement', 'press-cancellation']);
  });
});
