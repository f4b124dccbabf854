import { describe, expect, it } from 'vitest';
import { type DeliveryStore, deliveryIdOf, mailSubjects, type NewClaim } from '#shared/db/deliveries.ts';
import type { ClaimAwaitingAdvance, NotedClaims, NotePressAndClaim } from '#shared/db/press-notes.ts';
import { promoterIdOf, type TourStore } from '#shared/db/tours.ts';
import type { StoredShow } from '#shared/tours.ts';
import { uniqueId } from '#test/support/cloud.ts';
import { aShow } from '#test/support/tours.ts';

/** A press step's notes-and-claims writer with the stores it writes to, read back through them. */
export interface PressNotesStores {
  tours: TourStore;
  deliveries: DeliveryStore;
  notePressAndClaim: NotePressAndClaim;
  claimAwaitingAdvance: ClaimAwaitingAdvance;
}

/**
 * What every `NotePressAndClaim` does (docs/design.md#tours: a press step's notes written with its
 * mails' claims, only while the show is as the step read it), on the fakes and on DynamoDB Local
 * (see outlet-directory.contract.ts).
 */
export function describePressNotesContract(name: string, makeStores: () => PressNotesStores) {
  const at = (day: number) => `2027-02-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  const aStoredShow = (occurredAt: string): StoredShow => {
    const show = aShow({
      showId: uniqueId('show'),
      promoter: { name: 'P', email: `${uniqueId('p')}@promoter.example` },
    });
    return {
      labelId: uniqueId('lbl'),
      tourId: uniqueId('tour'),
      showId: show.showId,
      show,
      promoterId: promoterIdOf(show.promoter.email),
      occurredAt,
      lastEventId: uniqueId('evt'),
      lastCorrelationId: 'corr',
      createdAt: occurredAt,
      updatedAt: occurredAt,
    };
  };
  /** `count` addresses, in the order their notes are read back. */
  const addresses = (count: number) => {
    const domain = uniqueId('press').toLowerCase();
    return Array.from({ length: count }, (_, n) => `a${String(n).padStart(2, '0')}@${domain}.example`);
  };
  const claimOf = (show: StoredShow, email: string): NewClaim => ({
    labelId: show.labelId,
    subject: mailSubjects.tourShows(show.tourId, 'DE-v1'),
    email,
    kind: 'press-cancellation',
    stream: 'campaign',
  });
  const noteOf = (show: StoredShow, email: string) => ({
    email,
    outletId: 'o1',
    showIds: [show.showId],
    stated: { [show.showId]: { facts: 'f1', change: show.occurredAt, kind: 'cancellation' } },
  });
  /** The step's page: the show as it read it, a note and a claim an address. */
  const pageOf = (show: StoredShow, readAt: string, emails: string[]): NotedClaims => ({
    asRead: { labelId: show.labelId, tourId: show.tourId, showId: show.showId, occurredAt: readAt },
    country: 'DE',
    claims: emails.map((email) => ({ claim: claimOf(show, email), told: noteOf(show, email) })),
  });
  const deliveriesOf = async ({ deliveries }: PressNotesStores, show: StoredShow, emails: string[]) => {
    const ids = emails.map((email) => deliveryIdOf(claimOf(show, email)));
    const found = await deliveries.getMany(ids, { consistent: true });
    return ids
      .flatMap((id) => found.get(id) ?? [])
      .map(({ email, status, claimedAt }) => ({ email, status, claimedAt }));
  };

  describe(`NotePressAndClaim contract: ${name}`, () => {
    it('writes every note and every claim of 50 addresses (more than one transaction) while the show is as the step read it', async () => {
      const stores = makeStores();
      const show = aStoredShow(at(5));
      await stores.tours.putShowIfNewer(show, []);
      const emails = addresses(50);

      const { claimed, refused } = await stores.notePressAndClaim(pageOf(show, at(5), emails), at(6));

      expect(refused).toBe(false);
      expect(claimed.map((delivery) => delivery.email)).toEqual(emails);
      expect(await stores.tours.pressTold(show.labelId, show.tourId, 'DE')).toEqual(
        emails.map((email) => noteOf(show, email)),
      );
      expect(await deliveriesOf(stores, show, emails)).toEqual(
        emails.map((email) => ({ email, status: 'claimed', claimedAt: at(6) })),
      );
    });

    it('writes no note and no claim when the show changed since the step read it', async () => {
      const stores = makeStores();
      const show = aStoredShow(at(5));
      await stores.tours.putShowIfNewer(show, []);
      await stores.tours.putShowIfNewer({ ...show, occurredAt: at(7), updatedAt: at(7) }, []);
      const emails = addresses(3);

      const written = await stores.notePressAndClaim(pageOf(show, at(5), emails), at(8));

      expect(written).toEqual({ claimed: [], refused: true });
      expect(await stores.tours.pressTold(show.labelId, show.tourId, 'DE')).toEqual([]);
      expect(await deliveriesOf(stores, show, emails)).toEqual([]);
    });

    it('leaves out a mail claimed before (the step taken again), writing its note all the same and claiming the others', async () => {
      const stores = makeStores();
      const show = aStoredShow(at(5));
      await stores.tours.putShowIfNewer(show, []);
      const emails = addresses(3);
      await stores.deliveries.claim(claimOf(show, emails[1]), at(6));

      const { claimed, refused } = await stores.notePressAndClaim(pageOf(show, at(5), emails), at(7));

      expect(refused).toBe(false);
      expect(claimed.map((delivery) => delivery.email)).toEqual([emails[0], emails[2]]);
      expect(await stores.tours.pressTold(show.labelId, show.tourId, 'DE')).toEqual(
        emails.map((email) => noteOf(show, email)),
      );
      expect(await deliveriesOf(stores, show, emails)).toEqual([
        { email: emails[0], status: 'claimed', claimedAt: at(7) },
        { email: emails[1], status: 'claimed', claimedAt: at(6) },
        { email: emails[2], status: 'claimed', claimedAt: at(7) },
      ]);
    });

    it('with no change read (the sweep: no show checked), writes the notes and claims whatever the show is, leaving out a mail claimed before', async () => {
      const stores = makeStores();
      const show = aStoredShow(at(5));
      await stores.tours.putShowIfNewer(show, []);
      await stores.tours.putShowIfNewer({ ...show, occurredAt: at(7), updatedAt: at(7) }, []);
      const emails = addresses(2);
      await stores.deliveries.claim(claimOf(show, emails[1]), at(6));
      const { occurredAt: _read, ...unchecked } = pageOf(show, at(5), emails).asRead;

      const { claimed, refused } = await stores.notePressAndClaim(
        { ...pageOf(show, at(5), emails), asRead: unchecked },
        at(8),
      );

      expect(refused).toBe(false);
      expect(claimed.map((delivery) => delivery.email)).toEqual([emails[0]]);
      expect(await stores.tours.pressTold(show.labelId, show.tourId, 'DE')).toEqual(
        emails.map((email) => noteOf(show, email)),
      );
      expect(await deliveriesOf(stores, show, emails)).toEqual([
        { email: emails[0], status: 'claimed', claimedAt: at(8) },
        { email: emails[1], status: 'claimed', claimedAt: at(6) },
      ]);
    });

    it('writes a held claim as claimed to be held (claimHeld: held behind an earlier open claim), which the hold then holds', async () => {
      const stores = makeStores();
      const show = aStoredShow(at(5));
      await stores.tours.putShowIfNewer(show, []);
      const [email] = addresses(1);
      const page = pageOf(show, at(5), [email]);
      page.claims[0].claim = { ...page.claims[0].claim, claimedHeld: true };

      const { claimed } = await stores.notePressAndClaim(page, at(6));
      expect(await stores.deliveries.hold(claimed[0], at(6))).toBe(true);

      const held = (await stores.deliveries.getMany([claimed[0].deliveryId], { consistent: true })).get(
        claimed[0].deliveryId,
      );
      expect(held).toMatchObject({ status: 'claimed', claimedHeld: true, heldAt: at(6), claimedAt: at(6) });
    });
  });

  /** An advance step's reminder to the show's promoter, as the step read the show (`promoterSince` as read). */
  const reminderOf = (show: StoredShow): NewClaim => ({
    labelId: show.labelId,
    subject: mailSubjects.show(show.tourId, show.showId, show.promoterSince),
    email: show.show!.promoter.email,
    kind: 'advance-reminder-1',
    stream: 'operational',
  });
  const awaitedOf = ({ labelId, tourId, showId, promoterId, promoterSince }: StoredShow) => ({
    labelId,
    tourId,
    showId,
    promoterId,
    ...(promoterSince ? { promoterSince } : {}),
  });
  const statusOf = async ({ deliveries }: PressNotesStores, claim: NewClaim) =>
    (await deliveries.getMany([deliveryIdOf(claim)], { consistent: true })).get(deliveryIdOf(claim))?.status;
  const answers = { dayContact: { name: 'Kim', phone: '+49 30 1' } } as never;

  describe(`ClaimAwaitingAdvance contract: ${name}`, () => {
    it('claims the mail while the show awaits the advance from the promoter read, and leaves out one claimed before', async () => {
      const stores = makeStores();
      const show = { ...aStoredShow(at(5)), promoterSince: at(4) };
      await stores.tours.putShowIfNewer(show, []);

      const first = await stores.claimAwaitingAdvance(awaitedOf(show), [reminderOf(show)], at(6));
      const again = await stores.claimAwaitingAdvance(awaitedOf(show), [reminderOf(show)], at(7));

      expect(first.refused).toBe(false);
      expect(first.claimed.map(({ email, claimedAt }) => ({ email, claimedAt }))).toEqual([
        { email: show.show!.promoter.email, claimedAt: at(6) },
      ]);
      expect(again).toEqual({ claimed: [], refused: false });
    });

    it('takes a stale claim of the mail over while the show awaits the advance, once however often asked', async () => {
      const stores = makeStores();
      const show = aStoredShow(at(5));
      await stores.tours.putShowIfNewer(show, []);
      const [stale] = (await stores.claimAwaitingAdvance(awaitedOf(show), [reminderOf(show)], at(6))).claimed;

      const taken = await stores.claimAwaitingAdvance(awaitedOf(show), stale, at(8));
      const again = await stores.claimAwaitingAdvance(awaitedOf(show), stale, at(9));

      expect(taken.refused).toBe(false);
      expect(
        taken.claimed.map(({ email, claimedAt, updatedAt }) => ({ email, claimedAt, updatedAt })),
      ).toEqual([{ email: show.show!.promoter.email, claimedAt: at(6), updatedAt: at(8) }]);
      expect(again).toEqual({ claimed: [], refused: false });
      const kept = (await stores.deliveries.getMany([stale.deliveryId], { consistent: true })).get(
        stale.deliveryId,
      );
      expect(kept).toMatchObject({ status: 'claimed', claimedAt: at(6), updatedAt: at(8), resendPending: 1 });
    });

    it('takes no stale claim over once the promoter submitted the advance', async () => {
      const stores = makeStores();
      const show = aStoredShow(at(5));
      await stores.tours.putShowIfNewer(show, []);
      const [stale] = (await stores.claimAwaitingAdvance(awaitedOf(show), [reminderOf(show)], at(6))).claimed;
      await stores.tours.saveAdvance({ ...show, promoterId: show.promoterId }, answers, at(7), () => []);

      const taken = await stores.claimAwaitingAdvance(awaitedOf(show), stale, at(8));

      expect(taken).toEqual({ claimed: [], refused: true });
      const kept = (await stores.deliveries.getMany([stale.deliveryId], { consistent: true })).get(
        stale.deliveryId,
      );
      expect(kept).toMatchObject({ status: 'claimed', updatedAt: at(6) });
    });

    it('claims nothing once the promoter submitted the advance, the show went to another promoter or back, or was cancelled', async () => {
      const refusedAfter = async (
        change: (stores: PressNotesStores, show: StoredShow) => Promise<unknown>,
      ) => {
        const stores = makeStores();
        const show = aStoredShow(at(5));
        await stores.tours.putShowIfNewer(show, []);
        await change(stores, show);
        const written = await stores.claimAwaitingAdvance(awaitedOf(show), [reminderOf(show)], at(8));
        return { written, status: await statusOf(stores, reminderOf(show)) };
      };
      const changedAt = (show: StoredShow, changes: Partial<StoredShow>): StoredShow => ({
        ...show,
        occurredAt: at(7),
        updatedAt: at(7),
        ...changes,
      });

      const outcomes = await Promise.all([
        refusedAfter(({ tours }, show) =>
          tours.saveAdvance({ ...show, promoterId: show.promoterId }, answers, at(7), () => []),
        ),
        refusedAfter(({ tours }, show) =>
          tours.putShowIfNewer(changedAt(show, { promoterId: promoterIdOf('b@promoter.example') }), []),
        ),
        refusedAfter(({ tours }, show) =>
          tours.putShowIfNewer(changedAt(show, { promoterSince: at(7) }), []),
        ),
        refusedAfter(({ tours }, show) =>
          tours.putShowIfNewer(changedAt(show, { show: { ...show.show!, status: 'cancelled' } }), []),
        ),
      ]);

      expect(outcomes).toEqual(
        Array.from({ length: 4 }, () => ({ written: { claimed: [], refused: true }, status: undefined })),
      );
    });
  });
}
