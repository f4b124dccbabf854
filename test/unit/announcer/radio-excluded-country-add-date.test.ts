import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { addDateKey } from '#shared/radio.ts';
import { fakeWorld, far, meta } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

const request = (kind: 'radio-servicing' | 'radio-add-date-change', extra = {}) => ({
  labelId: 'lbl-nightshift',
  releaseId: 'rel-night-drive',
  kind,
  ...extra,
});

/** Worldwide, serviced to radio on 1 March 2027, add dates for AAA in DE and FR. */
const serviced = (germanAddDate: string, excludedTerritories?: string[]): ReleaseDetails => ({
  ...aReleaseDetails({
    territories: ['WW'],
    timeZone: 'Europe/Paris',
    radioServicing: {
      servicingDate: '2027-03-01',
      addDates: [
        { format: 'AAA', territory: 'DE', date: germanAddDate },
        { format: 'AAA', territory: 'FR', date: '2027-03-09' },
      ],
      edits: [],
    },
  }),
  ...(excludedTerritories ? { excludedTerritories } : {}),
});

describe('an add-date change of a country excluded before its mailing ran', () => {
  it('tells a radio outlet still reached through another country nothing of that country', async () => {
    const germanAndFrench = anOutlet({ kind: 'radio', territories: ['DE', 'FR'], formats: ['AAA'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: serviced('2027-03-08') })],
      outlets: [germanAndFrench],
    });
    await sendMailing(request('radio-servicing'), meta, world.deps, far());
    expect(world.mailer.receivedBy(germanAndFrench.email, 'radio-servicing')).toHaveLength(1);

    // The DE add date moves to 10 March (a radio-add-date-change asked while DE was reached), then,
    // before that mailing runs (or when it is delivered again), the release becomes WW except DE.
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({
        details: serviced('2027-03-10', ['DE']),
        withdrawn: { territories: ['DE'], at: '2026-02-02T10:00:00.000Z' },
      }),
    );
    await sendMailing(
      request('radio-add-date-change', {
        moment: addDateKey({ format: 'AAA', territory: 'DE' }),
        revision: '2027-03-10',
      }),
      meta,
      world.deps,
      far(),
    );

    // obsoleteForRadio and the audience (addDateConcerns) ask no coversTerritory: 'AAA in DE moved'.
    expect(world.mailer.receivedBy(germanAndFrench.email, 'radio-add-date-change')).toHaveLength(0);
  });
});
