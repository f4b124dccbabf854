// biome-ignore lint/style/useNodejsImportProtocol: 'node:stream' is the aliased name and would resolve to this file.
module.exports = require('stream');
