// Leaf-value helpers of the EventBridge pattern matcher: JSON numbers kept exact, IP addresses,
// case folding and wildcards. Pure functions, no knowledge of patterns or events.

/**
 * A JSON number that no IEEE-754 double represents exactly (for example `12345678901234567891`).
 * EventBridge can compare such a number only by its spelling, never numerically, so it is kept as text.
 * It only appears when an event or pattern was handed over as JSON text.
 */
export class NumberLiteral {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A value at a leaf of an event: what patterns are matched against. */
export type Leaf = string | number | boolean | null | NumberLiteral;

interface Decimal {
  negative: boolean;
  digits: string; // no leading or trailing zeros; '' for zero
  exponent: number; // value = 0.digits × 10^exponent
}

const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/;

function toDecimal(text: string): Decimal | undefined {
  const parts = JSON_NUMBER.exec(text);
  if (!parts) return undefined;
  const [, sign, whole, fraction = '', exp = '0'] = parts;
  const all = whole + fraction;
  const leading = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(leading).replace(/0+$/, '');
  return { negative: sign === '-', digits, exponent: whole.length - leading + Number(exp) };
}

/** True when the decimal written as `text` is exactly the double `value` (so the two compare as numbers). */
export function isExactDouble(text: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  const written = toDecimal(text);
  const held = toDecimal(String(value));
  if (!written || !held) return false;
  if (written.digits === '' || held.digits === '') return written.digits === held.digits;
  return (
    written.negative === held.negative && written.digits === held.digits && written.exponent === held.exponent
  );
}

/** Digits right of the decimal point that a number needs (`0.10` needs 1, `1e-7` needs 7). */
export function decimalPlaces(text: string): number {
  const decimal = toDecimal(text);
  if (!decimal || decimal.digits === '') return 0;
  return Math.max(0, decimal.digits.length - decimal.exponent);
}

/**
 * Parses JSON text keeping every number that a double cannot hold exactly as a NumberLiteral,
 * so that `12345678901234567891` and `12345678901234567890` stay different, as in EventBridge.
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined && !isExactDouble(context.source, value)
      ? new NumberLiteral(context.source)
      : value,
  );
}

// --- IP addresses -------------------------------------------------------------------------------------------

// EventBridge only treats strings of these shapes as IP addresses (no host names, zones or embedded IPv4).
const IPV4_SHAPE = /^\d+\.\d+\.\d+\.\d+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

function parseIpv4(text: string): Uint8Array | undefined {
  if (!IPV4_SHAPE.test(text)) return undefined;
  const bytes = text.split('.').map(Number);
  if (bytes.some((byte) => byte > 255)) return undefined;
  return Uint8Array.from(bytes);
}

function parseIpv6Groups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  if (groups.some((group) => !/^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => Number.parseInt(group, 16));
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!IPV6_SHAPE.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseIpv6Groups(halves[0]);
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

const IPV4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** The bytes of an IPv4 (4 bytes) or IPv6 (16 bytes) address; an IPv4-mapped IPv6 address counts as IPv4. */
export function parseIp(text: string): Uint8Array | undefined {
  const v4 = parseIpv4(text);
  if (v4) return v4;
  const v6 = parseIpv6(text);
  if (v6 && IPV4_MAPPED_PREFIX.every((byte, i) => v6[i] === byte)) return v6.slice(12);
  return v6;
}

export interface IpRange {
  lowest: Uint8Array;
  highest: Uint8Array;
}

/** Parses `address/bits`; returns a reason when EventBridge would reject it. */
export function parseCidr(text: string): IpRange | string {
  const slashed = text.split('/');
  if (slashed.length !== 2) return `malformed CIDR "${text}", one '/' required`;
  const [address, bitsText] = slashed;
  if (!/^\d+$/.test(bitsText)) return `malformed CIDR "${text}", mask bits must be an integer`;
  const base = parseIp(address);
  if (!base) return `invalid IP address in CIDR "${text}"`;
  const bits = Number(bitsText);
  // EventBridge (event-ruler's CIDR parser) rejects a full-length mask: at most /31 and /127.
  const maxBits = base.length * 8 - 1;
  if (bits > maxBits) return `mask bits of CIDR "${text}" must be < ${maxBits + 1}`;
  const lowest = base.slice();
  const highest = base.slice();
  for (let i = 0; i < base.length; i++) {
    const fixed = Math.min(8, Math.max(0, bits - 8 * i));
    const hostMask = 0xff >> fixed;
    lowest[i] &= ~hostMask & 0xff;
    highest[i] |= hostMask;
  }
  return { lowest, highest };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

export function ipInRange(ip: Uint8Array, range: IpRange): boolean {
  return (
    ip.length === range.lowest.length &&
    compareBytes(ip, range.lowest) >= 0 &&
    compareBytes(ip, range.highest) <= 0
  );
}

// --- case folding -------------------------------------------------------------------------------------------

const ASCII = /^\p{ASCII}*$/u;

const isOneCodePoint = (text: string): boolean =>
  text.length === 1 || (text.length === 2 && [...text].length === 1);

function foldCodePoint(char: string): string {
  const upper = char.toUpperCase();
  if (isOneCodePoint(upper)) {
    const folded = upper.toLowerCase();
    if (isOneCodePoint(folded)) return folded;
  }
  const lower = char.toLowerCase();
  return isOneCodePoint(lower) ? lower : char;
}

/**
 * Simple (one code point to one code point) case folding, as EventBridge documents equals-ignore-case:
 * `Σ`, `σ` and `ς` are equal, but `straße` is not `STRASSE` (that would need full folding).
 */
export function foldCase(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let folded = '';
  for (const char of text) folded += foldCodePoint(char);
  return folded;
}

// --- wildcards ----------------------------------------------------------------------------------------------

/** Splits a wildcard pattern at its unescaped `*`; returns a reason when EventBridge would reject it. */
export function parseWildcard(pattern: string): string[] | string {
  const pieces: string[] = [];
  let piece = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*') {
      if (pattern[i + 1] === '*') return `consecutive wildcard characters at position ${i} of "${pattern}"`;
      pieces.push(piece);
      piece = '';
    } else if (char === '\\') {
      const escaped = pattern[i + 1];
      // Only `\*` (a literal star) and `\\` (a literal backslash) are escapes.
      if (escaped !== '*' && escaped !== '\\')
        return `invalid escape character at position ${i} of "${pattern}"`;
      piece += escaped;
      i++;
    } else {
      piece += char;
    }
  }
  pieces.push(piece);
  return pieces;
}

/**
 * Whether `text` matches wildcard pieces (the literal runs between stars). Leftmost-first search of each
 * middle piece is enough for `*`, and keeps matching linear, without a backtracking regular expression.
 */
export function matchesWildcard(pieces: readonly string[], text: string): boolean {
  const first = pieces[0];
  if (pieces.length === 1) return text === first;
  const last = pieces[pieces.length - 1];
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last))
    return false;
  let from = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const at = text.indexOf(pieces[i], from);
    if (at < 0 || at + pieces[i].length > end) return false;
    from = at + pieces[i].length;
  }
  return true;
}
