// biome-ignore lint/style/useNodejsImportProtocol: 'node:url' is the aliased name and would resolve to this file.
module.exports = require('url');
