import { mailSettlementQueue } from '#infra/function-settings.ts';
import { SesEvent } from '#shared/events/ses.ts';
import { eventHandler, onQueue } from '#shared/lambda/event-handler.ts';
import { liveDeps } from './adapters.ts';
import type { SettlementDeps } from './ports.ts';
import { settleFromEmailsSent } from './settle.ts';

/** Settles mail claims from SES's Email Sent events, in batches from the settlement queue (docs/design.md#exactly-once-mail). */
export const makeHandler = (deps: SettlementDeps) =>
  eventHandler('settlement', [
    onQueue(mailSettlementQueue, SesEvent, async (events) => {
      const failed = await settleFromEmailsSent(
        events.map(({ event }) => event.detail),
        deps,
      );
      return failed.map((index) => events[index].messageId);
    }),
  ]);

export const handler = makeHandler(liveDeps());
