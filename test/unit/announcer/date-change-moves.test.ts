import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { aLabelAndItsPress, announce, far, mailTextOf, meta } from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

type Press = ReturnType<typeof aLabelAndItsPress>;

/**
 * The label's three events of a release whose country gets a date of its own after a move: scheduled
 * on 5 March in GB and DE, moved to 19 March, then DE given 26 March. `hold`: the kinds of mailing
 * each asks that are kept in `held` rather than sent at once (aLabelAndItsPress).
 */
const scheduledMovedThenDeDated = {
  scheduled: (label: Press['label']) =>
    label(
      { type: 'Release Scheduled', details: aReleaseDetails({ territories: ['GB', 'DE'] }) },
      'evt-scheduled',
      '2026-01-01T10:00:00.000Z',
    ),
  movedTo19: (label: Press['label'], hold?: string[]) =>
    label(
      {
        type: 'Release Updated',
        details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate: '2027-03-19' }),
      },
      'evt-moved',
      '2026-01-02T10:00:00.000Z',
      hold,
    ),
  deDated26: (label: Press['label'], hold?: string[]) =>
    label(
      {
        type: 'Release Updated',
        details: aReleaseDetails({
          territories: ['GB', 'DE'],
          releaseDate: '2027-03-19',
          territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-26' }],
        }),
      },
      'evt-de-dated',
      '2026-01-03T10:00:00.000Z',
      hold,
    ),
};

/** aLabelAndItsPress, its release announced on 5 March in GB and DE. */
async function announced() {
  const press = aLabelAndItsPress();
  await press.store.putIfNewer(press.release, []);
  await sendMailing(announce, meta, press.world.deps, far());
  return press;
}

/** The label moving the release (every country) to `releaseDate`. */
const moveTo = (releaseDate: string) => ({
  type: 'Release Updated' as const,
  details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate }),
});

/** The date changes `email` was sent, each as its text states the date, and the date it says it was. */
const dateChangesTo = (world: Press['world'], email: string) =>
  world.mailer.calls.flatMap((call) =>
    call.kind === 'date-change'
      ? call.entries
          .filter((entry) => entry.email === email)
          .map(
            (entry) =>
              ({
                ...(call.defaultData as { text: object }).text,
                ...(entry.data as { text: object }).text,
              }) as { releaseDate: string; previousReleaseDate?: string },
          )
      : [],
  );

/**
 * A date change's identity is the date it moves to and the one it moves from: moved 5 -> 19 -> 26 ->
 * back to 19 March, the third date change (26 to 19) is not the first (5 to 19), so an outlet told 26
 * March hears the release is back on 19 March (docs/design.md#street-dates-per-territory).
 */
describe('a release moved away from a date and back to it', () => {
  it('tells the outlet told 26 March that it is back on 19 March', async () => {
    const { british, world, label } = await announced();
    await label(moveTo('2027-03-19'), 'evt-19', '2026-02-01T10:00:00.000Z');
    await label(moveTo('2027-03-26'), 'evt-26', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(2);
    world.mailer.calls.length = 0;

    await label(moveTo('2027-03-19'), 'evt-19-again', '2026-02-03T10:00:00.000Z');

    expect(mailTextOf(world, british.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 00:00 (Europe/London)',
      previousReleaseDate: 'Friday, 26 March 2027, 00:00 (Europe/London)',
    });
  });
});

/**
 * Moved 5 -> 19 March, the move's mailing still to reach the German outlet (a mailing of a large
 * directory spans invocations, each reading the release again) when the label gives DE a date of its
 * own, 26 March. Now that a release's date change names the moment it moves from, it is written as a
 * territory's (statedDates, toldBy: movedMoments), and the German outlet is told the release is on
 * 19 March in GB, then of the move to 26 March in DE: before, one date change, 26 March in DE.
 */
describe("a release's date change reaching an outlet after its country was given its own date", () => {
  it('does not tell the German outlet a date that is not Germany’s', async () => {
    const { german, world, label, held } = aLabelAndItsPress();
    await scheduledMovedThenDeDated.scheduled(label);
    await scheduledMovedThenDeDated.movedTo19(label, ['date-change']);
    await scheduledMovedThenDeDated.deDated26(label, ['date-change']);
    // The move's mailing reaches the German outlet only now.
    for (const request of held) await sendMailing(request, meta, world.deps, far());

    // Germany's date is 26 March: what the German outlet is told the release moved to.
    expect(dateChangesTo(world, german.email).map((text) => text.releaseDate)).toEqual([
      'Friday, 26 March 2027, 00:00 (Europe/London) in DE',
    ]);
  });

  /**
   * A release's date change is written as any other mail to the outlet once the release has territory
   * dates (statedDates: every date that applies to it), and states as the date the release was what the
   * address was last told (lastTold, docs/design.md#street-dates-per-territory), as every other date
   * change does: never the release's previous moment, which after DE's own date is 19 March, the date it
   * moved to. The British outlet, told 5 March, reads "19 March in GB, was 5 March".
   */
  it('tells each outlet the date it was told before, 5 March', async () => {
    const { german, british, world, label, held } = aLabelAndItsPress();
    await scheduledMovedThenDeDated.scheduled(label);
    await scheduledMovedThenDeDated.movedTo19(label, ['date-change']);
    await scheduledMovedThenDeDated.deDated26(label, ['date-change']);
    // The move's mailing (and DE's) reach the outlets only now.
    for (const request of held) await sendMailing(request, meta, world.deps, far());

    const told = (email: string) =>
      dateChangesTo(world, email).map((text) => `${text.releaseDate}, was ${text.previousReleaseDate}`);
    expect(told(british.email)).toEqual([
      'Friday, 19 March 2027, 00:00 (Europe/London) in GB, was Friday, 5 March 2027, 00:00 (Europe/London)',
    ]);
    expect(told(german.email)).toEqual([
      'Friday, 26 March 2027, 00:00 (Europe/London) in DE, was Friday, 5 March 2027, 00:00 (Europe/London)',
    ]);
  });
});

/**
 * A release's date change is wanted by the sweep while the release's own date is the one it moved to
 * (stillWanted), and resent as any other mail: every date that applies to the outlet. Moved 5 -> 19
 * March, SES's answer to its call lost (claims open), then DE given 26 March: DE's own date change
 * tells the German outlet of 26 March in DE, so the release's move has nothing left to tell it, and
 * the sweep, reading what the address was last told as the mailing does (lastToldOf), closes its claim
 * rather than tell it 26 March in DE a second time. docs/design.md#street-dates-per-territory: such a
 * move tells that outlet nothing of another country's date; #exactly-once-mail: nothing twice.
 */
describe("a release's date change swept after the outlet's country was given its own date", () => {
  it('does not tell the German outlet of its 26 March a second time', async () => {
    const { german, world, label } = aLabelAndItsPress();
    await scheduledMovedThenDeDated.scheduled(label);
    // The move's call to SES gets no answer: its claims stay open, for the sweep.
    world.mailer.script = (mail) =>
      mail.kind === 'date-change' ? new MailerError('unknown', 'the answer was lost') : (undefined as never);
    await scheduledMovedThenDeDated.movedTo19(label).catch(() => {});
    world.mailer.script = undefined;
    expect(world.mailer.receivedBy(german.email, 'date-change')).toEqual([]);
    await scheduledMovedThenDeDated.deDated26(label);
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(1);

    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    // Told 26 March in DE once: the release's move to 19 March is not Germany's date.
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(1);
  });
});

/**
 * A release's date change is identified by the date it moves to and the moment it moves from
 * (docs/design.md#street-dates-per-territory): moved 5 -> 19 -> back to 5 -> 19 March again, the
 * third move repeats the first one's (19 March, from 5 March), so its identity names the label's time
 * of the move too: an outlet told the release is back on 5 March hears that it is on 19 March again.
 */
describe('a release moved between the same two dates twice', () => {
  it('tells the outlet told 5 March again that it is on 19 March again', async () => {
    const { british, world, label, redeliverAll } = await announced();
    await label(moveTo('2027-03-19'), 'evt-19', '2026-02-01T10:00:00.000Z');
    await label(moveTo('2027-03-05'), 'evt-5', '2026-02-02T10:00:00.000Z');
    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(2);
    world.mailer.calls.length = 0;

    await label(moveTo('2027-03-19'), 'evt-19-again', '2026-02-03T10:00:00.000Z');

    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(3);
    expect(mailTextOf(world, british.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 00:00 (Europe/London)',
      previousReleaseDate: 'Friday, 5 March 2027, 00:00 (Europe/London)',
    });
    // Every mailing asked delivered again: each move is still told once.
    await redeliverAll();
    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(3);
  });
});

/**
 * A territory's date change is named as the release's is (docs/design.md#street-dates-per-territory):
 * DE moved 12 -> 19 -> back to 12 -> 19 March again, the fourth move repeats the second's (19 March,
 * from 12 March), so its identity names the label's time of the move too.
 */
describe("a territory's date moved between the same two dates twice", () => {
  it('tells the German outlet told 12 March again that DE is on 19 March again', async () => {
    const { german, world, label, redeliverAll } = await announced();
    const deTo = (releaseDate: string) => ({
      type: 'Release Updated' as const,
      details: aReleaseDetails({
        territories: ['GB', 'DE'],
        territoryDates: [{ territories: ['DE'], releaseDate }],
      }),
    });
    await label(deTo('2027-03-12'), 'evt-12', '2026-02-01T10:00:00.000Z');
    await label(deTo('2027-03-19'), 'evt-19', '2026-02-02T10:00:00.000Z');
    await label(deTo('2027-03-12'), 'evt-12-again', '2026-02-03T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(3);
    world.mailer.calls.length = 0;

    await label(deTo('2027-03-19'), 'evt-19-again', '2026-02-04T10:00:00.000Z');

    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(4);
    expect(mailTextOf(world, german.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 00:00 (Europe/London) in DE',
      previousReleaseDate: 'Friday, 12 March 2027, 00:00 (Europe/London)',
    });
    await redeliverAll();
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(4);
  });
});
