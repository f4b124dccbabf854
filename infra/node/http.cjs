// What a bundle's `import ... from 'node:http'` resolves to (infra/bundles.ts `alias`, as for every
// built-in here): the module through require, so its exports are read when used, not all at once when
// the import is linked.
// biome-ignore lint/style/useNodejsImportProtocol: 'node:http' is the aliased name and would resolve to this file.
module.exports = require('http');
