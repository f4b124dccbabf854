/**
 * A fence on the writes of work that may be left running: a job page's attempt that ran out of time
 * (see docs/design.md#jobs). Once the fence is closed no write of the work starts, and closing answers
 * once the writes already sent have answered, so nothing the work writes lands after it was closed. The
 * check is in the process, before each request: it costs no write unit and no request.
 */
export class WriteFence {
  private readonly controller = new AbortController();
  private readonly sent = new Set<Promise<unknown>>();

  /** Aborted once the fence is closed: the work takes no more (an import's rows). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Sends the write unless the fence is closed (then `FencedWriteError`), and keeps it until it answers. */
  async write<T>(send: () => Promise<T>): Promise<T> {
    if (this.signal.aborted) throw new FencedWriteError();
    const sending = send();
    this.sent.add(sending);
    try {
      return await sending;
    } finally {
      this.sent.delete(sending);
    }
  }

  /** Closes the fence; answers once every write sent before has answered, whatever its answer. */
  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.sent]);
  }
}

/** A write refused because its work's fence was closed: nothing was sent. */
export class FencedWriteError extends Error {
  constructor() {
    super('not written: the attempt it belongs to has ended');
    this.name = 'FencedWriteError';
  }
}

/** Sends `send` through `fence`, or as it is when the write has none. */
export const throughFence = <T>(fence: WriteFence | undefined, send: () => Promise<T>): Promise<T> =>
  fence ? fence.write(send) : send();
