import { describe, expect, it } from 'vitest';
import type { MailingFacts, MailingIdentity } from '#shared/db/mailing-facts.ts';
import { ReleaseAnnounced, ReleaseDateChangeSent } from '#shared/events/mailing-sent.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { uniqueId } from '#test/support/cloud.ts';

/**
 * What every MailingFacts store does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts).
 * `outboxHolds` tells whether the store's write put an outbox entry (by event id) in the outbox.
 */
export function describeMailingFactsContract<S extends MailingFacts>(
  name: string,
  makeStore: () => S,
  outboxHolds: (store: S, eventId: string) => Promise<boolean>,
) {
  describe(`MailingFacts contract: ${name}`, () => {
    const aMailing = (identity: Partial<MailingIdentity> = {}): MailingIdentity => ({
      labelId: uniqueId('lbl'),
      releaseId: uniqueId('rel'),
      kind: 'announcement',
      ...identity,
    });
    const announced = (mailing: MailingIdentity, sent: number) =>
      outboxEntry(ReleaseAnnounced, {
        labelId: mailing.labelId,
        releaseId: mailing.releaseId,
        sent,
        skipped: 0,
      });

    it("states a mailing's fact once: a second fact of the same mailing is refused and not put in the outbox", async () => {
      const store = makeStore();
      const mailing = aMailing();
      const first = announced(mailing, 3);
      const again = announced(mailing, 0);

      expect(await store.state(mailing, first)).toBe(true);
      expect(await store.state({ ...mailing }, again)).toBe(false);

      expect(await outboxHolds(store, first.eventId)).toBe(true);
      expect(await outboxHolds(store, again.eventId)).toBe(false);
    });

    it('takes the territories in any order as one mailing', async () => {
      const store = makeStore();
      const mailing = aMailing({ kind: 'cancellation', territories: ['GB', 'DE'] });

      expect(await store.state(mailing, announced(mailing, 1))).toBe(true);
      expect(await store.state({ ...mailing, territories: ['DE', 'GB'] }, announced(mailing, 1))).toBe(false);
    });

    it('states the facts of mailings that differ in any part of their identity, ids that would meet when joined included', async () => {
      const store = makeStore();
      const labelId = uniqueId('acme');
      const base = { labelId, releaseId: 'rec-r3', kind: 'date-change', revision: '2027-04-02T09:00' };
      const mailings: MailingIdentity[] = [
        base,
        { ...base, labelId: `${labelId}-rec`, releaseId: 'r3' },
        { ...base, kind: 'out-now' },
        { ...base, revision: '2027-04-03T09:00' },
        { ...base, moment: '2027-03-01T09:00' },
        { ...base, territories: ['GB'] },
        { ...base, territories: ['GB', 'DE'] },
        // The parts of one identity never read as those of another.
        { ...base, revision: undefined, moment: '2027-04-02T09:00' },
        { ...base, revision: undefined, territories: ['2027-04-02T09:00'] },
      ];
      for (const mailing of mailings) {
        const fact = outboxEntry(ReleaseDateChangeSent, {
          labelId: mailing.labelId,
          releaseId: mailing.releaseId,
          sent: 1,
          skipped: 0,
        });
        expect(await store.state(mailing, fact)).toBe(true);
        expect(await outboxHolds(store, fact.eventId)).toBe(true);
      }
    });
  });
}
