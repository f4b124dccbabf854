/**
 * A fence on the writes of work that may be left running: a job page's attempt that ran out of time
 * (see docs/design.md#jobs). Once the fence is closed no write of the work starts, and a write already
 * sent is abandoned: each is sent with the fence's `signal`, which the SDK takes as its `abortSignal`, so
 * closing gives up the try under way and stops the SDK trying the write again. Closing answers once the
 * writes already sent have answered or been given up. The check is in the process, before each request:
 * it costs no write unit and no request.
 */
export class WriteFence {
  private readonly controller = new AbortController();
  private readonly sent = new Set<Promise<unknown>>();
  private closing?: { at: number; reason: Error; timer: NodeJS.Timeout };
  private unanswered = false;

  private readonly now: () => Date;

  /** `now`: the clock `closesAt` is read on. */
  constructor(now: () => Date = () => new Date()) {
    this.now = now;
  }

  /** Aborted once the fence is closed (its `reason` says why): the work takes no more (an import's rows). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Closes the fence at `at` (epoch ms) with `reason`, unless moved again before (an attempt's lease
   * renewed, docs/design.md#jobs). Checked before each write as well as by a timer, so an environment
   * frozen past `at` and thawed sends nothing.
   */
  closesAt(at: number, reason: Error): void {
    if (this.closing) clearTimeout(this.closing.timer);
    if (this.signal.aborted) return;
    const timer = setTimeout(() => void this.close(reason), Math.max(0, at - this.now().getTime()));
    this.closing = { at, reason, timer };
  }

  /**
   * Sends the write unless the fence is closed (then `FencedWriteError`), with the fence's signal to pass
   * the SDK as its `abortSignal` (aborted when the fence closes), and keeps it until it answers.
   */
  async write<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closing && !this.signal.aborted && this.now().getTime() >= this.closing.at)
      void this.close(this.closing.reason);
    if (this.signal.aborted) throw new FencedWriteError();
    const sending = send(this.signal);
    this.sent.add(sending);
    try {
      return await sending;
    } catch (error) {
      // Answered only if its one try was (a service's error carries its HTTP status). A try the client gave
      // up (its request timeout, a lost connection) may still be applied by DynamoDB, and after more than
      // one try the error is the last try's alone: an earlier one may have gone unanswered
      // (docs/design.md#jobs).
      const { httpStatusCode, attempts = 1 } =
        (error as { $metadata?: { httpStatusCode?: number; attempts?: number } }).$metadata ?? {};
      if (httpStatusCode === undefined || attempts > 1) this.unanswered = true;
      throw error;
    } finally {
      this.sent.delete(sending);
    }
  }

  /**
   * Whether a write sent went without the table's answer: given up by closing (under way when the fence
   * closed), or by the client on its own (its request timeout) while the fence was open; a write that
   * failed after more than one try counts as such, its error telling only its last try's answer. A try DynamoDB
   * had received may still land after `close` answered, within the client's request timeout
   * (docs/design.md#jobs).
   */
  get unansweredSent(): boolean {
    return this.unanswered;
  }

  /**
   * Closes the fence (`reason`: why, when the fence closes on its own), aborting its signal; answers once
   * every write sent before has answered, whatever its answer (one the SDK gave up on the signal included).
   */
  async close(reason?: Error): Promise<void> {
    if (this.closing) clearTimeout(this.closing.timer);
    if (!this.signal.aborted) {
      if (this.sent.size > 0) this.unanswered = true;
      this.controller.abort(reason);
    }
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

/**
 * Sends `send` through `fence`, or as it is when the write has none; `send` passes the signal it is given
 * to the SDK (`db.send(command, { abortSignal })`), so the fence's closing stops the SDK's retries.
 */
export const throughFence = <T>(
  fence: WriteFence | undefined,
  send: (abortSignal?: AbortSignal) => Promise<T>,
): Promise<T> => (fence ? fence.write(send) : send());
