import { dynamo } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoDeliveryOutcomes } from '#shared/db/delivery-outcomes.ts';
import { dynamoOutletLookup } from '#shared/db/outlet-lookup.ts';
import { eventHandler } from '#shared/lambda/event-handler.ts';
import { type Measure, measureFor } from '#shared/lambda/metrics.ts';
import { onSes } from '#shared/lambda/on-ses.ts';
import { markRejected } from './rejected.ts';
import { type DeliverabilityDeps, handleSesFeedback, suppressionsOf } from './suppress.ts';

/**
 * `Email Bounced`, `Email Complaint Received` and `Email Rejected` from SES (default bus, source
 * `aws.ses`). A malformed event throws: Lambda retries it and then keeps it in the on-failure queue.
 */
export const makeHandler = (deps: DeliverabilityDeps, measure: Measure = measureFor('deliverability')) =>
  eventHandler('deliverability', [
    onSes(['Email Bounced', 'Email Complaint Received'], async (event) => {
      const outcome = await handleSesFeedback(event, deps);
      const suppression = suppressionsOf(event);
      if ('reason' in suppression && outcome.suppressed.length > 0)
        measure.record('Suppressions', { reason: suppression.reason }, outcome.suppressed.length);
      return outcome;
    }),
    onSes(['Email Rejected'], (event) => markRejected(event, deps)),
  ]);

export const liveDeps = (): DeliverabilityDeps => ({
  outlets: dynamoOutletLookup(),
  deliveries: dynamoDeliveryOutcomes(dynamo(), config().TABLE_NAME),
  now: () => new Date(),
});

export const handler = makeHandler(liveDeps());
