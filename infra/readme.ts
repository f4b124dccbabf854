import { catalogue } from '#shared/events/index.ts';
import { webhookTypes } from '#shared/webhooks.ts';
import { openApiDocument } from './openapi.ts';
import { type FunctionSpec, functionEntries, type Permission, schedules } from './topology.ts';

/**
 * The architecture as a mermaid flowchart, drawn from the topology: who calls each function (HTTP
 * routes with their auth, bus rules, queues fed from a bus, the table's stream) and what each may touch. `npm run docs`
 * writes it and the event catalogue into the README between their markers; a test fails when stale.
 */
export function architectureDiagram(): string {
  const lines = [
    'flowchart LR',
    '  label([label systems]) -->|signed webhooks| api',
    '  manager([manager, CLI]) -->|API key| api',
    '  recipient([mail recipients]) -->|links in mail| api',
    '  api[[HTTP API]]',
    '  bus{{Backline bus}}',
    '  defaultBus{{default bus}}',
    '  table[(DynamoDB table)]',
    '  ses[/SES/]',
    '  scheduler[(Scheduler)]',
    '  ses -->|configuration-set events| defaultBus',
    '  table -->|stream: outbox entries| publisher',
  ];
  const recurring = schedules.map((s) => s.event.detailType).join(', ');
  lines.push(`  scheduler -->|${recurring}, release days| bus`);
  for (const [name, spec] of functionEntries()) {
    lines.push(`  ${name}(${name})`);
    const routes = spec.on.filter((t) => t.kind === 'http');
    const auths = [...new Set(routes.map((t) => t.auth))];
    if (routes.length) lines.push(`  api -->|${routes.length} routes, ${auths.join(' + ')}| ${name}`);
    for (const bus of ['backline', 'default'] as const) {
      const types = spec.on.flatMap((t) =>
        t.kind === 'event' && t.bus === bus ? (t.pattern['detail-type'] as string[]) : [],
      );
      if (types.length)
        lines.push(`  ${bus === 'default' ? 'defaultBus' : 'bus'} -->|${types.join(', ')}| ${name}`);
    }
    for (const t of spec.on)
      if (t.kind === 'queue')
        lines.push(
          `  ${t.bus === 'default' ? 'defaultBus' : 'bus'} -->|${(t.pattern['detail-type'] as string[]).join(', ')}, through the ${t.queue} queue| ${name}`,
        );
    for (const edge of touches(spec)) lines.push(`  ${name} ${edge}`);
  }
  return lines.join('\n');
}

function touches(spec: FunctionSpec): string[] {
  const may = spec.may as Permission[];
  const edges: string[] = [];
  const writes = may.some((p) => /^table:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(p));
  const reads = may.some((p) => p.startsWith('table:'));
  if (writes) edges.push('--> table');
  else if (reads) edges.push('-.->|reads| table');
  if (may.some((p) => p.startsWith('events:put'))) edges.push('--> bus');
  if (may.includes('ses:send')) edges.push('--> ses');
  if (may.includes('schedules:manage')) edges.push('--> scheduler');
  return edges;
}

/** The event catalogue as a table: each event, who publishes it, who takes it (from the topology's rules). */
export function eventCatalogueTable(): string {
  const consumers = (detailType: string) =>
    functionEntries()
      .filter(([, spec]) =>
        spec.on.some(
          (t) => t.kind === 'event' && (t.pattern['detail-type'] as string[]).includes(detailType),
        ),
      )
      .map(([name]) => name);
  const rows = catalogue.map(
    (contract) =>
      `| ${contract.detailType} | ${contract.sources.map((s) => `\`${s}\``).join(', ')} | ${consumers(contract.detailType).join(', ') || '(outside consumers)'} | ${contract.description.replaceAll('|', '\\|').replaceAll('\n', ' ')} |`,
  );
  return ['| event | source | taken by | what it says |', '|---|---|---|---|', ...rows].join('\n');
}

const authNames: Record<string, string> = {
  apiKey: 'API key',
  webhook: "label's signature",
  public: 'public',
};

/**
 * Every route of the API document (so every route of the topology) as a table: method and path, its
 * auth, and what it does; the webhook's row names every body type intake takes.
 */
export function routeTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows = Object.entries(openApiDocument().paths).flatMap(([path, operations]) =>
    Object.entries(
      operations as Record<string, { summary: string; description?: string; 'x-backline-auth': string }>,
    ).map(([method, operation]) => {
      const types =
        path === '/webhooks/{labelId}'
          ? ` Types: ${Object.keys(webhookTypes)
              .map((type) => `\`${type}\``)
              .join(', ')}.`
          : '';
      const what = `${operation.summary}${operation.description ? `. ${operation.description}` : ''}${types}`;
      return `| \`${method.toUpperCase()} ${path}\` | ${authNames[operation['x-backline-auth']]} | ${cell(what)} |`;
    }),
  );
  return ['| route | auth | what it does |', '|---|---|---|', ...rows].join('\n');
}

const section = (readme: string, name: string, content: string): string => {
  const start = `<!-- ${name}: written by npm run docs -->`;
  const end = `<!-- end of ${name} -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${name} section (${start} ... ${end})`);
  return `${readme.slice(0, from)}${start}\n${content}\n${readme.slice(to)}`;
};

/** The README with its generated sections (the architecture diagram, the event catalogue, the routes) written from the code. */
export const withGeneratedSections = (readme: string): string =>
  section(
    section(
      section(readme, 'architecture diagram', `\`\`\`mermaid\n${architectureDiagram()}\n\`\`\``),
      'event catalogue',
      eventCatalogueTable(),
    ),
    'api routes',
    routeTable(),
  );
