/**
 * The handlers' log lines as the local cloud prints them. On AWS every line is Powertools' JSON (with
 * the correlation id) and metrics are EMF lines; here, by default, each JSON line becomes one
 * readable line (`BACKLINE_LOG_FORMAT=json` keeps the JSON and the EMF lines). At info, a function
 * logs one line per invocation (see docs/design.md#observability).
 */
export type LogFormat = 'text' | 'json';

export const logFormatOf = (env: NodeJS.ProcessEnv = process.env): LogFormat =>
  env.BACKLINE_LOG_FORMAT === 'json' ? 'json' : 'text';

/** Powertools' keys that a person reading the local log does not need on every line. */
const quiet = new Set([
  'timestamp',
  'level',
  'service',
  'message',
  'correlationId',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);

const value = (v: unknown): string => {
  if (v && typeof v === 'object') {
    const error = v as { name?: unknown; message?: unknown };
    if (typeof error.message === 'string')
      return JSON.stringify(`${error.name ?? 'Error'}: ${error.message}`);
    return JSON.stringify(v);
  }
  return typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v);
};

/**
 * One readable line for a Powertools JSON log line, `undefined` for an EMF metrics line (dropped),
 * and the text unchanged when it is not a JSON log line.
 */
export function readableLine(line: string): string | undefined {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if ('_aws' in entry) return undefined;
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string') return line;
  const time = typeof entry.timestamp === 'string' ? entry.timestamp.slice(11, 23) : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !quiet.has(key))
    .map(([key, v]) => `${key}=${value(v)}`);
  const correlation = typeof entry.correlationId === 'string' ? [`correlationId=${entry.correlationId}`] : [];
  return [
    time,
    entry.level.padEnd(5),
    String(entry.service ?? '').padEnd(14),
    entry.message,
    ...fields,
    ...correlation,
  ]
    .filter((part) => part !== '')
    .join(' ');
}

/** Rewrites what this process prints to stdout and stderr line by line (the handlers run in it). */
export function installLogFormat(format: LogFormat): void {
  if (format === 'json') return;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'string' || !chunk.startsWith('{')) return write(chunk, ...rest);
      const lines = chunk
        .split('\n')
        .filter((line) => line !== '')
        .flatMap((line) => {
          const readable = readableLine(line);
          return readable === undefined ? [] : [readable];
        });
      return lines.length ? write(`${lines.join('\n')}\n`, ...rest) : true;
    }) as typeof stream.write;
  }
}
