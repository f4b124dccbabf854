import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '#functions/intake/signature.ts';
import { signedHeaders } from '#infra/cli/sign-webhook.ts';
import { ernMessage } from '#test/support/ern.ts';
import { runScript } from '#test/support/run-script.ts';

/** A webhook body's file, of these bytes, for the script's `--file`. */
const aBodyFile = (bytes: Buffer | string) => {
  const file = join(tmpdir(), `backline-sign-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, bytes);
  return file;
};

describe('npm run sign', () => {
  it('signs a DDEX ERN message as XML and a release as JSON', () => {
    const at = new Date('2027-01-05T10:00:00Z');
    const secret = `whsec_${Buffer.from('a label secret of enough bytes').toString('base64')}`;

    const ern = signedHeaders(
      secret,
      ernMessage('single', {
        messageId: 'M1',
        createdAt: '2027-01-05T10:00:00Z',
        icpn: '5012345678900',
        genre: 'Pop',
        date: '2027-03-05',
      }),
      at,
    );
    const json = signedHeaders(secret, '{"type":"release.scheduled"}', at);

    expect(ern['content-type']).toBe('application/xml');
    expect(json['content-type']).toBe('application/json');
  });

  it("says on stderr that it dated the headers by this machine's clock when no local cloud answers at a local address", async () => {
    const file = aBodyFile('{"type":"release.scheduled"}');

    const run = await runScript(
      'infra/cli/sign-webhook.ts',
      ['--secret', 'whsec_c2VjcmV0', '--file', file, '--url', 'http://127.0.0.1:9'],
      {},
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^webhook-signature: v1,/m);
    expect(run.stderr).toContain("this machine's clock");
    expect(run.stderr).toContain('BACKLINE_HTTP_PORT');
  });

  it('says which file it cannot read, without a stack trace', async () => {
    const run = await runScript(
      'infra/cli/sign-webhook.ts',
      ['--secret', 'whsec_c2VjcmV0', '--file', 'no-such-body.json', '--url', 'http://127.0.0.1:9'],
      {},
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toBe("cannot read no-such-body.json (ENOENT): give the webhook body's file\n");
  });

  it('prints its usage and exits 0 when asked for help, and refuses an unknown option with the usage', async () => {
    const help = await runScript('infra/cli/sign-webhook.ts', ['--help'], {});
    const misspelt = await runScript(
      'infra/cli/sign-webhook.ts',
      ['--secrt', 'whsec_c2VjcmV0', '--file', 'body.json'],
      {},
    );

    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run --silent sign -- --secret/);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain("'--secrt'");
    expect(misspelt.stderr).toContain('usage: npm run --silent sign');
  });
});

describe('npm run sign, given what it cannot sign as Backline reads it', () => {
  it.each([
    ['a character base64 has not', 'whsec_c2Vj!cmV0'],
    ['its last character lost', `whsec_${Buffer.alloc(32, 7).toString('base64').slice(0, -1)}`],
    ['nothing after whsec_', 'whsec_'],
  ])(
    'says the secret is not a webhook secret, without a stack trace, when it has %s',
    async (_case, secret) => {
      const file = aBodyFile(Buffer.from('{"type":"release.scheduled"}'));

      const run = await runScript(
        'infra/cli/sign-webhook.ts',
        ['--secret', secret, '--file', file, '--url', 'http://127.0.0.1:9'],
        {},
      );

      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('--secret is not a webhook secret');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('refuses a body that is not UTF-8, which it would sign otherwise than curl sends it (a 401, not the 400 the body deserves)', async () => {
    // "Café" saved by a spreadsheet on Windows: é is the one byte E9.
    const file = aBodyFile(Buffer.from('{"type":"release.scheduled","data":{"title":"Caf\xe9"}}', 'latin1'));

    const run = await runScript(
      'infra/cli/sign-webhook.ts',
      ['--secret', 'whsec_c2VjcmV0', '--file', file, '--url', 'http://127.0.0.1:9'],
      {},
    );

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('is not UTF-8');
  });
});

describe('npm run sign, of a body file', () => {
  it('signs a body file as curl --data-binary sends it, a byte order mark and all, so Backline verifies it', async () => {
    const body = Buffer.from('\ufeff{"type":"release.scheduled","data":{"title":"Café 🎵"}}\n', 'utf8');
    const file = aBodyFile(body);
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

    const run = await runScript(
      'infra/cli/sign-webhook.ts',
      ['--secret', secret, '--file', file, '--url', 'http://127.0.0.1:9'],
      {},
    );

    const headers = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(': ') as [string, string]),
    );
    const at = new Date(Number(headers['webhook-timestamp']) * 1000);

    const verified = verifySignature(
      {
        webhookId: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
      },
      [secret],
      at,
    );

    expect(verified.ok).toBe(true);
  });
});
