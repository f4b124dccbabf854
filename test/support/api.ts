import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';

/** A request to a function of the manager's API, in the terms of its routes. */
export interface ApiRequest {
  method: string;
  /** The route as the API document names it, `{name}` for each path parameter. */
  route: string;
  /** The route's own parameters are taken from these, as API Gateway passes only those. */
  pathParameters?: Record<string, string>;
  /** A parameter given as a list is repeated in the query string, its values joined with commas as an HTTP API passes them. */
  query?: Record<string, string | string[]>;
  /** A Buffer is sent base64-encoded, as API Gateway passes bytes that are not UTF-8. */
  body?: string | Buffer;
  /** Laid over `authorization: Bearer key` and, with a body, `content-type: application/json`; undefined drops one. */
  headers?: Record<string, string | undefined>;
}

/** What the function answered; the body as sent, text. */
export interface ApiAnswer {
  status: number | undefined;
  headers: HttpResult['headers'];
  body: string | undefined;
}

/**
 * `request` sent to `handler` (managementApi's, middleware included) as API Gateway v2 would send it,
 * with a Lambda context of 10 s remaining: the key `key` is the one the handler is built with.
 */
export async function callApi(
  handler: (event: HttpEvent, context: Context) => Promise<unknown>,
  { method, route, pathParameters = {}, query, body, headers = {} }: ApiRequest,
): Promise<ApiAnswer> {
  const names = [...route.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  const path = route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathParameters[name]));
  const binary = Buffer.isBuffer(body);
  const pairs = Object.entries(query ?? {}).flatMap(([name, values]) =>
    [values].flat().map((value): [string, string] => [name, value]),
  );
  const sent = Object.entries({
    authorization: 'Bearer key',
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...headers,
  }).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const result = (await handler(
    {
      version: '2.0',
      routeKey: `${method} ${route}`,
      rawPath: path,
      rawQueryString: new URLSearchParams(pairs).toString(),
      headers: Object.fromEntries(sent),
      queryStringParameters:
        query &&
        Object.fromEntries(Object.entries(query).map(([name, values]) => [name, [values].flat().join(',')])),
      requestContext: { http: { method, path } },
      pathParameters: Object.fromEntries(names.map((name) => [name, pathParameters[name]])),
      body: binary ? body.toString('base64') : body,
      isBase64Encoded: binary,
    } as unknown as HttpEvent,
    { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'r', functionName: 'api' } as unknown as Context,
  )) as HttpResult;
  return { status: result.statusCode, headers: result.headers, body: result.body };
}
