import { describe, expect, it } from 'vitest';
import {
  claimedDelivery,
  type Delivery,
  type DeliveryStore,
  deliveryIdOf,
  mailSubjects,
  type NewClaim,
  spentFailure,
} from '#shared/db/deliveries.ts';
import { MailUndeliverable, outboxEntry, ReleaseMailsSettled } from '#shared/events/index.ts';
import { uniqueId } from '#test/support/cloud.ts';

/**
 * What every DeliveryStore does (the claim protocol of docs/design.md#exactly-once-mail), on the
 * fake and on DynamoDB Local (see outlet-directory.contract.ts). `outboxHolds` tells whether the
 * store's write put an outbox entry (by event id) in the outbox.
 */
export function describeDeliveryStoreContract<S extends DeliveryStore>(
  name: string,
  makeStore: () => S,
  outboxHolds: (store: S, eventId: string) => Promise<boolean>,
) {
  const minute = 60_000;
  const t0 = Date.parse('2027-03-01T12:00:00.000Z');
  const at = (m: number) => new Date(t0 + m * minute).toISOString();
  /**
   * Open claims are one queue for the whole table: each test that reads it takes its own era, earlier
   * than every era before it, so it sees only its own.
   */
  let eras = 0;
  const anEra = () => {
    const era = Date.UTC(1990, 0, 1) - ++eras * 24 * 60 * minute;
    return (m: number) => new Date(era + m * minute).toISOString();
  };

  const anIdentity = (overrides: Partial<NewClaim> = {}): NewClaim => ({
    labelId: uniqueId('lbl'),
    subject: mailSubjects.release(uniqueId('rel')),
    kind: 'announcement',
    email: `${uniqueId('to')}@contract.example`,
    stream: 'campaign',
    context: { outletId: uniqueId('out') },
    asOf: at(-60),
    ...overrides,
  });
  const aShowMail = (overrides: Partial<NewClaim> = {}): NewClaim =>
    anIdentity({
      subject: mailSubjects.show(uniqueId('tour'), uniqueId('show')),
      kind: 'advance-request',
      stream: 'operational',
      context: { tourId: 't', showId: 's' },
      ...overrides,
    });

  const read = async (store: DeliveryStore, deliveryId: string) =>
    (await store.getMany([deliveryId])).get(deliveryId);

  describe(`DeliveryStore contract: ${name}`, () => {
    it('claims a mail once: the claim is open under the identity’s id, and a second claim gets nothing', async () => {
      const store = makeStore();
      const identity = anIdentity();

      const claim = await store.claim(identity, at(0));
      // The same address through another outlet (deleted and imported again) is the same mail.
      const again = await store.claim(
        { ...identity, context: { outletId: uniqueId('out') }, email: ` ${identity.email.toUpperCase()} ` },
        at(1),
      );

      const expected: Delivery = {
        ...identity,
        context: identity.context ?? {},
        deliveryId: deliveryIdOf(identity),
        status: 'claimed',
        claimedAt: at(0),
        updatedAt: at(0),
      };
      expect(claim).toEqual(expected);
      expect(again).toBeUndefined();
      expect(await read(store, expected.deliveryId)).toEqual(expected);
    });

    it('tells a date-change mail of another revision from the first', async () => {
      const store = makeStore();
      const identity = anIdentity({ kind: 'date-change', revision: '2027-04-01T00:00' });

      await store.claim(identity, at(0));

      expect(await store.claim({ ...identity, revision: '2027-05-01T00:00' }, at(0))).toBeDefined();
    });

    it('settles an open claim as sent once; a resend is counted', async () => {
      const store = makeStore();
      const claim = (await store.claim(anIdentity(), at(0)))!;

      expect(await store.markSent(claim.deliveryId, 'msg-1', at(1))).toBe(true);
      expect(await store.markSent(claim.deliveryId, 'msg-2', at(2))).toBe(false);

      expect(await read(store, claim.deliveryId)).toEqual({
        ...claim,
        status: 'sent',
        messageId: 'msg-1',
        sentAt: at(1),
        updatedAt: at(1),
        resends: 0,
      });
      // A stale claim taken over for a resend is counted when it settles, whoever settles it.
      const stale = (await store.claim(anIdentity(), at(0)))!;
      const resent = (await store.reclaim(stale, at(20), at(19)))!;
      expect(await store.markSent(resent.deliveryId, 'msg-3', at(21))).toBe(true);
      expect(await read(store, resent.deliveryId)).toMatchObject({ resends: 1 });
      expect((await read(store, resent.deliveryId))?.resendPending).toBeUndefined();
      expect(await store.markSent(uniqueId('nothing'), 'msg-4', at(1))).toBe(false);
    });

    it('gives back only the claim the caller made, so the mail can be claimed again', async () => {
      const store = makeStore();
      const identity = anIdentity();
      const claim = (await store.claim(identity, at(0)))!;

      await store.release(claim.deliveryId, at(5)); // not this claim
      expect(await read(store, claim.deliveryId)).toEqual(claim);

      await store.release(claim.deliveryId, claim.claimedAt);
      expect(await read(store, claim.deliveryId)).toBeUndefined();
      expect(await store.claim(identity, at(1))).toMatchObject({ claimedAt: at(1) });
    });

    it('never gives back or fails a settled mail', async () => {
      const store = makeStore();
      const claim = (await store.claim(anIdentity(), at(0)))!;
      await store.markSent(claim.deliveryId, 'msg-1', at(1));

      await store.release(claim.deliveryId, claim.claimedAt);
      await store.markFailed(claim.deliveryId, 'MESSAGE_REJECTED', at(2));

      expect(await read(store, claim.deliveryId)).toMatchObject({ status: 'sent', messageId: 'msg-1' });
    });

    it('fails an open claim for good', async () => {
      const store = makeStore();
      const claim = (await store.claim(anIdentity(), at(0)))!;

      await store.markFailed(claim.deliveryId, 'MESSAGE_REJECTED', at(1));

      expect(await read(store, claim.deliveryId)).toEqual({
        ...claim,
        status: 'failed',
        failure: 'MESSAGE_REJECTED',
        updatedAt: at(1),
      });
      expect(await store.markSent(claim.deliveryId, 'msg-1', at(2))).toBe(false);
    });

    it('spends a mail given back or refused, so no claim of it is made after; not one claimed or sent', async () => {
      const store = makeStore();
      const [givenBack, refused, open, sent] = [anIdentity(), anIdentity(), anIdentity(), anIdentity()];
      const back = (await store.claim(givenBack, at(0)))!;
      await store.release(back.deliveryId, back.claimedAt);
      const closed = (await store.claim(refused, at(0)))!;
      await store.markFailed(closed.deliveryId, 'MESSAGE_REJECTED', at(1));
      await store.claim(open, at(0));
      const went = (await store.claim(sent, at(0)))!;
      await store.markSent(went.deliveryId, 'msg-1', at(1));

      const spent = await store.spend([givenBack, refused, open, sent], at(2));
      const again = await store.spend([givenBack, refused], at(3));

      expect(spent).toEqual([true, true, false, false]);
      expect(again).toEqual([true, true]);
      expect(await store.claim(givenBack, at(4))).toBeUndefined();
      expect(await store.claim(refused, at(4))).toBeUndefined();
      expect(await read(store, back.deliveryId)).toEqual({
        ...claimedDelivery(givenBack, at(2)),
        status: 'failed',
        failure: spentFailure,
        spentAt: at(2),
      });
      expect(await read(store, closed.deliveryId)).toEqual({
        ...closed,
        status: 'failed',
        failure: 'MESSAGE_REJECTED',
        updatedAt: at(1),
        spentAt: at(2),
      });
      expect((await read(store, deliveryIdOf(open)))?.status).toBe('claimed');
      expect((await read(store, went.deliveryId))?.status).toBe('sent');
    });

    it('spends a mail named twice in one call as it spends it once (a transaction writes an item once)', async () => {
      const store = makeStore();
      const [givenBack, open] = [anIdentity(), anIdentity()];
      await store.claim(open, at(0));

      expect(await store.spend([givenBack, open, givenBack, open], at(1))).toEqual([
        true,
        false,
        true,
        false,
      ]);
      expect(await store.claim(givenBack, at(2))).toBeUndefined();
      expect((await read(store, deliveryIdOf(givenBack)))?.spentAt).toBe(at(1));
    });

    it('records that a claim closed unsent went, once, its status kept', async () => {
      const store = makeStore();
      const claim = (await store.claim(anIdentity(), at(0)))!;
      const open = (await store.claim(anIdentity(), at(0)))!;
      await store.markFailed(claim.deliveryId, 'no longer wanted when resending', at(1));

      expect(await store.markSentAfterClosed(claim.deliveryId, 'msg-1', at(0), at(2))).toBe(true);
      expect(await store.markSentAfterClosed(claim.deliveryId, 'msg-2', at(0), at(3))).toBe(false);
      expect(await store.markSentAfterClosed(open.deliveryId, 'msg-3', at(0), at(3))).toBe(false);

      expect(await read(store, claim.deliveryId)).toEqual({
        ...claim,
        status: 'failed',
        failure: 'no longer wanted when resending',
        messageId: 'msg-1',
        sentAt: at(0),
        updatedAt: at(2),
      });
      expect((await read(store, open.deliveryId))?.status).toBe('claimed');
    });

    it('gets many deliveries by id, leaving out unknown ones', async () => {
      const store = makeStore();
      const a = (await store.claim(anIdentity(), at(0)))!;
      const b = (await store.claim(anIdentity(), at(0)))!;

      expect(await store.getMany([a.deliveryId, uniqueId('nothing'), b.deliveryId, a.deliveryId])).toEqual(
        new Map([
          [a.deliveryId, a],
          [b.deliveryId, b],
        ]),
      );
    });

    it('gets a delivery just claimed when read consistently', async () => {
      const store = makeStore();
      const a = (await store.claim(anIdentity(), at(0)))!;

      expect(await store.getMany([a.deliveryId], { consistent: true })).toEqual(new Map([[a.deliveryId, a]]));
    });

    it('lists the claims opened before a time and still open, at most `limit`', async () => {
      const store = makeStore();
      const era = anEra();
      const open = [];
      for (const m of [1, 2, 3]) open.push((await store.claim(anIdentity(), era(m)))!);
      const settled = (await store.claim(anIdentity(), era(0)))!;
      await store.markSent(settled.deliveryId, 'msg-1', era(4));
      const failed = (await store.claim(anIdentity(), era(0)))!;
      await store.markFailed(failed.deliveryId, 'MESSAGE_REJECTED', era(4));
      await store.claim(anIdentity(), era(10)); // too recent

      await store.claim(aShowMail(), era(1)); // another sender's
      const stale = await store.stale('release', era(5), 10);
      const capped = await store.stale('release', era(5), 2);

      const ids = (deliveries: Delivery[]) => deliveries.map((d) => d.deliveryId).sort();
      expect(ids(stale)).toEqual(ids(open));
      expect(capped).toHaveLength(2);
      expect(ids(open)).toEqual(expect.arrayContaining(ids(capped)));
    });

    it('lists the oldest stale claims first across every shard: a claim held since comes after an older one', async () => {
      const store = makeStore();
      const era = anEra();
      // The open claims' shard of a mail, as DynamoDB keys them (8, by the delivery id's first digits).
      const shardOf = (claim: NewClaim) => Number.parseInt(deliveryIdOf(claim).slice(0, 4), 16) % 8;
      const inShard = (wanted: (shard: number) => boolean): NewClaim => {
        let claim = anIdentity();
        while (!wanted(shardOf(claim))) claim = anIdentity();
        return claim;
      };
      const low = (await store.claim(
        inShard((shard) => shard === 0),
        era(0),
      ))!;
      const high = (await store.claim(
        inShard((shard) => shard > 0),
        era(2),
      ))!;
      // Held at era 3: its place is after the higher shard's claim, stale since era 2.
      await store.hold(low, era(3));

      expect((await store.stale('release', era(10), 1)).map((d) => d.deliveryId)).toEqual([high.deliveryId]);
      expect((await store.stale('release', era(10), 2)).map((d) => d.deliveryId)).toEqual([
        high.deliveryId,
        low.deliveryId,
      ]);
    });

    it('lets one sweeper take over a stale claim: it moves to the new time and leaves the stale queue until then, its claim time kept', async () => {
      const store = makeStore();
      const era = anEra();
      const told = { '2027-03-05T00:00 Europe/London': ['GB'] };
      const claim = (await store.claim(anIdentity({ told }), era(0)))!;
      const now = { '2027-03-12T00:00 Europe/London': ['GB'] };

      const taken = await store.reclaim(claim, era(20), era(19), now);
      const second = await store.reclaim(claim, era(21), era(19));

      // The resend tells what it is written from now: the claim's told dates are replaced.
      expect(claim.told).toEqual(told);
      // Its place among the open claims moves; its claim time stays the claim's, as a hold's does.
      expect(taken).toEqual({
        ...claim,
        updatedAt: era(20),
        asOf: era(19),
        told: now,
        resendPending: 1,
      });
      expect(second).toBeUndefined();
      expect(await read(store, claim.deliveryId)).toEqual(taken);
      expect(await store.stale('release', era(15), 10)).toEqual([]);
      expect((await store.stale('release', era(25), 10)).map((d) => [d.deliveryId, d.claimedAt])).toEqual([
        [claim.deliveryId, era(0)],
      ]);
    });

    it('lets one of two sweepers that read a stale claim alike take it over, though both take it at the same instant', async () => {
      const store = makeStore();
      const resent = (await store.claim(anIdentity(), at(0)))!;
      const held = (await store.claim(anIdentity(), at(0)))!;

      const taken = [await store.reclaim(resent, at(20)), await store.reclaim(resent, at(20))];
      const holds = [await store.hold(held, at(20)), await store.hold(held, at(20))];

      // The second is refused: the takeover it meets is the first's, not its own landed before.
      expect({ taken: taken.map((delivery) => delivery?.updatedAt), holds }).toEqual({
        taken: [at(20), undefined],
        holds: [true, false],
      });
      expect(await read(store, resent.deliveryId)).toEqual(taken[0]);
    });

    it('gives back no claim the sweep took over since, though its claim time is the one the caller made', async () => {
      const store = makeStore();
      const resent = (await store.claim(anIdentity(), at(0)))!;
      const held = (await store.claim(anIdentity(), at(0)))!;
      await store.reclaim(resent, at(31));
      await store.hold(held, at(31));

      // A sender past its SES call gives back what it claimed at 0: the resend under way stays, as does the hold.
      await store.release(resent.deliveryId, at(0));
      await store.release(held.deliveryId, at(0));

      expect(await read(store, resent.deliveryId)).toMatchObject({
        status: 'claimed',
        claimedAt: at(0),
        resendPending: 1,
      });
      expect(await read(store, held.deliveryId)).toMatchObject({
        status: 'claimed',
        claimedAt: at(0),
        heldAt: at(31),
      });
    });

    it('holds a stale claim open unsent without marking a resend: its first Email Sent settles it as sent once', async () => {
      const store = makeStore();
      const era = anEra();
      const claim = (await store.claim(anIdentity(), era(0)))!;

      expect(await store.hold(claim, era(20))).toBe(true);
      expect(await store.hold(claim, era(21))).toBe(false);
      // Its place among the open claims moves; its claim time stays the claim's.
      expect(await read(store, claim.deliveryId)).toEqual({ ...claim, heldAt: era(20), updatedAt: era(20) });
      expect(await store.stale('release', era(15), 10)).toEqual([]);
      expect((await store.stale('release', era(25), 10)).map((d) => d.claimedAt)).toEqual([era(0)]);
      expect(await store.markSent(claim.deliveryId, 'msg-first', era(22))).toBe(true);
      const settled = await read(store, claim.deliveryId);
      expect(settled?.resends ?? 0).toBe(0);
    });

    it('holds a claim as wanted again without heldAt, as not wanted for now with it, and a resend drops it', async () => {
      const store = makeStore();
      const era = anEra();
      const claim = (await store.claim(anIdentity(), era(0)))!;
      await store.hold(claim, era(20));
      const held = (await read(store, claim.deliveryId))!;

      expect(await store.hold(held, era(40), true)).toBe(true);
      const wanted = (await read(store, claim.deliveryId))!;
      expect(wanted).toEqual({ ...claim, updatedAt: era(40) });
      // Its place among the open claims moved all the same.
      expect(await store.stale('release', era(30), 10)).toEqual([]);
      expect((await store.stale('release', era(50), 10)).map((d) => d.deliveryId)).toEqual([
        claim.deliveryId,
      ]);
      expect(await store.hold(wanted, era(60))).toBe(true);
      const heldAgain = (await read(store, claim.deliveryId))!;
      expect(heldAgain).toEqual({ ...claim, heldAt: era(60), updatedAt: era(60) });
      const resent = await store.reclaim(heldAgain, era(100));
      expect(resent).toEqual({ ...claim, updatedAt: era(100), resendPending: 1 });
      expect(await read(store, claim.deliveryId)).toEqual(resent);
    });

    it('sends a claim its sender held (claimedHeld) first with no resend, and counts a sending after that one', async () => {
      const store = makeStore();
      const era = anEra();
      const claim = (await store.claim(anIdentity({ claimedHeld: true }), era(0)))!;
      await store.hold(claim, claim.claimedAt);
      const held = (await store.stale('release', era(10), 10))[0];
      expect(held).toMatchObject({ deliveryId: claim.deliveryId, claimedHeld: true });

      const first = (await store.reclaim(held!, era(20)))!;
      expect(first.resendPending).toBeUndefined();
      expect(first.claimedHeld).toBeUndefined();
      expect(await read(store, claim.deliveryId)).toEqual(first);
      // That sending never settled: the next take-over is a resend.
      const second = (await store.reclaim(first, era(40)))!;
      await store.markSent(claim.deliveryId, 'msg-resent', era(41));

      expect(second.resendPending).toBe(1);
      expect(await read(store, claim.deliveryId)).toMatchObject({ resends: 1 });
    });

    it('marks claims SES refused while paused as never handed to SES (markUnsent): the sweep sends them first, a resend under way stays counted, and a claim taken over since is left', async () => {
      const store = makeStore();
      const era = anEra();
      const first = (await store.claim(anIdentity(), era(0)))!;
      const resending = (await store.reclaim((await store.claim(anIdentity(), era(0)))!, era(30)))!;
      const takenOver = (await store.claim(anIdentity(), era(0)))!;
      await store.hold(takenOver, era(30));

      await store.markUnsent([first, resending, takenOver]);
      await store.markUnsent([first]);

      // Its last write, and so its place among the open claims, stays.
      expect(await read(store, first.deliveryId)).toEqual({ ...first, claimedHeld: true });
      expect((await store.stale('release', era(1), 10)).map((d) => d.deliveryId)).toEqual([first.deliveryId]);
      expect((await read(store, takenOver.deliveryId))?.claimedHeld).toBeUndefined();
      const sentFirst = (await store.reclaim((await read(store, first.deliveryId))!, era(60)))!;
      const resentAgain = (await store.reclaim((await read(store, resending.deliveryId))!, era(60)))!;
      await store.markSent(first.deliveryId, 'msg-first', era(61));
      await store.markSent(resending.deliveryId, 'msg-resent', era(61));

      expect(sentFirst.resendPending).toBeUndefined();
      expect(resentAgain.resendPending).toBe(1);
      expect((await read(store, first.deliveryId))?.resends ?? 0).toBe(0);
      expect(await read(store, resending.deliveryId)).toMatchObject({ resends: 1 });
    });

    it('keeps a resend under way counted when a claim taken over for it is then held', async () => {
      const store = makeStore();
      const era = anEra();
      const resent = (await store.reclaim((await store.claim(anIdentity(), era(0)))!, era(20)))!;

      expect(await store.hold(resent, era(40))).toBe(true);
      await store.markSent(resent.deliveryId, 'msg-resent', era(41));

      expect(await read(store, resent.deliveryId)).toMatchObject({ resends: 1 });
    });

    it('takes a stale claim over for a resend to another outlet at its address: the delivery names that outlet, its identity and place in its subject kept', async () => {
      const store = makeStore();
      const identity = anIdentity({ context: { outletId: 'out-deleted', askedFor: 'change' } });
      const claim = (await store.claim(identity, at(0)))!;

      const resent = await store.reclaim(claim, at(20), at(19), undefined, {
        outletId: 'out-imported',
        askedFor: 'change',
      });

      expect(resent).toEqual({
        ...claim,
        context: { outletId: 'out-imported', askedFor: 'change' },
        asOf: at(19),
        updatedAt: at(20),
        resendPending: 1,
      });
      expect(await read(store, claim.deliveryId)).toEqual(resent);
      expect((await store.ofSubject(identity.labelId, identity.subject)).map((d) => d.deliveryId)).toEqual([
        claim.deliveryId,
      ]);
    });

    it('takes over no settled mail', async () => {
      const store = makeStore();
      const claim = (await store.claim(anIdentity(), at(0)))!;
      await store.markSent(claim.deliveryId, 'msg-1', at(1));

      expect(await store.reclaim(claim, at(20), at(19))).toBeUndefined();
    });

    it('keeps every sender’s mails apart: a show’s, a budget alert’s and a release’s, each with its context and stream', async () => {
      const store = makeStore();
      const era = anEra();
      const email = `${uniqueId('to')}@contract.example`;
      const labelId = uniqueId('lbl');
      const show = aShowMail({ labelId, email });
      const alert = anIdentity({
        labelId,
        email,
        subject: mailSubjects.budgetAlert(uniqueId('budget'), '80', '2027-03'),
        kind: 'threshold-crossed',
        stream: 'operational',
        context: { budgetId: 'b-1' },
      });

      const claimed = await Promise.all([show, alert].map((claim) => store.claim(claim, era(0))));
      const inTerritory = await store.claim({ ...show, moment: 'GB 2027-04-01T00:00' }, era(0));

      expect(claimed.map((d) => d?.deliveryId)).toEqual([deliveryIdOf(show), deliveryIdOf(alert)]);
      expect(new Set(claimed.map((d) => d?.deliveryId)).size).toBe(2);
      expect(inTerritory).toBeDefined();
      expect(await read(store, deliveryIdOf(show))).toMatchObject({
        subject: show.subject,
        stream: 'operational',
        context: { tourId: 't', showId: 's' },
      });
      expect((await store.stale('show', era(1), 10)).map((d) => d.deliveryId).sort()).toEqual(
        [deliveryIdOf(show), inTerritory!.deliveryId].sort(),
      );
      expect((await store.stale('budget-alert', era(1), 10)).map((d) => d.deliveryId)).toEqual([
        deliveryIdOf(alert),
      ]);
    });

    it('lists a subject’s deliveries, and no other subject’s', async () => {
      const store = makeStore();
      const release = anIdentity();
      const other = anIdentity({ labelId: release.labelId });
      const a = (await store.claim(release, at(0)))!;
      const b = (await store.claim({ ...release, email: `${uniqueId('to')}@contract.example` }, at(0)))!;
      await store.claim(other, at(0));

      const listed = await store.ofSubject(release.labelId, release.subject);

      expect(listed.map((d) => d.deliveryId).sort()).toEqual([a.deliveryId, b.deliveryId].sort());
    });

    it('lists no mail spent while given back (it never went); one spent once refused stays listed', async () => {
      const store = makeStore();
      const givenBack = anIdentity();
      const refused = anIdentity({ labelId: givenBack.labelId, subject: givenBack.subject });
      const closed = (await store.claim(refused, at(0)))!;
      await store.markFailed(closed.deliveryId, 'MESSAGE_REJECTED', at(1));
      await store.spend([givenBack, refused], at(2));

      const listed = await store.ofSubject(givenBack.labelId, givenBack.subject);

      expect(listed.map((d) => d.deliveryId)).toEqual([closed.deliveryId]);
    });

    it('records a bounce or complaint on any delivery and gives it back as it now stands; an unknown id gives nothing', async () => {
      const store = makeStore();
      const claim = (await store.claim(aShowMail(), at(0)))!;
      await store.markSent(claim.deliveryId, 'msg-1', at(1));

      const bounced = await store.markOutcome(claim.deliveryId, 'bounced', { at: at(2), messageId: 'msg-2' });
      const unknown = await store.markOutcome(uniqueId('nothing'), 'complained', { at: at(2) });

      expect(bounced).toMatchObject({
        deliveryId: claim.deliveryId,
        status: 'bounced',
        messageId: 'msg-1',
        stream: 'operational',
        context: claim.context,
        updatedAt: at(2),
      });
      expect(unknown).toBeUndefined();
      expect(await read(store, claim.deliveryId)).toEqual(bounced);
    });

    it('takes a claim still open that bounced (its sender lost SES’s answer) out of the stale claims, and a late Email Sent leaves it bounced', async () => {
      const store = makeStore();
      const era = anEra();
      const claim = (await store.claim(aShowMail(), era(0)))!;

      await store.markOutcome(claim.deliveryId, 'bounced', { at: era(1), messageId: 'msg-1' });
      const marked = await store.markSentMany([{ deliveryId: claim.deliveryId, messageId: 'msg-1' }], era(2));

      expect(marked.has(claim.deliveryId)).toBe(false);
      expect(await store.stale('show', era(60), 10)).toEqual([]);
      expect(await read(store, claim.deliveryId)).toMatchObject({ status: 'bounced', messageId: 'msg-1' });
    });

    it('writes the events of a bounce or complaint only with the first: a repeat, even at the same time, writes none', async () => {
      const store = makeStore();
      const claim = (await store.claim(aShowMail(), at(0)))!;
      await store.markSent(claim.deliveryId, 'msg-1', at(1));
      const written: string[] = [];
      const undeliverable = (reason: 'bounce' | 'complaint') => (delivery: Delivery) => {
        const entry = outboxEntry(MailUndeliverable, {
          ...MailUndeliverable.sample,
          deliveryId: delivery.deliveryId,
          reason,
        });
        written.push(entry.eventId);
        return [entry];
      };

      await Promise.all([
        store.markOutcome(claim.deliveryId, 'bounced', { at: at(2) }, undeliverable('bounce')),
        store.markOutcome(claim.deliveryId, 'bounced', { at: at(2) }, undeliverable('bounce')),
      ]);
      await store.markOutcome(claim.deliveryId, 'complained', { at: at(3) }, undeliverable('complaint'));

      const held = await Promise.all(written.map((eventId) => outboxHolds(store, eventId)));
      expect(held.filter(Boolean)).toHaveLength(1);
      expect(await read(store, claim.deliveryId)).toMatchObject({ status: 'complained' });
    });

    it('writes the events of a refusal with the mark that fails the open claim, once: a repeat, even at the same time, or a mark on a settled mail writes none', async () => {
      const store = makeStore();
      const refused = (await store.claim(aShowMail(), at(0)))!;
      const sent = (await store.claim(aShowMail(), at(0)))!;
      await store.markSent(sent.deliveryId, 'msg-1', at(1));
      const written: string[] = [];
      const undeliverable = (delivery: Delivery) => {
        const entry = outboxEntry(MailUndeliverable, {
          ...MailUndeliverable.sample,
          deliveryId: delivery.deliveryId,
          reason: 'refused',
          detail: 'MESSAGE_REJECTED',
        });
        written.push(entry.eventId);
        return [entry];
      };

      await Promise.all([
        store.markFailed(refused.deliveryId, 'MESSAGE_REJECTED', at(1), undeliverable(refused)),
        store.markFailed(refused.deliveryId, 'MESSAGE_REJECTED', at(1), undeliverable(refused)),
      ]);
      await store.markFailed(refused.deliveryId, 'MESSAGE_REJECTED', at(2), undeliverable(refused));
      await store.markFailed(sent.deliveryId, 'MESSAGE_REJECTED', at(2), undeliverable(sent));

      const held = await Promise.all(written.map((eventId) => outboxHolds(store, eventId)));
      expect(held).toHaveLength(4);
      expect(held.filter(Boolean)).toHaveLength(1);
      expect(await read(store, refused.deliveryId)).toMatchObject({ status: 'failed', updatedAt: at(1) });
      expect(await read(store, sent.deliveryId)).toMatchObject({ status: 'sent' });
    });

    it('claims a page at once, leaving out the mails claimed before and the repeats within the page', async () => {
      const store = makeStore();
      const before = anIdentity();
      await store.claim(before, at(0));
      const fresh = [anIdentity(), anIdentity(), anIdentity()];

      const claimed = await store.claimMany(
        [fresh[0], before, fresh[1], { ...fresh[1], email: fresh[1].email.toUpperCase() }, fresh[2]],
        at(1),
      );

      expect(claimed.map((d) => d.deliveryId)).toEqual(fresh.map(deliveryIdOf));
      expect(claimed.every((d) => d.status === 'claimed' && d.claimedAt === at(1))).toBe(true);
      expect(await read(store, deliveryIdOf(before))).toMatchObject({ claimedAt: at(0) });
      expect(await store.claimMany(fresh, at(2))).toEqual([]);
    });

    it('marks a page sent at once, settling only the claims still open', async () => {
      const store = makeStore();
      const [a, b, c] = await store.claimMany([anIdentity(), anIdentity(), anIdentity()], at(0));
      await store.markSent(b.deliveryId, 'msg-from-event', at(1));
      await store.markFailed(c.deliveryId, 'MESSAGE_REJECTED', at(1));

      const settled = await store.markSentMany(
        [
          { deliveryId: a.deliveryId, messageId: 'msg-a' },
          { deliveryId: b.deliveryId, messageId: 'msg-b' },
          { deliveryId: c.deliveryId, messageId: 'msg-c' },
          { deliveryId: uniqueId('nothing'), messageId: 'msg-d' },
        ],
        at(2),
      );

      expect(settled).toEqual(new Set([a.deliveryId]));
      expect(await read(store, a.deliveryId)).toMatchObject({
        status: 'sent',
        messageId: 'msg-a',
        sentAt: at(2),
      });
      expect(await read(store, b.deliveryId)).toMatchObject({ status: 'sent', messageId: 'msg-from-event' });
      expect(await read(store, c.deliveryId)).toMatchObject({ status: 'failed' });
    });

    it('writes the asks of a page of marks with those marks, one per request, and none for a page it marks nothing of', async () => {
      const store = makeStore();
      const claims = await store.claimMany(
        Array.from({ length: 60 }, () => anIdentity()),
        at(0),
      );
      await store.markSent(claims[1].deliveryId, 'msg-from-sender', at(1));
      const asked: { eventId: string; ids: string[] }[] = [];
      const asks = (ids: string[]) => {
        const entry = outboxEntry(ReleaseMailsSettled, {
          ...ReleaseMailsSettled.sample,
          deliveryIds: ids,
        });
        asked.push({ eventId: entry.eventId, ids });
        return [entry];
      };

      const settled = await store.markSentMany(
        claims.map((claim) => ({ deliveryId: claim.deliveryId, messageId: `msg-${claim.deliveryId}` })),
        at(2),
        asks,
      );
      const none = await store.markSentMany(
        [{ deliveryId: claims[1].deliveryId, messageId: 'again' }],
        at(3),
        asks,
      );
      const closed = await store.claim(anIdentity(), at(0));
      await store.markFailed(closed!.deliveryId, 'no longer wanted', at(1));
      const recorded = asks([closed!.deliveryId]);
      await store.markSentAfterClosed(closed!.deliveryId, 'msg-late', at(2), at(3), recorded);

      expect([settled.size, none.size]).toEqual([59, 0]);
      // The entries of the requests that wrote: every mail marked is named by one that was stored.
      const stored = [];
      for (const ask of asked) if (await outboxHolds(store, ask.eventId)) stored.push(ask);
      expect(stored.flatMap((ask) => ask.ids).sort()).toEqual([...settled, closed!.deliveryId].sort());
    });
  });
}
