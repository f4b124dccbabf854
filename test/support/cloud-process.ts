import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnTiedToParent } from '#infra/local/tied-spawn.ts';

export interface CloudProcess {
  ready: true;
  ports: { http: number; bus: number; dynamodb: number; ses: number };
  urls: { http: string; bus: string; dynamodb: string; ses: string };
  apiKey: string;
  env: Record<string, string>;
  stop(): Promise<void>;
  /** `kill -9` of the local cloud's process: a crash, nothing cleaned up (DynamoDB Local's JVM dies with it). */
  kill(): Promise<void>;
}

/** `npm start`'s settings that leave each of its ports to the system, so runs side by side never meet. */
export const onFreePorts = {
  BACKLINE_HTTP_PORT: '0',
  BACKLINE_BUS_PORT: '0',
  BACKLINE_DYNAMODB_PORT: '0',
  BACKLINE_SES_PORT: '0',
};

/**
 * Starts `npm start`'s own entry point as a child process, on free ports and in memory unless `env`
 * says otherwise, and resolves when it reports that it is ready. Used by the integration tests'
 * global setup, by tests of restarts, and by benchmarks.
 */
export async function startCloudProcess(
  env: Record<string, string> = {},
  options: {
    killable?: boolean;
    /** Receives every line the cloud prints (stdout and stderr) instead of this process's stdout. */
    onOutput?: (line: string) => void;
  } = {},
): Promise<CloudProcess> {
  const { onOutput } = options;
  // Tied to this process: a test run killed midway leaves no local cloud behind.
  const child: ChildProcess = spawnTiedToParent(process.execPath, ['infra/local/start.ts', '--json'], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      ...onFreePorts,
      BACKLINE_DATA_DIR: 'memory',
      // npm start logs every invocation at info; tests want only what goes wrong.
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      ...env,
    },
    stdio: ['ignore', 'pipe', onOutput ? 'pipe' : 'inherit'],
  });
  if (onOutput) createInterface({ input: child.stderr! }).on('line', onOutput);
  const info = await new Promise<Omit<CloudProcess, 'stop' | 'kill'>>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error('the local cloud did not start within 240 s')), 240_000);
    child.once('exit', (code) => fail(new Error(`the local cloud exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"ready"')) {
        if (onOutput) return onOutput(line);
        return process.stdout.write(`[cloud] ${line}\n`);
      }
      clearTimeout(timer);
      ready(JSON.parse(line));
    });
  });
  return {
    ...info,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
    kill: async () => {
      if (!options.killable) throw new Error('start the cloud with { killable: true } to kill it');
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
