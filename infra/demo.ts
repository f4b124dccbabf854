import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Temporal } from 'temporal-polyfill';
import type { BudgetView } from '#functions/office/budgets.ts';
import type { TourView } from '#functions/office/tours.ts';
import type { Expense } from '#shared/events/expense-recorded.ts';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { formatMoney } from '#shared/money/money.ts';
import type { WebhookBodyInput } from '#shared/webhooks.ts';
import type * as z from '#shared/zod.ts';
import { clockNow, signedHeaders } from './cli/sign-webhook.ts';

/**
 * `npm run demo`: against a running `npm start`, what Backline does for a production manager, step by
 * step: a label, 30 media outlets in three territories, a release, a tour of four shows with two
 * promoters and a budget with six expenses in two currencies, all sent by the label as signed
 * webhooks; then the local clock moved through two daily reconciliations, an advance request (which
 * the promoter answers on the form it links to), release day and a day sheet. Every run uses new ids,
 * so it can run again and again. BACKLINE_HTTP_PORT (or BACKLINE_API_URL) says where Backline runs;
 * the API key is BACKLINE_API_KEY, else the one npm start keeps in its data folder.
 */

const base = (
  process.env.BACKLINE_API_URL ?? `http://localhost:${process.env.BACKLINE_HTTP_PORT || 3000}`
).replace(/\/+$/, '');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const say = (text: string) => process.stdout.write(`${text}\n`);

class DemoError extends Error {}

interface LocalCloud {
  urls: { ses: string };
  managerTimeZone: string;
}

interface Fired {
  detailType: string;
  scheduledFor: string;
}

interface SentMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  at: number;
}

async function local<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}/_local/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-backline-local': '1', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new DemoError(`/_local/${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function findLocalCloud(): Promise<LocalCloud> {
  try {
    const response = await fetch(`${base}/_local/info`);
    if (response.status === 503)
      throw new DemoError(`Backline at ${base} is still starting: run npm run demo again in a few seconds.`);
    if (!response.ok)
      throw new DemoError(
        `${base} is not a local Backline (npm start): GET /_local/info answered ${response.status}.`,
      );
    return (await response.json()) as LocalCloud;
  } catch (error) {
    if (error instanceof DemoError) throw error;
    throw new DemoError(
      `No Backline is running at ${base}.\nStart it in another terminal with \`npm start\`, wait for "Backline is running locally", then run \`npm run demo\` again.\n(If it runs on another port, set BACKLINE_HTTP_PORT.)`,
    );
  }
}

function apiKey(): string {
  if (process.env.BACKLINE_API_KEY) return process.env.BACKLINE_API_KEY;
  const file = resolve(process.env.BACKLINE_DATA_DIR || '.local', 'api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new DemoError(
    'No API key: set BACKLINE_API_KEY to the key npm start printed (npm start keeps a generated one in .local/api-key).',
  );
}

async function api<T>(
  key: string,
  path: string,
  init: { method?: string; json?: unknown; csv?: string } = {},
): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.json === undefined && init.csv === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': init.csv !== undefined ? 'text/csv' : 'application/json',
    },
    ...(init.json !== undefined
      ? { body: JSON.stringify(init.json) }
      : init.csv !== undefined
        ? { body: init.csv }
        : {}),
  });
  if (response.status === 401)
    throw new DemoError(
      `Backline at ${base} refused the API key: set BACKLINE_API_KEY to the key npm start printed.`,
    );
  if (!response.ok) throw new DemoError(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A webhook body of any type, without the timestamp `webhook` gives it. */
type Unstamped<B> = B extends unknown ? Omit<B, 'timestamp'> : never;

/**
 * A label's webhook, dated and signed with the local clock's time (a wall-clock signature is stale
 * once the clock moved); the body's `timestamp` is when the change happened at the label.
 */
async function webhook(
  label: { id: string; secret: string },
  body: Unstamped<WebhookBodyInput>,
): Promise<{ status: number; eventId?: string }> {
  const now = await clockNow(base);
  const payload = JSON.stringify({ ...body, timestamp: now.toISOString() });
  const response = await fetch(`${base}/webhooks/${encodeURIComponent(label.id)}`, {
    method: 'POST',
    headers: signedHeaders(label.secret, payload, now),
    body: payload,
  });
  const answer = (await response.json()) as { eventId?: string; message?: string };
  if (response.status !== 202)
    throw new DemoError(`the ${body.type} webhook was refused (${response.status}): ${answer.message}`);
  return { status: response.status, eventId: answer.eventId };
}

/** Moves the local clock to `to` (firing every schedule due on the way) and says what fired. */
async function advanceClock(to: Temporal.ZonedDateTime): Promise<Fired[]> {
  const advanced = await local<{ now: string; fired: Fired[] }>('clock', {
    advanceTo: to.toInstant().toString(),
  });
  await local('idle');
  const counts = new Map<string, number>();
  for (const fired of advanced.fired) counts.set(fired.detailType, (counts.get(fired.detailType) ?? 0) + 1);
  const list = [...counts].map(([type, n]) => (n > 1 ? `${n} x ${type}` : type)).join(', ');
  // A target already passed leaves the clock where it is (it never runs back): say where it is.
  const now = Temporal.Instant.from(advanced.now).toZonedDateTimeISO(to.timeZoneId);
  say(`   clock now ${advanced.now} (${wall(now)}); fired on the way: ${list || 'nothing'}`);
  return advanced.fired;
}

/** The newest mail to `email` whose subject has `part`, waiting a little for it. */
async function mailTo(ses: string, email: string, part = ''): Promise<SentMail | undefined> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const { emails } = (await (await fetch(`${ses}/store`)).json()) as { emails: SentMail[] };
    const found = emails.filter((m) => m.destination.to.includes(email) && m.subject.includes(part)).at(-1);
    if (found) return found;
    await new Promise((done) => setTimeout(done, 250));
  }
  return undefined;
}

const viewerLink = (ses: string, mail: SentMail) =>
  `${ses}/mail?messageId=${encodeURIComponent(mail.messageId)}`;

const wall = (at: Temporal.ZonedDateTime) =>
  `${at.toPlainDate()} ${at.toPlainTime().toString({ smallestUnit: 'minute' })} ${at.timeZoneId}`;

type MailCounts = Record<string, { sent: number; claimed: number }>;
const sent = (mail: MailCounts, kind: string) => mail[kind]?.sent ?? 0;

const territories = ['GB', 'DE', 'FR'];
const kinds = ['radio', 'press', 'blog', 'playlist', 'podcast'];

/** What the promoter answers on the advance form, field by field as the form names them. */
const advanceAnswers = {
  loadInAccess: 'Loading bay on Side Street, 14:00; one truck, no trailer',
  parking: 'Two spaces behind the venue for the band van',
  power: '63 A three-phase, stage left',
  backline: 'House drum kit (Gretsch), two Marshall JCM800',
  wifi: 'Venue-Guest / password on the dressing room door',
  hospitality: 'Dinner for eight at 18:00, water and fruit on stage',
  dressingRooms: 'Two, upstairs, with showers',
  merchSplit: '80/20',
  merchSeller: 'Venue staff',
  guestListAllotment: '20',
  localCrewCall: '4 loaders at 14:00, 4 at 23:00',
  settlementMethod: 'Bank transfer within 7 days',
  settlementCurrency: 'GBP',
  dayContactName: 'Alex Morgan',
  dayContactPhone: '+44 161 496 0000',
};

/** The promoter opens the form linked from the advance request and submits it, as a browser would. */
async function answerAdvanceForm(link: string): Promise<number> {
  const form = await (await fetch(link)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1];
  if (!csrf) throw new DemoError(`the advance form at ${link} has no CSRF token`);
  const response = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, ...advanceAnswers }),
  });
  return response.status;
}

async function demo(): Promise<void> {
  const { urls, managerTimeZone: zone } = await findLocalCloud();
  const { ses } = urls;
  const key = apiKey();
  await api(key, '/media-outlets?limit=1');
  const started = await clockNow(base);
  const today = Temporal.Instant.from(started.toISOString()).toZonedDateTimeISO(zone).toPlainDate();
  const day = (days: number) => today.add({ days }).toString();
  const atManager = (days: number, time: string) =>
    today.add({ days }).toZonedDateTime({ timeZone: zone, plainTime: Temporal.PlainTime.from(time) });
  say(
    `Backline demo (run ${run}) against ${base}; the local clock says ${started.toISOString()} (${today} in the manager's time zone, ${zone})\n`,
  );

  say('1. The label signs up');
  const created = await api<{ id: string; webhookSecret: string }>(key, '/labels', {
    json: { name: 'Nightshift Records', id: `demo-${run}` },
  });
  const label = { id: created.id, secret: created.webhookSecret };
  say(
    `   label ${label.id} added; its webhook secret (shown once) signs what it sends: ${label.secret.slice(0, 12)}...\n`,
  );

  say('2. The manager imports 30 media outlets in three territories (CSV, as a job)');
  const rows = Array.from({ length: 30 }, (_, i) => {
    const territory = territories[i % 3];
    const kind = kinds[i % kinds.length];
    return `${territory} ${kind} ${i + 1},${kind}${i + 1}.${run}@${territory.toLowerCase()}.outlets.example,${kind},techno;electronic,${territory}`;
  });
  const job = await api<{ jobId: string }>(key, '/media-outlets/import', {
    csv: ['name,email,kind,genres,territories', ...rows].join('\n'),
  });
  await local('idle');
  const imported = await api<{ status: string; result: { created: number; rejectedCount: number } }>(
    key,
    `/jobs/${job.jobId}`,
  );
  say(
    `   job ${job.jobId}: ${imported.status}, ${imported.result.created} created, ${imported.result.rejectedCount} rejected`,
  );
  say('   10 in GB, 10 in DE, 10 in FR; genres techno and electronic\n');

  say('3. The label schedules a release (a signed webhook, dated by the local clock)');
  const releaseDay = day(14);
  const release = {
    ...sampleRelease,
    releaseId: `rel-${run}`,
    title: 'Night Drive',
    releaseDate: releaseDay,
    releaseTime: '09:00',
    timeZone: 'Europe/London',
    territories,
    genres: ['techno'],
  };
  const accepted = await webhook(label, { type: 'release.scheduled', data: release });
  say(
    `   202 Accepted, event ${accepted.eventId}: release ${release.releaseId} on ${releaseDay} 09:00 Europe/London`,
  );
  await local('idle');
  const announced = await api<{ state: string; mail: MailCounts }>(
    key,
    `/labels/${label.id}/releases/${release.releaseId}`,
  );
  say(
    `   releases kept it (${announced.state}) and set its release-day schedule; the announcer mailed ${sent(announced.mail, 'announcement')} outlets, each once, with a promo link and one-click unsubscribe\n`,
  );

  say('4. The label books a tour: four shows, two promoters (a signed tour.booked webhook)');
  const tourId = `tour-${run}`;
  const promoters = {
    north: { name: 'Northern Nights Promotions', email: `bookings.${run}@northern-nights.example` },
    south: { name: 'Continental Live', email: `advance.${run}@continental-live.example` },
  };
  const tourManager = { name: 'Sam Reyes', email: `tm.${run}@nightshift.example`, phone: '+44 20 7946 0000' };
  const crew = [{ name: 'Jo Kim', email: `crew.${run}@nightshift.example` }];
  const venue = (name: string, city: string, country: string, timeZone: string) => ({
    name,
    address: '1 High Street',
    city,
    country,
    timeZone,
    capacity: 1200,
  });
  const show = (n: number, date: string, place: Show['venue'], promoter: Show['promoter']): Show => ({
    showId: `show-${n}`,
    date,
    venue: place,
    times: { loadIn: '14:00', soundcheck: '16:30', doors: '19:00', set: '21:00', curfew: '23:00' },
    promoter,
    status: 'confirmed',
    deal: { type: 'versus', guarantee: 250_000, percentage: 80, currency: 'GBP' },
  });
  const shows = [
    show(1, day(30), venue('Albert Hall', 'Manchester', 'GB', 'Europe/London'), promoters.north),
    show(2, day(32), venue('Barrowland', 'Glasgow', 'GB', 'Europe/London'), promoters.north),
    show(3, day(34), venue('Columbiahalle', 'Berlin', 'DE', 'Europe/Berlin'), promoters.south),
    show(4, day(36), venue('La Cigale', 'Paris', 'FR', 'Europe/Paris'), promoters.south),
  ];
  const booked = await webhook(label, {
    type: 'tour.booked',
    data: {
      tourId,
      artist: { name: 'The Midnight Echoes' },
      genres: ['techno'],
      tourManager,
      crew,
      currency: 'GBP',
      shows,
    },
  });
  await local('idle');
  const tourPath = `/labels/${label.id}/tours/${tourId}`;
  const tour = await api<TourView>(key, tourPath);
  const first = Temporal.PlainDate.from(shows[0].date)
    .subtract({ days: 28 })
    .toZonedDateTime({ timeZone: shows[0].venue.timeZone, plainTime: Temporal.PlainTime.from('10:00') });
  say(`   202 Accepted, event ${booked.eventId}: tour ${tourId}`);
  for (const s of tour.shows)
    say(
      `   ${s.date} ${s.venue.city.padEnd(10)} ${s.status}, advance ${s.advance}, promoter ${s.promoter.name}`,
    );
  say(
    `   each show's steps are scheduled in its venue's time zone: the advance request 28 days before at 10:00 (Manchester: ${wall(first)}), reminders, the day sheet the day before at 18:00`,
  );
  say(`   the tour manager's page (a signed link, no API key): ${tour.tourManagerPage}\n`);

  say('5. The label sets a budget for the release and sends its first three expenses (EUR and USD)');
  const budgetId = `bud-${run}`;
  const owner = { name: 'Mara Quinn', email: `owner.${run}@nightshift.example` };
  const eur = (minor: number) => ({ minor, currency: 'EUR' });
  const usd = (minor: number) => ({ minor, currency: 'USD' });
  await webhook(label, {
    type: 'budget.set',
    data: {
      budgetId,
      scope: { kind: 'release', id: release.releaseId },
      currency: 'EUR',
      period: { start: day(-30), end: day(60) },
      owner,
      thresholds: [80, 100],
      lines: [
        { lineId: 'radio', category: 'radio-plugging', planned: eur(300_000) },
        { lineId: 'ads', category: 'advertising', planned: eur(200_000) },
      ],
    },
  });
  // The invoices arrive weeks after the work: their dates, not their arrival, place them in the period.
  const expense = (
    n: number,
    overrides: Partial<z.input<typeof Expense>> & Pick<z.input<typeof Expense>, 'date' | 'amount'>,
  ): z.input<typeof Expense> => ({
    expenseId: `exp-${n}`,
    budgetId,
    lineId: 'radio',
    vendor: 'Airplay Partners',
    invoiceNumber: `AP-${run}-${n}`,
    kind: 'actual',
    ...overrides,
  });
  const ratesDay = day(-8);
  await api(key, `/fx-rates/${ratesDay}`, { method: 'PUT', json: { rates: { 'USD/EUR': '0.92' } } });
  const firstExpenses = [
    expense(1, { date: day(-25), amount: eur(120_000), description: 'Radio plugging, UK, two weeks' }),
    expense(2, {
      date: day(-22),
      lineId: 'ads',
      vendor: 'Clickwave Media',
      kind: 'commitment',
      amount: eur(80_000),
      description: 'Purchase order: social ads',
    }),
    expense(3, {
      date: day(-20),
      vendor: 'Pluggers Inc.',
      amount: usd(30_000),
      rate: { value: '0.92', date: day(-20), source: "the label's bank" },
      description: 'US college radio',
    }),
  ];
  for (const data of firstExpenses) await webhook(label, { type: 'expense.recorded', data });
  await local('idle');
  const budgetPath = `/labels/${label.id}/budgets/${budgetId}`;
  const money = (minor: number) => formatMoney({ minor, currency: 'EUR' });
  const usedOf = (view: BudgetView) =>
    `${view.totals.usedPercent} % used (${money(view.totals.actual)} spent, ${money(view.totals.committed)} committed, ${money(view.totals.remaining)} left)`;
  const set = await api<BudgetView>(key, budgetPath);
  say(
    `   budget ${budgetId}: ${money(set.totals.planned)} planned over two lines, alerts at ${set.thresholds.join(' and ')} %, owner ${owner.email}`,
  );
  say(`   ${set.expenses} expenses counted, 300.00 USD at the label's rate 0.92: ${usedOf(set)}\n`);

  say("6. The clock moves to tomorrow 07:15, the manager's time: the daily reconciliation");
  await advanceClock(atManager(1, '07:15'));
  const reconciled = await api<BudgetView>(key, budgetPath);
  say(
    `   ${budgetId} reconciled on ${reconciled.lastReconciled?.date}: ${reconciled.lastReconciled?.status}, ${usedOf(reconciled)}\n`,
  );

  say("7. Three more expenses arrive: the invoice for the order, more radio, USD ads at the manager's rate");
  const moreExpenses = [
    expense(4, {
      date: day(-12),
      lineId: 'ads',
      vendor: 'Clickwave Media',
      amount: eur(75_000),
      vat: eur(15_000),
      settles: 'exp-2',
      description: 'Invoice for the social ads order',
    }),
    expense(5, { date: day(-10), amount: eur(140_000), description: 'Radio plugging, Europe' }),
    expense(6, {
      date: ratesDay,
      lineId: 'ads',
      vendor: 'AdGrid US',
      amount: usd(50_000),
      description: 'US streaming ads',
    }),
  ];
  for (const data of moreExpenses) await webhook(label, { type: 'expense.recorded', data });
  await local('idle');
  const recorded = await api<BudgetView>(key, budgetPath);
  say(
    `   ${recorded.expenses} expenses counted (the invoice closed its order; 500.00 USD at the manager's rate for ${ratesDay}, PUT /fx-rates/${ratesDay}): ${usedOf(recorded)}\n`,
  );

  say('8. The clock moves to the next morning: the reconciliation crosses 80 %, the owner is alerted');
  const nextMorning = atManager(2, '07:15');
  await advanceClock(nextMorning);
  const alerted = await api<BudgetView>(key, budgetPath);
  const alert = await mailTo(ses, owner.email, budgetId);
  say(
    `   ${budgetId} reconciled on ${alerted.lastReconciled?.date}: ${alerted.lastReconciled?.status}, thresholds crossed: ${alerted.thresholdsCrossed.map((t) => `${t.threshold} %`).join(', ') || 'none'}`,
  );
  say(
    alert
      ? `   alert to ${owner.email}: "${alert.subject}"\n     ${viewerLink(ses, alert)}\n`
      : `   no alert mail to ${owner.email} yet\n`,
  );

  say("9. The clock moves to Manchester's advance request: the promoter is mailed the form");
  // For a manager west of London (America/New_York) step 8's morning is already past 10:00 in Manchester
  // and the request went out then: the clock does not go back (docs/design.md#the-local-clock), so it
  // moves past the owner's 07:30 report instead.
  const requestSeen = first.add({ minutes: 5 });
  const reportSeen = nextMorning.add({ minutes: 20 });
  await advanceClock(Temporal.ZonedDateTime.compare(requestSeen, reportSeen) > 0 ? requestSeen : reportSeen);
  const report = await mailTo(ses, owner.email, day(2));
  if (report) say(`   the owner's daily report (07:30): "${report.subject}"`);
  const request = await mailTo(ses, promoters.north.email);
  const formLink = /https?:\/\/\S+\/a\/[A-Za-z0-9._-]+/.exec(request?.body.text ?? '')?.[0];
  if (!request || !formLink)
    throw new DemoError(`no advance request with a form link reached ${promoters.north.email}`);
  say(`   advance request to ${promoters.north.email}: "${request.subject}"`);
  say(`     ${viewerLink(ses, request)}`);
  say(`   the promoter's form (a signed link, bound to this show): ${formLink}`);
  const answered = await answerAdvanceForm(formLink);
  await local('idle');
  const afterForm = await api<TourView>(key, tourPath);
  say(
    `   the promoter filled it in and submitted it (${answered}); Manchester's advance is ${afterForm.shows[0].advance}, its reminders stop\n`,
  );

  say('10. The clock moves through release day');
  const after = Temporal.Instant.from(`${releaseDay}T12:00:00Z`).toZonedDateTimeISO('UTC');
  const advanced = await advanceClock(after);
  const releaseDays = advanced.filter((f) => f.detailType === 'Release Day Reached');
  say(`   ${releaseDays.length} release day fired (${releaseDays.map((f) => f.scheduledFor).join(', ')})`);
  const out = await api<{ state: string; mail: MailCounts }>(
    key,
    `/labels/${label.id}/releases/${release.releaseId}`,
  );
  say(`   the release is ${out.state}; "out now" mail went to ${sent(out.mail, 'out-now')} outlets`);
  const advancing = await api<TourView>(key, tourPath);
  say(`   advance status so far: ${advancing.shows.map((s) => `${s.venue.city} ${s.advance}`).join(', ')}\n`);

  say("11. The clock moves to the day before Manchester's show, 18:00 there: the day sheet");
  const sheetAt = Temporal.PlainDate.from(shows[0].date)
    .subtract({ days: 1 })
    .toZonedDateTime({ timeZone: shows[0].venue.timeZone, plainTime: Temporal.PlainTime.from('18:05') });
  await advanceClock(sheetAt);
  const sheet = await mailTo(ses, tourManager.email, 'Manchester');
  if (sheet)
    say(`   to the tour manager ${tourManager.email}: "${sheet.subject}"\n     ${viewerLink(ses, sheet)}`);
  const ended = await api<TourView>(key, tourPath);
  say(
    `   advance status: ${ended.shows.map((s) => `${s.venue.city} ${s.advance}`).join(', ')} (an advance still missing ten days out is escalated to the tour manager)\n`,
  );

  say('See it:');
  say(`   the console (events, schedules, mail, releases, tours, budgets):  ${base}/_local/console`);
  say(`   the mail viewer (every mail sent):                                ${ses}/`);
  say(`   in the terminal:  npx backline login --url ${base} --key <API key>, then`);
  say(`     npx backline release status ${label.id} ${release.releaseId}`);
  say(`     npx backline tour status ${label.id} ${tourId}`);
  say(`     npx backline budget status ${label.id} ${budgetId}`);
}

const usage = `usage: npm run demo, with npm start running (BACKLINE_HTTP_PORT or BACKLINE_API_URL where it runs; its API key from BACKLINE_API_KEY, else from BACKLINE_DATA_DIR or .local). It plays a few weeks of a production manager's work there and moves that Backline's local clock weeks ahead, and the clock never runs back.`;
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  say(usage);
  process.exit(0);
}
if (args.length > 0) {
  process.stderr.write(`npm run demo takes no arguments, got '${args.join(' ')}'\n${usage}\n`);
  process.exit(2);
}

try {
  await demo();
} catch (error) {
  if (!(error instanceof DemoError)) throw error;
  process.stderr.write(`\nnpm run demo: ${error.message}\n`);
  process.exit(1);
}
