import { describe, expect, it } from 'vitest';
import type { ComingReleases } from '#shared/db/coming-releases.ts';
import type { ReleaseChangeRecord, ReleaseStore } from '#shared/db/releases.ts';
import { MailingRequested, outboxEntry } from '#shared/events/index.ts';
import type { MailKind } from '#shared/events/mailing-requested.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { servicingMomentsOf } from '#shared/radio.ts';
import {
  announceAtsOf,
  lastStreetDateOf,
  momentOf,
  type ReleaseMoment,
  revisionOf,
  type StoredRelease,
  territoryMomentsOf,
} from '#shared/releases.ts';
import { uniqueId } from '#test/support/cloud.ts';
import { aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

/**
 * What every ReleaseStore does (newer changes only, and each schedule's firing acting only on the
 * release it was set for), on the fake and on DynamoDB Local (see outlet-directory.contract.ts).
 * `outboxHolds` tells whether the store's write put an outbox entry (by event id) in the outbox;
 * `changeHeld`, the change record the store holds under the key of `change` (its label, release,
 * occurredAt and event id), if any.
 */
export function describeReleasesContract<S extends ReleaseStore & ComingReleases>(
  name: string,
  makeStore: () => S,
  outboxHolds: (store: S, eventId: string) => Promise<boolean>,
  changeHeld: (store: S, change: ReleaseChangeRecord) => Promise<ReleaseChangeRecord | undefined>,
) {
  const at = (day: number) => `2026-06-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  /**
   * A release as releases stores it, under ids of its own: `details` over aReleaseDetails, without the
   * keys releases keeps beside them (as a release stored before it kept them).
   */
  const aRelease = (details: Partial<ReleaseDetails> = {}, overrides: Partial<StoredRelease> = {}) => {
    const releaseId = uniqueId('rel');
    return aStoredRelease({
      labelId: uniqueId('lbl'),
      releaseId,
      details: aReleaseDetails({ ...details, releaseId }),
      occurredAt: at(1),
      lastEventId: uniqueId('evt'),
      createdAt: at(1),
      updatedAt: at(1),
      ...overrides,
    });
  };
  /** The same, with the keys releases stores beside the details: its moments, embargoes and servicing moments. */
  const aKeyedRelease = (details: Partial<ReleaseDetails> = {}, overrides: Partial<StoredRelease> = {}) => {
    const release = aRelease(details, overrides);
    const full = release.details!;
    return {
      ...release,
      momentKeys: territoryMomentsOf(full).map((group) => group.key),
      lastStreetDateAt: lastStreetDateOf(full),
      announceAts: announceAtsOf(full),
      servicingKeys: servicingMomentsOf(full).map((group) => group.key),
    };
  };
  const aMailing = (release: StoredRelease, kind: MailKind) =>
    outboxEntry(MailingRequested, { labelId: release.labelId, releaseId: release.releaseId, kind });
  const read = (store: ReleaseStore, release: StoredRelease) => store.get(release.labelId, release.releaseId);
  /** Stores `release` as it stands, or fails the test. */
  const stored = async (store: ReleaseStore, release: StoredRelease) => {
    expect(await store.putIfNewer(release, [])).toBe(true);
    return release;
  };
  const markOut = (
    store: ReleaseStore,
    release: StoredRelease,
    moment: ReleaseMoment,
    when: string,
    events = [aMailing(release, 'out-now')],
  ) => store.markOut(release.labelId, release.releaseId, moment, when, events);

  describe(`ReleaseStore contract: ${name}`, () => {
    it('gives back a release as it was stored, and nothing for a release never stored', async () => {
      const store = makeStore();
      const release = aKeyedRelease(
        { announceAt: '2027-02-01T09:00:00Z' },
        {
          lastEffects: [{ type: 'request-mailing', kind: 'announcement' }],
          effectsPending: true,
          previousMoment: { releaseDate: '2027-02-26', releaseTime: '00:00', timeZone: 'Europe/London' },
        },
      );

      await stored(store, release);

      expect(await read(store, release)).toEqual(release);
      expect(await store.get(release.labelId, uniqueId('rel'))).toBeUndefined();
    });

    it("keeps two labels' releases of one id apart: one label's cancellation leaves the other's as it was", async () => {
      const store = makeStore();
      const ours = await stored(store, aKeyedRelease());
      const theirs = await stored(store, { ...ours, labelId: uniqueId('lbl'), lastEventId: uniqueId('evt') });

      await stored(store, { ...theirs, state: 'cancelled', occurredAt: at(2) });

      expect(await read(store, ours)).toEqual(ours);
      expect(await read(store, theirs)).toMatchObject({ state: 'cancelled' });
    });

    it('lists the releases still to come somewhere, by their last street date: not one cancelled or out everywhere', async () => {
      const store = makeStore();
      const laterThere = await stored(
        store,
        aKeyedRelease({
          releaseDate: '2027-03-05',
          territories: ['GB', 'DE'],
          territoryDates: [{ territories: ['DE'], releaseDate: '2027-03-12', timeZone: 'Europe/Berlin' }],
        }),
      );
      const coming = await stored(store, aKeyedRelease({ releaseDate: '2027-03-07' }));
      const cancelled = await stored(store, aKeyedRelease({ releaseDate: '2027-03-07' }));
      await stored(store, { ...cancelled, state: 'cancelled', occurredAt: at(2) });
      const past = await stored(store, aKeyedRelease({ releaseDate: '2027-02-20' }));
      const mine = new Set([laterThere, coming, cancelled, past].map((r) => r.releaseId));

      const listed = async (now: string) => {
        const found: StoredRelease[] = [];
        for await (const page of store.coming(new Date(now))) found.push(...page);
        return found.filter((r) => mine.has(r.releaseId));
      };

      expect((await listed('2027-03-01T12:00:00Z')).map((r) => r.releaseId)).toEqual([
        coming.releaseId,
        laterThere.releaseId,
      ]);
      expect(await listed('2027-03-08T12:00:00Z')).toEqual([laterThere]);
      expect(await listed('2027-03-12T00:00:00Z')).toEqual([]);
    });

    it('keeps the out and serviced moments as sets: each once, given back sorted', async () => {
      const store = makeStore();
      const release = aRelease(
        {},
        {
          state: 'out',
          outMoments: [
            '2027-03-12T00:00 Europe/London',
            '2027-03-05T00:00 Europe/London',
            '2027-03-12T00:00 Europe/London',
          ],
          servicedMoments: ['2027-02-20T09:00 Europe/London', '2027-02-20T09:00 Europe/Berlin'],
        },
      );

      await stored(store, release);

      expect(await read(store, release)).toMatchObject({
        outMoments: ['2027-03-05T00:00 Europe/London', '2027-03-12T00:00 Europe/London'],
        servicedMoments: ['2027-02-20T09:00 Europe/Berlin', '2027-02-20T09:00 Europe/London'],
      });
    });

    it('stores a release only when the label made it after the stored one: an older or equally old one is refused and writes no event', async () => {
      const store = makeStore();
      const release = aRelease({}, { occurredAt: at(5) });
      const first = aMailing(release, 'announcement');
      const older = aMailing(release, 'date-change');
      const tie = aMailing(release, 'date-change');
      const newer = aMailing(release, 'date-change');

      expect(await store.putIfNewer(release, [first])).toBe(true);
      expect(await store.putIfNewer({ ...release, occurredAt: at(4) }, [older])).toBe(false);
      const retitled = { ...release.details!, title: 'Other' };
      expect(await store.putIfNewer({ ...release, details: retitled }, [tie])).toBe(false);

      expect(await read(store, release)).toEqual(release);
      expect(await outboxHolds(store, first.eventId)).toBe(true);
      expect(await outboxHolds(store, older.eventId)).toBe(false);
      expect(await outboxHolds(store, tie.eventId)).toBe(false);

      const next = { ...release, details: retitled, occurredAt: at(6), updatedAt: at(6) };
      expect(await store.putIfNewer(next, [newer])).toBe(true);
      expect(await read(store, release)).toEqual(next);
      expect(await outboxHolds(store, newer.eventId)).toBe(true);
    });

    it('refuses a newer release that lacks a moment marked since it was read (it would lose it), and writes no event', async () => {
      const store = makeStore();
      const release = await stored(
        store,
        aKeyedRelease({
          territoryDates: [{ territories: ['IE'], releaseDate: '2027-03-12' }],
          radioServicing: { servicingDate: '2027-02-20', addDates: [], edits: [] },
          announceAt: '2027-02-01T09:00:00Z',
        }),
      );
      const [, ie] = territoryMomentsOf(release.details!);
      // Read for a label change; then Ireland's street date comes, its servicing moment, the embargo ends.
      const read1 = (await read(store, release))!;
      expect(await markOut(store, release, ie.moment, at(3))).toBe(true);
      const change = {
        ...read1,
        details: { ...read1.details!, title: 'Other' },
        occurredAt: at(4),
        updatedAt: at(4),
      };
      const lost = aMailing(release, 'date-change');

      expect(await store.putIfNewer(change, [lost])).toBe(false);
      expect(await outboxHolds(store, lost.eventId)).toBe(false);
      const outThere = (await read(store, release))!;
      expect(outThere).toMatchObject({ state: 'out', outMoments: [ie.key], details: release.details });
      expect(
        await store.markServiced(release.labelId, release.releaseId, release.servicingKeys![0], at(5), []),
      ).toBe(true);
      expect(await store.putIfNewer({ ...change, state: 'out', outMoments: [ie.key] }, [])).toBe(false);
      const serviced = (await read(store, release))!;
      const lifted = () =>
        store.markEmbargoLifted(release.labelId, release.releaseId, '2027-02-01T09:00:00Z', at(6), []);
      expect(await lifted()).toBe(true);
      expect(await store.putIfNewer({ ...serviced, details: change.details, occurredAt: at(4) }, [])).toBe(
        false,
      );

      // Decided again from what is stored now, it is written.
      const now = (await read(store, release))!;
      const again = { ...now, details: change.details, occurredAt: at(4), updatedAt: at(7) };
      expect(await store.putIfNewer(again, [lost])).toBe(true);
      expect(await read(store, release)).toEqual(again);
      expect(await outboxHolds(store, lost.eventId)).toBe(true);
    });

    it('refuses a release carrying an out moment of its own when another was marked since it was read', async () => {
      const store = makeStore();
      const release = await stored(
        store,
        aKeyedRelease({ territoryDates: [{ territories: ['IE'], releaseDate: '2027-03-12' }] }),
      );
      const [gb, ie] = territoryMomentsOf(release.details!);
      expect(await markOut(store, release, gb.moment, at(2))).toBe(true);
      // Read for a label change moving GB, out already, to 3 March: it stays out there (releases records
      // that moment out with the change); then Ireland's street date comes.
      const read1 = (await read(store, release))!;
      expect(await markOut(store, release, ie.moment, at(3))).toBe(true);
      const movedOut = '2027-03-03T00:00 Europe/London';
      const change = {
        ...read1,
        outMoments: [...read1.outMoments!, movedOut],
        occurredAt: at(4),
        updatedAt: at(4),
      };

      // As many moments as stored, but not Ireland's: the write would lose it.
      expect(await store.putIfNewer(change, [], undefined, read1)).toBe(false);
      expect((await read(store, release))?.outMoments).toEqual([gb.key, ie.key].sort());

      // Decided again from what is stored now, it is written.
      const now = (await read(store, release))!;
      const again = { ...change, outMoments: [...now.outMoments!, movedOut] };
      expect(await store.putIfNewer(again, [], undefined, now)).toBe(true);
      expect((await read(store, release))?.outMoments).toEqual([gb.key, ie.key, movedOut].sort());
    });

    /** The record of a change to `release`, at `occurredAt`, under an event id of its own. */
    const aChange = (release: StoredRelease, occurredAt: string, applied: boolean): ReleaseChangeRecord => ({
      labelId: release.labelId,
      releaseId: release.releaseId,
      occurredAt,
      eventId: uniqueId('evt'),
      detailType: 'Release Updated',
      applied,
      receivedAt: occurredAt,
    });

    it('writes the record of the change it applies with the release, and none with a release it refuses', async () => {
      const store = makeStore();
      const release = aRelease({}, { occurredAt: at(5) });
      const applied = { ...aChange(release, at(5), true), applied: true as const };
      const older = { ...aChange(release, at(4), true), applied: true as const };
      const mail = aMailing(release, 'announcement');

      expect(await store.putIfNewer(release, [mail], applied)).toBe(true);
      expect(await store.putIfNewer({ ...release, occurredAt: at(4) }, [], older)).toBe(false);

      expect(await changeHeld(store, applied)).toEqual(applied);
      expect(await changeHeld(store, older)).toBeUndefined();
      expect(await outboxHolds(store, mail.eventId)).toBe(true);
    });

    it('records an ignored change only where none is recorded: never over one applied, and one applied replaces it', async () => {
      const store = makeStore();
      const release = aRelease({}, { occurredAt: at(5) });
      const applied = { ...aChange(release, at(5), true), applied: true as const };
      const withdrawn = aChange(release, at(6), false);
      const appliedLater = { ...withdrawn, applied: true as const, receivedAt: at(8) };
      expect(await store.putIfNewer(release, [], applied)).toBe(true);

      await store.recordChange({ ...applied, applied: false, receivedAt: at(7) });
      await store.recordChange(withdrawn);
      await store.recordChange({ ...withdrawn, receivedAt: at(7) });
      expect(await changeHeld(store, withdrawn)).toEqual(withdrawn);
      const described = { ...release, occurredAt: at(6), updatedAt: at(8) };
      expect(await store.putIfNewer(described, [], appliedLater)).toBe(true);
      await store.recordChange({ ...withdrawn, receivedAt: at(9) });

      expect(await changeHeld(store, applied)).toEqual(applied);
      expect(await changeHeld(store, appliedLater)).toEqual(appliedLater);
      expect(await read(store, release)).toEqual(described);
    });

    it('records a change beside the release, leaving the release as it is and making none', async () => {
      const store = makeStore();
      const release = await stored(store, aRelease());
      const change = (applied: boolean, releaseId = release.releaseId) => ({
        labelId: release.labelId,
        releaseId,
        occurredAt: at(2),
        eventId: uniqueId('evt'),
        detailType: 'Release Updated',
        applied,
        receivedAt: at(2),
      });

      await store.recordChange(change(false));
      const unknown = uniqueId('rel');
      await store.recordChange(change(false, unknown));

      expect(await read(store, release)).toEqual(release);
      expect(await store.get(release.labelId, unknown)).toBeUndefined();
    });

    it('marks a scheduled release out at exactly its date, time and time zone, recording the moment and writing its events', async () => {
      const store = makeStore();
      const release = await stored(store, aRelease());
      const moment = momentOf(release.details!);
      const outNow = aMailing(release, 'out-now');

      expect(await markOut(store, release, moment, at(3), [outNow])).toBe(true);

      expect(await read(store, release)).toEqual({
        ...release,
        state: 'out',
        outAt: at(3),
        outMoments: [revisionOf(moment)],
        updatedAt: at(3),
      });
      expect(await outboxHolds(store, outNow.eventId)).toBe(true);
    });

    it('marks no release out at its date and time in another time zone, and writes no event', async () => {
      const store = makeStore();
      const release = await stored(store, aRelease());
      const elsewhere = { ...momentOf(release.details!), timeZone: 'America/New_York' };
      const outNow = aMailing(release, 'out-now');

      expect(await markOut(store, release, elsewhere, at(3), [outNow])).toBe(false);

      expect(await read(store, release)).toEqual(release);
      expect(await outboxHolds(store, outNow.eventId)).toBe(false);
    });

    it('marks no release out at another date or another time (a schedule set before it moved)', async () => {
      const store = makeStore();
      const release = await stored(store, aRelease());
      const moment = momentOf(release.details!);
      const outNow = aMailing(release, 'out-now');

      expect(await markOut(store, release, { ...moment, releaseDate: '2027-02-26' }, at(3), [outNow])).toBe(
        false,
      );
      expect(await markOut(store, release, { ...moment, releaseTime: '09:00' }, at(3), [])).toBe(false);

      expect(await read(store, release)).toEqual(release);
      expect(await outboxHolds(store, outNow.eventId)).toBe(false);
    });

    it('marks a release out at one of its territory moments, recording each moment once', async () => {
      const store = makeStore();
      const release = await stored(
        store,
        aKeyedRelease({ territoryDates: [{ territories: ['IE'], releaseDate: '2027-03-12' }] }),
      );
      const [gb, ie] = territoryMomentsOf(release.details!);
      const outInIreland = aMailing(release, 'out-now');

      expect(await markOut(store, release, ie.moment, at(3), [outInIreland])).toBe(true);
      expect(await read(store, release)).toMatchObject({ state: 'out', outMoments: [ie.key] });
      expect(await markOut(store, release, gb.moment, at(4), [])).toBe(true);
      expect(await markOut(store, release, ie.moment, at(5), [])).toBe(true);

      expect(await read(store, release)).toEqual({
        ...release,
        state: 'out',
        outAt: at(3),
        outMoments: [gb.key, ie.key].sort(),
        updatedAt: at(5),
      });
      expect(await outboxHolds(store, outInIreland.eventId)).toBe(true);
      const unlisted = { ...ie.moment, releaseDate: '2027-03-19' };
      expect(await markOut(store, release, unlisted, at(6), [])).toBe(false);
    });

    it('marks an out release out again at its moment (a redelivered firing), keeping when it went out, and writes the events again', async () => {
      const store = makeStore();
      const release = await stored(store, aRelease());
      const moment = momentOf(release.details!);
      await markOut(store, release, moment, at(3));
      const again = aMailing(release, 'out-now');

      expect(await markOut(store, release, moment, at(4), [again])).toBe(true);

      expect(await read(store, release)).toMatchObject({
        state: 'out',
        outAt: at(3),
        outMoments: [revisionOf(moment)],
        updatedAt: at(4),
      });
      expect(await outboxHolds(store, again.eventId)).toBe(true);
    });

    it('marks no cancelled release out, even at its exact moment, and writes no event', async () => {
      const store = makeStore();
      const release = await stored(
        store,
        aKeyedRelease(
          { territoryDates: [{ territories: ['IE'], releaseDate: '2027-03-12' }] },
          { state: 'cancelled', cancellationReason: 'Artist withdrew.' },
        ),
      );
      const outNow = aMailing(release, 'out-now');

      for (const { moment } of territoryMomentsOf(release.details!))
        expect(await markOut(store, release, moment, at(3), [outNow])).toBe(false);

      expect(await read(store, release)).toEqual(release);
      expect(await outboxHolds(store, outNow.eventId)).toBe(false);
    });

    it('records when the embargo at exactly the release’s announceAt ended, once, writing the events each time', async () => {
      const store = makeStore();
      const announceAt = '2027-02-01T09:00:00Z';
      const release = await stored(store, aRelease({ announceAt }));
      const first = aMailing(release, 'announcement');
      const again = aMailing(release, 'announcement');
      const lift = (when: string, events = [aMailing(release, 'announcement')]) =>
        store.markEmbargoLifted(release.labelId, release.releaseId, announceAt, when, events);

      expect(await lift(at(3), [first])).toBe(true);
      expect(await read(store, release)).toEqual({ ...release, embargoLiftedAt: at(3), updatedAt: at(3) });
      expect(await lift(at(4), [again])).toBe(true);

      expect(await read(store, release)).toEqual({ ...release, embargoLiftedAt: at(3), updatedAt: at(4) });
      expect(await outboxHolds(store, first.eventId)).toBe(true);
      expect(await outboxHolds(store, again.eventId)).toBe(true);
    });

    it('ends no embargo at another instant (a schedule set for an older announceAt), and writes no event', async () => {
      const store = makeStore();
      const release = await stored(store, aKeyedRelease({ announceAt: '2027-02-01T09:00:00Z' }));
      const announcement = aMailing(release, 'announcement');

      const lifted = await store.markEmbargoLifted(
        release.labelId,
        release.releaseId,
        '2027-01-25T09:00:00Z',
        at(3),
        [announcement],
      );

      expect(lifted).toBe(false);
      expect(await read(store, release)).toEqual(release);
      expect(await outboxHolds(store, announcement.eventId)).toBe(false);
    });

    it('ends the embargo at embargoUntil only when the release has no announceAt', async () => {
      const store = makeStore();
      const embargoUntil = '2027-01-25T09:00:00Z';
      const older = await stored(store, aRelease({ embargoUntil }));
      const both = await stored(store, aRelease({ announceAt: '2027-02-01T09:00:00Z', embargoUntil }));
      const lift = (release: StoredRelease) =>
        store.markEmbargoLifted(release.labelId, release.releaseId, embargoUntil, at(3), []);

      expect(await lift(older)).toBe(true);
      expect(await lift(both)).toBe(false);

      expect(await read(store, older)).toMatchObject({ embargoLiftedAt: at(3) });
      expect(await read(store, both)).toEqual(both);
    });

    it('ends the embargo at one of its territory entries’ announceAt', async () => {
      const store = makeStore();
      const irish = '2027-02-08T09:00:00Z';
      const release = await stored(
        store,
        aKeyedRelease({
          announceAt: '2027-02-01T09:00:00Z',
          territoryDates: [{ territories: ['IE'], releaseDate: '2027-03-12', announceAt: irish }],
        }),
      );

      expect(await store.markEmbargoLifted(release.labelId, release.releaseId, irish, at(3), [])).toBe(true);

      expect(await read(store, release)).toMatchObject({ embargoLiftedAt: at(3) });
    });

    it('ends the embargo of a scheduled or out release, never of a cancelled one', async () => {
      const store = makeStore();
      const announceAt = '2027-02-01T09:00:00Z';
      const out = await stored(store, aKeyedRelease({ announceAt }, { state: 'out', outAt: at(2) }));
      const cancelled = await stored(store, aKeyedRelease({ announceAt }, { state: 'cancelled' }));
      const announcement = aMailing(cancelled, 'announcement');
      const lift = (release: StoredRelease, events = [aMailing(release, 'announcement')]) =>
        store.markEmbargoLifted(release.labelId, release.releaseId, announceAt, at(3), events);

      expect(await lift(out)).toBe(true);
      expect(await lift(cancelled, [announcement])).toBe(false);

      expect(await read(store, cancelled)).toEqual(cancelled);
      expect(await outboxHolds(store, announcement.eventId)).toBe(false);
    });

    it('records a radio servicing moment the release lists, each once, writing the events each time', async () => {
      const store = makeStore();
      const release = await stored(
        store,
        aKeyedRelease({
          territories: ['GB', 'DE'],
          radioServicing: { servicingDate: '2027-02-20', addDates: [], edits: [] },
        }),
      );
      const [berlin, london] = release.servicingKeys!;
      const first = aMailing(release, 'radio-servicing');
      const again = aMailing(release, 'radio-servicing');
      const service = (key: string, when: string, events = [aMailing(release, 'radio-servicing')]) =>
        store.markServiced(release.labelId, release.releaseId, key, when, events);

      expect(await service(london, at(3), [first])).toBe(true);
      expect(await read(store, release)).toEqual({ ...release, servicedMoments: [london], updatedAt: at(3) });
      expect(await service(london, at(4), [again])).toBe(true);
      expect(await service(berlin, at(5))).toBe(true);

      expect(await read(store, release)).toEqual({
        ...release,
        servicedMoments: [berlin, london].sort(),
        updatedAt: at(5),
      });
      expect(await outboxHolds(store, first.eventId)).toBe(true);
      expect(await outboxHolds(store, again.eventId)).toBe(true);
    });

    it('records no servicing moment the release does not list, nor any of a cancelled release, and writes no event', async () => {
      const store = makeStore();
      const servicing = {
        territories: ['GB', 'DE'],
        radioServicing: { servicingDate: '2027-02-20', addDates: [], edits: [] },
      };
      const release = await stored(store, aKeyedRelease(servicing));
      const cancelled = await stored(store, aKeyedRelease(servicing, { state: 'cancelled' }));
      const moved = '2027-02-13T09:00 Europe/London';
      const servicingMail = aMailing(release, 'radio-servicing');

      expect(
        await store.markServiced(release.labelId, release.releaseId, moved, at(3), [servicingMail]),
      ).toBe(false);
      for (const key of cancelled.servicingKeys!)
        expect(
          await store.markServiced(cancelled.labelId, cancelled.releaseId, key, at(3), [servicingMail]),
        ).toBe(false);

      expect(await read(store, release)).toEqual(release);
      expect(await read(store, cancelled)).toEqual(cancelled);
      expect(await outboxHolds(store, servicingMail.eventId)).toBe(false);
    });

    it('clears the pending effects only for the change applied last', async () => {
      const store = makeStore();
      const release = await stored(store, aRelease({}, { effectsPending: true }));
      const { effectsPending: _cleared, ...performed } = release;

      await store.markEffectsPerformed(release.labelId, release.releaseId, uniqueId('evt'));
      expect(await read(store, release)).toEqual(release);

      await store.markEffectsPerformed(release.labelId, release.releaseId, release.lastEventId);
      expect(await read(store, release)).toEqual(performed);
    });

    it('makes no release of one never stored: marking it out, lifted, serviced or performed is refused and writes no event', async () => {
      const store = makeStore();
      const release = aKeyedRelease({
        announceAt: '2027-02-01T09:00:00Z',
        radioServicing: { servicingDate: '2027-02-20', addDates: [], edits: [] },
      });
      const mail = aMailing(release, 'out-now');
      const { labelId, releaseId } = release;

      expect(await markOut(store, release, momentOf(release.details!), at(3), [mail])).toBe(false);
      expect(await store.markEmbargoLifted(labelId, releaseId, '2027-02-01T09:00:00Z', at(3), [mail])).toBe(
        false,
      );
      expect(await store.markServiced(labelId, releaseId, release.servicingKeys![0], at(3), [])).toBe(false);
      await store.markEffectsPerformed(labelId, releaseId, release.lastEventId);

      expect(await read(store, release)).toBeUndefined();
      expect(await outboxHolds(store, mail.eventId)).toBe(false);
    });
  });
}
