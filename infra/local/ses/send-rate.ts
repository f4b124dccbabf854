/**
 * The account's maximum send rate, counted in recipients per second (SES quotas count
 * recipients, not calls), as a token bucket holding one second's worth. A call that
 * would overdraw it is refused whole. One exception, as SES describes it: when the bucket is
 * full, a single call with more recipients than one second's rate goes through and the
 * following calls are refused until the debt is paid back (otherwise a 50-recipient
 * SendBulkEmail could never pass at a rate below 50).
 */
export class SendRate {
  readonly maxSendRate: number | undefined;
  readonly #now: () => number;
  readonly #capacity: number;
  #tokens: number;
  #refilledAt: number;
  #sent: { at: number; recipients: number }[] = [];

  /** `maxSendRate` undefined: never throttles. `now`: epoch ms of the local cloud's clock. */
  constructor(maxSendRate: number | undefined, now: () => number) {
    if (maxSendRate !== undefined && !(Number.isFinite(maxSendRate) && maxSendRate > 0)) {
      throw new Error(`SES send rate must be a positive number of recipients per second, got ${maxSendRate}`);
    }
    this.maxSendRate = maxSendRate;
    this.#now = now;
    this.#capacity = Math.max(maxSendRate ?? 0, 1);
    this.#tokens = this.#capacity;
    this.#refilledAt = now();
  }

  /** Takes `recipients` from the budget; false (taking nothing) when that would exceed the rate. */
  tryTake(recipients: number): boolean {
    if (this.maxSendRate === undefined) return true;
    const now = this.#now();
    this.#tokens = Math.min(
      this.#capacity,
      this.#tokens + (Math.max(0, now - this.#refilledAt) / 1000) * this.maxSendRate,
    );
    this.#refilledAt = now;
    const wholeBudget = this.#tokens >= this.#capacity;
    if (this.#tokens >= recipients || (recipients > this.#capacity && wholeBudget)) {
      this.#tokens -= recipients;
      return true;
    }
    return false;
  }

  /** `at`: when they were sent (epoch ms of the local cloud's clock), now unless given. */
  recordSent(recipients: number, at: number = this.#now()): void {
    this.#sent.push({ at, recipients });
  }

  sentLast24Hours(): number {
    const since = this.#now() - 24 * 60 * 60 * 1000;
    this.#sent = this.#sent.filter((entry) => entry.at > since);
    return this.#sent.reduce((total, entry) => total + entry.recipients, 0);
  }
}
