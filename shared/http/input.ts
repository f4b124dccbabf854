import * as z from '../zod.ts';
import {
  type Issue,
  instantWanted,
  jsonIssues,
  notKnown,
  strictUtf8,
  unsupportedMediaType,
  ValidationError,
} from './errors.ts';
import {
  type HttpEvent,
  header,
  isJsonMediaType,
  jsonBody,
  rawBody,
  refuseNonUtf8Charset,
} from './responses.ts';

/**
 * The messages of this API's inputs where zod's own would not tell the manager what is wanted: a day
 * (`Invalid ISO date`), an instant (`Invalid ISO datetime`, as for a replay's `from` given without its
 * zone), as a webhook's are told (shared/webhooks.ts). A schema's own message comes first; the event
 * schemas keep zod's, as the functions that only read events carry no messages (docs/design.md#bundles).
 */
const inputErrors: z.core.ParseContext<z.core.$ZodIssue> = {
  error: (issue) =>
    issue.code !== 'invalid_format'
      ? undefined
      : issue.format === 'date'
        ? 'must be a date as YYYY-MM-DD'
        : issue.format === 'datetime'
          ? instantWanted
          : undefined,
};

/**
 * A request's input, validated by its zod schema, each invalid field named by the part it came from,
 * one way on every route (docs/design.md#routes-and-auth): `path.<name>`, `query.<name>`, and a JSON
 * body's fields by their own names.
 */
const valid = <T extends z.ZodMiniType>(schema: T, value: unknown, prefix: string[]): z.infer<T> => {
  const result = schema.safeParse(value, inputErrors);
  if (!result.success) throw ValidationError.fromZod(result.error, prefix);
  return result.data;
};

/** The JSON body, or a 400 naming each invalid field (a string no UTF-8 holds too, `jsonIssues`). */
const jsonOf = <T extends z.ZodMiniType>(schema: T, event: HttpEvent): z.infer<T> => {
  const body = jsonBody(event);
  const refused = jsonIssues(body, true);
  if (refused.length > 0) throw new ValidationError(refused);
  return valid(schema, body, []);
};

/**
 * The JSON body, or a 400 naming each invalid field (an unknown one too: bodies are strict objects, and
 * `__proto__` is never a known one). A body sent as another media type, or with none named, is a 415
 * and is not read: `fetch` sends a string as `text/plain` unless told otherwise. So is one whose
 * Content-Type names a charset other than UTF-8 (or US-ASCII), as a webhook is: refused, not read as
 * UTF-8 against its label, and one labelled US-ASCII holding a byte above 0x7F with a 400
 * (docs/design.md#routes-and-auth).
 */
export const bodyOf = <T extends z.ZodMiniType>(schema: T, event: HttpEvent): z.infer<T> => {
  const contentType = header(event, 'content-type');
  if (!isJsonMediaType(contentType)) throw unsupportedMediaType('application/json');
  refuseNonUtf8Charset(contentType, rawBody(event));
  return jsonOf(schema, event);
};

/**
 * What a route that states no body takes: one that carries no field, `{}` or `null` (a client's
 * serialised "no payload"), whatever media type it is sent as; any other is refused, a field by its
 * name, a body that is no object as a whole.
 */
const NoBody = z.nullable(z.strictObject({}, 'this route takes no body'));

/** Refuses a body on a route that takes none (no body, an empty one, `{}` or `null` is none) with a 400. */
export const noBodyOf = (event: HttpEvent): void => {
  if (rawBody(event).toString('utf8').trim() !== '') jsonOf(NoBody, event);
};

/** `%XX` escapes (and `+` for a space) as the bytes they stand for, one character of `latin1` each. */
const unescapeForm = (part: string) =>
  part
    .replaceAll('+', ' ')
    .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/**
 * A form's fields (`application/x-www-form-urlencoded`, as a signed page posts them and a query string
 * is written), each name and value read strictly as UTF-8 (`strictUtf8`), whether its bytes came
 * percent-encoded or raw: a value that is not UTF-8 (a windows-1252 `é`) is an issue naming its field,
 * never text with U+FFFD, which is what URLSearchParams would read (docs/design.md#signed-pages). A
 * field given more than once (no form of Backline's names a field twice) is an issue naming it, and
 * neither value is taken: the last would otherwise win unseen. A field whose name is not UTF-8 is none
 * of the form's, and left out.
 */
export function formFields(body: string | Uint8Array): { fields: Record<string, string>; issues: Issue[] } {
  const read = (part: string): string | undefined => {
    try {
      return strictUtf8(Buffer.from(unescapeForm(part), 'latin1'));
    } catch {
      return undefined;
    }
  };
  const fields: Record<string, string> = {};
  const told = new Map<string, string>();
  const seen = new Set<string>();
  for (const pair of Buffer.from(body).toString('latin1').split('&')) {
    const [name, value = ''] = pair.split(/=(.*)/s);
    const field = read(name);
    if (!field) continue;
    const text = read(value);
    if (seen.has(field)) told.set(field, givenTwice);
    else if (text === undefined) told.set(field, 'is not valid UTF-8');
    else fields[field] = text;
    seen.add(field);
  }
  for (const field of told.keys()) delete fields[field];
  return { fields, issues: [...told].map(([path, message]) => ({ path, message })) };
}

const givenTwice = 'was given more than once: give it once';

/**
 * The query parameters, or a 400 naming each invalid one `query.<name>`. A parameter given more than
 * once is told so (an unknown one that it is unknown): an HTTP API joins a repeated parameter's values
 * with a comma, which read as one value would be judged as such (`limit=1&limit=2` as `1,2`, no whole
 * number) or taken (`genre=rock&genre=pop` as the genre `rock,pop`). The raw query string tells a
 * repeated parameter from a value holding a comma. One given empty (`limit=`) that its schema refuses is
 * told it is empty, not what the schema makes of no text. One whose percent-encoded bytes are not UTF-8
 * (`genre=%E9lectro`, a windows-1252 `é`) is told so, read from the raw query string as a form is
 * (`formFields`): an HTTP API passes it with U+FFFD in their place, a genre no outlet names.
 */
export const queryOf = <T extends z.ZodMiniType>(schema: T, event: HttpEvent): z.infer<T> => {
  const given = event.queryStringParameters ?? {};
  // Given twice, or not UTF-8: read from the raw query string as a form is.
  const unread = formFields(event.rawQueryString ?? '').issues;
  const result = schema.safeParse(given, inputErrors);
  if (result.success && unread.length === 0) return result.data;
  const issues = result.success ? [] : ValidationError.fromZod(result.error, ['query']).issues;
  const under = (path: string) => (issue: Issue) => issue.path === path || issue.path.startsWith(`${path}.`);
  const told = new Map<string, string>();
  for (const { path, message } of unread) told.set(`query.${path}`, message);
  for (const [name, value] of Object.entries(given))
    if (value === '' && issues.some(under(`query.${name}`)))
      told.set(`query.${name}`, 'is empty: give a value, or leave it out');
  for (const { path, message } of issues) if (message === notKnown) told.delete(path);
  throw new ValidationError([
    ...[...told].map(([path, message]) => ({ path, message })),
    ...issues.filter((issue) => ![...told.keys()].some((path) => under(path)(issue))),
  ]);
};

/** One path parameter, or a 400 naming it `path.<name>`. */
export const pathParameterOf = <T extends z.ZodMiniType>(
  schema: T,
  event: HttpEvent,
  name: string,
): z.infer<T> => valid(schema, event.pathParameters?.[name] ?? '', ['path', name]);
