/** One handler invocation running now. */
export interface RunningInvocation {
  function: string;
  /** What it runs for: an event's detail-type or an HTTP route. */
  trigger: string;
  /** When it started (the local clock), ISO 8601. */
  since: string;
}

/**
 * The invocations running in the local cloud, whatever started them (the bus, the gateway), so that
 * a jump of the clock can wait for them first (see docs/design.md#the-local-clock).
 */
export class InFlight {
  readonly #running = new Set<RunningInvocation>();
  readonly #started = new Map<string, number>();
  #waiters: (() => void)[] = [];

  async track<T>(fn: string, trigger: string, work: () => Promise<T>): Promise<T> {
    const entry: RunningInvocation = { function: fn, trigger, since: new Date().toISOString() };
    this.#started.set(fn, (this.#started.get(fn) ?? 0) + 1);
    this.#running.add(entry);
    try {
      return await work();
    } finally {
      this.#running.delete(entry);
      if (this.#running.size === 0) {
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  /** Invocations started since the local cloud started, by function (what Lambda would bill as requests). */
  started(): Record<string, number> {
    return Object.fromEntries(this.#started);
  }

  running(): RunningInvocation[] {
    return [...this.#running];
  }

  /** Resolves once nothing runs. */
  whenIdle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
