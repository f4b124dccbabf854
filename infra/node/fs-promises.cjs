// biome-ignore lint/style/useNodejsImportProtocol: 'node:fs/promises' is the aliased name and would resolve to this file.
module.exports = require('fs/promises');
