import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { cloud } from './cloud.ts';

/**
 * The API document (docs/openapi.json, `npm run docs`) held to what the local cloud answers: each
 * answer's status must be one the document lists for its route, its content type one that status
 * declares, and its body valid against that content's schema (OpenAPI 3.1's schemas are JSON Schema
 * 2020-12), as a client generated from the document would read it.
 */

interface Operation {
  responses: Record<
    string,
    {
      content?: Record<string, { schema?: unknown }>;
      headers?: Record<string, { schema?: { type?: string } }>;
    }
  >;
}

/** Headers a client acts on: the document must declare them where the API sends them, and the API send them where declared. */
const actedOnHeaders = ['location', 'retry-after'];

/** Where the answer's headers depart from those its status declares. */
function headerDepartures(
  declared: Record<string, { schema?: { type?: string } }> = {},
  answer: DocumentedAnswer,
): string[] {
  const names = new Map(Object.entries(declared).map(([name, header]) => [name.toLowerCase(), header]));
  const missing = [...names].flatMap(([name, header]) => {
    const value = answer.headers.get(name);
    if (value === null) return [`status ${answer.status} declares header ${name}, not sent`];
    if (header.schema?.type === 'integer' && !/^\d+$/.test(value))
      return [`header ${name} is declared an integer, got ${JSON.stringify(value)}`];
    return [];
  });
  const undeclared = actedOnHeaders
    .filter((name) => !names.has(name) && answer.headers.has(name))
    .map(
      (name) => `status ${answer.status} sends header ${name} (${answer.headers.get(name)}), not declared`,
    );
  return [...missing, ...undeclared];
}

const documentUrl = new URL('../../docs/openapi.json', import.meta.url);
export const apiDocument = JSON.parse(readFileSync(documentUrl, 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};

const methods = ['get', 'head', 'post', 'put', 'patch', 'delete'];

/** Every `METHOD /route` the document lists. */
export const documentedOperations = (): string[] =>
  Object.entries(apiDocument.paths).flatMap(([route, item]) =>
    Object.keys(item)
      .filter((method) => methods.includes(method))
      .map((method) => `${method.toUpperCase()} ${route}`),
  );

// The document is the schema the response schemas' `$ref`s (#/components/...) resolve in; its own
// OpenAPI keys are no JSON Schema keywords, so strict mode is off.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(apiDocument, 'openapi');

const pointer = (...segments: string[]) =>
  segments
    .map((segment) => `/${encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1'))}`)
    .join('');

/** What the cloud answered, the body parsed when it is JSON. */
export interface DocumentedAnswer {
  status: number;
  contentType: string | undefined;
  headers: Headers;
  text: string;
  json: unknown;
}

/** The `METHOD /route` the test reached, each with the statuses it got. */
const reached = new Map<string, Set<number>>();

export const reachedOperations = () => reached;

/** Where the answer (status, headers, body) departs from the document, one line each; none when it keeps to it. */
export function departures(method: string, route: string, answer: DocumentedAnswer): string[] {
  const operation = apiDocument.paths[route]?.[method.toLowerCase()];
  if (!operation) return [`the document lists no ${method} ${route}`];
  const documented = operation.responses[String(answer.status)];
  if (!documented) {
    return [
      `status ${answer.status} is not one the document lists (${Object.keys(operation.responses).join(', ')}): ${answer.text.slice(0, 300)}`,
    ];
  }
  const headers = headerDepartures(documented.headers, answer);
  return [...headers, ...bodyDepartures(method, route, documented, answer)];
}

function bodyDepartures(
  method: string,
  route: string,
  documented: Operation['responses'][string],
  answer: DocumentedAnswer,
): string[] {
  const content = documented.content;
  if (!content) {
    return answer.text === '' ? [] : [`status ${answer.status} declares no body, got ${answer.contentType}`];
  }
  const mediaType = answer.contentType?.split(';')[0].trim().toLowerCase();
  if (!mediaType || !(mediaType in content)) {
    return [
      `content type ${answer.contentType} is not one the document declares (${Object.keys(content).join(', ')})`,
    ];
  }
  if (method === 'HEAD' || content[mediaType].schema === undefined) return [];
  const schemaPointer = pointer(
    'paths',
    route,
    method.toLowerCase(),
    'responses',
    String(answer.status),
    'content',
    mediaType,
    'schema',
  );
  const validate = ajv.getSchema(`openapi#${schemaPointer}`);
  if (!validate) return [`no schema at ${schemaPointer}`];
  const body = mediaType.endsWith('json') ? answer.json : answer.text;
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)} (schema ${error.schemaPath})`,
  );
}

export interface DocumentedRequest extends RequestInit {
  /** The route's parameters, `{name}` in the route. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  json?: unknown;
}

/**
 * Sends `method route` to the local cloud (with the management key unless `authorization` is given)
 * and checks the answer against the document, softly: every departure is reported, the test goes on.
 */
export async function callDocumented(
  method: string,
  route: string,
  { params = {}, query, json, ...init }: DocumentedRequest = {},
): Promise<DocumentedAnswer> {
  const path = route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${cloud().apiKey}`);
  let body = init.body;
  if (json !== undefined) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    body = JSON.stringify(json);
  }
  const search = query ? `?${new URLSearchParams(query)}` : '';
  const response = await fetch(`${cloud().baseUrl}${path}${search}`, {
    redirect: 'manual',
    ...init,
    method,
    headers,
    body,
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? undefined;
  let parsed: unknown;
  try {
    parsed = contentType?.includes('json') ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const answer = { status: response.status, contentType, headers: response.headers, text, json: parsed };
  const key = `${method} ${route}`;
  reached.set(key, (reached.get(key) ?? new Set()).add(response.status));
  expect.soft(departures(method, route, answer), `${key} answered ${response.status}`).toEqual([]);
  return answer;
}
