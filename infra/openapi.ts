import { healthRoutes } from '#functions/health/handler.ts';
import { intakeRoutes } from '#functions/intake/routes.ts';
import { type ManagementDeps, managementRoutes } from '#functions/management/handler.ts';
import { type OfficeDeps, officeRoutes } from '#functions/office/handler.ts';
import { linkRoutes } from '#functions/recipients/handler.ts';
import type { RecipientsDeps } from '#functions/recipients/recipients.ts';
import type { PagesDeps } from '#functions/recipients/tour-links.ts';
import { Email } from '#shared/events/fields.ts';
import { acceptedShapes } from '#shared/events/older-version.ts';
import { ErrorBody, type RouteDoc } from '#shared/http/docs.ts';
import { maxPathIdLength, maxPathTokenLength } from '#shared/http/middleware.ts';
import { OutletKind } from '#shared/outlet-input.ts';
import { outletKinds } from '#shared/outlets.ts';
import * as z from '#shared/zod.ts';
import { routeThrottles } from './settings.ts';
import { type FunctionName, functionEntries, type RouteAuth } from './topology.ts';

/**
 * The API document (OpenAPI 3.1) of every HTTP route in the topology, with its auth as the topology
 * declares it and its request schemas converted from the zod schemas that validate the requests
 * (zod's JSON Schema export). `npm run docs` writes it to docs/openapi.json, which the health
 * function serves at `GET /openapi.json`; a test fails when the file is stale
 * (see docs/design.md#generated-documents).
 */

type Documented = { method: string; path: string; doc: RouteDoc };

// Building the route lists reads no dependency: the handlers use them only when a request arrives.
const noDeps = {} as ManagementDeps & OfficeDeps & RecipientsDeps;

/** Each HTTP function's routes with their document entries. */
const documentedRoutes = (): Partial<Record<FunctionName, Documented[]>> => ({
  intake: intakeRoutes,
  management: managementRoutes(noDeps),
  office: officeRoutes(noDeps),
  recipients: linkRoutes(noDeps, {} as PagesDeps),
  health: healthRoutes,
});

const securitySchemes = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The management API key: printed by `npm start`, on AWS in the secret `backline-<stage>/api-key`.',
  },
  webhookSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      'Standard Webhooks (https://www.standardwebhooks.com/): `webhook-id`, `webhook-timestamp` and `webhook-signature`, signed with a secret the label got from `POST /labels`.',
  },
} as const;

const securityOf: Record<RouteAuth, Record<string, string[]>[]> = {
  apiKey: [{ apiKey: [] }],
  webhook: [{ webhookSignature: [] }],
  public: [],
};

const emailAsSent =
  'An email address, kept trimmed and in lower case; a domain outside ASCII is taken in punycode (`desk@bücher.example` is `desk@xn--bcher-kva.example`), as SES sends to it; a part before @ outside ASCII is refused (SES sends to none).';

const kindAsSent = `One of ${outletKinds.join(', ')}, in any case, trimmed: \` Radio \` is \`radio\`.`;

const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): Record<string, unknown> => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // A webhook's data that also accepts an older version documents both shapes.
    override: (context) => {
      // A request's address is taken as `Email` normalises it: the format and ASCII pattern zod states
      // are the kept address's, not all a request may send (` Desk@Bücher.example `).
      if (io === 'input' && context.zodSchema === (Email as unknown as typeof context.zodSchema)) {
        delete context.jsonSchema.format;
        delete context.jsonSchema.pattern;
        context.jsonSchema.description = emailAsSent;
      }
      // A kind is taken in any case and trimmed (` Radio `), and kept as one of these.
      if (io === 'input' && context.zodSchema === (OutletKind as unknown as typeof context.zodSchema))
        Object.assign(context.jsonSchema, { enum: [...outletKinds], description: kindAsSent });
      const shapes = acceptedShapes.get(context.zodSchema as unknown as z.ZodMiniType);
      if (shapes && io === 'input')
        Object.assign(context.jsonSchema, {
          anyOf: [jsonSchema(shapes.current, io), jsonSchema(shapes.older, io)],
        });
    },
  }) as Record<string, unknown>;
  return rest;
};

function operation(doc: RouteDoc, path: string, auth: RouteAuth, fn: FunctionName) {
  const parameters: Record<string, unknown>[] = [];
  for (const [, name] of path.matchAll(/\{(\w+)\+?\}/g))
    parameters.push({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string', maxLength: name === 'token' ? maxPathTokenLength : maxPathIdLength },
    });
  if (doc.query) {
    const query = jsonSchema(doc.query, 'input') as {
      properties?: Record<string, unknown>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(query.properties ?? {}))
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
  }
  for (const [name, header] of Object.entries(doc.headers ?? {}))
    parameters.push({
      name,
      in: 'header',
      required: header.required ?? false,
      description: header.description,
      schema: { type: 'string' },
    });
  const body = doc.body
    ? 'schema' in doc.body
      ? {
          required: true,
          ...(doc.body.description ? { description: doc.body.description } : {}),
          content: {
            'application/json': { schema: jsonSchema(doc.body.schema, 'input') },
            ...Object.fromEntries(
              (doc.body.textMediaTypes ?? []).map((mediaType) => [mediaType, { schema: { type: 'string' } }]),
            ),
          },
        }
      : {
          required: true,
          description: doc.body.description,
          content: { [doc.body.mediaType]: { schema: { type: 'string' } } },
        }
    : undefined;
  const responses = Object.fromEntries(
    Object.entries(doc.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([name, header]) => [
                  name,
                  { description: header.description, schema: { type: header.type } },
                ]),
              ),
            }
          : {}),
        ...(response.schema || response.jsonSchema
          ? {
              content: {
                'application/json': {
                  schema: response.schema ? jsonSchema(response.schema, 'output') : response.jsonSchema,
                },
                ...Object.fromEntries(
                  (response.textMediaTypes ?? []).map((mediaType) => [
                    mediaType,
                    { schema: { type: 'string' } },
                  ]),
                ),
              },
            }
          : response.mediaType
            ? { content: { [response.mediaType]: { schema: { type: 'string' } } } }
            : {}),
      },
    ]),
  );
  // A JSON body sent as another media type, or with none named, or labelled with another charset than
  // UTF-8, is not read (bodyOf, shared/http/input.ts; docs/design.md#routes-and-auth).
  if (doc.body && 'schema' in doc.body)
    responses['415'] ??= {
      description:
        'the body is not sent as application/json, or its Content-Type names a charset other than utf-8 or us-ascii (ascii and ANSI_X3.4-1968 are us-ascii, and a body so labelled holding a byte above 0x7F is a 400 naming the charset)',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  if (auth === 'apiKey') {
    responses['401'] ??= {
      description: 'missing or invalid API key',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
    // Every route of the manager's API refuses a query parameter or a body its document does not state
    // (managementApi, docs/design.md#routes-and-auth): its 400 says so, or is that 400.
    const unstated = [doc.query ? '' : 'a query parameter', doc.body ? '' : 'a body'].filter(Boolean);
    if (unstated.length) {
      const refused = `${unstated.join(' or ')}, which this route does not take`;
      const stated = responses['400'] as { description: string } | undefined;
      if (stated) stated.description = `${stated.description}; or ${refused}`;
      else
        responses['400'] = {
          description: refused,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
    }
  }
  // A link's token past its length is refused before it is opened (pathIdLimits, the recipients
  // function's errors): a page saying so.
  if (auth === 'public' && path.includes('{token}')) {
    const tooLong = `a link longer than any Backline sends (over ${maxPathTokenLength} characters): a page saying so`;
    const stated = responses['400'] as { description: string } | undefined;
    if (stated) stated.description = `${stated.description}; or ${tooLong}`;
    else
      responses['400'] = { description: tooLong, content: { 'text/html': { schema: { type: 'string' } } } };
  }
  // API Gateway's answer, not the function's: the stage throttles each route (infra/settings.ts), all
  // callers together, and answers past it before the function is invoked.
  const throttle = routeThrottles[auth];
  responses['429'] ??= {
    description: `throttled by the gateway: this route takes ${throttle.rateLimit} requests a second from all callers together, in bursts of up to ${throttle.burstLimit}; send again after a pause. API Gateway's answer, \`{"message": "Too Many Requests"}\`, not Backline's error shape`,
    content: {
      'application/json': {
        schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      },
    },
  };
  return {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    operationId: `${fn}.${doc.summary
      .replaceAll(/[^A-Za-z0-9]+/g, ' ')
      .trim()
      .replaceAll(' ', '_')}`,
    tags: [fn],
    'x-backline-auth': auth,
    security: securityOf[auth],
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

export function openApiDocument() {
  const documented = documentedRoutes();
  const paths: Record<string, Record<string, unknown>> = {};
  const undocumented: string[] = [];
  for (const [fn, spec] of functionEntries()) {
    for (const trigger of spec.on) {
      if (trigger.kind !== 'http') continue;
      const route = documented[fn]?.find((r) => r.method === trigger.method && r.path === trigger.path);
      if (!route) {
        undocumented.push(`${trigger.method} ${trigger.path} (${fn})`);
        continue;
      }
      paths[trigger.path] ??= {};
      paths[trigger.path][trigger.method.toLowerCase()] = operation(
        route.doc,
        trigger.path,
        trigger.auth,
        fn,
      );
    }
  }
  if (undocumented.length)
    throw new Error(
      `routes without a document entry (add a doc next to the route): ${undocumented.join(', ')}`,
    );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Backline API',
      version: '1.0.0',
      description:
        "The manager's API (bearer API key), the labels' signed webhooks and the public routes for mail recipients. The events these lead to are documented as AsyncAPI in events.asyncapi.json (JSON Schema: events.schema.json).",
    },
    externalDocs: { description: 'Events (AsyncAPI 3)', url: 'events.asyncapi.json' },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      securitySchemes,
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
  };
}

/** The file `npm run docs` writes. */
export const renderOpenApi = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
