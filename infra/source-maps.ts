import { readFileSync, writeFileSync } from 'node:fs';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

/**
 * Keeps in a bundle's source map only the mappings into the project's own files (a frame inside a
 * package keeps its bundle position), with the names they use: what Node decodes when it first
 * formats a stack trace (see `bundling.sourceMap` in infra/bundles.ts). CDK runs this file on each
 * function's map after esbuild (`node infra/source-maps.ts <map file>`, infra/app-function.ts).
 * Written here, over @jridgewell/sourcemap-codec's decoding, because esbuild cannot leave packages
 * out of a map and CDK's NodejsFunction takes no esbuild plugins.
 */
export function ownSourceMap(mapFile: string): void {
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as {
    sources: string[];
    names: string[];
    mappings: string;
  };
  const sources: string[] = [];
  const names: string[] = [];
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const indexOf = (index: Map<number, number>, list: string[], from: string[], at: number) => {
    let kept = index.get(at);
    if (kept === undefined) {
      kept = list.push(from[at]) - 1;
      index.set(at, kept);
    }
    return kept;
  };
  // A package's code becomes an unmapped column, so that what follows the project's code is not
  // taken for it; one such column after each mapped run is enough, the rest are left out.
  let mapped = false;
  const lines = decode(map.mappings).map((segments) =>
    segments.flatMap((segment): SourceMapSegment[] => {
      if (segment.length === 1 || /(^|\/)node_modules\//.test(map.sources[segment[1]])) {
        if (!mapped) return [];
        mapped = false;
        return [[segment[0]]];
      }
      mapped = true;
      const [column, source, line, sourceColumn] = segment;
      const kept = indexOf(sourceIndex, sources, map.sources, source);
      return [
        segment.length === 5
          ? [column, kept, line, sourceColumn, indexOf(nameIndex, names, map.names, segment[4])]
          : [column, kept, line, sourceColumn],
      ];
    }),
  );
  writeFileSync(mapFile, JSON.stringify({ ...map, sources, names, mappings: encode(lines) }));
}

if (import.meta.main) for (const file of process.argv.slice(2)) ownSourceMap(file);
