import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** Where a mapping stands in each shard of its stream: after which record, and whether the shard is done. */
export interface ShardPosition {
  after?: string;
  finished?: true;
}

interface Journal {
  streamArn: string;
  shards: Record<string, ShardPosition>;
}

/**
 * Shard positions of an event source mapping, journalled in the data folder (when there is one) so
 * that a restart resumes after the last record handled: nothing is lost, and at most the batch in
 * flight at the stop is handed over again (its consumers are idempotent). A journal of another
 * stream (the table was created again) is ignored.
 */
export class ShardPositions {
  readonly #file: string | undefined;
  #journal: Journal;

  constructor(streamArn: string, file?: string) {
    this.#file = file;
    const saved = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Journal) : undefined;
    this.#journal = saved?.streamArn === streamArn ? saved : { streamArn, shards: {} };
  }

  get(shardId: string): ShardPosition {
    return this.#journal.shards[shardId] ?? {};
  }

  advance(shardId: string, after: string): void {
    this.#journal.shards[shardId] = { ...this.get(shardId), after };
    this.#save();
  }

  /** The position is gone from the stream (trimmed): read the shard from its oldest record still there. */
  restart(shardId: string): void {
    this.#journal.shards[shardId] = {};
    this.#save();
  }

  finish(shardId: string): void {
    this.#journal.shards[shardId] = { ...this.get(shardId), finished: true };
    this.#save();
  }

  /** Forgets shards the stream no longer has (trimmed after 24 h), so the journal stays small. */
  keepOnly(shardIds: Set<string>): void {
    const gone = Object.keys(this.#journal.shards).filter((id) => !shardIds.has(id));
    if (gone.length === 0) return;
    for (const id of gone) delete this.#journal.shards[id];
    this.#save();
  }

  #save(): void {
    if (!this.#file) return;
    // Write then rename: a crash mid-write leaves the previous journal, never half of one.
    writeFileSync(`${this.#file}.tmp`, JSON.stringify(this.#journal));
    renameSync(`${this.#file}.tmp`, this.#file);
  }
}
