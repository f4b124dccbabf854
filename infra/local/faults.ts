import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * Faults the local cloud injects (see docs/design.md#local-faults): handler code never fakes a
 * failure, the local engines do, each at the one point where the fault happens in AWS. A fault is
 * armed for a number of occurrences, for ever, or at a rate (a share of the calls that reach it),
 * either from BACKLINE_LOCAL_FAULTS at start or through `POST /_local/faults`; the engine that owns
 * it calls `take()` there, which consumes one occurrence or draws against the rate.
 *
 * Names are `area.what`, optionally narrowed to one target with `:target`:
 *
 *   ses.throttle                      the SES front refuses a send before accepting it with 429
 *                                     TooManyRequestsException, as above the account's sending rate
 *   ses.error                         the SES front refuses a send before accepting it with 500 InternalFailure
 *   ses.paused                        the SES front refuses a send before accepting it with 400
 *                                     SendingPausedException, as while the account's sending is paused
 *                                     (armed `=inf` it stays paused until the faults are cleared)
 *   ses.accept-then-fail[:domain]     the SES front accepts a send (mail stored, events published)
 *                                     and then answers HTTP 500 InternalFailure, as if the response was lost
 *                                     (`:domain` = a call with a mail to an address at that domain)
 *   ses.reject-entry[:template]       the SES front refuses one entry of a SendBulkEmail (of that template,
 *   ses.reject-entry[:domain]         or with a mail to an address at that domain) with its per-entry status
 *                                     MESSAGE_REJECTED, sending nothing for it
 *   ses.event-drop[:eventType]        the SES front loses one configuration-set event (`:Send`, `:Delivery`,
 *   ses.event-drop[:domain]           `:Bounce`, `:Complaint`; or the next event, the first being `Send`, of a
 *                                     mail to an address at `:domain`), as SES's best-effort events may be lost
 *   invoke.crash-before[:fn]          the runtime fails an invocation before the handler runs
 *   invoke.timeout[:fn]               the runtime abandons the handler mid-run, as Lambda does at the
 *                                     function's timeout: its promise is no longer awaited and the
 *                                     invocation fails with "Task timed out" (work it already has in
 *                                     flight may still land, as calls a Lambda sent before its timeout do)
 *   invoke.crash-after-return[:fn]    the runtime fails an invocation after the handler returned,
 *                                     i.e. a crash after its side effects (`:fn` = one function)
 *   invoke.duplicate[:fn]             the bus invokes a rule's function twice at the same instant with the
 *                                     same event (same id), as two concurrent instances, each with its own
 *                                     request id: EventBridge and Lambda deliver at least once, and a
 *                                     repeat need not wait for the first delivery to end. The attempt
 *                                     fails, and is retried, when either invocation fails
 *   events.put-fail[:source]          the local bus answers one PutEvents entry (of that source) with
 *                                     ErrorCode InternalFailure; for `aws.ses` events the SES front
 *                                     tries a failed put again (AWS services retry event delivery
 *                                     when EventBridge fails them), losing it only after 10 failures
 *   events.put-refuse[:source]        the local bus answers one PutEvents entry (of that source) with the
 *                                     non-retryable ErrorCode NotAuthorizedForSourceException, as
 *                                     EventBridge does when the caller may not put that source
 *                                     (both model the calls our functions make: Scheduler's own PutEvents
 *                                     for a schedule's firing never takes them)
 *   scheduler.put-fail[:schedule]     a schedule's firing fails to put its event on the bus (InternalFailure),
 *                                     as Scheduler's call to its target may; retried as the schedule's
 *                                     RetryPolicy says, then dead-lettered
 *   sqs.send-fail[:queue]             a queue refuses a message from its bus rule (the rule retries it)
 *   sqs.redeliver[:queue]             the deletion of a handled batch is lost: it comes back after its
 *                                     visibility timeout, as when DeleteMessage fails or the timeout ran out
 *   sqs.duplicate[:queue]             a batch's messages are received twice at the same instant: the
 *                                     function gets the same records in two concurrent batches, as a
 *                                     standard queue may deliver a message more than once; either
 *                                     batch's success deletes a message
 *   dynamodb.throughput-exceeded[:op] the DynamoDB port answers 400 ProvisionedThroughputExceededException
 *   dynamodb.throttle[:op]            the DynamoDB port answers 400 ThrottlingException
 *   dynamodb.error[:op]               the DynamoDB port answers 500 InternalServerError
 *   dynamodb.transaction-conflict[:op] a TransactWriteItems or TransactGetItems is cancelled with
 *                                     TransactionCanceledException, one item's reason TransactionConflict
 *                                     (DynamoDB Local never raises it by itself)
 *   dynamodb.accept-then-fail[:op]    a write (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
 *                                     TransactWriteItems) is applied and then answered 500 InternalServerError,
 *                                     so the caller does not know it was applied
 *
 * `:op` is a DynamoDB operation (`dynamodb.error:TransactWriteItems`). `:op.fragment` narrows it to a
 * request of that operation naming an item (an `Item`, a `Key` or one of `Keys`, anywhere in the request:
 * a transaction's Put, Update, Delete or ConditionCheck, a batch's requests) whose partition or sort key
 * contains the fragment (`dynamodb.accept-then-fail:PutItem.label-m1x-4b2`, the put of LABEL#label-m1x-4b2),
 * so a test on the shared cloud aims the fault at its own item and no other caller's request takes it.
 * The SDK retries the throttling errors and the 500s by itself (with backoff), not
 * TransactionCanceledException. DynamoDB Streams calls pass through untouched.
 *
 * `:fn` is a function (`invoke.crash-after-return:announcer`). `:fn.detail-type` narrows an `invoke.*` fault to
 * the function's invocations with an event of that detail-type (`invoke.duplicate:announcer.Mailing Requested`),
 * which a bus rule hands the function itself, and `:fn.detail-type.fragment` to those whose detail (as JSON)
 * holds the fragment (`invoke.crash-after-return:announcer.Mailing Requested.rel-m1x-4b2`, one release's
 * mailing), so a test on the shared cloud aims it at its own event; an invocation with a batch from a
 * queue, a stream or an HTTP request takes only the `:fn` and unaimed forms.
 *
 * Spec syntax (BACKLINE_LOCAL_FAULTS): comma-separated `name[=times]` or `name@rate`: times is a
 * positive integer or `inf` (a bare name means once), rate a share of calls in (0, 1]. Example:
 *   ses.throttle@0.3,dynamodb.error:TransactWriteItems@0.05,invoke.crash-after-return:announcer=1
 * Rates are drawn from a seeded generator (BACKLINE_LOCAL_FAULTS_SEED, else a random seed that
 * `GET /_local/faults` shows), one stream per fault name, so the n-th call that reaches a fault
 * gets the same answer in every run with that seed, whatever other faults are doing.
 */

// A target may hold single spaces between words, as a detail-type does (`invoke.duplicate:announcer.Mailing Requested`).
const FAULT_NAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*(:[A-Za-z0-9_.-]+( [A-Za-z0-9_.-]+)*)?$/;

/** The faults above, each taken by its engine: a name not among them is refused, for nothing would fire it. */
export const faultNames = [
  'ses.throttle',
  'ses.error',
  'ses.paused',
  'ses.accept-then-fail',
  'ses.reject-entry',
  'ses.event-drop',
  'invoke.crash-before',
  'invoke.timeout',
  'invoke.crash-after-return',
  'invoke.duplicate',
  'events.put-fail',
  'events.put-refuse',
  'scheduler.put-fail',
  'sqs.send-fail',
  'sqs.redeliver',
  'sqs.duplicate',
  'dynamodb.throughput-exceeded',
  'dynamodb.throttle',
  'dynamodb.error',
  'dynamodb.transaction-conflict',
  'dynamodb.accept-then-fail',
] as const;
export type FaultName = (typeof faultNames)[number];

/** A fault spec or entry that cannot be armed (`npm start` names BACKLINE_LOCAL_FAULTS with it). */
export class FaultSpecError extends Error {}

/** What is armed under one name: occurrences left (consumed first), then a rate. */
export interface Armed {
  times?: number;
  rate?: number;
}

export interface FaultsReport {
  seed: number;
  armed: Record<string, Armed>;
  /** Per armed name (with its target, as armed): how often the fault fired, and how often it was consulted. */
  fired: Record<string, number>;
  checked: Record<string, number>;
}

export class Faults {
  readonly #armed = new Map<string, Armed>();
  readonly #streams = new Map<string, RandomGenerator>();
  readonly #fired = new Map<string, number>();
  readonly #checked = new Map<string, number>();
  #seed: number;

  constructor(spec?: string, seed?: number) {
    this.#seed = seed ?? randomSeed();
    this.armSpec(spec ?? '');
  }

  /** Arms every entry of a spec (`name[=times]` or `name@rate`, comma-separated). */
  armSpec(spec: string): void {
    const parsed = spec
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map(parseEntry);
    for (const { name, times, rate } of parsed) {
      if (rate !== undefined) this.armRate(name, rate);
      else this.arm(name, times);
    }
  }

  /** Arms `name` for `times` more occurrences (added to what is already armed). */
  arm(name: string, times = 1): void {
    checkName(name);
    if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times > 0))) {
      throw new FaultSpecError(`fault "${name}": times must be a positive integer or Infinity, got ${times}`);
    }
    const armed = this.#armed.get(name) ?? {};
    this.#armed.set(name, { ...armed, times: (armed.times ?? 0) + times });
  }

  /** Arms `name` to fire on that share of the calls that reach it (replacing an earlier rate). */
  armRate(name: string, rate: number): void {
    checkName(name);
    if (!(typeof rate === 'number' && rate > 0 && rate <= 1)) {
      throw new FaultSpecError(`fault "${name}": rate must be a number in (0, 1], got ${rate}`);
    }
    this.#armed.set(name, { ...this.#armed.get(name), rate });
  }

  /** Restarts every rate's stream from `seed`: the same calls fail again. */
  reseed(seed: number): void {
    if (!Number.isSafeInteger(seed)) throw new Error(`fault seed must be an integer, got ${seed}`);
    this.#seed = seed;
    this.#streams.clear();
  }

  /** True when `name` fires for this call: consumes one occurrence, or draws against its rate. */
  take(name: FaultName): boolean {
    return this.#take(name);
  }

  /**
   * `take` for a fault aimed at one of the call's targets (`name:target`, tried in order) or at every
   * target (`name`).
   */
  takeFor(name: FaultName, ...targets: string[]): boolean {
    return targets.some((target) => this.#take(`${name}:${target}`)) || this.#take(name);
  }

  /**
   * `takeFor(name, operation)` for a DynamoDB request, first trying a fault aimed at an item it names
   * (`name:<operation>.<fragment>`, taken when one of `keys`, its items' partition and sort keys, contains
   * the fragment).
   */
  takeForKeys(name: FaultName, operation: string, keys: string[]): boolean {
    return (
      this.#takeAimed(`${name}:${operation}.`, (fragment) =>
        keys.some((key) => fragment !== '' && key.includes(fragment)),
      ) || this.takeFor(name, operation)
    );
  }

  /**
   * `takeFor` for an `invoke.*` fault on an invocation of `fn` with `event`: aimed at the function's
   * invocations with one event (`name:<fn>.<detail-type>.<fragment>`, its detail holding the fragment) or
   * with events of one detail-type (`name:<fn>.<detail-type>`, for an event a bus rule hands the function
   * itself), at the function (`name:<fn>`), or at every invocation.
   */
  takeForInvocation(name: FaultName, fn: string, event: unknown): boolean {
    const { 'detail-type': detailType, detail } = (event ?? {}) as {
      'detail-type'?: unknown;
      detail?: unknown;
    };
    if (typeof detailType !== 'string') return this.takeFor(name, fn);
    // Aimed at one event (`name:<fn>.<detail-type>.<fragment>`): taken when its detail holds the fragment.
    let text: string | undefined;
    const holds = (fragment: string) => {
      text ??= JSON.stringify(detail ?? null);
      return text.includes(fragment);
    };
    return (
      this.#takeAimed(`${name}:${fn}.${detailType}.`, holds) || this.takeFor(name, `${fn}.${detailType}`, fn)
    );
  }

  /**
   * Takes the first fault armed as `<aimed><fragment>` whose fragment `holds` for the call (an item's
   * key, an event's detail), if any: the one loop of the faults aimed within a target.
   */
  #takeAimed(aimed: string, holds: (fragment: string) => boolean): boolean {
    for (const armed of [...this.#armed.keys()]) {
      if (armed.startsWith(aimed) && holds(armed.slice(aimed.length)) && this.#take(armed)) return true;
    }
    return false;
  }

  /** Whether a fault is armed aimed at items of `operation` (`name:<operation>.<fragment>`): only then are a request's keys read. */
  aimsAtItems(operation: string): boolean {
    return [...this.#armed.keys()].some(
      (armed) => armed.startsWith('dynamodb.') && armed.includes(`:${operation}.`),
    );
  }

  #take(name: string): boolean {
    const armed = this.#armed.get(name);
    if (armed === undefined) return false;
    this.#checked.set(name, (this.#checked.get(name) ?? 0) + 1);
    let fires = false;
    if (armed.times !== undefined) {
      fires = true;
      if (armed.times > 1) armed.times -= 1;
      else if (armed.rate === undefined) this.#armed.delete(name);
      else delete armed.times;
    } else if (armed.rate !== undefined) {
      fires = uniformFloat64(this.#stream(name)) < armed.rate;
    }
    if (fires) this.#fired.set(name, (this.#fired.get(name) ?? 0) + 1);
    return fires;
  }

  /** A draw in [0, 1) from `name`'s stream, for choices a fault makes when it fires (which item conflicts). */
  draw(name: FaultName): number {
    return uniformFloat64(this.#stream(name));
  }

  list(): FaultsReport {
    return {
      seed: this.#seed,
      armed: Object.fromEntries([...this.#armed].map(([name, armed]) => [name, { ...armed }])),
      fired: Object.fromEntries(this.#fired),
      checked: Object.fromEntries(this.#checked),
    };
  }

  /** Disarms everything; what fired stays counted. */
  clear(): void {
    this.#armed.clear();
  }

  #stream(name: string): RandomGenerator {
    let stream = this.#streams.get(name);
    if (!stream) {
      stream = xoroshiro128plus((this.#seed ^ fnv1a(name)) | 0);
      this.#streams.set(name, stream);
    }
    return stream;
  }
}

function checkName(name: string): void {
  if (!FAULT_NAME.test(name)) {
    throw new FaultSpecError(`fault name "${name}" must look like area.what or area.what:target`);
  }
  const fault = name.split(':')[0];
  if (!(faultNames as readonly string[]).includes(fault)) {
    throw new FaultSpecError(`no fault is named "${fault}"; the faults are ${faultNames.join(', ')}`);
  }
}

function parseEntry(entry: string): { name: string; times?: number; rate?: number } {
  const match = /^([^=@]+?)\s*(?:([=@])\s*(.+))?$/.exec(entry);
  if (!match) throw new FaultSpecError(`"${entry}" is not name[=times] or name@rate`);
  const [, name, operator, value] = match;
  checkName(name);
  if (operator === undefined) return { name, times: 1 };
  if (operator === '@') {
    const rate = Number(value);
    if (!(rate > 0 && rate <= 1)) {
      throw new FaultSpecError(`"${entry}": rate must be a number in (0, 1]`);
    }
    return { name, rate };
  }
  if (value === 'inf' || value === 'Infinity') return { name, times: Number.POSITIVE_INFINITY };
  const times = Number(value);
  if (!Number.isInteger(times) || times < 1) {
    throw new FaultSpecError(`"${entry}": times must be a positive integer or inf`);
  }
  return { name, times };
}

/** FNV-1a over the name: gives each fault its own stream from the one seed. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
