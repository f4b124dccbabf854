import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildPowertoolsLayer,
  bundleFunctions,
  bundling,
  layerModuleDir,
  sdkClientsOf,
  sdkOnlyFloors,
  sizeOverFloorKb,
} from '#infra/bundles.ts';
import { functionEntries } from '#infra/topology.ts';
import { initEnvironment } from '#test/support/bundles.ts';
import { reportRows, row, targets } from './rows.ts';

/**
 * Each function's bundle, built as CDK builds it (infra/bundles.ts): what it holds, its size, and its
 * module init time (a fresh node importing it, the least of `BENCH_INIT_RUNS` runs), each against
 * its floor: a bundle that only builds the same SDK clients. Prints the largest parts of each bundle.
 * The size is what is deployed: Powertools is left to the stack's layer, so a row beside it says what
 * it would add if it were bundled, and a row weighs the layer. Init imports the layer all the same:
 * the bundles find the layer's module, built as CDK builds it, in `node_modules` next to them, as a
 * function finds it in /opt/nodejs/node_modules.
 */
const runs = Number(process.env.BENCH_INIT_RUNS ?? 15);
const outdir = mkdtempSync(join(tmpdir(), 'backline-bundles-'));
// The layer, as Lambda lays it out under /opt: its nodejs/node_modules is where the bundles' imports of it resolve.
const layer = buildPowertoolsLayer(outdir);
symlinkSync(join(layerModuleDir(outdir), '..', '..'), join(outdir, 'node_modules'), 'dir');

/** Milliseconds a fresh node spends importing `file`. */
function importMs(file: string): number {
  const run = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      'const t = performance.now(); await import(process.env.BUNDLE); process.stdout.write(String(performance.now() - t));',
    ],
    // As Lambda runs it: with the function's NODE_OPTIONS (source maps on) and its map beside it.
    {
      env: { ...process.env, ...initEnvironment, NODE_OPTIONS: bundling.nodeOptions, BUNDLE: file },
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
  return Number(run.stdout);
}

/**
 * Init of a bundle and of its floor, taken in turns (so both see the same load), the least of `runs`
 * each: on a shared machine other work only ever adds time.
 */
function initMs(file: string, floorFile: string): { ms: number; floorMs: number } {
  let ms = Number.POSITIVE_INFINITY;
  let floorMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    floorMs = Math.min(floorMs, importMs(floorFile));
    ms = Math.min(ms, importMs(file));
  }
  return { ms, floorMs };
}

try {
  const bundles = await bundleFunctions(
    functionEntries().map(([name, spec]) => ({ name, entry: spec.entry, besideBundle: spec.besideBundle })),
    { outdir },
  );
  const inlined = await bundleFunctions(
    functionEntries().map(([name, spec]) => ({ name, entry: spec.entry, besideBundle: spec.besideBundle })),
    {
      inline: true,
    },
  );
  const layerBytes = (name: string, bytes: number) => inlined.find((b) => b.name === name)!.bytes - bytes;
  const floors = await sdkOnlyFloors(bundles, { outdir });

  const kb = (bytes: number) => bytes / 1024;
  const rows = [];
  let largest = { name: '', bytes: 0, floor: 0 };
  let slowest = { name: '', ms: 0, floor: 0 };
  for (const bundle of bundles) {
    const floor = floors.get(bundle.name)!;
    const { ms, floorMs } = initMs(bundle.file!, floor.file!);
    const clients = sdkClientsOf(bundle)
      .map((client) => client.replace('@aws-sdk/client-', ''))
      .join(', ');
    const layer = layerBytes(bundle.name, bundle.bytes);
    console.log(
      `${bundle.name}: ${kb(bundle.bytes).toFixed(0)} KB (SDK only ${kb(floor.bytes).toFixed(0)} KB: ${clients || 'no clients'}; from the layer ${kb(layer).toFixed(0)} KB more)`,
    );
    const parts = Object.entries(bundle.parts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10);
    console.log(`    ${parts.map(([part, bytes]) => `${part} ${kb(bytes).toFixed(1)}`).join(', ')}`);
    rows.push(
      row(
        `bundle-size-${bundle.name}`,
        `bundle size, ${bundle.name}`,
        kb(bundle.bytes),
        'KB',
        kb(floor.bytes),
        targets.overFloorAtMost(sizeOverFloorKb, 'KB'),
        `floor: SDK only (${clients || 'no clients'})`,
      ),
      row(
        `layer-${bundle.name}`,
        `Powertools from the layer, ${bundle.name}`,
        kb(layer),
        'KB',
        null,
        targets.none,
        'not in the bundle: what the layer modules it imports would add if bundled (the layer is shared, deployed once)',
      ),
      row(
        `init-${bundle.name}`,
        `module init, ${bundle.name}`,
        ms,
        'ms',
        floorMs,
        targets.ratioAtMost(1.3),
        `least of ${runs} fresh node processes importing the bundle and the layer modules it imports, as deployed (${bundling.nodeOptions}, the bundle's map of the project's own files), taken in turns with its floor`,
      ),
    );
    if (bundle.bytes > largest.bytes)
      largest = { name: bundle.name, bytes: bundle.bytes, floor: floor.bytes };
    if (ms / floorMs > slowest.ms / (slowest.floor || 1)) slowest = { name: bundle.name, ms, floor: floorMs };
  }
  rows.unshift(
    row(
      'layer-size',
      'Powertools layer (logger, metrics, commons in one module)',
      kb(layer.bytes),
      'KB',
      null,
      targets.none,
      'deployed once per stack, beside every function',
    ),
    row(
      'init-worst',
      `module init, worst function (${slowest.name})`,
      slowest.ms,
      'ms',
      slowest.floor,
      targets.ratioAtMost(1.3),
      'the function whose init is furthest above its SDK-only floor',
    ),
    row(
      'bundle-size-largest',
      `largest bundle (${largest.name})`,
      kb(largest.bytes),
      'KB',
      kb(largest.floor),
      targets.overFloorAtMost(sizeOverFloorKb, 'KB'),
    ),
  );
  reportRows(rows);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
