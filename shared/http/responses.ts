import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { WriteConflictError } from '../db/conflicts.ts';
import { HttpError, strictUtf8, unsupportedCharset, ValidationError } from './errors.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/**
 * The pages' policy (docs/design.md#signed-pages): they hold no script and load nothing but their
 * inline stylesheet, post their forms to themselves, and no other site may frame them, so text that
 * ever got past escaping could run nothing, and a page holding a link's token cannot be overlaid.
 */
const policyPostingTo = (formAction: string) =>
  `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
const pagePolicy = policyPostingTo("'self'");

/**
 * A page's address is its signed link (docs/design.md#signed-pages): no request it leads to (a link it
 * holds, its form, a redirect on to a promo asset's site) is told it, in a Referer or in logs.
 */
const noReferrer = { 'referrer-policy': 'no-referrer' };

/**
 * The policy of a page whose form is answered with a redirect to `url` on another site (the promo
 * link's button): a browser holds every redirect a form's submission follows to `form-action`
 * (CSP 3), so that URL's origin is allowed beside the page's own. An origin a policy cannot name
 * (`null`) leaves the page's own.
 */
export const pagePostingOnTo = (url: string): Record<string, string> => {
  const origin = URL.canParse(url) ? new URL(url).origin : 'null';
  return {
    'content-security-policy': policyPostingTo(origin === 'null' ? "'self'" : `'self' ${origin}`),
  };
};

/** Seconds a client is asked to wait before sending again a request whose write met concurrent writes. */
const conflictRetryAfterSeconds = 1;
/**
 * The header of every busy 503, a page's and the API's: DynamoDB throttled, failing on its side, or a write
 * that kept meeting concurrent writes (`isBusyError`, docs/design.md#failures-and-retries), so sent again
 * in a moment the request is judged afresh.
 */
const tryAgainSoon = { 'retry-after': String(conflictRetryAfterSeconds) };

/** A page; its 503 is a busy one, always with Retry-After (the only 503 the pages answer). */
export const html = (statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': pagePolicy,
    ...noReferrer,
    ...(statusCode === 503 ? tryAgainSoon : {}),
    ...headers,
  },
  body,
});

/**
 * 303 See Other after a form's POST was taken (Post/Redirect/Get): the browser shows the page it is
 * sent to with a GET, so reloading it sends nothing again. `location` may be relative to the page.
 */
export const seeOther = (location: string): HttpResult => ({
  statusCode: 303,
  headers: { location, 'cache-control': 'no-store', ...noReferrer },
  body: '',
});

/**
 * The `Content-Disposition` of a download named `fileName` (RFC 6266): the name as a quoted string,
 * its `"` and `\` escaped and any character outside printable ASCII read as `_`, and exactly as
 * `filename*` (RFC 8187, UTF-8) for the clients that read it, which take it first. A name made of an
 * id (a show's may hold any character) cannot break the header.
 */
export const attachment = (fileName: string): string =>
  `attachment; filename="${fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '\\$&')}"; filename*=UTF-8''${encodeURIComponent(
    fileName,
  ).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

/** The body as the client sent it, byte for byte (API Gateway base64-encodes binary bodies). */
export const rawBody = (event: HttpEvent): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/**
 * The JSON body, or a 400 that says why it cannot be read: JSON is UTF-8 (RFC 8259), read strictly
 * (`strictUtf8`) as a webhook's body is (`parseWebhookBody`), so bytes in another charset are refused,
 * never stored as U+FFFD.
 */
export function jsonBody(event: HttpEvent): unknown {
  let text: string;
  try {
    text = strictUtf8(rawBody(event));
  } catch {
    throw new ValidationError([{ path: '', message: 'body is not valid UTF-8' }]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError([
      { path: '', message: `body is not valid JSON (${(error as Error).message})` },
    ]);
  }
}

export const header = (event: HttpEvent, name: string): string | undefined =>
  event.headers?.[name.toLowerCase()];

/** The media type a `Content-Type` names, in lower case and without its parameters ('' for none). */
export const mediaTypeOf = (contentType: string | undefined): string =>
  contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

/** The items of a header's list (`a, b;x="c,d"`): split at commas outside quoted strings. */
const listItems = (value: string): string[] => value.match(/(?:[^,"]|"(?:[^"\\]|\\.)*"?)+/g) ?? [];

/** A weight (RFC 9110 12.4.2): 0 to 1, at most three decimals. */
const qvalue = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The type of `offered` (media types in lower case, the route's default first) that a request's
 * `Accept` prefers, as RFC 9110 12.5.1 weighs it: each offered type takes the weight (`q`, 1 when
 * not given) of the most specific range that names it (`text/csv` over `text/*` over `*\/*`), and a
 * weight of 0 is "not acceptable"; the heaviest wins, a tie goes to the type offered first. Without
 * the header (or with it empty) the default; undefined when it finds none acceptable, which a route
 * answers with its default as the RFC allows (disregarding the header) or with a 406. A range whose
 * weight is no `qvalue` is left out.
 *
 * Hand-written, not Express's `negotiator` (1.1.0), for its weight in the bundles as CDK builds them
 * (docs/design.md#bundles): the package is CommonJS, so esbuild keeps all of it wherever it is
 * imported, and its entry point brings its charset, encoding and language negotiators and
 * `content-type` along: 7.3 KB more in management (362.7 to 370.0 KB) and office (356.0 to 363.3 KB),
 * and, imported here, 7.8 KB more in intake, recipients and health, which negotiate nothing. Its
 * media-type file alone (`negotiator/lib/mediaType.js`, 2.8 KB) is no documented API: it has no
 * types and a release may move it. It also answers otherwise where the header leaves a choice: a tie
 * goes to the type the header names first or more specifically (`text/csv, application/json` is CSV),
 * a weight outside the RFC's `qvalue` counts (`q=1.5` outweighs 1), and a range with a parameter
 * (`text/csv;charset=utf-8`) matches no type offered without it.
 */
export function preferredMediaType(
  accept: string | undefined,
  offered: readonly string[],
): string | undefined {
  if (accept === undefined || accept.trim() === '') return offered[0];
  const ranges = listItems(accept).flatMap((item) => {
    const [range, ...parameters] = item.split(';').map((part) => part.trim());
    const weight = parameters.find((parameter) => /^q\s*=/i.test(parameter))?.replace(/^q\s*=\s*/i, '');
    if (weight !== undefined && !qvalue.test(weight)) return [];
    const [type = '', subtype = ''] = range.toLowerCase().split('/');
    return type && subtype ? [{ type, subtype, q: weight === undefined ? 1 : Number(weight) }] : [];
  });
  let best: { type: string; q: number } | undefined;
  for (const type of offered) {
    const [main, sub] = type.split('/');
    let specific = -1;
    let q = 0;
    for (const range of ranges) {
      const level =
        range.type === main && range.subtype === sub
          ? 2
          : range.type === main && range.subtype === '*'
            ? 1
            : range.type === '*' && range.subtype === '*'
              ? 0
              : -1;
      if (level > specific || (level === specific && level >= 0 && range.q > q)) {
        specific = level;
        q = range.q;
      }
    }
    if (specific >= 0 && q > 0 && (best === undefined || q > best.q)) best = { type, q };
  }
  return best?.type;
}

/** Whether a request's `Accept` prefers CSV to JSON (`preferredMediaType`): a route's JSON stays the default. */
export const prefersCsv = (accept: string | undefined): boolean =>
  preferredMediaType(accept, ['application/json', 'text/csv']) === 'text/csv';

/**
 * A page of a route's CSV (`prefersCsv`): a download named `filename`, with a `Link: <...>; rel="next"` header
 * to the next page when there is one (the route's path with the query that asks for it).
 */
export const csvPage = (
  filename: string,
  body: string,
  next?: { path: string; query: Record<string, string> },
): HttpResult => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    ...(next ? { link: `<${next.path}?${new URLSearchParams(next.query)}>; rel="next"` } : {}),
  },
  body,
});

/** The `Accept` header of a route that answers CSV or JSON (`prefersCsv`), as its document states it. */
export const csvOrJsonAccept = {
  description:
    '`text/csv` for CSV, else JSON: the type the header weighs heaviest (RFC 9110), JSON on a tie, and JSON when it finds neither acceptable (`text/csv;q=0` is not acceptable)',
};

/**
 * The charset a `Content-Type` names (`charset=ISO-8859-1`, quoted or not), in lower case; undefined for
 * none, and for one named empty (`charset=`, `charset=""`), which names none.
 */
export const charsetOf = (contentType: string | undefined): string | undefined => {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return match?.[1] || match?.[2] ? (match[1] || match[2]).toLowerCase() : undefined;
};

/**
 * Whether `charset` names UTF-8 by one of the Encoding Standard's names for it (`utf-8`, `utf8`,
 * `unicode-1-1-utf-8`...), as TextDecoder reads it and so the CSV import does.
 */
const namesUtf8 = (charset: string): boolean => {
  try {
    return new TextDecoder(charset).encoding === 'utf-8';
  } catch {
    return false;
  }
};

/** The names of US-ASCII, in lower case (the Encoding Standard reads each as windows-1252, which takes any byte). */
export const asciiLabels = new Set(['us-ascii', 'ascii', 'ansi_x3.4-1968']);

/**
 * Refuses (400, naming the body and `charset`) a body labelled US-ASCII by one of its names that holds a
 * byte above 0x7F, which US-ASCII has none of: it is in another charset than it says
 * (docs/design.md#routes-and-auth). A body labelled otherwise is not judged here.
 */
export const refuseNonAsciiBytes = (charset: string, body: Uint8Array): void => {
  const at = asciiLabels.has(charset) ? body.findIndex((byte) => byte > 0x7f) : -1;
  if (at < 0) return;
  const byte = body[at]!.toString(16).toUpperCase();
  const message = `is not valid ${charset} text: byte ${at} is 0x${byte}, and US-ASCII has none above 0x7F (UTF-8 is charset=utf-8)`;
  throw new ValidationError([{ path: '', message }]);
};

/**
 * Refuses (415, naming it) a body whose `Content-Type` names a charset other than UTF-8 (by any of its
 * names: `utf8` as well), or US-ASCII (by any of its names: `ascii` as well) which is a part of it: the
 * bodies Backline reads are UTF-8, and one labelled otherwise is refused, not read as UTF-8 against its
 * label; so is one labelled US-ASCII that holds a byte above 0x7F, with a 400 (`refuseNonAsciiBytes`)
 * (docs/design.md#routes-and-auth). Webhooks and JSON routes alike.
 */
export const refuseNonUtf8Charset = (contentType: string | undefined, body: Uint8Array): void => {
  const charset = charsetOf(contentType);
  if (charset === undefined || namesUtf8(charset)) return;
  if (!asciiLabels.has(charset)) throw unsupportedCharset(charset);
  refuseNonAsciiBytes(charset, body);
};

/** JSON: `application/json`, or a type with JSON's structured syntax suffix (`application/problem+json`, RFC 6839). */
export const isJsonMediaType = (contentType: string | undefined): boolean => {
  const mediaType = mediaTypeOf(contentType);
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
};

/**
 * XML, the media types that carry a DDEX ERN message (docs/design.md#ddex-ern): `application/xml`,
 * `text/xml`, or an application type with XML's structured syntax suffix (`application/vnd.ddex.ern+xml`,
 * RFC 6839 and RFC 7303), as JSON's is taken; what it holds must still be an ERN message.
 */
export const isXmlMediaType = (contentType: string | undefined): boolean => {
  const mediaType = mediaTypeOf(contentType);
  return (
    mediaType === 'application/xml' ||
    mediaType === 'text/xml' ||
    /^application\/[a-z0-9.+-]+\+xml$/.test(mediaType)
  );
};

/**
 * Maps expected failures to their 4xx in one place, and a write that kept meeting concurrent writes
 * (nothing of it written, see docs/design.md#failures-and-retries) to 503 with Retry-After; anything
 * else is rethrown (a 5xx, retried, logged once).
 */
export function errorResponse(error: unknown): HttpResult {
  if (error instanceof HttpError) return json(error.status, error.body);
  if (error instanceof WriteConflictError)
    return json(503, { error: 'busy', message: error.message }, tryAgainSoon);
  // middy's own client errors (for example @middy/http-router's 404 for an unknown route)
  const status = (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return json(status, { error: 'not_found', message: (error as Error).message });
  }
  throw error;
}
