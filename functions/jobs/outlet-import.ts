import { createHash } from 'node:crypto';
import { shortReason } from '#shared/db/job-keys.ts';
import { type ImportNotes, type Job, maxNotedRowsPerPage } from '#shared/db/jobs.ts';
import type { AddressRead } from '#shared/db/outlet-changes.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import { maxChangedOutlets, OutletsChanged } from '#shared/events/outlets-changed.ts';
import { type CsvRejection, type CsvRow, leftOutOf, parseOutletRows } from '#shared/outlet-csv.ts';
import type { Outlet } from '#shared/outlets.ts';
import type { JobsDeps, PageAttempt, PageWork } from './ports.ts';

/** Rows of one page written at the same time (rows with the same address run one after another). */
const importConcurrency = 8;

/**
 * The id an imported row's new outlet gets: the same for a re-run of the page, so a re-run finds
 * the outlet its first run created and still counts it as created, not updated.
 */
export const importedOutletId = (jobId: string, line: number): string =>
  `out-${createHash('sha256')
    .update(JSON.stringify(['outlet-import', jobId, line]))
    .digest('hex')
    .slice(0, 32)}`;

/** Works through `items`, `importConcurrency` at a time, taking none once `stop` is aborted. */
async function forEachAtOnce<T>(
  items: T[],
  work: (item: T) => Promise<void>,
  stop?: AbortSignal,
): Promise<void> {
  const left = [...items];
  const worker = async () => {
    for (let item = left.shift(); item !== undefined && !stop?.aborted; item = left.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: importConcurrency }, worker));
}

/**
 * The page's `Outlets Changed` naming `outletIds`, none if it names none, as many as it takes to name
 * each at most `maxChangedOutlets` (a page's rows that could not be saved name two outlets each, so a
 * page of 500 rows may name more; docs/design.md#jobs).
 */
const outletsChanged = (job: Job, outletIds: string[]): OutboxEntry[] => {
  const events: OutboxEntry[] = [];
  for (let from = 0; from < outletIds.length; from += maxChangedOutlets)
    events.push(
      outboxEntry(
        OutletsChanged,
        { outletIds: outletIds.slice(from, from + maxChangedOutlets) },
        { correlationId: job.correlationId, source: 'backline.jobs' },
      ),
    );
  return events;
};

/**
 * The opt-outs of the address a row was taken for: the outlet keeps them, whatever the row says, and gets
 * no mail; a manager re-importing is told so, row by row, rather than left to believe it will.
 */
const optOutsOf = (row: CsvRow, outlet: Outlet): ImportNotes['optedOut'] => [
  ...(outlet.unsubscribedAt
    ? [{ line: row.line, email: outlet.email, optOut: 'unsubscribed' as const, since: outlet.unsubscribedAt }]
    : []),
  ...(outlet.suppressedAt
    ? [
        {
          line: row.line,
          email: outlet.email,
          optOut: outlet.suppressionReason === 'complaint' ? ('complained' as const) : ('bounced' as const),
          since: outlet.suppressedAt,
        },
      ]
    : []),
];

/**
 * A page's notes of one kind, each row's in line order: those of its first `maxNotedRowsPerPage` rows, so the
 * page's item stays within DynamoDB's 400 KB; every row is counted (docs/design.md#jobs).
 */
const firstNoted = <T extends { line: number }>(rows: T[][]): T[] =>
  rows
    .sort(([a], [b]) => a.line - b.line)
    .slice(0, maxNotedRowsPerPage)
    .flat();

/**
 * One page of an outlet import: the rows of its input chunk, each upserted by its address. Rows
 * naming the same address run in file order (pages run one after another), so the last one wins.
 * A row that fails (even unexpectedly) is reported with its line, not fatal. Writing the same
 * values with the job's own time, a re-run of the page changes nothing a second time. The optional
 * columns the header leaves out are not the row's to say: an outlet it updates keeps its own values.
 * The outlets the page created, or updated so that whom they reach changed (as the API decides it,
 * `reachChanged`), are stated in one `Outlets Changed`, recorded with the page's completion: the
 * announcer tells them of the releases still to come that they now match (a later attempt names every
 * outlet its rows found or wrote, as `outletsOfFailedPage` does for a failed page; see docs/design.md#jobs). A repeated line finds its
 * outlet as the line before it left it and changes nothing (the outlet records the import line that
 * last wrote it, `importedBy`); it is counted as `repeated`, not `unchanged`, and listed with the first
 * line naming its address (the chunk's `repeated`, found when the job was made), and a line never overwrites what a later line of the job wrote (a retry
 * of the page after an earlier attempt got past that line; one attempt at a page runs at a time). Every write goes through the attempt's
 * fence: once the attempt has ended (its deadline passed) no row is taken and nothing more is written,
 * so work left behind cannot undo a later line or create an outlet after the job failed. The page's
 * addresses (their owners and opt-outs) are read together before its rows, and the first row of each
 * address starts from what was read: its write is held to that as to a read of its own, and a later row
 * of the address, run after that row's write, reads afresh (docs/design.md#jobs).
 */
export async function importPage(
  job: Job,
  page: number,
  deps: JobsDeps,
  attempt: PageAttempt,
): Promise<PageWork> {
  if (job.input.kind !== 'outlet-import') return { fail: `job ${job.jobId} is not an outlet import` };
  const chunk = await deps.jobs.chunk(job.jobId, page);
  if (!chunk) return { fail: `the input of page ${page} is missing` };
  const { rows, rejected: unreadable } = parseOutletRows(
    job.input.columns,
    chunk.text.split('\n'),
    chunk.firstLine,
    job.input.separator,
  );
  const rejected: CsvRejection[] = [...chunk.rejected, ...unreadable];
  const leftOut = leftOutOf(job.input.columns);
  const counts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  const repeated = new Map((chunk.repeated ?? []).map((row) => [row.line, row]));
  // One entry a row noted: a row's address may have two opt-outs.
  const repeatedRows: ImportNotes['repeated'][] = [];
  const optedOutRows: ImportNotes['optedOut'][] = [];
  const changed = new Set<string>();

  const byEmail = new Map<string, CsvRow[]>();
  for (const row of rows) byEmail.set(row.input.email, [...(byEmail.get(row.input.email) ?? []), row]);
  // Read with the fence's signal, as the rows' writes are sent: nothing is read once the attempt has ended,
  // and then no row is taken either.
  let readAhead = new Map<string, AddressRead>();
  try {
    if (!attempt.fence.signal.aborted)
      readAhead = await deps.outlets.readAddresses([...byEmail.keys()], attempt.fence.signal);
  } catch (error) {
    if (!attempt.fence.signal.aborted) throw error;
  }
  await forEachAtOnce(
    [...byEmail.values()],
    async (group) => {
      for (const [index, row] of group.entries()) {
        if (attempt.fence.signal.aborted) return;
        const ownId = importedOutletId(job.jobId, row.line);
        try {
          const { outcome, outlet, reachChanged } = await deps.outlets.upsertByEmail(row.input, {
            newId: () => ownId,
            now: job.createdAt,
            leftOut,
            // Recorded on the outlet it writes: found as this line left it, it was an earlier attempt at
            // this line that wrote it (updated); as another line left it, a repeat (unchanged). Found as a
            // later line of the job left it (another run of this page went on past it), it is left so.
            importedBy: { jobId: job.jobId, line: row.line },
            fence: attempt.fence,
            // As read before the page's first write: a later row of the address finds what the earlier wrote.
            ...(index === 0 ? { read: readAhead.get(row.input.email) } : {}),
          });
          const counted = outlet.id === ownId ? 'created' : outcome;
          const repeat = repeated.get(row.line);
          // The outlet is counted once, by the first row naming its address (unless that row wrote nothing
          // and this one created it); a later row is listed instead, though its values win.
          if (repeat && counted !== 'created')
            repeatedRows.push([{ line: row.line, email: row.input.email, earlierLine: repeat.earlierLine }]);
          else counts[counted] += 1;
          const optOuts = optOutsOf(row, outlet);
          if (optOuts.length > 0) optedOutRows.push(optOuts);
          // Named as the API names an edit: a new name or contact asks no mail. A later attempt names
          // every outlet its rows found or wrote: what an earlier attempt's writes changed is no longer
          // known (a later line may have only renamed what an earlier one moved, or the manager renamed
          // it since), and naming an outlet due nothing costs nothing (docs/design.md#jobs).
          if (counted === 'created' || reachChanged || attempt.number > 1) changed.add(outlet.id);
        } catch (error) {
          rejected.push({ line: row.line, error: `could not be saved: ${(error as Error).message}` });
          // A try the client gave up (its request timeout) may still be applied, as DynamoDB serves it: the
          // line may have created its outlet, or written the one holding its address, all the same. Both
          // are named (an outlet that is not, or is due nothing, is told nothing; docs/design.md#jobs); a
          // read that fails fails the attempt, whose retry names every outlet its rows find.
          changed.add(ownId);
          const held = await deps.outlets.findByEmail(row.input.email);
          if (held) changed.add(held.id);
        }
      }
    },
    attempt.fence.signal,
  );
  counts.rejected = rejected.length;
  const events = outletsChanged(job, [...changed]);
  return {
    rows: chunk.rows,
    // Counted only where there are some: a job's counts name what its pages found.
    counts: {
      ...counts,
      ...(optedOutRows.length > 0 ? { optedOut: optedOutRows.length } : {}),
      ...(repeatedRows.length > 0 ? { repeated: repeatedRows.length } : {}),
    },
    rejected: rejected
      .sort((a, b) => a.line - b.line)
      .map(({ line, error }) => ({ line, error: shortReason(error) })),
    ...(optedOutRows.length > 0 || repeatedRows.length > 0
      ? {
          notes: {
            ...(optedOutRows.length > 0 ? { optedOut: firstNoted(optedOutRows) } : {}),
            ...(repeatedRows.length > 0 ? { repeated: firstNoted(repeatedRows) } : {}),
          },
        }
      : {}),
    last: page + 1 >= (job.pages ?? 0),
    ...(events.length > 0 ? { events } : {}),
  };
}

/**
 * The `Outlets Changed` of an import page that failed for good, written with the job's failure: its
 * rows were written one by one and its completion, which names them, never landed, while importing the
 * file again finds them as its rows describe them and names none (see docs/design.md#jobs). Which rows
 * the page's attempts wrote is not known (an attempt killed by the timeout or a crash records nothing),
 * so it names every outlet that holds one of the page's addresses now; one that is due nothing is told
 * nothing.
 */
export async function outletsOfFailedPage(job: Job, page: number, deps: JobsDeps): Promise<OutboxEntry[]> {
  if (job.input.kind !== 'outlet-import') return [];
  const chunk = await deps.jobs.chunk(job.jobId, page);
  if (!chunk) return [];
  let rows: CsvRow[];
  try {
    ({ rows } = parseOutletRows(
      job.input.columns,
      chunk.text.split('\n'),
      chunk.firstLine,
      job.input.separator,
    ));
  } catch {
    // A page whose rows cannot be read wrote none (its work reads them first): the job fails naming
    // nobody, rather than staying running on a failure that would come again.
    return [];
  }
  const held = new Set<string>();
  await forEachAtOnce([...new Set(rows.map((row) => row.input.email))], async (email) => {
    const outlet = await deps.outlets.findByEmail(email);
    if (outlet) held.add(outlet.id);
  });
  return outletsChanged(job, [...held]);
}
