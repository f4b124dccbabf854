import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoDeliveries } from '#shared/db/deliveries.ts';
import { dynamoOutletDirectory } from '#shared/db/outlets.ts';
import { eventHandler, onSes } from '#shared/lambda/event-handler.ts';
import { type DeliverabilityDeps, handleSesFeedback } from './suppress.ts';

/**
 * `Email Bounced` and `Email Complaint Received` from SES (default bus, source `aws.ses`). A malformed
 * event throws: Lambda retries it and then keeps it in the on-failure queue.
 */
export const makeHandler = (deps: DeliverabilityDeps) =>
  eventHandler('deliverability', [
    onSes(['Email Bounced', 'Email Complaint Received'], (event) => handleSesFeedback(event, deps)),
  ]);

export const liveDeps = (): DeliverabilityDeps => ({
  outlets: dynamoOutletDirectory(),
  deliveries: dynamoDeliveries(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
});

export const handler = makeHandler(liveDeps());
