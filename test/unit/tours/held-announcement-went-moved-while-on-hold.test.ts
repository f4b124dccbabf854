import { describe, expect, it } from 'vitest';
import {
  answerLostThenInParis,
  changeAt,
  lateEmailSentAt,
  heldInParis as paris,
  putOnHold,
  runOnTo,
  takeStepsWritten,
} from '#test/support/tours.ts';

/**
 * A held announcement's follow-up of a show gone from the mail's country, the country forgotten by the
 * move's step, and on hold since tells nothing while it is not due for now and notes the country again,
 * so the move's step tells "Moved" once it is announced again (docs/design.md#tours). The German
 * outlet's announcement of show-1 (Berlin; SES sent it, its answer lost), held while on hold; announced
 * again on 10 February at the Olympia in Paris (the move's step forgets Germany); on hold again on 11
 * February; the late Email Sent: nothing; announced again on 12 February: "Moved", CONFIRMED.
 */
describe('a held announcement that went, its show moved to Paris and on hold again before its late Email Sent', () => {
  it("leaves the German outlet's calendar confirming the show once it is announced again", async () => {
    const world = await answerLostThenInParis();
    const { now, ses, deps, fakes } = world;
    await putOnHold({ now, deps, fakes }, paris, '2027-02-11T00:00:00.000Z');
    // The announcement's Email Sent comes, late: it went.
    await lateEmailSentAt(world, '2027-02-11T00:05:00Z');
    // 12 February: announced again in Paris; its steps and a day of due steps run.
    await changeAt({ now, deps }, '2027-02-12T00:00:00.000Z', { type: 'set', show: paris });
    await takeStepsWritten(fakes);
    await runOnTo({ now, fakes }, '2027-02-13T00:00:00Z');

    // The last mail the outlet got tells of the Olympia, and its calendar states show-1 confirmed.
    const last = ses.calls.filter((call) => JSON.stringify(call).includes('de@press.example')).at(-1);
    expect(JSON.stringify(last)).toContain('Olympia');
    expect(JSON.stringify(last).match(/STATUS:([A-Z]+)/)?.[1]).toBe('CONFIRMED');
  });
});
