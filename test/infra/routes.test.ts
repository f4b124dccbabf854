import { describe, expect, it } from 'vitest';
import { healthRoutes } from '#functions/health/handler.ts';
import { type ManagementDeps, managementRoutes } from '#functions/management/handler.ts';
import { type OfficeDeps, officeRoutes } from '#functions/office/handler.ts';
import { linkRoutes } from '#functions/recipients/handler.ts';
import type { RecipientsDeps } from '#functions/recipients/recipients.ts';
import type { PagesDeps } from '#functions/recipients/tour-links.ts';
import { matchesPattern } from '#infra/local/bus/pattern.ts';
import { buildRoutes, findRoute } from '#infra/local/gateway.ts';
import { functionEntries, functions, schedules } from '#infra/topology.ts';
import { catalogue } from '#shared/events/index.ts';
import { sesDetailTypes } from '#shared/events/ses.ts';

const topologyRoutes = (name: keyof typeof functions) =>
  (functions[name].on as { kind: string; method?: string; path?: string }[])
    .filter((trigger) => trigger.kind === 'http')
    .map((trigger) => `${trigger.method} ${trigger.path}`)
    .sort();

const routerRoutes = (routes: { method: string; path: string }[]) =>
  routes.map((route) => `${route.method} ${route.path}`).sort();

// Building the route lists reads no dependency: the handlers use them only when a request arrives.
const noDeps = {} as ManagementDeps & OfficeDeps & RecipientsDeps;

describe('the topology and the code agree', () => {
  it("routes in the management function's router exactly the topology's management routes", () => {
    expect(routerRoutes(managementRoutes(noDeps))).toEqual(topologyRoutes('management'));
  });

  it("routes in the office function's router exactly the topology's office routes", () => {
    expect(routerRoutes(officeRoutes(noDeps))).toEqual(topologyRoutes('office'));
  });

  it("routes in the recipients function's router exactly the topology's recipient routes", () => {
    expect(routerRoutes(linkRoutes(noDeps, {} as PagesDeps))).toEqual(topologyRoutes('recipients'));
  });

  it('answers HEAD on every page a signed link in mail opens, as mail clients and link scanners send it', () => {
    const pages = topologyRoutes('recipients').filter((route) => route.startsWith('GET '));

    const heads = pages.map((route) => route.replace(/^GET /, 'HEAD '));

    expect(pages.length).toBeGreaterThan(0);
    expect(topologyRoutes('recipients')).toEqual(expect.arrayContaining(heads));
  });

  it("takes a signed page's link with a trailing slash, for GET, HEAD and POST, to the recipients function, not the HTTP API's 404", () => {
    const routes = buildRoutes(functionEntries());
    const links = ['/u/a-token/', '/p/a-token/', '/a/a-token/', '/tm/a-token/'];

    const taken = links.flatMap((link) =>
      ['GET', 'HEAD', 'POST'].map((method) => {
        const match = findRoute(routes, method, link);
        return match && match !== 'malformed' ? [match.route.function, match.params.token] : undefined;
      }),
    );

    expect(taken).toEqual(links.flatMap(() => Array(3).fill(['recipients', 'a-token/'])));
  });

  it("routes in the health function's router exactly the topology's health routes", () => {
    expect(routerRoutes(healthRoutes)).toEqual(topologyRoutes('health'));
  });

  it('routes only events of the catalogue (or SES), each from a source its contract names', () => {
    const known = new Map(catalogue.map((contract) => [contract.detailType, contract.sources]));
    const unknown: string[] = [];

    for (const [name, spec] of functionEntries()) {
      for (const trigger of spec.on) {
        if (trigger.kind !== 'event') continue;
        const sources = trigger.pattern.source as string[];
        for (const detailType of trigger.pattern['detail-type'] as string[]) {
          const fromSes = sources.every((source) => source === 'aws.ses');
          const ok = fromSes
            ? (sesDetailTypes as readonly string[]).includes(detailType)
            : sources.every((source) => known.get(detailType)?.includes(source));
          if (!ok) unknown.push(`${name}: ${detailType} from ${sources.join('|')}`);
        }
      }
    }

    expect(unknown).toEqual([]);
    for (const schedule of schedules) expect(catalogue).toContain(schedule.event);
  });

  // Email Delivered changes nothing: a delivery is marked sent when SES takes its mail.
  it("routes each of SES's events that changes what became of a mail to a function, by the local bus's matcher", () => {
    const patterns = functionEntries().flatMap(([name, spec]) =>
      spec.on.flatMap((trigger) =>
        (trigger.kind === 'event' || trigger.kind === 'queue') && trigger.bus === 'default'
          ? [{ name, pattern: trigger.pattern }]
          : [],
      ),
    );

    const takers = sesDetailTypes.map((detailType) => [
      detailType,
      patterns
        .filter(({ pattern }) =>
          matchesPattern(pattern, { source: 'aws.ses', 'detail-type': detailType, detail: {} }),
        )
        .map(({ name }) => name),
    ]);

    expect(takers).toEqual([
      ['Email Sent', ['settlement']],
      ['Email Delivered', []],
      ['Email Bounced', ['deliverability']],
      ['Email Complaint Received', ['deliverability']],
      ['Email Rejected', ['deliverability']],
    ]);
  });
});
