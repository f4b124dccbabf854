// temporal-polyfill's PlainDateTime functions as the bundles hold them (an esbuild alias, infra/bundles.ts):
// the polyfill's own, without the package's wrappers of a native Temporal, which Node 24 does not have
// (infra/packages/temporal-zoned-date-time.js says why). test/infra/bundles.test.ts holds them to the
// package's answers.
export {
  create$2 as create,
  toBasicString$2 as toBasicString,
  toZonedDateTime,
} from '../../node_modules/temporal-polyfill/chunks/funcApi-shim.js';
