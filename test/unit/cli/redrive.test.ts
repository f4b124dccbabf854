import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '#test/support/run-script.ts';

/**
 * `npm run redrive -- --stage <stage>` against an AWS that has no stage of that name: Lambda answers
 * every function of it as not found (what it answers for `prd` when the stage is `prod`).
 */

let server: Server;
let url: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const name = decodeURIComponent(request.url?.split('/')[3] ?? '');
    response
      .writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
      .end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('npm run redrive', () => {
  it('says that a stage with nothing deployed does not exist, and exits non-zero, redriving nothing', async () => {
    const result = await runScript('infra/redrive.ts', ['--stage', 'prd'], {
      AWS_ENDPOINT_URL: url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_MAX_ATTEMPTS: '1',
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/stage "prd" has nothing deployed/);
    expect(result.stdout).not.toMatch(/no on-failure queue/);
    // It only asked which functions exist (AWS_ENDPOINT_URL sends every call here).
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.startsWith('GET '))).toBe(true);
  });

  it('prints its usage for --help and exits 0, and names the usage beside an option it does not know', async () => {
    const help = await runScript('infra/redrive.ts', ['--help'], {});
    const typo = await runScript('infra/redrive.ts', ['--stage', 'prod', '--dryrun'], {});

    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('usage: npm run redrive -- --stage <stage>');
    expect(help.stdout).toMatch(/exit status: 0 .*, 1 .*left in (its|their) queue.*, 2 /);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain("'--dryrun'");
    expect(typo.stderr).toContain('usage: npm run redrive -- --stage <stage>');
  });
});
