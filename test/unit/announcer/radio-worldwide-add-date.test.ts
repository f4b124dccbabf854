import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { changedAddDates } from '#shared/radio.ts';
import { fakeWorld, far, meta } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

const textOf = (entry: { data: unknown }) => (entry.data as { text: Record<string, unknown> }).text;

/** Listed in GB and DE, one add date for AAA stated worldwide (the release schema takes WW for any release). */
const serviced = (date = '2027-03-08'): ReleaseDetails =>
  aReleaseDetails({
    territories: ['GB', 'DE'],
    timeZone: 'Europe/London',
    radioServicing: {
      servicingDate: '2027-03-01',
      addDates: [{ format: 'AAA', territory: 'WW', date }],
      edits: [],
    },
  });

describe('a worldwide add date of a release listed in some countries', () => {
  it('is told to its radio outlets, and its move asked, as before add dates were narrowed to covered territories', async () => {
    const british = anOutlet({ kind: 'radio', territories: ['GB'], formats: ['AAA'] });
    const world = fakeWorld({ releases: [aStoredRelease({ details: serviced() })], outlets: [british] });

    await sendMailing(
      { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', kind: 'radio-servicing' },
      meta,
      world.deps,
      far(),
    );

    const entries = world.mailer.calls.flatMap((call) => call.entries);
    // coversTerritory(details, 'WW') is false for a release listing countries, so addDatesFor drops it.
    expect(textOf(entries.find((entry) => entry.email === british.email)!).addDates).toEqual([
      'AAA in WW: Monday, 8 March 2027',
    ]);
    expect(changedAddDates(serviced(), serviced('2027-03-15')).told.map((a) => a.territory)).toEqual(['WW']);
  });
});
