import { takeOutExpired } from '../dead-letters.ts';
import { JsonLines } from '../jsonl.ts';
import type { StreamDeadLetter } from './mapping.ts';

/**
 * The stream mappings' on-failure records (a failed batch's position; GET /_local/dlq's
 * `streamBatches`), kept in the data folder like every dead letter (docs/design.md#failures-and-retries):
 * the on-failure queue keeps its messages across a restart of the local cloud, as SQS does. A redrive
 * takes them out (docs/design.md#the-outbox: they hold no events; the outbox sweep republishes the
 * entries still unpublished). Without a file it keeps them in memory only.
 */
export class StreamDeadLetters {
  readonly #file: JsonLines<StreamDeadLetter> | undefined;
  readonly #letters: StreamDeadLetter[];
  readonly #expired: StreamDeadLetter[] = [];

  constructor(file?: string) {
    this.#file = file ? new JsonLines(file) : undefined;
    this.#letters = this.#file?.read() ?? [];
  }

  /** A batch that ran out of retries: synced before the mapping moves past it. */
  add(letter: StreamDeadLetter): void {
    this.#file?.append([letter], { sync: true });
    this.#letters.push(letter);
  }

  list(): StreamDeadLetter[] {
    return [...this.#dropExpired()];
  }

  /** Takes out the records held now; answers how many. */
  redrive(): number {
    const taken = this.#dropExpired().splice(0).length;
    this.#file?.rewrite([]);
    return taken;
  }

  /** Drops the records older than the on-failure queue's retention, as SQS deletes them, and out of the file too. */
  #dropExpired(): StreamDeadLetter[] {
    if (takeOutExpired(this.#letters, (letter) => letter.at, this.#expired))
      this.#file?.rewrite(this.#letters);
    return this.#letters;
  }

  /** The records that outlived their retention in this run. */
  expired(): StreamDeadLetter[] {
    this.#dropExpired();
    return [...this.#expired];
  }

  close(): void {
    this.#file?.close();
  }
}
