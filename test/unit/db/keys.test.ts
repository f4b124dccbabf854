import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetKey, expenseKey } from '#shared/db/budgets.ts';
import { derivedEventId, keyOf, keyParts, lastPartOf, nameHash } from '#shared/db/keys.ts';
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

describe('derived event ids', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('names the same event for the same trigger and part, run after run, as a UUID', () => {
    const trigger = '5f0e4c1a-9a52-4b7e-8c1e-2d3f4a5b6c7d';

    const first = derivedEventId(trigger, 'Release Announced');
    const again = derivedEventId(trigger, 'Release Announced');

    expect(again).toBe(first);
    expect(first).toMatch(uuid);
    // Pinned: a deploy between an invocation and its retry must not rename the event it leads to.
    expect(first).toBe('f7138e24-3587-8c4f-930d-c1bd0d5d6cc0');
  });

  it('names different events for different triggers, parts or tuples that join to the same text', () => {
    fc.assert(
      fc.property(
        fc.array(id, { minLength: 1, maxLength: 3 }),
        fc.array(id, { minLength: 1, maxLength: 3 }),
        (a, b) => {
          fc.pre(JSON.stringify(a) !== JSON.stringify(b));
          expect(derivedEventId(...a)).not.toBe(derivedEventId(...b));
          expect(derivedEventId(...a)).toMatch(uuid);
        },
      ),
      { numRuns: 2000 },
    );
    expect(derivedEventId('a', 'b-c')).not.toBe(derivedEventId('a-b', 'c'));
  });
});
