import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLogin, saveLogin } from '#infra/cli/client.ts';

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
});
