/**
 * Faults the local cloud injects (docs/design.md#local-faults): handler code never fakes a failure, the
 * local engines do. A fault is armed for a number of occurrences (or for ever), either from
 * BACKLINE_LOCAL_FAULTS at start or by a test through `arm()`; the engine that owns it calls
 * `take()` at the one point where the fault happens, which consumes one occurrence.
 *
 * Names are `area.what`, optionally narrowed to one target with `:target`:
 *
 *   ses.accept-then-fail              the SES front accepts a send (mail stored, events published)
 *                                     and then answers HTTP 500 InternalFailure, as if the response was lost
 *   invoke.crash-after-return[:fn]    the runtime fails an invocation after the handler returned,
 *                                     i.e. a crash after its side effects (`:fn` = one function)
 *   events.put-fail[:source]          the local bus answers one PutEvents entry (of that source) with ErrorCode InternalFailure
 *
 * Spec syntax (BACKLINE_LOCAL_FAULTS): comma-separated `name[=times]`, times a positive
 * integer or `inf`; a bare name means once. Example:
 *   ses.accept-then-fail=2,invoke.crash-after-return:announcer=1
 */

const FAULT_NAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*(:[A-Za-z0-9_.-]+)?$/;

export class Faults {
  readonly #armed = new Map<string, number>();

  constructor(spec?: string) {
    for (const entry of (spec ?? '').split(',')) {
      const trimmed = entry.trim();
      if (trimmed === '') continue;
      const [name, times, ...rest] = trimmed.split('=').map((part) => part.trim());
      if (rest.length > 0) throw new Error(`BACKLINE_LOCAL_FAULTS: "${trimmed}" is not name[=times]`);
      this.arm(name, times === undefined ? 1 : parseTimes(times, trimmed));
    }
  }

  /** Arms `name` for `times` more occurrences (added to what is already armed). */
  arm(name: string, times = 1): void {
    if (!FAULT_NAME.test(name)) {
      throw new Error(`fault name "${name}" must look like area.what or area.what:target`);
    }
    if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times > 0))) {
      throw new Error(`fault "${name}": times must be a positive integer or Infinity, got ${times}`);
    }
    this.#armed.set(name, (this.#armed.get(name) ?? 0) + times);
  }

  /** True, consuming one occurrence, when `name` is armed. */
  take(name: string): boolean {
    const left = this.#armed.get(name);
    if (left === undefined) return false;
    if (left <= 1) this.#armed.delete(name);
    else this.#armed.set(name, left - 1);
    return true;
  }

  /** `take` for a fault aimed at one target (`name:target`) or at every target (`name`). */
  takeFor(name: string, target: string): boolean {
    return this.take(`${name}:${target}`) || this.take(name);
  }

  list(): Record<string, number> {
    return Object.fromEntries(this.#armed);
  }

  clear(): void {
    this.#armed.clear();
  }
}

function parseTimes(text: string, entry: string): number {
  if (text === 'inf' || text === 'Infinity') return Number.POSITIVE_INFINITY;
  const times = Number(text);
  if (!Number.isInteger(times) || times < 1) {
    throw new Error(`BACKLINE_LOCAL_FAULTS: "${entry}": times must be a positive integer or inf`);
  }
  return times;
}
