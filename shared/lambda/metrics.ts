import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { loggerFor } from './observability.ts';

/** CloudWatch namespace of Backline's own metrics (EMF lines in the functions' logs). */
export const metricsNamespace = 'Backline';

/**
 * Backline's business metrics, each named once with its dimensions (every one also carries
 * `service`, the function); each counts, but `OutboxLag`, a time (`metricUnit`). The dashboard in
 * infra/stack.ts reads the same names (see docs/design.md#observability). A handler records them from
 * the outcome of its work (`makeHandler(deps, measure)`); the mail module records `MailsSent` itself,
 * being the one place every sender's mail is accepted by SES; a fact a conditional write decides
 * (`AdvancesSubmitted`, `Suppressions`) is recorded by the publisher from that write's event, once
 * (`publicationCounts` in functions/publisher/publish.ts).
 * A test holds the code to recording every name here.
 */
export const businessMetrics = {
  WebhooksAccepted: [],
  /** reason: too-large, unknown-label, signature, content-type, invalid-body, webhook-id-reused */
  WebhooksRejected: ['reason'],
  /** kind: the mail kind (announcement, out-now, ...); stream: campaign or operational */
  MailsSent: ['kind', 'stream'],
  /** reason: bounce or complaint */
  Suppressions: ['reason'],
  /** How long outbox entries waited between their write and their publication. */
  OutboxLag: [],
  AdvancesSubmitted: [],
  AdvancesOverdue: [],
  /** threshold: the percentage crossed */
  BudgetThresholdAlerts: ['threshold'],
  /** The drift a reconciliation repaired, in minor units of its currency. */
  ReconciliationDrift: ['currency'],
} as const;

export type MetricName = keyof typeof businessMetrics;
export type DimensionsOf<N extends MetricName> = Record<(typeof businessMetrics)[N][number], string>;

/** A metric's CloudWatch unit. */
export const metricUnit = (name: MetricName) =>
  name === 'OutboxLag' ? MetricUnit.Milliseconds : MetricUnit.Count;

/** Where code records a business metric: a small port that tests fake. */
export interface Measure {
  record<N extends MetricName>(name: N, dimensions: DimensionsOf<N>, value?: number): void;
}

/**
 * Each service's single-metric instance, made on its first record (not at init) and reused by every
 * Measure of the service: each addMetric flushes its own line and clears its dimensions. A new one per
 * record (a Console, the environment read again) cost about as much as checking the webhook's
 * signature and parsing its body.
 */
const singles = new Map<string, Metrics>();

/**
 * A function's metrics as Powertools EMF: each record is flushed at once as its own EMF line, so
 * metrics with different dimensions never share a line. Locally the local cloud turns them off
 * (POWERTOOLS_METRICS_DISABLED) unless logs are JSON.
 */
export const measureFor = (service: string): Measure => ({
  record(name, dimensions, value = 1) {
    // A metric that cannot be written never fails the work it counts (a mail SES took, a webhook stored).
    try {
      let single = singles.get(service);
      if (!single) {
        single = new Metrics({ namespace: metricsNamespace, serviceName: service }).singleMetric();
        singles.set(service, single);
      }
      single.addDimensions(dimensions as Record<string, string>);
      single.addMetric(name, metricUnit(name), value);
    } catch (error) {
      loggerFor(service).warn('metric not recorded', { metric: name, error });
    }
  },
});

/** A Measure that records nothing, for deps that do not care. */
export const noMeasure: Measure = { record: () => {} };
