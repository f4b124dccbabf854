import type { LocalCloud } from './cloud.ts';

/**
 * `npm start`: all of Backline on this machine. Ports and options come from the environment
 * (README lists them); `--json` prints one JSON line when ready (for the test harness).
 */

// The process that started this one (npm start's npm), read first and the modules imported after (a
// static import loads before any statement runs): read once they are loaded, a parent gone meanwhile
// would leave `process.ppid` naming the process that adopted this one, and the watch below would never
// fire (see docs/design.md#failures-and-retries).
const parent = process.ppid;
const [
  { MissingJavaError, startLocalCloud },
  { DataFolderInUseError },
  { FaultSpecError },
  { installLogFormat, logFormatOf },
  { PortTakenError },
  { whenParentGone },
] = await Promise.all([
  import('./cloud.ts'),
  import('./data-folder.ts'),
  import('./faults.ts'),
  import('./logs.ts'),
  import('./ports.ts'),
  import('./tied-spawn.ts'),
]);

/** A number setting, unset when empty; anything but a number `fits` stops the start, naming the variable. */
const numberSetting = (name: string, fits: (value: number) => boolean, what: string): number | undefined => {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!fits(parsed)) {
    console.error(`${name} must be ${what}, got "${value}"`);
    process.exit(2);
  }
  return parsed;
};

const port = (name: string, fallback: number): number =>
  numberSetting(
    name,
    (port) => Number.isInteger(port) && port >= 0 && port <= 65535,
    'a port number (0-65535)',
  ) ?? fallback;

const json = process.argv.includes('--json');
// Info by default: one line per invocation (tests start the cloud at WARN).
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
installLogFormat(logFormatOf());
const startedAt = performance.now();
let cloud: LocalCloud;
try {
  cloud = await startLocalCloud({
    ports: {
      http: port('BACKLINE_HTTP_PORT', 3000),
      bus: port('BACKLINE_BUS_PORT', 4010),
      dynamodb: port('BACKLINE_DYNAMODB_PORT', 8000),
      ses: port('BACKLINE_SES_PORT', 8005),
    },
    dataDir:
      process.env.BACKLINE_DATA_DIR === 'memory' ? undefined : (process.env.BACKLINE_DATA_DIR ?? '.local'),
    apiKey: process.env.BACKLINE_API_KEY || undefined,
    sesSendRate: numberSetting(
      'BACKLINE_SES_SEND_RATE',
      (rate) => Number.isFinite(rate) && rate > 0,
      'a positive number of recipients per second',
    ),
    faults: process.env.BACKLINE_LOCAL_FAULTS,
    faultsSeed: numberSetting('BACKLINE_LOCAL_FAULTS_SEED', Number.isSafeInteger, 'an integer'),
    retryBaseMs: numberSetting(
      'BACKLINE_RETRY_BASE_MS',
      (ms) => Number.isFinite(ms) && ms >= 0,
      'a number of milliseconds (0 or more)',
    ),
    managerTimeZone: process.env.BACKLINE_MANAGER_TIME_ZONE,
    senderAddress: process.env.BACKLINE_SENDER_ADDRESS,
  });
} catch (error) {
  if (
    error instanceof MissingJavaError ||
    error instanceof PortTakenError ||
    error instanceof DataFolderInUseError
  ) {
    console.error(error.message);
  } else if (error instanceof FaultSpecError) {
    console.error(`BACKLINE_LOCAL_FAULTS: ${error.message}`);
  } else {
    console.error('Backline could not start:', error);
  }
  process.exit(1);
}

const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
if (json) {
  console.log(
    JSON.stringify({
      ready: true,
      ports: cloud.ports,
      urls: cloud.urls,
      apiKey: cloud.apiKey,
      env: cloud.env,
    }),
  );
} else {
  console.log(`Backline is running locally (ready in ${seconds} s)

  HTTP API        ${cloud.urls.http}   (GET /health, /_local/events, /_local/dlq, POST /_local/clock)
  Console         ${cloud.urls.http}/_local/console   (events, schedules, mail, releases, tours, budgets; the clock)
  Sent mail       ${cloud.urls.ses}   (web page; JSON at /store)
  EventBridge     ${cloud.urls.bus}   (also Scheduler, Secrets Manager and KMS)
  DynamoDB Local  ${cloud.urls.dynamodb}

  API key         ${cloud.apiKey}${process.env.BACKLINE_API_KEY ? '' : '   (generated and kept in the data folder; set BACKLINE_API_KEY to choose one)'}

Press Ctrl-C to stop.`);
}

let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  if (!json) console.log(`\n${why}: stopping Backline...`);
  await cloud.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// npm start's npm gone, even by `kill -9`, would leave it orphaned, holding its ports and the data
// folder: it stops then as on Ctrl-C. npm start's script `exec`s this, so that npm is the parent, not
// the shell npm runs the script in (see docs/design.md#failures-and-retries).
whenParentGone(parent, () => void stop(`the process that started Backline (${parent}) is gone`));
