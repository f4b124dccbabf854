import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './jsonl.ts';

/** Another Backline runs on this data folder: starting a second one would rewrite its journals under it. */
export class DataFolderInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The data folder ${dataDir} is in use by a Backline that runs (process ${pid}). Use that one, stop ` +
        'it first, or start this one on another folder with BACKLINE_DATA_DIR. If you are sure no ' +
        `Backline runs on it, delete ${join(dataDir, 'running.pid')} and start again.`,
    );
  }
}

/**
 * Takes the data folder for this process (`running.pid` in it) before anything reads or rewrites a
 * journal there; answers the release. The file is made whole and then linked into place, which fails
 * when one is there: no reader sees it empty. It names this process's pid, and on its second line what
 * tells this process from another given the same pid later (`started`). The file of a run that was
 * killed names a process that is gone, this very process (a container restarted by its runtime gets the
 * same pid), or, after a reboot or a container restart, another process that has its pid and started
 * otherwise; it is taken over. Where a process's start cannot be read (no /proc), any process that runs
 * with its pid holds the folder.
 */
export function takeDataFolder(dataDir: string): () => void {
  const file = join(dataDir, 'running.pid');
  const mine = `${file}.${process.pid}`;
  const started = startOf(process.pid);
  writeFileSync(mine, started === undefined ? `${process.pid}\n` : `${process.pid}\n${started}\n`);
  try {
    for (;;) {
      try {
        linkSync(mine, file);
        return () => rmSync(file, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const [pidLine = '', recorded = ''] = readFileSync(file, 'utf8').split('\n');
      const pid = Number(pidLine);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && holds(pid, recorded)) {
        throw new DataFolderInUseError(dataDir, pid);
      }
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Whether process `pid` runs and is the one that wrote `recorded` as its start (its second line). */
function holds(pid: number, recorded: string): boolean {
  if (!running(pid)) return false;
  const started = startOf(pid);
  return started === undefined || started === recorded.trim();
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When process `pid` started, as Linux tells it: this boot's id and the process's start time in clock
 * ticks since the boot (field 22 of /proc/<pid>/stat, after the command name, which may hold spaces and
 * parentheses). No two processes of one boot that share a pid share it, and a reboot changes the id.
 * Undefined where /proc does not say (macOS, or a process hidden from this user).
 */
function startOf(pid: number): string | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return bootId && startTime ? `${bootId} ${startTime}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A secret the local cloud generates and keeps in the data folder (the API key, the token-signing key,
 * the KMS master key): read back when there, else generated and written whole (a kill mid-write leaves
 * none, generated again at the next start, never an empty one read back for good). None kept without a file.
 */
export function keptSecret(file: string | undefined, generate: () => string): string {
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = generate();
  if (file) writeFileAtomically(file, value, { mode: 0o600 });
  return value;
}
