import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Starts a process that ends with the process that started it, even when that one is killed with
 * `kill -9` (an orphan would keep its ports and the data folder): DynamoDB Local's JVM under the
 * local cloud, and a local cloud under the test run that started it. Linux's parent-death signal
 * does that, set through util-linux's `setpriv` (in Debian's base system); where there is no
 * `setpriv`, the process is started directly.
 */
const setpriv = '/usr/bin/setpriv';

export function spawnTiedToParent(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  return process.platform === 'linux' && existsSync(setpriv)
    ? spawn(setpriv, ['--pdeathsig', 'SIGKILL', '--', command, ...args], options)
    : spawn(command, args, options);
}

/**
 * Calls `gone` once the process that started this one (`parent`: `process.ppid` read at its start) is
 * gone, even by `kill -9`: the system gives an orphan another parent, seen within a second. Only under
 * `npm start` (npm names the script it runs in `npm_lifecycle_event`), whose npm is that parent: a
 * local cloud started to outlive what started it (`nohup node infra/local/start.ts &`, a script that
 * exits) runs on, and one a test run starts is tied by `spawnTiedToParent`.
 */
export function whenParentGone(parent: number, gone: () => void): void {
  if (process.env.npm_lifecycle_event !== 'start') return;
  setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 1000).unref();
}
