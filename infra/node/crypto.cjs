// biome-ignore lint/style/useNodejsImportProtocol: 'node:crypto' is the aliased name and would resolve to this file.
module.exports = require('crypto');
