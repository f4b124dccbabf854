import { describe, expect, it } from 'vitest';
import { applyReleaseChange, type ChangeMeta } from '#functions/releases/apply-change.ts';
import type { ReleasesDeps } from '#functions/releases/ports.ts';
import { reachReleaseDay } from '#functions/releases/release-day.ts';
import { momentsForOutlet, standingWithdrawalConcerns } from '#shared/releases.ts';
import { aReleaseDetails, InMemoryReleases, idleSchedules } from '#test/support/releases.ts';

function world() {
  const releases = new InMemoryReleases();
  const deps: ReleasesDeps = {
    releases,
    schedules: idleSchedules,
    now: () => new Date('2026-06-01T12:00:00Z'),
  };
  const mailings = () =>
    releases.published
      .filter((entry) => entry.detailType === 'Mailing Requested')
      .map((entry) => entry.detail.data as { kind: string; territories?: string[]; moment?: string });
  return { deps, releases, mailings };
}

let counter = 0;
const metaAt = (occurredAt: string): ChangeMeta => ({
  labelId: 'lbl-nightshift',
  eventId: `evt-own-date-${++counter}`,
  correlationId: 'corr',
  occurredAt,
});

describe('a country’s own street date dropped while the worldwide one stands', () => {
  it('tells that country’s outlets their date is now the worldwide one (already come: out now)', async () => {
    // "Worldwide on 5 March, Japan on 12 March". The worldwide date comes (JP outlets, rightly, hear
    // nothing: 0000fd8). Then the label drops the Japanese deal: Japan now follows the worldwide date,
    // which has come. JP's outlets were told "12 March" and must hear that the release is out.
    const w = world();
    const worldwide = { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/London' };
    await applyReleaseChange(
      {
        type: 'Release Scheduled',
        details: aReleaseDetails({
          territories: ['WW', 'JP'],
          ...worldwide,
          territoryDates: [{ territories: ['JP'], releaseDate: '2027-03-12', timeZone: 'Asia/Tokyo' }],
        }),
      },
      metaAt('2026-06-01T10:00:00Z'),
      w.deps,
    );
    await reachReleaseDay(
      { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', ...worldwide },
      { correlationId: 'c' },
      w.deps,
    );
    const asked = w.mailings().length;

    await applyReleaseChange(
      { type: 'Release Updated', details: aReleaseDetails({ territories: ['WW'], ...worldwide }) },
      metaAt('2026-06-02T10:00:00Z'),
      w.deps,
    );

    const release = await w.releases.get('lbl-nightshift', 'rel-night-drive');
    // The JP outlet's street date is now the worldwide one, already come...
    expect(momentsForOutlet(['JP'], release!.details!).map((group) => group.key)).toEqual([
      '2027-03-05T00:00 Europe/London',
    ]);
    // The withdrawal of JP does not concern a JP outlet (WW still reaches it): it hears no cancellation.
    expect(standingWithdrawalConcerns({ territories: ['JP'] }, release!)).toBe(false);
    // ...so the change must ask for a mail reaching JP's outlets: a date change for JP, or the out-now.
    const fresh = w.mailings().slice(asked);
    const reachesJapan = fresh.some(
      (m) => m.kind === 'out-now' || (m.kind === 'date-change' && (m.territories ?? []).includes('JP')),
    );
    expect(fresh.map((m) => [m.kind, m.territories ?? []])).toSatisfy(() => reachesJapan);
  });
});

describe('a country given its own street date while the worldwide one stands', () => {
  it('asks a date change for that country, from the worldwide date its outlets were told', async () => {
    // "Worldwide on 5 March"; the label then signs a Japanese deal for the 12th: Japan's outlets were
    // told the 5th and now have the 12th.
    const w = world();
    const worldwide = { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/London' };
    await applyReleaseChange(
      { type: 'Release Scheduled', details: aReleaseDetails({ territories: ['WW'], ...worldwide }) },
      metaAt('2026-06-01T10:00:00Z'),
      w.deps,
    );
    const asked = w.mailings().length;

    await applyReleaseChange(
      {
        type: 'Release Updated',
        details: aReleaseDetails({
          territories: ['WW', 'JP'],
          ...worldwide,
          territoryDates: [{ territories: ['JP'], releaseDate: '2027-03-12', timeZone: 'Asia/Tokyo' }],
        }),
      },
      metaAt('2026-06-02T10:00:00Z'),
      w.deps,
    );

    expect(
      w
        .mailings()
        .slice(asked)
        .filter((m) => m.kind === 'date-change'),
    ).toEqual([
      expect.objectContaining({
        moment: '2027-03-05T00:00 Europe/London',
        revision: '2027-03-12T00:00 Asia/Tokyo',
        territories: ['JP'],
      }),
    ]);
  });
});
