// biome-ignore lint/style/useNodejsImportProtocol: 'node:https' is the aliased name and would resolve to this file.
module.exports = require('https');
