import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRecord, WebhookRecords } from '#shared/db/webhooks.ts';
import { TourBooked } from '#shared/events/index.ts';
import { uniqueId } from '#test/support/cloud.ts';

/** What every WebhookRecords store does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts). */
export function describeWebhookRecordsContract(name: string, makeStore: () => WebhookRecords) {
  const now = new Date('2027-01-05T10:00:00.250Z');
  const nowSeconds = now.getTime() / 1000;
  const inAMonth = Math.floor(nowSeconds) + 30 * 24 * 3600;
  const minute = 60_000;
  const byReplay = { jobId: 'job-replay', page: 0 };
  /** A webhook as intake records it: pending, its event not yet published (an outbox entry). */
  const aRecord = (overrides: Partial<WebhookRecord> = {}): WebhookRecord => ({
    labelId: uniqueId('lbl'),
    webhookId: uniqueId('msg'),
    eventId: randomUUID(),
    type: 'tour.booked',
    body: JSON.stringify({ type: 'tour.booked', timestamp: now.toISOString(), data: TourBooked.sample }),
    receivedAt: now.toISOString(),
    status: 'pending',
    expiresAt: inAMonth,
    ...overrides,
  });

  describe(`WebhookRecords contract: ${name}`, () => {
    it('records a webhook once per label and webhook-id: a repeat finds the first record', async () => {
      const store = makeStore();
      const first = aRecord();

      expect(await store.record(first, now)).toEqual({ recorded: true });
      const repeat = await store.record({ ...first, eventId: randomUUID(), body: '{}' }, now);

      expect(repeat).toEqual({ recorded: false, existing: first });
    });

    it('keeps the same webhook-id from two labels apart', async () => {
      const store = makeStore();
      const first = aRecord();

      await store.record(first, now);

      expect(await store.record(aRecord({ webhookId: first.webhookId }), now)).toEqual({ recorded: true });
    });

    it('records over an expired record, to the second (a record expiring this very second still counts)', async () => {
      const store = makeStore();
      const expired = aRecord({ expiresAt: Math.floor(nowSeconds) - 1 });
      const expiring = aRecord({ expiresAt: Math.floor(nowSeconds) });
      await store.record(expired, now);
      await store.record(expiring, now);

      const again = await store.record({ ...expired, eventId: randomUUID() }, now);
      const notYet = await store.record({ ...expiring, eventId: randomUUID() }, now);

      expect(again).toEqual({ recorded: true });
      expect(notYet).toEqual({ recorded: false, existing: expiring });
    });

    it('puts a recorded webhook back in the outbox; not one that is gone or whose event cannot be built', async () => {
      const store = makeStore();
      const published = aRecord({ status: 'published', publishedAt: now.toISOString() });
      const unpublishable = aRecord({ status: 'unpublishable' });
      await store.record(published, now);
      await store.record(unpublishable, now);

      expect(await store.requeue(published, now, byReplay)).toBe(true);
      expect(await store.requeue(unpublishable, now, byReplay)).toBe(false);
      expect(await store.requeue(aRecord(), now, byReplay)).toBe(false);
    });

    it('lists a label’s webhooks received in [from, to], oldest first, across pages, leaving out expired ones', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const at = (m: number) => new Date(now.getTime() - m * minute).toISOString();
      const inside = [5, 1, 3, 4].map((m) => aRecord({ labelId, receivedAt: at(m) }));
      const expired = aRecord({ labelId, receivedAt: at(2), expiresAt: Math.floor(nowSeconds) - 1 });
      const before = aRecord({ labelId, receivedAt: at(7) });
      const otherLabel = aRecord({ receivedAt: at(3) });
      for (const record of [...inside, expired, before, otherLabel]) await store.record(record, now);

      const seen: WebhookRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.receivedBetween(labelId, new Date(at(5)), new Date(at(1)), now, cursor);
        seen.push(...page.items);
        cursor = page.next;
      } while (cursor);

      expect(seen).toEqual([...inside].sort((x, y) => x.receivedAt.localeCompare(y.receivedAt)));
    });

    it('lists and puts back a record expiring this very second, as it still counts as recorded, and neither once it expired', async () => {
      const store = makeStore();
      const labelId = uniqueId('lbl');
      const expiring = aRecord({ labelId, expiresAt: Math.floor(nowSeconds) });
      const expired = aRecord({ labelId, expiresAt: Math.floor(nowSeconds) - 1 });
      await store.record(expiring, now);
      await store.record(expired, now);

      const listed = await store.receivedBetween(labelId, new Date(now.getTime() - minute), now, now);

      expect(listed.items).toEqual([expiring]);
      expect(await store.requeue(expiring, now, byReplay)).toBe(true);
      expect(await store.requeue(expired, now, byReplay)).toBe(false);
    });
  });
}
