import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** An error the CLI prints as it is (no stack): it says what went wrong and what to do. */
export class CliError extends Error {}

/** A 404 that is not the API's own (it names no `error`): no such route at this URL. */
export class NoRouteError extends CliError {}

/**
 * A command's exit status, one shape for the commands a manager scripts (`backline`, `npm run redrive`),
 * so that a script tells a partial outcome from a whole one and from a failure: 0, done whole; 1, done
 * in part, what was not done said and listed (an import's rejected rows, dead letters left in their
 * queue); 2, not done or not finished, the error said on stderr.
 */
export const exitStatus = { whole: 0, inPart: 1, notDone: 2 } as const;

export interface Login {
  url: string;
  apiKey: string;
}

/**
 * Where `backline login` keeps the API URL and key: `$BACKLINE_CONFIG_DIR`, else the user's config
 * directory (`$XDG_CONFIG_HOME` or `~/.config` on Linux and macOS, `%APPDATA%` on Windows) + `backline`.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BACKLINE_CONFIG_DIR) return env.BACKLINE_CONFIG_DIR;
  const base =
    process.platform === 'win32'
      ? (env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'))
      : (env.XDG_CONFIG_HOME ?? join(homedir(), '.config'));
  return join(base, 'backline');
}

export const configFile = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'config.json');

/** The key is a credential: the file is readable by its owner only (0600), in a 0700 directory. */
export function saveLogin(login: Login, env: NodeJS.ProcessEnv = process.env): string {
  const file = configFile(env);
  try {
    mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    throw new CliError(
      `Cannot keep the login in ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): make ${configDir(env)} a directory you can write to, or set BACKLINE_CONFIG_DIR to one.`,
    );
  }
  return file;
}

/**
 * The kept login holds the key: one that others than its owner may read or change (a copy, an editor
 * that saved it anew) is said on stderr, with how to make it the owner's only again; the command runs.
 */
function warnIfShared(file: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0)
    process.stderr.write(
      `backline: ${file} holds the API key, and others than its owner may read or change it (mode ${mode.toString(8)}): chmod 600 ${file}\n`,
    );
}

const notLoggedIn = () =>
  new CliError(
    'Not logged in. Run `backline login --url http://localhost:3000 --key <API key>` (npm start prints the key; on AWS it is in the secret backline-<stage>/api-key), or set BACKLINE_API_URL and BACKLINE_API_KEY.',
  );

/**
 * The API URL `named` (`--url`, `BACKLINE_API_URL`) as given, or a CliError saying it needs its scheme:
 * without one, fetch cannot read the URL at all, and the failure would look like nothing running there.
 */
export function withScheme(url: string, named: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  throw new CliError(
    `${named} ${url} needs its scheme: http://${url} (npm start), or the https:// ApiUrl of a deployed stack.`,
  );
}

/** The login: BACKLINE_API_URL and BACKLINE_API_KEY when both are set (CI), else the config file. */
export function readLogin(env: NodeJS.ProcessEnv = process.env): Login {
  if (env.BACKLINE_API_URL && env.BACKLINE_API_KEY)
    return { url: withScheme(env.BACKLINE_API_URL, 'BACKLINE_API_URL'), apiKey: env.BACKLINE_API_KEY };
  const file = configFile(env);
  if (!existsSync(file)) throw notLoggedIn();
  let login: Partial<Login> = {};
  try {
    login = (JSON.parse(readFileSync(file, 'utf8')) ?? {}) as Partial<Login>;
  } catch {
    // an unreadable file is treated like a missing one
  }
  if (typeof login.url !== 'string' || typeof login.apiKey !== 'string') throw notLoggedIn();
  warnIfShared(file);
  // `backline login` kept it with its scheme; a hand-edited file may not have.
  return { url: withScheme(login.url, `${file} url`), apiKey: login.apiKey };
}

export interface ApiError {
  error?: string;
  message?: string;
  issues?: { path: string; message: string }[];
}

/** A request to the Backline API with the login's key; every failure becomes a CliError saying what to do. */
export async function request(
  login: Login,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${login.apiKey}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const url = `${login.url.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers, body });
  } catch (error) {
    throw new CliError(
      `Cannot reach Backline at ${login.url} (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}). Is it running (npm start)? If it runs elsewhere, run \`backline login --url <its URL> --key <API key>\`.`,
    );
  }
  if (response.ok) return response;
  const text = await response.text();
  let problem: ApiError = {};
  try {
    problem = JSON.parse(text) as ApiError;
  } catch {
    problem = { message: text.slice(0, 200) };
  }
  if (response.status === 401)
    throw new CliError(
      `${login.url} refused the API key. Run \`backline login --url ${login.url} --key <API key>\` with the key npm start printed (on AWS: the secret backline-<stage>/api-key).`,
    );
  if (response.status === 404 && problem.error === undefined)
    throw new NoRouteError(
      `${login.url} has no route ${init.method ?? 'GET'} ${path.split('?')[0]}: this Backline may be older than this CLI (update and deploy it).`,
    );
  const issues = (problem.issues ?? [])
    .map((issue) => `\n  ${issue.path || '(body)'}: ${issue.message}`)
    .join('');
  // The API's message joins its issues: with them listed below, the status alone leads.
  throw new CliError(
    `${response.status} ${issues ? response.statusText : (problem.message ?? problem.error ?? response.statusText)}${issues}`,
  );
}

/** A 2xx whose body is not JSON: what answered is not the Backline API (a web page, another dev server). */
export class NotJsonError extends CliError {}

/** A request whose answer is read as the API's JSON; a body that is not JSON is a NotJsonError saying what answered. */
export async function requestJson<T>(
  login: Login,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<T> {
  const response = await request(login, path, init);
  const type = (response.headers.get('content-type') ?? 'no content type').split(';')[0];
  try {
    if (/\bjson\b/i.test(type)) return (await response.json()) as T;
  } catch {
    // a body that says it is JSON and is not: told below, as any other
  }
  throw new NotJsonError(
    `${login.url} answered ${init.method ?? 'GET'} ${path.split('?')[0]} with ${type}, not Backline's JSON: is it the Backline API? Log in with the API's own URL: http://localhost:3000 for npm start, or the stack's ApiUrl output.`,
  );
}

export const getJson = <T>(login: Login, path: string): Promise<T> => requestJson<T>(login, path);

/** Characters a terminal shows two columns wide: Han, kana, Hangul, CJK punctuation, fullwidth forms, emoji. */
const wide =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6\p{Emoji_Presentation}]/u;
/** Characters a terminal shows in no column of their own: combining marks (variation selectors too), format characters (joiners). */
const noColumn = /[\p{M}\p{Cf}]/u;
/** Halfwidth kana and Hangul (U+FF61 to U+FFDC), which their scripts' wide letters would count as two. */
const halfwidth = /[\uff61-\uffdc]/u;

/** The columns `text` takes on a terminal, so that a name in Japanese or with a combining accent lines up. */
export const columnsOf = (text: string): number => {
  let columns = 0;
  for (const char of text)
    columns += noColumn.test(char) ? 0 : wide.test(char) && !halfwidth.test(char) ? 2 : 1;
  return columns;
};

/** A plain-text table: a header, a rule, one row per record; missing cells empty. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (value: unknown) =>
    value === undefined || value === null ? '' : Array.isArray(value) ? value.join(';') : String(value);
  const widths = columns.map((column) =>
    Math.max(columnsOf(column), ...rows.map((row) => columnsOf(cell(row[column])))),
  );
  const line = (cells: string[]) =>
    cells
      .map((text, i) => text + ' '.repeat(widths[i] - columnsOf(text)))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(columns.map((c) => cell(row[c])))),
  ].join('\n');
}
