import type { Route } from '@middy/http-router';
import * as z from '../zod.ts';
import type { HttpEvent, HttpResult } from './responses.ts';

/**
 * What the API document says about one route, next to the route itself: the request's schemas are
 * the zod schemas that validate it, so the document cannot drift from what is checked. infra/openapi.ts
 * turns these into docs/openapi.json, with each route's auth taken from the topology.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  /**
   * The request body: JSON validated by a zod schema (and, when the route also takes them, other media
   * types read as text, described in words), or another media type described in words.
   */
  body?:
    | { schema: z.ZodMiniType; description?: string; textMediaTypes?: string[] }
    | { mediaType: string; description: string };
  /** Query parameters, validated by a zod object. */
  query?: z.ZodMiniObject;
  /** Request headers the route reads (beyond auth), by name. */
  headers?: Record<string, { description: string; required?: boolean }>;
  /** Answers by status: a description, and a zod schema or another media type when there is a body. */
  responses: Record<number, ResponseDoc>;
}

export interface ResponseDoc {
  description: string;
  /**
   * What the answer's body holds, for the document alone: no answer is checked against it, so it is
   * `z.lazy` and built when the document is, never when a function loads (docs/design.md#bundles).
   */
  schema?: z.ZodMiniLazy;
  /** Other media types the route answers with instead of that JSON (by the request's `Accept`), described in words. */
  textMediaTypes?: string[];
  /**
   * The body's JSON Schema, written out: for a function that builds no zod schema, where zod would be
   * most of its bundle (health).
   */
  jsonSchema?: Record<string, unknown>;
  mediaType?: string;
  /** Response headers the answer carries, by name. */
  headers?: Record<string, { description: string; type: 'string' | 'integer' }>;
}

/** The body of every 4xx (shared/http/errors.ts builds it). */
export const ErrorBody = z.lazy(() =>
  z.object({
    error: z.string().check(z.describe('a short code: validation, not_found, unauthorized, conflict, ...')),
    message: z.string().check(z.describe('what is wrong, naming the field')),
    issues: z
      .optional(z.array(z.object({ path: z.string(), message: z.string() })))
      .check(z.describe('one entry per invalid field (validation errors)')),
  }),
);

/** A 4xx answer in a RouteDoc. */
export const failure = (description: string): ResponseDoc => ({ description, schema: ErrorBody });

/**
 * The 503 of a route whose write still met concurrent writes after its retries (shared/db/conflicts.ts,
 * docs/design.md#failures-and-retries): nothing of it was written, and sending it again is safe.
 */
export const writeConflict: ResponseDoc = {
  description:
    'the write kept meeting concurrent writes to the same items and nothing of it was made: send the request again after Retry-After',
  schema: ErrorBody,
  headers: { 'Retry-After': { description: 'seconds to wait before sending it again', type: 'integer' } },
};

/** `writeConflict` on a page people open (signed links): a page saying to try again, with Retry-After. */
export const writeConflictPage: ResponseDoc = {
  description: writeConflict.description,
  mediaType: 'text/html',
  headers: writeConflict.headers,
};

/** The header of a job's 202: where to watch it. */
export const jobLocation: ResponseDoc['headers'] = {
  Location: { description: 'the job: /jobs/{jobId}', type: 'string' },
};

export const JobAccepted = z.lazy(() =>
  z.object({
    jobId: z.string(),
    status: z.literal('queued'),
  }),
);

/** A route of a function's router with its entry in the API document. */
export type DocumentedRoute = Route<HttpEvent, HttpResult> & { doc: RouteDoc };
