import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '@jridgewell/sourcemap-codec';
import { afterAll, describe, expect, it } from 'vitest';
import { ownSourceMapCommand } from '#infra/app-function.ts';
import { ownSourceMap } from '#infra/source-maps.ts';

const dir = mkdtempSync(join(tmpdir(), 'backline-maps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bundle's map: lines 0 and 3 from a package, lines 1 and 2 from the project and a package in turn. */
function aBundleMap(): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.mjs.map`);
  const map = {
    version: 3,
    sources: [
      '../node_modules/@smithy/core/dist/index.js',
      '../shared/mail/send.ts',
      '../functions/intake/handler.ts',
    ],
    names: ['sdkThing', 'sendMails', 'handler'],
    mappings: encode([
      [[0, 0, 10, 2, 0]],
      [
        [0, 1, 40, 0, 1],
        [12, 1, 41, 4],
        [20, 0, 12, 0],
      ],
      [[0, 0, 99, 0], [30, 2, 7, 13, 2], [44]],
      [[0, 0, 120, 0]],
    ]),
  };
  writeFileSync(file, JSON.stringify(map));
  return file;
}

describe("a bundle's source map, as deployed", () => {
  it("keeps the mappings into the project's own files, and only them, with their names", () => {
    const file = aBundleMap();

    ownSourceMap(file);

    const trimmed = JSON.parse(readFileSync(file, 'utf8'));
    expect(trimmed.sources).toEqual(['../shared/mail/send.ts', '../functions/intake/handler.ts']);
    expect(trimmed.names).toEqual(['sendMails', 'handler']);
    const map = new SourceMap(trimmed);
    expect(map.findEntry(1, 12)).toMatchObject({
      originalSource: '../shared/mail/send.ts',
      originalLine: 41,
    });
    expect(map.findEntry(2, 30)).toMatchObject({
      originalSource: '../functions/intake/handler.ts',
      originalLine: 7,
      name: 'handler',
    });
    // A position inside a package maps to nothing, even after the project's code on the same line:
    // its frame keeps the bundle's position.
    const sourceAt = (line: number, column: number) =>
      (map.findEntry(line, column) as { originalSource?: string }).originalSource;
    expect(sourceAt(0, 0)).toBeUndefined();
    expect(sourceAt(1, 25)).toBeUndefined();
    expect(sourceAt(2, 50)).toBeUndefined();
  });

  it('is trimmed by the command CDK runs after esbuild, in the folder esbuild wrote', () => {
    const outputDir = mkdtempSync(join(dir, 'asset-'));
    renameSync(aBundleMap(), join(outputDir, 'index.mjs.map'));

    execSync(ownSourceMapCommand(outputDir));

    const { sources } = JSON.parse(readFileSync(join(outputDir, 'index.mjs.map'), 'utf8'));
    expect(sources).toEqual(['../shared/mail/send.ts', '../functions/intake/handler.ts']);
  });
});
