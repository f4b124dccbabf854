// biome-ignore lint/style/useNodejsImportProtocol: 'node:path' is the aliased name and would resolve to this file.
module.exports = require('path');
