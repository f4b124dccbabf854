import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** Runs `npm start`'s entry point and collects what it prints until it exits. */
function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['infra/local/start.ts'], {
      cwd: root,
      env: {
        ...process.env,
        BACKLINE_HTTP_PORT: '0',
        BACKLINE_BUS_PORT: '0',
        BACKLINE_DYNAMODB_PORT: '0',
        BACKLINE_SES_PORT: '0',
        BACKLINE_DATA_DIR: 'memory',
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe('npm start', () => {
  it.each(['BACKLINE_HTTP_PORT', 'BACKLINE_BUS_PORT', 'BACKLINE_DYNAMODB_PORT', 'BACKLINE_SES_PORT'])(
    'says which port is taken and names %s, which moves it, and exits non-zero',
    async (variable) => {
      const blocker = createServer();
      await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
      const port = (blocker.address() as { port: number }).port;

      const result = await start({ [variable]: String(port) });
      blocker.close();

      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`cannot listen on port ${port}: it is taken`);
      expect(result.output).toContain(variable);
      expect(result.output).not.toMatch(/\n\s+at /);
    },
  );

  it('says how to install Java when it is missing, instead of failing inside an emulator', async () => {
    const result = await start({ PATH: '/nonexistent' });

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Java 17');
    expect(result.output).toContain('apt-get install openjdk-17-jre-headless');
  });
});
