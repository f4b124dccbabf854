import { join } from 'node:path';
import { build } from 'esbuild';
import { bundling, projectRoot } from '#infra/bundles.ts';

const entry = process.argv[2] ?? 'functions/announcer/handler.ts';
const cut = (process.argv[3] ?? 'infra/topology.ts').split(',');
const r = await build({
  entryPoints: [join(projectRoot, entry)],
  absWorkingDir: projectRoot,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  external: [...bundling.externalModules],
  write: false,
  metafile: true,
  outfile: '/tmp/x.mjs',
  logLevel: 'error',
});
const inputs = r.metafile.inputs;
const out = Object.values(r.metafile.outputs)[0];
const seen = new Set<string>();
const stack = [entry];
while (stack.length) {
  const m = stack.pop()!;
  if (seen.has(m) || cut.includes(m)) continue;
  seen.add(m);
  for (const i of inputs[m]?.imports ?? []) if (i.path in inputs) stack.push(i.path);
}
let dropped = 0;
const list: [string, number][] = [];
for (const [m, i] of Object.entries(out.inputs))
  if (!seen.has(m)) {
    dropped += i.bytesInOutput;
    list.push([m, i.bytesInOutput]);
  }
console.log(
  'total',
  (out.bytes / 1024).toFixed(1),
  'only via',
  cut.join(','),
  (dropped / 1024).toFixed(1),
  'KB',
);
for (const [m, b] of list.sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log('  ', (b / 1024).toFixed(1), m);
