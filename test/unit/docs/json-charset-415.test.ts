import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

// docs/design.md#routes-and-auth: a JSON body whose Content-Type names a charset other than UTF-8 (or
// US-ASCII) is refused with a 415 naming it (bodyOf, a webhook's receive), never read as UTF-8 against
// its label. The API document's 415 of every route taking a JSON body says so, so a client reading it
// knows what that 415 means.
describe('the API document of the routes taking a JSON body', () => {
  it('lists a 415 naming the charset for each', () => {
    const document = JSON.parse(readFileSync(resolve(root, 'docs/openapi.json'), 'utf8')) as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: { content: Record<string, unknown> };
            responses: Record<string, { description: string } | undefined>;
          }
        >
      >;
    };

    const taking = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody?.content['application/json'])
        .map(([method, operation]) => ({
          route: `${method.toUpperCase()} ${path}`,
          names: /charset other than utf-8 or us-ascii/.test(operation.responses['415']?.description ?? ''),
        })),
    );

    expect(taking.length).toBeGreaterThan(5);
    expect(taking.filter(({ names }) => !names).map(({ route }) => route)).toEqual([]);
  });
});
