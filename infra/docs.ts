import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { env as placeholderConfig } from '../vitest.config.ts';

/**
 * `npm run docs`: writes what is generated from the
 * code: docs/openapi.json, the event catalogue as JSON Schema and AsyncAPI, and the README's
 * architecture diagram. The handler modules read their configuration when loaded; the document needs
 * none of it, so the unit tests' placeholder configuration stands in.
 */
for (const [name, value] of Object.entries(placeholderConfig)) process.env[name] ??= value;
const { renderOpenApi } = await import('./openapi.ts');
const { eventDocuments } = await import('#shared/events/export.ts');
const { withGeneratedSections } = await import('./readme.ts');

const root = resolve(import.meta.dirname, '..');
const write = (path: string, text: string) => {
  writeFileSync(resolve(root, path), text);
  console.log(`wrote ${path}`);
};
write('docs/openapi.json', renderOpenApi());
for (const [file, document] of Object.entries(eventDocuments()))
  write(`docs/${file}`, `${JSON.stringify(document, null, 2)}\n`);
write('README.md', withGeneratedSections(readFileSync(resolve(root, 'README.md'), 'utf8')));
