import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { unauthorized, ValidationError } from './errors.ts';
import { errorResponse, type HttpEvent, type HttpResult } from './responses.ts';

/** Turns typed HttpErrors into their 4xx response; unexpected errors still throw. */
export const httpErrors = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    request.response = errorResponse(request.error);
  },
});

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares in constant time: hashing first makes the lengths equal, so not even the length leaks. */
export const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(digest(given), digest(expected));

/**
 * Management routes (auth `apiKey`): `Authorization: Bearer <key>`, else 401.
 * The expected key is fetched (and cached) by `expectedKey`.
 */
export const requireApiKey = (expectedKey: () => Promise<string>): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: async (request) => {
    const given = /^Bearer\s+(.+)$/i.exec(request.event.headers?.authorization ?? '')?.[1]?.trim();
    if (!given || !sameSecret(given, await expectedKey())) throw unauthorized('missing or invalid API key');
  },
});

/**
 * Path ids longer than any id Backline makes are refused before they reach a key: DynamoDB answers a key
 * over 2,048 bytes with a 500-class error. Ids are at most 128 characters (label ids 64, release and tour
 * ids 128, outlet ids `out-<uuid>`); signed recipient tokens are longer, and capped on their own.
 */
export const maxPathIdLength = 128;
export const maxPathTokenLength = 2048;

export const pathIdLimits = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: async (request) => {
    // A show's calendar is its route with `.ics` (`{showId}.ics`: an HTTP API path variable is a whole
    // segment), so that suffix is no part of the id measured; on any other route or id it is.
    const calendar = request.event.routeKey?.endsWith('/{showId}');
    const issues = Object.entries(request.event.pathParameters ?? {}).flatMap(([name, value]) => {
      const limit = name === 'token' ? maxPathTokenLength : maxPathIdLength;
      return value !== undefined &&
        (calendar && name === 'showId' ? value.replace(/\.ics$/, '') : value).length > limit
        ? [{ path: `path.${name}`, message: `must be at most ${limit} characters` }]
        : [];
    });
    if (issues.length > 0) throw new ValidationError(issues);
  },
});
