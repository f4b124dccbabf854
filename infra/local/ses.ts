import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Faults } from './faults.ts';
import { listen } from './ports.ts';
import { crossSiteRefusal } from './same-origin.ts';
import { ConfigurationSets } from './ses/configuration-sets.ts';
import { acceptedMails, acceptedOnly, close, emlOf, sentMail, startEmulator } from './ses/emulator.ts';
import type { SesEvent } from './ses/events.ts';
import { parseJson, type Route, readBody, SesError, sendError, sendJson } from './ses/http.ts';
import { mailPage } from './ses/mail-page.ts';
import { SendRate } from './ses/send-rate.ts';
import { Sending } from './ses/sending.ts';
import { SuppressionList } from './ses/suppression.ts';
import { EmailTemplates } from './ses/templates.ts';

/**
 * The local SES v2 endpoint (docs/design.md#ses-locally). `aws-ses-v2-local` runs behind it on an internal
 * port and keeps the sent mail (its page `/` and `GET /store` are passed through); this front
 * makes the whole behave as SES does where the emulator does not:
 * - at most 50 destinations per call (BadRequestException);
 * - `GetAccount` reports the configured rate, and sending above it is refused with SES v2's
 *   throttling error (429 TooManyRequestsException "Maximum sending rate exceeded.");
 * - message ids are unique SES-style ids, in the answer and in the store;
 * - templates, the suppression list and configuration sets are held here;
 * - configuration-set events reach the local default bus through `publish`, shaped as SES
 *   sends them, with the mailbox simulator's outcomes;
 * - the faults `ses.throttle`, `ses.error`, `ses.paused`, `ses.accept-then-fail`, `ses.reject-entry`, `ses.event-drop` and, for the
 *   events it publishes, `events.put-fail:aws.ses` (infra/local/faults.ts, docs/design.md#local-faults);
 *   `ses.accept-then-fail`, `ses.reject-entry` and `ses.event-drop` may be aimed at a recipient's domain
 *   (`ses.reject-entry:<domain>`), so that a test on the shared cloud has its own mail take them.
 */

export type { SesEvent } from './ses/events.ts';

export interface LocalSesOptions {
  /** The public SES port (8005 in the local cloud); 0 picks a free one. */
  port: number;
  /** Recipients per second (BACKLINE_SES_SEND_RATE); undefined = unthrottled. */
  sendRatePerSecond?: number;
  /** Puts configuration-set events on the local *default* bus. */
  publish: (events: SesEvent[]) => Promise<void>;
  faults: Faults;
  account?: string;
  region?: string;
  /** The local cloud's clock (epoch ms) for ids, event times and the rate; default Date.now. */
  now?: () => number;
  /** Where sent mail is kept across restarts (in the data folder); none = in memory. */
  storeFile?: string;
  /** Where the account-level suppression list is kept across restarts (in the data folder); none = in memory. */
  suppressionFile?: string;
}

export interface LocalSes {
  port: number;
  url: string;
  /**
   * Hands over the events of mails the last run kept but was killed before the bus journalled their
   * events; call it once the bus delivers. Returns how many mails that was.
   */
  resume(): number;
  stop(): Promise<void>;
}

export async function startLocalSes(options: LocalSesOptions): Promise<LocalSes> {
  const now = options.now ?? Date.now;
  const sendRate = new SendRate(options.sendRatePerSecond, now);
  const emulator = await startEmulator({ storeFile: options.storeFile });
  // SES counts what was sent in the last 24 hours whatever restarted meanwhile: the kept mail, by when
  // it was stored (docs/design.md#failures-and-retries).
  for (const email of acceptedMails()) {
    const { to, cc, bcc } = email.destination;
    sendRate.recordSent(to.length + cc.length + bcc.length, email.at * 1000);
  }
  try {
    const mirror = (method: string, path: string, body?: unknown) => {
      // Only so that the emulator's page lists the templates; the front's copy is what counts.
      fetch(`${emulator.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=local' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).catch(() => undefined);
    };
    const templates = new EmailTemplates(mirror);
    const suppression = new SuppressionList(options.suppressionFile);
    const configurationSets = new ConfigurationSets();
    const sending = new Sending({
      emulator,
      templates,
      configurationSets,
      sendRate,
      faults: options.faults,
      account: {
        account: options.account ?? '000000000000',
        region: options.region ?? 'us-east-1',
        isSuppressed: (address) => suppression.has(address),
      },
      now,
      publish: options.publish,
    });
    const routes = [
      ...sending.routes(),
      ...templates.routes(),
      ...suppression.routes(),
      ...configurationSets.routes(),
    ];

    const server = createServer((req, res) => {
      const afterClear = () => {
        emulator.cleared();
        templates.mirrorAll();
      };
      handle(req, res, routes, emulator.url, afterClear).catch((error: unknown) => {
        console.error('local SES: request failed', error);
        if (!res.headersSent) sendError(res, new SesError(500, 'InternalFailure', String(error)));
        else res.destroy();
      });
    });
    const port = await listen(server, options.port, 'The local SES endpoint', 'BACKLINE_SES_PORT');
    return {
      port,
      url: `http://127.0.0.1:${port}`,
      resume: () => sending.resume(),
      async stop() {
        await close(server);
        await sending.settled();
        suppression.close();
        await emulator.stop();
      },
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Route[],
  emulatorUrl: string,
  afterClear: () => void,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';

  if (method === 'POST' && url.pathname === '/clear-store') {
    const refusal = crossSiteRefusal(method, req.headers);
    if (refusal) return sendJson(res, 403, { message: refusal });
  }
  if (method === 'GET' && url.pathname === '/mail') {
    const email = sentMail(url.searchParams.get('messageId') ?? '');
    res.writeHead(email ? 200 : 404, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(
      email
        ? mailPage(email)
        : '<!doctype html><title>Not found</title><p>No sent mail has that message id.</p>',
    );
    return;
  }
  if (method === 'GET' && url.pathname === '/get-emlContent') {
    const eml = await emlOf(url.searchParams.get('messageId') ?? '');
    if (eml) return sendJson(res, 200, eml);
  }
  if (method === 'GET' && url.pathname === '/store') {
    const response = await fetch(`${emulatorUrl}/store${url.search}`);
    return sendJson(
      res,
      response.status,
      acceptedOnly((await response.json()) as { emails?: { messageId: string }[] }),
    );
  }
  // The emulator's page and what it reads (one mail as .eml, clearing it).
  if (
    (method === 'GET' && ['/', '/get-emlContent', '/health-check'].includes(url.pathname)) ||
    (method === 'POST' && url.pathname === '/clear-store')
  ) {
    await passThrough(req, res, `${emulatorUrl}${url.pathname}${url.search}`);
    if (url.pathname === '/clear-store') afterClear();
    return;
  }

  const route = routes.find((candidate) => candidate.method === method && candidate.path.test(url.pathname));
  try {
    if (!route)
      throw new SesError(
        404,
        'UnknownOperationException',
        `No SES v2 operation at ${method} ${url.pathname}`,
      );
    if (!req.headers.authorization?.startsWith('AWS')) {
      throw new SesError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const body = parseJson(await readBody(req));
    const params = (route.path.exec(url.pathname) ?? []).slice(1).map((param) => decodeURIComponent(param));
    sendJson(res, 200, (await route.handle({ params, query: url.searchParams, body })) ?? {});
  } catch (error) {
    if (!(error instanceof SesError)) throw error;
    sendError(res, error);
  }
}

async function passThrough(req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
  const method = req.method ?? 'GET';
  const body = method === 'GET' ? undefined : await readBody(req);
  const response = await fetch(target, { method, ...(body ? { body } : {}) });
  const content = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, {
    'content-type': response.headers.get('content-type') ?? 'application/octet-stream',
    'content-length': content.length,
  });
  res.end(content);
}
