import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import type { ReleaseChange } from '#functions/releases/apply-change.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import {
  aLabelAndItsPress,
  announce,
  emailSent,
  far,
  givenBackItsAnswerLost,
  meta,
  runRequested,
  toldDeOf as toldDe,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails } from '#test/support/releases.ts';

/** The label's description: `territories` on 12 March, DE (where listed) on its own date `de`. */
const describing = (territories: string[], de?: string): ReleaseChange => ({
  type: 'Release Updated',
  details: aReleaseDetails({
    territories,
    releaseDate: '2027-03-12',
    ...(de ? { territoryDates: [{ territories: ['DE'], releaseDate: de }] } : {}),
  }),
});

/**
 * docs/design.md#street-dates-per-territory: a release narrowed from WW keeps WW withdrawn, and "every
 * country a later description covers that the release before it did not is given back"; a territory
 * "Given back at another date than its outlets were told ... an outlet whose first mail the sweep held
 * open while the territory was withdrawn, passed by that announcement and settled only after it by a
 * late `Email Sent`, hears that territory's date change then" (and "a country given a date of its own
 * where WW's stood is a date change from WW's").
 *
 * The German outlet's re-announcement of the worldwide release (WW, 12 March; SES sent it, its answer
 * lost) is held while WW is withdrawn again (narrowed to GB). The label then lists DE on 19 March: DE is
 * given back (WW still withdrawn), its announcement passes the German outlet's open claim. The late
 * Email Sent settles it: askDatesGivenBack reads the mail's told dates as WW's, finds no giving back of
 * WW and no date WW stands at, and asks nothing; releases kept no ask either (withdrawn.moments holds
 * WW, not DE). The German outlet believes 12 March; DE is out on 19 March.
 */
describe('a held re-announcement of a worldwide release settled late after DE alone was given back at its own date', () => {
  it('tells the German outlet DE is now on 19 March', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const press = aLabelAndItsPress(['WW'], [german]);
    const { world, label } = press;
    await label(describing(['WW']), 'evt-scheduled', '2026-01-01T10:00:00.000Z');
    await sendMailing(announce, meta, world.deps, far());
    // WW narrowed to GB: the German outlet is told to disregard the release.
    await label(describing(['GB']), 'evt-gb-only', '2026-02-01T10:00:00.000Z');
    // WW covered again: SES sends the re-announcement, its answer lost.
    await givenBackItsAnswerLost(press, describing(['WW']));
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);
    // Narrowed to GB again; the sweep holds the re-announcement (WW withdrawn where the outlet is).
    await label(describing(['GB']), 'evt-gb-only-again', '2026-02-03T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    expect(world.deliveries.items.get(announcements[1].deliveryId)?.status).toBe('claimed');

    // The label lists DE on 19 March: DE given back, WW still withdrawn.
    world.clock.now += 5 * 60_000;
    await label(describing(['GB', 'DE'], '2027-03-19'), 'evt-de-listed', '2026-02-04T10:00:00.000Z');
    expect(world.releases.get('lbl-nightshift/rel-night-drive')?.givenBack?.at(-1)?.territories).toEqual([
      'DE',
    ]);

    // The re-announcement's late Email Sent settles it.
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);
    for (const kind of ['cancellation', 'announcement', 'date-change']) await runRequested(world, kind);
    for (let minute = 0; minute < 60; minute++) {
      world.clock.now += 60_000;
      await sweepStaleClaims(world.deps, far());
    }

    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '19 March 2027' });
  });
});
