import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFile, readLogin, saveLogin } from '#infra/cli/client.ts';
import { fakeApi } from '#test/support/fake-api.ts';
import { runScript } from '#test/support/run-script.ts';

const folders: string[] = [];
const aConfigDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'backline-login-'));
  folders.push(dir);
  return dir;
};

describe("the CLI's login", () => {
  afterEach(() => {
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('takes BACKLINE_API_URL and BACKLINE_API_KEY over the kept login only when both are set, as the README says', () => {
    const env = { BACKLINE_CONFIG_DIR: aConfigDir() };
    saveLogin({ url: 'https://api.example', apiKey: 'kept-key' }, env);

    const keyAlone = readLogin({ ...env, BACKLINE_API_KEY: 'npm-start-key' });
    const urlAlone = readLogin({ ...env, BACKLINE_API_URL: 'http://localhost:3000' });
    const both = readLogin({ ...env, BACKLINE_API_URL: 'http://localhost:3000', BACKLINE_API_KEY: 'ci-key' });

    expect(keyAlone).toEqual({ url: 'https://api.example', apiKey: 'kept-key' });
    expect(urlAlone).toEqual({ url: 'https://api.example', apiKey: 'kept-key' });
    expect(both).toEqual({ url: 'http://localhost:3000', apiKey: 'ci-key' });
  });

  it('tells a refused key to log in again at the same URL, not at the default one', async () => {
    const refusing = createServer((_, response) =>
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}'),
    );
    await new Promise<void>((done) => refusing.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;

    const run = await runScript('infra/cli/backline.ts', ['outlets', 'list'], {
      BACKLINE_API_URL: url,
      BACKLINE_API_KEY: 'old-key',
    });
    await new Promise<void>((done) => refusing.close(() => done()));

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`backline login --url ${url} --key <API key>`);
  });

  it('refuses a login URL without http:// or https://, saying so, rather than that nothing runs there', async () => {
    const env = { BACKLINE_CONFIG_DIR: aConfigDir() };

    const run = await runScript(
      'infra/cli/backline.ts',
      ['login', '--url', 'localhost:3000', '--key', 'a-key'],
      env,
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('http://localhost:3000');
    expect(run.stderr).not.toContain('Is it running');
    expect(existsSync(configFile(env))).toBe(false);
  });

  it('says a BACKLINE_API_URL without http:// or https:// needs its scheme, rather than that nothing runs there', async () => {
    const run = await runScript('infra/cli/backline.ts', ['outlets', 'list'], {
      BACKLINE_CONFIG_DIR: aConfigDir(),
      BACKLINE_API_URL: 'localhost:3000',
      BACKLINE_API_KEY: 'a-key',
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('BACKLINE_API_URL localhost:3000 needs its scheme: http://localhost:3000');
    expect(run.stderr).not.toContain('Is it running');
  });

  it('says a URL hand-edited into the kept login without http:// or https:// needs its scheme, naming the file', () => {
    const env = { BACKLINE_CONFIG_DIR: aConfigDir() };
    saveLogin({ url: 'https://api.example', apiKey: 'kept-key' }, env);
    writeFileSync(configFile(env), JSON.stringify({ url: 'localhost:3000', apiKey: 'kept-key' }), {
      mode: 0o600,
    });

    expect(() => readLogin(env)).toThrow(
      `${configFile(env)} url localhost:3000 needs its scheme: http://localhost:3000`,
    );
  });

  it('says a login URL where no Backline API answers (a stage or other path after it) is not one, rather than that Backline is older than the CLI', async () => {
    // What API Gateway answers for a path it has no route for, such as the API's URL with a stage after it.
    const gateway = createServer((_, response) =>
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}'),
    );
    await new Promise<void>((done) => gateway.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/prod`;
    const env = { BACKLINE_CONFIG_DIR: aConfigDir(), BACKLINE_API_URL: '', BACKLINE_API_KEY: '' };

    const run = await runScript('infra/cli/backline.ts', ['login', '--url', url, '--key', 'a-key'], env);
    await new Promise<void>((done) => gateway.close(() => done()));

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no Backline API answers at ${url}`);
    expect(run.stderr).not.toContain('older than this CLI');
    expect(existsSync(configFile(env))).toBe(false);
  });

  it("warns when the kept login is readable by others, saying how to make it its owner's only, and still runs", async (context) => {
    if (process.platform === 'win32') return context.skip('file modes are POSIX');
    const api = await fakeApi({ 'GET /media-outlets': () => ({ json: { outlets: [] } }) });
    const env = { BACKLINE_CONFIG_DIR: aConfigDir(), BACKLINE_API_URL: '', BACKLINE_API_KEY: '' };
    writeFileSync(configFile(env), JSON.stringify({ url: api.url, apiKey: 'key' }));
    chmodSync(configFile(env), 0o644);

    const run = await runScript('infra/cli/backline.ts', ['outlets', 'list'], env);
    await api.close();

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `${configFile(env)} holds the API key, and others than its owner may read or change it (mode 644)`,
    );
    expect(run.stderr).toContain(`chmod 600 ${configFile(env)}`);
  });

  it('says where it could not keep the login and why, not a stack trace', async () => {
    const api = await fakeApi({ 'GET /media-outlets': () => ({ json: { outlets: [] } }) });
    // A config directory that cannot be made: its path is a file.
    const notADirectory = join(aConfigDir(), 'a-file');
    writeFileSync(notADirectory, '');
    const env = { BACKLINE_CONFIG_DIR: notADirectory, BACKLINE_API_URL: '', BACKLINE_API_KEY: '' };

    const run = await runScript('infra/cli/backline.ts', ['login', '--url', api.url, '--key', 'key'], env);
    await api.close();

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^backline: Cannot keep the login in ${notADirectory}/config.json \\(E[A-Z]+\\)`),
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a login URL where a web page answers every path (another dev server on the port), and says so', async () => {
    const devServer = createServer((_, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="root"></div>'),
    );
    await new Promise<void>((done) => devServer.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(devServer.address() as AddressInfo).port}`;
    const env = { BACKLINE_CONFIG_DIR: aConfigDir(), BACKLINE_API_URL: '', BACKLINE_API_KEY: '' };

    const login = await runScript('infra/cli/backline.ts', ['login', '--url', url, '--key', 'a-key'], env);
    const list = await runScript('infra/cli/backline.ts', ['outlets', 'list'], {
      ...env,
      BACKLINE_API_URL: url,
      BACKLINE_API_KEY: 'a-key',
    });
    await new Promise<void>((done) => devServer.close(() => done()));

    expect(login.code).toBe(2);
    expect(login.stderr).toContain(`no Backline API answers at ${url}`);
    expect(existsSync(configFile(env))).toBe(false);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain(`${url} answered GET /media-outlets with text/html, not Backline's JSON`);
    expect(list.stderr).not.toMatch(/^\s+at /m);
  });
});
