import { describe, expect, it } from 'vitest';
import { applyReleaseChange, type ChangeMeta, type ReleaseChange } from '#functions/releases/apply-change.ts';
import { endEmbargo } from '#functions/releases/embargo.ts';
import type {
  AnnouncementSchedule,
  RadioServicingSchedule,
  ReleaseDaySchedule,
  ReleasesDeps,
} from '#functions/releases/ports.ts';
import { reachRadioServicing } from '#functions/releases/radio-servicing.ts';
import { reachReleaseDay } from '#functions/releases/release-day.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { type ReleaseMoment, revisionOf } from '#shared/releases.ts';
import { refusedOnceAfterLanding } from '#test/support/dynamo-errors.ts';
import { aReleaseDetails, InMemoryReleases } from '#test/support/releases.ts';

function fakeReleases() {
  const releases = new InMemoryReleases();
  const schedules: (
    | ({ op: 'upsert' } & ReleaseDaySchedule)
    | { op: 'delete'; releaseId: string; moment?: ReleaseMoment }
  )[] = [];
  const announcements: (({ op: 'upsert' } & AnnouncementSchedule) | { op: 'delete'; releaseId: string })[] =
    [];
  const radio: (
    | ({ op: 'upsert' } & RadioServicingSchedule)
    | { op: 'delete'; releaseId: string; moment: ReleaseMoment }
  )[] = [];
  // How many of the next Scheduler calls fail.
  const failing = { schedules: 0 };
  const deps: ReleasesDeps = {
    releases,
    schedules: {
      upsertReleaseDay: async (schedule) => {
        if (failing.schedules-- > 0) throw new Error('Scheduler: InternalServerException');
        schedules.push({ op: 'upsert', ...schedule });
      },
      deleteReleaseDay: async (_labelId, releaseId, moment) =>
        void schedules.push({ op: 'delete', releaseId, ...(moment ? { moment } : {}) }),
      upsertAnnouncement: async (schedule) => void announcements.push({ op: 'upsert', ...schedule }),
      deleteAnnouncement: async (_labelId, releaseId) => void announcements.push({ op: 'delete', releaseId }),
      upsertRadioServicing: async (schedule) => void radio.push({ op: 'upsert', ...schedule }),
      deleteRadioServicing: async (_labelId, releaseId, moment) =>
        void radio.push({ op: 'delete', releaseId, moment }),
    },
    now: () => new Date('2026-06-01T12:00:00Z'),
  };
  const mailings = () =>
    releases.published
      .filter((entry) => entry.detailType === 'Mailing Requested')
      .map((entry) => entry.detail.data as { kind: string; revision?: string });
  /** The moment the release day is scheduled for now, if any. */
  const releaseDay = (): ReleaseMoment | undefined => {
    const last = schedules.at(-1);
    return last?.op === 'upsert' ? last.moment : undefined;
  };
  const { stored, changes, published } = releases;
  return { deps, stored, changes, schedules, announcements, radio, published, mailings, releaseDay, failing };
}

let eventCounter = 0;
const metaAt = (occurredAt: string, overrides: Partial<ChangeMeta> = {}): ChangeMeta => ({
  labelId: 'lbl-nightshift',
  eventId: `evt-${++eventCounter}`,
  correlationId: 'corr',
  occurredAt,
  ...overrides,
});
const scheduled = (details: ReleaseDetails = aReleaseDetails()) => ({
  type: 'Release Scheduled' as const,
  details,
});
const updated = (details: ReleaseDetails) => ({ type: 'Release Updated' as const, details });
const cancelled = {
  type: 'Release Cancelled' as const,
  releaseId: 'rel-night-drive',
  reason: 'Artist withdrew.',
};

describe('applying release changes', () => {
  it('stores a scheduled release, schedules its release day and asks for the announcement', async () => {
    const world = fakeReleases();

    const result = await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    expect(result.outcome).toBe('applied');
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.state).toBe('scheduled');
    expect(world.schedules).toEqual([
      expect.objectContaining({
        op: 'upsert',
        moment: { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/London' },
      }),
    ]);
    expect(world.mailings()).toEqual([
      { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', kind: 'announcement' },
    ]);
  });

  // One of the same instant too, as the README tells labels: which came second is no order the bus keeps.
  it.each([
    ['older than', '2026-06-01T09:59:59+00:00'],
    ['of the same instant as', '2026-06-01T10:00:00Z'],
  ])('ignores a change %s the stored one, and records it', async (_case, occurredAt) => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    const result = await applyReleaseChange(
      updated(aReleaseDetails({ releaseDate: '2027-09-09' })),
      metaAt(occurredAt),
      world.deps,
    );

    expect(result.outcome).toBe('ignored');
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.details?.releaseDate).toBe('2027-03-05');
    expect(world.changes.map((c) => c.applied)).toEqual([true, false]);
    expect(world.mailings()).toHaveLength(1);
  });

  it('orders by the label time, not by offset notation', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    const result = await applyReleaseChange(
      updated(aReleaseDetails({ releaseDate: '2027-09-09' })),
      metaAt('2026-06-01T11:30:00+02:00'), // 09:30 UTC: older
      world.deps,
    );

    expect(result.outcome).toBe('ignored');
  });

  it('replays the schedule of a redelivered event, and asks for its announcement once: it went with the release', async () => {
    const world = fakeReleases();
    const meta = metaAt('2026-06-01T10:00:00Z');
    await applyReleaseChange(scheduled(), meta, world.deps);

    const result = await applyReleaseChange(scheduled(), meta, world.deps);

    expect(result.outcome).toBe('replayed');
    expect(world.schedules.filter((s) => s.op === 'upsert')).toHaveLength(2);
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement']);
  });

  // docs/design.md#failures-and-retries: the release's write (a transaction with its outbox) applied and
  // answered as refused (its answer lost, the SDK's retry cancelled for a conflict and sent again, refused by
  // its own landing) is read again and taken as this change delivered again: it was applied, but its record
  // (kept 90 days for support: every change, applied or ignored) was never written.
  it('records a change whose write landed while its answer was lost as applied', async () => {
    const world = fakeReleases();
    const lost = refusedOnceAfterLanding(world.deps.releases, 'putIfNewer');
    const meta = metaAt('2026-06-01T10:00:00Z');

    const result = await applyReleaseChange(scheduled(), meta, world.deps);

    expect(lost()).toBe(true);
    expect(result.outcome).toBe('replayed');
    expect(world.changes.map((c) => [c.eventId, c.applied])).toEqual([[meta.eventId, true]]);
  });

  // docs/design.md#ordering-by-the-labels-timestamp: a change applied, then overtaken by a newer one, is
  // found not newer when delivered again; its record (same key) must still say it applied.
  it('keeps the record of an applied change as applied when it is delivered again after a newer one', async () => {
    const world = fakeReleases();
    const first = metaAt('2026-06-01T10:00:00Z');
    await applyReleaseChange(scheduled(), first, world.deps);
    await applyReleaseChange(
      updated(aReleaseDetails({ releaseDate: '2027-03-12' })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );

    const result = await applyReleaseChange(scheduled(), first, world.deps);

    expect(result.outcome).toBe('ignored');
    expect(world.changes.filter((c) => c.eventId === first.eventId).map((c) => c.applied)).toEqual([true]);
  });

  // The run that applied a change died after its release's write landed (here its answer lost, thrown):
  // the delivery again finds it applied at once, and its record went with the release.
  it('has the record of a change whose run died after its write landed, when it is delivered again', async () => {
    const world = fakeReleases();
    const put = world.deps.releases.putIfNewer.bind(world.deps.releases);
    world.deps.releases.putIfNewer = async (...args) => {
      await put(...args);
      world.deps.releases.putIfNewer = put;
      throw new Error('socket hang up');
    };
    const meta = metaAt('2026-06-01T10:00:00Z');
    await expect(applyReleaseChange(scheduled(), meta, world.deps)).rejects.toThrow('socket hang up');

    const result = await applyReleaseChange(scheduled(), meta, world.deps);

    expect(result.outcome).toBe('replayed');
    expect(world.changes.map((c) => [c.eventId, c.applied])).toEqual([[meta.eventId, true]]);
  });

  it('moves the schedule and asks for a date-change mail when the date or time changes', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    await applyReleaseChange(
      updated(aReleaseDetails({ releaseDate: '2027-03-12', releaseTime: '09:00' })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );

    expect(world.schedules.at(-1)).toMatchObject({
      op: 'upsert',
      moment: { releaseDate: '2027-03-12', releaseTime: '09:00' },
    });
    expect(world.mailings().at(-1)).toMatchObject({
      kind: 'date-change',
      revision: '2027-03-12T09:00 Europe/London',
    });
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.previousMoment?.releaseDate).toBe(
      '2027-03-05',
    );
  });

  it('moves the schedule but mails no date change when a new zone leaves the release day’s instant where it was', async () => {
    const world = fakeReleases();
    await applyReleaseChange(
      scheduled(aReleaseDetails({ releaseTime: '09:00' })),
      metaAt('2026-06-01T10:00:00Z'),
      world.deps,
    );

    // The same local date in an equivalent zone, then the same instant stated in another zone.
    await applyReleaseChange(
      updated(aReleaseDetails({ releaseTime: '09:00', timeZone: 'Europe/Guernsey' })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );
    await applyReleaseChange(
      updated(aReleaseDetails({ releaseTime: '10:00', timeZone: 'Europe/Berlin' })),
      metaAt('2026-06-03T10:00:00Z'),
      world.deps,
    );

    expect(world.schedules.at(-1)).toMatchObject({
      op: 'upsert',
      moment: { releaseDate: '2027-03-05', releaseTime: '10:00', timeZone: 'Europe/Berlin' },
    });
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement']);
    const stored = world.stored.get('lbl-nightshift/rel-night-drive');
    expect([stored?.movedAt, stored?.previousMoment]).toEqual([undefined, undefined]);
  });

  it('brings a release forward to a date gone by out with the change: its out-now asked with it, no release day scheduled in the past', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-05-01T10:00:00Z'), world.deps);

    // Backline's clock reads 1 June 2026: the label says the single came out on 29 May.
    await applyReleaseChange(
      updated(aReleaseDetails({ releaseDate: '2026-05-29' })),
      metaAt('2026-06-01T10:00:00Z'),
      world.deps,
    );

    expect(world.schedules.at(-1)).toEqual({ op: 'delete', releaseId: 'rel-night-drive' });
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement', 'date-change', 'out-now']);
    const stored = world.stored.get('lbl-nightshift/rel-night-drive');
    expect([stored?.state, stored?.outMoments]).toEqual(['out', ['2026-05-29T00:00 Europe/London']]);
  });

  it('keeps every date change it asked for, with the label time of each, and no restatement at the same instant', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(aReleaseDetails()), metaAt('2026-06-01T10:00:00Z'), world.deps);

    await applyReleaseChange(
      updated(aReleaseDetails({ releaseDate: '2027-03-12' })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );
    // Midnight in London is 01:00 in Berlin: the same instant, restated.
    await applyReleaseChange(
      updated(
        aReleaseDetails({ releaseDate: '2027-03-12', releaseTime: '01:00', timeZone: 'Europe/Berlin' }),
      ),
      metaAt('2026-06-03T10:00:00Z'),
      world.deps,
    );
    await applyReleaseChange(
      updated(
        aReleaseDetails({ releaseDate: '2027-03-19', releaseTime: '01:00', timeZone: 'Europe/Berlin' }),
      ),
      metaAt('2026-06-04T10:00:00Z'),
      world.deps,
    );

    // What a later date change reads to find the one an address had last (see the announcer's lastToldOf):
    // each by its identity, the date it moved to and the one it moved from.
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.dateChangesAsked).toEqual([
      {
        revision: '2027-03-12T00:00 Europe/London',
        moment: '2027-03-05T00:00 Europe/London',
        at: '2026-06-02T10:00:00.000Z',
      },
      {
        revision: '2027-03-19T01:00 Europe/Berlin',
        moment: '2027-03-12T01:00 Europe/Berlin',
        at: '2026-06-04T10:00:00.000Z',
      },
    ]);
  });

  it('announces again (to newly matching outlets) when territories or genres are added, without a date change', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    await applyReleaseChange(
      updated(aReleaseDetails({ territories: ['GB', 'IE', 'DE'] })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );

    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement', 'announcement']);
    expect(world.schedules).toHaveLength(1);
  });

  it('updates other fields without mailing', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    await applyReleaseChange(
      updated(aReleaseDetails({ title: 'Night Drive (Radio Edit)' })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );

    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.details?.title).toBe(
      'Night Drive (Radio Edit)',
    );
    expect(world.mailings()).toHaveLength(1);
  });

  it('withdraws the release from a territory an update no longer lists: a cancellation for that territory only', async () => {
    const world = fakeReleases();
    await applyReleaseChange(
      scheduled(aReleaseDetails({ territories: ['GB', 'IE', 'DE'] })),
      metaAt('2026-06-01T10:00:00Z'),
      world.deps,
    );

    await applyReleaseChange(
      updated(aReleaseDetails({ territories: ['GB', 'DE'] })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );

    expect(world.mailings().at(-1)).toEqual({
      labelId: 'lbl-nightshift',
      releaseId: 'rel-night-drive',
      kind: 'cancellation',
      territories: ['IE'],
    });
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.state).toBe('scheduled');
    expect(world.schedules.filter((s) => s.op === 'delete')).toHaveLength(0);
  });

  it('withdraws the territories a cancellation names, their street dates with them, and cancels as a whole when none stays', async () => {
    const world = fakeReleases();
    const details = aReleaseDetails({
      territories: ['GB', 'IE', 'DE'],
      territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-12' }],
    });
    await applyReleaseChange(scheduled(details), metaAt('2026-06-01T10:00:00Z'), world.deps);

    await applyReleaseChange(
      { ...cancelled, territories: ['DE'] },
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );
    const partly = structuredClone(world.stored.get('lbl-nightshift/rel-night-drive'));
    await applyReleaseChange(
      { ...cancelled, territories: ['GB', 'IE'] },
      metaAt('2026-06-03T10:00:00Z'),
      world.deps,
    );

    expect(partly?.state).toBe('scheduled');
    expect(partly?.details?.territories).toEqual(['GB', 'IE']);
    expect(partly?.details?.territoryDates).toBeUndefined();
    expect(world.mailings().map((m) => [m.kind, (m as { territories?: string[] }).territories])).toEqual([
      ['announcement', undefined],
      ['cancellation', ['DE']],
      ['cancellation', undefined],
    ]);
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.state).toBe('cancelled');
  });

  it('keeps the withdrawals and territory date changes still standing, with the label time of each, for the follow-ups of first mails sent late', async () => {
    const world = fakeReleases();
    const stored = () => world.stored.get('lbl-nightshift/rel-night-drive');
    const withDates = (de: string, territories = ['GB', 'IE', 'DE', 'FR']) =>
      aReleaseDetails({
        territories,
        territoryDates: [
          {
            territories: ['DE', 'FR'].filter((t) => territories.includes(t)),
            releaseDate: de,
            timeZone: 'Europe/Berlin',
          },
        ],
      });
    await applyReleaseChange(scheduled(withDates('2027-03-12')), metaAt('2026-06-01T10:00:00Z'), world.deps);

    // DE and FR move to the 19th, then DE alone to the 26th; IE is withdrawn, then GB; IE comes back.
    await applyReleaseChange(updated(withDates('2027-03-19')), metaAt('2026-06-02T10:00:00Z'), world.deps);
    const twoMoved = structuredClone(stored()?.dateChanges);
    const split = withDates('2027-03-19');
    split.territoryDates = [
      { territories: ['FR'], releaseDate: '2027-03-19', timeZone: 'Europe/Berlin' },
      { territories: ['DE'], releaseDate: '2027-03-26', timeZone: 'Europe/Berlin' },
    ];
    await applyReleaseChange(updated(split), metaAt('2026-06-03T10:00:00Z'), world.deps);
    const narrowed = structuredClone(stored()?.dateChanges);
    await applyReleaseChange(
      updated({ ...split, territories: ['GB', 'DE', 'FR'] }),
      metaAt('2026-06-04T10:00:00Z'),
      world.deps,
    );
    await applyReleaseChange(
      updated({ ...split, territories: ['DE', 'FR'] }),
      metaAt('2026-06-05T10:00:00Z'),
      world.deps,
    );
    const bothOut = structuredClone(stored()?.withdrawn);
    await applyReleaseChange(
      updated({ ...split, territories: ['IE', 'DE', 'FR'] }),
      metaAt('2026-06-06T10:00:00Z'),
      world.deps,
    );

    const berlin = (day: string) => `2027-03-${day}T00:00 Europe/Berlin`;
    expect(twoMoved).toEqual([
      {
        moment: berlin('12'),
        revision: berlin('19'),
        territories: ['DE', 'FR'],
        at: '2026-06-02T10:00:00.000Z',
      },
    ]);
    expect(narrowed).toEqual([
      { moment: berlin('12'), revision: berlin('19'), territories: ['FR'], at: '2026-06-02T10:00:00.000Z' },
      { moment: berlin('19'), revision: berlin('26'), territories: ['DE'], at: '2026-06-03T10:00:00.000Z' },
    ]);
    // Each with the street date its outlets were told there, which the withdrawal states.
    // And when each was applied (the time it was read), which the giving back of IE keeps, every
    // territory withdrawn then.
    const london = '2027-03-05T00:00 Europe/London';
    const applied = world.deps.now().toISOString();
    expect(bothOut).toEqual({
      territories: ['IE', 'GB'],
      at: '2026-06-05T10:00:00.000Z',
      moments: { IE: london, GB: london },
      applied: { IE: applied, GB: applied },
    });
    expect(stored()?.withdrawn).toEqual({
      territories: ['GB'],
      at: '2026-06-05T10:00:00.000Z',
      moments: { GB: london },
      applied: { GB: applied },
    });
    expect(stored()?.givenBack).toEqual([
      {
        territories: ['IE'],
        at: '2026-06-06T10:00:00.000Z',
        withdrawnApplied: { IE: applied, GB: applied },
      },
    ]);
  });

  it('ignores a withdrawal from territories of a release it never heard of, leaving no tombstone', async () => {
    const world = fakeReleases();

    const result = await applyReleaseChange(
      { ...cancelled, territories: ['DE'] },
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );

    expect(result.outcome).toBe('ignored');
    expect(world.stored.size).toBe(0);
  });

  it('holds the announcement of a release under embargo: it is scheduled for announceAt instead', async () => {
    const world = fakeReleases();

    await applyReleaseChange(
      scheduled(aReleaseDetails({ announceAt: '2026-07-01T09:00:00+02:00' })),
      metaAt('2026-06-01T10:00:00Z'),
      world.deps,
    );

    expect(world.mailings()).toEqual([]);
    expect(world.announcements).toEqual([
      expect.objectContaining({
        op: 'upsert',
        releaseId: 'rel-night-drive',
        announceAt: '2026-07-01T09:00:00+02:00',
      }),
    ]);
    expect(world.schedules).toHaveLength(1);
  });

  it('takes embargoUntil as the older name of announceAt', async () => {
    const world = fakeReleases();

    await applyReleaseChange(
      scheduled(aReleaseDetails({ embargoUntil: '2026-07-01T09:00:00Z' })),
      metaAt('2026-06-01T10:00:00Z'),
      world.deps,
    );

    expect(world.mailings()).toEqual([]);
    expect(world.announcements).toEqual([expect.objectContaining({ announceAt: '2026-07-01T09:00:00Z' })]);
  });

  it('announces when the embargo schedule fires, and ignores a firing for an embargo moved since', async () => {
    const world = fakeReleases();
    await applyReleaseChange(
      scheduled(aReleaseDetails({ announceAt: '2026-07-01T09:00:00Z' })),
      metaAt('2026-06-01T10:00:00Z'),
      world.deps,
    );
    await applyReleaseChange(
      updated(aReleaseDetails({ announceAt: '2026-07-08T09:00:00Z' })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );
    const fired = { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive' };

    const stale = await endEmbargo(
      { ...fired, announceAt: '2026-07-01T09:00:00Z' },
      { correlationId: 'c' },
      world.deps,
    );
    const current = await endEmbargo(
      { ...fired, announceAt: '2026-07-08T09:00:00Z' },
      { correlationId: 'c' },
      world.deps,
    );

    expect(stale).toEqual({ outcome: 'ignored', reason: 'embargo changed since' });
    expect(current).toEqual({ outcome: 'announcement-requested' });
    expect(world.announcements.map((a) => a.op === 'upsert' && a.announceAt)).toEqual([
      '2026-07-01T09:00:00Z',
      '2026-07-08T09:00:00Z',
    ]);
    expect(world.mailings()).toEqual([expect.objectContaining({ kind: 'announcement' })]);
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.embargoLiftedAt).toBeDefined();
  });

  it('announces at once where no embargo holds, and schedules a territory entry’s own embargo end', async () => {
    const world = fakeReleases();
    const details = aReleaseDetails({
      territories: ['GB', 'DE'],
      territoryDates: [
        { territories: ['DE'], releaseDate: '2027-03-12', announceAt: '2026-07-01T08:00:00Z' },
      ],
    });

    await applyReleaseChange(scheduled(details), metaAt('2026-06-01T10:00:00Z'), world.deps);
    const ended = await endEmbargo(
      { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', announceAt: '2026-07-01T08:00:00Z' },
      { correlationId: 'c' },
      world.deps,
    );

    expect(world.announcements).toEqual([
      expect.objectContaining({ op: 'upsert', announceAt: '2026-07-01T08:00:00Z', perInstant: true }),
    ]);
    expect(ended).toEqual({ outcome: 'announcement-requested' });
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement', 'announcement']);
  });

  it('announces at once when an update lifts the embargo, deleting its schedule', async () => {
    const world = fakeReleases();
    await applyReleaseChange(
      scheduled(aReleaseDetails({ announceAt: '2026-07-01T09:00:00Z' })),
      metaAt('2026-06-01T10:00:00Z'),
      world.deps,
    );

    await applyReleaseChange(updated(aReleaseDetails()), metaAt('2026-06-02T10:00:00Z'), world.deps);

    expect(world.mailings()).toEqual([expect.objectContaining({ kind: 'announcement' })]);
    expect(world.announcements.at(-1)).toEqual({ op: 'delete', releaseId: 'rel-night-drive' });
  });

  it('deletes the embargo schedule of a release cancelled under embargo', async () => {
    const world = fakeReleases();
    await applyReleaseChange(
      scheduled(aReleaseDetails({ announceAt: '2026-07-01T09:00:00Z' })),
      metaAt('2026-06-01T10:00:00Z'),
      world.deps,
    );

    await applyReleaseChange(cancelled, metaAt('2026-06-02T10:00:00Z'), world.deps);

    expect(world.announcements.at(-1)).toEqual({ op: 'delete', releaseId: 'rel-night-drive' });
  });

  describe('with street dates per territory', () => {
    const threeDates = (overrides: Partial<ReleaseDetails> = {}) =>
      aReleaseDetails({
        territories: ['GB', 'DE', 'US'],
        releaseDate: '2027-03-05',
        releaseTime: '00:00',
        timeZone: 'Europe/London',
        territoryDates: [
          { territories: ['DE'], releaseDate: '2027-03-05', timeZone: 'Europe/Berlin' },
          {
            territories: ['US'],
            releaseDate: '2027-03-05',
            releaseTime: '09:00',
            timeZone: 'America/New_York',
          },
        ],
        ...overrides,
      });
    const keys = (world: ReturnType<typeof fakeReleases>, op: 'upsert' | 'delete') =>
      world.schedules.flatMap((s) => (s.op === op && s.moment ? [revisionOf(s.moment)] : []));

    it('schedules one release day per distinct moment, and one for territories sharing a moment', async () => {
      const world = fakeReleases();
      const details = threeDates({ territories: ['GB', 'IE', 'DE', 'AT', 'US'] });
      details.territoryDates![0].territories = ['DE', 'AT'];

      await applyReleaseChange(scheduled(details), metaAt('2026-06-01T10:00:00Z'), world.deps);

      expect(keys(world, 'upsert')).toEqual([
        '2027-03-05T00:00 Europe/Berlin',
        '2027-03-05T00:00 Europe/London',
        '2027-03-05T09:00 America/New_York',
      ]);
      expect(world.schedules.every((s) => s.op !== 'upsert' || s.perMoment)).toBe(true);
      expect(world.mailings().map((m) => m.kind)).toEqual(['announcement']);
    });

    it('moving one territory moves its schedule and asks for a date change for that territory only', async () => {
      const world = fakeReleases();
      await applyReleaseChange(scheduled(threeDates()), metaAt('2026-06-01T10:00:00Z'), world.deps);
      const moved = threeDates();
      moved.territoryDates![0] = {
        territories: ['DE'],
        releaseDate: '2027-03-12',
        timeZone: 'Europe/Berlin',
      };

      await applyReleaseChange(updated(moved), metaAt('2026-06-02T10:00:00Z'), world.deps);

      expect(keys(world, 'delete')).toEqual(['2027-03-05T00:00 Europe/Berlin']);
      expect(keys(world, 'upsert')).toContain('2027-03-12T00:00 Europe/Berlin');
      expect(world.mailings().at(-1)).toEqual({
        labelId: 'lbl-nightshift',
        releaseId: 'rel-night-drive',
        kind: 'date-change',
        revision: '2027-03-12T00:00 Europe/Berlin',
        moment: '2027-03-05T00:00 Europe/Berlin',
        territories: ['DE'],
      });
    });

    it('mails no date change to a territory whose new zone leaves its street date’s instant where it was', async () => {
      const world = fakeReleases();
      await applyReleaseChange(scheduled(threeDates()), metaAt('2026-06-01T10:00:00Z'), world.deps);
      const rezoned = threeDates();
      rezoned.territoryDates![0] = {
        territories: ['DE'],
        releaseDate: '2027-03-05',
        timeZone: 'Europe/Paris',
      };

      await applyReleaseChange(updated(rezoned), metaAt('2026-06-02T10:00:00Z'), world.deps);

      expect(keys(world, 'upsert')).toContain('2027-03-05T00:00 Europe/Paris');
      expect(world.mailings().map((m) => m.kind)).toEqual(['announcement']);
      expect(world.stored.get('lbl-nightshift/rel-night-drive')?.dateChanges).toBeUndefined();
    });

    it('asks for out-now at each moment that comes, naming it, and ignores a moment moved since', async () => {
      const world = fakeReleases();
      await applyReleaseChange(scheduled(threeDates()), metaAt('2026-06-01T10:00:00Z'), world.deps);
      const fired = (moment: ReleaseMoment) =>
        reachReleaseDay(
          { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', ...moment },
          { correlationId: 'c' },
          world.deps,
        );

      const berlin = await fired({
        releaseDate: '2027-03-05',
        releaseTime: '00:00',
        timeZone: 'Europe/Berlin',
      });
      const stale = await fired({
        releaseDate: '2027-03-04',
        releaseTime: '00:00',
        timeZone: 'Europe/Berlin',
      });
      const london = await fired({
        releaseDate: '2027-03-05',
        releaseTime: '00:00',
        timeZone: 'Europe/London',
      });

      expect([berlin.outcome, stale.outcome, london.outcome]).toEqual([
        'out-now-requested',
        'ignored',
        'out-now-requested',
      ]);
      expect(world.mailings().filter((m) => m.kind === 'out-now')).toEqual([
        expect.objectContaining({ moment: '2027-03-05T00:00 Europe/Berlin' }),
        expect.objectContaining({ moment: '2027-03-05T00:00 Europe/London' }),
      ]);
      expect(world.stored.get('lbl-nightshift/rel-night-drive')?.outMoments).toEqual([
        '2027-03-05T00:00 Europe/Berlin',
        '2027-03-05T00:00 Europe/London',
      ]);
    });

    it('brings a territory forward to a date gone by out with the change, asking its out-now, not a release day in the past', async () => {
      const world = fakeReleases();
      await applyReleaseChange(scheduled(threeDates()), metaAt('2026-05-01T10:00:00Z'), world.deps);
      const moved = threeDates();
      moved.territoryDates![0] = {
        territories: ['DE'],
        releaseDate: '2026-05-29',
        timeZone: 'Europe/Berlin',
      };

      await applyReleaseChange(updated(moved), metaAt('2026-06-01T10:00:00Z'), world.deps);

      expect(keys(world, 'upsert')).not.toContain('2026-05-29T00:00 Europe/Berlin');
      expect(world.mailings().slice(1)).toEqual([
        expect.objectContaining({ kind: 'date-change', territories: ['DE'] }),
        expect.objectContaining({ kind: 'out-now', moment: '2026-05-29T00:00 Europe/Berlin' }),
      ]);
      const stored = world.stored.get('lbl-nightshift/rel-night-drive');
      expect([stored?.state, stored?.outMoments]).toEqual(['out', ['2026-05-29T00:00 Europe/Berlin']]);
    });

    it('still moves a territory to come when another is already out', async () => {
      const world = fakeReleases();
      await applyReleaseChange(scheduled(threeDates()), metaAt('2026-06-01T10:00:00Z'), world.deps);
      await reachReleaseDay(
        {
          labelId: 'lbl-nightshift',
          releaseId: 'rel-night-drive',
          releaseDate: '2027-03-05',
          releaseTime: '00:00',
          timeZone: 'Europe/Berlin',
        },
        { correlationId: 'c' },
        world.deps,
      );
      const moved = threeDates();
      moved.territoryDates![1] = {
        territories: ['US'],
        releaseDate: '2027-03-19',
        releaseTime: '09:00',
        timeZone: 'America/New_York',
      };

      await applyReleaseChange(updated(moved), metaAt('2026-06-02T10:00:00Z'), world.deps);

      expect(world.mailings().at(-1)).toMatchObject({ kind: 'date-change', territories: ['US'] });
      expect(keys(world, 'upsert').filter((k) => k.includes('Berlin'))).toHaveLength(1);
    });
  });

  it('deletes the schedule and asks for a cancellation mail, and a cancelled release stays cancelled', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    await applyReleaseChange(cancelled, metaAt('2026-06-02T10:00:00Z'), world.deps);
    const later = await applyReleaseChange(
      updated(aReleaseDetails({ releaseDate: '2027-05-05' })),
      metaAt('2026-06-03T10:00:00Z'),
      world.deps,
    );

    expect(world.schedules.at(-1)).toEqual({ op: 'delete', releaseId: 'rel-night-drive' });
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement', 'cancellation']);
    expect(world.stored.get('lbl-nightshift/rel-night-drive')).toMatchObject({
      state: 'cancelled',
      cancellationReason: 'Artist withdrew.',
    });
    expect(later).toEqual({ outcome: 'ignored', reason: 'the release is cancelled' });
  });

  it('keeps a cancellation that overtook its release, so the older schedule never applies', async () => {
    const world = fakeReleases();

    await applyReleaseChange(cancelled, metaAt('2026-06-02T10:00:00Z'), world.deps);
    const overtaken = await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    expect(overtaken.outcome).toBe('ignored');
    expect(world.mailings()).toHaveLength(0);
    expect(world.schedules).toEqual([{ op: 'delete', releaseId: 'rel-night-drive' }]);
  });

  it('throws on a release event without a label, so it is retried and dead-lettered rather than lost', async () => {
    const { changeMetaOf } = await import('#functions/releases/apply-change.ts');

    const read = () =>
      changeMetaOf({
        eventId: 'e',
        correlationId: 'c',
        occurredAt: '2026-06-01T10:00:00Z',
        schemaVersion: 1,
      });

    expect(read).toThrow(/labelId/);
  });
});

describe('release day', () => {
  const moment = { releaseDate: '2027-03-05', releaseTime: '00:00', timeZone: 'Europe/London' };
  const fired = { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', ...moment };

  it('marks the release out and asks for the out-now mail', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);

    const result = await reachReleaseDay(fired, { correlationId: 'c' }, world.deps);

    expect(result).toEqual({ outcome: 'out-now-requested' });
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.state).toBe('out');
    expect(world.mailings().at(-1)).toMatchObject({ kind: 'out-now' });
  });

  it('ignores a firing for a date the release has moved away from', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);
    await applyReleaseChange(
      updated(aReleaseDetails({ releaseDate: '2027-04-01' })),
      metaAt('2026-06-02T10:00:00Z'),
      world.deps,
    );

    const result = await reachReleaseDay(fired, { correlationId: 'c' }, world.deps);

    expect(result).toEqual({ outcome: 'ignored', reason: 'release moved since' });
    expect(world.mailings().some((m) => m.kind === 'out-now')).toBe(false);
  });

  it('ignores a firing for a cancelled release', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps);
    await applyReleaseChange(cancelled, metaAt('2026-06-02T10:00:00Z'), world.deps);

    const result = await reachReleaseDay(fired, { correlationId: 'c' }, world.deps);

    expect(result).toEqual({ outcome: 'ignored', reason: 'release cancelled' });
  });
});

describe('a change whose side effects failed, overtaken by a newer change before its retry', () => {
  type Step = [ReleaseChange, ChangeMeta];
  const titleOnly = updated(aReleaseDetails({ title: 'Night Drive (Radio Edit)' }));
  const newMoment = { releaseDate: '2027-03-12', releaseTime: '09:00', timeZone: 'Europe/London' };
  const moved = updated(aReleaseDetails(newMoment));

  /** Where the release day is scheduled and which mailings were requested, how often. */
  const endState = (world: ReturnType<typeof fakeReleases>) => ({
    releaseDay: world.releaseDay(),
    mailings: world
      .mailings()
      .map((m) => [m.kind, m.revision ?? ''].join(' '))
      .sort(),
  });
  const applyAll = async (world: ReturnType<typeof fakeReleases>, steps: Step[]) => {
    for (const [change, meta] of steps) await applyReleaseChange(change, meta, world.deps);
  };

  it('still announces and schedules the release day when the Scheduler failed for Release Scheduled and a title change came first', async () => {
    const schedule: Step = [scheduled(), metaAt('2026-06-01T10:00:00Z')];
    const retitle: Step = [titleOnly, metaAt('2026-06-02T10:00:00Z')];
    const unfailed = fakeReleases();
    await applyAll(unfailed, [schedule, retitle]);
    const world = fakeReleases();
    world.failing.schedules = 1;

    const failed = applyReleaseChange(...schedule, world.deps);
    await expect(failed).rejects.toThrow(/Scheduler/);
    await applyReleaseChange(...retitle, world.deps);
    const retried = await applyReleaseChange(...schedule, world.deps);

    expect(retried.outcome).toBe('ignored');
    expect(endState(world)).toEqual(endState(unfailed));
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement']);
    expect(world.releaseDay()).toEqual({
      releaseDate: '2027-03-05',
      releaseTime: '00:00',
      timeZone: 'Europe/London',
    });
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.effectsPending).toBeUndefined();
  });

  it('still moves the schedule and mails the date change when the Scheduler failed for the move and a title change came first', async () => {
    const schedule: Step = [scheduled(), metaAt('2026-06-01T10:00:00Z')];
    const move: Step = [moved, metaAt('2026-06-02T10:00:00Z')];
    const retitle: Step = [
      updated(aReleaseDetails({ ...newMoment, title: 'Night Drive (Radio Edit)' })),
      metaAt('2026-06-03T10:00:00Z'),
    ];
    const fired = { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', ...newMoment };
    const unfailed = fakeReleases();
    await applyAll(unfailed, [schedule, move, retitle]);
    await reachReleaseDay(fired, { correlationId: 'c' }, unfailed.deps);
    const world = fakeReleases();
    await applyAll(world, [schedule]);
    world.failing.schedules = 1;

    await expect(applyReleaseChange(...move, world.deps)).rejects.toThrow(/Scheduler/);
    await applyReleaseChange(...retitle, world.deps);
    const retried = await applyReleaseChange(...move, world.deps);
    const releaseDay = await reachReleaseDay(fired, { correlationId: 'c' }, world.deps);

    expect(retried.outcome).toBe('ignored');
    expect(endState(world)).toEqual(endState(unfailed));
    expect(world.releaseDay()).toEqual(newMoment);
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement', 'date-change', 'out-now']);
    expect(releaseDay).toEqual({ outcome: 'out-now-requested' });
  });

  it('still announces when the Scheduler failed for Release Scheduled and a date move came first', async () => {
    const schedule: Step = [scheduled(), metaAt('2026-06-01T10:00:00Z')];
    const move: Step = [moved, metaAt('2026-06-02T10:00:00Z')];
    const unfailed = fakeReleases();
    await applyAll(unfailed, [schedule, move]);
    const world = fakeReleases();
    world.failing.schedules = 1;

    await expect(applyReleaseChange(...schedule, world.deps)).rejects.toThrow(/Scheduler/);
    await applyReleaseChange(...move, world.deps);
    const retried = await applyReleaseChange(...schedule, world.deps);

    expect(retried.outcome).toBe('ignored');
    expect(endState(world)).toEqual(endState(unfailed));
    expect(world.releaseDay()).toEqual(newMoment);
  });

  it('redoes the merged effects when the newer change fails too, on the retry of the newer change', async () => {
    const schedule: Step = [scheduled(), metaAt('2026-06-01T10:00:00Z')];
    const retitle: Step = [titleOnly, metaAt('2026-06-02T10:00:00Z')];
    const world = fakeReleases();
    world.failing.schedules = 2;

    await expect(applyReleaseChange(...schedule, world.deps)).rejects.toThrow(/Scheduler/);
    await expect(applyReleaseChange(...retitle, world.deps)).rejects.toThrow(/Scheduler/);
    const retriedOld = await applyReleaseChange(...schedule, world.deps);
    const retriedNew = await applyReleaseChange(...retitle, world.deps);

    expect(retriedOld.outcome).toBe('ignored');
    expect(retriedNew.outcome).toBe('replayed');
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement']);
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.effectsPending).toBeUndefined();
  });

  it('carries no release day into a cancellation: it is deleted, and the cancellation follows the announcement', async () => {
    const world = fakeReleases();
    world.failing.schedules = 1;
    await expect(applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps)).rejects.toThrow(
      /Scheduler/,
    );

    await applyReleaseChange(cancelled, metaAt('2026-06-02T10:00:00Z'), world.deps);

    expect(world.releaseDay()).toBeUndefined();
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement', 'cancellation']);
  });

  it('asks for its mailings in the same write as the release, so nothing but the store can lose them', async () => {
    const world = fakeReleases();
    world.failing.schedules = 1;

    await expect(applyReleaseChange(scheduled(), metaAt('2026-06-01T10:00:00Z'), world.deps)).rejects.toThrow(
      /Scheduler/,
    );

    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.effectsPending).toBe(true);
    expect(world.published.map((entry) => [entry.source, entry.detailType])).toEqual([
      ['backline.releases', 'Mailing Requested'],
    ]);
  });
});

describe('radio servicing', () => {
  const serviced = (overrides: Partial<ReleaseDetails> = {}) =>
    aReleaseDetails({
      territories: ['GB', 'DE', 'US'],
      timeZone: 'America/Los_Angeles',
      radioServicing: {
        servicingDate: '2027-02-22',
        addDates: [
          { format: 'AAA', territory: 'GB', date: '2027-03-01' },
          { format: 'CHR', territory: 'GB', date: '2027-03-02' },
        ],
        edits: [{ kind: 'radio-edit', assetUrl: 'https://promo.example.com/radio-edit' }],
      },
      ...overrides,
    });
  const radioKeys = (world: ReturnType<typeof fakeReleases>, op: 'upsert' | 'delete') =>
    world.radio.flatMap((s) => (s.op === op ? [revisionOf(s.moment)] : []));
  const moment = (timeZone: string, releaseDate = '2027-02-22') => ({
    releaseDate,
    releaseTime: '09:00',
    timeZone,
  });

  it('schedules one servicing per distinct moment: 09:00 in each territory’s zone, the release’s where a territory has several', async () => {
    const world = fakeReleases();

    await applyReleaseChange(scheduled(serviced()), metaAt('2026-06-01T10:00:00Z'), world.deps);

    expect(radioKeys(world, 'upsert')).toEqual([
      '2027-02-22T09:00 Europe/Berlin',
      '2027-02-22T09:00 Europe/London',
      '2027-02-22T09:00 America/Los_Angeles',
    ]);
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement']);
  });

  it('services a territory with a street date of its own at 09:00 in that date’s zone, the others as before', async () => {
    const world = fakeReleases();
    const ownDates = serviced({
      timeZone: 'Europe/London',
      territoryDates: [{ territories: ['US'], releaseDate: '2027-03-05', timeZone: 'America/New_York' }],
    });

    await applyReleaseChange(scheduled(ownDates), metaAt('2026-06-01T10:00:00Z'), world.deps);

    expect(radioKeys(world, 'upsert')).toEqual([
      '2027-02-22T09:00 Europe/Berlin',
      '2027-02-22T09:00 Europe/London',
      '2027-02-22T09:00 America/New_York',
    ]);
  });

  it('moves the servicing schedules with the servicing date, and mails nobody for it', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(serviced()), metaAt('2026-06-01T10:00:00Z'), world.deps);
    const later = serviced();
    later.radioServicing!.servicingDate = '2027-02-24';

    await applyReleaseChange(updated(later), metaAt('2026-06-01T10:01:00Z'), world.deps);

    expect(radioKeys(world, 'delete').sort()).toEqual([
      '2027-02-22T09:00 America/Los_Angeles',
      '2027-02-22T09:00 Europe/Berlin',
      '2027-02-22T09:00 Europe/London',
    ]);
    expect(radioKeys(world, 'upsert').slice(3)).toEqual([
      '2027-02-24T09:00 Europe/Berlin',
      '2027-02-24T09:00 Europe/London',
      '2027-02-24T09:00 America/Los_Angeles',
    ]);
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement']);
  });

  it('asks for an add-date change for the moved add date’s format and territory only', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(serviced()), metaAt('2026-06-01T10:00:00Z'), world.deps);
    const moved = serviced();
    moved.radioServicing!.addDates[0].date = '2027-03-08';

    await applyReleaseChange(updated(moved), metaAt('2026-06-01T10:01:00Z'), world.deps);

    expect(world.mailings().slice(1)).toEqual([
      {
        labelId: 'lbl-nightshift',
        releaseId: 'rel-night-drive',
        kind: 'radio-add-date-change',
        revision: '2027-03-08',
        moment: JSON.stringify(['aaa', 'GB']),
        territories: ['GB'],
      },
    ]);
    expect(world.radio.filter((s) => s.op === 'delete')).toEqual([]);
  });

  it('asks no add-date change for a country the release is withdrawn from', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(serviced()), metaAt('2026-06-01T10:00:00Z'), world.deps);
    await applyReleaseChange(
      { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['GB'] },
      metaAt('2026-06-01T10:01:00Z'),
      world.deps,
    );
    const asked = world.mailings().length;
    const moved = serviced({ territories: ['DE', 'US'] });
    moved.radioServicing!.addDates[0].date = '2027-03-08';

    await applyReleaseChange(updated(moved), metaAt('2026-06-01T10:02:00Z'), world.deps);

    expect(
      world
        .mailings()
        .slice(asked)
        .map((m) => m.kind),
    ).not.toContain('radio-add-date-change');
  });

  it('keeps each moved add date with the label’s time of the move while it stands, so a servicing sent after can be followed by it', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(serviced()), metaAt('2026-06-01T10:00:00Z'), world.deps);
    const moved = serviced();
    moved.radioServicing!.addDates[0].date = '2027-03-08';
    await applyReleaseChange(updated(moved), metaAt('2026-06-01T10:01:00Z'), world.deps);
    const stored = () => world.stored.get('lbl-nightshift/rel-night-drive');
    const afterMove = stored()?.addDateChanges;
    const chrToo = serviced();
    chrToo.radioServicing!.addDates[0].date = '2027-03-08';
    chrToo.radioServicing!.addDates[1].date = '2027-03-09';
    await applyReleaseChange(updated(chrToo), metaAt('2026-06-01T10:02:00Z'), world.deps);
    const afterBoth = stored()?.addDateChanges;
    await applyReleaseChange(updated(serviced()), metaAt('2026-06-01T10:03:00Z'), world.deps);

    const aaa = JSON.stringify(['aaa', 'GB']);
    const chr = JSON.stringify(['chr', 'GB']);
    // Each with the date it replaced, which its mail states (docs/design.md#radio-servicing).
    expect(afterMove).toEqual([
      { key: aaa, date: '2027-03-08', at: '2026-06-01T10:01:00.000Z', was: '2027-03-01' },
    ]);
    expect(afterBoth).toEqual([
      { key: aaa, date: '2027-03-08', at: '2026-06-01T10:01:00.000Z', was: '2027-03-01' },
      { key: chr, date: '2027-03-09', at: '2026-06-01T10:02:00.000Z', was: '2027-03-02' },
    ]);
    // Both moved back: the moves back are what stand now.
    expect(stored()?.addDateChanges).toEqual([
      { key: aaa, date: '2027-03-01', at: '2026-06-01T10:03:00.000Z', was: '2027-03-08' },
      { key: chr, date: '2027-03-02', at: '2026-06-01T10:03:00.000Z', was: '2027-03-09' },
    ]);
  });

  it('asks for the servicing at once when its date has passed, instead of scheduling it', async () => {
    const world = fakeReleases();
    const late = serviced();
    late.radioServicing!.servicingDate = '2026-05-30';

    await applyReleaseChange(scheduled(late), metaAt('2026-06-01T10:00:00Z'), world.deps);

    expect(world.radio).toEqual([]);
    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement', 'radio-servicing']);
  });

  it('asks for the servicing again when a change widens a release whose servicing moment has passed, for the radio outlets it now reaches', async () => {
    const world = fakeReleases();
    const late = serviced();
    late.radioServicing!.servicingDate = '2026-05-30';
    await applyReleaseChange(scheduled(late), metaAt('2026-06-01T10:00:00Z'), world.deps);

    await applyReleaseChange(
      updated({ ...late, genres: [...late.genres, 'darkwave'] }),
      metaAt('2026-06-01T10:01:00Z'),
      world.deps,
    );

    expect(world.mailings().map((m) => m.kind)).toEqual([
      'announcement',
      'radio-servicing',
      'announcement',
      'radio-servicing',
    ]);
  });

  it('deletes the servicing schedules when the release is cancelled', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(serviced()), metaAt('2026-06-01T10:00:00Z'), world.deps);

    await applyReleaseChange(cancelled, metaAt('2026-06-01T10:01:00Z'), world.deps);

    expect(radioKeys(world, 'delete')).toHaveLength(3);
    expect(world.mailings().at(-1)).toMatchObject({ kind: 'cancellation' });
  });

  it('asks for the servicing when its moment comes, and ignores a firing for a moment the release moved from', async () => {
    const world = fakeReleases();
    await applyReleaseChange(scheduled(serviced()), metaAt('2026-06-01T10:00:00Z'), world.deps);
    const fired = { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive' };

    const current = await reachRadioServicing(
      { ...fired, ...moment('Europe/London') },
      { correlationId: 'c' },
      world.deps,
    );
    const stale = await reachRadioServicing(
      { ...fired, ...moment('Europe/London', '2027-02-21') },
      { correlationId: 'c' },
      world.deps,
    );

    expect(current).toEqual({ outcome: 'servicing-requested' });
    expect(stale).toEqual({ outcome: 'ignored', reason: 'servicing moved since' });
    expect(world.mailings().at(-1)).toMatchObject({
      kind: 'radio-servicing',
      moment: '2027-02-22T09:00 Europe/London',
    });
    expect(world.stored.get('lbl-nightshift/rel-night-drive')?.servicedMoments).toEqual([
      '2027-02-22T09:00 Europe/London',
    ]);
  });

  it('asks for the servicing held by an embargo when the embargo ends after its moment', async () => {
    const world = fakeReleases();
    const held = serviced({ announceAt: '2026-06-10T00:00:00Z' });
    held.radioServicing!.servicingDate = '2026-06-05';
    await applyReleaseChange(scheduled(held), metaAt('2026-06-01T10:00:00Z'), world.deps);
    world.deps.now = () => new Date('2026-06-10T00:00:30Z');

    await endEmbargo(
      { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', announceAt: '2026-06-10T00:00:00Z' },
      { correlationId: 'c' },
      world.deps,
    );

    expect(world.mailings().map((m) => m.kind)).toEqual(['announcement', 'radio-servicing']);
  });
});
