import type { BudgetView } from '#functions/office/budgets.ts';
import type { TourView } from '#functions/office/tours.ts';
import { unconvertedText } from '#shared/budgets/ledger.ts';
import { ownerUnreachableText } from '#shared/budgets/owner-unreachable.ts';
import { type Markup, markup, trusted } from '#shared/http/markup.ts';
import { formatMoney } from '#shared/money/money.ts';
import type { EventRecord, LocalBus } from './bus/bus.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { Pending } from './scheduler.ts';

/**
 * The local console, `GET /_local/console`: one server-rendered page (no build step) showing what the
 * local cloud is doing: the clock with an "advance to" control, the event flow with each invocation's
 * outcome, dead letters with a redrive button, pending schedules, sent mail, and the releases, tours
 * and budgets seen on the bus as the management API shows them. It reloads itself when anything
 * changes (it polls `GET /_local/console/state`), so it follows work in progress
 * (see docs/design.md#the-local-console).
 */

export interface ConsoleSources {
  clock: { now(): Date; offsetMs(): number };
  managerTimeZone: string;
  bus: Pick<LocalBus, 'shownEvents'>;
  scheduler: { pending(): Pending[] };
  /** What `GET /_local/dlq` answers: every kind `POST /_local/dlq/redrive` takes. */
  deadLetters: () => Promise<DeadLetters>;
  /** The SES front's URL (its page lists sent mail; `/store` as JSON). */
  sesUrl: () => string;
  /** A request to the management API with its key. */
  api: (path: string) => Promise<Response>;
}

interface SentMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  /** Unix seconds. */
  at: number;
}

/** What changes when work happens: the page reloads when this does. */
export async function consoleState(sources: ConsoleSources): Promise<string> {
  return fingerprint(sources, await sources.deadLetters());
}

function fingerprint(sources: ConsoleSources, held: DeadLetters): string {
  const events = sources.bus.shownEvents();
  const last = events.at(-1);
  const statuses = events
    .slice(-50)
    .flatMap((record) => record.invocations.map((i) => `${i.status}${i.attempts}`))
    .join(',');
  return [
    events.length,
    last?.event.id,
    statuses.length,
    hash(statuses),
    ...deadLetterKinds.map(({ key }) => held[key].length),
    sources.clock.offsetMs(),
  ].join(':');
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/** The events that name a tour or a budget: the console lists each subject once, most recent first. */
const tourEvents = ['Tour Booked', 'Tour Show Added', 'Tour Show Updated', 'Tour Show Cancelled'];
const budgetEvents = ['Budget Set', 'Expense Recorded', 'Expense Amended', 'Expense Voided'];

const recentFirst = <T>(list: readonly T[], limit: number): T[] => list.slice(-limit).reverse();

/** Distinct (labelId, id) pairs of the subjects these events are about, most recent first. */
function subjectsOf(
  events: EventRecord[],
  detailTypes: string[],
  idField: string,
): { labelId: string; id: string }[] {
  const seen = new Map<string, { labelId: string; id: string }>();
  for (const { event } of recentFirst(events, events.length)) {
    if (!detailTypes.includes(event['detail-type'])) continue;
    const detail = event.detail as { metadata?: { labelId?: unknown }; data?: Record<string, unknown> };
    const labelId = detail.metadata?.labelId;
    const id = detail.data?.[idField];
    if (typeof labelId !== 'string' || typeof id !== 'string') continue;
    const key = JSON.stringify([labelId, id]);
    if (!seen.has(key)) seen.set(key, { labelId, id });
    if (seen.size >= 20) break;
  }
  return [...seen.values()];
}

/** A view from the management API (typed as its route answers), or why there is none. */
async function view<T = Record<string, unknown>>(sources: ConsoleSources, path: string): Promise<T | string> {
  try {
    const response = await sources.api(path);
    const body = (await response.json()) as Record<string, unknown>;
    if (response.ok) return body as T;
    if (response.status === 404 && body.error === undefined)
      return 'no such route in this version of Backline';
    return `${response.status}: ${String(body.message ?? body.error ?? '')}`;
  } catch (error) {
    return (error as Error).message;
  }
}

async function sentMail(sources: ConsoleSources): Promise<SentMail[]> {
  try {
    return ((await (await fetch(`${sources.sesUrl()}/store`)).json()) as { emails: SentMail[] }).emails;
  } catch {
    return [];
  }
}

const enc = encodeURIComponent;

function times(iso: string, timeZone: string): Markup {
  const date = new Date(iso);
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
  return markup`${local} <small>${timeZone}</small><br><small>${iso.slice(0, 16).replace('T', ' ')} UTC</small>`;
}

/**
 * An id, kept on one line: an id's hyphen is where a line may break, and on a phone "releaseId=by-hand"
 * read "releaseId=by-" and "hand" below it.
 */
const id = (value: unknown): Markup => markup`<span class="id">${String(value)}</span>`;

const idsOf = (record: EventRecord): Markup[] => {
  const detail = record.event.detail as { metadata?: { labelId?: unknown }; data?: Record<string, unknown> };
  const data = detail.data ?? {};
  // An envelope's label is its metadata's (intake's events carry it there only), unless its data names one.
  const label = typeof detail.metadata?.labelId === 'string' && data.labelId === undefined;
  return [...(label ? [['labelId', detail.metadata?.labelId] as const] : []), ...Object.entries(data)]
    .filter(([key, value]) => /Id$/.test(key) && typeof value === 'string')
    .slice(0, 3)
    .map(([key, value], i) => markup`${i > 0 ? ' ' : ''}${id(`${key}=${value}`)}`);
};

const badge = (status: string): Markup => markup`<span class="badge ${status}">${status}</span>`;

function eventRows(events: EventRecord[], timeZone: string): Markup[] {
  return recentFirst(events, 60).map(
    (record) => markup`<tr>
<td>${times(record.event.time, timeZone)}</td>
<td><strong>${record.event['detail-type']}</strong><br><small>${record.event.source} · ${record.bus} bus</small></td>
<td><small>${idsOf(record)}</small></td>
<td>${record.invocations.length === 0 ? markup`<small>no rule matched</small>` : ''}${record.invocations.map(
      (invocation) =>
        markup`<div>${invocation.function} ${badge(invocation.status)}${invocation.attempts > 1 ? markup` <small>${invocation.attempts} attempts</small>` : ''}${invocation.error ? markup`<br><small class="error">${invocation.error}</small>` : ''}</div>`,
    )}</td>
</tr>`,
  );
}

function mailCounts(view: Record<string, unknown>): Markup {
  const mail = (view.mail ?? {}) as Record<string, Record<string, number>>;
  const kinds = Object.entries(mail).filter(([, counts]) => Object.values(counts).some((n) => n > 0));
  if (kinds.length === 0) return markup`<small>no mail yet</small>`;
  return markup`${kinds.map(
    ([kind, counts]) =>
      markup`<div>${kind}: <strong>${counts.sent ?? 0}</strong> sent${counts.claimed ? `, ${counts.claimed} sending` : ''}${counts.bounced ? `, ${counts.bounced} bounced` : ''}${counts.complained ? `, ${counts.complained} complained` : ''}${counts.rejected ? `, ${counts.rejected} rejected` : ''}${counts.failed ? `, ${counts.failed} failed` : ''}</div>`,
  )}`;
}

/** A tour's shows, each with its date and venue, its status and its advance status. */
function tourShows(view: TourView): Markup {
  if (view.shows.length === 0) return markup`<small>no shows</small>`;
  return markup`<ul class="shows">${view.shows.map(
    (show) =>
      markup`<li data-show-id="${show.showId}">${show.date} ${show.venue.city}, ${show.venue.name} ${badge(show.status)} advance ${badge(show.advance)}<br><small>promoter ${show.promoter.name}${show.guests ? ` · ${show.guests} on the guest list` : ''}</small></li>`,
  )}</ul>`;
}

/**
 * A budget's spend (committed and actual) against its plan as a bar, with the amounts and alerts: a
 * threshold dated on the manager's day its reconciliation ran, the day its mail names (the view's `date`).
 */
function budgetBar(view: BudgetView): Markup {
  const { totals } = view;
  const money = (minor: number) => formatMoney({ minor, currency: totals.currency });
  const used = totals.committed + totals.actual;
  const over = used > totals.planned + totals.income;
  const unconverted = Object.entries(totals.unconverted).map(([currency, byKind]) =>
    unconvertedText(currency, byKind),
  );
  return markup`<div class="bar" role="img" aria-label="${totals.usedPercent} % of the plan used"><div class="fill${over ? ' over' : ''}" style="width:${Math.min(totals.usedPercent, 100)}%"></div></div>
<div><strong>${totals.usedPercent} %</strong> used: ${money(used)} of ${money(totals.planned)} <small>(${money(totals.actual)} spent, ${money(totals.committed)} committed${totals.income !== 0 ? `, ${money(totals.income)} income` : ''}; ${money(totals.remaining)} left)</small></div>
${view.ownerUnreachable ? markup`<div class="error">${ownerUnreachableText(view.owner, view.ownerUnreachable)}</div>` : ''}
${view.thresholdsCrossed.length ? markup`<div class="alerts">${view.thresholdsCrossed.map((crossed) => markup`${badge('alert')} ${crossed.threshold} % crossed <small>${crossed.date}</small> `)}</div>` : ''}
${unconverted.length ? markup`<div><small>not converted yet: ${unconverted.join(', ')}</small></div>` : ''}
<small>${view.expenses} expense${view.expenses === 1 ? '' : 's'}; ${view.lastReconciled ? markup`reconciled ${view.lastReconciled.date}: ${badge(view.lastReconciled.status)}` : 'not reconciled yet'}</small>`;
}

/**
 * The kinds of dead letter, under the keys `GET /_local/dlq` lists them and `POST /_local/dlq/redrive`
 * counts them by, as the console names them (the script's status line names the redrive's counts alike).
 */
const deadLetterKinds = [
  { key: 'deadLetters', one: 'event', many: 'events' },
  { key: 'scheduleDeadLetters', one: 'schedule dead letter', many: 'schedule dead letters' },
  { key: 'queueMessages', one: 'queue message', many: 'queue messages' },
  { key: 'streamBatches', one: 'stream batch', many: 'stream batches' },
  { key: 'outboxEntries', one: 'parked outbox entry', many: 'parked outbox entries' },
] as const satisfies { key: keyof DeadLetters; one: string; many: string }[];

const counted = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The detail-type of a queue message's event, or what the body begins with when it is none. */
const queuedEvent = (body: string): string => {
  try {
    const type = (JSON.parse(body) as { 'detail-type'?: unknown })['detail-type'];
    if (typeof type === 'string') return type;
  } catch {}
  return body.slice(0, 40);
};

function deadLetterRows(held: DeadLetters, zone: string): Markup[] {
  const row = (at: string, what: Markup, error: string) =>
    markup`<tr><td>${times(at, zone)}</td><td>${what}</td><td><small class="error">${error}</small></td></tr>`;
  return [
    ...held.deadLetters.map((d) =>
      row(
        d.at,
        markup`<strong>${d.event.detailType}</strong> → ${d.function}<br><small>${d.attempts} attempts</small>`,
        d.error,
      ),
    ),
    ...held.scheduleDeadLetters.map((d) =>
      row(
        d.scheduledFor,
        markup`<strong>${d.target.detailType}</strong> → the bus<br><small>schedule ${d.groupName}/${d.name} · ${d.attempts} attempts</small>`,
        d.error,
      ),
    ),
    ...held.queueMessages.map((d) =>
      row(
        d.at,
        markup`<strong>${queuedEvent(d.body)}</strong> → ${d.function}<br><small>queue message of ${d.queue} · ${d.receiveCount} receives</small>`,
        '',
      ),
    ),
    ...held.streamBatches.map((d) =>
      row(
        d.at,
        markup`<strong>stream batch</strong> → ${d.function}<br><small>${counted(d.DDBStreamBatchInfo.batchSize, 'record', 'records')} from ${d.DDBStreamBatchInfo.startSequenceNumber} · ${d.attempts} attempts</small>`,
        d.error,
      ),
    ),
    ...held.outboxEntries.map((d) =>
      row(
        d.parkedAt,
        markup`<strong>${d.detailType ?? 'webhook record'}</strong> → the bus<br><small>parked outbox entry${d.source ? ` of ${d.source}` : ''} · event ${d.eventId}</small>`,
        [d.code, d.message].filter(Boolean).join(': '),
      ),
    ),
  ];
}

const style = trusted(`
body{font-family:system-ui,sans-serif;margin:0;padding:0 1rem 3rem;line-height:1.4;color:#1d1d1f;background:#fafafa}
header{position:sticky;top:0;background:#fafafa;padding:.75rem 0;border-bottom:1px solid #ddd;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
h1{font-size:1.2rem;margin:0}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.25rem .75rem .75rem;margin-top:1rem;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eee;vertical-align:top;overflow-wrap:anywhere}
small{color:#666}.error{color:#b00020}.id{white-space:nowrap}
.badge{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.8rem;background:#eee;white-space:nowrap}
.badge.succeeded,.badge.submitted,.badge.advanced{background:#d7f5dd}.badge.running,.badge.retrying,.badge.requested,.badge.reminded{background:#fff3c4}
.badge.dead-lettered,.badge.overdue,.badge.over,.badge.alert,.badge.cancelled{background:#ffd6d6}.badge.at-risk{background:#fff3c4}.badge.on-track,.badge.confirmed{background:#d7f5dd}
ul.shows{margin:0;padding-left:1rem}
.bar{height:.8rem;background:#eee;border-radius:4px;overflow:hidden;max-width:20rem}.fill{height:100%;background:#3a7bd5}.fill.over{background:#d53a3a}
form{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}input{font:inherit;padding:.25rem}button{font:inherit;padding:.25rem .75rem;cursor:pointer}
@media (max-width:40rem){header{position:static}table,tbody,tr,td{display:block}tr:has(th){display:none}tr{border-bottom:1px solid #eee;padding:.35rem 0}td{border:0;padding:.1rem 0}}
`);

/**
 * Posts to the local cloud's own routes as a tool would (the header proves it is not a foreign page),
 * then reloads, telling what the post did (the time the clock moved to and what fired; what was
 * redriven) or why it was refused, in the status line: the outcome is kept over the reloads of the
 * next minute (the post's own, and the poll's while work goes on).
 */
const script = trusted(`
const status = document.getElementById('status');
const zone = document.body.dataset.zone;
// The last outcome, shown for a minute: over the post's own reload and those that follow work in progress.
const told = JSON.parse(sessionStorage.getItem('backline-console-outcome') ?? 'null');
if (told && Date.now() - told.at < 60000) status.textContent = told.text;
const tell = (text) => { status.textContent = text; sessionStorage.setItem('backline-console-outcome', JSON.stringify({ text, at: Date.now() })); };
const plural = (n, one) => n + ' ' + one + (n === 1 ? '' : 's');
const inZone = (iso) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) + ' ' + zone;
function outcome(path, answer) {
  if (path === '/_local/clock') {
    const fired = answer.fired ?? [];
    const kinds = [...new Set(fired.map((f) => f.detailType))].join(', ');
    const failed = fired.filter((f) => f.error).length;
    return 'Clock moved to ' + inZone(answer.now) + ': ' + (fired.length ? plural(fired.length, 'schedule') + ' fired (' + kinds + ')' : 'no schedule fired') + (failed ? ', ' + failed + ' could not put ' + (failed === 1 ? 'its event' : 'their events') + ' on the bus (see Dead letters)' : '') + '.';
  }
  // The kinds besides the bus's events, named as the page names them (its body's data-dead-letter-kinds).
  const others = JSON.parse(document.body.dataset.deadLetterKinds)
    .filter(({ key }) => key !== 'deadLetters' && answer[key] > 0).map(({ key, one, many }) => answer[key] + ' ' + (answer[key] === 1 ? one : many));
  return 'Redriven: ' + plural(answer.redriven ?? 0, 'event') + ' (' + (answer.succeeded ?? 0) + ' succeeded, ' + (answer.failed ?? 0) + ' failed again)' + (others.length ? ', ' + others.join(', ') : '') + '.';
}
const refusal = (answer) =>
  answer.issues ? answer.issues.map((issue) => issue.path + ' ' + issue.message).join('; ') : String(answer.message ?? answer.error ?? '');
// While a post is under way the poll does not reload: the work it starts would, and its answer be lost.
let posting = false;
async function post(path, body) {
  status.textContent = 'working...';
  posting = true;
  try {
    const response = await fetch(path, { method: 'POST', headers: { 'x-backline-local': '1', 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const text = await response.text();
    let answer = {};
    try { answer = JSON.parse(text); } catch { answer = { message: text }; }
    if (!response.ok) return tell('Not done (' + response.status + '): ' + refusal(answer));
    tell(outcome(path, answer));
    location.reload();
  } catch (error) {
    tell('Not done: the local cloud did not answer (' + error.message + '). Is npm start still running?');
  } finally {
    posting = false;
  }
}
document.getElementById('advance').addEventListener('submit', (e) => { e.preventDefault(); post('/_local/clock', { advanceTo: new Date(document.getElementById('advanceTo').value).toISOString() }); });
for (const button of document.querySelectorAll('[data-advance-days]')) button.addEventListener('click', () => { const t = new Date(document.body.dataset.now); t.setUTCDate(t.getUTCDate() + Number(button.dataset.advanceDays)); post('/_local/clock', { advanceTo: t.toISOString() }); });
const redrive = document.getElementById('redrive'); if (redrive) redrive.addEventListener('click', () => post('/_local/dlq/redrive'));
const tomorrow = new Date(Date.parse(document.body.dataset.now) + 86400000);
document.getElementById('advanceTo').value = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
const state = document.body.dataset.state;
// A poll nothing answers: npm start has stopped, and the page says so rather than show what it last saw as now;
// it reloads once the local cloud answers again.
let unanswered = false;
setInterval(async () => {
  if (posting) return;
  try {
    const next = await (await fetch('/_local/console/state')).text();
    if ((next !== state || unanswered) && !posting) location.reload();
  } catch {
    unanswered = true;
    status.textContent = 'The local cloud does not answer: this page shows what it last saw. Is npm start still running?';
  }
}, 1500);
`);

export async function consolePage(sources: ConsoleSources): Promise<string> {
  const now = sources.clock.now();
  const zone = sources.managerTimeZone;
  const events = sources.bus.shownEvents();
  const pending = sources.scheduler.pending();
  const held = await sources.deadLetters();
  const heldKinds = deadLetterKinds.filter(({ key }) => held[key].length > 0);
  const deadLetterCount = heldKinds.reduce((sum, { key }) => sum + held[key].length, 0);
  const mail = recentFirst(await sentMail(sources), 30);
  const releases = await Promise.all(
    subjectsOf(events, ['Release Scheduled', 'Release Updated', 'Release Cancelled'], 'releaseId').map(
      async (s) => ({ ...s, view: await view(sources, `/labels/${enc(s.labelId)}/releases/${enc(s.id)}`) }),
    ),
  );
  const tours = await Promise.all(
    subjectsOf(events, tourEvents, 'tourId').map(async (s) => ({
      ...s,
      view: await view<TourView>(sources, `/labels/${enc(s.labelId)}/tours/${enc(s.id)}`),
    })),
  );
  const budgets = await Promise.all(
    subjectsOf(events, budgetEvents, 'budgetId').map(async (s) => ({
      ...s,
      view: await view<BudgetView>(sources, `/labels/${enc(s.labelId)}/budgets/${enc(s.id)}`),
    })),
  );
  const ses = sources.sesUrl();

  const page = markup`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backline local console</title><style>${style}</style></head>
<body data-state="${fingerprint(sources, held)}" data-now="${now.toISOString()}" data-zone="${zone}" data-dead-letter-kinds="${JSON.stringify(deadLetterKinds)}">
<header>
<h1>Backline local console</h1>
<div id="clock"><strong>Clock</strong> ${times(now.toISOString(), zone)}</div>
<form id="advance"><label>Advance to <input id="advanceTo" type="datetime-local" required> <small>(your browser's time)</small></label><button type="submit">Advance</button>
<button type="button" data-advance-days="1">+1 day</button><button type="button" data-advance-days="7">+7 days</button></form>
<span id="status" role="status"></span>
</header>

<section id="releases"><h2>Releases (${releases.length})</h2>
${releases.length === 0 ? markup`<p><small>No release seen on the bus yet.</small></p>` : ''}
<table>${releases.map(
    (
      r,
    ) => markup`<tr><td><strong>${typeof r.view === 'string' ? r.id : String((r.view.release as { title?: string } | null)?.title ?? r.id)}</strong><br><small>${id(r.labelId)} / ${id(r.id)}</small></td>
<td>${typeof r.view === 'string' ? markup`<small>${r.view}</small>` : badge(String(r.view.state))}</td>
<td>${typeof r.view === 'string' ? '' : mailCounts(r.view)}</td></tr>`,
  )}</table></section>

<section id="tours"><h2>Tours (${tours.length})</h2>
${tours.length === 0 ? markup`<p><small>No tour seen on the bus yet.</small></p>` : ''}
<table>${tours.map((t) =>
    typeof t.view === 'string'
      ? markup`<tr data-tour-id="${t.id}"><td><strong>${id(t.id)}</strong><br><small>${id(t.labelId)}</small></td><td><small>${t.view}</small></td></tr>`
      : markup`<tr data-tour-id="${t.id}"><td><strong>${t.view.artist.name}</strong><br><small>${id(t.labelId)} / ${id(t.id)}</small><br><small>tour manager ${t.view.tourManager.name}</small> <a href="${t.view.tourManagerPage}">page</a></td><td>${tourShows(t.view)}</td></tr>`,
  )}</table></section>

<section id="budgets"><h2>Budgets (${budgets.length})</h2>
${budgets.length === 0 ? markup`<p><small>No budget seen on the bus yet.</small></p>` : ''}
<table>${budgets.map((b) =>
    typeof b.view === 'string'
      ? markup`<tr data-budget-id="${b.id}"><td><strong>${id(b.id)}</strong><br><small>${id(b.labelId)}</small></td><td><small>${b.view}</small></td></tr>`
      : markup`<tr data-budget-id="${b.id}"><td><strong>${id(b.id)}</strong><br><small>${id(b.labelId)} · ${b.view.scope.kind} ${id(b.view.scope.id)}</small><br><small>owner ${b.view.owner.name}</small></td><td>${budgetBar(b.view)}</td></tr>`,
  )}</table></section>

<section id="mail"><h2>Mail sent (${mail.length === 30 ? 'latest 30' : mail.length})</h2>
<p><a href="${ses}/">Open the mail viewer</a> <small>(${ses})</small></p>
<table>${mail.map(
    (
      m,
    ) => markup`<tr><td>${times(new Date(m.at * 1000).toISOString(), zone)}</td><td>${m.destination.to.join(', ')}</td>
<td><a href="${ses}/mail?messageId=${enc(m.messageId)}">${m.subject}</a></td></tr>`,
  )}</table></section>

<section id="schedules"><h2>Pending schedules (${pending.length})</h2>
<table><tr><th>next</th><th>event</th><th>schedule</th></tr>${pending.map(
    (p) =>
      markup`<tr><td>${times(p.next, p.timeZone === 'UTC' ? zone : p.timeZone)}</td><td>${p.detailType}${p.recurring ? markup` <small>recurring</small>` : ''}</td><td><small>${p.groupName}/${p.name}</small></td></tr>`,
  )}</table></section>

<section id="dead-letters"><h2>Dead letters (${deadLetterCount})</h2>
${deadLetterCount ? markup`<p id="dead-letter-kinds">${heldKinds.map(({ key, one, many }) => counted(held[key].length, one, many)).join(', ')}</p><button id="redrive" type="button">Redrive all</button>` : markup`<p><small>None.</small></p>`}
<table>${deadLetterRows(held, zone)}</table></section>

<section id="events"><h2>Event flow (latest ${Math.min(events.length, 60)} of ${events.length})</h2>
<table><tr><th>time</th><th>event</th><th>ids</th><th>invocations</th></tr>${eventRows(events, zone)}</table></section>
<script>${script}</script>
</body></html>
`;
  return page.text;
}
