import { describe, expect, it } from 'vitest';
import { type Labels, withRotatedSecret } from '#shared/db/labels.ts';
import { uniqueId } from '#test/support/cloud.ts';
import { aLabel, aSecret } from '#test/support/intake.ts';

/** What every Labels store does, on the fake and on DynamoDB Local (see outlet-directory.contract.ts). */
export function describeLabelsContract(name: string, makeStore: () => Labels) {
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
