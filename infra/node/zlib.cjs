// biome-ignore lint/style/useNodejsImportProtocol: 'node:zlib' is the aliased name and would resolve to this file.
module.exports = require('zlib');
