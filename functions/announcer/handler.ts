import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { OutboxSweepDue } from '#shared/events/outbox-sweep-due.ts';
import { SesEvent } from '#shared/events/ses.ts';
import { liveDeps } from './adapters.ts';
import { sendMailing } from './mailing.ts';
import type { AnnouncerDeps } from './ports.ts';
import { settleFromEmailSent, sweepStaleClaims } from './settle.ts';

const AnnouncerEvent = z.union([MailingRequested.event, OutboxSweepDue.event, SesEvent]);
type AnnouncerEvent = z.infer<typeof AnnouncerEvent>;

// Work stops this long before Lambda's timeout; the rest continues in a new invocation.
const marginMs = 30_000;
const fallbackBudgetMs = 240_000;

const deadlineOf = (deps: AnnouncerDeps, context: Context | undefined) => {
  const remaining = context?.getRemainingTimeInMillis?.();
  return deps.now().getTime() + (remaining ? Math.max(1_000, remaining - marginMs) : fallbackBudgetMs);
};

/** Mailings (Mailing Requested), settling claims from SES (Email Sent) and the stale-claim sweep. */
export const makeHandler = (deps: AnnouncerDeps) =>
  middy(async (raw: unknown, context: Context) => {
    const event: AnnouncerEvent = AnnouncerEvent.parse(raw);
    const deadline = deadlineOf(deps, context);
    switch (event['detail-type']) {
      case 'Mailing Requested': {
        const { data, metadata } = MailingRequested.detail.parse(event.detail);
        return sendMailing(data, { correlationId: metadata.correlationId }, deps, deadline);
      }
      case 'Outbox Sweep Due':
        return sweepStaleClaims(deps, deadline);
      case 'Email Sent':
        return { settled: await settleFromEmailSent(SesEvent.parse(event).detail, deps) };
      default:
        return { ignored: event['detail-type'] };
    }
  });

export const handler = makeHandler(liveDeps());
