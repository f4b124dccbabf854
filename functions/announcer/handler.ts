import type { Context } from 'aws-lambda';
import { MailingRequested } from '#shared/events/mailing-requested.ts';
import { OutboxSweepDue } from '#shared/events/outbox-sweep-due.ts';
import { OutletsChanged } from '#shared/events/outlets-changed.ts';
import { ReleaseMailsSettled } from '#shared/events/release-mails-settled.ts';
import { invocationDeadline } from '#shared/lambda/deadline.ts';
import { eventHandler, on } from '#shared/lambda/event-handler.ts';
import { liveDeps } from './adapters.ts';
import { sendMailing } from './mailing.ts';
import { announceToChangedOutlets } from './outlets-changed.ts';
import type { AnnouncerDeps } from './ports.ts';
import { followUpSettledMails, sweepStaleClaims } from './settle.ts';

const deadlineOf = (deps: AnnouncerDeps, context: Context | undefined) =>
  invocationDeadline(deps.now, context);

/** Mailings (Mailing Requested), the first mails of upcoming releases to outlets added or changed (Outlets Changed), what follows the mails the settlement function settled (Release Mails Settled) and the stale-claim sweep. */
export const makeHandler = (deps: AnnouncerDeps) =>
  eventHandler('announcer', [
    on(MailingRequested, (data, metadata, context) =>
      sendMailing(data, { correlationId: metadata.correlationId }, deps, deadlineOf(deps, context)),
    ),
    on(OutletsChanged, (data, metadata) =>
      announceToChangedOutlets(data.outletIds, { correlationId: metadata.correlationId }, deps),
    ),
    on(OutboxSweepDue, (_data, _metadata, context) => sweepStaleClaims(deps, deadlineOf(deps, context))),
    on(ReleaseMailsSettled, (data) => followUpSettledMails(data, deps)),
  ]);

export const handler = makeHandler(liveDeps());
