import { describe, expect, it } from 'vitest';
import {
  aLabelAndItsPress,
  deOnItsOwnDate as dates,
  givenBackAgainTenMinutesOn,
  lateEmailSent,
  reAnnouncedItsAnswerLost,
  runAndSweptAnHour,
  toldDeOf as toldDe,
  withdrawDe,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';

/**
 * The scene both describes below start from: the German outlet's re-announcement (DE 12 March; SES sent
 * it, its answer lost) held while DE is withdrawn again, settled after DE was given back on 19 March: its
 * late Email Sent asks DE's date change 12 -> 19 (askDatesGivenBack), and the German outlet hears it.
 */
async function lateAskTwelveToNineteen() {
  const press = aLabelAndItsPress();
  const { german, world } = press;
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
  return press;
}

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
    const { german, world, label } = await lateAskTwelveToNineteen();

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
    await runAndSweptAnHour(world, ['cancellation', 'announcement', 'date-change']);

    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '19 March 2027' });
  });
});

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
    const { german, world, label } = await lateAskTwelveToNineteen();

    // The label moves DE back to 12 March.
    await label(
      { type: 'Release Updated', details: dates('2027-03-12') },
      'evt-moved-back',
      '2026-02-10T10:00:00.000Z',
    );
    await runAndSweptAnHour(world, ['cancellation', 'announcement', 'date-change']);

    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '12 March 2027' });
  });
});
