// biome-ignore lint/style/useNodejsImportProtocol: 'node:os' is the aliased name and would resolve to this file.
module.exports = require('os');
