import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './jsonl.ts';

/** Another Backline runs on this data folder: starting a second one would rewrite its journals under it. */
export class DataFolderInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The data folder ${dataDir} is in use by a Backline that runs (process ${pid}). Use that one, stop ` +
        'it first, or start this one on another folder with BACKLINE_DATA_DIR.',
    );
  }
}

/**
 * Takes the data folder for this process (`running.pid` in it) before anything reads or rewrites a
 * journal there; answers the release. The file is made whole and then linked into place, which fails
 * when one is there: no reader sees it empty. The file of a run that was killed names a process that
 * is gone (or this very process: a container restarted by its runtime gets the same pid), and is
 * taken over.
 */
export function takeDataFolder(dataDir: string): () => void {
  const file = join(dataDir, 'running.pid');
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    for (;;) {
      try {
        linkSync(mine, file);
        return () => rmSync(file, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && running(pid)) {
        throw new DataFolderInUseError(dataDir, pid);
      }
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
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
