// biome-ignore lint/style/useNodejsImportProtocol: 'node:console' is the aliased name and would resolve to this file.
module.exports = require('console');
