import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onFreePorts } from '#test/support/cloud-process.ts';
import { runStartToExit } from '#test/support/run-script.ts';

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

  it('says how to install Java when it is missing, instead of failing inside an emulator', async () => {
    const result = await start({ PATH: '/nonexistent' });

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Java 17');
    expect(result.output).toContain('apt-get install openjdk-17-jre-headless');
  });
});
