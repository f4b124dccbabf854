import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { settleFromEmailsSent } from '#functions/announcer/settle.ts';
import {
  aLabelAndItsPress,
  detailOf,
  emailSent,
  far,
  givenBackItsAnswerLost,
  meta,
  runSettled,
  withdrawDe,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

/** GB on 26 March, DE on its own date `de`. */
const dates = (de: string) =>
  aReleaseDetails({
    territories: ['GB', 'DE'],
    releaseDate: '2027-03-26',
    territoryDates: [{ territories: ['DE'], releaseDate: de }],
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
    await label(
      { type: 'Release Scheduled', details: dates('2027-03-12') },
      'evt-scheduled',
      '2026-01-01T10:00:00.000Z',
    );
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    await givenBackItsAnswerLost(press, { type: 'Release Updated', details: dates('2027-03-12') });
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);
    await withdrawnAgainAndSwept(press);

    // DE given back on 19 March, then moved to 23 March, the re-announcement still open.
    world.clock.now += 5 * 60_000;
    await label(
      { type: 'Release Updated', details: dates('2027-03-19') },
      'evt-given-back-19',
      '2026-02-04T10:00:00.000Z',
    );
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
