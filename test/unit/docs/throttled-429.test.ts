import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#infra/openapi.ts';
import { routeThrottles } from '#infra/settings.ts';
import type { RouteAuth } from '#infra/topology.ts';

// docs/design.md#routes-and-auth: the stage throttles every route (its rate and burst by the route's
// auth, infra/settings.ts), and API Gateway answers past it with a 429 before any function runs. The API
// document lists that 429 on every operation, with the route's own figures, so a client generated from
// it knows to wait and send again.
describe('the API document', () => {
  it("lists on every operation the gateway's 429 with the route's rate and burst", () => {
    const document = openApiDocument() as unknown as {
      paths: Record<
        string,
        Record<string, { 'x-backline-auth': RouteAuth; responses: Record<string, { description: string }> }>
      >;
    };

    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const { rateLimit, burstLimit } = routeThrottles[operation['x-backline-auth']];
        const described = operation.responses['429']?.description ?? '';
        return {
          route: `${method.toUpperCase()} ${path}`,
          listed:
            described.includes(`${rateLimit} requests a second`) &&
            described.includes(`bursts of up to ${burstLimit}`),
        };
      }),
    );

    expect(operations.length).toBeGreaterThan(40);
    expect(operations.filter(({ listed }) => !listed).map(({ route }) => route)).toEqual([]);
  });
});
