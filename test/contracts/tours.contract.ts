import { describe, expect, it } from 'vitest';
import type { ChangeStep, ChangeSteps } from '#shared/db/change-steps.ts';
import { InvalidCursorError } from '#shared/db/keys.ts';
import { outletListKey } from '#shared/db/outlet-items.ts';
import { cursorAfter as outletCursorAfter } from '#shared/db/outlet-listing.ts';
import type { PressNotes } from '#shared/db/press-notes.ts';
import {
  guestBytes,
  maxGuestBytes,
  promoterIdOf,
  promoterRow,
  promoterShowRow,
  type TourStore,
} from '#shared/db/tours.ts';
import { outboxEntry, ShowConfirmed, ShowStepDue } from '#shared/events/index.ts';
import { type AdvanceAnswers, guestListCutoff, type StoredShow, type StoredTour } from '#shared/tours.ts';
import { uniqueId } from '#test/support/cloud.ts';
import { aShow } from '#test/support/tours.ts';

/** What every tour store does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts). */
export function describeToursContract(name: string, makeStore: () => TourStore & PressNotes & ChangeSteps) {
  const at = (day: number) => `2027-01-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  const aTour = (overrides: Partial<StoredTour> = {}): StoredTour => ({
    labelId: uniqueId('lbl'),
    tourId: uniqueId('tour'),
    artist: { name: 'The Midnight Echoes' },
    tourManager: { name: 'Ann Lee', email: 'ann@label.example' },
    occurredAt: at(5),
    ...overrides,
  });
  const aStoredShow = (tour: StoredTour, overrides: Partial<StoredShow> = {}): StoredShow => {
    const show = aShow({
      showId: uniqueId('show'),
      promoter: { name: 'P', email: `${uniqueId('p')}@promoter.example` },
    });
    return {
      labelId: tour.labelId,
      tourId: tour.tourId,
      showId: show.showId,
      show,
      promoterId: promoterIdOf(show.promoter.email),
      occurredAt: at(5),
      lastEventId: uniqueId('evt'),
      lastCorrelationId: 'corr',
      effectsPending: true,
      createdAt: at(5),
      updatedAt: at(5),
      ...overrides,
    };
  };
  /** A store holding one show of a tour of its own, as booked (no change since). */
  const aStoreWithAShow = async () => {
    const store = makeStore();
    const show = aStoredShow(aTour());
    await store.putShowIfNewer(show, []);
    return { store, show };
  };
  const answers: AdvanceAnswers = {
    loadInAccess: 'Back door, Columbiadamm',
    parking: 'Two spaces',
    power: '63 A CEE',
    backline: 'None',
    wifi: 'venue-guest',
    hospitality: 'Dinner for 8 at 18:00',
    dressingRooms: 'Two',
    merchSplit: '80/20',
    merchSeller: 'Venue',
    guestListAllotment: 20,
    localCrewCall: '4 loaders at 14:00',
    settlementMethod: 'Bank transfer',
    settlementCurrency: 'EUR',
    dayContact: { name: 'Kim', phone: '+49 30 1' },
  };

  describe(`Tours contract: ${name}`, () => {
    it('keeps the newest change of a tour: an older or equally old one is ignored', async () => {
      const store = makeStore();
      const tour = aTour({ occurredAt: at(5) });

      expect(await store.saveTour(tour)).toBe(true);
      expect(await store.saveTour({ ...tour, occurredAt: at(4) })).toBe(false);
      expect(await store.saveTour({ ...tour, artist: { name: 'Other' } })).toBe(false);
      expect(await store.saveTour({ ...tour, occurredAt: at(6) })).toBe(true);
      expect((await store.getTour(tour.labelId, tour.tourId))?.occurredAt).toBe(at(6));
    });

    it('keeps the newest change of each show: a cancellation that arrives before the booking it follows wins', async () => {
      const store = makeStore();
      const tour = aTour();
      const show = aStoredShow(tour);
      const cancelled = { ...show, show: { ...show.show!, status: 'cancelled' as const }, occurredAt: at(7) };

      expect(await store.putShowIfNewer(cancelled, [])).toBe(true);
      expect(await store.putShowIfNewer({ ...show, occurredAt: at(6) }, [])).toBe(false);
      expect(await store.putShowIfNewer({ ...show, occurredAt: at(7) }, [])).toBe(false);
      expect((await store.getShow(show))?.show?.status).toBe('cancelled');
      expect(await store.putShowIfNewer({ ...show, occurredAt: at(8) }, [])).toBe(true);
    });

    it("keeps Backline's side of a show (steps, advance, guests) when the label changes it", async () => {
      const store = makeStore();
      const tour = aTour();
      const show = aStoredShow(tour);
      await store.putShowIfNewer(show, []);
      await store.markStepDone(show, 'advance-request', at(1), []);
      await store.saveAdvance(show, answers, at(2), () => []);
      await store.addGuests(show, [{ name: 'Alex', plusOnes: 1, addedAt: at(2) }]);

      await store.putShowIfNewer(
        { ...show, show: { ...show.show!, date: '2027-05-21' }, occurredAt: at(9) },
        [],
      );

      const stored = await store.getShow(show);
      expect(stored).toMatchObject({
        stepsDone: { 'advance-request': at(1) },
        advance: { submittedAt: at(2) },
      });
      expect(stored?.guests).toHaveLength(1);
      expect(stored?.show?.date).toBe('2027-05-21');
    });

    it('forgets the steps a change names (a show moved to another country is news there again), and keeps the rest', async () => {
      const { store, show } = await aStoreWithAShow();
      await store.markStepDone(show, 'press-announcement', at(1), []);
      await store.markStepDone(show, 'advance-request', at(1), []);

      const moved = { ...show, occurredAt: at(9) };
      expect(await store.putShowIfNewer(moved, [], { steps: ['press-announcement'] })).toBe(true);

      expect((await store.getShow(show))?.stepsDone).toEqual({ 'advance-request': at(1) });
      expect(await store.markStepDone(show, 'press-announcement', at(1), [])).toBe(true);
    });

    it("moves the day sheet's record to the moment a change names (moved on its day to another zone), keeping the other steps", async () => {
      const { store, show } = await aStoreWithAShow();
      await store.markStepDone(show, 'day-sheet', at(1), []);
      await store.markStepDone(show, 'advance-request', at(1), []);

      const moved = { ...show, occurredAt: at(9) };
      expect(await store.putShowIfNewer(moved, [], { daySheetFor: at(2) })).toBe(true);

      expect((await store.getShow(show))?.stepsDone).toEqual({
        'day-sheet': at(2),
        'advance-request': at(1),
      });
      expect(await store.markStepDone(show, 'day-sheet', at(2), [])).toBe(false);
    });

    it('forgets the advance when a change says so (the show given to another promoter), keeping the guests', async () => {
      const { store, show } = await aStoreWithAShow();
      await store.saveAdvance(show, { power: '32 A' } as never, at(1), () => []);
      await store.addGuests(show, [{ name: 'Ana', plusOnes: 0, addedAt: at(1) }]);
      await store.putShowIfNewer({ ...show, occurredAt: at(8) }, []);
      const kept = (await store.getShow(show))?.advance;

      const replaced = { ...show, occurredAt: at(9) };
      expect(await store.putShowIfNewer(replaced, [], { advance: true })).toBe(true);

      expect(kept?.answers).toEqual({ power: '32 A' });
      expect((await store.getShow(show))?.advance).toBeUndefined();
      expect((await store.getShow(show))?.guests).toHaveLength(1);
    });

    it('records an advance step only while the show has the promoter it was read with, given to them when read', async () => {
      const { store, show } = await aStoreWithAShow();
      // Given to another promoter, then back: the same promoter, given to them again at 9.
      const other = { ...show, promoterId: 'prm-other', promoterSince: at(8), occurredAt: at(8) };
      await store.putShowIfNewer(other, [], { advance: true });
      await store.putShowIfNewer({ ...show, promoterSince: at(9), occurredAt: at(9) }, [], { advance: true });

      const asBooked = { promoterId: show.promoterId };
      expect(await store.markStepDone(show, 'advance-request', at(1), [], asBooked)).toBe(false);
      const asOther = { promoterId: 'prm-other', promoterSince: at(8) };
      expect(await store.markStepDone(show, 'advance-request', at(1), [], asOther)).toBe(false);
      const asNow = { promoterId: show.promoterId, promoterSince: at(9) };
      expect(await store.markStepDone(show, 'advance-request', at(1), [], asNow)).toBe(true);
    });

    it("keeps a cancellation's reason while the show is cancelled, and forgets it once the label sets the show on again", async () => {
      const { store, show } = await aStoreWithAShow();
      const cancelled = { ...show.show!, status: 'cancelled' as const };
      await store.putShowIfNewer(
        { ...show, show: cancelled, cancellationReason: 'Flooded', occurredAt: at(8) },
        [],
      );
      await store.putShowIfNewer({ ...(await store.getShow(show))!, occurredAt: at(9) }, []);
      const kept = (await store.getShow(show))?.cancellationReason;

      await store.putShowIfNewer({ ...show, occurredAt: at(10) }, []);

      expect(kept).toBe('Flooded');
      expect((await store.getShow(show))?.cancellationReason).toBeUndefined();
    });

    it('keeps the instant the show was given to its promoter, which names their advance mails, through later changes', async () => {
      const { store, show } = await aStoreWithAShow();

      await store.putShowIfNewer({ ...show, promoterSince: at(8), occurredAt: at(8) }, [], { advance: true });
      await store.putShowIfNewer({ ...(await store.getShow(show))!, occurredAt: at(9) }, []);

      expect((await store.getShow(show))?.promoterSince).toBe(at(8));
    });

    it('notes the countries whose press was told of a show, keeps the first time of each through changes, and forgets one only for that time', async () => {
      const { store, show } = await aStoreWithAShow();

      await store.recordPressCountry(show, 'DE', at(1));
      await store.recordPressCountry(show, 'DE', at(2));
      await store.recordPressCountry(show, 'FR', at(3));
      await store.putShowIfNewer({ ...show, occurredAt: at(9) }, []);
      const noted = (await store.getShow(show))?.pressCountries;
      await store.forgetPressCountry(show, 'DE', at(2));
      await store.forgetPressCountry(show, 'FR', at(3));
      const afterForget = (await store.getShow(show))?.pressCountries;
      await store.recordPressCountry(show, 'FR', at(4));
      const afterNote = (await store.getShow(show))?.pressCountries;
      await store.recordPressCountry(show, 'DE', at(5), true);

      expect(noted).toEqual({ DE: at(1), FR: at(3) });
      expect(afterForget).toEqual({ DE: at(1) });
      expect(afterNote).toEqual({ DE: at(1), FR: at(4) });
      expect((await store.getShow(show))?.pressCountries).toEqual({ DE: at(5), FR: at(4) });
    });

    it('forgets a country only while the show is gone from it', async () => {
      const { store, show } = await aStoreWithAShow();
      await store.recordPressCountry(show, 'DE', at(1));
      await store.recordPressCountry(show, 'FR', at(1));

      await store.forgetPressCountry(show, 'DE', at(1));
      await store.forgetPressCountry(show, 'FR', at(1));

      expect(show.show?.venue.country).toBe('DE');
      expect((await store.getShow(show))?.pressCountries).toEqual({ DE: at(1) });
    });

    it('notes a country on a show read at a change only while the show is at that change', async () => {
      const store = makeStore();
      const show = aStoredShow(aTour(), { occurredAt: at(5) });
      await store.putShowIfNewer(show, []);

      const first = await store.recordPressCountry(show, 'DE', at(6), false, at(5));
      await store.putShowIfNewer({ ...show, occurredAt: at(7), updatedAt: at(7) }, []);
      const afterChange = await store.recordPressCountry(show, 'FR', at(8), false, at(5));

      expect([first, afterChange]).toEqual([true, false]);
      expect((await store.getShow(show))?.pressCountries).toEqual({ DE: at(6) });
    });

    it('takes each step once per moment, and again for the new moment of a moved show', async () => {
      const { store, show } = await aStoreWithAShow();

      expect(await store.markStepDone(show, 'day-sheet', at(3), [])).toBe(true);
      expect(await store.markStepDone(show, 'day-sheet', at(3), [])).toBe(false);
      expect(await store.markStepDone(show, 'guest-list-cutoff', at(4), [])).toBe(true);
      expect(await store.markStepDone(show, 'day-sheet', at(5), [])).toBe(true);
      expect((await store.getShow(show))?.stepsDone).toEqual({
        'day-sheet': at(5),
        'guest-list-cutoff': at(4),
      });
    });

    for (const step of ['day-sheet-update', 'press-cancellation'] as const)
      it(`records a ${step} once per change, its record moving on only: one for an earlier change is recorded beside it, once`, async () => {
        const store = makeStore();
        const show = aStoredShow(aTour());
        await store.putShowIfNewer(show, []);
        const record = async (change: string, of: ChangeStep = step) =>
          store.recordChangeStep(show, of, change, [
            outboxEntry(ShowStepDue, {
              labelId: show.labelId,
              tourId: show.tourId,
              showId: show.showId,
              step: of,
              scheduledFor: change,
            }),
          ]);

        const records = [];
        for (const change of [at(3), at(6), at(4), at(4), at(6), at(3), at(7)])
          records.push(await record(change));
        const other = step === 'day-sheet-update' ? 'press-cancellation' : 'day-sheet-update';
        const otherStep = [await record(at(4), other), await record(at(4), other)];
        const unknown = { ...show, showId: uniqueId('show') };

        expect(records).toEqual([true, true, true, false, false, false, true]);
        expect(otherStep).toEqual([true, false]);
        expect((await store.getShow(show))?.stepsDone).toEqual({ [step]: at(7), [other]: at(4) });
        expect(await store.recordChangeStep(unknown, step, at(8), [])).toBe(false);
      });

    it('records the day sheet only while the advance is as the sheet read it (none, given, amended)', async () => {
      const { store, show } = await aStoreWithAShow();
      await store.saveAdvance(show, answers, at(4), () => []);
      const sheet = (advanced: string | null) =>
        store.markStepDone(show, 'day-sheet', at(3), [], { advanced });

      const beforeAmendment = [await sheet(null), await sheet(at(4))];
      await store.saveAdvance(show, answers, at(6), () => []);
      await store.putShowIfNewer({ ...show, occurredAt: at(7) }, [], { steps: ['day-sheet'] });

      expect(beforeAmendment).toEqual([false, true]);
      expect([await sheet(at(4)), await sheet(at(6))]).toEqual([false, true]);
      expect((await store.getShow(show))?.stepsDone).toEqual({ 'day-sheet': at(3) });
    });

    it("keeps the press announcement's read of the show with its step, through a later change", async () => {
      const { store, show } = await aStoreWithAShow();

      expect(await store.markStepDone(show, 'press-announcement', at(3), [], { announced: at(2) })).toBe(
        true,
      );
      await store.putShowIfNewer({ ...show, occurredAt: at(9) }, []);

      expect(await store.getShow(show)).toMatchObject({
        stepsDone: { 'press-announcement': at(3) },
        pressAnnounced: at(2),
        occurredAt: at(9),
      });
    });

    /** The Show Step Due that continues the show's press announcement of `at(6)` from `cursor`. */
    const continuation = (show: StoredShow, cursor: string) =>
      outboxEntry(ShowStepDue, {
        labelId: show.labelId,
        tourId: show.tourId,
        showId: show.showId,
        step: 'press-announcement',
        scheduledFor: at(6),
        cursor,
      });

    it('continues a step from a cursor once: that page again is refused, the next page, the same page of another moment and the same page of the show as another change left it are not', async () => {
      const { store, show } = await aStoreWithAShow();
      const entry = () => continuation(show, 'c2');

      const read = show.occurredAt;
      const puts = [
        await store.continueStep(show, 'press-announcement', at(6), read, 'c2', entry(), at(6)),
        await store.continueStep(show, 'press-announcement', at(6), read, 'c2', entry(), at(6)),
        await store.continueStep(show, 'press-announcement', at(6), read, 'c4', entry(), at(6)),
        await store.continueStep(show, 'press-announcement', at(7), read, 'c2', entry(), at(7)),
        await store.continueStep(show, 'press-announcement', at(6), at(8), 'c2', entry(), at(8)),
      ];

      expect(puts).toEqual([true, false, true, true, true]);
      // The show is as it was: the continuation is no step taken.
      expect((await store.getShow(show))?.stepsDone).toEqual({});
    });

    it('continues a step once from the cursor after an outlet whose name is as long as it may be', async () => {
      const { store, show } = await aStoreWithAShow();
      // 200 characters (the outlet's limit) that JSON writes as six bytes each (\u0001), as a manager may send.
      const outlet = { name: '\u0001'.repeat(200), id: `out-${uniqueId('x')}` };
      const cursor = outletCursorAfter(outletListKey(outlet).gsi1sk);
      const entry = () => continuation(show, cursor);

      const read = show.occurredAt;
      const puts = [
        await store.continueStep(show, 'press-announcement', at(6), read, cursor, entry(), at(6)),
        await store.continueStep(show, 'press-announcement', at(6), read, cursor, entry(), at(6)),
      ];

      expect(Buffer.byteLength(cursor)).toBeGreaterThan(1024);
      expect(puts).toEqual([true, false]);
    });

    it('records a step for a promoter only while the show has that promoter (a change gave it to another meanwhile)', async () => {
      const { store, show } = await aStoreWithAShow();
      const other = promoterIdOf('new@promo.example');
      await store.putShowIfNewer({ ...show, promoterId: other, occurredAt: at(9) }, [], {
        steps: ['advance-request'],
        advance: true,
      });

      expect(
        await store.markStepDone(show, 'advance-request', at(3), [], { promoterId: show.promoterId }),
      ).toBe(false);
      expect((await store.getShow(show))?.stepsDone).toEqual({});
      expect(await store.markStepDone(show, 'advance-request', at(3), [], { promoterId: other })).toBe(true);
    });

    it('clears the pending schedules mark only for the change that set it', async () => {
      const { store, show } = await aStoreWithAShow();

      await store.markEffectsPerformed(show, 'another-event');
      const before = await store.getShow(show);
      await store.markEffectsPerformed(show, show.lastEventId);
      const after = await store.getShow(show);

      expect(before?.effectsPending).toBe(true);
      expect(after?.effectsPending).toBeUndefined();
    });

    it('records an advance once and later submissions as amendments', async () => {
      const { store, show } = await aStoreWithAShow();

      const first = await store.saveAdvance(show, answers, at(2), () => []);
      const second = await store.saveAdvance(show, { ...answers, power: '125 A' }, at(3), () => []);
      const unknown = await store.saveAdvance(
        { ...show, showId: uniqueId('nope') },
        answers,
        at(3),
        () => [],
      );

      expect([first, second, unknown]).toEqual(['submitted', 'amended', 'unknown']);
      expect((await store.getShow(show))?.advance).toEqual({
        answers: { ...answers, power: '125 A' },
        submittedAt: at(2),
        amendedAt: at(3),
      });
    });

    it('keeps no answers, and publishes nothing, for a show no longer as they were given for', async () => {
      const { store, show } = await aStoreWithAShow();
      const published: string[] = [];
      const entries = () => {
        published.push('Show Advanced');
        return [];
      };

      const changed = await store.saveAdvance(show, answers, at(2), entries, () => false);
      const taken = await store.saveAdvance(
        show,
        answers,
        at(3),
        entries,
        (s) => s.show.date === show.show!.date,
      );

      expect([changed, taken]).toEqual(['changed', 'submitted']);
      expect(published).toEqual(['Show Advanced']);
      expect((await store.getShow(show))?.advance?.submittedAt).toBe(at(3));
    });

    it('keeps no answers, and publishes nothing, given for an advance saved again since (another tab)', async () => {
      const { store, show } = await aStoreWithAShow();
      const published: string[] = [];
      const entries = () => {
        published.push('Show Advanced');
        return [];
      };
      await store.saveAdvance(show, answers, at(2), entries);
      // Both opened the form before anything was saved.
      const asOpened = (read: { advance?: unknown }) => read.advance === undefined;

      const stale = await store.saveAdvance(show, { ...answers, power: '125 A' }, at(3), entries, asOpened);

      expect(stale).toBe('changed');
      expect(published).toEqual(['Show Advanced']);
      expect((await store.getShow(show))?.advance).toEqual({ answers, submittedAt: at(2) });
    });

    it('saves no advance from a promoter the show was since given to another', async () => {
      const { store, show } = await aStoreWithAShow();
      const promoterId = promoterIdOf(`${uniqueId('new')}@promoter.example`);
      await store.putShowIfNewer({ ...show, promoterId, occurredAt: at(9) }, [], { advance: true });

      const outcome = await store.saveAdvance(show, answers, at(10), () => []);

      expect(outcome).toBe('replaced');
      expect((await store.getShow(show))?.advance).toBeUndefined();
    });

    it('saves no advance for a cancelled show', async () => {
      const { store, show } = await aStoreWithAShow();
      await store.putShowIfNewer(
        { ...show, show: { ...show.show!, status: 'cancelled' }, occurredAt: at(9) },
        [],
      );

      const outcome = await store.saveAdvance(show, answers, at(10), () => []);

      expect(outcome).toBe('cancelled');
      expect((await store.getShow(show))?.advance).toBeUndefined();
    });

    it('names a guest once: a name listed already (case and spaces aside) or sent twice adds nobody', async () => {
      const { store, show } = await aStoreWithAShow();
      const guest = (name: string) => ({ name, plusOnes: 0, addedAt: at(1) });

      const first = await store.addGuests(show, [guest("Alice O'Neil")]);
      const again = await store.addGuests(show, [guest('Bob'), guest("alice  o'neil")]);
      const twice = await store.addGuests(show, [guest('Carol'), guest('carol')]);
      const other = await store.addGuests(show, [guest('Bob')]);

      expect([first, again, twice, other]).toEqual(['added', 'listed', 'listed', 'added']);
      expect((await store.getShow(show))?.guests?.map((g) => g.name)).toEqual(["Alice O'Neil", 'Bob']);
    });

    it('adds a name once when the same guests are sent twice at once (a form posted twice)', async () => {
      const { store, show } = await aStoreWithAShow();
      await store.addGuests(show, [{ name: 'Dana', plusOnes: 0, addedAt: at(1) }]);

      const outcomes = await Promise.all(
        [1, 2].map(() => store.addGuests(show, [{ name: 'Eve', plusOnes: 1, addedAt: at(2) }])),
      );

      expect(outcomes.sort()).toEqual(['added', 'listed']);
      expect((await store.getShow(show))?.guests?.map((g) => g.name)).toEqual(['Dana', 'Eve']);
    });

    it('refuses guests once the list is locked, and for a show it does not know', async () => {
      const { store, show } = await aStoreWithAShow();

      const added = await store.addGuests(show, [{ name: 'Alex', plusOnes: 0, addedAt: at(1) }]);
      const cutoff = { date: show.show!.date, scheduledFor: at(2) };
      const locked = await store.lockGuestList(show, at(2), cutoff);
      const lockedAgain = await store.lockGuestList(show, at(3), cutoff);
      const late = await store.addGuests(show, [{ name: 'Late', plusOnes: 0, addedAt: at(4) }]);
      const unknown = await store.addGuests({ ...show, showId: uniqueId('nope') }, [
        { name: 'X', plusOnes: 0, addedAt: at(4) },
      ]);

      expect([added, locked, lockedAgain, late, unknown]).toEqual([
        'added',
        true,
        false,
        'locked',
        'unknown',
      ]);
      expect((await store.getShow(show))?.guests?.map((g) => g.name)).toEqual(['Alex']);
    });

    it("refuses a guest added at or after the show's cutoff while the list is not locked yet (its step late), and takes one added before", async () => {
      const { store, show } = await aStoreWithAShow();
      const cutoff = guestListCutoff(show.show!);
      const before = new Date(Date.parse(cutoff) - 1).toISOString();

      const late = await store.addGuests(show, [{ name: 'Late', plusOnes: 0, addedAt: cutoff }]);
      const inTime = await store.addGuests(show, [{ name: 'In Time', plusOnes: 0, addedAt: before }]);

      expect([late, inTime]).toEqual(['locked', 'added']);
      expect((await store.getShow(show))?.guests?.map((g) => g.name)).toEqual(['In Time']);
    });

    it("fills a guest list of long names only to its share of the show's record, leaving room for the longest advance and the list's lock", async () => {
      const { store, show } = await aStoreWithAShow();

      // Names and notes in Japanese, each within the routes' limits (200 and 500 characters),
      // added 50, then 5, then 1 at a time until even one is refused.
      const guest = (i: number) => ({
        name: `${'漢'.repeat(190)} ${i}`,
        note: '字'.repeat(500),
        plusOnes: 1,
        addedAt: at(1),
      });
      let added = 0;
      for (const batch of [50, 5, 1])
        while (
          (await store.addGuests(
            show,
            Array.from({ length: batch }, (_, i) => guest(added + i)),
          )) === 'added'
        )
          added += batch;
      const longest = (text: string) => '字'.repeat(2000).slice(text.length) + text;
      const advance = await store.saveAdvance(
        show,
        {
          ...(Object.fromEntries(
            Object.entries(answers).map(([field, value]) => [
              field,
              typeof value === 'string' ? longest(value) : value,
            ]),
          ) as AdvanceAnswers),
          dayContact: { name: longest('Kim'), phone: '+49 30 1' },
        },
        at(2),
        () => [],
      );
      const locked = await store.lockGuestList(show, at(3), { date: show.show!.date, scheduledFor: at(3) });

      const stored = await store.getShow(show);
      expect([advance, locked]).toEqual(['submitted', true]);
      expect(stored?.guests).toHaveLength(added);
      expect(guestBytes(stored?.guests ?? [])).toBeLessThanOrEqual(maxGuestBytes);
    });

    it('reopens a locked list in the write that postpones the show, keeping its guests; a cutoff of the old date locks it no more', async () => {
      const { store, show } = await aStoreWithAShow();
      await store.addGuests(show, [{ name: 'Alex', plusOnes: 0, addedAt: at(1) }]);
      const oldCutoff = { date: show.show!.date, scheduledFor: at(2) };
      await store.lockGuestList(show, at(2), oldCutoff);
      const postponed = {
        ...show,
        show: { ...show.show!, date: '2027-06-01' },
        occurredAt: at(9),
        guestListLockedAt: at(2),
        guestListLockedFor: at(2),
      };

      expect(await store.putShowIfNewer(postponed, [], { guestListLock: true })).toBe(true);
      const reopened = await store.getShow(show);
      const added = await store.addGuests(show, [{ name: 'Sam', plusOnes: 1, addedAt: at(10) }]);
      const oldDateLocks = await store.lockGuestList(show, at(11), oldCutoff);
      const newCutoff = { date: '2027-06-01', scheduledFor: '2027-06-01T15:00:00.000Z' };
      const newDateLocks = await store.lockGuestList(show, at(12), newCutoff);

      expect(reopened?.guestListLockedAt).toBeUndefined();
      expect(reopened?.guestListLockedFor).toBeUndefined();
      expect([added, oldDateLocks, newDateLocks]).toEqual(['added', false, true]);
      const locked = await store.getShow(show);
      expect([locked?.guestListLockedAt, locked?.guestListLockedFor]).toEqual([
        at(12),
        newCutoff.scheduledFor,
      ]);
      expect(locked?.guests?.map((g) => g.name)).toEqual(['Alex', 'Sam']);
    });

    it('keeps a locked list locked through a change that does not reopen it', async () => {
      const { store, show } = await aStoreWithAShow();
      await store.lockGuestList(show, at(2), { date: show.show!.date, scheduledFor: at(2) });

      await store.putShowIfNewer(
        { ...show, show: { ...show.show!, date: '2027-06-01' }, occurredAt: at(9) },
        [],
      );

      const stored = await store.getShow(show);
      expect([stored?.guestListLockedAt, stored?.guestListLockedFor]).toEqual([at(2), at(2)]);
      expect(await store.addGuests(show, [{ name: 'Late', plusOnes: 0, addedAt: at(10) }])).toBe('locked');
    });

    it('refuses guests for a cancelled show, however open its list', async () => {
      const { store, show } = await aStoreWithAShow();
      const cancelled = { ...show, show: { ...show.show!, status: 'cancelled' as const }, occurredAt: at(9) };
      await store.putShowIfNewer(cancelled, []);

      const added = await store.addGuests(show, [{ name: 'Too Late', plusOnes: 0, addedAt: at(10) }]);

      expect(added).toBe('cancelled');
      expect((await store.getShow(show))?.guests).toBeUndefined();
    });

    it('refuses guests for a show known only by its cancellation, which came before the show itself', async () => {
      const store = makeStore();
      const tombstone = aStoredShow(aTour(), { show: undefined, promoterId: 'unknown' });
      await store.putShowIfNewer(tombstone, []);

      const added = await store.addGuests(tombstone, [{ name: 'Alex', plusOnes: 0, addedAt: at(10) }]);

      expect(added).toBe('cancelled');
      expect((await store.getShow(tombstone))?.guests).toBeUndefined();
    });

    it("lists a tour's shows by date, and a promoter's shows across labels", async () => {
      const store = makeStore();
      const tour = aTour();
      const email = `${uniqueId('promo')}@promoter.example`;
      const promoterId = promoterIdOf(email);
      const late = aStoredShow(tour, {
        show: aShow({ showId: 'b-late', date: '2027-06-01', promoter: { name: 'P', email } }),
        showId: 'b-late',
        promoterId,
      });
      const early = aStoredShow(tour, {
        show: aShow({ showId: 'a-early', date: '2027-05-01', promoter: { name: 'P', email } }),
        showId: 'a-early',
        promoterId,
      });
      const otherLabel = aStoredShow(aTour(), {
        promoterId,
        show: aShow({ date: '2027-05-15', promoter: { name: 'P', email } }),
      });
      await store.saveTour(tour);
      for (const show of [late, early, otherLabel]) await store.putShowIfNewer(show, []);
      await store.savePromoter({ promoterId, name: 'Promo Berlin', email, occurredAt: at(5) });
      await store.savePromoter({ promoterId, name: 'Older name', email, occurredAt: at(4) });

      const { tour: read, shows } = await store.tourWithShows(tour.labelId, tour.tourId);
      const ofPromoter = await store.showsOfPromoter(promoterId);

      expect(read?.tourId).toBe(tour.tourId);
      expect(shows.map((s) => s.showId)).toEqual(['a-early', 'b-late']);
      expect(ofPromoter.map((s) => s.show?.date)).toEqual(['2027-05-01', '2027-05-15', '2027-06-01']);
      expect((await store.getPromoter(promoterId))?.name).toBe('Promo Berlin');
    });

    it("pages the directory by name and a promoter's shows by date, each from the row a page ended at", async () => {
      const store = makeStore();
      const names = uniqueId('promo');
      // Saved out of order; named `<names>-x`, after `<names>#` (the row named before them) in the index.
      const promoters = ['c', 'a', 'b'].map((letter) => {
        const email = `${names}-${letter}@promoter.example`;
        return { promoterId: promoterIdOf(email), name: `${names}-${letter}`, email, occurredAt: at(5) };
      });
      for (const promoter of promoters) await store.savePromoter(promoter);
      const tour = aTour();
      const { promoterId, email } = promoters[1];
      for (const [showId, date] of [
        ['s3', '2027-05-03'],
        ['s1', '2027-05-01'],
        ['s2', '2027-05-02'],
      ])
        await store.putShowIfNewer(
          aStoredShow(tour, {
            showId,
            promoterId,
            show: aShow({ showId, date, promoter: { name: 'P', email } }),
          }),
          [],
        );

      const first = await store.promotersPage(2, [names.toLowerCase(), '']);
      const second = await store.promotersPage(2, promoterRow(first.promoters[1]));
      const shows = await store.promoterShowsPage(promoterId, 2);
      const moreShows = await store.promoterShowsPage(promoterId, 2, promoterShowRow(shows.shows[1]));

      expect(first.promoters.map((p) => p.name)).toEqual([`${names}-a`, `${names}-b`]);
      expect(first.more).toBe(true);
      expect(second.promoters[0].name).toBe(`${names}-c`);
      expect(shows.shows.map((s) => s.showId)).toEqual(['s1', 's2']);
      expect(shows.more).toBe(true);
      expect(moreShows).toMatchObject({ shows: [{ showId: 's3' }], more: false });
      await expect(
        store.promoterShowsPage(promoterId, 2, ['2027-05-01', 'x'.repeat(2048), 't', 's']),
      ).rejects.toThrow(InvalidCursorError);
    });

    it('reads a tour back as it was saved, with none of its storage attributes', async () => {
      const store = makeStore();
      const tour = aTour();

      await store.saveTour(tour);

      expect(await store.getTour(tour.labelId, tour.tourId)).toEqual(tour);
      expect((await store.tourWithShows(tour.labelId, tour.tourId)).tour).toEqual(tour);
    });

    it("lists every label's shows not over before an instant, each with its ids and the show as the label states it", async () => {
      const store = makeStore();
      const tour = aTour();
      // aShow's Berlin show on 14 May 2027 is over at 06:00 the next morning in Berlin.
      const may = aStoredShow(tour);
      const june = aStoredShow(tour);
      june.show = { ...june.show!, date: '2027-06-01' };
      const tombstone = aStoredShow(tour, { show: undefined });
      for (const show of [may, june, tombstone]) await store.putShowIfNewer(show, []);
      const coming = async (now: string) =>
        (await store.showsComing(now))
          .filter((show) => show.labelId === tour.labelId)
          .sort((a, b) => a.show!.date.localeCompare(b.show!.date));
      const listed = ({ labelId, tourId, showId, show }: StoredShow) => ({ labelId, tourId, showId, show });

      expect(await coming('2027-05-15T04:00:00.000Z')).toEqual([listed(may), listed(june)]);
      expect(await coming('2027-05-15T04:00:00.001Z')).toEqual([listed(june)]);
      // The index's keys are storage, no part of the show as read.
      expect(await store.getShow(may)).not.toHaveProperty('gsi2pk');
    });

    it('lists an all-night show (curfew 07:00+1) until its curfew the next morning, not until 06:00', async () => {
      const store = makeStore();
      const tour = aTour();
      // aShow's Berlin show on 14 May 2027, its curfew at 07:00 on the 15th (05:00 UTC).
      const allNight = aStoredShow(tour);
      allNight.show = { ...allNight.show!, times: { doors: '22:00', set: '23:30', curfew: '07:00+1' } };
      await store.putShowIfNewer(allNight, []);
      const coming = async (now: string) =>
        (await store.showsComing(now)).filter((show) => show.showId === allNight.showId).map((s) => s.showId);

      const [atSix, beforeCurfew, afterCurfew] = [
        await coming('2027-05-15T04:30:00.000Z'),
        await coming('2027-05-15T05:00:00.000Z'),
        await coming('2027-05-15T05:00:00.001Z'),
      ];

      expect([atSix, beforeCurfew, afterCurfew]).toEqual([[allNight.showId], [allNight.showId], []]);
    });

    it('writes the outbox entries of a show change with it', async () => {
      const store = makeStore();
      const show = aStoredShow(aTour());
      const entry = outboxEntry(ShowConfirmed, {
        labelId: show.labelId,
        tourId: show.tourId,
        showId: show.showId,
        date: '2027-05-14',
        timeZone: 'Europe/Berlin',
      });

      expect(await store.putShowIfNewer(show, [entry])).toBe(true);
      expect(await store.putShowIfNewer(show, [entry])).toBe(false);
    });

    it('records which shows press told each address of, adding to what it told before; an empty list records nothing', async () => {
      const store = makeStore();
      const tour = aTour();
      const [first, second] = [`${uniqueId('a')}@press.example`, `${uniqueId('b')}@press.example`].sort();

      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email: first,
        outletId: 'o1',
        showIds: ['s2'],
      });
      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email: first,
        outletId: 'o2',
        showIds: ['s1', 's2'],
      });
      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email: second,
        outletId: 'o3',
        showIds: [],
      });
      await store.recordPressTold(tour.labelId, tour.tourId, 'FR', {
        email: second,
        outletId: 'o3',
        showIds: ['s3'],
      });

      expect(await store.pressTold(tour.labelId, tour.tourId, 'DE')).toEqual([
        { email: first, outletId: 'o2', showIds: ['s1', 's2'] },
      ]);
      expect(await store.pressTold(tour.labelId, tour.tourId, 'FR')).toEqual([
        { email: second, outletId: 'o3', showIds: ['s3'] },
      ]);
    });

    it('notes what addresses were told only while the show is at the change read: after a newer change, none of them', async () => {
      const store = makeStore();
      const tour = aTour();
      const show = aStoredShow(tour, { occurredAt: at(5) });
      await store.putShowIfNewer(show, []);
      const [first, second] = [`${uniqueId('a')}@press.example`, `${uniqueId('b')}@press.example`].sort();
      const note = (email: string, kind: string) => ({
        email,
        outletId: 'o1',
        showIds: [show.showId],
        stated: { [show.showId]: { facts: 'f1', change: at(5), kind } },
      });

      const asRead = await store.recordPressToldAsRead(show, at(5), 'DE', [
        note(first, 'cancellation'),
        note(second, 'cancellation'),
      ]);
      await store.putShowIfNewer({ ...show, occurredAt: at(6), updatedAt: at(6) }, []);
      const afterChange = await store.recordPressToldAsRead(show, at(5), 'DE', [
        note(first, 'change'),
        note(second, 'change'),
      ]);

      expect([asRead, afterChange]).toEqual([true, false]);
      expect((await store.pressTold(tour.labelId, tour.tourId, 'DE')).map((t) => t.stated)).toEqual(
        [first, second].map((email) => note(email, 'cancellation').stated),
      );
    });

    it('notes an address only while the notes of its shows are as read: one noted since refuses the write', async () => {
      const store = makeStore();
      const tour = aTour();
      const email = `${uniqueId('a')}@press.example`;
      const stated = (kind: string, more: object = {}) => ({ facts: 'f1', change: at(5), kind, ...more });
      const told = (statements: Record<string, object>) => ({
        email,
        outletId: 'o1',
        showIds: Object.keys(statements),
        stated: statements as Record<string, ReturnType<typeof stated>>,
      });
      await store.recordPressTold(
        tour.labelId,
        tour.tourId,
        'DE',
        told({ s1: stated('change', { before: null }), s2: stated('announcement', { set: 'DE-v1' }) }),
      );
      const [read] = await store.pressTold(tour.labelId, tour.tourId, 'DE');
      const asRead = { s1: read.stated!.s1, s2: read.stated!.s2, s3: null };
      const announced = told({ s1: stated('update'), s2: stated('update'), s3: stated('update') });

      const first = await store.recordPressTold(tour.labelId, tour.tourId, 'DE', announced, asRead);
      const again = await store.recordPressTold(
        tour.labelId,
        tour.tourId,
        'DE',
        told({ s1: stated('update', { set: 'DE-v2' }) }),
        asRead,
      );

      expect([first, again]).toEqual([true, false]);
      expect(await store.pressTold(tour.labelId, tour.tourId, 'DE')).toEqual([
        {
          email,
          outletId: 'o1',
          showIds: ['s1', 's2', 's3'],
          stated: { s1: stated('update'), s2: stated('update'), s3: stated('update') },
        },
      ]);
    });

    it('notes 150 shows of an address as read 100 a write: one noted since refuses its write and the rest', async () => {
      const store = makeStore();
      const tour = aTour();
      const email = `${uniqueId('a')}@press.example`;
      const ids = Array.from({ length: 150 }, (_, n) => `s${String(n).padStart(3, '0')}`);
      const statement = (kind: string) => ({ facts: 'f1', change: at(5), kind });
      const told = (showIds: string[], kind: string) => ({
        email,
        outletId: 'o1',
        showIds,
        stated: Object.fromEntries(showIds.map((id) => [id, statement(kind)])),
      });
      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', told(['s120'], 'update'));

      const written = await store.recordPressTold(
        tour.labelId,
        tour.tourId,
        'DE',
        told(ids, 'announcement'),
        Object.fromEntries(ids.map((id) => [id, null])),
      );

      expect(written).toBe(false);
      expect(await store.pressTold(tour.labelId, tour.tourId, 'DE')).toEqual([
        {
          ...told([...ids.slice(0, 100), 's120'], 'announcement'),
          stated: { ...told(ids.slice(0, 100), 'announcement').stated, s120: statement('update') },
        },
      ]);
    });

    it('takes a show off what an address was told only while its note names the set given, keeping the note', async () => {
      const store = makeStore();
      const tour = aTour();
      const email = `${uniqueId('a')}@press.example`;
      const noted = (set: string) => ({ facts: 'f1', change: 't1', kind: 'announcement', set });
      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email,
        outletId: 'o1',
        showIds: ['s1', 's2'],
        stated: { s1: noted('v1'), s2: noted('v2') },
      });

      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', email, { s1: 'v1' }, false);
      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', email, { s2: 'v1' }, false);

      expect(await store.pressTold(tour.labelId, tour.tourId, 'DE')).toEqual([
        { email, outletId: 'o1', showIds: ['s2'], stated: { s1: noted('v1'), s2: noted('v2') } },
      ]);
    });

    it('settles the notes of a mail found sent: their set dropped and their shows told, only while each note names that set', async () => {
      const store = makeStore();
      const tour = aTour();
      const email = `${uniqueId('a')}@press.example`;
      const noted = (set: string) => ({ facts: 'f1', change: 't1', kind: 'announcement', set });
      const told = { facts: 'f1', change: 't1', kind: 'announcement' };
      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email,
        outletId: 'o1',
        showIds: ['s1', 's2', 's3'],
        stated: { s1: noted('v1'), s2: noted('v1'), s3: noted('v3') },
      });
      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', email, { s3: 'v3' }, false);

      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', email, { s1: 'v1', s2: 'v1' }, true);
      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', email, { s3: 'v1' }, true);

      expect(await store.pressTold(tour.labelId, tour.tourId, 'DE')).toEqual([
        { email, outletId: 'o1', showIds: ['s1', 's2'], stated: { s1: told, s2: told, s3: noted('v3') } },
      ]);
    });

    it('settles each note of a mail on its own: one naming another set since stands, the others are settled', async () => {
      const store = makeStore();
      const tour = aTour();
      const [closed, sent] = [`${uniqueId('a')}@press.example`, `${uniqueId('b')}@press.example`].sort();
      const noted = (set: string) => ({ facts: 'f1', change: 't1', kind: 'announcement', set });
      const told = { facts: 'f1', change: 't1', kind: 'announcement' };
      for (const email of [closed, sent])
        await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
          email,
          outletId: 'o1',
          showIds: ['s1', 's2'],
          stated: { s1: noted('v1'), s2: noted('v2') },
        });

      // The mail of set v1 told of s1 and s2; s2's note names set v2 since.
      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', closed, { s1: 'v1', s2: 'v1' }, false);
      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', sent, { s1: 'v1', s2: 'v1' }, true);

      expect(await store.pressTold(tour.labelId, tour.tourId, 'DE')).toEqual([
        { email: closed, outletId: 'o1', showIds: ['s2'], stated: { s1: noted('v1'), s2: noted('v2') } },
        { email: sent, outletId: 'o1', showIds: ['s1', 's2'], stated: { s1: told, s2: noted('v2') } },
      ]);
    });

    it("settles the notes of a mail of 200 shows, a booking's most, within DynamoDB's limits on an expression", async () => {
      const store = makeStore();
      const tour = aTour();
      const [closed, sent] = [`${uniqueId('a')}@press.example`, `${uniqueId('b')}@press.example`].sort();
      const showIds = Array.from({ length: 200 }, (_, i) => `s${i}`);
      const noted = { facts: 'f1', change: 't1', kind: 'announcement', set: 'v1' };
      for (const email of [closed, sent])
        await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
          email,
          outletId: 'o1',
          showIds,
          stated: Object.fromEntries(showIds.map((showId) => [showId, noted])),
        });
      const sets = Object.fromEntries(showIds.map((showId) => [showId, 'v1']));

      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', closed, sets, false);
      await store.settlePressTold(tour.labelId, tour.tourId, 'DE', sent, sets, true);

      const told = await store.pressTold(tour.labelId, tour.tourId, 'DE');
      expect(
        told.map((t) => ({
          shows: t.showIds.length,
          notesNamingTheSet: Object.values(t.stated ?? {}).filter((note) => note.set === 'v1').length,
        })),
      ).toEqual([
        { shows: 0, notesNamingTheSet: 200 },
        { shows: 200, notesNamingTheSet: 0 },
      ]);
    });

    it('keeps what each address was last told of each show (and what it was told before, while that mail may not have gone): a new address, one told before statements were kept, a show told again', async () => {
      const store = makeStore();
      const tour = aTour();
      const [fresh, older] = [`${uniqueId('a')}@press.example`, `${uniqueId('b')}@press.example`].sort();
      const statement = (kind: string, change: string) => ({ facts: 'f1', change, kind });

      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email: fresh,
        outletId: 'o1',
        showIds: ['s1', 's2'],
        stated: { s1: statement('announcement', 't1'), s2: statement('announcement', 't1') },
      });
      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email: older,
        outletId: 'o2',
        showIds: ['s1'],
      });
      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email: older,
        outletId: 'o2',
        showIds: ['s1'],
        stated: { s1: { ...statement('cancellation', 't2'), before: null } },
      });
      await store.recordPressTold(tour.labelId, tour.tourId, 'DE', {
        email: fresh,
        outletId: 'o1',
        showIds: ['s1'],
        stated: {
          s1: { ...statement('change', 't3'), facts: 'f2', before: statement('announcement', 't1') },
        },
      });

      expect(await store.pressTold(tour.labelId, tour.tourId, 'DE')).toEqual([
        {
          email: fresh,
          outletId: 'o1',
          showIds: ['s1', 's2'],
          stated: {
            s1: { ...statement('change', 't3'), facts: 'f2', before: statement('announcement', 't1') },
            s2: statement('announcement', 't1'),
          },
        },
        {
          email: older,
          outletId: 'o2',
          showIds: ['s1'],
          stated: { s1: { ...statement('cancellation', 't2'), before: null } },
        },
      ]);
    });

    it('keeps ids apart that would meet if joined: label "a" + tour "b#c" is not label "a#b" + tour "c"', async () => {
      const store = makeStore();
      const suffix = uniqueId('x');
      await store.saveTour(aTour({ labelId: `a${suffix}`, tourId: 'b#c' }));

      expect(await store.getTour(`a${suffix}#b`, 'c')).toBeUndefined();
    });
  });
}
