import { createHash } from 'node:crypto';
import type { Job } from '#shared/db/jobs.ts';
import { outboxEntry } from '#shared/events/outbox.ts';
import { OutletsChanged } from '#shared/events/outlets-changed.ts';
import { type CsvRejection, type CsvRow, leftOutOf, parseOutletRows } from '#shared/outlet-csv.ts';
import type { JobsDeps, PageWork } from './ports.ts';

/** Rows of one page written at the same time (rows with the same address run one after another). */
const importConcurrency = 8;
/** A rejected row's reason as stored and shown: a row with hundreds of bad cells stays a line, not a page. */
const maxErrorLength = 300;

/**
 * The id an imported row's new outlet gets: the same for a re-run of the page, so a re-run finds
 * the outlet its first run created and still counts it as created, not updated.
 */
export const importedOutletId = (jobId: string, line: number): string =>
  `out-${createHash('sha256')
    .update(JSON.stringify(['outlet-import', jobId, line]))
    .digest('hex')
    .slice(0, 32)}`;

const shorten = (error: string) =>
  error.length > maxErrorLength ? `${error.slice(0, maxErrorLength - 1)}…` : error;

/**
 * One page of an outlet import: the rows of its input chunk, each upserted by its address. Rows
 * naming the same address run in file order (pages run one after another), so the last one wins.
 * A row that fails (even unexpectedly) is reported with its line, not fatal. Writing the same
 * values with the job's own time, a re-run of the page changes nothing a second time. The optional
 * columns the header leaves out are not the row's to say: an outlet it updates keeps its own values.
 * The outlets the page created, or updated so that whom they reach changed (as the API decides it,
 * `reachChanged`), are stated in one `Outlets Changed`, recorded with the page's completion: the
 * announcer tells them of the releases still to come that they now match (a re-run names the outlets an
 * earlier attempt updated too, `importChangedReach`; see docs/design.md#jobs).
 */
export async function importPage(job: Job, page: number, deps: JobsDeps): Promise<PageWork> {
  if (job.input.kind !== 'outlet-import') return { fail: `job ${job.jobId} is not an outlet import` };
  const chunk = await deps.jobs.chunk(job.jobId, page);
  if (!chunk) return { fail: `the input of page ${page} is missing` };
  const { rows, rejected: unreadable } = parseOutletRows(
    job.input.columns,
    chunk.text.split('\n'),
    chunk.firstLine,
  );
  const rejected: CsvRejection[] = [...chunk.rejected, ...unreadable];
  const leftOut = leftOutOf(job.input.columns);
  const counts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  const changed = new Set<string>();

  const byEmail = new Map<string, CsvRow[]>();
  for (const row of rows) byEmail.set(row.input.email, [...(byEmail.get(row.input.email) ?? []), row]);
  const groups = [...byEmail.values()];
  const worker = async () => {
    for (let group = groups.shift(); group; group = groups.shift()) {
      for (const row of group) {
        const ownId = importedOutletId(job.jobId, row.line);
        try {
          const { outcome, outlet, reachChanged } = await deps.outlets.upsertByEmail(row.input, {
            newId: () => ownId,
            now: job.createdAt,
            leftOut,
          });
          const counted = outlet.id === ownId ? 'created' : outcome;
          counts[counted] += 1;
          // Named as the API names an edit: a new name or contact asks no mail.
          if (counted === 'created' || reachChanged) changed.add(outlet.id);
        } catch (error) {
          rejected.push({ line: row.line, error: `could not be saved: ${(error as Error).message}` });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: importConcurrency }, worker));
  counts.rejected = rejected.length;
  const events =
    changed.size > 0
      ? [
          outboxEntry(
            OutletsChanged,
            { outletIds: [...changed] },
            { correlationId: job.correlationId, source: 'backline.jobs' },
          ),
        ]
      : [];
  return {
    rows: chunk.rows,
    counts,
    rejected: rejected
      .sort((a, b) => a.line - b.line)
      .map(({ line, error }) => ({ line, error: shorten(error) })),
    last: page + 1 >= (job.pages ?? 0),
    ...(events.length > 0 ? { events } : {}),
  };
}
