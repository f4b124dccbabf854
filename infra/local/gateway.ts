import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type FunctionName,
  type FunctionSpec,
  type GatewayRoute,
  gatewayRoutesOf,
  httpIntegrationTimeoutSeconds,
  routeKeyOf,
} from '../topology.ts';

/** API Gateway HTTP API: 10 MB request payload. */
const maxRequestBytes = 10 * 1024 * 1024;
/**
 * Lambda's synchronous invocation payloads: the event at most 6 MB (6,291,456 bytes) and the answer
 * 6,291,556 bytes, both as JSON. A body within API Gateway's 10 MB can still pass the first (a
 * binary body grows by a third in base64), and a page of results the second.
 */
const maxEventBytes = 6 * 1024 * 1024;
const maxResultBytes = maxEventBytes + 100;

export interface Route {
  method: GatewayRoute['method'];
  path: string;
  routeKey: string;
  function: FunctionName;
  pattern: RegExp;
  names: string[];
  /** Literal segments first: API Gateway prefers the most specific route. */
  specificity: number;
  /** A greedy path variable (`{token+}`): API Gateway tries such routes after those without. */
  greedy: boolean;
}

/** An admin answer: JSON, or text of `contentType` (the console's HTML); status 0 passes the request on. */
export type AdminHandler = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
) => Promise<{ status: number; body: unknown; contentType?: string }>;

/** What the API's routes, `/health` and the admin routes that wait for it answer while the local cloud starts. */
export const startingAnswer = { status: 503, body: { status: 'starting' } };

/**
 * The local HTTP API: turns requests into API Gateway HTTP API payload 2.0 events for the topology's
 * routes (routeKey, rawPath, lower-cased headers, cookies, isBase64Encoded, byte-exact body) and maps
 * the result back as API Gateway does. `/_local/*` goes to the local cloud's admin routes.
 */
export function createGateway(options: {
  functions: [FunctionName, FunctionSpec][];
  invoke: (name: FunctionName, event: APIGatewayProxyEventV2) => Promise<unknown>;
  admin: AdminHandler;
  account: string;
  /** How long the gateway waits for a function's answer; API Gateway's 30 s unless a test shortens it. */
  integrationTimeoutMs?: number;
  /**
   * False while the local cloud starts: the port listens before the functions have their configuration
   * and DynamoDB Local is up, and a handler module loaded then would stay broken, so the routes answer
   * 503 `{"status": "starting"}`, as `/health` does. Ready when not given.
   */
  isReady?: () => boolean;
}): Server {
  const routes = buildRoutes(options.functions);
  const timeoutMs = options.integrationTimeoutMs ?? httpIntegrationTimeoutSeconds * 1000;

  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      if (body === undefined) return send(res, own(413, '{"message":"Request Entity Too Large"}'));
      if (url.pathname.startsWith('/_local/') || url.pathname === '/health') {
        const answer = await options.admin(req, url, body);
        if (answer.status !== 0) {
          return send(
            res,
            answer.contentType
              ? {
                  statusCode: answer.status,
                  headers: { 'content-type': answer.contentType, 'cache-control': 'no-store' },
                  body: String(answer.body),
                }
              : own(answer.status, JSON.stringify(answer.body)),
          );
        }
      }
      if (options.isReady && !options.isReady())
        return send(res, own(startingAnswer.status, JSON.stringify(startingAnswer.body)));
      const method = (req.method ?? 'GET').toUpperCase();
      const match = findRoute(routes, method, url.pathname);
      if (match === 'malformed') {
        return send(
          res,
          own(
            400,
            JSON.stringify({
              message: `Bad Request: the path ${url.pathname} has malformed percent-encoding`,
            }),
          ),
        );
      }
      if (!match) return send(res, own(404, '{"message":"Not Found"}'));
      const event = toEvent(req, method, url, body, match.route, match.params, options.account);
      if (Buffer.byteLength(JSON.stringify(event)) > maxEventBytes) {
        // Lambda refuses the invocation, and the function never sees the request.
        console.error(
          `[gateway] ${match.route.routeKey}: the event passes Lambda's ${maxEventBytes}-byte request payload: 413`,
        );
        return send(res, own(413, '{"message":"Request Too Long"}'));
      }
      let result: unknown;
      let timer: NodeJS.Timeout | undefined;
      try {
        // API Gateway stops waiting after its integration timeout and answers 503, while the function
        // (whose own timeout may be longer) runs on to its end: a route that only works given more than
        // 30 s must fail here as it would on AWS.
        const invocation = options.invoke(match.route.function, event);
        const gaveUp = new Promise<typeof timedOut>((resolve) => {
          timer = setTimeout(() => resolve(timedOut), timeoutMs);
        });
        result = await Promise.race([invocation, gaveUp]);
        if (result === timedOut) {
          invocation.catch(() => {});
          console.error(
            `[gateway] ${match.route.routeKey} -> ${match.route.function} ran past the ${timeoutMs} ms integration timeout: 503`,
          );
          return send(res, own(503, '{"message":"Service Unavailable"}'));
        }
      } catch (error) {
        console.error(`[gateway] ${match.route.routeKey} -> ${match.route.function} failed:`, error);
        return send(res, own(500, '{"message":"Internal Server Error"}'));
      } finally {
        clearTimeout(timer);
      }
      const size = Buffer.byteLength(JSON.stringify(result ?? null));
      if (size > maxResultBytes) {
        // Lambda fails the invocation after the handler returned: API Gateway has no answer to give.
        console.error(
          `[gateway] ${match.route.routeKey} -> ${match.route.function} answered ${size} bytes, past Lambda's ${maxResultBytes}-byte response payload: 500`,
        );
        return send(res, own(500, '{"message":"Internal Server Error"}'));
      }
      send(res, toResult(result));
    } catch (error) {
      console.error('[gateway] request failed:', error);
      if (!res.headersSent) send(res, own(500, '{"message":"Internal Server Error"}'));
    }
  });
}

/**
 * The topology's routes of the HTTP API (`gatewayRoutesOf`, from which the stack makes its own), in the
 * order API Gateway tries them: the most literal segments first, a greedy path variable after, and a
 * route of the request's own method before `ANY`.
 */
export function buildRoutes(functions: [FunctionName, FunctionSpec][]): Route[] {
  const routes: Route[] = [];
  for (const [name, spec] of functions) {
    for (const trigger of gatewayRoutesOf(spec)) {
      const names: string[] = [];
      const segments = trigger.path.split('/').filter(Boolean);
      const source = segments
        .map((segment) => {
          const greedy = /^\{(\w+)\+\}$/.exec(segment);
          if (greedy) {
            names.push(greedy[1]);
            return '/(.+)';
          }
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param) {
            names.push(param[1]);
            return '/([^/]+)';
          }
          return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
        })
        .join('');
      routes.push({
        method: trigger.method,
        path: trigger.path,
        routeKey: routeKeyOf(trigger),
        function: name,
        pattern: new RegExp(`^${source || '/'}$`),
        names,
        specificity: segments.filter((segment) => !segment.startsWith('{')).length,
        greedy: segments.some((segment) => segment.endsWith('+}')),
      });
    }
  }
  return routes.sort(
    (a, b) =>
      b.specificity - a.specificity ||
      Number(a.greedy) - Number(b.greedy) ||
      Number(a.method === 'ANY') - Number(b.method === 'ANY'),
  );
}

const timedOut = Symbol('integration timeout');

/** The route and its decoded path parameters; `malformed` when a parameter is not valid percent-encoding. */
export function findRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | 'malformed' | undefined {
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    for (const [i, name] of route.names.entries()) {
      try {
        params[name] = decodeURIComponent(match[i + 1]);
      } catch {
        return 'malformed';
      }
    }
    return { route, params };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxRequestBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The request bodies an HTTP API hands over as text: text/*, JSON, XML and JavaScript. Every other type
 * (a form post, `+json` types, no Content-Type at all) arrives base64-encoded, so a handler that read
 * `body` without `isBase64Encoded` would pass here and fail on AWS (`rawBody` reads both).
 */
const textTypes = /^\s*(text\/[^;\s]*|application\/(json|xml|javascript))\s*(;|$)/i;

function toEvent(
  req: IncomingMessage,
  method: string,
  url: URL,
  body: Buffer,
  route: Route,
  pathParameters: Record<string, string>,
  account: string,
): APIGatewayProxyEventV2 {
  // Payload 2.0: header names lower-cased, repeated headers joined with commas, cookies apart.
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(';').map((cookie) => cookie.trim())];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  // The query as the request line has it: URL's parser would percent-encode a quote or a double quote
  // that a client such as curl sends as it is, and API Gateway hands the string over unchanged. A
  // fragment, which no client should send, is no part of it, as the route was matched without it.
  const target = (req.url ?? '').split('#')[0];
  const rawQueryString = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString))
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  const now = new Date();
  const requestId = randomUUID();
  const asText = body.length > 0 && textTypes.test(headers['content-type'] ?? '') && isUtf8(body);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(route.names.length ? { pathParameters } : {}),
    requestContext: {
      accountId: account,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
      http: {
        // The request's own method: an `ANY` route takes several.
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: asText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !asText,
  };
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** `12/Mar/2020:19:03:58 +0000`, as API Gateway writes requestContext.time. */
function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** Payload 2.0 response format: a structured result, or anything else as a 200 JSON body. */
function toResult(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === 'object' && 'statusCode' in result)
    return result as APIGatewayProxyStructuredResultV2;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof result === 'string' ? result : JSON.stringify(result ?? null),
  };
}

/** An answer of the gateway's own (an unknown route, a limit passed) or of the admin routes: JSON. */
const own = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body,
});

/** The answer with the headers it carries and no other: a function's 303 with no body names no media type. */
function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}
