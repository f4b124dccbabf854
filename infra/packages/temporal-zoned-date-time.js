// temporal-polyfill's ZonedDateTime functions as the bundles hold them (an esbuild alias, infra/bundles.ts):
// the package's `fns/ZonedDateTime` picks each function at load between its polyfill and a wrapper of a
// native Temporal (`NativeTemporal ? native : polyfill`), which esbuild cannot settle at bundling, so every
// bundle held both. Node 24 has no Temporal (Lambda's nodejs24.x neither), so the wrappers never ran:
// with the chunk of their helpers that they import, they were 2 KB of each bundle that reads a zone
// (see docs/design.md#bundles). These are the polyfill's own functions, as the package's module exports
// them where there is no native Temporal; test/infra/bundles.test.ts holds them to the package's answers.
export {
  create$1 as create,
  getTimeZoneTransition,
  offsetNanoseconds,
  toPlainDateTime,
} from '../../node_modules/temporal-polyfill/chunks/funcApi-shim.js';
