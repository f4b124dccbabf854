import { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/** Where logic code logs: a small port that Powertools' Logger fits and tests can fake. Never pass secrets or bodies. */
export interface Log {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

const loggers = new Map<string, Logger>();

/** One Powertools Logger per function, built once per container (module scope is reused between invocations). */
export const loggerFor = (service: string): Logger => {
  let logger = loggers.get(service);
  if (!logger) {
    logger = new Logger({ serviceName: service });
    loggers.set(service, logger);
  }
  return logger;
};

/**
 * The correlation id of an invocation: the event envelope's `metadata.correlationId` for Backline
 * events, the request id for HTTP requests, the SES message id for SES events.
 */
export const correlationIdOf = (event: unknown): string | undefined => {
  const e = event as {
    detail?: { metadata?: { correlationId?: unknown }; mail?: { messageId?: unknown } };
    requestContext?: { requestId?: unknown };
  };
  const candidates = [
    e?.detail?.metadata?.correlationId,
    e?.requestContext?.requestId,
    e?.detail?.mail?.messageId,
  ];
  return candidates.find((value): value is string => typeof value === 'string');
};

const describe = (event: unknown): Record<string, unknown> => {
  const e = event as { 'detail-type'?: unknown; source?: unknown; routeKey?: unknown; Records?: unknown[] };
  if (typeof e?.['detail-type'] === 'string') return { detailType: e['detail-type'], source: e.source };
  if (typeof e?.routeKey === 'string') return { route: e.routeKey };
  if (Array.isArray(e?.Records)) return { records: e.Records.length };
  return {};
};

/**
 * The invocation's own correlation id on its outcome line: where invocations of one function overlap
 * in one process (the local cloud), the logger's appended keys may already be the next invocation's.
 */
const ownCorrelation = (event: unknown) => {
  const correlationId = correlationIdOf(event);
  return correlationId ? { correlationId } : {};
};

/**
 * Every function's middleware: the correlation id on every log line of the invocation, the outcome
 * logged once at info, and an error logged once with its cause before it propagates (so Lambda and
 * EventBridge retry it). HTTP functions put their typed-error middleware after this one, so a 4xx is
 * an outcome, not an error.
 */
export const observability = (service: string): MiddlewareObj<unknown, unknown, Error, Context> => {
  const logger = loggerFor(service);
  return {
    before: async (request) => {
      logger.resetKeys();
      logger.addContext(request.context);
      const correlationId = correlationIdOf(request.event);
      if (correlationId) logger.appendKeys({ correlationId });
    },
    after: async (request) => {
      const status = (request.response as { statusCode?: unknown } | undefined)?.statusCode;
      logger.info('invocation done', {
        ...describe(request.event),
        ...(status ? { status } : {}),
        ...ownCorrelation(request.event),
      });
    },
    onError: async (request) => {
      const status = (request.response as { statusCode?: unknown } | undefined)?.statusCode;
      // A typed error that a later middleware already answered (a 4xx) is an outcome, not a failure.
      if (status)
        logger.info('invocation done', {
          ...describe(request.event),
          status,
          reason: request.error?.message,
          ...ownCorrelation(request.event),
        });
      else
        logger.error('invocation failed', {
          ...describe(request.event),
          error: request.error,
          ...ownCorrelation(request.event),
        });
    },
  };
};
