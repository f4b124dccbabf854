import { describe, expect, it } from 'vitest';
import { functionEntries, type HttpTrigger } from '#infra/topology.ts';
import { cloud, uniqueId } from '#test/support/cloud.ts';

/** Every route the topology declares, with the path a client would call (each parameter an id of its own). */
const routes = functionEntries().flatMap(([name, spec]) =>
  spec.on
    .filter((trigger): trigger is HttpTrigger => trigger.kind === 'http')
    .map((trigger) => ({
      name,
      ...trigger,
      url: trigger.path.replace(/\{(\w+)\+?\}/g, (_, parameter: string) => uniqueId(parameter)),
    })),
);

const call = (route: (typeof routes)[number], authorization?: string) =>
  fetch(`${cloud().baseUrl}${route.url}`, {
    method: route.method,
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { body: '{}' }),
  });

describe("each route's auth, as the topology declares it, on the local cloud", () => {
  it('answers 401 to every apiKey route called without the key or with another, before anything else', async () => {
    const apiKeyRoutes = routes.filter((route) => route.auth === 'apiKey');

    const answers = [];
    for (const route of apiKeyRoutes) {
      const none = await call(route);
      const wrong = await call(route, `Bearer not-${cloud().apiKey}`);
      answers.push(`${route.method} ${route.path} (${route.name}): ${none.status} ${wrong.status}`);
    }

    expect(apiKeyRoutes.length).toBeGreaterThan(20);
    expect(answers.filter((answer) => !answer.endsWith(': 401 401'))).toEqual([]);
  });

  it('answers no public or webhook route called without a key 401: they take none', async () => {
    const keyless = routes.filter((route) => route.auth !== 'apiKey');

    const refusedForAKey = [];
    for (const route of keyless) {
      // A webhook's label is looked up before its signature (404 for an unknown one): no route here is a 401.
      const response = await call(route);
      if (response.status === 401) refusedForAKey.push(`${route.method} ${route.path} (${route.name})`);
    }

    expect(keyless.length).toBeGreaterThan(5);
    expect(refusedForAKey).toEqual([]);
  });
});
