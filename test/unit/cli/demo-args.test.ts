import { describe, expect, it } from 'vitest';
import { runScript } from '#test/support/run-script.ts';

/**
 * `npm run demo` takes no arguments, and moves the local clock of the Backline it finds weeks ahead
 * for good (the clock never runs back): `npm run demo -- --help` must say so without running it.
 * Pointed at a port where nothing runs, so a demo that starts anyway says it found no Backline.
 */
const nowhere = { BACKLINE_API_URL: 'http://127.0.0.1:9', BACKLINE_API_KEY: 'k' };

describe('npm run demo with arguments', () => {
  it('prints its usage for --help and exits 0, without running', async () => {
    const result = await runScript('infra/demo.ts', ['--help'], nowhere);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('usage: npm run demo');
    expect(result.stdout).toContain('never runs back');
    expect(result.stderr).not.toContain('No Backline is running');
  });

  it('refuses an argument it does not take, with its usage, without running', async () => {
    const result = await runScript('infra/demo.ts', ['--fast'], nowhere);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("takes no arguments, got '--fast'");
    expect(result.stderr).toContain('usage: npm run demo');
    expect(result.stderr).not.toContain('No Backline is running');
  });
});
