import { describe, expect, it } from 'vitest';
import { applyReleaseChange, type ChangeMeta } from '#functions/releases/apply-change.ts';
import { endEmbargo } from '#functions/releases/embargo.ts';
import type { AnnouncementSchedule, ReleasesDeps } from '#functions/releases/ports.ts';
import { reachReleaseDay } from '#functions/releases/release-day.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { momentOfKey, revisionOf } from '#shared/releases.ts';
import { aReleaseDetails, InMemoryReleases } from '#test/support/releases.ts';

/**
 * A release with street dates per territory is 'out' as soon as its first territory's moment came,
 * while its other territories are still to come: a change to those territories must still reach
 * their outlets (docs/design.md#street-dates-per-territory, docs/design.md#embargoes).
 */
function world() {
  const releases = new InMemoryReleases();
  const announcements: AnnouncementSchedule[] = [];
  const deps: ReleasesDeps = {
    releases,
    schedules: {
      upsertReleaseDay: async () => {},
      deleteReleaseDay: async () => {},
      upsertAnnouncement: async (schedule) => void announcements.push(schedule),
      deleteAnnouncement: async () => {},
      upsertRadioServicing: async () => {},
      deleteRadioServicing: async () => {},
    },
    now: () => new Date('2026-06-01T12:00:00Z'),
  };
  const mailings = () =>
    releases.published
      .filter((entry) => entry.detailType === 'Mailing Requested')
      .map((entry) => entry.detail.data as { kind: string });
  return { deps, releases, announcements, mailings };
}

let counter = 0;
const metaAt = (occurredAt: string): ChangeMeta => ({
  labelId: 'lbl-nightshift',
  eventId: `evt-partly-out-${++counter}`,
  correlationId: 'corr',
  occurredAt,
});

const twoDates = (overrides: Partial<ReleaseDetails> = {}) =>
  aReleaseDetails({
    territories: ['DE', 'US'],
    releaseDate: '2027-03-05',
    releaseTime: '00:00',
    timeZone: 'Europe/Berlin',
    territoryDates: [
      {
        territories: ['US'],
        releaseDate: '2027-03-19',
        releaseTime: '09:00',
        timeZone: 'America/New_York',
        announceAt: '2027-03-10T12:00:00Z',
      },
    ],
    ...overrides,
  });

/** twoDates with no embargo: DE on 5 March and US on 19 March, both announced at once. */
const usLaterUnembargoed = () =>
  twoDates({
    territoryDates: [
      {
        territories: ['US'],
        releaseDate: '2027-03-19',
        releaseTime: '09:00',
        timeZone: 'America/New_York',
      },
    ],
  });

/** Germany's street date, as twoDates has it. */
const germany = { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/Berlin' };

type World = Pick<ReturnType<typeof world>, 'deps'>;

/** The label schedules the release (1 June 2026). */
const scheduled = (w: World, details: ReleaseDetails) =>
  applyReleaseChange({ type: 'Release Scheduled', details }, metaAt('2026-06-01T10:00:00Z'), w.deps);

/** The label's later change of the release (2 June 2026). */
const updated = (w: World, details: ReleaseDetails) =>
  applyReleaseChange({ type: 'Release Updated', details }, metaAt('2026-06-02T10:00:00Z'), w.deps);

/** The release-day schedule of the release's `moment` fires. */
const releaseDayComes = (w: World, moment: typeof germany) =>
  reachReleaseDay(
    { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', ...moment },
    { correlationId: 'c' },
    w.deps,
  );

/** The embargo schedule set for `announceAt` fires. */
const embargoScheduleFires = (w: World, announceAt: string) =>
  endEmbargo(
    { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', announceAt },
    { correlationId: 'c' },
    w.deps,
  );

/** Germany's street date comes: the release is out there (state 'out'), the US is still to come. */
async function outInGermany(w: World) {
  await scheduled(w, twoDates());
  const fired = await releaseDayComes(w, germany);
  expect(fired.outcome).toBe('out-now-requested');
}

describe('a release out in one territory and still to come in others', () => {
  it('asks for the announcement when the label adds a territory with a street date still to come', async () => {
    const w = world();
    await outInGermany(w);
    const before = w.mailings().filter((m) => m.kind === 'announcement').length;
    const withFrance = twoDates({ territories: ['DE', 'US', 'FR'] });
    withFrance.territoryDates!.push({
      territories: ['FR'],
      releaseDate: '2027-03-26',
      timeZone: 'Europe/Paris',
    });

    await updated(w, withFrance);

    // French outlets were never told: without an announcement they hear of the release neither
    // before nor on its French street date (out-now goes to announced outlets only).
    expect(w.mailings().filter((m) => m.kind === 'announcement').length).toBeGreaterThan(before);
  });

  it('schedules the announcement at a territory embargo the label moves after another territory came out', async () => {
    const w = world();
    await outInGermany(w);
    const later = twoDates();
    later.territoryDates![0].announceAt = '2027-03-15T12:00:00Z';

    await updated(w, later);
    // The schedule set for the old instant fires, and is (rightly) ignored as stale.
    const stale = await embargoScheduleFires(w, '2027-03-10T12:00:00Z');

    expect(stale.outcome).toBe('ignored');
    // So the moved embargo must have a schedule of its own, or the US outlets are never announced.
    expect(w.announcements.map((s) => s.announceAt)).toContain('2027-03-15T12:00:00Z');
  });
});

describe('a withdrawal naming WW (worldwide)', () => {
  it('cancels the release everywhere, and asks for the cancellation mail', async () => {
    const w = world();
    await scheduled(w, aReleaseDetails({ territories: ['GB', 'IE'] }));

    const outcome = await applyReleaseChange(
      { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['WW'] },
      metaAt('2026-06-02T10:00:00Z'),
      w.deps,
    );

    expect(outcome.outcome).toBe('applied');
    // Withdrawn from the whole world, none of its territories stays.
    expect((await w.releases.get('lbl-nightshift', 'rel-night-drive'))?.state).toBe('cancelled');
    expect(w.mailings().map((m) => m.kind)).toContain('cancellation');
  });
});

describe('a territory moved to a street date that has already come', () => {
  it('asks for the out-now of that territory’s outlets, not only the date change', async () => {
    // DE on 5 March and US on 19 March, both announced at once (no embargo). Germany's moment comes;
    // then the label brings the US forward to Germany's date (as an ERN update moving the US deal's
    // start to the German one does): the US is out too, and its outlets must hear it.
    const w = world();
    const upserted: string[] = [];
    w.deps.schedules.upsertReleaseDay = async (schedule) =>
      void upserted.push(
        `${schedule.moment.releaseDate}T${schedule.moment.releaseTime} ${schedule.moment.timeZone}`,
      );
    await scheduled(w, usLaterUnembargoed());
    await releaseDayComes(w, germany);
    const outNowsBefore = w.mailings().filter((m) => m.kind === 'out-now').length;
    upserted.length = 0;

    await updated(w, twoDates({ territoryDates: [{ territories: ['US'], ...germany }] }));

    expect(w.mailings().map((m) => m.kind)).toContain('date-change');
    // Either the out-now asked now, or a release-day schedule for that moment that will ask it.
    const outNowAsked = w.mailings().filter((m) => m.kind === 'out-now').length > outNowsBefore;
    expect(outNowAsked || upserted.includes('2027-03-05T00:00 Europe/Berlin')).toBe(true);
  });
});

/**
 * `w`'s store, whose first read is followed by `moment`'s release day firing in another invocation,
 * which marks the moment out before the reader writes.
 */
function firingOnRead(w: ReturnType<typeof world>, moment: typeof germany): InMemoryReleases {
  let fireDuringRead = true;
  const releases = Object.create(w.releases) as InMemoryReleases;
  releases.get = async (labelId, releaseId) => {
    const read = await w.releases.get(labelId, releaseId);
    if (fireDuringRead) {
      fireDuringRead = false;
      expect((await releaseDayComes(w, moment)).outcome).toBe('out-now-requested');
    }
    return read;
  };
  return releases;
}

describe('a label change applied while a street date comes', () => {
  it('keeps the street date that came while the change was being applied', async () => {
    // Releases reads the release for a label change (a new press text, say); meanwhile Germany's
    // release-day schedule fires in another invocation and marks the moment out; then the change is stored.
    const w = world();
    const usLater = usLaterUnembargoed();
    await scheduled(w, usLater);
    const releases = firingOnRead(w, germany);

    await updated(
      { deps: { ...w.deps, releases } },
      { ...usLater, pressRelease: { text: 'A new press text.' } },
    );

    const stored = await w.releases.get('lbl-nightshift', 'rel-night-drive');
    // Lost, the German out-now mailing finds its moment not come and sends nothing (obsoleteForMoment).
    expect(stored?.outMoments ?? []).toContain('2027-03-05T00:00 Europe/Berlin');
    expect(stored?.state).toBe('out');
  });
});

describe('a release out before its announcement', () => {
  it('announces at once when the label lifts the embargo after the street date', async () => {
    // A surprise release: out on 5 March, the press held until 10 March; on 6 March the label lifts
    // the embargo. "Lifting it announces at once" (docs/design.md#embargoes).
    const w = world();
    const held = aReleaseDetails({ territories: ['GB'], announceAt: '2027-03-10T09:00:00Z' });
    await scheduled(w, held);
    const fired = await releaseDayComes(w, {
      releaseDate: '2027-03-05',
      releaseTime: '00:00',
      timeZone: 'Europe/London',
    });
    expect(fired.outcome).toBe('out-now-requested');
    const { announceAt: _lifted, ...lifted } = held;

    await updated(w, lifted);
    // The schedule set for 10 March now finds no such embargo and is ignored.
    const stale = await embargoScheduleFires(w, '2027-03-10T09:00:00Z');

    expect(stale.outcome).toBe('ignored');
    expect(w.mailings().filter((m) => m.kind === 'announcement')).not.toHaveLength(0);
  });
});

describe('a territory already out whose street date moves', () => {
  /** Scheduled as `details`, its moment `out` come; the release days upserted and mailings asked from then on. */
  async function outAt(details: ReleaseDetails, out: typeof germany) {
    const w = world();
    const upserted: string[] = [];
    w.deps.schedules.upsertReleaseDay = async (schedule) => void upserted.push(revisionOf(schedule.moment));
    await scheduled(w, details);
    await releaseDayComes(w, out);
    upserted.length = 0;
    const asked = w.mailings().length;
    return {
      ...w,
      upserted,
      askedSince: () =>
        w
          .mailings()
          .slice(asked)
          .map((m) => m.kind),
    };
  }
  /** DE out on 5 March, the US still to come on 19 March. */
  const germanyOut = () => outAt(usLaterUnembargoed(), germany);
  /** The release days scheduled since Germany came out come (at once, for a date gone by), but the US's. */
  const releaseDaysCome = async (w: Awaited<ReturnType<typeof germanyOut>>, butUs = true) => {
    for (const key of w.upserted) if (!(butUs && key === us)) await releaseDayComes(w, momentOfKey(key));
  };
  const us = '2027-03-19T09:00 America/New_York';
  const germanyOn = (moment: Partial<typeof germany>) =>
    usLaterUnembargoed().territoryDates!.concat({ territories: ['DE'], ...germany, ...moment });

  it.each([
    ['a date gone by', '2027-03-03'],
    ['a date still to come', '2027-03-12'],
  ])(
    'stays out, moved to %s: no release day for it again, so no second out-now, and no date change',
    async (_, date) => {
      const w = await germanyOut();

      await updated(w, twoDates({ territoryDates: germanyOn({ releaseDate: date }) }));
      await releaseDaysCome(w);

      // Germany's outlets were told on 5 March that it is out: nothing more to tell them.
      expect(w.askedSince()).toEqual([]);
      expect(w.upserted).toEqual(['2027-03-19T09:00 America/New_York']);
      const stored = await w.releases.get('lbl-nightshift', 'rel-night-drive');
      expect(stored?.outMoments).toContain(`${date}T00:00 Europe/Berlin`);
    },
  );

  it('keeps the release day of a date it moves to that another territory still waits for, whose out-now reaches that one', async () => {
    const w = await germanyOut();

    await updated(w, twoDates({ territoryDates: germanyOn(momentOfKey(us)) }));
    const askedByMove = w.askedSince();
    await releaseDaysCome(w, false);

    // Germany moved to the US's 19 March: the US is not out yet, its release day fires there.
    expect(askedByMove).toEqual([]);
    expect(w.upserted).toEqual([us]);
    expect(w.askedSince()).toEqual(['out-now']);
    const stored = await w.releases.get('lbl-nightshift', 'rel-night-drive');
    expect(stored?.outMoments).toEqual(['2027-03-05T00:00 Europe/Berlin', us]);
  });

  it('keeps a street date that came while the move was being applied', async () => {
    // Releases reads the release for the label's move of Germany, out already, to 3 March; meanwhile the
    // US's release day fires in another invocation and marks its moment out; then the move is stored,
    // with Germany's new moment out of its own (as many moments as the store holds by then).
    const w = await germanyOut();
    const releases = firingOnRead(w, momentOfKey(us));

    await updated(
      { deps: { ...w.deps, releases } },
      twoDates({ territoryDates: germanyOn({ releaseDate: '2027-03-03' }) }),
    );

    // Lost, the US's out-now would find its moment not come and send nothing (obsoleteForMoment).
    const stored = await w.releases.get('lbl-nightshift', 'rel-night-drive');
    expect(stored?.outMoments).toEqual(expect.arrayContaining([us, '2027-03-03T00:00 Europe/Berlin']));
  });

  it('schedules no release day when, out everywhere, the release drops its dates per territory for one of its own', async () => {
    const w = await germanyOut();
    await releaseDayComes(w, momentOfKey(us));
    w.upserted.length = 0;
    const asked = w.askedSince().length;
    const { territoryDates: _perTerritory, ...oneDate } = twoDates();

    await updated(w, { ...oneDate, releaseDate: '2027-03-10' });

    // Germany and the US were both out: 10 March is out with the change, and nobody is told again.
    expect(w.upserted).toEqual([]);
    expect(w.askedSince().slice(asked)).toEqual([]);
  });

  describe('with a worldwide date (WW) and a country’s own', () => {
    const worldwide = { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/London' };
    const japan = { releaseDate: '2027-03-12', releaseTime: '00:00', timeZone: 'Asia/Tokyo' };
    const worldAndJapan = (ww: typeof worldwide, jp?: typeof japan) =>
      aReleaseDetails({
        territories: ['WW', 'JP'],
        ...ww,
        ...(jp ? { territoryDates: [{ territories: ['JP'], ...jp }] } : {}),
      });
    it('keeps WW out when its date moves, while Japan still waits for its own', async () => {
      const w = await outAt(worldAndJapan(worldwide, japan), worldwide);

      await updated(w, worldAndJapan({ ...worldwide, releaseDate: '2027-03-07' }, japan));

      expect(w.askedSince()).toEqual([]);
      expect(w.upserted).toEqual([revisionOf(japan)]);
      const stored = await w.releases.get('lbl-nightshift', 'rel-night-drive');
      expect(stored?.outMoments).toContain('2027-03-07T00:00 Europe/London');
    });

    it('keeps WW’s release day for Japan’s outlets when Japan, out on its own date, falls back to it', async () => {
      const early = { ...japan, releaseDate: '2027-03-03' };
      const w = await outAt(worldAndJapan(worldwide, early), early);

      await updated(w, worldAndJapan(worldwide));

      // Japan was out: no date change for it; WW is not: its release day stands.
      expect(w.askedSince()).toEqual([]);
      expect(w.upserted).toEqual([revisionOf(worldwide)]);
      const stored = await w.releases.get('lbl-nightshift', 'rel-night-drive');
      expect(stored?.outMoments).toEqual([revisionOf(early)]);
    });
  });
});
