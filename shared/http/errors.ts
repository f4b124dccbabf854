import '../zod-messages.ts';
import type * as z from '../zod.ts';

export interface Issue {
  path: string;
  message: string;
}

/** An expected failure, answered with a 4xx. Everything else bubbles up so Lambda and EventBridge retry. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, error: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.body = { error, message, ...extra };
  }
}

/** What a 400 says of a field a strict object does not have. */
export const notKnown = 'is not a known field';

/** What a 400 says of an instant that is none, or lacks its zone (zod's own is 'Invalid ISO datetime'). */
export const instantWanted = 'must be an ISO 8601 date-time with a time zone, such as 2027-01-05T10:00:00Z';

export class ValidationError extends HttpError {
  readonly issues: Issue[];
  constructor(issues: Issue[]) {
    super(400, 'validation', issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), { issues });
    this.issues = issues;
  }

  /**
   * Each issue named by where it came from: `prefix` is the request's part, `['path']` or `['query']`
   * (`path.date`, `query.cursor`); a JSON body's fields go by their own names (`guests.1.name`).
   */
  static fromZod(error: z.core.$ZodError, prefix: (string | number)[] = []): ValidationError {
    const pathOf = (path: PropertyKey[]) => [...prefix, ...path].map(String).join('.');
    return new ValidationError(
      error.issues.flatMap((issue) =>
        // A strict object's unknown keys, each named as its own field.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: notKnown }))
          : [{ path: pathOf(issue.path), message: issue.message }],
      ),
    );
  }
}

/**
 * Bytes read as UTF-8 (RFC 3629), strictly: a TypeError where they are not UTF-8 (a windows-1252 `é`, an
 * encoded surrogate), never text with U+FFFD in their place. One way for every body a client sends (a
 * JSON body, a webhook's, an ERN message, a signed page's form); a leading byte order mark is dropped.
 */
export const strictUtf8 = (bytes: Uint8Array): string =>
  new TextDecoder('utf-8', { fatal: true }).decode(bytes);

/** A key of a parsed JSON value, below the key it stands in (none at the top). */
interface JsonKey {
  key: string;
  parent?: JsonKey;
}

const pathOf = (at: JsonKey | undefined): string => {
  const keys: string[] = [];
  for (let key = at; key; key = key.parent) keys.push(key.key);
  return keys.reverse().join('.');
};

/**
 * What JSON.parse keeps but no route takes, each where it stands (`guests.1.name`): a string, key or
 * value, holding a lone surrogate (`"\ud800"` is valid JSON, but no UTF-8 holds it, and DynamoDB keeps
 * its strings as UTF-8: DynamoDB Local stores it as sent); and in
 * a `closed` body (the manager's API, docs/design.md#routes-and-auth) a `__proto__` key, which JSON.parse
 * keeps as the body's own key but zod drops from a record (a day's rates, keyed by pair) without an issue.
 * Walked with a stack of its own, in the body's order: JSON.parse reads a body nested 10,000 deep, which
 * a function calling itself a level at a time could not walk (a RangeError, a 5xx).
 */
export function jsonIssues(value: unknown, closed: boolean): Issue[] {
  const issues: Issue[] = [];
  const stack: { value: unknown; at?: JsonKey; refused?: string }[] = [{ value }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const refused =
      next.refused ??
      (typeof next.value === 'string' && !next.value.isWellFormed() ? loneSurrogate : undefined);
    if (refused) issues.push({ path: pathOf(next.at), message: refused });
    else if (typeof next.value === 'object' && next.value !== null)
      for (const [key, child] of Object.entries(next.value).reverse())
        stack.push({
          value: child,
          at: { key, parent: next.at },
          ...(closed && key === '__proto__' ? { refused: notKnown } : {}),
          ...(key.isWellFormed() ? {} : { refused: loneSurrogate }),
        });
  }
  return issues;
}

const loneSurrogate = 'is not valid Unicode (a lone surrogate)';

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const unauthorized = (message = 'missing or invalid credentials') =>
  new HttpError(401, 'unauthorized', message);
export const conflict = (message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(409, 'conflict', message, extra);
export const gone = (message: string) => new HttpError(410, 'gone', message);
export const payloadTooLarge = (limitBytes: number) =>
  new HttpError(413, 'payload_too_large', `body exceeds ${limitBytes} bytes`);
export const unsupportedMediaType = (expected: string) =>
  new HttpError(415, 'unsupported_media_type', `Content-Type must be ${expected}`);
/** A body in a charset Backline does not read: refused whole, never read as UTF-8 (docs/design.md#routes-and-auth). */
export const unsupportedCharset = (charset: string) =>
  new HttpError(
    415,
    'unsupported_media_type',
    `Content-Type charset ${charset} is not accepted: send the body as UTF-8 (charset=utf-8, or no charset; US-ASCII is taken as UTF-8)`,
  );
