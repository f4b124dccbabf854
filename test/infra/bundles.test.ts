import { execSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { besideBundleCommands } from '#infra/app-function.ts';
import {
  besideBundleImport,
  buildPowertoolsLayer,
  bundleFunctions,
  bundling,
  type FunctionBundle,
  layerModuleDir,
  partOf,
  projectRoot,
  sdkClientsOf,
  sdkOnlyFloors,
  sizeOverFloorKb,
} from '#infra/bundles.ts';
import { powertoolsLayer } from '#infra/settings.ts';
import { type FunctionName, type FunctionSpec, functionEntries } from '#infra/topology.ts';
import { webhookKey } from '#shared/db/webhooks.ts';
import { catalogue } from '#shared/events/index.ts';
import { initEnvironment } from '#test/support/bundles.ts';
import { aReleaseWebhook } from '#test/support/intake.ts';

/**
 * Each function's bundle, built as CDK builds it, read through esbuild's metafile: it holds what its
 * function needs and nothing that only another function, the infrastructure or the tests need
 * (see docs/design.md#bundles). `npm run bench bundles` prints what each one holds and weighs it.
 */
const { dependencies, devDependencies } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string }>;
};

/** The npm package an import names (`zod/mini` is `zod`). */
const packageOf = (path: string) => partOf(`node_modules/${path}`);
/** The Powertools packages a function loads from the stack's layer (the rest of Powertools it uses is bundled). */
const layerPackages = new Set<string>(powertoolsLayer.packages);
/** Whether an import names the layer's module. */
const fromLayer = (path: string) => packageOf(path) === powertoolsLayer.module;

/** The SDK client each kind of grant needs: a bundle holding a client its grants never use carries dead weight. */
const clientsFor = (may: FunctionSpec['may']): string[] => {
  const clients = new Set<string>();
  for (const permission of may) {
    if (permission.startsWith('table:')) clients.add('@aws-sdk/client-dynamodb');
    if (permission === 'ses:send') clients.add('@aws-sdk/client-sesv2');
    if (permission.startsWith('events:put:')) clients.add('@aws-sdk/client-eventbridge');
    if (permission === 'schedules:manage') clients.add('@aws-sdk/client-scheduler');
    if (permission.startsWith('secrets:read:')) clients.add('@aws-sdk/client-secrets-manager');
    if (permission.startsWith('webhook-secrets:')) clients.add('@aws-sdk/client-kms');
  }
  return [...clients].sort();
};

describe('function bundles', () => {
  const specs = new Map(functionEntries());
  let bundles: FunctionBundle[];
  beforeAll(async () => {
    bundles = await bundleFunctions(
      functionEntries().map(([name, spec]) => ({ name, entry: spec.entry, besideBundle: spec.besideBundle })),
    );
  });
  const each = (check: (bundle: FunctionBundle, spec: FunctionSpec) => void) => () => {
    for (const bundle of bundles) check(bundle, specs.get(bundle.name as never)!);
  };

  it(
    'holds exactly the SDK clients that its function is granted the use of',
    each((bundle, spec) => {
      expect({ [bundle.name]: sdkClientsOf(bundle) }).toEqual({ [bundle.name]: clientsFor(spec.may) });
    }),
  );

  it(`weighs at most its SDK-only floor (a bundle that only builds the same SDK clients) + ${sizeOverFloorKb} KB`, async () => {
    const floors = await sdkOnlyFloors(bundles);

    const figure = (bytes: number) => bytes.toLocaleString('en');
    const past = bundles.flatMap((bundle) => {
      const floor = floors.get(bundle.name)!.bytes;
      const limit = floor + sizeOverFloorKb * 1024;
      return bundle.bytes > limit
        ? [
            `${bundle.name}: ${figure(bundle.bytes)} bytes, past its limit of ${figure(limit)} (SDK-only floor ${figure(floor)} + ${sizeOverFloorKb} KB)`,
          ]
        : [];
    });

    expect(past).toEqual([]);
  });

  it(
    "holds zod's English messages where it shows a person their input's issues (a route's 4xx, an import's rejected rows), and a function that only consumes events leaves them out",
    each((bundle, spec) => {
      const validates = bundle.modules.some((module) => module.startsWith('node_modules/zod/'));
      const showsIssues =
        spec.on.some((trigger) => trigger.kind === 'http') || bundle.modules.includes('shared/outlet-csv.ts');
      const messages = bundle.modules.includes('node_modules/zod/v4/locales/en.js');
      if (validates && showsIssues) expect({ [bundle.name]: messages }).toEqual({ [bundle.name]: true });
      // The publisher parses recorded webhooks with intake's own parser, whose errors carry messages.
      if (!showsIssues && !bundle.modules.includes('shared/webhooks.ts'))
        expect({ [bundle.name]: messages }).toEqual({ [bundle.name]: false });
    }),
  );

  it(
    'holds only what runs on Lambda: no dev dependency, no CDK, no local cloud or test module',
    each((bundle) => {
      const buildOnly = new Set(['aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild']);
      const packages = Object.keys(bundle.parts).filter(
        (part) => !/^(functions|shared|infra|test)\//.test(part),
      );
      const notForRuntime = packages.filter(
        (name) => buildOnly.has(name) || (name in devDependencies && !(name in dependencies)),
      );
      // The topology and the settings it declares for running code are the infrastructure modules code may read.
      const outsideCode = bundle.modules.filter(
        (module) =>
          !module.includes('node_modules/') &&
          !/^(functions|shared)\//.test(module) &&
          module !== 'infra/topology.ts' &&
          module !== 'infra/function-settings.ts' &&
          !module.startsWith('infra/node/') &&
          !module.startsWith('infra/packages/'),
      );
      expect({ [bundle.name]: [...notForRuntime, ...outsideCode] }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    'keeps the mail templates out of every function: a sender names its template (template-names.ts), SES renders it',
    each((bundle) => {
      const templates = bundle.modules.filter((m) =>
        /^shared\/mail\/(templates|budget-templates)\.ts$/.test(m),
      );
      expect({ [bundle.name]: templates }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    "holds is-unsafe's HTML and XML contexts alone, the two fast-xml-parser checks with (infra/packages/is-unsafe.js)",
    each((bundle) => {
      const contexts = bundle.modules.filter((m) =>
        /is-unsafe\/src\/(?!contexts\/(html|xml)\.js|util\/)/.test(m),
      );
      expect({ [bundle.name]: contexts }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    "keeps zod's translations of its messages out (only the English ones are used)",
    each((bundle) => {
      const locales = bundle.modules.filter((m) => /zod\/v4\/locales\/(?!en\.js|index\.js)/.test(m));
      expect({ [bundle.name]: locales }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    "holds zod's functional API only",
    each((bundle) => {
      const classic = bundle.modules.filter((m) => /zod\/v4\/classic\//.test(m));
      expect({ [bundle.name]: classic }).toEqual({ [bundle.name]: [] });
    }),
  );

  /**
   * Code of another area, by module or package, that a function must not bundle (see
   * docs/design.md#bundles): the manager's API is two functions, each with its own areas; the tours
   * function serves no page (recipients serves the tour pages) and writes no opt-out. The office asks
   * the labels store only whether a label exists (`dynamoLabelExistence`), so it holds no sealing of
   * their secrets and no KMS.
   */
  const otherAreas: Partial<Record<FunctionName, string[]>> = {
    management: ['shared/db/budgets.ts', 'shared/db/tours.ts', 'shared/ics.ts', 'temporal-polyfill'],
    office: [
      'shared/outlet-csv.ts',
      'shared/sealing.ts',
      'shared/kms.ts',
      'shared/db/jobs.ts',
      'shared/db/outlet-changes.ts',
    ],
    tours: ['@middy/http-router', 'functions/recipients/tour-pages.ts', 'shared/db/opt-outs.ts'],
  };

  it(
    'keeps the code of other areas out of each function',
    each((bundle) => {
      const held = (otherAreas[bundle.name as FunctionName] ?? []).filter((part) => part in bundle.parts);
      expect({ [bundle.name]: held }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    'writes calendars only in the functions that serve or mail them (office, tours)',
    each((bundle) => {
      const writes = 'shared/ics.ts' in bundle.parts;
      expect({ [bundle.name]: writes }).toEqual({ [bundle.name]: ['office', 'tours'].includes(bundle.name) });
    }),
  );

  it(
    "holds temporal-polyfill's function API only: no Temporal classes, which hold every type's methods",
    each((bundle) => {
      const classes = bundle.modules.filter((m) => /temporal-polyfill\/chunks\/classApi/.test(m));
      expect({ [bundle.name]: classes }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    "holds none of temporal-polyfill's wrappers of a native Temporal, which Node 24 does not have (infra/packages/temporal-zoned-date-time.js)",
    each((bundle) => {
      const wrappers = bundle.modules.filter((m) =>
        /temporal-polyfill\/chunks\/funcApi-native|temporal-utils\/dist\/diff/.test(m),
      );
      expect({ [bundle.name]: wrappers }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    "leaves Powertools' logger and metrics to the layer and loads no X-Ray SDK",
    each((bundle) => {
      const layered = bundle.modules.filter(
        (module) =>
          layerPackages.has(partOf(module)) ||
          /node_modules\/(@aws-lambda-powertools\/tracer|aws-xray-sdk)/.test(module),
      );
      const tracers = bundle.imports.filter((i) =>
        /^(@aws-lambda-powertools\/(tracer|commons|logger|metrics)|aws-xray-sdk)/.test(i.path),
      );
      expect({ [bundle.name]: [...layered, ...tracers] }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    'is ASCII: one character past it, kept in a tagged template, makes Node decode the whole bundle into a two-byte string at every cold start',
    each((bundle) => {
      expect({ [bundle.name]: bundle.beyondAscii }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    'imports no node built-in as a module namespace (linking one reads every export: node:http loads undici), only through require',
    each((bundle) => {
      const namespaceImports = bundle.imports.filter(
        (i) => isBuiltin(i.path) && i.kind === 'import-statement' && i.path !== 'node:module',
      );
      expect({ [bundle.name]: namespaceImports }).toEqual({ [bundle.name]: [] });
    }),
  );

  it(
    'imports at load only what Lambda provides: node built-ins and the layer; what Lambda never needs only on demand',
    each((bundle, spec) => {
      const atLoad = bundle.imports.filter(
        (i) =>
          !isBuiltin(i.path) &&
          i.kind !== 'dynamic-import' &&
          i.kind !== 'require-call' &&
          !fromLayer(i.path),
      );
      expect({ [bundle.name]: atLoad }).toEqual({ [bundle.name]: [] });
      const onDemand = bundle.imports.filter((i) => !isBuiltin(i.path) && !fromLayer(i.path));
      // Or, imported on first use, a file the topology ships beside the bundle.
      const onDemandModules = [
        ...bundling.onDemandModules,
        ...(spec.besideBundle ?? []).map(besideBundleImport),
      ];
      for (const external of onDemand) expect(onDemandModules).toContain(external.path);
    }),
  );

  it('ships the files a function reads beside its bundle, copied (not linked) by the command CDK runs after esbuild', () => {
    const outputDir = mkdtempSync(join(tmpdir(), 'backline-asset-'));
    try {
      const [[, health]] = functionEntries().filter(([name]) => name === 'health');
      expect(health.besideBundle).toEqual(['openapi.json']);
      for (const command of besideBundleCommands(health, projectRoot, outputDir)) execSync(command);
      const shipped = join(outputDir, 'openapi.json');
      expect(lstatSync(shipped).isSymbolicLink()).toBe(false);
      expect(readFileSync(shipped, 'utf8')).toBe(
        readFileSync(join(projectRoot, 'docs', 'openapi.json'), 'utf8'),
      );
    } finally {
      rmSync(outputDir, { recursive: true, force: true });
    }
  });

  it("installs one Powertools version for every package, so the layer's logger and metrics run on one commons", () => {
    const versions = Object.entries(lock.packages)
      .filter(([path]) => partOf(path).startsWith('@aws-lambda-powertools/'))
      .map(([, { version }]) => version);
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions).size).toBe(1);
  });

  it("answers temporal-polyfill's zoned and plain date-time functions in the bundles as the package's modules do", async () => {
    const ours = {
      zoned: await import(join(projectRoot, bundling.packageAliases['temporal-polyfill/fns/ZonedDateTime'])),
      plain: await import(join(projectRoot, bundling.packageAliases['temporal-polyfill/fns/PlainDateTime'])),
    };
    const real = {
      zoned: await import('temporal-polyfill/fns/ZonedDateTime'),
      plain: await import('temporal-polyfill/fns/PlainDateTime'),
    };
    // Wall times (year, month, day, hour, minute, as shared/calendar.ts reads them) in a DST gap (Berlin,
    // 29 March 2027) and overlap (31 October), a half-hour change (Lord Howe), a zone without changes now
    // (Istanbul), one west of UTC and UTC itself.
    const cases: [[number, number, number, number, number], string][] = [
      [[2027, 3, 28, 2, 30], 'Europe/Berlin'],
      [[2027, 10, 31, 2, 30], 'Europe/Berlin'],
      [[2027, 4, 4, 1, 45], 'Australia/Lord_Howe'],
      [[2027, 5, 1, 20, 0], 'Europe/Istanbul'],
      [[2027, 11, 7, 1, 30], 'America/New_York'],
      [[2027, 1, 1, 0, 0], 'UTC'],
    ];
    const answers = (fns: typeof real) =>
      cases.map(([wall, zone]) => {
        const zoned = fns.plain.toZonedDateTime(fns.plain.create(...wall), zone, {
          disambiguation: 'compatible',
        });
        const again = fns.zoned.create(BigInt(zoned.epochMilliseconds) * 1_000_000n, zone);
        const next = fns.zoned.getTimeZoneTransition(again, 'next');
        const previous = fns.zoned.getTimeZoneTransition(again, 'previous');
        const plain = fns.zoned.toPlainDateTime(again);
        return {
          epochMs: zoned.epochMilliseconds,
          wall: fns.plain.toBasicString(plain),
          // The records themselves, as the package's: their JSON and fields.
          records: [zoned.toJSON(), again.toJSON(), plain.toJSON()],
          fields: [again.timeZoneId, again.calendarId, again.year, again.monthCode, again.hour, plain.day],
          offsetNanoseconds: fns.zoned.offsetNanoseconds(again),
          next: next?.epochMilliseconds ?? null,
          previous: previous?.epochMilliseconds ?? null,
        };
      });

    expect(answers(ours)).toEqual(answers(real));
    expect(answers(ours).filter((answer) => answer.next !== null)).toHaveLength(4);
  });

  it("answers fast-xml-parser's is-unsafe check in the bundles as is-unsafe itself does", async () => {
    const real = await import('is-unsafe');
    const ours = await import(join(projectRoot, bundling.packageAliases['is-unsafe']));
    const values = [
      'Björk & the Sugarcubes',
      'AT&amp;T',
      'hello world',
      '<script>alert(1)</script>',
      '&lt;script&gt;alert(1)&lt;/script&gt;',
      '&#60;img src=x onerror=alert(1)&#62;',
      'javascript:alert(1)',
      '<![CDATA[x]]>',
      '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
      '<?xml-stylesheet href="x"?>',
      '<svg onload=alert(1)>',
      "'; DROP TABLE outlets; --",
      '$(rm -rf /)',
      '<a href="https://example.com">link</a>',
      ...[...real.HTML, ...real.XML].map((rule: { description: string }) => rule.description),
    ];
    const answers = (isUnsafe: typeof real.isUnsafe, lists: Parameters<typeof real.isUnsafe>[1]) =>
      values.map((value) => [value, isUnsafe(value, lists)]);
    expect(answers(ours.isUnsafe, [ours.HTML, ours.XML])).toEqual(
      answers(real.isUnsafe, [real.HTML, real.XML]),
    );
    expect(
      answers(ours.isUnsafe, [ours.HTML, ours.XML]).filter(([, unsafe]) => unsafe).length,
    ).toBeGreaterThan(5);
  });

  it('names every export of the built-ins whose shims require them on first use', () => {
    const require = createRequire(import.meta.url);
    for (const [builtin, shim] of [
      ['node:http', bundling.nodeAliases['node:http']],
      ['node:crypto', './infra/node/crypto-on-use.cjs'],
    ]) {
      const names = Object.keys(require(join(projectRoot, shim)));
      expect({ [builtin]: names.sort() }).toEqual({ [builtin]: Object.keys(require(builtin)).sort() });
    }
  });

  it('loads every bundle with the layer laid out as Lambda lays it out (its module in nodejs/node_modules)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backline-layer-'));
    try {
      const layer = buildPowertoolsLayer(dir);
      // The layer holds Powertools' logger, metrics and commons (with the invocation store commons reads), nothing else.
      const others = layer.modules.filter(
        (m) =>
          !layerPackages.has(partOf(m)) &&
          partOf(m) !== '@aws/lambda-invoke-store' &&
          !/^infra\/(powertools-layer\.ts|node\/)/.test(m),
      );
      expect(others).toEqual([]);
      // As /opt/nodejs/node_modules is to /var/task: where the bundles' bare imports of the layer resolve.
      symlinkSync(join(layerModuleDir(dir), '..', '..'), join(dir, 'node_modules'), 'dir');
      const written = await bundleFunctions(
        functionEntries().map(([name, spec]) => ({
          name,
          entry: spec.entry,
          besideBundle: spec.besideBundle,
        })),
        { outdir: dir },
      );
      const load = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          'for (const file of process.argv.slice(1)) await import(file);',
          ...written.map((bundle) => bundle.file!),
        ],
        { env: { ...process.env, ...initEnvironment, NODE_OPTIONS: bundling.nodeOptions }, encoding: 'utf8' },
      );
      expect({ status: load.status, stderr: load.stderr }).toEqual({ status: 0, stderr: '' });
      // No bundle holds an event's description (its DOCS statement is dropped): 2 to 5 KB of each.
      const described = catalogue.map((contract) => contract.description.slice(0, 40));
      for (const bundle of written) {
        const text = readFileSync(bundle.file!, 'utf8');
        expect({ [bundle.name]: described.filter((words) => text.includes(words)) }).toEqual({
          [bundle.name]: [],
        });
      }
      // The record of a mail that went after its claim was closed unsent (`markSentAfterClosed`, its update
      // below) is the settlement function's alone: the announcer marks asking, yet holds no such record.
      const closedSentRecord = 'SET messageId = :messageId, sentAt = :sentAt, updatedAt = :at';
      for (const bundle of written) {
        expect({ [bundle.name]: readFileSync(bundle.file!, 'utf8').includes(closedSentRecord) }).toEqual({
          [bundle.name]: bundle.name === 'settlement',
        });
      }
      // Each bundle's map, as deployed, holds the project's own files and no package's.
      for (const bundle of written) {
        const { sources } = JSON.parse(readFileSync(`${bundle.file}.map`, 'utf8')) as { sources: string[] };
        expect(sources.filter((source) => source.includes('node_modules/'))).toEqual([]);
        expect(sources.some((source) => source.endsWith(specs.get(bundle.name as never)!.entry))).toBe(true);
      }
      // node:http (for @middy/util's STATUS_CODES) and the layer's node:crypto (for Logger's log sampling)
      // are required when first used: health, which calls no AWS API, loads neither.
      const health = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "await import(process.argv[1]); process.stdout.write(JSON.stringify(['NativeModule http', 'NativeModule crypto'].filter((m) => process.moduleLoadList.includes(m))));",
          written.find((bundle) => bundle.name === 'health')!.file!,
        ],
        { env: { ...process.env, ...initEnvironment }, encoding: 'utf8' },
      );
      expect(health.stdout).toBe('[]');
      // Health reads the API document on its first request, from the file shipped beside its bundle.
      const document = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          [
            'const { handler } = await import(process.argv[1]);',
            "const request = { version: '2.0', routeKey: 'GET /openapi.json', rawPath: '/openapi.json', headers: {}, requestContext: { requestId: 'r', http: { method: 'GET', path: '/openapi.json' } } };",
            "const answer = await handler(request, { awsRequestId: 'r', functionName: 'health', getRemainingTimeInMillis: () => 3000 });",
            'process.stdout.write(JSON.stringify({ statusCode: answer.statusCode, openapi: JSON.parse(answer.body).openapi }));',
          ].join('\n'),
          written.find((bundle) => bundle.name === 'health')!.file!,
        ],
        { env: { ...process.env, ...initEnvironment }, encoding: 'utf8' },
      );
      expect({ stdout: document.stdout, stderr: document.stderr }).toEqual({
        stdout: JSON.stringify({ statusCode: 200, openapi: '3.1.0' }),
        stderr: '',
      });
      // The publisher loads the webhook parser on the first webhook record it takes from the stream.
      const webhookImage = marshall({
        ...webhookKey('lbl', 'msg_1'),
        entity: 'webhook',
        labelId: 'lbl',
        webhookId: 'msg_1',
        eventId: 'evt-msg_1',
        type: 'release.scheduled',
        body: JSON.stringify(aReleaseWebhook()),
        receivedAt: '2027-03-05T12:00:00.000Z',
        status: 'pending',
        expiresAt: 1_900_000_000,
      });
      const published = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          [
            'const { makeHandler } = await import(process.argv[1]);',
            'const events = [];',
            'const outbox = { markPublished: async () => true, markUnpublishable: async () => {}, markParked: async () => true, unpublishedBefore: async () => [], parkedCount: async () => 0 };',
            'const bus = { put: async (put) => { events.push(...put); return []; } };',
            'const log = { info: () => {}, warn: () => {}, error: (...logged) => process.stderr.write(JSON.stringify(logged)) };',
            'const handler = makeHandler({ outbox, bus, now: () => new Date(), log }, { record: () => {} });',
            "const record = { eventSource: 'aws:dynamodb', eventName: 'INSERT', dynamodb: { SequenceNumber: '1', NewImage: JSON.parse(process.argv[2]) } };",
            "const answer = await handler({ Records: [record] }, { awsRequestId: 'r', functionName: 'publisher', getRemainingTimeInMillis: () => 30000 });",
            'process.stdout.write(JSON.stringify({ answer, published: events.map((e) => [e.eventId, e.detailType]) }));',
          ].join('\n'),
          written.find((bundle) => bundle.name === 'publisher')!.file!,
          JSON.stringify(webhookImage),
        ],
        { env: { ...process.env, ...initEnvironment }, encoding: 'utf8' },
      );
      expect({ stdout: published.stdout, stderr: published.stderr }).toEqual({
        stdout: JSON.stringify({
          answer: { batchItemFailures: [] },
          published: [['evt-msg_1', 'Release Scheduled']],
        }),
        stderr: '',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
