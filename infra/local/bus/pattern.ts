// EventBridge event-pattern matching for the local bus: the same answers as AWS's engine
// (aws/event-ruler, which EventBridge's content filtering is built on), and the same patterns rejected.
//
// A pattern compiles once into branches (one per combination of `$or` alternatives). Each branch is a list
// of conditions on leaf paths, such as detail.state. An event is matched by collecting, for every path the
// pattern names, the leaf values found there, then looking for one branch whose conditions all hold.
// Like EventBridge, conditions met inside an array of objects must be met by the same element:
// {"a": {"x": [1], "y": [2]}} does not match {"a": [{"x": 1}, {"y": 2}]}.

import {
  decimalPlaces,
  foldCase,
  type IpRange,
  ipInRange,
  type Leaf,
  matchesWildcard,
  NumberLiteral,
  parseCidr,
  parseIp,
  parseJsonKeepingNumbers,
  parseWildcard,
} from './pattern-values.ts';

export class InvalidEventPatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

export type EventMatcher = (event: unknown) => boolean;

/** Matches one leaf value of the event. */
type ValueTest = (value: Leaf) => boolean;

interface Condition {
  /** Index of the path's values in the collected event. */
  slot: number;
  /** The path joined with dots: conditions are checked in this order, as EventBridge does (see matchBranch). */
  order: string;
  /** Whether one value at the path satisfies the condition; undefined when only absence can. */
  test: ValueTest | undefined;
  /** Whether the path having no value satisfies the condition (`{"exists": false}`). */
  absentIsMatch: boolean;
}

/** The paths a pattern names, as a tree over field names; a node with a slot is a leaf path. */
interface PathNode {
  slot: number;
  children: Map<string, PathNode>;
}

/**
 * Array elements a value sits in, as pairs [arrayId, index, arrayId, index, ...], outermost first.
 * Only arrays of objects or arrays count: the scalars of an array share their array's membership.
 */
type Membership = readonly number[];

interface Found {
  value: Leaf;
  membership: Membership;
}

// Numeric matching is documented for -5.0e9..+5.0e9 with at most six digits right of the decimal point.
const NUMERIC_LIMIT = 5.0e9;
const NUMERIC_DECIMALS = 6;

// Field names EventBridge refuses inside `$or`, so that an operator is never mistaken for a field.
const RESERVED_IN_OR = new Set([
  'exact',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
]);

const NO_MEMBERSHIP: Membership = [];

// --- compiling ----------------------------------------------------------------------------------------------

function invalid(reason: string): never {
  throw new InvalidEventPatternError(reason);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof NumberLiteral)
  );
}

const describe = (path: readonly string[]): string => `"${path.join('.')}"`;

type Branch = Map<string, { path: string[]; leaf: readonly unknown[] }>;

/**
 * Expands an object of the pattern into its branches. A `$or` multiplies the branches built so far by its
 * alternatives; a field written twice in one branch keeps its last value, as EventBridge does.
 */
function expandObject(node: Record<string, unknown>, path: string[], insideOr: boolean): Branch[] {
  const keys = Object.keys(node);
  if (keys.length === 0)
    invalid(`empty objects are not allowed${path.length ? ` at ${describe(path)}` : ''}`);
  let branches: Branch[] = [new Map()];
  for (const key of keys) {
    const value = node[key];
    if (key === '$or') {
      if (!Array.isArray(value)) invalid(`"$or" must be followed by an array${at(path)}`);
      if (value.length < 2) invalid(`"$or" needs at least 2 objects${at(path)}`);
      const alternatives = value.flatMap((alternative) => {
        if (!isObject(alternative)) invalid(`only objects are allowed in "$or"${at(path)}`);
        return expandObject(alternative, path, true);
      });
      branches = branches.flatMap((branch) =>
        alternatives.map((alternative) => new Map([...branch, ...alternative])),
      );
      continue;
    }
    const fieldPath = [...path, key];
    if (insideOr && RESERVED_IN_OR.has(key))
      invalid(`${describe(fieldPath)}: "${key}" cannot be a field name in "$or"`);
    if (isObject(value)) {
      const nested = expandObject(value, fieldPath, insideOr);
      branches = branches.flatMap((branch) => nested.map((more) => new Map([...branch, ...more])));
    } else if (Array.isArray(value)) {
      if (value.length === 0) invalid(`${describe(fieldPath)}: empty arrays are not allowed`);
      for (const branch of branches) branch.set(JSON.stringify(fieldPath), { path: fieldPath, leaf: value });
    } else {
      invalid(`${describe(fieldPath)} must be an object or an array`);
    }
  }
  return branches;
}

const at = (path: readonly string[]): string => (path.length ? ` in ${describe(path)}` : '');

interface LeafRule {
  test: ValueTest | undefined;
  absentIsMatch: boolean;
}

/** A leaf's array is a list of alternatives: the condition holds when any of them does. */
function compileLeaf(values: readonly unknown[], path: readonly string[]): LeafRule {
  const tests: ValueTest[] = [];
  let absentIsMatch = false;
  for (const value of values) {
    if (isObject(value)) {
      const operator = compileOperator(value, path);
      if (operator === ABSENT) absentIsMatch = true;
      else tests.push(operator);
    } else {
      tests.push(exactTest(value, path));
    }
  }
  return { test: anyOf(tests), absentIsMatch };
}

function anyOf(tests: readonly ValueTest[]): ValueTest | undefined {
  if (tests.length === 0) return undefined;
  if (tests.length === 1) return tests[0];
  return (value) => {
    for (const test of tests) if (test(value)) return true;
    return false;
  };
}

function exactTest(expected: unknown, path: readonly string[]): ValueTest {
  if (typeof expected === 'string') return (value) => value === expected;
  if (typeof expected === 'number') return (value) => value === expected;
  // A number no double holds exactly matches only the same spelling (EventBridge compares the text).
  if (expected instanceof NumberLiteral) {
    return (value) => value instanceof NumberLiteral && value.text === expected.text;
  }
  if (expected === null || typeof expected === 'boolean') return (value) => value === expected;
  return invalid(
    `${describe(path)}: match value must be a string, number, true, false, null or an operator object`,
  );
}

/** `{"exists": false}` is not a test of a value but of absence. */
const ABSENT = Symbol('absent');

function compileOperator(
  expression: Record<string, unknown>,
  path: readonly string[],
): ValueTest | typeof ABSENT {
  const names = Object.keys(expression);
  if (names.length !== 1)
    invalid(`${describe(path)}: a match expression has exactly one operator, found ${names.length}`);
  const operator = names[0];
  const operand = expression[operator];
  const where = `${describe(path)}: "${operator}"`;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const ignoringCase = caseInsensitiveOperand(operand, where);
      const text = ignoringCase ?? stringOperand(operand, where);
      if (operator === 'prefix') {
        if (ignoringCase === undefined) return (value) => typeof value === 'string' && value.startsWith(text);
        const folded = foldCase(text);
        return (value) => typeof value === 'string' && foldCase(value).startsWith(folded);
      }
      if (ignoringCase === undefined) return (value) => typeof value === 'string' && value.endsWith(text);
      const folded = foldCase(text);
      return (value) => typeof value === 'string' && foldCase(value).endsWith(folded);
    }
    case 'equals-ignore-case': {
      const folded = foldCase(stringOperand(operand, where));
      return (value) => typeof value === 'string' && foldCase(value) === folded;
    }
    case 'wildcard': {
      const pieces = wildcardOperand(operand, where);
      return (value) => typeof value === 'string' && matchesWildcard(pieces, value);
    }
    case 'numeric':
      return compileNumeric(operand, where);
    case 'cidr': {
      const range = cidrOperand(operand, where);
      return (value) => {
        if (typeof value !== 'string') return false;
        const ip = parseIp(value);
        return ip !== undefined && ipInRange(ip, range);
      };
    }
    case 'exists':
      if (operand === true) return () => true;
      if (operand === false) return ABSENT;
      return invalid(`${where} must be true or false`);
    case 'anything-but':
      return compileAnythingBut(operand, where);
    default:
      return invalid(`${describe(path)}: unrecognized match type "${operator}"`);
  }
}

function stringOperand(operand: unknown, where: string): string {
  if (typeof operand !== 'string') invalid(`${where} must be a string`);
  return operand;
}

/** Reads `{"equals-ignore-case": "..."}` as the operand of prefix or suffix; undefined for a plain string. */
function caseInsensitiveOperand(operand: unknown, where: string): string | undefined {
  if (!isObject(operand)) return undefined;
  const names = Object.keys(operand);
  if (names.length !== 1 || names[0] !== 'equals-ignore-case') {
    invalid(`${where} accepts a string or {"equals-ignore-case": string}`);
  }
  return stringOperand(operand['equals-ignore-case'], `${where} equals-ignore-case`);
}

function wildcardOperand(operand: unknown, where: string): string[] {
  const pieces = parseWildcard(stringOperand(operand, where));
  if (typeof pieces === 'string') invalid(`${where}: ${pieces}`);
  return pieces;
}

function cidrOperand(operand: unknown, where: string): IpRange {
  const range = parseCidr(stringOperand(operand, where));
  if (typeof range === 'string') invalid(`${where}: ${range}`);
  return range;
}

function numberOperand(operand: unknown, where: string): number {
  if (typeof operand !== 'number') {
    invalid(
      `${where} needs a number${operand instanceof NumberLiteral ? ` a double can hold, not ${operand.text}` : ''}`,
    );
  }
  return operand;
}

function numericBound(operand: unknown, where: string): number {
  const bound = numberOperand(operand, where);
  if (Math.abs(bound) > NUMERIC_LIMIT) invalid(`${where}: ${bound} is outside -5.0e9..5.0e9`);
  if (decimalPlaces(String(bound)) > NUMERIC_DECIMALS)
    invalid(`${where}: ${bound} has more than six decimals`);
  return bound;
}

const LOWER_BOUNDS: Record<string, (bound: number) => (x: number) => boolean> = {
  '>': (bound) => (x) => x > bound,
  '>=': (bound) => (x) => x >= bound,
};
const UPPER_BOUNDS: Record<string, (bound: number) => (x: number) => boolean> = {
  '<': (bound) => (x) => x < bound,
  '<=': (bound) => (x) => x <= bound,
};

/** `["=", 5]`, `["<", 5]`, `[">=", 0]` or a range `[">", 0, "<=", 5]`; the bottom must be below the top. */
function compileNumeric(operand: unknown, where: string): ValueTest {
  if (!Array.isArray(operand)) invalid(`${where} must be an array`);
  const [first, firstBound, second, secondBound] = operand;
  if (operand.length !== 2 && operand.length !== 4) invalid(`${where} needs [operator, number] or a range`);
  if (typeof first !== 'string') invalid(`${where}: "${String(first)}" is not an operator`);
  const bottom = numericBound(firstBound, `${where} "${first}"`);
  if (operand.length === 2) {
    if (first === '=') return (value) => value === bottom;
    const single = LOWER_BOUNDS[first] ?? UPPER_BOUNDS[first];
    if (!Object.hasOwn(LOWER_BOUNDS, first) && !Object.hasOwn(UPPER_BOUNDS, first)) {
      invalid(`${where}: unrecognized numeric operator "${first}"`);
    }
    const holds = single(bottom);
    return (value) => typeof value === 'number' && holds(value);
  }
  if (!Object.hasOwn(LOWER_BOUNDS, first))
    invalid(`${where}: a range starts with ">" or ">=", not "${first}"`);
  if (typeof second !== 'string' || !Object.hasOwn(UPPER_BOUNDS, second)) {
    invalid(`${where}: a range ends with "<" or "<=", not "${String(second)}"`);
  }
  const top = numericBound(secondBound, `${where} "${second}"`);
  if (!(bottom < top))
    invalid(`${where}: the bottom of the range (${bottom}) must be less than the top (${top})`);
  const above = LOWER_BOUNDS[first](bottom);
  const below = UPPER_BOUNDS[second](top);
  return (value) => typeof value === 'number' && above(value) && below(value);
}

/**
 * anything-but matches any value that is present and not excluded, of any type: `{"anything-but": "x"}`
 * matches 5 and null. On an array it holds when one element is not excluded.
 */
function compileAnythingBut(operand: unknown, where: string): ValueTest {
  const excluded = excludedBy(operand, where);
  return (value) => !excluded(value);
}

function excludedBy(operand: unknown, where: string): ValueTest {
  if (typeof operand === 'string') return (value) => value === operand;
  if (typeof operand === 'number') return (value) => value === operand;
  if (Array.isArray(operand)) {
    if (operand.length === 0) invalid(`${where}: empty arrays are not allowed`);
    if (operand.every((item) => typeof item === 'string')) {
      const strings = new Set<string>(operand);
      return (value) => typeof value === 'string' && strings.has(value);
    }
    if (operand.every((item) => typeof item === 'number')) {
      const numbers = new Set<number>(operand);
      return (value) => typeof value === 'number' && numbers.has(value);
    }
    return invalid(`${where}: a list holds only strings or only numbers`);
  }
  if (!isObject(operand)) return invalid(`${where} accepts a string, a number, a list or an operator object`);
  const names = Object.keys(operand);
  if (names.length !== 1) invalid(`${where}: one operator expected, found ${names.length}`);
  const inner = names[0];
  const innerOperand = operand[inner];
  const innerWhere = `${where} "${inner}"`;
  switch (inner) {
    // EventBridge documents a single prefix, suffix or wildcard here, and a string or a list for equals-ignore-case.
    case 'prefix': {
      const prefix = nonEmptyString(innerOperand, innerWhere);
      return (value) => typeof value === 'string' && value.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = nonEmptyString(innerOperand, innerWhere);
      return (value) => typeof value === 'string' && value.endsWith(suffix);
    }
    case 'wildcard': {
      const pieces = wildcardOperand(innerOperand, innerWhere);
      return (value) => typeof value === 'string' && matchesWildcard(pieces, value);
    }
    case 'equals-ignore-case': {
      const list = Array.isArray(innerOperand) ? innerOperand : [innerOperand];
      if (list.length === 0) invalid(`${innerWhere}: empty arrays are not allowed`);
      const folded = new Set(list.map((item) => foldCase(stringOperand(item, innerWhere))));
      return (value) => typeof value === 'string' && folded.has(foldCase(value));
    }
    default:
      return invalid(`${where}: unsupported anything-but operator "${inner}"`);
  }
}

function nonEmptyString(operand: unknown, where: string): string {
  const text = stringOperand(operand, where);
  if (text === '') invalid(`${where} must not be empty`);
  return text;
}

function addPath(root: PathNode, path: readonly string[], slotCount: number): number {
  let node = root;
  for (const name of path) {
    let child = node.children.get(name);
    if (!child) {
      child = { slot: -1, children: new Map() };
      node.children.set(name, child);
    }
    node = child;
  }
  if (node.slot < 0) node.slot = slotCount;
  return node.slot;
}

// --- matching -----------------------------------------------------------------------------------------------

/** Collects the leaf values at the pattern's paths, each with the array elements it sits in. */
function collect(root: PathNode, slotCount: number, event: Record<string, unknown>): Found[][] {
  const found: Found[][] = Array.from({ length: slotCount }, () => []);
  let arrays = 0;
  const visit = (value: unknown, node: PathNode, membership: Membership): void => {
    if (Array.isArray(value)) {
      const arrayId = arrays++;
      for (let i = 0; i < value.length; i++) {
        const element: unknown = value[i];
        const container =
          typeof element === 'object' && element !== null && !(element instanceof NumberLiteral);
        visit(element, node, container ? [...membership, arrayId, i] : membership);
      }
    } else if (isObject(value)) {
      for (const [name, child] of node.children) {
        if (Object.hasOwn(value, name)) visit(value[name], child, membership);
      }
    } else if (node.slot >= 0 && value !== undefined) {
      found[node.slot].push({ value: value as Leaf, membership });
    }
  };
  visit(event, root, NO_MEMBERSHIP);
  return found;
}

/** Whether a value's array elements agree with the elements already chosen (same array, same index). */
function consistent(chosen: Membership, membership: Membership): boolean {
  for (let i = 0; i < membership.length; i += 2) {
    for (let j = 0; j < chosen.length; j += 2) {
      if (chosen[j] === membership[i] && chosen[j + 1] !== membership[i + 1]) return false;
    }
  }
  return true;
}

function merge(chosen: Membership, membership: Membership): Membership {
  if (membership.length === 0) return chosen;
  if (chosen.length === 0) return membership;
  const merged = [...chosen];
  for (let i = 0; i < membership.length; i += 2) {
    if (!merged.some((id, j) => j % 2 === 0 && id === membership[i]))
      merged.push(membership[i], membership[i + 1]);
  }
  return merged;
}

/**
 * Whether the conditions from `index` on hold, given the array elements chosen so far. EventBridge walks the
 * conditions in path order and checks `exists: false` against values in the elements chosen by the paths
 * before it, so the order is part of the meaning when absence meets arrays of objects.
 */
function matchBranch(
  conditions: readonly Condition[],
  index: number,
  found: Found[][],
  chosen: Membership,
): boolean {
  if (index === conditions.length) return true;
  const { slot, test, absentIsMatch } = conditions[index];
  const values = found[slot];
  if (absentIsMatch && !values.some((candidate) => consistent(chosen, candidate.membership))) {
    if (matchBranch(conditions, index + 1, found, chosen)) return true;
  }
  if (test) {
    for (const { value, membership } of values) {
      if (consistent(chosen, membership) && test(value)) {
        if (matchBranch(conditions, index + 1, found, merge(chosen, membership))) return true;
      }
    }
  }
  return false;
}

function readPattern(pattern: unknown): Record<string, unknown> {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = parseJsonKeepingNumbers(pattern);
    } catch (error) {
      invalid(`not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isObject(parsed)) invalid('the pattern must be a JSON object');
  return parsed;
}

function readEvent(event: unknown): Record<string, unknown> | undefined {
  const parsed = typeof event === 'string' ? parseJsonKeepingNumbers(event) : event;
  return isObject(parsed) ? parsed : undefined;
}

/**
 * Validates a pattern (throws InvalidEventPatternError, as PutRule would reject it) and compiles it.
 * The pattern may be JSON text or parsed JSON. The matcher takes an event envelope, parsed or as JSON
 * text; text keeps numbers beyond a double's precision exact. Anything that is not a JSON object never matches.
 */
export function compilePattern(pattern: unknown): EventMatcher {
  const root: PathNode = { slot: -1, children: new Map() };
  let slotCount = 0;
  // `$or` copies a field into several branches; compile each of the pattern's leaf arrays once.
  const leafRules = new Map<readonly unknown[], LeafRule>();
  const branches = expandObject(readPattern(pattern), [], false).map((branch) =>
    [...branch.values()]
      .map(({ path, leaf }): Condition => {
        const slot = addPath(root, path, slotCount);
        if (slot === slotCount) slotCount++;
        let rule = leafRules.get(leaf);
        if (!rule) {
          rule = compileLeaf(leaf, path);
          leafRules.set(leaf, rule);
        }
        return { slot, order: path.join('.'), ...rule };
      })
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0)),
  );
  return (event) => {
    const envelope = readEvent(event);
    if (!envelope) return false;
    const found = collect(root, slotCount, envelope);
    return branches.some((conditions) => matchBranch(conditions, 0, found, NO_MEMBERSHIP));
  };
}

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern)(event);
}
