import { describe, expect, it } from 'vitest';
import { namesImportedFrom, reachableModules } from '#test/support/imports.ts';

/**
 * Intake loads the XML reader (`shared/ern.ts`, and fast-xml-parser with it) on the first ERN message
 * it takes, not at load: most webhooks are JSON (docs/design.md#bundles). esbuild keeps a module
 * imported with `await import(...)` in the bundle behind a lazy initialiser, which runs on the first
 * call; a module imported at load runs at load, and so does every package it imports.
 */
describe('intake at load', () => {
  const entry = 'functions/intake/handler.ts';

  it('runs no XML reader, which it reaches only on the first ERN message', () => {
    const atLoad = reachableModules(entry, { atLoad: true });

    expect(atLoad.filter((module) => module === 'shared/ern.ts')).toEqual([]);
    // The reader is reached all the same, on first use, and it is what brings in fast-xml-parser.
    expect(reachableModules(entry)).toContain('shared/ern.ts');
    expect(namesImportedFrom(entry, 'fast-xml-parser')).toEqual(['XMLParser', 'XMLValidator']);
  });
});
