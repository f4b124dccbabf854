import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

// docs/design.md#routes-and-auth: every route of the manager's API takes only the input its document
// states, and refuses any other (a query parameter on a route that states none, a body on one that
// states none) with a 400 naming it (managementApi). The API document says so: every operation of the
// manager's API lists that 400, so a client generated from it expects it.
describe("the API document of the manager's API", () => {
  it('lists a 400 for every operation, as each refuses a query parameter or body it does not state', () => {
    const document = JSON.parse(readFileSync(resolve(root, 'docs/openapi.json'), 'utf8')) as {
      paths: Record<
        string,
        Record<string, { 'x-backline-auth': string; responses: Record<string, unknown> }>
      >;
    };

    const without400 = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation['x-backline-auth'] === 'apiKey' && !operation.responses['400'])
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );

    expect(without400).toEqual([]);
  });
});
