import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { onFreePorts } from '#test/support/cloud-process.ts';
import { alive, until } from '#test/support/processes.ts';
import { runStartToExit } from '#test/support/run-script.ts';

/**
 * Loaded before npm start's entry point: holds the import of the local cloud (./cloud.ts, the heavy one)
 * until the process that started it is gone, having printed `loading <pid>`, so that its parent dies
 * while it is still loading its modules, whenever that is.
 */
const holdCloudImportUntilOrphaned = `
  import { registerHooks } from 'node:module';
  import { writeSync } from 'node:fs';
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  let held = false;
  registerHooks({
    resolve(specifier, context, next) {
      if (!held && specifier === './cloud.ts' && context.parentURL?.endsWith('/infra/local/start.ts')) {
        held = true;
        const parent = process.ppid;
        writeSync(1, 'loading ' + process.pid + '\\n');
        for (let waited = 0; process.ppid === parent && waited < 30000; waited += 25) Atomics.wait(sleep, 0, 0, 25);
      }
      return next(specifier, context);
    },
  });`;

/** Runs `npm start`'s entry point (on free ports, in memory, unless `env` says otherwise) and collects what it prints until it exits. */
const start = (env: Record<string, string>) =>
  runStartToExit({
    ...onFreePorts,
    BACKLINE_DATA_DIR: 'memory',
    ...env,
  });

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

  it('refuses a misspelt fault in BACKLINE_LOCAL_FAULTS, naming it and the variable, instead of running with it never firing', async () => {
    const result = await start({ BACKLINE_LOCAL_FAULTS: 'invoke.crash-befor:releases' });

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('BACKLINE_LOCAL_FAULTS: no fault is named "invoke.crash-befor"');
    expect(result.output).not.toMatch(/\n\s+at /);
  });

  it.each(['BACKLINE_SES_SEND_RATE', 'BACKLINE_LOCAL_FAULTS_SEED', 'BACKLINE_RETRY_BASE_MS'])(
    'refuses a %s that is not a number, naming it, instead of running on NaN or failing with a stack trace',
    async (variable) => {
      const result = await start({ [variable]: 'ten' });

      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`${variable} must be`);
      expect(result.output).toContain('got "ten"');
      expect(result.output).not.toMatch(/\n\s+at /);
    },
  );

  it('stops when the npm that started it is killed while it is still loading its modules', async () => {
    // npm start's npm: starts the entry point as its script does, then waits to be killed.
    const startArgs = JSON.stringify([
      '--import',
      `data:text/javascript,${encodeURIComponent(holdCloudImportUntilOrphaned)}`,
      'infra/local/start.ts',
    ]);
    const npm = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { spawn } from 'node:child_process';
         spawn(process.execPath, ${startArgs}, { stdio: ['ignore', 'inherit', 'inherit'] });
         setInterval(() => {}, 1000);`,
      ],
      {
        cwd: resolve(import.meta.dirname, '../../..'),
        env: { ...process.env, ...onFreePorts, BACKLINE_DATA_DIR: 'memory', npm_lifecycle_event: 'start' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const said: string[] = [];
    createInterface({ input: npm.stdout! }).on('line', (line) => said.push(line));
    expect(await until(() => said.some((line) => line.startsWith('loading ')), 60_000)).toBe(true);
    const startPid = Number(said.find((line) => line.startsWith('loading '))!.slice('loading '.length));
    try {
      npm.kill('SIGKILL');

      expect(
        await until(() => said.some((line) => line.startsWith('Backline is running locally')), 120_000),
      ).toBe(true);
      // The watch looks each second: given ten, it has seen its parent gone.
      expect(
        await until(() => said.some((line) => line.includes('is gone: stopping Backline')), 10_000),
      ).toBe(true);
      expect(await until(() => !alive(startPid), 30_000)).toBe(true);
    } finally {
      if (alive(startPid)) process.kill(startPid, 'SIGKILL');
    }
  });

  it('says how to install Java when it is missing, instead of failing inside an emulator', async () => {
    const result = await start({ PATH: '/nonexistent' });

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Java 17');
    expect(result.output).toContain('apt-get install openjdk-17-jre-headless');
  });
});
