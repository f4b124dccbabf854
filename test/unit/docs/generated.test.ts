import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliveryRows } from '#functions/management/releases.ts';
import { renderOpenApi } from '#infra/openapi.ts';
import { architectureDiagram, withGeneratedSections } from '#infra/readme.ts';
import { functionEntries } from '#infra/topology.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { eventDocuments } from '#shared/events/export.ts';

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');
const stale = 'stale: run `npm run docs` and commit the result';

describe('generated documents', () => {
  it('checks in the API document that npm run docs writes from the code', () => {
    expect(read('docs/openapi.json'), stale).toBe(renderOpenApi());
  });

  it('checks in the event catalogue (JSON Schema and AsyncAPI) that npm run docs writes', () => {
    for (const [file, document] of Object.entries(eventDocuments()))
      expect(read(`docs/${file}`), `docs/${file} ${stale}`).toBe(`${JSON.stringify(document, null, 2)}\n`);
  });

  it("keeps the README's architecture diagram and event catalogue drawn from the current code", () => {
    const readme = read('README.md');

    expect(readme, stale).toBe(withGeneratedSections(readme));
  });
});

describe('the API document', () => {
  const document = JSON.parse(read('docs/openapi.json')) as {
    paths: Record<
      string,
      Record<string, { 'x-backline-auth': string; security: Record<string, string[]>[] }>
    >;
  };
  const schemeOf = { apiKey: ['apiKey'], webhook: ['webhookSignature'], public: [] } as Record<
    string,
    string[]
  >;

  it('documents every route of the topology with the auth the topology declares', () => {
    const missing: string[] = [];

    for (const [name, spec] of functionEntries())
      for (const trigger of spec.on) {
        if (trigger.kind !== 'http') continue;
        const operation = document.paths[trigger.path]?.[trigger.method.toLowerCase()];
        if (!operation) missing.push(`${trigger.method} ${trigger.path} (${name})`);
        else {
          expect(operation['x-backline-auth'], `${trigger.method} ${trigger.path}`).toBe(trigger.auth);
          expect(operation.security.flatMap(Object.keys)).toEqual(schemeOf[trigger.auth]);
        }
      }

    expect(missing).toEqual([]);
  });

  it("documents a webhook's body with the schema of every webhook type", () => {
    const body = JSON.stringify(document.paths['/webhooks/{labelId}'].post);

    for (const type of ['release.scheduled', 'tour.booked', 'expense.recorded']) expect(body).toContain(type);
  });

  it('documents that a webhook may be a DDEX ERN message in XML, and a 415 only for a type that is neither JSON nor XML', () => {
    const operation = document.paths['/webhooks/{labelId}'].post as unknown as {
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, { description: string }>;
    };

    expect(Object.keys(operation.requestBody.content)).toEqual([
      'application/json',
      'application/xml',
      'text/xml',
    ]);
    expect(operation.responses['415'].description).toMatch(/application\/json.*application\/xml.*text\/xml/);
  });

  it('documents both shapes a webhook type accepts when it still takes an older version', () => {
    const body = JSON.stringify(document.paths['/webhooks/{labelId}'].post);
    const budgetSet = body.slice(body.indexOf('"const":"budget.set"'));

    // Version 2's `lines` and version 1's `limit`, not an empty schema.
    expect(budgetSet.slice(0, budgetSet.indexOf('"const":"expense.recorded"'))).toMatch(/"lines".*"limit"/);
  });

  it("closes every JSON body of the manager's API, nested objects included: an unknown field is no part of it", () => {
    type Schema = { properties?: Record<string, Schema>; additionalProperties?: unknown; items?: Schema };
    const open = (schema: Schema, at: string): string[] => [
      ...(schema.properties && schema.additionalProperties !== false ? [at] : []),
      ...Object.entries(schema.properties ?? {}).flatMap(([name, inner]) => open(inner, `${at}.${name}`)),
      ...(schema.items ? open(schema.items, `${at}[]`) : []),
    ];
    const bodies = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations as Record<string, { 'x-backline-auth': string; requestBody?: unknown }>)
        .filter(([, operation]) => operation['x-backline-auth'] === 'apiKey')
        .flatMap(([method, operation]) => {
          const body = operation.requestBody as { content: Record<string, { schema: Schema }> } | undefined;
          const schema = body?.content['application/json']?.schema;
          return schema ? [{ route: `${method.toUpperCase()} ${path}`, schema }] : [];
        }),
    );

    expect(bodies.map((b) => b.route)).toEqual(
      expect.arrayContaining(['POST /labels', 'PUT /fx-rates/{date}', 'POST /labels/{labelId}/replays']),
    );
    expect(bodies.flatMap(({ route, schema }) => open(schema, route))).toEqual([]);
  });

  it('documents what the outlet list filters by, from the schema that validates the query', () => {
    const operation = document.paths['/media-outlets'].get as unknown as { parameters: { name: string }[] };

    expect(operation.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['genre', 'territory', 'kind', 'limit', 'cursor']),
    );
  });

  it("documents the Location of every job's 202, and each field of a replay's result", () => {
    const jobRoutes = [
      document.paths['/media-outlets/import'].post,
      document.paths['/labels/{labelId}/replays'].post,
    ] as unknown as { description: string; responses: { 202: { headers?: Record<string, unknown> } } }[];

    const located = jobRoutes.map((operation) => Object.keys(operation.responses[202].headers ?? {}));

    expect(located).toEqual([['Location'], ['Location']]);
    expect(jobRoutes[1].description).toContain('{replayed, rejectedCount, rejected}');
  });

  it('states how an amount in another currency is rounded, where rates are put and where an expense carries its own', () => {
    const rates = JSON.stringify(document.paths['/fx-rates/{date}'].put);
    const webhook = JSON.stringify(document.paths['/webhooks/{labelId}'].post);

    expect(rates).toContain('rounded half-even on the minor unit');
    expect(webhook).toContain('rounded half-even');
  });

  it("documents every field of a release's delivery row, down to an outlet's first and last promo access", () => {
    const [row] = deliveryRows(
      [
        {
          deliveryId: 'd1',
          labelId: 'nightshift',
          subject: mailSubjects.release('rel-1'),
          stream: 'campaign',
          context: { outletId: 'out-1' },
          kind: 'radio-add-date-change',
          revision: '2027-03-15',
          email: 'music@radio.example',
          status: 'sent',
          messageId: 'msg-1',
          sentAt: '2027-01-05T10:00:01.000Z',
          resends: 1,
          failure: 'earlier attempt failed',
          claimedAt: '2027-01-05T10:00:00.000Z',
          updatedAt: '2027-01-05T10:00:01.000Z',
        },
      ],
      new Map([
        [
          'out-1',
          { count: 2, firstAccessAt: '2027-01-06T08:00:00.000Z', lastAccessAt: '2027-01-07T09:00:00.000Z' },
        ],
      ]),
    );
    type Schema = { properties: Record<string, Schema>; items: Schema };
    const operation = document.paths['/labels/{labelId}/releases/{releaseId}/deliveries'].get as unknown as {
      responses: Record<string, { content: Record<string, { schema: Schema }> }>;
    };
    const documented =
      operation.responses['200'].content['application/json'].schema.properties.deliveries.items.properties;

    expect(Object.keys(row).filter((field) => !(field in documented))).toEqual([]);
  });
});

describe("the README's architecture diagram", () => {
  it('draws how every function is started: an SQS trigger from its bus, as a rule is', () => {
    const diagram = architectureDiagram();
    const started = (name: string) =>
      new RegExp(`^ {2}(api|bus|defaultBus|table|scheduler) -->\\|[^|]+\\| ${name}$`, 'm').test(diagram);

    expect(
      functionEntries()
        .filter(([name]) => !started(name))
        .map(([name]) => name),
    ).toEqual([]);
    expect(diagram).toContain('  defaultBus -->|Email Sent, through the mail-settlement queue| settlement');
  });
});
