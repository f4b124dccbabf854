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
  withdrawDe,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';

/**
 * docs/design.md#street-dates-per-territory: "A move repeated between the same two dates ... is a move
 * of its own"; docs/design.md#exactly-once-mail: a held first mail's late Email Sent asks, for a
 * territory given back since at another date, that territory's date change (askDatesGivenBack), "as a
 * territory's date change is asked: its identity the moment it moves from and the date it moves to, a
 * repeated move's naming the giving back's label time after that moment".
 *
 * 40e0288 names the late Email Sent's date change as a repeated move when releases asked that move
 * before (askedDateChange), but the converse is not done: the late ask is recorded nowhere releases
 * look (dateChangesAsked), so a later move of the label between the same two dates is named as a first
 * move, (12 March, 19 March), the identity of the late ask the German outlet already had. The German
 * outlet's held re-announcement (12 March; SES sent it, its answer lost) is settled after DE was given
 * back on 19 March: it hears 12 -> 19. DE is withdrawn again (told), given back on 12 March (announced
 * again, stating 12 March), and the label then moves DE to 19 March: its date change to the German
 * outlet finds the late ask's claim and is not sent; the German outlet believes 12 March.
 */
describe('a held re-announcement settled late asks DE 12 -> 19 March; DE later given back on 12 March and moved to 19', () => {
  it('tells the German outlet DE moved to 19 March', async () => {
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

    // DE withdrawn (told), given back on 12 March (announced again, stating 12 March).
    await label(withdrawDe, 'evt-withdrawn-third', '2026-02-10T10:00:00.000Z');
    await label(
      { type: 'Release Updated', details: dates('2027-03-12') },
      'evt-given-back-third',
      '2026-02-11T10:00:00.000Z',
    );
    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'announcement', date: '12 March 2027' });

    // The label moves DE to 19 March.
    await label(
      { type: 'Release Updated', details: dates('2027-03-19') },
      'evt-moved',
      '2026-02-20T10:00:00.000Z',
    );
    for (const kind of ['cancellation', 'announcement', 'date-change']) await runRequested(world, kind);
    await sweepEachMinute(world, 60);
    world.clock.now += defaultSettings.staleClaimMs;
    await sweepStaleClaims(world.deps, far());

    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '19 March 2027' });
  });
});
