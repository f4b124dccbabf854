import { randomBytes } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { importedOutletId } from '#functions/jobs/outlet-import.ts';
import {
  aRelease,
  ChaosClient,
  type ChaosRow,
  daysAfter,
  mailByOutlet,
  type ScenarioOptions,
  type StoredMail,
} from './chaos.ts';
import type { CloudProcess } from './cloud-process.ts';

/** An outlet as a CSV row describes it, and as the directory should show it after the import. */
interface Described {
  name: string;
  kind: string;
  genres: string[];
  territories: string[];
  contactName?: string;
}

/** One line of the file: a valid row's address (lower-cased, as the API stores it) and outlet, or none for an invalid one. */
interface Line {
  text: string;
  email?: string;
  outlet?: Described;
}

interface JobView {
  status: string;
  progress: { done: number; total?: number };
  result: {
    created: number;
    updated: number;
    rejectedCount: number;
    rejected: { line: number; error: string }[];
    repeatedCount?: number;
  };
  error?: string;
}

const header = 'name,email,kind,genres,territories,contactName';
const kinds = ['radio', 'press', 'blog', 'playlist', 'podcast', 'tv'];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const csvLine = (email: string, outlet: Described) =>
  [
    outlet.name,
    email,
    outlet.kind,
    outlet.genres.join(';'),
    outlet.territories.join(';'),
    outlet.contactName ?? '',
  ].join(',');

const sameOutlet = (a: Described, b: Described) =>
  a.name === b.name &&
  a.kind === b.kind &&
  [...a.genres].sort().join(';') === [...b.genres].sort().join(';') &&
  [...a.territories].sort().join(';') === [...b.territories].sort().join(';') &&
  (a.contactName ?? '') === (b.contactName ?? '');

/**
 * POSTs the CSV as a client would: an answer of 5xx or a lost connection is tried again, up to 8
 * times. Resolves with the acknowledged job (if any) and every answer (an unacknowledged try may still
 * have started a job of its own: the import is not idempotent, docs/design.md#jobs).
 */
async function postImport(client: ChaosClient, csv: string): Promise<{ jobId?: string; answers: number[] }> {
  const answers: number[] = [];
  while (answers.length < 8) {
    let status = 0;
    let text = '';
    try {
      const response = await client.request('/media-outlets/import', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: csv,
      });
      status = response.status;
      text = await response.text();
    } catch {
      status = 0;
    }
    answers.push(status);
    if (status === 202) return { jobId: (JSON.parse(text) as { jobId: string }).jobId, answers };
    if (status >= 400 && status < 500)
      throw new Error(`outlet import answered ${status}: ${text.slice(0, 300)}`);
    await pause(50 * 2 ** Math.min(answers.length, 5));
  }
  return { answers };
}

/** The job as `GET /jobs/{jobId}` shows it once done or failed, or as last read when `timeoutMs` passed. */
async function finishedJob(
  client: ChaosClient,
  jobId: string,
  timeoutMs: number,
): Promise<JobView | undefined> {
  let job: JobView | undefined;
  await client.until(async () => {
    job = await client.json<JobView>(`/jobs/${jobId}`);
    return job.status === 'done' || job.status === 'failed';
  }, timeoutMs);
  return job;
}

/** Every outlet of the directory whose address ends with `domain`, by address. */
async function directory(
  client: ChaosClient,
  domain: string,
): Promise<Map<string, (Described & { id: string })[]>> {
  const byEmail = new Map<string, (Described & { id: string })[]>();
  let cursor: string | undefined;
  do {
    const page = await client.json<{
      outlets: (Described & { id: string; email: string })[];
      nextCursor?: string;
    }>(`/media-outlets?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const outlet of page.outlets.filter((o) => o.email.endsWith(domain)))
      byEmail.set(outlet.email, [...(byEmail.get(outlet.email) ?? []), outlet]);
    cursor = page.nextCursor;
  } while (cursor);
  return byEmail;
}

/**
 * A media directory imported as a CSV while the whole local cloud is killed (SIGKILL) and started
 * again on the same data folder: a release is announced to the directory (250 outlets, 100 in its
 * genre), then, under faults, a CSV of 580 rows (two pages) is imported: outlets new to the directory
 * (most in the release's genre, some with no genres or worldwide, some not matching), updates of the
 * existing ones (renames, genre changes that make them match, addresses in other case, rows that say
 * what the directory holds), later lines repeating an address (the same row in other case, or a change
 * that makes a new outlet match) and 10 invalid rows, in an order drawn from the seed. The POST is
 * tried again on a 5xx; the cloud is killed in a page drawn from the seed, once the outlet a line
 * drawn there creates exists. The job must finish with the counts the file gives (created, updated,
 * unchanged, and the invalid rows rejected by line), every valid row's address must hold one outlet as
 * its last line describes it, and every outlet of the directory the release matches must have one
 * announcement, those it does not match none; what the design allows under faults is allowed (below).
 */
export async function outletImportKilledMidJob(
  start: () => Promise<CloudProcess>,
  options: ScenarioOptions,
): Promise<ChaosRow> {
  let cloud = await start();
  const client = new ChaosClient(cloud);
  const tag = randomBytes(3).toString('hex');
  const genre = `imported${tag}`;
  const other = `other${tag}`;
  const domain = `@import-${tag}.example`;
  const title = `Imported ${tag}`;
  const random = xoroshiro128plus(options.seed);
  const draw = (below: number) => Math.floor(uniformFloat64(random) * below);
  try {
    // The directory before: A outlets in the release's genre, B in another.
    const before = new Map<string, Described>();
    const existing = (group: string, count: number, genres: string[]) =>
      Array.from({ length: count }, (_, i) => {
        const email = `${group}-${i}${domain}`;
        before.set(email, {
          name: `Radio ${group}${i}`,
          kind: 'radio',
          genres,
          territories: ['GB'],
          contactName: `Host ${group}${i}`,
        });
        return email;
      });
    const a = existing('a', 100, [genre]);
    const b = existing('b', 150, [other]);
    const seeded = await postImport(
      client,
      [header, ...[...before].map(([email, o]) => csvLine(email, o))].join('\n'),
    );
    const seededJob = seeded.jobId ? await finishedJob(client, seeded.jobId, 120_000) : undefined;
    if (seededJob?.status !== 'done' || seededJob.result.created !== before.size)
      throw new Error(`the directory's import ended ${JSON.stringify(seededJob).slice(0, 300)}`);
    const label = await client.label('Directory Records');
    const now = await client.now();
    const release = aRelease(title, genre, daysAfter(now, 30));
    const announced = await client.webhook(label, {
      type: 'release.scheduled',
      timestamp: now.toISOString(),
      data: release,
    });
    const titled = (mails: StoredMail[]) => mails.filter((mail) => mail.subject.includes(title));
    if (!(await client.until(async () => titled(await client.mail()).length >= a.length, 120_000)))
      throw new Error(
        `the release's announcement to the directory did not go out (webhook ${announced.status})`,
      );
    await client.idle();

    // The file: rows in an order drawn from the seed, each repeat after the line it repeats.
    const row = (email: string, outlet: Described, written = email): Line => ({
      text: csvLine(written, outlet),
      email,
      outlet,
    });
    const was = (email: string) => before.get(email)!;
    const lines: Line[] = [
      ...a.slice(0, 40).map((email) => row(email, { ...was(email), name: `${was(email).name} FM` })),
      ...a.slice(40, 60).map((email) => row(email, was(email), email.toUpperCase())),
      ...b.slice(0, 60).map((email) => row(email, { ...was(email), genres: [genre] })),
      ...b
        .slice(60, 90)
        .map((email) => row(email, { ...was(email), genres: [other, genre] }, email.replace(/^b/, 'B'))),
      ...b.slice(90, 110).map((email) => row(email, { ...was(email), contactName: 'Someone Else' })),
      ...b.slice(110, 130).map((email) => row(email, was(email))),
    ];
    const fresh = Array.from({ length: 250 }, (_, i) =>
      row(`n-${i}${domain}`, {
        name: `New ${i}`,
        kind: kinds[i % kinds.length],
        genres: i < 20 ? [] : [genre],
        territories: i >= 20 && i < 40 ? ['WW'] : ['GB'],
        contactName: `Contact ${i}`,
      }),
    );
    const unmatched = Array.from({ length: 80 }, (_, i) =>
      row(`m-${i}${domain}`, {
        name: `Elsewhere ${i}`,
        kind: 'press',
        genres: i < 40 ? [other] : [genre],
        territories: i < 40 ? ['GB'] : ['DE'],
      }),
    );
    lines.push(...fresh, ...unmatched);
    for (let i = lines.length - 1; i > 0; i--) {
      const j = draw(i + 1);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
    const later: { line: Line; after?: Line }[] = [
      ...fresh.slice(0, 30).map((first) => ({
        line: row(first.email!, first.outlet!, first.email!.toUpperCase()),
        after: first,
      })),
      ...unmatched
        .slice(0, 10)
        .map((first) => ({ line: row(first.email!, { ...first.outlet!, genres: [genre] }), after: first })),
      ...lines
        .filter((line) => b.slice(0, 10).includes(line.email ?? ''))
        .map((first) => ({
          line: row(first.email!, { ...first.outlet!, name: `${first.outlet!.name} Live` }),
          after: first,
        })),
      ...[
        `Bad One,not-an-email,radio,${genre},GB,Host`,
        `Bad Two,bad-2${domain},radio,${genre},,Host`,
        `Bad Three,bad-3${domain},radioo,${genre},GB,Host`,
        `"Bad Four,bad-4${domain},radio,${genre},GB,Host`,
        `Bad Five,bad-5${domain},radio,${genre},GB,Host,extra`,
        `,bad-6${domain},radio,${genre},GB,Host`,
        `Bad Seven,bad-7${domain},radio,${genre},UK,Host`,
        `Bad Eight,bad-8${domain},radio,${genre};${'x'.repeat(61)},GB,Host`,
        `Bad Nine,bad-9@@${domain.slice(1)},radio,${genre},GB,Host`,
        `Bad Ten,bad-10${domain},radio,${genre},GB,Host "x"`,
      ].map((text) => ({ line: { text } })),
    ];
    for (const { line, after } of later) {
      const from = after ? lines.indexOf(after) + 1 : 0;
      lines.splice(from + draw(lines.length - from + 1), 0, line);
    }
    const lineOf = (line: Line) => lines.indexOf(line) + 2;
    const invalid = lines.filter((line) => !line.outlet).map(lineOf);

    // What each line does, as a run of the file without faults finds the directory.
    // A line naming an address an earlier valid line named is `repeated`: the outlet is counted once, by
    // its first line (docs/design.md#jobs).
    const category = new Map<Line, 'created' | 'updated' | 'unchanged' | 'repeated'>();
    const described = new Map(before);
    const named = new Set<string>();
    for (const line of lines) {
      if (!line.email || !line.outlet) continue;
      const found = described.get(line.email);
      category.set(
        line,
        named.has(line.email)
          ? 'repeated'
          : !found
            ? 'created'
            : sameOutlet(found, line.outlet)
              ? 'unchanged'
              : 'updated',
      );
      named.add(line.email);
      described.set(line.email, line.outlet);
    }
    // The kill: on the page drawn (the second runs once the first is recorded, with its Outlets Changed
    // in the outbox), once the outlet of a line drawn among those that create one there exists.
    const pageOf = (line: number) => Math.floor((line - 2) / 500);
    const killPage = draw(2);
    const creating = lines.filter(
      (line, i) =>
        pageOf(lineOf(line)) === killPage &&
        line.email &&
        !before.has(line.email) &&
        !lines.slice(0, i).some((l) => l.email === line.email),
    );
    const killAt = lineOf(creating[draw(creating.length)]);

    await client.armFaults(options.faults, options.seed);
    const posted = await postImport(client, [header, ...lines.map((line) => line.text)].join('\n'));
    const findings: string[] = [];
    if (!posted.jobId) {
      findings.push(`the import was never acknowledged (answers ${posted.answers.join(', ')})`);
      return { ...row0(options), findings, unrecorded: 1 };
    }
    const jobId = posted.jobId;
    // The moment: when the outlet the drawn line creates exists (its id is the job's and the line's).
    const started = Date.now();
    await client.until(
      async () => (await client.request(`/media-outlets/${importedOutletId(jobId, killAt)}`)).status === 200,
      options.waitMs ?? 120_000,
    );
    const firedBeforeKill = await client.firedSinceArmed();
    const beforeKill = await client.mail();
    await cloud.kill();
    const killedAfterMs = Date.now() - started;
    cloud = await start();
    client.cloud = cloud;
    await client.armFaults(options.faults, options.seed + 1);
    const { deadLettered, replayed, fired } = await client.settle();

    // The job: the invalid rows rejected by line, and the others counted as the file says. A row whose
    // write failed under the faults is rejected too (`could not be saved`) and may be written all the
    // same; a page retried after the kill counts an earlier line for an address whose later line the
    // killed attempt wrote as `unchanged` (docs/design.md#jobs). An unacknowledged POST may have started
    // an import of its own, whose lines run beside this one's (imports are not ordered).
    let unrecorded = 0;
    const job = await finishedJob(client, jobId, 300_000);
    const rejected = new Map((job?.result.rejected ?? []).map((r) => [r.line, r.error]));
    const unsaved = new Set(
      [...rejected]
        .filter(([line, error]) => !invalid.includes(line) && error.startsWith('could not be saved'))
        .map(([line]) => line),
    );
    const ghost = posted.answers.length > 1;
    const want = { created: 0, updated: 0, unchanged: 0, repeated: 0 };
    let shifted = 0;
    let uncertain = 0;
    const states = new Map<string, (Described | undefined)[]>(
      [...before].map(([email, outlet]) => [email, [outlet]]),
    );
    for (const [index, line] of lines.entries()) {
      const email = line.email;
      if (!email || !line.outlet) continue;
      const known = states.get(email) ?? [undefined];
      if (known.length > 1) uncertain++;
      if (unsaved.has(lineOf(line)) || ghost) states.set(email, [...known, line.outlet]);
      else states.set(email, [line.outlet]);
      if (unsaved.has(lineOf(line))) continue;
      want[category.get(line)!] += 1;
      if (
        category.get(line) === 'updated' &&
        lines.slice(index + 1).some((l) => l.email === email && pageOf(lineOf(l)) === pageOf(lineOf(line)))
      )
        shifted++;
    }
    const got = job && {
      created: job.result.created,
      updated: job.result.updated,
      repeated: job.result.repeatedCount ?? 0,
      unchanged:
        (job.progress.total ?? 0) -
        job.result.created -
        job.result.updated -
        job.result.rejectedCount -
        (job.result.repeatedCount ?? 0),
    };
    const within = (value: number, from: number, to: number) =>
      value >= from - uncertain && value <= to + uncertain;
    const countsHold =
      got !== undefined &&
      got.created + got.updated + got.unchanged + got.repeated ===
        want.created + want.updated + want.unchanged + want.repeated &&
      (ghost ||
        (within(got.created, want.created, want.created) &&
          within(got.updated, want.updated - shifted, want.updated) &&
          within(got.repeated, want.repeated, want.repeated)));
    const wronglyRejected = [...rejected].filter(([line]) => !invalid.includes(line) && !unsaved.has(line));
    const notRejected = invalid.filter((line) => !rejected.has(line));
    if (job?.status !== 'done' || !countsHold || wronglyRejected.length > 0 || notRejected.length > 0) {
      unrecorded++;
      findings.push(
        `job ${jobId} ${job?.status ?? 'unread'}${job?.error ? ` (${job.error})` : ''}: counts ${JSON.stringify(got)} where ${JSON.stringify(want)} is due (up to ${shifted} updated as unchanged, ${uncertain} after unsaved rows${ghost ? ', another import possible' : ''}); rejected wrongly ${JSON.stringify(wronglyRejected)}, invalid lines not rejected ${notRejected.join(', ') || 'none'}`,
      );
    }
    if (unsaved.size > 0)
      findings.push(
        `could not be saved (told, and allowed): ${[...unsaved].map((line) => `line ${line}: ${rejected.get(line)}`).join('; ')}`,
      );

    // The directory: one outlet an address, as its last line describes it (or as it was, or an unsaved
    // line describes it, where such a line is the last); none for an invalid row.
    const held = await directory(client, domain);
    for (const [email, known] of states) {
      const outlets = held.get(email) ?? [];
      const fits = (outlet: Described | undefined) =>
        outlet ? outlets.length === 1 && sameOutlet(outlets[0], outlet) : outlets.length === 0;
      if (known.some(fits)) continue;
      unrecorded++;
      if (findings.length < 10)
        findings.push(
          `${email}: ${outlets.length} outlet(s) ${JSON.stringify(outlets)} where ${JSON.stringify(known)} is due`,
        );
    }
    for (const email of held.keys())
      if (!states.has(email)) {
        unrecorded++;
        findings.push(`${email}: in the directory, though only an invalid row names it`);
      }

    // The mail: one announcement to each outlet of the directory the release matches, none to the others.
    const matches = (outlet: Described) =>
      (outlet.genres.length === 0 || outlet.genres.includes(genre)) &&
      outlet.territories.some((territory) => territory === 'GB' || territory === 'WW');
    const byId = new Map([...beforeKill, ...(await client.mail())].map((mail) => [mail.messageId, mail]));
    let lost = 0;
    let duplicates = 0;
    let total = 0;
    let mailsExpected = 0;
    for (const [email, mails] of mailByOutlet([...byId.values()], [...states.keys()], title)) {
      const outlet = held.get(email)?.[0];
      const due = outlet && matches(outlet) ? 1 : 0;
      mailsExpected += due;
      total += mails.length;
      if (mails.length === due) continue;
      if (mails.length < due) lost++;
      else duplicates += mails.length - due;
      if (findings.length < 10)
        findings.push(
          `${email}: ${mails.length} announcement(s) where ${due} is due; ${await client.deliveryStates(label.id, release.releaseId, email)}`,
        );
    }
    findings.unshift(
      `import acknowledged after ${posted.answers.length} POST(s) (${posted.answers.join(', ')}); killed ${killedAfterMs} ms later, once line ${killAt}'s outlet existed (page ${killPage + 1}), ${titled(beforeKill).length} announcements in the store then; the job counted ${JSON.stringify(got)}`,
    );
    return {
      ...row0(options),
      faultsFired: firedBeforeKill + fired,
      eventsIn: lines.length,
      mailsExpected,
      sent: total,
      duplicates,
      lost,
      unrecorded,
      deadLettered,
      replayed,
      findings: findings.slice(0, 10),
    };
  } finally {
    await cloud.stop();
  }
}

const row0 = (options: ScenarioOptions): ChaosRow => ({
  scenario: 'outlet import of 580 rows over a directory of 250, local cloud killed (SIGKILL) and restarted',
  seed: options.seed,
  faults: options.faults,
  faultsFired: 0,
  eventsIn: 0,
  mailsExpected: 0,
  sent: 0,
  duplicates: 0,
  lost: 0,
  unrecorded: 0,
  deadLettered: 0,
  replayed: 0,
  findings: [],
});
