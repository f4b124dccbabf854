import type { BusName } from '../../topology.ts';
import { JsonLines } from '../jsonl.ts';
import type { BusEvent, DeadLetter } from './bus.ts';

/**
 * The local bus's journal of deliveries (see docs/design.md#failures-and-retries): EventBridge keeps
 * an accepted event until every target has had it or it is dead-lettered, and so does the local
 * bus, across a `kill -9`. One line per step, per rule target:
 *   accepted   the event and the rules it matched (written, and synced, before PutEvents answers);
 *              a redrive's, with the request id of its new invocation, which its retries keep
 *   retrying   a failed attempt: how many so far and when the next one is due
 *   done       delivered
 *   dead       dead-lettered (the dead letter itself is kept in its own file)
 * At start the journal is read, compacted to what is unfinished, and that is delivered again.
 * Without a data folder it keeps nothing.
 */
type Entry =
  /** `acceptedAt`: epoch ms on the local clock, from which the event's age counts (none in a journal from before December 2026). */
  | {
      op: 'accepted';
      bus: BusName;
      event: BusEvent;
      rules: string[];
      requestId?: string;
      acceptedAt?: number;
    }
  /** `id`: the event's journalKey. */
  | { op: 'retrying'; id: string; rule: string; attempts: number; nextAt: number }
  | { op: 'done' | 'dead'; id: string; rule: string };

/**
 * Whose lines a journal line is: the event's id, with its replay's name for a replayed event (a
 * replay re-sends the archived event under its own id, and the original may still be retrying).
 */
export const journalKey = (event: Pick<BusEvent, 'id' | 'replay-name'>): string =>
  event['replay-name'] === undefined ? event.id : JSON.stringify([event.id, event['replay-name']]);

/** A delivery left unfinished by the last run, to be resumed. */
export interface UnfinishedDelivery {
  bus: BusName;
  event: BusEvent;
  rule: string;
  /** Attempts that failed so far. */
  attempts: number;
  /** When the next attempt is due (epoch ms, the local clock), if it was waiting for a retry. */
  nextAt?: number;
  /** A redrive's request id (its own invocation's); none: the delivery's, derived from event and rule. */
  requestId?: string;
  /** When it was accepted (epoch ms, the local clock): a redrive's, when it was redriven. */
  acceptedAt?: number;
}

export class DeliveryJournal {
  readonly #journal: JsonLines<Entry> | undefined;
  readonly #deadLetters: JsonLines<DeadLetter> | undefined;

  constructor(files?: { journal: string; deadLetters: string }) {
    this.#journal = files ? new JsonLines(files.journal) : undefined;
    this.#deadLetters = files ? new JsonLines(files.deadLetters) : undefined;
  }

  /** Reads what the last run left unfinished and compacts the journal to exactly that. */
  open(): { unfinished: UnfinishedDelivery[]; deadLetters: DeadLetter[] } {
    if (!this.#journal) return { unfinished: [], deadLetters: [] };
    const events = new Map<
      string,
      { bus: BusName; event: BusEvent; rules: Map<string, UnfinishedDelivery> }
    >();
    for (const entry of this.#journal.read()) {
      if (entry.op === 'accepted') {
        // A second accepted line for the same event (a redriven dead letter, journalled as accepted
        // again for its one rule) adds that rule to the event's deliveries: the other rules still
        // delivering it, and their retry counts, stand.
        const key = journalKey(entry.event);
        const known = events.get(key) ?? { bus: entry.bus, event: entry.event, rules: new Map() };
        for (const rule of entry.rules)
          known.rules.set(rule, {
            bus: entry.bus,
            event: entry.event,
            rule,
            attempts: 0,
            ...(entry.requestId === undefined ? {} : { requestId: entry.requestId }),
            ...(entry.acceptedAt === undefined ? {} : { acceptedAt: entry.acceptedAt }),
          });
        events.set(key, known);
        continue;
      }
      const delivery = events.get(entry.id)?.rules.get(entry.rule);
      if (!delivery) continue;
      if (entry.op === 'retrying') {
        delivery.attempts = entry.attempts;
        delivery.nextAt = entry.nextAt;
      } else {
        events.get(entry.id)!.rules.delete(entry.rule);
      }
    }
    // A kept dead letter ends its delivery, whatever the journal says: a kill between the letter and its
    // `dead` line, or between a redrive's `accepted` line and the letter taken out, left both.
    const deadLetters = this.#deadLetters!.read();
    for (const letter of deadLetters) events.get(journalKey(letter.event))?.rules.delete(letter.rule);
    const unfinished = [...events.values()].flatMap(({ rules }) => [...rules.values()]);
    const compacted: Entry[] = [...events.values()]
      .filter(({ rules }) => rules.size > 0)
      .flatMap(({ bus, event, rules }) => {
        // A redrive's delivery keeps its own request id: an accepted line of its own.
        const derived = [...rules.values()].filter((delivery) => delivery.requestId === undefined);
        const redriven = [...rules.values()].filter((delivery) => delivery.requestId !== undefined);
        return [
          // The derived deliveries came from one accepted line, so they share its time.
          ...(derived.length === 0
            ? []
            : [
                {
                  op: 'accepted' as const,
                  bus,
                  event,
                  rules: derived.map((delivery) => delivery.rule),
                  ...(derived[0].acceptedAt === undefined ? {} : { acceptedAt: derived[0].acceptedAt }),
                },
              ]),
          ...redriven.map((delivery) => ({
            op: 'accepted' as const,
            bus,
            event,
            rules: [delivery.rule],
            requestId: delivery.requestId,
            ...(delivery.acceptedAt === undefined ? {} : { acceptedAt: delivery.acceptedAt }),
          })),
          ...[...rules.values()]
            .filter((delivery) => delivery.nextAt !== undefined)
            .map((delivery) => ({
              op: 'retrying' as const,
              id: journalKey(event),
              rule: delivery.rule,
              attempts: delivery.attempts,
              nextAt: delivery.nextAt!,
            })),
        ];
      });
    this.#journal.rewrite(compacted);
    return { unfinished, deadLetters };
  }

  /** Events accepted for delivery: durable (fsync) before the caller answers that they were accepted. */
  accepted(
    records: { bus: BusName; event: BusEvent; rules: string[]; requestId?: string; acceptedAt?: number }[],
  ): void {
    this.#journal?.append(
      records
        .filter((record) => record.rules.length > 0)
        .map((record) => ({
          op: 'accepted' as const,
          ...record,
          acceptedAt: record.acceptedAt ?? Date.now(),
        })),
      { sync: true },
    );
  }

  /** A failed attempt; lost in a crash, it only means that the count restarts lower. */
  retrying(event: BusEvent, rule: string, attempts: number, nextAt: number): void {
    this.#journal?.append([{ op: 'retrying', id: journalKey(event), rule, attempts, nextAt }]);
  }

  /** Delivered; lost in a crash, it means one more delivery, which every consumer takes in its stride. */
  done(event: BusEvent, rule: string): void {
    this.#journal?.append([{ op: 'done', id: journalKey(event), rule }]);
  }

  deadLettered(letter: DeadLetter): void {
    this.#deadLetters?.append([letter], { sync: true });
    this.#journal?.append([{ op: 'dead', id: journalKey(letter.event), rule: letter.rule }]);
  }

  /** The dead letters now (after a redrive took some out): rewrites their file to exactly these. */
  keepDeadLetters(letters: DeadLetter[]): void {
    this.#deadLetters?.rewrite(letters);
  }

  close(): void {
    this.#journal?.close();
    this.#deadLetters?.close();
  }
}
