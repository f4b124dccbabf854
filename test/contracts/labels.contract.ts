import { describe, expect, it } from 'vitest';
import { type LabelExistence, type Labels, withRotatedSecret } from '#shared/db/labels.ts';
import { uniqueId } from '#test/support/cloud.ts';
import { aLabel, aSecret } from '#test/support/intake.ts';

/**
 * What every Labels store does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts).
 * `existenceOf` is the store's existence part as the office builds it, apart from the rest (on DynamoDB
 * with no sealer, so it can use no KMS key); the store itself unless given.
 */
export function describeLabelsContract(
  name: string,
  makeStore: () => Labels,
  existenceOf: (store: Labels) => LabelExistence = (store) => store,
) {
  const now = new Date('2027-01-05T10:00:00Z');

  describe(`Labels contract: ${name}`, () => {
    it('creates a label once: a second create with its id is refused and keeps the first secret', async () => {
      const store = makeStore();
      const label = aLabel({ labelId: uniqueId('lbl') });

      expect(await store.create(label)).toBe(true);
      expect(
        await store.create({ ...label, name: 'Impostor', secrets: [{ value: aSecret(), createdAt: 'x' }] }),
      ).toBe(false);

      expect(await store.get(label.labelId)).toEqual(label);
    });

    it('answers undefined for a label that does not exist, or an id no label can have', async () => {
      const store = makeStore();

      expect(await store.get(uniqueId('lbl'))).toBeUndefined();
      expect(await store.get('not a label#id')).toBeUndefined();
    });

    it('tells whether a label exists, without its secrets: one created, one never created, an id no label can have', async () => {
      const store = makeStore();
      const label = aLabel({ labelId: uniqueId('lbl') });
      await store.create(label);
      const labels = existenceOf(store);

      const answers = [
        await labels.exists(label.labelId),
        await labels.exists(uniqueId('lbl')),
        await labels.exists('not a label#id'),
      ];

      expect(answers).toEqual([true, false, false]);
    });

    it('updates only over the version it read: of two rotations from one version, the second is refused', async () => {
      const store = makeStore();
      const label = aLabel({ labelId: uniqueId('lbl') });
      await store.create(label);
      const first = withRotatedSecret(label, aSecret(), now);
      const second = withRotatedSecret(label, aSecret(), now);

      expect(await store.update(first)).toBe(true);
      expect(await store.update(second)).toBe(false);

      expect(await store.get(label.labelId)).toEqual(first);
      const third = withRotatedSecret(first, aSecret(), new Date(now.getTime() + 1000));
      expect(await store.update(third)).toBe(true);
      expect(await store.get(label.labelId)).toEqual(third);
    });

    it('refuses to update a label that does not exist, and creates nothing', async () => {
      const store = makeStore();
      const label = aLabel({ labelId: uniqueId('lbl'), version: 1 });

      expect(await store.update({ ...label, version: 2 })).toBe(false);
      expect(await store.update({ ...label, version: 1 })).toBe(false);

      expect(await store.get(label.labelId)).toBeUndefined();
    });
  });
}
