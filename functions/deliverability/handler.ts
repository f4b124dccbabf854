import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoDeliveryOutcomes } from '#shared/db/delivery-outcomes.ts';
import { dynamoOutletLookup } from '#shared/db/outlet-lookup.ts';
import { eventHandler } from '#shared/lambda/event-handler.ts';
import { onSes } from '#shared/lambda/on-ses.ts';
import { markRejected } from './rejected.ts';
import { type DeliverabilityDeps, handleSesFeedback } from './suppress.ts';

/**
 * `Email Bounced`, `Email Complaint Received` and `Email Rejected` from SES (default bus, source
 * `aws.ses`). A malformed event throws: Lambda retries it and then keeps it in the on-failure queue.
 */
export const makeHandler = (deps: DeliverabilityDeps) =>
  eventHandler('deliverability', [
    // Suppressions is counted by the publisher, from the Outlet Suppressed of the write that suppressed
    // the address: this call may never read that write's answer (docs/design.md#observability).
    onSes(['Email Bounced', 'Email Complaint Received'], (event) => handleSesFeedback(event, deps)),
    onSes(['Email Rejected'], (event) => markRejected(event, deps)),
  ]);

export const liveDeps = (): DeliverabilityDeps => ({
  outlets: dynamoOutletLookup(),
  deliveries: dynamoDeliveryOutcomes(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
});

export const handler = makeHandler(liveDeps());
