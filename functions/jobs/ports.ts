import type { AddressReads } from '#shared/db/address-reads.ts';
import type { Job, JobStore, PageCompletion } from '#shared/db/jobs.ts';
import type { OutletManagement } from '#shared/db/outlet-changes.ts';
import type { WebhookReplays } from '#shared/db/webhooks.ts';
import type { WriteFence } from '#shared/db/write-fence.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { Log } from '#shared/lambda/observability.ts';

/** The jobs function's view of the world: small ports, wired in adapters.ts, faked in tests. */
export interface JobsDeps {
  jobs: JobStore;
  /** The outlets an import writes, and its page's addresses read together ahead of its rows. */
  outlets: Pick<OutletManagement, 'upsertByEmail' | 'findByEmail'> & AddressReads;
  webhooks: WebhookReplays;
  now: () => Date;
  log: Log;
}

/** What a page did, short of recording it; `fail` ends the job (it cannot go on, whatever is retried). */
export type PageWork = Omit<PageCompletion, 'at'> | { fail: string };

/**
 * The attempt a page's work is done in: its number (1 for the first; a later one re-runs the page), and
 * the fence its writes go through, closed when the attempt ends (docs/design.md#jobs).
 */
export interface PageAttempt {
  number: number;
  fence: WriteFence;
}

/** One kind of job: how one of its pages is done. */
export type PageWorker = (job: Job, page: number, deps: JobsDeps, attempt: PageAttempt) => Promise<PageWork>;

/**
 * What a page that failed for good still leads to, written with the job's failure (an import page's
 * outlets are named: its completion, which names them, never landed).
 */
export type FailedPageEvents = (job: Job, page: number, deps: JobsDeps) => Promise<OutboxEntry[]>;
