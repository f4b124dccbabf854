import { describe, expect, it } from 'vitest';
import type { PromoCounters, PromoLink } from '#shared/db/promo.ts';
import { outboxEntry, PromoAccessed } from '#shared/events/index.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { uniqueId } from '#test/support/cloud.ts';
import { countsOf } from '#test/support/outlets.ts';

/** What every PromoCounters does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts). */
export function describePromoCountersContract<S extends PromoCounters>(
  name: string,
  makeStore: () => S,
  outboxHolds: (store: S, eventId: string) => Promise<boolean>,
) {
  const at = '2027-03-01T12:00:00.000Z';
  /** `Promo Accessed` for each count it is asked for, kept so a test can look for it in the outbox. */
  const accessEvents = (link: PromoLink) => {
    const asked: OutboxEntry[] = [];
    const eventsFor = (accessCount: number) => {
      const event = outboxEntry(PromoAccessed, { ...link, assetKind: 'stream', accessCount });
      asked.push(event);
      return [event];
    };
    return { asked, eventsFor };
  };
  const noEvents = () => [];
  const aLink = (overrides: Partial<PromoLink> = {}): PromoLink => ({
    labelId: uniqueId('lbl'),
    releaseId: uniqueId('rel'),
    outletId: uniqueId('out'),
    assetIndex: 0,
    ...overrides,
  });

  describe(`PromoCounters contract: ${name}`, () => {
    it('counts every access and answers the new count, writing the events of that count with it', async () => {
      const store = makeStore();
      const link = aLink();
      const events = accessEvents(link);

      const counts = [
        await store.countAccess(link, { at }, events.eventsFor),
        await store.countAccess(link, { at }, events.eventsFor),
        await store.countAccess(link, { at }, events.eventsFor),
      ];

      expect(counts).toEqual([1, 2, 3]);
      expect(events.asked.map((event) => event.detail.data)).toEqual(
        [1, 2, 3].map((accessCount) => expect.objectContaining({ accessCount })),
      );
      for (const event of events.asked) expect(await outboxHolds(store, event.eventId)).toBe(true);
    });

    it('never counts past maxAccesses: further accesses answer undefined and count nothing', async () => {
      const store = makeStore();
      const link = aLink();

      const events = accessEvents(link);

      const counts = [];
      for (let i = 0; i < 4; i++)
        counts.push(await store.countAccess(link, { maxAccesses: 2, at }, events.eventsFor));

      expect(counts).toEqual([1, 2, undefined, undefined]);
      expect(events.asked.map((event) => event.detail.data)).toEqual(
        [1, 2].map((accessCount) => expect.objectContaining({ accessCount })),
      );
      expect(await countsOf(store, link.labelId, link.releaseId)).toEqual(new Map([[link.outletId, 2]]));
    });

    it('reads a link’s count without counting: 0 for a link never opened', async () => {
      const store = makeStore();
      const link = aLink();
      const before = await store.accessCount(link);
      await store.countAccess(link, { at }, noEvents);
      await store.countAccess(link, { at }, noEvents);

      const read = [await store.accessCount(link), await store.accessCount(link)];

      expect([before, ...read]).toEqual([0, 2, 2]);
      expect(await store.accessCount({ ...link, assetIndex: 1 })).toBe(0);
      expect(await countsOf(store, link.labelId, link.releaseId)).toEqual(new Map([[link.outletId, 2]]));
    });

    it('sums a release’s accesses per outlet over its assets, and only that release’s', async () => {
      const store = makeStore();
      const first = aLink();
      const sameOutletOtherAsset = { ...first, assetIndex: 1 };
      const otherOutlet = { ...first, outletId: uniqueId('out') };
      const otherRelease = { ...first, releaseId: uniqueId('rel') };
      for (const link of [first, first, sameOutletOtherAsset, otherOutlet, otherRelease])
        await store.countAccess(link, { at }, noEvents);

      expect(await countsOf(store, first.labelId, first.releaseId)).toEqual(
        new Map([
          [first.outletId, 3],
          [otherOutlet.outletId, 1],
        ]),
      );
      expect(await countsOf(store, first.labelId, uniqueId('rel'))).toEqual(new Map());
    });

    it('keeps links apart whose ids differ only in where a `#` splits them', async () => {
      const store = makeStore();
      const tag = uniqueId('acme');
      const one = aLink({ labelId: tag, releaseId: 'rec#r3', outletId: 'o#1' });
      const other = aLink({ labelId: `${tag}#rec`, releaseId: 'r3', outletId: 'o#1' });

      await store.countAccess(one, { at }, noEvents);

      expect(await store.countAccess(other, { maxAccesses: 1, at }, noEvents)).toBe(1);
      expect(await countsOf(store, one.labelId, one.releaseId)).toEqual(new Map([['o#1', 1]]));
      expect(await countsOf(store, other.labelId, other.releaseId)).toEqual(new Map([['o#1', 1]]));
    });
  });
}
