import { describe, expect, it } from 'vitest';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { settleFromEmailsSent, sweepStaleClaims } from '#functions/announcer/settle.ts';
import {
  aLabelAndItsPress,
  emailSent,
  far,
  givenBackItsAnswerLost,
  runRequested,
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

/** What the German outlet was told of DE's date by each mail it received, in order (as SES merges them). */
const toldDe = (world: ReturnType<typeof aLabelAndItsPress>['world'], email: string) =>
  world.mailer.calls.flatMap((call) =>
    call.entries
      .filter((entry) => entry.email === email)
      .map((entry) => {
        const text = JSON.stringify({
          ...(call.defaultData as { text: object }).text,
          ...(entry.data as { text: object }).text,
        });
        return { kind: call.kind, date: text.match(/(12|19|23) March 2027/)?.[0] };
      }),
  );

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
    await label(
      { type: 'Release Scheduled', details: dates('2027-03-12') },
      'evt-scheduled',
      '2026-01-01T10:00:00.000Z',
    );
    await label(withdrawDe, 'evt-withdrawn', '2026-02-01T10:00:00.000Z');
    // DE given back on 12 March: SES sends the re-announcement, its answer lost; DE withdrawn again,
    // the sweep holds it.
    await givenBackItsAnswerLost(press, { type: 'Release Updated', details: dates('2027-03-12') });
    const announcements = world.mailer.receivedBy(german.email, 'announcement');
    expect(announcements).toHaveLength(2);
    await withdrawnAgainAndSwept(press);

    // DE given back on 19 March, withdrawn, and given back on 23 March, the re-announcement still held.
    world.clock.now += 5 * 60_000;
    await label(
      { type: 'Release Updated', details: dates('2027-03-19') },
      'evt-given-back-19',
      '2026-02-04T10:00:00.000Z',
    );
    await label(withdrawDe, 'evt-withdrawn-third', '2026-02-05T10:00:00.000Z');
    await label(
      { type: 'Release Updated', details: dates('2027-03-23') },
      'evt-given-back-23',
      '2026-02-06T10:00:00.000Z',
    );
    expect(world.deliveries.items.get(announcements[1].deliveryId)?.status).toBe('claimed');

    // The re-announcement's late Email Sent: the German outlet hears DE's date change 12 -> 23.
    world.clock.now += 5 * 60_000;
    await settleFromEmailsSent([emailSent(announcements[1])], world.deps);
    for (const kind of ['cancellation', 'announcement', 'date-change']) await runRequested(world, kind);
    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '23 March 2027' });

    // The label moves DE back to 12 March.
    await label(
      { type: 'Release Updated', details: dates('2027-03-12') },
      'evt-moved-back',
      '2026-02-10T10:00:00.000Z',
    );
    for (const kind of ['cancellation', 'announcement', 'date-change']) await runRequested(world, kind);
    for (let minute = 0; minute < 60; minute++) {
      world.clock.now += 60_000;
      await sweepStaleClaims(world.deps, far());
    }
    world.clock.now += defaultSettings.staleClaimMs;
    await sweepStaleClaims(world.deps, far());

    expect(toldDe(world, german.email).at(-1)).toEqual({ kind: 'date-change', date: '12 March 2027' });
  });
});
