import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { aLabelAndItsPress, far } from '#test/support/announcer-fakes.ts';
import { aReleaseDetails } from '#test/support/releases.ts';

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
    await label(
      { type: 'Release Scheduled', details: aReleaseDetails({ territories: ['GB', 'DE'] }) },
      'evt-scheduled',
      '2026-01-01T10:00:00.000Z',
    );
    // The move's call to SES gets no answer: its claims stay open, for the sweep.
    world.mailer.script = (mail) =>
      mail.kind === 'date-change' ? new MailerError('unknown', 'the answer was lost') : (undefined as never);
    await label(
      {
        type: 'Release Updated',
        details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate: '2027-03-19' }),
      },
      'evt-moved',
      '2026-01-02T10:00:00.000Z',
    ).catch(() => {});
    world.mailer.script = undefined;
    expect(world.mailer.receivedBy(german.email, 'date-change')).toEqual([]);
    await label(
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
    );
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(1);

    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());

    // Told 26 March in DE once: the release's move to 19 March is not Germany's date.
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(1);
  });
});
