// biome-ignore lint/style/useNodejsImportProtocol: 'node:process' is the aliased name and would resolve to this file.
module.exports = require('process');
