import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aLabel, aRelease, daysFromNow, sendWebhook, waitForMail } from '#test/support/announcing.ts';
import { api, clockNow, cloud, uniqueId, waitFor } from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';
import { runScript, type ScriptRun } from '#test/support/run-script.ts';

/** `backline` run as a person runs it, against the test run's local cloud. */

const backline = (args: string[], configDir: string): Promise<ScriptRun> =>
  runScript('infra/cli/backline.ts', args, {
    BACKLINE_CONFIG_DIR: configDir,
    BACKLINE_API_URL: '',
    BACKLINE_API_KEY: '',
  });

const freshConfigDir = () => mkdtempSync(join(tmpdir(), 'backline-cli-'));

describe('the backline CLI on the local cloud', () => {
  let configDir: string;

  beforeAll(async () => {
    configDir = freshConfigDir();
    const login = await backline(['login', '--url', cloud().baseUrl, '--key', cloud().apiKey], configDir);
    expect(login.code, login.stderr).toBe(0);
  });

  it('keeps the login in the config directory, readable by its owner only', () => {
    const mode = statSync(join(configDir, 'config.json')).mode & 0o777;

    expect(mode).toBe(0o600);
  });

  it('refuses a wrong API key at login, saying where the right one is', async () => {
    const dir = freshConfigDir();

    const result = await backline(['login', '--url', cloud().baseUrl, '--key', 'wrong-key'], dir);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refused the API key');
    expect(result.stderr).toContain('npm start');
  });

  it('says to log in when no login is kept', async () => {
    const result = await backline(['outlets', 'list'], freshConfigDir());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('backline login');
  });

  it('says to start Backline when nothing answers at the URL', async () => {
    const dir = freshConfigDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ url: 'http://127.0.0.1:9', apiKey: 'k' }));

    const result = await backline(['outlets', 'list'], dir);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('npm start');
  });

  it('adds a label and shows its webhook secret', async () => {
    const id = uniqueId('cli-label');

    const result = await backline(['labels', 'add', 'Nightshift Records', '--id', id], configDir);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`id ${id}`);
    expect(result.stdout).toMatch(/whsec_[A-Za-z0-9+/=]+/);
  });

  it("rotates a label's secret: a webhook signed with the new one is taken, and so is one signed with the previous", async () => {
    const label = await aLabel();
    const aWebhook = async () => ({
      type: 'release.scheduled',
      timestamp: (await clockNow()).toISOString(),
      data: aRelease({ genres: [uniqueId('genre')], releaseDate: await daysFromNow(30) }),
    });

    const result = await backline(['labels', 'rotate-secret', label.id], configDir);
    const secret = /shown once, give it to the label\): (whsec_\S+)/.exec(result.stdout)?.[1];
    if (!secret) throw new Error(`backline printed no new secret (exit ${result.code}): ${result.stderr}`);
    const signedWithNew = await sendWebhook({ id: label.id, secret }, await aWebhook());
    const signedWithPrevious = await sendWebhook(label, await aWebhook());

    expect(result.code, result.stderr).toBe(0);
    expect(secret).not.toBe(label.secret);
    expect(result.stdout).toMatch(/the previous secret keeps verifying until \S+Z/);
    expect(signedWithNew.status).toBe(202);
    expect(signedWithPrevious.status).toBe(202);
  });

  it("replays a label's webhooks of a range, saying how many it put back, and exits 0", async () => {
    const label = await aLabel();
    const from = new Date((await clockNow()).getTime() - 60_000).toISOString();
    const sent = await sendWebhook(label, {
      type: 'release.scheduled',
      timestamp: (await clockNow()).toISOString(),
      data: aRelease({ genres: [uniqueId('genre')], releaseDate: await daysFromNow(30) }),
    });
    const to = new Date((await clockNow()).getTime() + 60_000).toISOString();

    const result = await backline(['labels', 'replay', label.id, '--from', from, '--to', to], configDir);

    expect(sent.status).toBe(202);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `Replayed ${label.id}'s webhooks received from ${from} to ${to}: all 1 put back`,
    );
  });

  it('imports outlets from CSV, reporting progress and then a table of the rejected lines, and exits 1 for them', async () => {
    const genre = uniqueId('genre');
    const file = join(freshConfigDir(), 'outlets.csv');
    writeFileSync(
      file,
      [
        'name,email,kind,genres,territories',
        `Radio One,${uniqueId('one')}@radio.example,radio,${genre},GB`,
        `Nowhere,not-an-address,radio,${genre},GB`,
        `Press Two,${uniqueId('two')}@press.example,press,${genre},FR`,
      ].join('\n'),
    );

    const result = await backline(['outlets', 'import', file], configDir);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/importing: \d+\/3 rows/);
    expect(result.stdout).toContain(
      'in part: 2 of 3 rows imported (2 created, 0 updated, 0 unchanged), 1 rejected',
    );
    expect(result.stderr).toContain('1 of 3 rows rejected');
    expect(result.stdout).toMatch(/line\s+error\n-+\s+-+\n3\s+.*email/);
  });

  // Excel's "Unicode Text": UTF-16LE with its byte order mark, cells separated by tabs; a list's cell as typed.
  it('imports a spreadsheet saved as Unicode Text (UTF-16, tabs) with no --charset, and exits 0', async () => {
    const genre = uniqueId('genre');
    const address = `${uniqueId('cafe')}@radio.example`;
    const file = join(freshConfigDir(), 'outlets.txt');
    const sheet = [
      'name\temail\tkind\tgenres\tterritories',
      `Café Radio\t${address}\tradio\t${genre}\tGB;FR`,
    ];
    writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${sheet.join('\r\n')}\r\n`, 'utf16le')]),
    );

    const result = await backline(['outlets', 'import', file], configDir);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('all 1 rows (1 created, 0 updated, 0 unchanged)');
    const listed = await backline(['outlets', 'list', '--genre', genre, '--territory', 'FR'], configDir);
    expect(listed.stdout).toContain('Café Radio');
  });

  it('lists the outlets a genre and territory would reach', async () => {
    const genre = uniqueId('genre');
    const gb = await createOutlet({ name: 'GB Radio', genres: [genre], territories: ['GB'] });
    const fr = await createOutlet({ name: 'FR Radio', genres: [genre], territories: ['FR'] });

    const result = await backline(['outlets', 'list', '--genre', genre, '--territory', 'GB'], configDir);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(gb.email);
    expect(result.stdout).not.toContain(fr.email);
  });

  it("shows a release's state and mail counts, and its deliveries as CSV", async () => {
    const genre = uniqueId('genre');
    const outlet = await createOutlet({ name: 'Radio', genres: [genre], territories: ['GB'] });
    const label = await aLabel();
    const release = aRelease({ genres: [genre], territories: ['GB'], releaseDate: await daysFromNow(30) });
    await sendWebhook(label, {
      type: 'release.scheduled',
      timestamp: (await clockNow()).toISOString(),
      data: release,
    });
    await waitForMail([outlet.email], '');
    await waitFor(async () => (await api(`/labels/${label.id}/releases/${release.releaseId}`)).ok);

    const status = await backline(['release', 'status', label.id, release.releaseId], configDir);
    const csv = await backline(['release', 'deliveries', label.id, release.releaseId, '--csv'], configDir);

    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('scheduled');
    expect(status.stdout).toMatch(/announcement\s+\d+\s+[1-9]/);
    expect(csv.stdout.split('\n')[0]).toContain('email');
    expect(csv.stdout).toContain(outlet.email);
  });

  it('names the field when the API refuses the input', async () => {
    const result = await backline(['outlets', 'list', '--territory', 'Great Britain'], configDir);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('territory');
  });
});
