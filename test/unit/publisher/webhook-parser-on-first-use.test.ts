import { describe, expect, it } from 'vitest';
import { reachableModules } from '#test/support/imports.ts';

/**
 * The publisher loads the webhook parser (every label payload's schema, the DDEX ERN reader) on the
 * first webhook record it publishes, not at load: most of what it publishes are stored events, which
 * need none of it (docs/design.md#bundles). esbuild keeps a module imported with `await import(...)`
 * in the bundle behind a lazy initialiser, which runs on the first call; a module imported at load
 * runs at load, and so does every event module the events index re-exports that the bundle holds.
 */
describe('the publisher at load', () => {
  const entry = 'functions/publisher/handler.ts';

  it('runs neither the webhook parser nor the events index, which it reaches only on first use', () => {
    const atLoad = reachableModules(entry, { atLoad: true });
    const parser = ['shared/webhooks.ts', 'shared/ern.ts', 'shared/events/index.ts'];

    expect(atLoad.filter((module) => parser.includes(module))).toEqual([]);
    // The parser is reached all the same, on first use: the reading sees the dynamic import.
    expect(reachableModules(entry)).toEqual(expect.arrayContaining(['shared/webhooks.ts', 'shared/ern.ts']));
  });
});
