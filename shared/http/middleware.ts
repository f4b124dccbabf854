import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { unauthorized } from './errors.ts';
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
