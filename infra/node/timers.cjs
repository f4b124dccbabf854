// biome-ignore lint/style/useNodejsImportProtocol: 'node:timers' is the aliased name and would resolve to this file.
module.exports = require('timers');
