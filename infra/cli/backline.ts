#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { Command, CommanderError } from 'commander';
import type { BudgetView } from '#functions/office/budgets.ts';
import type { TourView } from '#functions/office/tours.ts';
import { unconvertedText } from '#shared/budgets/ledger.ts';
import { ownerUnreachableText } from '#shared/budgets/owner-unreachable.ts';
import { OffsetInstant } from '#shared/events/fields.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import { instantWanted } from '#shared/http/errors.ts';
import { territoriesStated } from '#shared/mail/data.ts';
import { formatMoney } from '#shared/money/money.ts';
import { territoryMomentsOf } from '#shared/releases.ts';
import {
  CliError,
  exitStatus,
  getJson,
  type Login,
  NoRouteError,
  NotJsonError,
  readLogin,
  request,
  requestJson,
  saveLogin,
  table,
  withScheme,
} from './client.ts';

/**
 * `backline`: the production manager's command line, against `npm start` or a deployed stack alike
 * (the same management API). `backline --help` lists the commands.
 */

/** What `GET /jobs/{jobId}` answers, as far as the CLI reads it: `Result` is the job kind's. */
interface JobView<Result> {
  jobId: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: { done: number; total?: number };
  result: Partial<Result>;
  error?: string;
}

interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  rejectedCount: number;
  rejected: { line: number; error: string }[];
  repeatedCount: number;
  repeated: { line: number; email: string; earlierLine: number }[];
  optedOutCount: number;
  optedOut: { line: number; email: string; optOut: string; since: string }[];
}

interface ReplayResult {
  replayed: number;
  rejectedCount: number;
  rejected: { webhookId: string; error: string }[];
}

const out = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A job watched at `GET /jobs/{jobId}` until it has ended (docs/design.md#jobs), each read's progress
 * told to `shown`; the job done, or a CliError when it failed (`what`: the import, the replay).
 */
async function watchJob<Result>(
  login: Login,
  jobId: string,
  what: string,
  shown: (progress: JobView<Result>['progress']) => void,
): Promise<JobView<Result>> {
  for (;;) {
    let job: JobView<Result>;
    try {
      job = await getJson<JobView<Result>>(login, `/jobs/${enc(jobId)}`);
    } catch (error) {
      // The job runs on in Backline whatever befell its watch: it is named, so that it is not started again blind.
      if (!(error instanceof CliError)) throw error;
      throw new CliError(
        `${error.message}\nThe ${what} was started as job ${jobId} and may go on: GET /jobs/${jobId} tells how it ends (start it again only if it failed).`,
      );
    }
    shown(job.progress);
    if (job.status === 'failed')
      throw new CliError(`The ${what} failed: ${job.error ?? 'no reason given'} (job ${job.jobId})`);
    if (job.status === 'done') return job;
    await sleep(300);
  }
}

/**
 * `backline outlets import`: the job's progress, then how many rows were imported and how many
 * rejected, with the rejected lines. Answers the exit status: a partial import is not a whole one.
 */
async function importOutlets(login: Login, file: string, charset?: string): Promise<number> {
  let csv: Buffer;
  try {
    csv = readFileSync(file);
  } catch (error) {
    throw new CliError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let started: { jobId: string };
  try {
    started = await requestJson<{ jobId: string }>(login, '/media-outlets/import', {
      method: 'POST',
      // The API reads the CSV in the charset named here, UTF-8 when none is.
      headers: { 'content-type': charset ? `text/csv; charset=${charset}` : 'text/csv' },
      body: csv,
    });
  } catch (error) {
    if (error instanceof CliError && !charset && /not valid utf-8/i.test(error.message))
      throw new CliError(
        `${error.message}\nIf ${file} is in another charset, name it: a spreadsheet's CSV saved on Windows is windows-1252 (backline outlets import --charset windows-1252 ${file}), one saved as "CSV" by Excel for Mac: --charset macintosh (its "CSV UTF-8" needs none)`,
      );
    throw error;
  }
  // A bar on a terminal; on a pipe or in CI, one line per change of progress.
  const bar = process.stderr.isTTY
    ? new SingleBar(
        { format: 'importing [{bar}] {value}/{total} rows', hideCursor: true },
        Presets.shades_classic,
      )
    : undefined;
  let shown = '';
  let job: JobView<ImportResult>;
  try {
    job = await watchJob<ImportResult>(login, started.jobId, 'import', (progress) => {
      const total = progress.total ?? 0;
      if (bar) {
        if (shown === '') bar.start(total, progress.done);
        bar.setTotal(total);
        bar.update(progress.done);
        shown = 'bar';
      } else if (`${progress.done}/${total}` !== shown) {
        shown = `${progress.done}/${total}`;
        process.stderr.write(`importing: ${shown} rows\n`);
      }
    });
  } finally {
    bar?.stop();
  }
  const {
    created = 0,
    updated = 0,
    rejectedCount = 0,
    rejected = [],
    repeatedCount = 0,
    repeated = [],
    optedOutCount = 0,
    optedOut = [],
  } = job.result;
  // Every row is created, updated, unchanged, repeated (an earlier row named its address) or rejected
  // (docs/design.md#jobs); an API that does not yet answer the unchanged leaves them to be worked out.
  const rows = job.progress.total ?? job.progress.done;
  const imported = rows - rejectedCount;
  const unchanged = job.result.unchanged ?? Math.max(0, imported - created - updated - repeatedCount);
  const repeats = repeatedCount ? `, ${repeatedCount} repeating an earlier row's address` : '';
  const kinds = `${created} created, ${updated} updated, ${unchanged} unchanged${repeats}`;
  const notes = () => {
    // Counts are of rows; a row whose address both unsubscribed and bounced is listed twice.
    const listed = (count: number, shown: number, what: string) =>
      count > shown ? `\n(${count - shown} more ${what} not listed)` : '';
    if (repeatedCount)
      out(
        `\nRows naming an address an earlier row named (the last row's values stand):\n${table(
          repeated.map((row) => ({ line: row.line, email: row.email, 'earlier line': row.earlierLine })),
          ['line', 'email', 'earlier line'],
        )}${listed(repeatedCount, repeated.length, 'repeated rows')}`,
      );
    if (optedOutCount)
      out(
        `\nRows imported whose address gets no mail (the opt-out stands):\n${table(
          optedOut.map((row) => ({
            line: row.line,
            email: row.email,
            'opt-out': row.optOut,
            since: row.since,
          })),
          ['line', 'email', 'opt-out', 'since'],
        )}${listed(optedOutCount, new Set(optedOut.map((row) => row.line)).size, 'opted-out rows')}`,
      );
  };
  if (rejectedCount === 0) {
    out(`Imported ${file}: all ${rows} rows (${kinds}) (job ${job.jobId})`);
    notes();
    return exitStatus.whole;
  }
  out(
    `Imported ${file} in part: ${imported} of ${rows} rows imported (${kinds}), ${rejectedCount} rejected (job ${job.jobId})`,
  );
  out(`\n${table(rejected, ['line', 'error'])}`);
  if (rejectedCount > rejected.length)
    out(`(${rejectedCount - rejected.length} more rejected lines not listed)`);
  notes();
  process.stderr.write(
    `backline: ${rejectedCount} of ${rows} rows rejected (listed on stdout); the other ${imported} are imported\n`,
  );
  return exitStatus.inPart;
}

/**
 * An instant given as `option`, checked as the API checks a replay's `from` and `to` (`OffsetInstant`),
 * so that one without its zone is refused before any request, in the API's words.
 */
const instantOption = (option: string, value: string): string => {
  const checked = OffsetInstant.safeParse(value);
  if (checked.success) return value;
  const [issue] = checked.error.issues;
  throw new CliError(
    `${option} ${value}: ${issue.code === 'invalid_format' ? instantWanted : issue.message}`,
  );
};

/**
 * `backline labels replay`: the replay's job watched to its end, then how many of the range's webhooks
 * it put back for publishing and which it rejected, with why. Answers the exit status: a replay that
 * rejected some is partial.
 */
async function replayWebhooks(login: Login, labelId: string, range: { from: string; to: string }) {
  const from = instantOption('--from', range.from);
  const to = instantOption('--to', range.to);
  if (Date.parse(to) < Date.parse(from))
    throw new CliError(`--to ${to}: must not be before --from (${from})`);
  const started = await requestJson<{ jobId: string }>(login, `/labels/${enc(labelId)}/replays`, {
    method: 'POST',
    json: { from, to },
  });
  // A replay's total is known once it has ended (its range is read a page at a time): a line per change.
  let shown = -1;
  const job = await watchJob<ReplayResult>(login, started.jobId, 'replay', (progress) => {
    if (progress.done === shown) return;
    shown = progress.done;
    process.stderr.write(`replaying: ${shown} webhooks\n`);
  });
  const { replayed = 0, rejectedCount = 0, rejected = [] } = job.result;
  const webhooks = replayed + rejectedCount;
  const what = `${labelId}'s webhooks received from ${from} to ${to}`;
  if (rejectedCount === 0) {
    out(`Replayed ${what}: all ${webhooks} put back for publishing (job ${job.jobId})`);
    return exitStatus.whole;
  }
  out(
    `Replayed ${what} in part: ${replayed} of ${webhooks} put back for publishing, ${rejectedCount} rejected (job ${job.jobId})`,
  );
  out(`\n${table(rejected, ['webhookId', 'error'])}`);
  if (rejectedCount > rejected.length)
    out(`(${rejectedCount - rejected.length} more rejected webhooks not listed)`);
  process.stderr.write(
    `backline: ${rejectedCount} of ${webhooks} webhooks rejected (listed on stdout); the other ${replayed} are put back for publishing\n`,
  );
  return exitStatus.inPart;
}

async function listOutlets(login: Login, options: { genre?: string; territory?: string; kind?: string }) {
  const outlets: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '100' });
    for (const [name, value] of Object.entries(options)) if (value) query.set(name, value);
    if (cursor) query.set('cursor', cursor);
    const page = await getJson<{ outlets: Record<string, unknown>[]; nextCursor?: string }>(
      login,
      `/media-outlets?${query}`,
    );
    outlets.push(...page.outlets);
    cursor = page.nextCursor;
  } while (cursor);
  const shown = outlets.map((outlet) => ({ ...outlet, 'no mail': whyNoMail(outlet) }));
  out(table(shown, ['name', 'email', 'kind', 'genres', 'territories', 'no mail', 'id']));
  const unmailed = shown.filter((outlet) => outlet['no mail'] !== '').length;
  out(
    `${outlets.length} outlet${outlets.length === 1 ? '' : 's'}${unmailed > 0 ? `, ${unmailed} of them get no mail` : ''}`,
  );
}

/**
 * Why an outlet gets no mail, as the list shows it (an outlet that opted out or bounced still matches
 * releases, as `isMailable` in shared/outlets.ts leaves it out): empty when it gets mail.
 */
const whyNoMail = (outlet: Record<string, unknown>): string => {
  const day = (at: unknown) => String(at).slice(0, 10);
  const reasons = [
    ...(outlet.unsubscribedAt ? [`unsubscribed ${day(outlet.unsubscribedAt)}`] : []),
    ...(outlet.suppressedAt
      ? [`${outlet.suppressionReason === 'complaint' ? 'complained' : 'bounced'} ${day(outlet.suppressedAt)}`]
      : []),
  ];
  return reasons.join(', ');
};

/**
 * An id given on the command line: one of spaces alone would be a path the API has no route for
 * (`/labels//secrets/rotate`), so it is refused before any request, named as the API names it.
 */
const idArgument = (name: string, value: string): string => {
  if (value.trim() === '') throw new CliError(`${name}: must not be empty`);
  return value;
};

/**
 * `backline labels rotate-secret`: the new secret, shown once (the API keeps it sealed and never
 * answers it again), and until when the one it replaces keeps verifying.
 */
async function rotateSecret(login: Login, labelId: string) {
  const rotated = await requestJson<{ id: string; webhookSecret: string; previousSecretRetiresAt?: string }>(
    login,
    `/labels/${enc(labelId)}/secrets/rotate`,
    { method: 'POST' },
  );
  out(`Label ${rotated.id}: new webhook secret (shown once, give it to the label): ${rotated.webhookSecret}`);
  out(
    rotated.previousSecretRetiresAt
      ? `It verifies now; the previous secret keeps verifying until ${rotated.previousSecretRetiresAt} (24 hours), or until \`backline labels revoke-secrets ${rotated.id}\` stops it.`
      : 'It verifies now; no previous secret verifies.',
  );
}

/** `backline labels revoke-secrets`: how many rotated-out secrets stopped working, and when intake stops taking them. */
async function revokeSecrets(login: Login, labelId: string) {
  const { id, revoked } = await requestJson<{ id: string; revoked: number }>(
    login,
    `/labels/${enc(labelId)}/secrets/revoke`,
    { method: 'POST' },
  );
  out(
    revoked === 0
      ? `Label ${id}: no rotated-out secret verifies, nothing revoked; the current secret still verifies.`
      : // Intake keeps a label's secrets in memory for up to 30 seconds (docs/design.md#secrets).
        `Label ${id}: ${revoked} rotated-out secret${revoked === 1 ? '' : 's'} revoked; webhooks signed with ${revoked === 1 ? 'it' : 'them'} are refused within 30 seconds; the current secret still verifies.`,
  );
}

/** What `GET /labels/{labelId}/releases/{releaseId}` answers, as far as the CLI reads it. */
export interface ReleaseStatusView {
  labelId: string;
  releaseId: string;
  state: string;
  release: ReleaseDetails | null;
  outAt?: string;
  mail: Record<string, Record<string, number>>;
}

/**
 * `backline release status`: the release's state, each street date with the territories it applies
 * to (earliest first: a date per territory can come before the release's own), then its mail counts.
 */
export function releaseStatusText(release: ReleaseStatusView): string {
  const details = release.release;
  const streetDates = details
    ? territoryMomentsOf(details).map(({ moment, territories }) => {
        const stated = territoriesStated({ territories, excludedTerritories: details.excludedTerritories });
        return `${moment.releaseDate} ${moment.releaseTime} ${moment.timeZone} in ${stated.join(', ')}`;
      })
    : [];
  const rows = Object.entries(release.mail).map(([kind, counts]) => ({ kind, ...counts }));
  const statuses = [...new Set(rows.flatMap((row) => Object.keys(row).filter((k) => k !== 'kind')))];
  return [
    `${details?.title ?? release.releaseId} (${release.labelId}/${release.releaseId}): ${release.state}`,
    ...(streetDates.length > 0 ? [`release day: ${streetDates.join('; ')}`] : []),
    ...(release.outAt ? [`out since: ${release.outAt}`] : []),
    '',
    table(rows, ['kind', ...statuses]),
  ].join('\n');
}

async function releaseStatus(login: Login, labelId: string, releaseId: string) {
  out(
    releaseStatusText(
      await getJson<ReleaseStatusView>(login, `/labels/${enc(labelId)}/releases/${enc(releaseId)}`),
    ),
  );
}

/** Every page of a release's deliveries: the API gives 1,000 rows a page and says where the next is. */
async function releaseDeliveries(login: Login, labelId: string, releaseId: string, csv: boolean) {
  const path = `/labels/${enc(labelId)}/releases/${enc(releaseId)}/deliveries`;
  if (csv) {
    // One CSV: each page's rows, under the first page's header row (the `Link: <...>; rel="next"` header leads on).
    for (let next: string | undefined = path, first = true; next; first = false) {
      const response = await request(login, next, { headers: { accept: 'text/csv' } });
      const text = await response.text();
      process.stdout.write(first ? text : text.slice(text.indexOf('\n') + 1));
      next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    return;
  }
  const deliveries: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page: { deliveries: Record<string, unknown>[]; nextCursor?: string } = await getJson(
      login,
      cursor ? `${path}?${new URLSearchParams({ cursor })}` : path,
    );
    deliveries.push(...page.deliveries);
    cursor = page.nextCursor;
  } while (cursor);
  out(table(deliveries, ['email', 'kind', 'status', 'at', 'promoAccesses', 'messageId']));
}

/** `backline tour status`: the tour, then one row per show with its advance status. */
export function tourStatusText(tour: TourView): string {
  const shows = tour.shows.map((show) => ({
    show: show.showId,
    date: show.date,
    venue: `${show.venue.name}, ${show.venue.city} ${show.venue.country}`,
    status: show.status,
    advance: show.advance,
    promoter: show.promoter.name,
    guests: show.guests,
    outletsTold: show.outletsTold,
  }));
  return [
    `${tour.artist.name} (${tour.labelId}/${tour.tourId}), tour manager ${tour.tourManager.name} <${tour.tourManager.email}>`,
    `the tour manager's page: ${tour.tourManagerPage}`,
    '',
    table(shows, ['show', 'date', 'venue', 'status', 'advance', 'promoter', 'guests', 'outletsTold']),
  ].join('\n');
}

/**
 * `backline budget status`: spend against the plan in the budget's currency, alerts, then one row per line.
 * `labelId` is the label it was asked for (the view names none), for the routes it points to.
 */
export function budgetStatusText(budget: BudgetView, labelId = '{labelId}'): string {
  const { totals } = budget;
  const money = (minor: number) => formatMoney({ minor, currency: totals.currency });
  const unconverted = Object.entries(totals.unconverted).map(
    ([currency, byKind]) => `not converted yet: ${unconvertedText(currency, byKind)}`,
  );
  // A tour's settled shows are income (docs/design.md#budgets): what is left counts it, so it is stated
  // when there is any, and so is each line's.
  const income = totals.income !== 0 ? `, ${money(totals.income)} income` : '';
  const lines = budget.lines.map((line) => ({
    line: line.lineId,
    category: line.category ?? '',
    planned: money(line.planned),
    committed: money(line.committed),
    actual: money(line.actual),
    income: money(line.income),
    over: line.over ? 'over' : '',
  }));
  return [
    `${budget.budgetId}: ${budget.scope.kind} ${budget.scope.id}, ${budget.period.start} to ${budget.period.end}, owner ${budget.owner.name} <${budget.owner.email}>`,
    `${totals.usedPercent} % used: ${money(totals.committed + totals.actual)} of ${money(totals.planned)} (${money(totals.actual)} spent, ${money(totals.committed)} committed${income}, ${money(totals.remaining)} left); ${budget.expenses} expenses`,
    budget.lastReconciled
      ? `reconciled ${budget.lastReconciled.date}: ${budget.lastReconciled.status}${budget.runsOutOn ? `, runs out on ${budget.runsOutOn}` : budget.moneyLastsThePeriod ? ', the money lasts the period' : ''}`
      : 'not reconciled yet',
    ...(budget.ownerUnreachable ? [ownerUnreachableText(budget.owner, budget.ownerUnreachable)] : []),
    `thresholds ${budget.thresholds.map((t) => `${t} %`).join(', ')}; crossed: ${budget.thresholdsCrossed.map((t) => `${t.threshold} % on ${t.date}`).join(', ') || 'none'}`,
    ...unconverted,
    ...budget.refused.map((r) => `refused, not counted: ${r.expenseId} ${r.change} (${r.reason})`),
    // The view holds the first page of the refused versions; the rest are a page at a time on their route.
    ...(budget.refusedNextCursor
      ? [
          `more refused than these: GET /labels/${enc(labelId)}/budgets/${enc(budget.budgetId)}/refused?${new URLSearchParams({ cursor: budget.refusedNextCursor })}`,
        ]
      : []),
    '',
    table(lines, [
      'line',
      'category',
      'planned',
      'committed',
      'actual',
      ...(budget.lines.some((line) => line.income !== 0) ? ['income'] : []),
      'over',
    ]),
  ].join('\n');
}

export function program(): Command {
  const cli = new Command('backline')
    .description('Backline for the production manager: labels, media outlets, releases, tours and budgets')
    .showHelpAfterError('(run backline --help for the commands)')
    .addHelpText(
      'after',
      [
        '',
        'Exit status:',
        '  0  the command did all it was asked',
        '  1  it did part of it (outlets import: some rows were rejected; labels replay: some webhooks were; each listed with why)',
        '  2  it did not, or did not finish (the error is on stderr)',
      ].join('\n'),
    )
    // A command line it cannot read is not done: exit 2, as for any error (`main` below).
    .exitOverride();

  cli
    .command('login')
    .description('keep the API URL and key in your config directory (file mode 0600)')
    .option(
      '--url <url>',
      'the API URL (npm start: http://localhost:3000; on AWS: the ApiUrl output)',
      'http://localhost:3000',
    )
    .requiredOption(
      '--key <apiKey>',
      'the management API key (npm start prints it; on AWS: secret backline-<stage>/api-key)',
    )
    .action(async (options: { url: string; key: string }) => {
      const login = { url: withScheme(options.url, '--url').replace(/\/+$/, ''), apiKey: options.key };
      try {
        const page = await requestJson<{ outlets?: unknown }>(login, '/media-outlets?limit=1');
        if (!Array.isArray(page.outlets)) throw new NotJsonError('no outlets listed');
      } catch (error) {
        // Every Backline has this route: its 404, or an answer that is not its page of outlets, means the
        // URL is not the API's (a stage or path after it, another server on the port).
        if (error instanceof NoRouteError || error instanceof NotJsonError)
          throw new CliError(
            `no Backline API answers at ${login.url} (GET /media-outlets there answers no list of outlets). Give the API's own URL: http://localhost:3000 for npm start, or the stack's ApiUrl output as it is, with no stage or path after it.`,
          );
        throw error;
      }
      out(`Logged in to ${login.url}; kept in ${saveLogin(login)}`);
    });

  const labels = cli.command('labels').description('labels');
  labels
    .command('add <name>')
    .description('add a label; prints its webhook secret (shown once)')
    .option('--id <labelId>', "the label's id (default: generated)")
    .action(async (name: string, options: { id?: string }) => {
      const label = await requestJson<{ id: string; name: string; webhookSecret: string }>(
        readLogin(),
        '/labels',
        {
          method: 'POST',
          json: { name, ...(options.id ? { id: options.id } : {}) },
        },
      );
      out(
        `Label ${label.name}: id ${label.id}\nwebhook secret (shown once, give it to the label): ${label.webhookSecret}`,
      );
    });

  labels
    .command('rotate-secret <labelId>')
    .description(
      'give a label a new webhook secret; prints it (shown once) and until when the previous one keeps verifying (24 hours; at most 3 verify at once)',
    )
    .action(async (labelId: string) => rotateSecret(readLogin(), idArgument('labelId', labelId)));
  labels
    .command('revoke-secrets <labelId>')
    .description(
      'stop every rotated-out webhook secret of a label now, without its 24 hours (a leaked secret); the current one still verifies',
    )
    .action(async (labelId: string) => revokeSecrets(readLogin(), idArgument('labelId', labelId)));

  labels
    .command('replay <labelId>')
    .description(
      "publish again the events of a label's webhooks received in a time range, oldest first, with their original event ids; shows progress, then the webhooks it rejected (an event that can no longer be built) with why",
    )
    .requiredOption(
      '--from <instant>',
      'received at or after this instant, with its zone (2027-01-05T10:00:00Z)',
    )
    .requiredOption('--to <instant>', 'received at or before this instant, with its zone')
    .addHelpText(
      'after',
      [
        '',
        'Exit status:',
        '  0  every webhook of the range was put back for publishing',
        '  1  some were rejected, each listed with its webhook id and why; the others are put back',
        '  2  the replay did not run or did not finish (the error is on stderr)',
      ].join('\n'),
    )
    .action(async (labelId: string, options: { from: string; to: string }) => {
      process.exitCode = await replayWebhooks(readLogin(), idArgument('labelId', labelId), options);
    });

  const outlets = cli.command('outlets').description('the media outlet directory');
  outlets
    .command('import <file>')
    .description(
      'import outlets from CSV: a header row naming its columns in any order, name,email,kind,territories and optionally genres,contactName,formats (radio only), then one outlet a line, lists separated by ; (techno;house); cells separated by commas, or by ; or tabs as the header separates its names or a first line sep=; names (as Excel writes it); shows progress, then rejected lines',
    )
    .option(
      '--charset <name>',
      "the file's charset when it is not UTF-8 and starts with no byte order mark (windows-1252 for a spreadsheet's CSV saved on Windows, macintosh for Excel for Mac's \"CSV\")",
    )
    .addHelpText(
      'after',
      [
        '',
        'Exit status:',
        '  0  every row was imported',
        '  1  some rows were rejected, each listed with its line and why; the others are imported',
        '  2  the import did not run or did not finish (the error is on stderr)',
      ].join('\n'),
    )
    .action(async (file: string, options: { charset?: string }) => {
      process.exitCode = await importOutlets(readLogin(), file, options.charset);
    });
  outlets
    .command('list')
    .description(
      'list outlets, filtered as a release would match them; "no mail" says which unsubscribed, bounced or complained, and when',
    )
    .option('--genre <genre>', 'outlets a release of this genre reaches')
    .option('--territory <code>', 'outlets covering this territory (two letters, e.g. GB)')
    .option('--kind <kind>', 'radio, press, blog, playlist, tv or podcast')
    .action(async (options: { genre?: string; territory?: string; kind?: string }) =>
      listOutlets(readLogin(), options),
    );

  const release = cli.command('release').description('releases');
  release
    .command('status <labelId> <releaseId>')
    .description("a release's state and its mail counts per kind")
    .action(async (labelId: string, releaseId: string) =>
      releaseStatus(readLogin(), idArgument('labelId', labelId), idArgument('releaseId', releaseId)),
    );
  release
    .command('deliveries <labelId> <releaseId>')
    .description("a release's mail, one row per address and kind")
    .option('--csv', 'as CSV, for a spreadsheet')
    .action(async (labelId: string, releaseId: string, options: { csv?: boolean }) =>
      releaseDeliveries(
        readLogin(),
        idArgument('labelId', labelId),
        idArgument('releaseId', releaseId),
        options.csv === true,
      ),
    );

  cli
    .command('tour')
    .description('tours')
    .command('status <labelId> <tourId>')
    .description("a tour's shows and their advance status")
    .action(async (labelId: string, tourId: string) =>
      out(
        tourStatusText(
          await getJson(
            readLogin(),
            `/labels/${enc(idArgument('labelId', labelId))}/tours/${enc(idArgument('tourId', tourId))}`,
          ),
        ),
      ),
    );

  cli
    .command('budget')
    .description('budgets')
    .command('status <labelId> <budgetId>')
    .description("a budget's totals, lines and thresholds")
    .action(async (labelId: string, budgetId: string) =>
      out(
        budgetStatusText(
          await getJson(
            readLogin(),
            `/labels/${enc(idArgument('labelId', labelId))}/budgets/${enc(idArgument('budgetId', budgetId))}`,
          ),
          labelId,
        ),
      ),
    );
  return cli;
}

if (import.meta.main) {
  // A reader that stops reading (`backline outlets list | head`) closes the pipe: what is left unread is
  // dropped, and the exit status stays the command's outcome rather than Node's unhandled EPIPE (status 1).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    await program().parseAsync(process.argv);
  } catch (error) {
    // Commander has printed what it could not read, or the help it was asked for (exit code 0).
    if (error instanceof CommanderError)
      process.exit(error.exitCode === 0 ? exitStatus.whole : exitStatus.notDone);
    if (error instanceof CliError) {
      process.stderr.write(`backline: ${error.message}\n`);
      process.exit(exitStatus.notDone);
    }
    // Unexpected: its stack, and not done (1 would read as a partial outcome).
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(exitStatus.notDone);
  }
}
