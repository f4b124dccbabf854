import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  aLabelAndItsPress,
  deOnItsOwnDate as dates,
  far,
  givenBackAgainTenMinutesOn,
  lateEmailSent,
  reAnnouncedItsAnswerLost,
  runRequested,
  sweepEachMinute,
  toldDeOf as toldDe,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#exactly-once-mail: a held first mail's late Email Sent asks, for a territory given
 * back since at another date, that territory's date change (askDatesGivenBack); and "A date change
 * states, as the date the release 'was', the date that address was last told", while "An address last
 * told the date that stands ... gets no date change". What an address was last told is looked up in
 * the first mail and the date changes releases asked after it (dateChangesAsked, lastToldOf); the late
 * ask is not among them (40e0288 reads releases' asks for its identity; nothing reads it back). The
 * German outlet's re-announcement (DE 12 March; SES sent it, its answer lost) held while DE was
 * withdrawn again, settled after DE was given back on 19 March: it hears 12 -> 19. The label moves DE
 * back to 12 March: the lookup finds the re-announcement's 12 March as the German outlet's last word,
 * takes it as told the date that stands, and sends nothing; the German outlet believes 19 March.
 */
describe('a held re-announcement settled late asks DE 12 -> 19 March; the label then moves DE back to 12', () => {
  it('tells the German outlet DE moved back to 12 March', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    // DE given back on 12 March: SES sends the re-announcement, its answer lost; DE withdrawn again,
    // the sweep holds it.
    const announcements = await reAnnouncedItsAnswerLost(press, dates('2027-03-12'));
    expect(announcements).toHaveLength(2);
    await withdrawnAgainAndSwept(press);
    expect(world.deliveries.items.get(announcements[1].deliveryId)?.status).toBe('claimed');

    // DE given back on 19 March; the re-announcement's late Email Sent asks DE's date change 12 -> 19.
    await givenBackAgainTenMinutesOn(press, dates('2027-03-19'));
    await lateEmailSent(world, announcements[1], ['cancellation', 'announcement', 'date-change']);
    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '19 March 2027' });

    // The label moves DE back to 12 March.
    await label(
      { type: 'Release Updated', details: dates('2027-03-12') },
      'evt-moved-back',
      '2026-02-10T10:00:00.000Z',
    );
    for (const kind of ['cancellation', 'announcement', 'date-change']) await runRequested(world, kind);
    await sweepEachMinute(world, 60);
    world.clock.now += defaultSettings.staleClaimMs;
    await sweepStaleClaims(world.deps, far());

    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '12 March 2027' });
  });
});
