import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signedHeaders } from '#infra/cli/sign-webhook.ts';
import { ernMessage } from '#test/support/ern.ts';
import { runScript } from '#test/support/run-script.ts';

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
    const file = join(tmpdir(), `backline-sign-${process.pid}.json`);
    writeFileSync(file, '{"type":"release.scheduled"}');

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
