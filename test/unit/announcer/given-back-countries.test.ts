import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import type { ReleaseChange } from '#functions/releases/apply-change.ts';
import { standingWithdrawalConcerns } from '#shared/releases.ts';
import {
  aLabelAndItsPress,
  announce,
  detailOf,
  far,
  mailTextOf,
  meta,
  withdrawDe,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails } from '#test/support/releases.ts';

/**
 * A country given back to, or excluded from, a worldwide release (docs/design.md#street-dates-per-territory,
 * #exactly-once-mail): the label's changes applied by releases, every mailing asked sent at once.
 */
const describing = (territories: string[], excludedTerritories?: string[]): ReleaseChange => ({
  type: 'Release Updated',
  details: { ...aReleaseDetails({ territories }), ...(excludedTerritories ? { excludedTerritories } : {}) },
});

describe('a country given back after a worldwide release was narrowed', () => {
  it('announces the release again to the outlets of a country listed again after WW was withdrawn', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const { release, world, store, label } = aLabelAndItsPress(['WW'], [german]);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());

    // WW narrowed to GB: WW is withdrawn, the German outlet told to disregard the release.
    await label(describing(['GB']), 'evt-gb-only', '2026-02-01T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);

    // DE listed again: the release is the German outlet's again (its links open), so it is told so.
    const givenBack = await label(describing(['GB', 'DE']), 'evt-de-again', '2026-02-02T10:00:00.000Z');
    expect(standingWithdrawalConcerns(german, givenBack)).toBe(false);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});

describe('the mail of a worldwide release that excludes countries', () => {
  it('does not tell an outlet the release is worldwide when it leaves Germany out', async () => {
    const germanAndFrench = anOutlet({ kind: 'press', territories: ['DE', 'FR'] });
    const { release, world, store, label } = aLabelAndItsPress(['WW'], [germanAndFrench]);
    await store.putIfNewer(release, []);
    await label(describing(['WW'], ['DE']), 'evt-ww-but-de', '2026-02-01T10:00:00.000Z');
    await sendMailing(announce, meta, world.deps, far());

    const text = mailTextOf(world, germanAndFrench.email, 'announcement') as unknown as {
      territories: string[];
    };
    // The mail's Territories line reads "WW" alone: the outlet is told the release is out in Germany too.
    expect(JSON.stringify(text)).toMatch(/\bDE\b/);
  });
});

describe('a country with a date of its own excluded from a worldwide release', () => {
  it('tells no outlet that the country now has the worldwide date', async () => {
    const germanAndFrench = anOutlet({ kind: 'press', territories: ['DE', 'FR'] });
    const dates = { releaseDate: '2027-04-05', releaseTime: '00:00', timeZone: 'UTC' };
    const ownDate = { territories: ['DE'], releaseDate: '2027-04-12', timeZone: 'Europe/Berlin' };
    const { release, world, store, label } = aLabelAndItsPress(['WW'], [germanAndFrench]);
    await store.putIfNewer(release, []);
    const withGermany = {
      type: 'Release Updated' as const,
      details: aReleaseDetails({ territories: ['WW', 'DE'], ...dates, territoryDates: [ownDate] }),
    };
    await label(withGermany, 'evt-de-own-date', '2026-02-01T10:00:00.000Z');
    await sendMailing(announce, meta, world.deps, far());
    expect(world.mailer.receivedBy(germanAndFrench.email, 'announcement')).toHaveLength(1);
    const before = store.published.length;

    // Worldwide except Germany: DE is withdrawn, not moved to the worldwide date.
    const stored = await label(
      {
        type: 'Release Updated',
        details: { ...aReleaseDetails({ territories: ['WW'], ...dates }), excludedTerritories: ['DE'] },
      },
      'evt-ww-but-de',
      '2026-02-02T10:00:00.000Z',
    );
    expect(stored.withdrawn?.territories).toEqual(['DE']);
    // The outlet (still reached through FR) is told "Germany: now 5 April" for a country the release left.
    const asked = store.published
      .slice(before)
      .filter((e) => e.detailType === 'Mailing Requested')
      .map((e) => detailOf(e).data as { kind: string; territories?: string[] });
    expect(world.mailer.receivedBy(germanAndFrench.email, 'date-change')).toHaveLength(0);
    expect(asked.filter((m) => m.kind === 'date-change')).toEqual([]);
  });
});

describe('a country excluded from a worldwide release and given back with a date of its own', () => {
  it('announces it again to its outlets, and sends them no date change for a release they were told to disregard', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const dates = { releaseDate: '2027-04-05', releaseTime: '00:00', timeZone: 'UTC' };
    const { release, world, store, label } = aLabelAndItsPress(['WW'], [german]);
    await store.putIfNewer(release, []);
    await label(
      { type: 'Release Updated', details: aReleaseDetails({ territories: ['WW'], ...dates }) },
      'evt-dated',
      '2026-02-01T11:00:00.000Z',
    );
    await sendMailing(announce, meta, world.deps, far());
    await label(
      { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['DE'] },
      'evt-de-out',
      '2026-02-02T10:00:00.000Z',
    );
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);

    // Germany given back, with a date of its own.
    const ownDate = { territories: ['DE'], releaseDate: '2027-04-12', timeZone: 'Europe/Berlin' };
    await label(
      {
        type: 'Release Updated',
        details: aReleaseDetails({ territories: ['WW', 'DE'], ...dates, territoryDates: [ownDate] }),
      },
      'evt-de-back',
      '2026-02-03T10:00:00.000Z',
    );
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
    // Told first that "Germany moves from 5 to 12 April", then announced the release again.
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(0);
  });
});

describe('a date change before the announcement of a country given back', () => {
  it('goes to no outlet told to disregard the release until it is announced to it again', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const { release, world, store, label, held } = aLabelAndItsPress(['WW'], [german]);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-de-out', '2026-02-01T10:00:00.000Z');
    await label(describing(['WW']), 'evt-de-back', '2026-02-02T10:00:00.000Z', ['announcement']);

    // The date moves while the giving back's announcement is still to be sent.
    await label(
      {
        type: 'Release Updated',
        details: aReleaseDetails({ territories: ['WW'], releaseDate: '2027-03-19' }),
      },
      'evt-moved',
      '2026-02-03T10:00:00.000Z',
    );
    for (const request of held) await sendMailing(request, meta, world.deps, far());

    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(0);
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});

describe('the reads of a mailing after a country was given back', () => {
  it('reads no more per British outlet for a date change after Germany was given back three times', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const british = Array.from({ length: 20 }, () => anOutlet({ kind: 'press', territories: ['GB'] }));
    const { release, world, store, label } = aLabelAndItsPress(['GB', 'DE'], [german, ...british]);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    for (const turn of [1, 2, 3]) {
      await label(
        { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['DE'] },
        `evt-out-${turn}`,
        `2026-02-0${turn}T10:00:00.000Z`,
      );
      await label(describing(['GB', 'DE']), `evt-back-${turn}`, `2026-02-0${turn}T11:00:00.000Z`);
    }
    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(4);

    // The date moves: the British outlets, never withdrawn, are each read as often as each giving back.
    const read: string[] = [];
    const getMany = world.deps.deliveries.getMany.bind(world.deps.deliveries);
    world.deps.deliveries.getMany = async (ids) => {
      read.push(...ids);
      return getMany(ids);
    };
    await label(
      {
        type: 'Release Updated',
        details: aReleaseDetails({ territories: ['GB', 'DE'], releaseDate: '2027-03-19' }),
      },
      'evt-moved',
      '2026-02-05T10:00:00.000Z',
    );
    expect(world.mailer.receivedBy(british[0].email, 'date-change')).toHaveLength(1);
    // 3 reads a British outlet (its round-0 announcement, radio servicing and withdrawal: once a release
    // was given back, an outlet's territories now do not say whether it was withdrawn and announced
    // again), not 3 a giving back; the German outlet's 4 rounds, 3 items each.
    expect(read.length).toBeLessThanOrEqual(3 * british.length + 4 * 3);
  });
});

describe('a worldwide release narrowed, then worldwide again except one country', () => {
  it('keeps that country withdrawn for the outlets told so: no date change, links closed', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const british = anOutlet({ kind: 'press', territories: ['GB'] });
    const { release, world, store, label } = aLabelAndItsPress(['WW'], [german, british]);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(describing(['GB']), 'evt-gb-only', '2026-02-01T10:00:00.000Z');
    expect(world.mailer.receivedBy(german.email, 'cancellation')).toHaveLength(1);

    // Worldwide again, but not in Germany: the German outlet's withdrawal still stands.
    const worldwideButGermany = await label(
      describing(['WW'], ['DE']),
      'evt-ww-but-de',
      '2026-02-02T10:00:00.000Z',
    );
    await label(
      {
        type: 'Release Updated',
        details: {
          ...aReleaseDetails({ territories: ['WW'], releaseDate: '2027-03-19' }),
          excludedTerritories: ['DE'],
        },
      },
      'evt-moved',
      '2026-02-03T10:00:00.000Z',
    );
    expect(world.mailer.receivedBy(british.email, 'date-change')).toHaveLength(1);
    expect(world.mailer.receivedBy(german.email, 'date-change')).toHaveLength(0);
    expect(standingWithdrawalConcerns(german, worldwideButGermany)).toBe(true);
  });
});

describe('a giving back read just after the withdrawal was marked sent', () => {
  it('announces the release again though an eventually consistent read still shows the withdrawal claimed', async () => {
    const german = anOutlet({ kind: 'press', territories: ['DE'] });
    const { release, world, store, label } = aLabelAndItsPress(['GB', 'DE'], [german]);
    await store.putIfNewer(release, []);
    await sendMailing(announce, meta, world.deps, far());
    await label(withdrawDe, 'evt-de-out', '2026-02-01T10:00:00.000Z');
    // A read that is not strongly consistent sees the withdrawal's claim, not yet its mark.
    const getMany = world.deps.deliveries.getMany.bind(world.deps.deliveries);
    world.deps.deliveries.getMany = async (ids, options) => {
      const found = await getMany(ids, options);
      if (options?.consistent) return found;
      return new Map(
        [...found].map(([id, delivery]) => [
          id,
          delivery.kind === 'cancellation' ? { ...delivery, status: 'claimed' as const } : delivery,
        ]),
      );
    };

    await label(describing(['GB', 'DE']), 'evt-de-back', '2026-02-01T10:00:01.000Z');

    expect(world.mailer.receivedBy(german.email, 'announcement')).toHaveLength(2);
  });
});
