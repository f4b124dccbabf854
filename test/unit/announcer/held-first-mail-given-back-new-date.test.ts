import { describe, expect, it } from 'vitest';
import {
  aLabelAndItsPress,
  deOnItsOwnDate as dates,
  givenBackAgainTenMinutesOn,
  givenBackItsAnswerLost,
  lateEmailSent,
  reAnnouncedItsAnswerLost,
  runRequested,
  sweepEachMinute,
  toldDeOf as toldDe,
  withdrawDe,
  withdrawnAgainAndSwept,
} from '#test/support/announcer-fakes.ts';

// docs/design.md#exactly-once-mail: a re-announcement left open while DE is withdrawn again is held,
// and "the next giving back's mailing passes it (its claim open), its late Email Sent settles it as
// sent once and asks its follow-ups"; docs/design.md#street-dates-per-territory: a withdrawal is stored
// as the narrowed release, so a giving back that lists DE at a new date records no date change for DE.
// The held re-announcement stated DE's old date (12 March); the giving back (19 March) passes the
// German outlet, and the sweeps of the next ten minutes leave it held (looked at again once stale
// again); its late Email Sent settles it, and what follows it tells the German outlet DE's date as it
// now stands: the date change of DE from the date the mail stated to the one that stands.

/**
 * The scene both describes below end with: the German outlet's re-announcement (DE 12 March, its
 * claim open, the second announcement it received) held while DE is withdrawn again, DE given back on
 * 19 March, and the re-announcement's late Email Sent.
 */
async function heldThenSettledAfterGivenBackOn19(
  press: ReturnType<typeof aLabelAndItsPress>,
  announcements: Parameters<typeof lateEmailSent>[1][],
) {
  const { world } = press;
  expect(announcements).toHaveLength(2);
  // DE withdrawn again; the sweep holds the re-announcement.
  await withdrawnAgainAndSwept(press);
  expect(world.deliveries.items.get(announcements[1].deliveryId)?.status).toBe('claimed');

  // DE given back again, on 19 March now; the re-announcement's Email Sent comes ten minutes after.
  await givenBackAgainTenMinutesOn(press, dates('2027-03-19'));
  // The sweeps of those ten minutes, one a minute.
  await sweepEachMinute(world, 10);
  await lateEmailSent(world, announcements[1], ['cancellation', 'announcement', 'date-change', 'out-now']);
  // The sweeps of the next hour.
  await sweepEachMinute(world, 60);
}

describe('a re-announcement held while DE is withdrawn again, DE given back at a new date', () => {
  it('leaves the German outlet told DE’s date as it now stands once its late Email Sent settles it', async () => {
    const press = aLabelAndItsPress();
    const { german, world } = press;
    // DE given back on 12 March: SES sends the re-announcement, its answer lost (its claim open).
    const announcements = await reAnnouncedItsAnswerLost(press, dates('2027-03-12'));

    await heldThenSettledAfterGivenBackOn19(press, announcements);

    // What the German outlet was last told of DE's date, by the mails it received (as SES merges them).
    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: expect.any(String), date: '19 March 2027' });
  });
});

/**
 * docs/design.md#street-dates-per-territory: "A move repeated between the same two
 * dates (5 to 19, back to 5, then 5 to 19 again; the release's, or a territory's) is a move of its own"
 * (the repeated move's identity names the label's time of the move after the moment it moves from).
 * 249d6ce asks the date change a first mail settled late owes its outlet in a territory given back at
 * another date under the identity (the moment the mail stated, the date that stands) alone. Here DE was
 * moved 12 -> 19 March and back to 12 before, each date change told to the German outlet; the held
 * re-announcement states 12 March and DE is given back on 19 March: the date change asked (12 -> 19)
 * has the identity of the first move, already sent, so the German outlet is told nothing and believes
 * 12 March.
 */
describe('a re-announcement held while DE is withdrawn again, DE given back at a date it moved to and from before', () => {
  it('leaves the German outlet told DE’s date as it now stands once its late Email Sent settles it', async () => {
    const press = aLabelAndItsPress();
    const { german, world, label } = press;
    await label(
      { type: 'Release Scheduled', details: dates('2027-03-12') },
      'evt-scheduled',
      '2026-01-01T10:00:00.000Z',
    );
    // DE moved to 19 March and back to 12 March before: the German outlet heard both date changes.
    await label(
      { type: 'Release Updated', details: dates('2027-03-19') },
      'evt-moved',
      '2026-01-10T10:00:00.000Z',
    );
    await runRequested(world, 'date-change');
    await label(
      { type: 'Release Updated', details: dates('2027-03-12') },
      'evt-moved-back',
      '2026-01-20T10:00:00.000Z',
    );
    await runRequested(world, 'date-change');
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(2);
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    // DE given back on 12 March: SES sends the re-announcement, its answer lost (its claim open).
    await givenBackItsAnswerLost(press, { type: 'Release Updated', details: dates('2027-03-12') });
    const announcements = world.mailer.receivedBy(german.email, 'announcement');

    await heldThenSettledAfterGivenBackOn19(press, announcements);

    // What the German outlet was last told of DE's date, by the mails it received (as SES merges them).
    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: expect.any(String), date: '19 March 2027' });
  });
});
