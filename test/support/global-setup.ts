import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestProject } from 'vitest/node';
import type { CloudInfo } from './cloud.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: CloudInfo;
  }
}

/**
 * One local cloud per test run (DESIGN Decision 19): `npm start`'s own entry point on free ports,
 * in memory, with fast retries. Tests reach it over HTTP only, as a user would.
 */
export default async function setup(project: TestProject) {
  const root = resolve(import.meta.dirname, '../..');
  const child: ChildProcess = spawn(process.execPath, ['infra/local/start.ts', '--json'], {
    cwd: root,
    env: {
      ...process.env,
      BACKLINE_HTTP_PORT: '0',
      BACKLINE_BUS_PORT: '0',
      BACKLINE_DYNAMODB_PORT: '0',
      BACKLINE_SES_PORT: '0',
      BACKLINE_DATA_DIR: 'memory',
      BACKLINE_RETRY_BASE_MS: '50',
      BACKLINE_API_KEY: 'test-api-key-0123456789',
      BACKLINE_MANAGER_TIME_ZONE: 'Europe/London',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<CloudInfo>((resolveInfo, reject) => {
    const timer = setTimeout(() => reject(new Error('the local cloud did not start within 120 s')), 120_000);
    child.once('exit', (code) =>
      reject(new Error(`the local cloud exited with ${code} before it was ready`)),
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"ready"')) return process.stdout.write(`[cloud] ${line}\n`);
      clearTimeout(timer);
      resolveInfo(JSON.parse(line));
    });
  });
  project.provide('cloud', info);
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}
