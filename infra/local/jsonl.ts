import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only file of JSON lines in the data folder: what the local cloud must not lose when it
 * is killed (the bus's journal, dead letters, sent mail). `append` hands its records to the kernel
 * whole (writing again what a short `write(2)` left) before the call returns (a `kill -9` cannot lose it); `sync: true`
 * also waits for the disk (fsync), for records whose loss would break a promise already given (an
 * accepted PutEvents entry). A torn last line (a crash of the machine mid-write) is skipped on read.
 */
export class JsonLines<T> {
  readonly file: string;
  #fd: number | undefined;

  constructor(file: string) {
    this.file = file;
  }

  /** Every whole record in the file, in order (none when it does not exist). */
  read(): T[] {
    if (!existsSync(this.file)) return [];
    const records: T[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        // a torn line: the write it belonged to never completed, so nothing relied on it
      }
    }
    return records;
  }

  append(records: T[], options: { sync?: boolean } = {}): void {
    if (records.length === 0) return;
    const fd = this.#open();
    writeWhole(fd, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    if (options.sync) fsyncSync(fd);
  }

  /** Replaces the whole file with `records` (temporary file, fsync, rename: the old or the new, never half). */
  rewrite(records: T[]): void {
    this.close();
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeWhole(fd, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(): number {
    if (this.#fd === undefined) {
      mkdirSync(dirname(this.file), { recursive: true });
      // A torn last line (no newline at its end) is ended first, so the next record starts a line of its
      // own instead of joining the fragment, which read() would then skip with it.
      const torn = endsTorn(this.file);
      this.#fd = openSync(this.file, 'a');
      if (torn) writeWhole(this.#fd, '\n');
    }
    return this.#fd;
  }
}

/** Whether the file's last byte is not a newline (an empty or missing file is whole). */
function endsTorn(file: string): boolean {
  if (!existsSync(file)) return false;
  const size = statSync(file).size;
  if (size === 0) return false;
  const fd = openSync(file, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `text`: a write(2) may take fewer bytes than given (a signal, a full disk's edge). */
function writeWhole(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** A small JSON document replaced atomically (temporary file, fsync, rename). */
export function writeJsonAtomically(file: string, value: unknown): void {
  writeFileAtomically(file, `${JSON.stringify(value)}\n`);
}

/** A small file replaced atomically (temporary file, fsync, rename): a kill mid-write leaves the old one or none, never part of it. */
export function writeFileAtomically(file: string, text: string, options: { mode?: number } = {}): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { flush: true, ...options });
  renameSync(temporary, file);
}
