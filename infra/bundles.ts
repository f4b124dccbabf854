import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type BuildOptions, build, buildSync } from 'esbuild';
import { powertoolsLayer } from './settings.ts';
import { ownSourceMap } from './source-maps.ts';

/**
 * How each function is bundled (see docs/design.md#bundles). CDK's NodejsFunction (app-function.ts)
 * bundles with these settings; `bundleFunctions` runs esbuild with the same ones and reads its
 * metafile, so a test can hold each bundle to what its function needs and the bench can weigh it.
 */
export const bundling = {
  format: 'esm',
  target: 'node24',
  minify: true,
  /**
   * Each bundle ships its source map (without the sources), trimmed to the project's own files
   * (infra/source-maps.ts), and runs with Node's source maps on, so a stack trace names the project's
   * file and line. Node reads the map as it loads the bundle (with measuring the bundle's lines, about
   * 5 ms of init, which the bench's init rows include) and decodes it when it first formats a stack
   * trace: a full map (600 to 800 KB, most of it the SDK's) took 42 to 60 ms and kept 9 to 11 MB of
   * heap, the project's part 9 to 15 ms and 1 to 1.5 MB.
   */
  sourceMap: true,
  nodeOptions: '--enable-source-maps',
  mainFields: ['module', 'main'],
  /**
   * Statements labelled `DOCS:` are left out: each event's description and sample (`describeEvent`),
   * which only the catalogue, docs and tests read.
   */
  dropLabels: ['DOCS'],
  /**
   * No "legal" comments at the bundle's end: the only ones the bundled packages carry are coverage hints
   * (`v8 ignore ... -- @preserve` in Powertools' parameters), which esbuild keeps as legal comments by
   * their `@preserve`. They were 265 bytes of the tours bundle, parsed at every cold start.
   */
  legalComments: 'none',
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  /**
   * Never loaded on Lambda, so left out of every bundle: the SDK's default credential chain takes the
   * role's credentials from the environment first and only imports these (dynamically) when that fails.
   */
  onDemandModules: [
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/credential-provider-http',
    '@aws-sdk/nested-clients',
    '@aws-sdk/token-providers',
    '@smithy/credential-provider-imds',
  ],
  /**
   * Static imports of node built-ins go through `require`, each through its shim in `infra/node/`: an ESM
   * import builds the module's namespace, which reads every export at link time, getters included
   * (`node:http`'s lazy `WebSocket` loads undici, about 50 ms of init on Node 24). With `require`, an
   * export is read only when used: the built-ins the bundles import took about 18 ms of CPU to load
   * through `require` against 29 ms as ESM imports (see docs/design.md#bundles).
   */
  nodeAliases: Object.fromEntries(
    [
      'console',
      'crypto',
      'fs',
      'fs/promises',
      'http',
      'https',
      'os',
      'path',
      'process',
      'stream',
      'timers',
      'url',
      'zlib',
    ].map((name) => [`node:${name}`, `./infra/node/${name.replace('/', '-')}.cjs`]),
  ) as Record<string, string>,
  /**
   * Packages whose bundled part is ours: fast-xml-parser's import of is-unsafe, which would build every
   * context the package has where the parser takes two (infra/packages/is-unsafe.js says why), and
   * temporal-polyfill's zoned and plain date-time functions without their wrappers of a native Temporal,
   * which Node 24 does not have (infra/packages/temporal-zoned-date-time.js says why).
   */
  packageAliases: {
    'is-unsafe': './infra/packages/is-unsafe.js',
    'temporal-polyfill/fns/ZonedDateTime': './infra/packages/temporal-zoned-date-time.js',
    'temporal-polyfill/fns/PlainDateTime': './infra/packages/temporal-plain-date-time.js',
  } as Record<string, string>,
  /**
   * Powertools' logger, metrics and commons are imported from the stack's layer (infra/settings.ts): each
   * package is an alias of the layer's one module, which every bundle leaves out.
   */
  layerAliases: Object.fromEntries(
    powertoolsLayer.packages.map((name) => [name, powertoolsLayer.module]),
  ) as Record<string, string>,
} as const;

/** Every alias a function's bundle is built with: the node built-ins' shims, the packages' and the layer's module. */
export const aliases: Readonly<Record<string, string>> = {
  ...bundling.nodeAliases,
  ...bundling.packageAliases,
  ...bundling.layerAliases,
};

/** What every bundle leaves out: on Lambda it is either never loaded or found in the layer. */
export const externalModules: readonly string[] = [...bundling.onDemandModules, powertoolsLayer.module];

/**
 * How a function imports a file the topology ships beside its bundle (`besideBundle`): esbuild leaves
 * this import path as it is, and the file is copied next to the bundle, as it sits next to the entry.
 */
export const besideBundleImport = (file: string) => `./${file}`;

/** The repository root: entries in the topology are relative to it, and the lock file pins what is bundled. */
export const projectRoot = join(import.meta.dirname, '..');

export interface FunctionBundle {
  name: string;
  bytes: number;
  /** What the bundle holds, by npm package (`zod`, `@aws-sdk/client-dynamodb`) or project file, with the bytes each adds. */
  parts: Record<string, number>;
  /** Every module in it: project files relative to the root, package files as `node_modules/...`. */
  modules: string[];
  /** What the bundle still imports when it runs (node built-ins, externals), and how. */
  imports: { path: string; kind: string }[];
  /** The bundle's file, when written. */
  file?: string;
  /**
   * Where the bundle's text passes ASCII (a few characters around each, at most five). esbuild escapes
   * such characters in strings but keeps them in a tagged template's text; one of them makes Node
   * decode the whole bundle from UTF-8 into a two-byte string at every cold start (docs/design.md#bundles).
   */
  beyondAscii: string[];
}

/** The npm package a bundled module belongs to, or the project file itself. */
export function partOf(modulePath: string): string {
  const inPackage = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(modulePath);
  return inPackage ? inPackage[1] : modulePath;
}

/** The settings CDK gives esbuild (above), shared by the functions' bundles and the layer's module. */
const esbuildSettings: BuildOptions = {
  absWorkingDir: projectRoot,
  bundle: true,
  platform: 'node',
  format: bundling.format,
  target: bundling.target,
  minify: bundling.minify,
  mainFields: [...bundling.mainFields],
  dropLabels: [...bundling.dropLabels],
  legalComments: bundling.legalComments,
  banner: { js: bundling.banner },
};

/**
 * Bundles every given entry in one esbuild run (shared parsing), as CDK would, and answers what each
 * bundle holds. With `outdir`, the bundles are written there as `<name>.mjs` (to load them). With
 * `inline`, Powertools is bundled too: what each function would weigh without the layer.
 */
export async function bundleFunctions(
  entries: { name: string; entry: string; besideBundle?: string[] }[],
  options: { outdir?: string; inline?: boolean } = {},
): Promise<FunctionBundle[]> {
  const outdir = options.outdir ?? join(projectRoot, 'node_modules', '.cache', 'backline-bundles');
  // Every bundle is written to the one outdir, so the files shipped beside them are too.
  const beside = entries.flatMap(({ entry, besideBundle = [] }) =>
    besideBundle.map((file) => ({ file, from: join(projectRoot, dirname(entry), file) })),
  );
  const result = await build({
    entryPoints: Object.fromEntries(entries.map(({ name, entry }) => [name, join(projectRoot, entry)])),
    ...esbuildSettings,
    alias: options.inline ? { ...bundling.nodeAliases, ...bundling.packageAliases } : { ...aliases },
    external: [
      ...(options.inline ? bundling.onDemandModules : externalModules),
      ...beside.map(({ file }) => besideBundleImport(file)),
    ],
    outdir,
    outExtension: { '.js': '.mjs' },
    sourcemap: bundling.sourceMap,
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  if (options.outdir) {
    mkdirSync(options.outdir, { recursive: true });
    for (const file of result.outputFiles) {
      writeFileSync(file.path, file.contents);
      if (file.path.endsWith('.map')) ownSourceMap(file.path);
    }
    for (const { file, from } of beside) copyFileSync(from, join(options.outdir, file));
  }
  return entries.map(({ name }) => {
    const path = relative(projectRoot, join(outdir, `${name}.mjs`));
    const output = result.metafile.outputs[path];
    const written = result.outputFiles.find((file) => file.path === join(projectRoot, path));
    if (!output || !written) throw new Error(`esbuild wrote no ${path}`);
    const parts: Record<string, number> = {};
    for (const [module, input] of Object.entries(output.inputs)) {
      parts[partOf(module)] = (parts[partOf(module)] ?? 0) + input.bytesInOutput;
    }
    return {
      name,
      bytes: output.bytes,
      parts,
      modules: Object.keys(output.inputs),
      imports: output.imports.map(({ path, kind }) => ({ path, kind })),
      beyondAscii: [...written.text.matchAll(/.{0,30}\P{ASCII}+.{0,10}/gu)]
        .slice(0, 5)
        .map(([excerpt]) => excerpt),
      ...(options.outdir ? { file: join(options.outdir, `${name}.mjs`) } : {}),
    };
  });
}

/** Where the layer's module sits in the layer: Lambda resolves bare imports from `/opt/nodejs/node_modules`. */
export const layerModuleDir = (layerDir: string): string =>
  join(layerDir, 'nodejs', 'node_modules', ...powertoolsLayer.module.split('/'));

/**
 * Builds the Powertools layer into `layerDir` (the root of the layer's zip): `infra/powertools-layer.ts`
 * bundled with the functions' settings into one minified ESM file, and a package.json that maps the
 * module to it. Synchronous, as CDK's
 * local bundling of the layer's asset must be (infra/app-function.ts). Answers the file and its size.
 */
export function buildPowertoolsLayer(layerDir: string): { file: string; bytes: number; modules: string[] } {
  const dir = layerModuleDir(layerDir);
  const file = join(dir, 'index.mjs');
  const result = buildSync({
    entryPoints: [join(projectRoot, 'infra', 'powertools-layer.ts')],
    ...esbuildSettings,
    alias: { ...bundling.nodeAliases, 'node:crypto': './infra/node/crypto-on-use.cjs' },
    outfile: file,
    metafile: true,
    logLevel: 'error',
  });
  const exports = { '.': './index.mjs' };
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: powertoolsLayer.module, private: true, type: 'module', exports }, null, 2)}\n`,
  );
  const [output] = Object.values(result.metafile.outputs);
  return { file, bytes: output.bytes, modules: Object.keys(output.inputs) };
}

/** The SDK client class each client package exports. */
const clientClasses: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-kms': 'KMSClient',
  '@aws-sdk/client-scheduler': 'SchedulerClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-sesv2': 'SESv2Client',
  '@aws-sdk/client-sqs': 'SQSClient',
};

/** The SDK client packages a bundle holds. */
export const sdkClientsOf = (bundle: FunctionBundle): string[] =>
  Object.keys(bundle.parts)
    .filter((part) => part in clientClasses)
    .sort();

/**
 * The floor a function's bundle is weighed against: a module that only builds the same SDK clients
 * (and the document client, when it uses DynamoDB) and does nothing else.
 */
export function sdkOnlySource(clients: string[]): string {
  const lines = clients.flatMap((client) => [
    `import { ${clientClasses[client]} } from '${client}';`,
    `export const ${clientClasses[client]}Instance = new ${clientClasses[client]}({});`,
  ]);
  if (clients.includes('@aws-sdk/client-dynamodb')) {
    lines.push(
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      'export const documents = DynamoDBDocumentClient.from(DynamoDBClientInstance);',
    );
  }
  lines.push('export const handler = async () => ({});');
  return `${lines.join('\n')}\n`;
}

/**
 * How far past its SDK-only floor a function's bundle may weigh, in KB (1,024 bytes): the size target the
 * bundles test holds every bundle to and `npm run bench bundles` reports (see docs/design.md#bundles).
 */
export const sizeOverFloorKb = 150;

/** Where the SDK-only floors' entries are written: under node_modules, so their imports of the SDK resolve. */
const floorsDir = join(projectRoot, 'node_modules', '.cache', 'backline-sdk-only');

/**
 * Each bundle's floor (`sdkOnlySource`), by function name: one entry per set of SDK clients the bundles
 * hold, named `sdk-only-<n>` in the order the bundles first hold it, all built in one esbuild run with
 * the functions' settings. The name is in each floor's bytes (its source map's URL), so the bench and
 * the test weigh the same floors. Each run writes its entries to its own folder, removed after: the
 * cache is shared by every checkout that links this node_modules.
 */
export async function sdkOnlyFloors(
  bundles: FunctionBundle[],
  options: { outdir?: string } = {},
): Promise<Map<string, FunctionBundle>> {
  const clientSets = [...new Set(bundles.map((bundle) => sdkClientsOf(bundle).join(',')))];
  mkdirSync(floorsDir, { recursive: true });
  const entriesDir = mkdtempSync(join(floorsDir, 'run-'));
  try {
    const floors = await bundleFunctions(
      clientSets.map((set, index) => {
        const entry = join(entriesDir, `sdk-only-${index}.ts`);
        writeFileSync(entry, sdkOnlySource(set === '' ? [] : set.split(',')));
        return { name: `sdk-only-${index}`, entry: relative(projectRoot, entry) };
      }),
      options,
    );
    return new Map(
      bundles.map((bundle) => [bundle.name, floors[clientSets.indexOf(sdkClientsOf(bundle).join(','))]]),
    );
  } finally {
    rmSync(entriesDir, { recursive: true, force: true });
  }
}
