import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients.ts';
import { config } from '../config.ts';
import type { OutboxEntry } from '../events/outbox.ts';
import { invocationMarginMs } from '../lambda/deadline.ts';
import type { CsvRejection } from '../outlet-csv.ts';
import { failedConditions, isConditionFailure, writtenUnlessRefused } from './conditions.ts';
import { retryingConflicts } from './conflicts.ts';
import { jobExpiresAt, jobInputKey, jobKey, jobPageKey } from './job-keys.ts';
import { keyOf } from './keys.ts';
import { outboxPut, writeWithOutbox } from './outbox.ts';

/**
 * Jobs: long work (a CSV import, a webhook replay) that answers `202 {jobId}` at once and is done by
 * the jobs function one page per invocation (see docs/design.md#jobs).
 *
 * Access patterns and the keys that serve them (all of one job in one partition; job ids are made
 * by Backline, `job-<uuid>`, never supplied by a label):
 * - a job by id (`GET /jobs/{jobId}`; each page reads it and records its completion on it)
 *     pk `JOB#<jobId>`, sk `JOB`
 * - a job's input, one chunk per page (the page reads its own chunk)
 *     pk `JOB#<jobId>`, sk `INPUT#<page, 6 digits>`; at most `maxChunkBytes` of text each (DynamoDB: 400 KB an item)
 * - a job's page results in page order (`GET /jobs/{jobId}` lists the rejected rows, or a replay's records)
 *     pk `JOB#<jobId>`, sk `PAGE#<page, 6 digits>`; written only by a page that rejected some; and after it,
 *     sk `PAGE#<page>#<webhookId>#WEBHOOK` (a JSON webhook) or `PAGE#<page>#<messageId>` (an ERN message), a
 *     record the page put back that the publisher could not republish (`replayRejectionKey`, shared/db/job-keys.ts)
 * Every item expires `jobRetentionMs` after the job was created (TTL `expiresAt`).
 */

export const jobKinds = ['outlet-import', 'webhook-replay'] as const;
export type JobKind = (typeof jobKinds)[number];
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** DynamoDB: 400 KB an item; a chunk's text stays well under it with its attributes. */
export const maxChunkBytes = 256 * 1024;
/** Rows (CSV lines, recorded webhooks) one invocation works through. */
export const rowsPerPage = 500;

/**
 * A page's item keeps its lists within DynamoDB's 400 KB an item (409,600 bytes, names and values in UTF-8
 * counted), whatever the file holds: at most `rowsPerPage` rejected rows, an import's each with a reason of
 * at most `maxReasonBytes` (shared/db/job-keys.ts: 317 bytes a row as DynamoDB counts it, a line of 7 digits: 158,500), and of each
 * kind of an import's notes the rows of at most `maxNotedRowsPerPage` (a repeated row 288 bytes at most, an
 * opt-out 320, two to a row: 92,800), about 252,000 bytes with the item's keys. Every row is counted
 * all the same (docs/design.md#jobs).
 */
export const maxNotedRowsPerPage = 100;

/**
 * How long an attempt at a page holds its lease (`attemptLiveUntil` on the job item) from its start or
 * its last renewal: no other attempt at the page starts before it lapses (docs/design.md#jobs). As long
 * as the margin `invocationDeadline` keeps before Lambda's timeout: the attempt renews it only while its
 * write fence is open, which is until its work's deadline at the latest, so its lease never outlives its
 * invocation; and an attempt that crashed frees its page within it, before Lambda's first retry (1
 * minute later).
 */
export const attemptLeaseMs = invocationMarginMs;
/** An attempt renews its lease this often while its write fence is open. */
export const attemptRenewalMs = attemptLeaseMs / 3;
/**
 * An attempt's fence closes itself once this little of its lease is left (a renewal not answered in
 * time, an environment frozen and thawed): the writes it had sent have that long to answer before
 * another attempt may start.
 */
export const attemptLeaseLeftMs = attemptLeaseMs / 3;
/**
 * The jobs function's DynamoDB client gives up a try of a request after this long (the SDK tries it
 * again while the attempt's fence is open): a write sent before the fence closed is answered or given up
 * well within the `attemptLeaseLeftMs` left of the lease then (docs/design.md#jobs).
 */
export const attemptRequestTimeoutMs = 3_000;
/** When a lease taken or renewed at `at` lapses (an ISO time, compared as text with another). */
export const attemptLiveUntil = (at: string): string =>
  new Date(Date.parse(at) + attemptLeaseMs).toISOString();

/**
 * An attempt at a page refused because another attempt at it holds the page's lease (a duplicate event
 * while the first runs): nothing was counted, and Lambda retries the event later (docs/design.md#jobs).
 */
export class AttemptLiveError extends Error {
  /** `until`: when the lease that refused the start lapses; none when it has ended since (given up). */
  constructor(jobId: string, page: number, until?: string) {
    super(
      `page ${page} of job ${jobId} has an attempt running (its lease ${until ? `runs until ${until}` : 'ended since it refused this start'})`,
    );
    this.name = 'AttemptLiveError';
  }
}

export const jobIdPattern = /^job-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const jobPagesPrefix = keyOf('PAGE', '');

/** What a job works on, besides its chunks. */
export type JobInput =
  /** `separator` when the file's cells are not separated by commas (shared/outlet-csv.ts). */
  | { kind: 'outlet-import'; columns: string[]; separator?: ';' | '\t' }
  | { kind: 'webhook-replay'; labelId: string; from: string; to: string };

export interface Job {
  jobId: string;
  kind: JobKind;
  status: JobStatus;
  input: JobInput;
  /** Pages completed; the next page to run has this number. */
  pagesDone: number;
  /** How many pages the job has, when that is known up front (an import: one per input chunk). */
  pages?: number;
  /** Rows done (and, when known, of how many). */
  done: number;
  total?: number;
  /** Running totals: created/updated/rejected for an import, replayed for a replay. */
  counts: Record<string, number>;
  /** Where the next page starts reading, for work paged by a cursor (a replay). */
  cursor?: string;
  /**
   * Attempts started at the current page, counted before its work begins (an attempt Lambda's
   * timeout kills records nothing after it); back to 0 when the page is recorded.
   */
  attempts?: number;
  /** The error of the last attempt that failed with one (kept when its page is later recorded). */
  lastError?: string;
  error?: string;
  correlationId: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export interface JobChunk {
  firstLine: number;
  text: string;
  rows: number;
  rejected: CsvRejection[];
  /**
   * An import chunk's rows whose address an earlier row of the file named, found when the job was made
   * (the page reads each row's address from its text: the chunk's item stays within DynamoDB's 400 KB).
   */
  repeated?: Omit<RepeatedRow, 'email'>[];
}

/**
 * What a page could not do, and why: an import's row by its line, a replay's record (one whose event can
 * no longer be built, or that could not be put back) by its webhook id.
 */
export type JobRejection = CsvRejection | { webhookId: string; error: string };

/**
 * The rows an import took that its manager is told of (docs/design.md#jobs), by kind: `optedOut`, a row
 * whose address unsubscribed, bounced or complained (since `since`), imported and mailed nothing all the
 * same; `repeated`, a row whose address an earlier row of the file named (`RepeatedRow`).
 */
export interface ImportNotes {
  optedOut: {
    line: number;
    email: string;
    optOut: 'unsubscribed' | 'bounced' | 'complained';
    since: string;
  }[];
  repeated: RepeatedRow[];
}

/**
 * A row naming the address an earlier row of the file named (`earlierLine`, the first to name it): the
 * outlet is counted once, by that row, and the row is not; the last row naming it wins (docs/design.md#jobs).
 */
export interface RepeatedRow {
  line: number;
  email: string;
  earlierLine: number;
}
export type ImportNoteKind = keyof ImportNotes;

/** What one page did: recorded once, with the job's progress and the next page's event, in one transaction. */
export interface PageCompletion {
  rows: number;
  counts: Record<string, number>;
  rejected: JobRejection[];
  /** An import page's rows to tell of (`ImportNotes`), kept with its rejected rows. */
  notes?: Partial<ImportNotes>;
  /** The last page: the job is done. */
  last: boolean;
  /** Where the next page starts (a replay); absent for the last page or work paged by chunk. */
  cursor?: string;
  /**
   * The attempt that did the page's work: the page is recorded only while it is the page's latest (no
   * attempt started after its lease lapsed). Absent: recorded whichever attempt did it.
   */
  attempt?: number;
  /** The next page's `Job Page Due`, put in the outbox by the same transaction; absent on the last page. */
  next?: OutboxEntry;
  /** What the page's work leads to (an import page's `Outlets Changed`), put in the outbox by the same transaction. */
  events?: OutboxEntry[];
  at: string;
}

export interface JobStore {
  /**
   * Stores the input chunks, then the job with its `Job Requested` in the outbox, in one transaction
   * (the job's existence means its input is complete, and the event cannot be lost). Refuses an id
   * already taken, writing nothing.
   */
  create(job: Job, chunks: JobChunk[], requested: OutboxEntry): Promise<void>;
  get(jobId: string): Promise<Job | undefined>;
  chunk(jobId: string, page: number): Promise<JobChunk | undefined>;
  /**
   * Starts an attempt at `page`, before its work: counts it, takes the page's lease until
   * `attemptLiveUntil(at)` for `owner` (the invocation's request id, which Lambda keeps across its
   * retries of one asynchronous invocation; none: a new one) and marks a queued job running. Answers the
   * attempt's number (1 for the first), or 0 when `page` is not the job's next page (recorded before, or
   * one ahead) or the job is finished or unknown, counting nothing. Throws `AttemptLiveError`, counting
   * nothing, while a lease has not lapsed, whoever owns it: its own owner's start included (a duplicate
   * delivery of the invocation; Lambda's retry of an invocation that failed holding it comes after it
   * lapsed), and one the lease refused though it ended before the refusal was read (given up: its
   * attempt's failure recorded), the page still next. The same start sent again (the SDK's retry of one
   * whose answer was lost) answers the attempt it counted, told by an id of the start's own on the lease
   * (`attemptStart`), so a second start, though of the same owner at the same instant, is refused
   * (docs/design.md#jobs).
   */
  startAttempt(jobId: string, page: number, at: string, owner?: string): Promise<number>;
  /**
   * Renews attempt `attempt`'s lease at `page` until `attemptLiveUntil(at)`; false (nothing written)
   * when the page is recorded, the job finished, another attempt has started since, or the attempt gave
   * its lease up (its failure recorded).
   */
  renewAttempt(jobId: string, page: number, attempt: number, at: string): Promise<boolean>;
  /** False when the page was recorded before (a re-run after a crash, or a duplicate event). */
  completePage(
    job: Pick<Job, 'jobId' | 'createdAt'>,
    page: number,
    completion: PageCompletion,
  ): Promise<boolean>;
  /**
   * Records the error an attempt at `page` failed with and gives up its lease (nothing once the page is
   * recorded, nor when `attempt` is given and a later attempt has started).
   */
  recordFailure(jobId: string, page: number, error: string, at: string, attempt?: number): Promise<void>;
  /**
   * Fails a job still queued or running at `page`, its next page, with what its failed page still leads
   * to (`events`: a failed import page's `Outlets Changed`) in the outbox by the same write; a job
   * finished already, or whose `page` was recorded meanwhile (an attempt's recording applied but
   * answered as failed), stays as it is, and nothing is written (see docs/design.md#jobs).
   */
  fail(jobId: string, page: number, error: string, at: string, events?: OutboxEntry[]): Promise<void>;
  /** Rows (or a replay's records) rejected so far, in page order, at most `limit`. */
  rejectedRows(jobId: string, limit: number): Promise<JobRejection[]>;
  /** An import's notes of one kind so far (`ImportNotes`), in page order, at most `limit`. */
  importNotes<K extends ImportNoteKind>(jobId: string, kind: K, limit: number): Promise<ImportNotes[K]>;
}

const jobFields = [
  'jobId',
  'kind',
  'status',
  'input',
  'pagesDone',
  'pages',
  'done',
  'total',
  'counts',
  'cursor',
  'attempts',
  'lastError',
  'error',
  'correlationId',
  'createdAt',
  'updatedAt',
  'finishedAt',
] as const satisfies readonly (keyof Job)[];

function toJob(item: Record<string, unknown>): Job {
  const job: Record<string, unknown> = {};
  for (const field of jobFields) if (item[field] !== undefined) job[field] = item[field];
  return job as unknown as Job;
}

// Writes of a job's chunks in flight at once.
const chunkWriteConcurrency = 8;

export function dynamoJobStore(
  db: DynamoDBDocumentClient = dynamo(),
  tableName: string = config().TABLE_NAME,
): JobStore {
  const TableName = tableName;

  const create: JobStore['create'] = async (job, chunks, requested) => {
    // A repeated id is refused before its chunks are written, so they never overwrite the first job's
    // input (ids are random: two creates of one id at the same moment are not guarded against).
    if (await get(job.jobId)) throw new Error(`job ${job.jobId} exists already`);
    const expiresAt = jobExpiresAt(job.createdAt);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(chunkWriteConcurrency, chunks.length) }, async () => {
        while (next < chunks.length) {
          const page = next++;
          await db.send(
            new PutCommand({
              TableName,
              Item: { ...jobInputKey(job.jobId, page), type: 'jobInput', ...chunks[page], expiresAt },
            }),
          );
        }
      }),
    );
    // Invariant: a job is created once (its id is new); its chunks are all stored before it exists.
    const created = await writeWithOutbox(
      db,
      [
        {
          Put: {
            TableName,
            Item: { ...jobKey(job.jobId), type: 'job', ...job, expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      [requested],
      job.createdAt,
    );
    // A refusal is read again (docs/design.md#failures-and-retries): this very write, applied with its
    // answer lost and refused when sent again, stored the job as created now.
    if (!created && (await get(job.jobId))?.createdAt !== job.createdAt)
      throw new Error(`job ${job.jobId} exists already`);
  };

  const get: JobStore['get'] = async (jobId) => {
    const { Item } = await db.send(new GetCommand({ TableName, Key: jobKey(jobId), ConsistentRead: true }));
    return Item ? toJob(Item) : undefined;
  };

  const chunk: JobStore['chunk'] = async (jobId, page) => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: jobInputKey(jobId, page), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      firstLine: Item.firstLine as number,
      text: Item.text as string,
      rows: Item.rows as number,
      rejected: (Item.rejected as CsvRejection[] | undefined) ?? [],
      ...(Item.repeated ? { repeated: Item.repeated as Omit<RepeatedRow, 'email'>[] } : {}),
    };
  };

  const startAttempt: JobStore['startAttempt'] = async (jobId, page, at, owner = randomUUID()) => {
    const until = attemptLiveUntil(at);
    // This start's own id, on the lease beside its owner: the SDK's retries of the UpdateItem carry it,
    // another start (a second delivery of the invocation, at the very same instant too) does not.
    const start = randomUUID();
    try {
      // Tried again on a conflict (a transaction recording the page holds the job's item), so the
      // attempt is counted rather than thrown as a failure of the page's work.
      const { Attributes } = await retryingConflicts(() =>
        db.send(
          new UpdateCommand({
            TableName,
            Key: jobKey(jobId),
            UpdateExpression:
              'SET #status = :running, attempts = if_not_exists(attempts, :zero) + :one, attemptLiveUntil = :until, attemptOwner = :owner, attemptStart = :start, updatedAt = :at',
            // Invariant: attempts are counted at the job's next page only, and only while it runs; one
            // attempt at a time holds the page (its lease), so no two write its rows at once, not even
            // two deliveries of one invocation (same request id): a live lease is taken by no start.
            ConditionExpression:
              'pagesDone = :page AND #status IN (:queued, :running) AND (attribute_not_exists(attemptLiveUntil) OR attemptLiveUntil < :at)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':running': 'running',
              ':queued': 'queued',
              ':zero': 0,
              ':one': 1,
              ':page': page,
              ':at': at,
              ':until': until,
              ':owner': owner,
              ':start': start,
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return Attributes?.attempts as number;
    } catch (failure) {
      if (!isConditionFailure(failure)) throw failure;
    }
    // Refused: read which condition did it (rare, so no read on the way that succeeds).
    const { Item } = await db.send(new GetCommand({ TableName, Key: jobKey(jobId), ConsistentRead: true }));
    if (Item?.pagesDone !== page || !['queued', 'running'].includes(Item.status)) return 0;
    const live = Item.attemptLiveUntil as string | undefined;
    // This very start, sent again by the SDK after its answer was lost: the attempt it counted.
    if (Item.attemptStart === start) return Item.attempts as number;
    // The page still the job's next and the job running, so a lease refused it (or the page became next
    // since): one given up since (its attempt's failure recorded) is no page recorded, and the start
    // throws all the same, counting nothing, for Lambda to retry (docs/design.md#jobs).
    throw new AttemptLiveError(jobId, page, live !== undefined && live >= at ? live : undefined);
  };

  const renewAttempt: JobStore['renewAttempt'] = async (jobId, page, attempt, at) =>
    writtenUnlessRefused(
      retryingConflicts(() =>
        db.send(
          new UpdateCommand({
            TableName,
            Key: jobKey(jobId),
            UpdateExpression: 'SET attemptLiveUntil = :until',
            // Invariant: only the page's latest attempt, still at it, holds the lease; one given up (the
            // attempt's failure recorded) is not taken again by a renewal that lands after.
            ConditionExpression:
              'pagesDone = :page AND attempts = :attempt AND #status = :running AND attribute_exists(attemptLiveUntil)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':page': page,
              ':attempt': attempt,
              ':running': 'running',
              ':until': attemptLiveUntil(at),
            },
          }),
        ),
      ),
    );

  const completePage: JobStore['completePage'] = async ({ jobId, createdAt }, page, completion) => {
    const names: Record<string, string> = { '#status': 'status' };
    // Named only when used: DynamoDB refuses an attribute name the expressions never use.
    if (Object.keys(completion.counts).length > 0) names['#counts'] = 'counts';
    const values: Record<string, unknown> = {
      ':page': page,
      ':next': page + 1,
      ':rows': completion.rows,
      ':at': completion.at,
      ':status': completion.last ? 'done' : 'running',
      ':queued': 'queued',
      ':running': 'running',
      ':zero': 0,
    };
    const set = [
      'pagesDone = :next',
      '#done = #done + :rows',
      '#status = :status',
      'updatedAt = :at',
      'attempts = :zero',
    ];
    names['#done'] = 'done';
    for (const [index, [name, count]] of Object.entries(completion.counts).entries()) {
      names[`#c${index}`] = name;
      values[`:c${index}`] = count;
      set.push(`#counts.#c${index} = if_not_exists(#counts.#c${index}, :zero) + :c${index}`);
    }
    if (completion.last) {
      set.push('finishedAt = :at', '#total = #done + :rows');
      names['#total'] = 'total';
    }
    if (completion.cursor) {
      set.push('#cursor = :cursor');
      values[':cursor'] = completion.cursor;
    }
    names['#cursor'] = 'cursor';
    // The lease goes with the page: the next page's first attempt starts at once.
    const remove = [
      'attemptLiveUntil',
      'attemptOwner',
      'attemptStart',
      ...(completion.cursor ? [] : ['#cursor']),
    ];
    let condition = 'pagesDone = :page AND #status IN (:queued, :running)';
    if (completion.attempt !== undefined) {
      condition += ' AND attempts = :attempt';
      values[':attempt'] = completion.attempt;
    }
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Update: {
          TableName,
          Key: jobKey(jobId),
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          // Invariant: each page is recorded once, in order, by its latest attempt; a re-run of a
          // recorded page changes nothing.
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ];
    const notes = Object.fromEntries(
      Object.entries(completion.notes ?? {}).filter(([, listed]) => listed.length > 0),
    );
    if (completion.rejected.length > 0 || Object.keys(notes).length > 0) {
      items.push({
        Put: {
          TableName,
          Item: {
            ...jobPageKey(jobId, page),
            type: 'jobPage',
            rejected: completion.rejected,
            ...notes,
            expiresAt: jobExpiresAt(createdAt),
          },
        },
      });
    }
    if (completion.next) items.push(outboxPut(TableName, completion.next, completion.at));
    for (const event of completion.events ?? []) items.push(outboxPut(TableName, event, completion.at));
    try {
      // Sent again as it is after a conflict: its condition holds the page it records.
      await retryingConflicts(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      return true;
    } catch (error) {
      if (failedConditions(error)?.[0]) return false;
      throw error;
    }
  };

  const recordFailure: JobStore['recordFailure'] = async (jobId, page, error, at, attempt) => {
    // Tried again on a conflict, so the page's own failure is what is recorded and thrown, not the
    // conflict of writing it. The lease goes with it: the next attempt need not wait for it to lapse;
    // an attempt overtaken by a later one (its lease lapsed) leaves that one's lease alone.
    await writtenUnlessRefused(
      retryingConflicts(() =>
        db.send(
          new UpdateCommand({
            TableName,
            Key: jobKey(jobId),
            UpdateExpression:
              'SET lastError = :error, updatedAt = :at REMOVE attemptLiveUntil, attemptOwner, attemptStart',
            ConditionExpression: `pagesDone = :page${attempt === undefined ? '' : ' AND attempts = :attempt'}`,
            ExpressionAttributeValues: {
              ':error': error,
              ':at': at,
              ':page': page,
              ...(attempt === undefined ? {} : { ':attempt': attempt }),
            },
          }),
        ),
      ),
    );
  };

  const fail: JobStore['fail'] = async (jobId, page, error, at, events = []) => {
    // Tried again on a conflict (writeWithOutbox): the job's failure must be recorded, or it stays
    // running. Refused when the job finished already, or the page was recorded: then its events are
    // not written either.
    await writeWithOutbox(
      db,
      [
        {
          Update: {
            TableName,
            Key: jobKey(jobId),
            UpdateExpression: 'SET #status = :failed, #error = :error, updatedAt = :at, finishedAt = :at',
            ConditionExpression: 'pagesDone = :page AND #status IN (:queued, :running)',
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
            ExpressionAttributeValues: {
              ':page': page,
              ':failed': 'failed',
              ':error': error,
              ':at': at,
              ':queued': 'queued',
              ':running': 'running',
            },
          },
        },
      ],
      events,
      at,
    );
  };

  /** The lists (`rejected`, an import's notes) the job's page items hold under `attribute`, in page order, at most `limit`. */
  const listedOnPages = async <T>(jobId: string, attribute: string, limit: number): Promise<T[]> => {
    const listed: T[] = [];
    for await (const page of paginateQuery(
      { client: db },
      {
        TableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :page)',
        ExpressionAttributeValues: { ':pk': jobKey(jobId).pk, ':page': jobPagesPrefix },
        ConsistentRead: true,
      },
    )) {
      for (const item of page.Items ?? []) listed.push(...((item[attribute] as T[]) ?? []));
      if (listed.length >= limit) break;
    }
    return listed.slice(0, limit);
  };
  const rejectedRows: JobStore['rejectedRows'] = (jobId, limit) =>
    listedOnPages<JobRejection>(jobId, 'rejected', limit);
  const importNotes: JobStore['importNotes'] = async <K extends ImportNoteKind>(
    jobId: string,
    kind: K,
    limit: number,
  ) => (await listedOnPages<ImportNotes[K][number]>(jobId, kind, limit)) as ImportNotes[K];

  return {
    create,
    get,
    chunk,
    startAttempt,
    renewAttempt,
    completePage,
    recordFailure,
    fail,
    rejectedRows,
    importNotes,
  };
}
