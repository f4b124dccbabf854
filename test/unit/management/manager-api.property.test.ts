import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outletRoutes } from '#functions/management/outlets.ts';
import { managementApi } from '#shared/http/manager-api.ts';
import { type ApiAnswer, callApi } from '#test/support/api.ts';
import { InMemoryBudgets, officeBudgetsApi } from '#test/support/budgets.ts';
import { anImportWorld } from '#test/support/jobs.ts';

/**
 * Random and mutated JSON bodies sent to the manager's API (docs/design.md#routes-and-auth): never a
 * 5xx (nor a throw); a 400 names each issue and changes nothing; a 2xx keeps exactly what was sent,
 * nothing of it dropped (a `__proto__` key) or misread (bytes that are not UTF-8 stored as U+FFFD).
 */
/** A JSON text as bytes in a charset a client may wrongly use; callApi sends them base64-encoded, as such bodies reach a function. */
const encoded = (text: string) =>
  fc
    .constantFrom<BufferEncoding>('utf8', 'utf8', 'latin1', 'utf16le')
    .map((encoding) => Buffer.from(text, encoding));

const isUtf8 = (bytes: Buffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** What a 400 answers: each issue with where and why. */
const expectIssues = (result: ApiAnswer) => {
  const issues = JSON.parse(result.body ?? '{}').issues as unknown[];
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues)
    expect(issue).toEqual({ path: expect.any(String), message: expect.any(String) });
};

const pairName = fc.oneof(
  fc.constantFrom(
    'GBP/USD',
    'EUR/GBP',
    'JPY/EUR',
    'USD/GBP',
    'GBP/GBP',
    'gbp/usd',
    'ABC/USD',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 8 }),
);
const rate = fc.oneof(
  fc.constantFrom('1.2534', '0.0001', '150', '1e5', 'NaN', '-1', '', '12345678901'),
  fc.jsonValue({ maxDepth: 1 }),
);
const ratesBody = fc.oneof(
  // A day's rates as a manager sends them: so every run meets bodies that are due a 200, not only by chance.
  fc.constant({ rates: { 'GBP/USD': '1.2534', 'EUR/GBP': '0.8612' } }),
  fc.dictionary(pairName, rate, { maxKeys: 4 }).map((rates) => ({ rates })),
  fc.jsonValue({ maxDepth: 2 }),
);

const outletBody = fc.record({
  name: fc.oneof(
    fc.string({ maxLength: 20, unit: 'binary' }),
    fc.constantFrom('Café Radio', 'Ünter Grund', '  ', ''),
  ),
  email: fc.constantFrom('news@radio.example', 'not an address', 'ÜBER@radio.example'),
  kind: fc.constantFrom('radio', 'press', 'tv', 'blog', 'podcast', 'zine'),
  territories: fc.constantFrom(['GB'], ['WW'], [], ['uk']),
});

describe("the manager's API under random and mutated JSON bodies", () => {
  it("keeps a day's rates exactly as sent, or answers 400 and keeps none", async () => {
    const budgets = new InMemoryBudgets();
    const office = officeBudgetsApi({ budgets });
    const statuses = new Set<number>();

    await fc.assert(
      fc.asyncProperty(
        ratesBody.chain((body) => encoded(JSON.stringify(body))),
        async (bytes) => {
          budgets.fx.clear();
          const result = await callApi(office, {
            method: 'PUT',
            route: '/fx-rates/{date}',
            pathParameters: { date: '2027-01-05' },
            body: bytes,
          });

          statuses.add(result.status ?? 0);
          expect([200, 400]).toContain(result.status);
          if (result.status === 200)
            expect(await budgets.rates('2027-01-05')).toEqual(
              Object.fromEntries(Object.entries(JSON.parse(bytes.toString('utf8')).rates)),
            );
          else {
            expectIssues(result);
            expect(budgets.fx.size).toBe(0);
          }
        },
      ),
      { numRuns: 1_500 },
    );

    expect([...statuses].sort()).toEqual([200, 400]);
  }, 60_000);

  it('adds an outlet named as sent, or answers 400 and adds none', async () => {
    const statuses = new Set<number>();

    await fc.assert(
      fc.asyncProperty(
        outletBody.chain((body) => encoded(JSON.stringify(body))),
        async (bytes) => {
          const { world, deps } = anImportWorld();
          const api = managementApi('management', async () => 'key', outletRoutes(deps));

          const result = await callApi(api, { method: 'POST', route: '/media-outlets', body: bytes });

          statuses.add(result.status ?? 0);
          expect([201, 400]).toContain(result.status);
          const added = [...world.outlets.outlets.values()];
          if (result.status === 201) {
            expect(isUtf8(bytes)).toBe(true);
            expect(added.map((outlet) => outlet.name)).toEqual([
              JSON.parse(bytes.toString('utf8')).name.trim(),
            ]);
          } else {
            expectIssues(result);
            expect(added).toEqual([]);
          }
        },
      ),
      { numRuns: 1_500 },
    );

    expect([...statuses].sort()).toEqual([201, 400]);
  }, 60_000);
});
