import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFolderInUseError, takeDataFolder } from '#infra/local/data-folder.ts';

const folders: string[] = [];
const aFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'backline-data-folder-'));
  folders.push(folder);
  return folder;
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A pid no process has: one that ran and exited. */
const goneProcess = () => spawnSync(process.execPath, ['-e', '']).pid ?? 0;

describe('one Backline per data folder', () => {
  it('takes a folder, refuses it to another while taken, and gives it back', () => {
    const folder = aFolder();
    const release = takeDataFolder(folder);
    const pid = Number(readFileSync(join(folder, 'running.pid'), 'utf8'));
    // Another process's file: a process that runs (this test's parent, say).
    writeFileSync(join(folder, 'running.pid'), String(process.ppid));

    expect(pid).toBe(process.pid);
    expect(() => takeDataFolder(folder)).toThrow(DataFolderInUseError);
    release();
    expect(existsSync(join(folder, 'running.pid'))).toBe(false);
  });

  it('takes over the file of a run that was killed, and one naming this very process (a restarted container)', () => {
    const killed = aFolder();
    const restarted = aFolder();
    writeFileSync(join(killed, 'running.pid'), String(goneProcess()));
    writeFileSync(join(restarted, 'running.pid'), String(process.pid));

    const releases = [takeDataFolder(killed), takeDataFolder(restarted)];

    expect(readFileSync(join(killed, 'running.pid'), 'utf8')).toBe(String(process.pid));
    expect(readFileSync(join(restarted, 'running.pid'), 'utf8')).toBe(String(process.pid));
    for (const release of releases) release();
  });
});
