import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * An error as SES v2 answers it (restJson1): the status, the error type in
 * `x-amzn-errortype` and `{ message }` in the body, from which the SDK builds
 * its exception class (`BadRequestException`, `TooManyRequestsException`, ...).
 */
export class SesError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.name = type;
    this.status = status;
    this.type = type;
  }
}

export const badRequest = (message: string) => new SesError(400, 'BadRequestException', message);
export const notFound = (message: string) => new SesError(404, 'NotFoundException', message);
export const alreadyExists = (message: string) => new SesError(400, 'AlreadyExistsException', message);
/** SES v2's answer above the account's sending rate: HTTP 429, `{"message":"Maximum sending rate exceeded."}`. */
export const sendingRateExceeded = () =>
  new SesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
/**
 * SES v2's answer while sending is paused for the account (HTTP 400 `SendingPausedException`, as the SES v2
 * API model gives it): nothing is sent until sending is enabled again, hours later or more.
 */
export const sendingPaused = () =>
  new SesError(400, 'SendingPausedException', 'Sending is paused for this account.');
export const internalFailure = () =>
  new SesError(500, 'InternalFailure', 'The request processing has failed because of an unknown error.');

// SES v2 accepts messages up to 40 MB after MIME encoding; the request is a little larger.
const MAX_BODY_BYTES = 50 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw badRequest('Request body is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new SesError(400, 'SerializationException', 'The request body is not valid JSON.');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: SesError): void {
  const text = JSON.stringify({ message: error.message });
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': error.type,
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(text);
}

/** One SES v2 call as the front's handlers see it. */
export interface SesRequest {
  /** Decoded path parameters, in the order of the route's groups. */
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

/** A route of the SES v2 REST API: method, path pattern, handler returning the JSON answer. */
export interface Route {
  method: string;
  path: RegExp;
  handle: (request: SesRequest) => unknown;
}

/** Parses `body` with `schema`, or throws the BadRequestException SES would give. */
export function parseRequest<T>(schema: { safeParse: (value: unknown) => ZodResult<T> }, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `Value at '${issue.path.join('.')}' ${issue.message}`);
  throw badRequest(`${issues.length} validation error(s) detected: ${issues.join('; ')}`);
}

type ZodResult<T> =
  | { success: true; data: T }
  | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
