import type { FunctionSpec, QueueTrigger } from './topology.ts';

/**
 * The parts of the topology (topology.ts) that running code reads: function settings and the mail
 * settlement queue. Kept apart from the topology's triggers, which name every event contract, so that
 * a function reading its own timeout does not bundle every other context's event schemas (see
 * docs/design.md#bundles). The topology is still where they are declared: it takes them from here.
 */

/** What a function gets when its entry does not say: read by the CDK construct, the local runtime and the local bus alike. */
export const functionDefaults = { timeoutSeconds: 10, memoryMb: 512, retryAttempts: 2 } as const;

/**
 * EventBridge's delivery to a rule's target, as every rule of the stack sets it (the documented
 * maximum): tried again for up to 24 hours and 185 times, then the rule's dead-letter queue. It
 * covers EventBridge failing to hand an event over (to Lambda's asynchronous queue, or SendMessage
 * to a queue trigger's queue), not a handler that throws: that is `retryAttempts`. Scheduler's
 * retries of a schedule's target are the same (its default RetryPolicy, stated by `oneTimeSchedule`
 * and applied by the local scheduler), then the schedule's dead-letter queue.
 */
export const ruleTargetRetry = { retryAttempts: 185, maxEventAgeSeconds: 24 * 60 * 60 } as const;

/**
 * How long Lambda keeps an event of an event-triggered function for its asynchronous retries
 * (`retryAttempts`), as every such function of the stack sets it (Lambda's default, 6 hours): a write
 * whose run failed may be tried again, and its follow-ups made, until then. The budgets' reconciliation
 * leaves to them a release across budgets owed by a version this recent (see docs/design.md#budgets).
 * Written out, as `maxGuestBytes` is (docs/design.md#bundles).
 */
export const asyncEventMaxAgeSeconds = 21_600;

/**
 * How long every dead-letter queue of the stack keeps a message (SQS `MessageRetentionPeriod`, at most
 * 14 days; the default is 4): the functions' on-failure queues, the rules' and the schedules' dead-letter
 * queues, the queue triggers' and the table stream's. SQS deletes a message older than this, counted from
 * when it was first sent to a queue: for a message a queue's redrive policy moved to its dead-letter
 * queue, from when it was sent to that first queue. The local cloud's dead letters are kept as long
 * (docs/design.md#failures-and-retries).
 */
export const deadLetterRetentionSeconds = 14 * 24 * 60 * 60;

/**
 * How long a queue trigger's queue keeps a message its function has not finished (SQS
 * `MessageRetentionPeriod`; the default is 4 days): as long as its dead-letter queue, 14 days, and the
 * local cloud's queues as long (docs/design.md#queues).
 */
export const queueRetentionSeconds = deadLetterRetentionSeconds;

/**
 * API Gateway's HTTP API stops waiting for an integration after this long (its maximum, which the stack
 * leaves as it is) and answers 503. A function behind a route must time out before it: one still running
 * then could commit work the client was told had failed (docs/design.md#routes-and-auth).
 */
export const httpIntegrationTimeoutSeconds = 30;

/** A function's settings with the defaults filled in. */
export const settingsOf = (spec: Pick<FunctionSpec, 'timeoutSeconds' | 'memoryMb' | 'retryAttempts'>) => ({
  timeoutSeconds: spec.timeoutSeconds ?? functionDefaults.timeoutSeconds,
  memoryMb: spec.memoryMb ?? functionDefaults.memoryMb,
  retryAttempts: spec.retryAttempts ?? functionDefaults.retryAttempts,
});

/**
 * The timeouts that running code reads: how long one sending invocation may hold its mail claims open,
 * and how long the settling one may take (every sender's stale-claim window counts both).
 */
export const timeoutSeconds = {
  announcer: 300,
  // Press to a large directory is sent page by page within the shared send rate; a press step near its
  // timeout puts itself on the bus again with the cursor of the next page (claims and what each address
  // was told are kept, so a retried page tells nobody twice).
  tours: 300,
  // A reconciliation reads one ledger and sends a few mails (alerts, the owner's report).
  budgets: 60,
  // Settling a batch of 100 Email Sent events is one BatchGetItem and one batched write (with what
  // follows a withdrawal, a release read and a publish): well under a second on DynamoDB Local, so 30 s
  // is a wide margin. The settlement queue's visibility timeout, and so every sender's stale-claim
  // window, is worked from it (mailSettlementTiming).
  settlement: 30,
} as const;

/**
 * Settings a function reads from its environment, each named by its variable. The stack sets none, so
 * the defaults in the function's ports apply; the local cloud hands its own environment to the handlers
 * it runs, so a cloud started for a test can set them (press in pages of two, one page per invocation,
 * to see press continue by cursor on DynamoDB Local).
 */
export const functionEnvironment = {
  tours: {
    /** Outlets read per page of the directory for press. */
    pressPageSize: 'BACKLINE_TOURS_PRESS_PAGE_SIZE',
    /** Pages one press invocation reads before it continues in a new one (unset: until its deadline). */
    pressPagesPerInvocation: 'BACKLINE_TOURS_PRESS_PAGES_PER_INVOCATION',
  },
} as const;

/** What a queue trigger's latency is computed from (queueLatencySeconds). */
export type QueueTiming = Pick<
  QueueTrigger,
  'deliveryDelaySeconds' | 'batchingWindowSeconds' | 'maxReceiveCount' | 'visibilityTimeoutSeconds'
>;

/**
 * The longest an event can take from the bus to its queue trigger's function finishing with it: the
 * delivery delay and the batching window, then every receive but the last ending in a visibility
 * timeout, then the last receive running for the function's whole timeout. Past that it is in the
 * dead-letter queue.
 */
export const queueLatencySeconds = (
  trigger: QueueTiming,
  spec: Pick<FunctionSpec, 'timeoutSeconds'>,
): number =>
  trigger.deliveryDelaySeconds +
  trigger.batchingWindowSeconds +
  (trigger.maxReceiveCount - 1) * trigger.visibilityTimeoutSeconds +
  settingsOf(spec).timeoutSeconds;

/**
 * The queue SES's Email Sent events reach the settlement function through to settle mail claims, and
 * its timing, which every sender's stale-claim window is computed from (mailSettlementLatencySeconds,
 * shared/mail/ports.ts). The queue trigger itself, with its pattern and batching, is the topology's
 * (`mailSettlement` in topology.ts), so that no bundle but the settlement's holds it (docs/design.md#bundles).
 */
export const mailSettlementQueue = 'mail-settlement';
export const mailSettlementTiming: QueueTiming = {
  // Each event waits in the queue before it can be received: see mailSettlement in topology.ts.
  deliveryDelaySeconds: 3,
  batchingWindowSeconds: 5,
  // Six times the settlement function's timeout plus the batching window, as AWS recommends for an SQS
  // event source: Lambda retries a throttled batch while it is hidden, so a burst that takes the
  // account's concurrency (mailings at midnight) does not spend its receives and dead-letter claims
  // that are settling; a message is hidden from its receive, while the window gathers the rest of its
  // batch (docs/design.md#queues). Written out (6 x 30 + 5 s), as the latency below is: the stack's
  // test checks it.
  visibilityTimeoutSeconds: 185,
  maxReceiveCount: 5,
};

/**
 * The longest an Email Sent event can take from the default bus to a settled claim: through the
 * settlement queue (its batching window and retries) and the settlement function that reads it,
 * `queueLatencySeconds` of `mailSettlementTiming` (3 + 5 + 4 x 185 + 30 s). Written out, as
 * `asyncEventMaxAgeSeconds` is, so that a sender does not bundle the sum (docs/design.md#bundles); the
 * stack's test checks it is the sum.
 */
export const mailSettlementLatencySeconds = 778;
