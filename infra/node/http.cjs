// What a bundle's `import ... from 'node:http'` resolves to (infra/bundles.ts `alias`, as for every
// built-in here): node:http, required when one of its exports is first read. @middy/util imports its
// STATUS_CODES for error answers only and the SDK reaches AWS through node:https, so a function that
// answers without error and calls no AWS API (health) never loads node:http, net and streams (about
// 5 ms). The names are node:http's exports; test/infra/bundles.test.ts holds them to the running node's.
const names = [
  '_connectionListener',
  'METHODS',
  'STATUS_CODES',
  'Agent',
  'ClientRequest',
  'IncomingMessage',
  'OutgoingMessage',
  'Server',
  'ServerResponse',
  'createServer',
  'validateHeaderName',
  'validateHeaderValue',
  'get',
  'request',
  'setMaxIdleHTTPParsers',
  'setGlobalProxyFromEnv',
  'maxHeaderSize',
  'globalAgent',
  'WebSocket',
  'CloseEvent',
  'MessageEvent',
];
let http;
// biome-ignore lint/style/useNodejsImportProtocol: 'node:http' is the aliased name and would resolve to this file.
const load = () => (http ??= require('http'));
for (const name of names) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
