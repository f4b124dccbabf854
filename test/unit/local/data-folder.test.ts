import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeDataFolder } from '#infra/local/data-folder.ts';

const folders: string[] = [];
const aFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'backline-data-folder-'));
  folders.push(folder);
  return folder;
};
const sleepers: ChildProcess[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  for (const sleeper of sleepers.splice(0)) sleeper.kill('SIGKILL');
});

/** A pid no process has: one that ran and exited. */
const goneProcess = () => spawnSync(process.execPath, ['-e', '']).pid ?? 0;

/** A process that runs and is no Backline: what a pid can name after a reboot or a container restart. */
const anUnrelatedProcess = () => {
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  sleepers.push(sleeper);
  return sleeper.pid ?? 0;
};

/** The pid `running.pid` names (its first line). */
const pidIn = (folder: string) => Number(readFileSync(join(folder, 'running.pid'), 'utf8').split('\n')[0]);

/** Another process's `takeDataFolder(folder)`, run to its end: what it printed. */
const takeInAnotherProcess = (folder: string) =>
  spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { takeDataFolder } from ${JSON.stringify(resolve('infra/local/data-folder.ts'))};
      try { takeDataFolder(process.argv[1]); console.log('taken'); } catch (error) { console.log(error.message); }`,
      folder,
    ],
    { encoding: 'utf8' },
  ).stdout;

describe('one Backline per data folder', () => {
  it('takes a folder, refuses it to another while taken, and gives it back', () => {
    const folder = aFolder();
    const release = takeDataFolder(folder);
    const pid = pidIn(folder);

    const other = takeInAnotherProcess(folder);

    expect(pid).toBe(process.pid);
    expect(other).toContain(
      `The data folder ${folder} is in use by a Backline that runs (process ${process.pid})`,
    );
    expect(other).toContain(`delete ${join(folder, 'running.pid')}`);
    release();
    expect(existsSync(join(folder, 'running.pid'))).toBe(false);
  });

  it('takes over the file of a run that was killed, and one naming this very process (a restarted container)', () => {
    const killed = aFolder();
    const restarted = aFolder();
    writeFileSync(join(killed, 'running.pid'), String(goneProcess()));
    writeFileSync(join(restarted, 'running.pid'), String(process.pid));

    const releases = [takeDataFolder(killed), takeDataFolder(restarted)];

    expect(pidIn(killed)).toBe(process.pid);
    expect(pidIn(restarted)).toBe(process.pid);
    for (const release of releases) release();
  });

  it.runIf(existsSync('/proc/self/stat'))(
    'takes over a file whose pid another process has since the restart (one that is not the run that wrote it)',
    () => {
      const unrecorded = aFolder();
      const otherBoot = aFolder();
      const otherStart = aFolder();
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      writeFileSync(join(unrecorded, 'running.pid'), String(anUnrelatedProcess()));
      writeFileSync(join(otherBoot, 'running.pid'), `${anUnrelatedProcess()}\n${'0'.repeat(32)} 1\n`);
      writeFileSync(join(otherStart, 'running.pid'), `${anUnrelatedProcess()}\n${bootId} 1\n`);

      const releases = [unrecorded, otherBoot, otherStart].map((folder) => takeDataFolder(folder));

      for (const folder of [unrecorded, otherBoot, otherStart]) expect(pidIn(folder)).toBe(process.pid);
      for (const release of releases) release();
    },
  );
});
