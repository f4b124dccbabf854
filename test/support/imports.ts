import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * A static reading of the import graph from a function's entry: which of the repository's modules it
 * can reach, and which names each imports from a package. Value imports only (`import type` and
 * `type X` members are erased by esbuild and call nothing).
 */

const root = resolve(import.meta.dirname, '../..');
const aliases: Record<string, string> = {
  '#shared/': 'shared/',
  '#functions/': 'functions/',
  '#infra/': 'infra/',
};

interface ModuleImports {
  /** Repository modules (relative to the root) this module imports a value from at load. */
  modules: string[];
  /** Repository modules it imports only when a call needs them (`await import(...)`). */
  onFirstUse: string[];
  /** Names imported from each package or repository module (`@aws-sdk/lib-dynamodb` -> [GetCommand, ...]). */
  names: Record<string, string[]>;
}

const importStatement = /\b(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*['"]([^'"]+)['"]/g;
const sideEffectImport = /\bimport\s*['"]([^'"]+)['"]/g;
const dynamicImport = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveModule(from: string, specifier: string): string | undefined {
  // A JSON module (the API document the health function serves) is data: it imports and calls nothing.
  if (specifier.endsWith('.json')) return undefined;
  const alias = Object.keys(aliases).find((prefix) => specifier.startsWith(prefix));
  const path = alias
    ? join(root, aliases[alias], specifier.slice(alias.length))
    : specifier.startsWith('.')
      ? resolve(dirname(join(root, from)), specifier)
      : undefined;
  if (!path) return undefined;
  const candidates = [path, `${path}.ts`, join(path, 'index.ts')];
  const found = candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
  if (!found) throw new Error(`${from}: cannot resolve ${specifier}`);
  return relative(root, found);
}

/** Value names of an import clause: `{ A, type B, C as D }`, a default, or `* as ns` (reported as `*`). */
function importedNames(clause: string): string[] {
  const braces = /\{([\s\S]*)\}/.exec(clause)?.[1];
  const named = (braces ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !part.startsWith('type '))
    .map((part) => part.split(/\s+as\s+/)[0].trim());
  const outside = clause
    .replace(/\{[\s\S]*\}/, '')
    .replace(/,/g, ' ')
    .trim();
  return [...named, ...(outside.includes('*') ? ['*'] : outside ? ['default'] : [])];
}

function importsOf(module: string): ModuleImports {
  const source = readFileSync(join(root, module), 'utf8');
  const modules = new Set<string>();
  const onFirstUse = new Set<string>();
  const imported: Record<string, string[]> = {};
  const add = (specifier: string, names: string[], atLoad = true) => {
    const local = resolveModule(module, specifier);
    if (local) (atLoad ? modules : onFirstUse).add(local);
    const key = local ?? specifier;
    imported[key] = [...(imported[key] ?? []), ...names];
  };
  for (const [, keyword, typeOnly, clause, specifier] of source.matchAll(importStatement)) {
    if (typeOnly) continue;
    const names = importedNames(clause);
    // `import { type A } from` keeps the module only when a value name remains; `export * from` re-exports all.
    if (names.length > 0 || (keyword === 'export' && clause.trim().startsWith('*'))) {
      add(specifier, names.length > 0 ? names : ['*']);
    }
  }
  for (const [, specifier] of source.matchAll(sideEffectImport)) add(specifier, []);
  for (const [, specifier] of source.matchAll(dynamicImport)) add(specifier, ['*'], false);
  return { modules: [...modules], onFirstUse: [...onFirstUse], names: imported };
}

/**
 * Every repository module reachable from `entry` (relative to the root), the entry included; with
 * `atLoad`, only those its load runs (not through an `await import(...)`).
 */
export function reachableModules(entry: string, { atLoad = false } = {}): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const module = pending.pop()!;
    if (seen.has(module)) continue;
    seen.add(module);
    const { modules, onFirstUse } = importsOf(module);
    pending.push(...modules, ...(atLoad ? [] : onFirstUse));
  }
  return [...seen].sort();
}

/** The names that the modules reachable from `entry` import from `source` (a package, or a module path from the root). */
export function namesImportedFrom(entry: string, source: string): string[] {
  return [
    ...new Set(reachableModules(entry).flatMap((module) => importsOf(module).names[source] ?? [])),
  ].sort();
}

/** The IAM action each DynamoDB command (document client and low-level client) is authorized as. */
const dynamoCommands: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  paginateQuery: 'Query',
  paginateScan: 'Scan',
  GetItemCommand: 'GetItem',
  PutItemCommand: 'PutItem',
  UpdateItemCommand: 'UpdateItem',
  DeleteItemCommand: 'DeleteItem',
  BatchGetItemCommand: 'BatchGetItem',
  BatchWriteItemCommand: 'BatchWriteItem',
};
/**
 * IAM has no action for a transaction: each item in it is authorized as its own action. An item is an
 * object literal whose one key names it (`{ Put: ... }`, `[{ ConditionCheck: ... }]`, or shorthand,
 * `{ Put }`), read wherever it is written: a module may build items that another module's transaction
 * writes (`writeWithOutbox`).
 */
const transactionItem = /[{,]\s*(Put|Update|Delete|ConditionCheck|Get)\s*(?=[:,}])/g;
const transactionItemActions: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** The item actions, as IAM names them, of the transaction items `source` builds. */
export const transactionItemActionsIn = (source: string): string[] =>
  [...new Set([...source.matchAll(transactionItem)].map(([, item]) => transactionItemActions[item]))].sort();

/**
 * The DynamoDB actions, as IAM names them, that a function's code can call: the commands (and paginators)
 * its reachable modules import from the document client or the low-level client, and the item actions of
 * the transaction items (`{ Put: ... }`, `{ Update: ... }`, ...) any of them builds.
 */
export function dynamoActionsOf(entry: string): string[] {
  const actions = new Set<string>();
  for (const module of reachableModules(entry)) {
    const { names } = importsOf(module);
    const commands = [
      ...(names['@aws-sdk/lib-dynamodb'] ?? []),
      ...(names['@aws-sdk/client-dynamodb'] ?? []),
    ];
    for (const command of commands) if (dynamoCommands[command]) actions.add(dynamoCommands[command]);
    const source = readFileSync(join(root, module), 'utf8');
    for (const action of transactionItemActionsIn(source)) actions.add(action);
  }
  return [...actions].sort();
}
