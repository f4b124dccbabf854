import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import {
  aLabelAndItsPress,
  deOnItsOwnDate as dates,
  detailOf,
  emailSent,
  far,
  lateEmailSent,
  meta,
  reAnnouncedItsAnswerLost,
  runAndSweptAnHour,
  runSettled,
  toldDeOf as toldDe,
  withdrawDe,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';

/**
 * The scene both describes below start from: the German outlet's re-announcement (DE 12 March; SES sent
 * it, its answer lost) held while DE is withdrawn again; five minutes on, DE given back on 19 March, the
 * re-announcement still held. Gives the German outlet's announcements.
 */
async function heldThenGivenBackOn19(press: ReturnType<typeof aLabelAndItsPress>) {
  // DE given back on 12 March: SES sends the re-announcement, its answer lost; DE withdrawn again,
  // the sweep holds it.
  const announcements = await reAnnouncedItsAnswerLost(press, dates('2027-03-12'));
  expect(announcements).toHaveLength(2);
  await withdrawnAgainAndSwept(press);

  press.world.clock.now += 5 * 60_000;
  await press.label(
    { type: 'Release Updated', details: dates('2027-03-19') },
    'evt-given-back-19',
    '2026-02-04T10:00:00.000Z',
  );
  return announcements;
}

/**
 * docs/design.md#street-dates-per-territory and #exactly-once-mail: releases keeps a territory given
 * back at another date among the date changes asked, "so a later move between the same two dates is a
 * move of its own and an address told it is read as told it"; "An address last told the date that stands
 * ... gets no date change" is read from the first mail and the asks releases kept (lastToldOf).
 *
 * 601e37a keeps the ask from the date DE was withdrawn at (withdrawn.moments) to the date it is given
 * back at, and askDatesGivenBack takes that identity only where the held mail stated the withdrawn date.
 * Given back twice while the German outlet's re-announcement is held (12 March; SES sent it, its answer
 * lost), releases keeps 12 -> 19 and 19 -> 23; the late Email Sent asks 12 -> 23 under an identity kept
 * nowhere, and the German outlet is told 23 March. The label then moves DE back to 12 March: the lookup
 * reads the re-announcement's 12 March as the German outlet's last word (its 12 -> 23 is not among the
 * asks it reads), takes it as told the date that stands, and sends nothing: the German outlet believes
 * 23 March.
 */
describe('a held re-announcement (DE 12 March) settled late after DE was given back on 19, withdrawn, and given back on 23 March', () => {
  it('tells the German outlet DE moved back to 12 March', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    // DE given back on 19 March, withdrawn, and given back on 23 March, the re-announcement still held.
    const announcements = await heldThenGivenBackOn19(press);
    await label(withdrawDe, 'evt-withdrawn-third', '2026-02-05T10:00:00.000Z');
    await label(
      { type: 'Release Updated', details: dates('2027-03-23') },
      'evt-given-back-23',
      '2026-02-06T10:00:00.000Z',
    );
    expect(world.deliveries.items.get(announcements[1].deliveryId)?.status).toBe('claimed');

    // The re-announcement's late Email Sent: the German outlet hears DE's date change 12 -> 23.
    world.clock.now += 5 * 60_000;
    await lateEmailSent(world, announcements[1], ['cancellation', 'announcement', 'date-change']);
    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '23 March 2027' });

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

/**
 * docs/design.md#exactly-once-mail: each date change states "the date that address was last told", and
 * "An address last told the date that stands ... gets no date change"; mails go once "however often
 * its mailing is delivered, asked again or swept". What an address was last told is read from its first
 * mail and the date changes releases kept as asked (lastToldOf).
 *
 * The German outlet's re-announcement (DE 12 March; SES sent it, its answer lost) is held while DE is
 * withdrawn again; DE is given back on 19 March (releases keeps 12 -> 19), and the label moves DE to 23
 * March while the re-announcement is still open (its mailing passes it). The late Email Sent asks two
 * date changes for the German outlet: the follow-up 19 -> 23 (the move since its mail was written) and
 * askDatesGivenBack's 12 -> 23, an identity kept nowhere (releases kept 12 -> 19). The bus keeps no
 * order between them: run 12 -> 23 first, the German outlet is told 'was 12 March, now 23 March'; 19 ->
 * 23's lookup does not read that ask, takes the re-announcement's 12 March as its last word, and tells it
 * the same a second time.
 */
describe('a held re-announcement settled late after DE was given back on 19 March and moved to 23', () => {
  it('tells the German outlet of DE on 23 March once, whichever of its two date changes runs first', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    // DE given back on 19 March, then moved to 23 March, the re-announcement still open.
    const announcements = await heldThenGivenBackOn19(press);
    await label(
      { type: 'Release Updated', details: dates('2027-03-23') },
      'evt-moved-23',
      '2026-02-05T10:00:00.000Z',
    );
    expect(world.mailer.receivedBy(german.email, 'date-change')).toEqual([]);

    // The re-announcement's late Email Sent; the date changes it asks run, the last asked first.
    world.clock.now += 5 * 60_000;
    const before = world.published.length;
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);
    await runSettled(world);
    const asked = world.published
      .slice(before)
      .filter((entry) => entry.detailType === 'Mailing Requested')
      .map((entry) => detailOf(entry).data)
      .filter((request) => request.kind === 'date-change');
    expect(asked.length).toBeGreaterThan(0);
    for (const request of asked.reverse()) await sendMailing(request, meta, world.deps, far());

    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(1);
  });
});
