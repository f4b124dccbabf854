/**
 * The module of the stack's Powertools layer (infra/settings.ts `powertoolsLayer`): what the functions
 * import from Powertools' logger, metrics and commons, bundled by `buildPowertoolsLayer` (infra/bundles.ts)
 * into one minified ESM file (see docs/design.md#bundles). Everything the aliased packages export is
 * exported here, under the same names.
 */
export * from '@aws-lambda-powertools/commons';
export * from '@aws-lambda-powertools/logger';
export * from '@aws-lambda-powertools/metrics';
