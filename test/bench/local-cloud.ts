import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface BenchCloud {
  urls: { http: string; bus: string; dynamodb: string; ses: string };
  apiKey: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts `npm start`'s entry point on free ports, in memory, for one benchmark. */
export async function startBenchCloud(env: Record<string, string> = {}): Promise<BenchCloud> {
  const child: ChildProcess = spawn(process.execPath, ['infra/local/start.ts', '--json'], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      BACKLINE_HTTP_PORT: '0',
      BACKLINE_BUS_PORT: '0',
      BACKLINE_DYNAMODB_PORT: '0',
      BACKLINE_SES_PORT: '0',
      BACKLINE_DATA_DIR: 'memory',
      BACKLINE_API_KEY: 'bench-api-key-0123456789',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<Omit<BenchCloud, 'stop'>>((ready, fail) => {
    child.once('exit', (code) => fail(new Error(`the local cloud exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"ready"')) ready(JSON.parse(line));
    });
  });
  return {
    ...info,
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
