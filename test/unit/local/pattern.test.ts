import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidEventPatternError, matchesPattern } from '#infra/local/bus/pattern.ts';
import { anEvent, examples } from './pattern-examples.ts';

describe('EventBridge documented examples', () => {
  for (const [operator, cases] of Object.entries(examples)) {
    describe(operator, () => {
      it.each(cases)('$behaviour', ({ pattern, event, matches }) => {
        const envelope = anEvent(event);

        const result = matchesPattern(pattern, envelope);

        expect(result).toBe(matches);
      });
    });
  }
});

describe('patterns and events given as JSON text', () => {
  it('compiles a pattern written as JSON text', () => {
    const matcher = compilePattern('{"detail": {"state": [{"anything-but": "initializing"}]}}');

    const result = matcher(anEvent({ detail: { state: 'running' } }));

    expect(result).toBe(true);
  });

  it('matches numbers by value however they are spelled', () => {
    const matcher = compilePattern('{"detail": {"n": [1000], "m": [0.1]}}');

    const result = matcher('{"detail": {"n": 1e3, "m": 0.10}}');

    expect(result).toBe(true);
  });

  it('tells apart numbers that a double cannot hold, by their spelling', () => {
    const matcher = compilePattern('{"detail": {"n": [12345678901234567891]}}');

    const results = [
      matcher('{"detail": {"n": 12345678901234567891}}'),
      matcher('{"detail": {"n": 12345678901234567890}}'),
    ];

    expect(results).toEqual([true, false]);
  });

  it('does not compare a number a double cannot hold numerically', () => {
    const matcher = compilePattern({ detail: { n: [{ numeric: ['>', 0] }] } });

    const result = matcher('{"detail": {"n": 0.1000000000000000000001}}');

    expect(result).toBe(false);
  });

  it('never matches an event that is not an object', () => {
    const matcher = compilePattern({ detail: { state: [{ exists: false }] } });

    const results = [matcher(null), matcher([]), matcher('"text"'), matcher(42)];

    expect(results).toEqual([false, false, false, false]);
  });
});

describe('arrays of objects', () => {
  it('checks exists false within the element the other fields matched in', () => {
    const pattern = { detail: { items: { a: [1], b: [{ exists: false }] } } };

    const result = matchesPattern(pattern, anEvent({ detail: { items: [{ a: 1 }, { a: 3, b: 2 }] } }));

    expect(result).toBe(true);
  });

  // EventBridge checks fields in the order of their paths; an absence checked before any sibling has chosen
  // an element looks at every element. Asymmetric, but it is what the engine answers.
  it('checks exists false in every element when its field sorts before the fields that choose one', () => {
    const pattern = { detail: { items: { b: [1], a: [{ exists: false }] } } };

    const result = matchesPattern(pattern, anEvent({ detail: { items: [{ b: 1 }, { a: 3, b: 2 }] } }));

    expect(result).toBe(false);
  });

  it('matches through arrays nested in arrays', () => {
    const pattern = { detail: { grid: { cell: ['x'] } } };

    const result = matchesPattern(pattern, anEvent({ detail: { grid: [[{ cell: 'o' }], [{ cell: 'x' }]] } }));

    expect(result).toBe(true);
  });
});

// Where event-ruler accepts or matches more than EventBridge documents, the local bus follows the
// documentation.
describe('where the documentation is followed rather than event-ruler', () => {
  it('does not read a dotted field name as nesting', () => {
    const pattern = { detail: { 'a.b': ['x'] } };

    const results = [
      matchesPattern(pattern, anEvent({ detail: { a: { b: 'x' } } })),
      matchesPattern(pattern, anEvent({ detail: { 'a.b': 'x' } })),
    ];

    expect(results).toEqual([false, true]);
  });

  it('folds case one letter at a time, so ß is not SS', () => {
    const pattern = { detail: { street: [{ 'equals-ignore-case': 'straße' }] } };

    const results = [
      matchesPattern(pattern, anEvent({ detail: { street: 'STRASSE' } })),
      matchesPattern(pattern, anEvent({ detail: { street: 'Straße' } })),
    ];

    expect(results).toEqual([false, true]);
  });

  it('compares an IP address outside cidr as a plain string', () => {
    const pattern = { detail: { ip: ['10.0.0.1'] } };

    const result = matchesPattern(pattern, anEvent({ detail: { ip: '10.0.0.01' } }));

    expect(result).toBe(false);
  });

  it('matches cidr only against IP addresses of the same family', () => {
    const pattern = { detail: { ip: [{ cidr: '0.0.0.0/1' }] } };

    const results = [
      matchesPattern(pattern, anEvent({ detail: { ip: '2001:db8::1' } })),
      matchesPattern(pattern, anEvent({ detail: { ip: 12 } })),
      matchesPattern(pattern, anEvent({ detail: { ip: '::ffff:a00:1' } })),
    ];

    expect(results).toEqual([false, false, true]);
  });
});

describe('validation', () => {
  const rejectedByEventBridge: [string, unknown][] = [
    ['a pattern that is an array', ['x']],
    ['a pattern that is a string of JSON text for a string', '"detail"'],
    ['a pattern that is null', null],
    ['a pattern that is not JSON', '{"source": '],
    ['an empty pattern', {}],
    ['an empty nested object', { detail: {} }],
    ['a leaf that is not an array', { source: 'aws.ec2' }],
    ['an empty array of values', { source: [] }],
    ['an array inside the values', { source: [['aws.ec2']] }],
    ['two operators in one match expression', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['an unknown operator', { source: [{ regex: 'a.*' }] }],
    ['a prefix that is not a string', { source: [{ prefix: 5 }] }],
    ['a case-insensitive prefix that is not a string', { source: [{ prefix: { 'equals-ignore-case': 5 } }] }],
    ['a suffix object other than equals-ignore-case', { source: [{ suffix: { prefix: 'x' } }] }],
    ['equals-ignore-case with a list', { source: [{ 'equals-ignore-case': ['a'] }] }],
    ['a wildcard with two consecutive stars', { source: [{ wildcard: 'a**b' }] }],
    ['a wildcard escaping something other than * or \\', { source: [{ wildcard: 'a\\b' }] }],
    ['exists that is not a boolean', { source: [{ exists: 'yes' }] }],
    ['anything-but mixing strings and numbers', { source: [{ 'anything-but': ['a', 1] }] }],
    ['anything-but with an empty list', { source: [{ 'anything-but': [] }] }],
    ['anything-but null', { source: [{ 'anything-but': null }] }],
    ['anything-but with an empty prefix', { source: [{ 'anything-but': { prefix: '' } }] }],
    ['anything-but with an unknown operator', { source: [{ 'anything-but': { contains: 'a' } }] }],
    [
      'anything-but equals-ignore-case with a number',
      { source: [{ 'anything-but': { 'equals-ignore-case': 5 } }] },
    ],
    ['numeric without a number', { detail: { n: [{ numeric: ['>'] }] } }],
    ['numeric with an unknown operator', { detail: { n: [{ numeric: ['!=', 5] }] } }],
    ['numeric with a string for a number', { detail: { n: [{ numeric: ['>', '5'] }] } }],
    ['numeric with the bottom above the top', { detail: { n: [{ numeric: ['>', 10, '<', 5] }] } }],
    ['numeric with the bottom equal to the top', { detail: { n: [{ numeric: ['>', 5, '<', 5] }] } }],
    ['numeric with the upper bound first', { detail: { n: [{ numeric: ['<', 5, '>', 0] }] } }],
    ['numeric equals followed by a bound', { detail: { n: [{ numeric: ['=', 5, '<', 6] }] } }],
    ['numeric that is not an array', { detail: { n: [{ numeric: 5 }] } }],
    ['cidr without a mask', { detail: { ip: [{ cidr: '10.0.0.0' }] } }],
    ['cidr with a mask beyond 31 bits for IPv4', { detail: { ip: [{ cidr: '10.0.0.0/32' }] } }],
    ['cidr with a byte above 255', { detail: { ip: [{ cidr: '10.0.0.256/8' }] } }],
    ['cidr with a mask beyond 127 bits for IPv6', { detail: { ip: [{ cidr: '2001:db8::/128' }] } }],
    ['cidr with a host name', { detail: { ip: [{ cidr: 'not-an-ip/8' }] } }],
    ['cidr with a mask that is not a number', { detail: { ip: [{ cidr: '10.0.0.0/x' }] } }],
    ['$or with one alternative', { $or: [{ source: ['a'] }] }],
    ['$or with something other than objects', { $or: [{ source: ['a'] }, 'b'] }],
    ['$or with an empty alternative', { $or: [{ source: ['a'] }, {}] }],
    ['an operator name used as a field inside $or', { $or: [{ source: ['a'] }, { prefix: ['b'] }] }],
  ];

  // Accepted by event-ruler, but outside what EventBridge documents.
  const outsideTheDocumentation: [string, unknown][] = [
    ['$or followed by an object', { $or: { source: ['a'] } }],
    ['a numeric bound beyond 5.0e9', { detail: { n: [{ numeric: ['>', 5000000001] }] } }],
    ['a numeric bound below -5.0e9', { detail: { n: [{ numeric: ['<', -5.1e9] }] } }],
    ['a numeric bound with seven decimals', { detail: { n: [{ numeric: ['>', 0.0000001] }] } }],
    ['anything-but with a list of prefixes', { detail: { s: [{ 'anything-but': { prefix: ['a', 'b'] } }] } }],
    ['anything-but with a list of suffixes', { detail: { s: [{ 'anything-but': { suffix: ['a', 'b'] } }] } }],
    [
      'anything-but with a list of wildcards',
      { detail: { s: [{ 'anything-but': { wildcard: ['a*', 'b*'] } }] } },
    ],
  ];

  it.each([...rejectedByEventBridge, ...outsideTheDocumentation])('rejects %s', (_name, pattern) => {
    const compile = () => compilePattern(pattern);

    expect(compile).toThrow(InvalidEventPatternError);
  });

  it('says what is wrong and where, in the words of EventBridge', () => {
    const compile = () => compilePattern({ detail: { n: [{ numeric: ['>', 10, '<', 5] }] } });

    expect(compile).toThrow(
      /^Event pattern is not valid\. Reason: "detail\.n": "numeric".*bottom.*less than the top/,
    );
  });

  it('accepts numeric bounds at the documented limits', () => {
    const pattern = {
      detail: { n: [{ numeric: ['>=', -5.0e9, '<=', 5.0e9] }], m: [{ numeric: ['>', 0.000001] }] },
    };

    const result = matchesPattern(pattern, anEvent({ detail: { n: 5.0e9, m: 0.5 } }));

    expect(result).toBe(true);
  });
});

// --- properties ---------------------------------------------------------------------------------------------

const fieldName = fc.string({ minLength: 1, maxLength: 6 }).filter((name) => name !== '$or');
const scalar = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const { tree: detailTree } = fc.letrec<{ tree: Record<string, unknown> }>((tie) => ({
  tree: fc.dictionary(fieldName, fc.oneof({ depthSize: 'small' }, scalar, tie('tree')), {
    minKeys: 1,
    maxKeys: 4,
  }),
}));

/** The pattern that asks for exactly the leaf values of `tree`. */
function patternOf(tree: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tree).map(([name, value]) => [
      name,
      typeof value === 'object' && value !== null ? patternOf(value as Record<string, unknown>) : [value],
    ]),
  );
}

describe('properties', () => {
  it('matches an event against a pattern built from its own leaf values', () => {
    fc.assert(
      fc.property(detailTree, (detail) => {
        const event = anEvent({ detail });

        const result = matchesPattern({ detail: patternOf(detail) }, event);

        expect(result).toBe(true);
      }),
    );
  });

  it('answers the same for a pattern as for its JSON text', () => {
    fc.assert(
      fc.property(detailTree, detailTree, (wanted, detail) => {
        const pattern = { detail: patternOf(wanted) };
        const event = anEvent({ detail });

        const [fromObject, fromText] = [compilePattern(pattern), compilePattern(JSON.stringify(pattern))];

        expect(fromText(JSON.stringify(event))).toBe(fromObject(event));
      }),
    );
  });

  it('makes anything-but [v] the complement of [v] on a present scalar field', () => {
    const excludable = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }));
    fc.assert(
      fc.property(excludable, fc.oneof(excludable, scalar), (excluded, value) => {
        const event = anEvent({ detail: { field: value } });

        const [but, exact] = [
          matchesPattern({ detail: { field: [{ 'anything-but': [excluded] }] } }, event),
          matchesPattern({ detail: { field: [excluded] } }, event),
        ];

        expect(but).toBe(!exact);
      }),
    );
  });

  it('matches a $or of two patterns exactly when one of them matches', () => {
    const leaf = fc.oneof(
      scalar.map((value) => [value]),
      fc.string({ maxLength: 2 }).map((prefix) => [{ prefix }]),
      fc.integer({ min: -5, max: 5 }).map((bound) => [{ numeric: ['>', bound] }]),
      fc.boolean().map((exists) => [{ exists }]),
    );
    const fields = fc.constantFrom('a', 'b', 'c');
    fc.assert(
      fc.property(fields, leaf, fields, leaf, detailTree, (nameA, leafA, nameB, leafB, detail) => {
        const a = { detail: { [nameA]: leafA } };
        const b = { detail: { [nameB]: leafB } };
        const event = anEvent({ detail: { a: detail.a ?? 1, b: 'bc', ...detail } });

        const either = matchesPattern({ $or: [a, b] }, event);

        expect(either).toBe(matchesPattern(a, event) || matchesPattern(b, event));
      }),
    );
  });

  it('matches a string against any prefix of it, and any suffix', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), (text, cut) => {
        const at = cut % (text.length + 1);
        const event = anEvent({ detail: { text } });

        const results = [
          matchesPattern({ detail: { text: [{ prefix: text.slice(0, at) }] } }, event),
          matchesPattern({ detail: { text: [{ suffix: text.slice(at) }] } }, event),
        ];

        expect(results).toEqual([true, true]);
      }),
    );
  });

  it('matches equals-ignore-case against the upper- and lower-case spelling of an ASCII string', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aBcDeF-_ 09') }), (text) => {
        const pattern = { detail: { text: [{ 'equals-ignore-case': text }] } };

        const results = [text.toUpperCase(), text.toLowerCase()].map((spelling) =>
          matchesPattern(pattern, anEvent({ detail: { text: spelling } })),
        );

        expect(results).toEqual([true, true]);
      }),
    );
  });

  it('matches a numeric range exactly when the number lies within it', () => {
    const number = fc.integer({ min: -1000, max: 1000 });
    fc.assert(
      fc.property(number, number, number, (x, y, value) => {
        fc.pre(x !== y);
        const [bottom, top] = x < y ? [x, y] : [y, x];
        const pattern = { detail: { n: [{ numeric: ['>', bottom, '<=', top] }] } };

        const result = matchesPattern(pattern, anEvent({ detail: { n: value } }));

        expect(result).toBe(value > bottom && value <= top);
      }),
    );
  });

  it('matches a wildcard built by replacing parts of a string with stars', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom(...'ab*\\c') }), { minLength: 1, maxLength: 4 }),
        (parts) => {
          const text = parts.join('');
          const escapeLiteral = (part: string) => part.replace(/[\\*]/g, (char) => `\\${char}`);
          const wildcard = parts.map((part, i) => (i % 2 === 1 ? '*' : escapeLiteral(part))).join('');
          fc.pre(!wildcard.includes('**'));

          const result = matchesPattern({ detail: { text: [{ wildcard }] } }, anEvent({ detail: { text } }));

          expect(result).toBe(true);
        },
      ),
    );
  });
});
