import { bundleFunctions } from '#infra/bundles.ts';
import { functionEntries } from '#infra/topology.ts';
const want = process.argv[2] ?? 'announcer';
const bundles = await bundleFunctions(functionEntries().filter(([n]) => n === want).map(([name, spec]) => ({ name, entry: spec.entry })));
for (const b of bundles) {
  console.log(b.name, (b.bytes / 1024).toFixed(1), 'KB');
  for (const [p, n] of Object.entries(b.parts).sort((a, c) => c[1] - a[1]).slice(0, 45)) console.log(`  ${(n / 1024).toFixed(1)}\t${p}`);
}
