import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetKey, expenseKey } from '#shared/db/budgets.ts';
import { keyOf, keyParts, lastPartOf, nameHash } from '#shared/db/keys.ts';
import { promoCounterKey } from '#shared/db/promo.ts';
import { releaseKey } from '#shared/db/release-reads.ts';
import { releaseChangeKey } from '#shared/db/releases.ts';
import { showKey, tourKey } from '#shared/db/tours.ts';
import { webhookKey } from '#shared/db/webhooks.ts';

const id = fc.string({
  minLength: 1,
  maxLength: 12,
  unit: fc.constantFrom('a', 'b', '#', '%', '2', '3', '-', '\n'),
});
const twoIds = fc.tuple(id, id);

const keyText = (key: Record<string, string>) => JSON.stringify(key);

describe('keys built from several ids', () => {
  it('never meet for two different tuples of ids', () => {
    fc.assert(
      fc.property(twoIds, twoIds, (a, b) => {
        fc.pre(a[0] !== b[0] || a[1] !== b[1]);
        expect(keyOf('RELEASE', ...a)).not.toBe(keyOf('RELEASE', ...b));
        expect(keyParts(...a)).not.toBe(keyParts(...b));
        expect(nameHash(a)).not.toBe(nameHash(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('never meet for ids that read the same once joined by "#" (the separator moved)', () => {
    // Two random tuples almost never join to the same text, so the property above would pass with
    // the escaping removed: these pairs are built to, by splitting one joined text at another "#".
    const joinedTwice = fc
      .tuple(id, id)
      .chain((a) => {
        const joined = a.join('#');
        const separators = [...joined.matchAll(/#/g)].map((match) => match.index);
        return fc
          .constantFrom(...separators)
          .map((at) => [a, [joined.slice(0, at), joined.slice(at + 1)]] as const);
      })
      .filter(([a, b]) => a[0] !== b[0] || a[1] !== b[1]);
    fc.assert(
      fc.property(joinedTwice, ([a, b]) => {
        expect(keyOf('RELEASE', ...a)).not.toBe(keyOf('RELEASE', ...b));
        expect(keyParts(...a)).not.toBe(keyParts(...b));
        expect(lastPartOf(keyParts(...b))).toBe(b[1]);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a label-supplied "#" from shifting ids across the separator in every store', () => {
    const [left, right] = [
      ['acme', 'rec#r3'],
      ['acme#rec', 'r3'],
    ] as const;

    const keysOf = (labelId: string, otherId: string) => [
      keyText(releaseKey(labelId, otherId)),
      keyText(releaseChangeKey(labelId, otherId, '2027-01-01T00:00:00.000Z', 'e1')),
      keyText(webhookKey(labelId, otherId)),
      keyText(tourKey(labelId, otherId)),
      keyText(showKey('acme', labelId, otherId)),
      keyText(budgetKey(labelId, otherId)),
      keyText(expenseKey('acme', labelId, otherId)),
      keyText(promoCounterKey({ labelId: 'acme', releaseId: labelId, outletId: otherId, assetIndex: 0 })),
    ];

    const a = keysOf(...left);
    const b = keysOf(...right);

    for (const [index, key] of a.entries()) expect(key).not.toBe(b[index]);
  });

  it('gives back the last id of a key as it was before escaping', () => {
    fc.assert(
      fc.property(fc.array(id, { minLength: 1, maxLength: 4 }), (ids) => {
        expect(lastPartOf(keyOf('P', ...ids))).toBe(ids.at(-1));
        expect(lastPartOf(keyParts(...ids))).toBe(ids.at(-1));
      }),
    );
  });

  it('reads plain ids as they are', () => {
    expect(keyOf('RELEASE', 'lbl-1', 'rel_2027.a')).toBe('RELEASE#lbl-1#rel_2027.a');
  });
});
