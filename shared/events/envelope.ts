import { randomUUID } from 'node:crypto';
import * as z from '../zod.ts';
import { NonEmpty } from './fields.ts';

/**
 * Every Backline event's `detail` is `{ metadata, data }`. The envelope is built here and nowhere else.
 * `labelId` and `webhookId` are optional: outlets, for one, belong to no label (docs/design.md#event-catalogue).
 */
export const Metadata = z.object({
  eventId: NonEmpty,
  correlationId: NonEmpty,
  occurredAt: z.isoDateTime({ offset: true }),
  schemaVersion: z.int().check(z.positive()),
  labelId: z.optional(NonEmpty),
  webhookId: z.optional(NonEmpty),
});
export type Metadata = z.infer<typeof Metadata>;

export interface EventContract<Data extends z.ZodMiniType = z.ZodMiniType> {
  detailType: string;
  /** The source its main producer publishes with. */
  source: string;
  /** Every source it may come from (`source` first): consumers' rules match these and no other. */
  sources: readonly string[];
  schemaVersion: number;
  /** What the event states, for the event catalogue (set by `describeEvent`). */
  description: string;
  data: Data;
  /** `{ metadata, data }`, the event's `detail`. */
  detail: z.ZodMiniObject<{ metadata: typeof Metadata; data: Data }>;
  /** The whole EventBridge event as a consumer receives it. */
  event: z.ZodMiniObject<{
    'detail-type': z.ZodMiniLiteral<string>;
    source: z.ZodMiniType<string>;
    detail: z.ZodMiniObject<{ metadata: typeof Metadata; data: Data }>;
  }>;
  /** One realistic `data`, parsed by the contract test (set by `describeEvent`). */
  sample: z.input<Data>;
}

export function defineEvent<Data extends z.ZodMiniType>(definition: {
  detailType: string;
  source: string;
  /** Other producers' sources, for an event more than one context publishes. */
  alsoFrom?: string[];
  schemaVersion: number;
  /** Builds the data schema, on first use. */
  data: () => Data;
}): EventContract<Data> {
  const { alsoFrom, data: buildData, ...rest } = definition;
  const sources = [definition.source, ...(alsoFrom ?? [])];
  // Built on first use: a function holds many contracts (a webhook's, an outbox's) and parses the
  // data, detail or whole event of few of them; each zod schema built at load is init time
  // (docs/design.md#bundles).
  let data: Data | undefined;
  let detail: z.ZodMiniObject | undefined;
  let event: z.ZodMiniObject | undefined;
  const contract = {
    ...rest,
    sources,
    get data(): Data {
      data ??= buildData();
      return data;
    },
    get detail(): z.ZodMiniObject {
      detail ??= z.object({ metadata: Metadata, data: contract.data });
      return detail;
    },
    get event(): z.ZodMiniObject {
      event ??= z.looseObject({
        // A one-value enum, as `source` is: the same check and issue as zod's literal, without that
        // schema's code (0.5 KB of a bundle that builds no other literal, see docs/design.md#bundles).
        'detail-type': z.enum([definition.detailType]),
        source: z.enum(sources as [string, ...string[]]),
        detail: contract.detail,
      });
      return event;
    },
  };
  return contract as unknown as EventContract<Data>;
}

/**
 * An event's description and sample, for its catalogue, docs and tests. Each event file calls it in a
 * statement labelled `DOCS:`, which the bundles drop (`dropLabels` in infra/bundles.ts): a function
 * never reads them, and they were 2 to 5 KB of every bundle (docs/design.md#bundles).
 */
export function describeEvent<Data extends z.ZodMiniType>(
  contract: EventContract<Data>,
  docs: { description: string; sample: z.input<Data> },
): void {
  Object.assign(contract, docs);
}

export type EventData<C extends EventContract> = z.infer<C['data']>;
export type EventDetail<C extends EventContract> = { metadata: Metadata; data: EventData<C> };

export interface MetadataInput {
  correlationId?: string;
  eventId?: string;
  occurredAt?: string;
  labelId?: string;
  webhookId?: string;
}

/** The `detail` of a new event: validated against its contract, so a producer cannot put a malformed event. */
export function buildDetail<C extends EventContract>(
  contract: C,
  data: z.input<C['data']>,
  meta: MetadataInput = {},
): EventDetail<C> {
  const eventId = meta.eventId ?? randomUUID();
  return contract.detail.parse({
    metadata: {
      eventId,
      correlationId: meta.correlationId ?? eventId,
      occurredAt: meta.occurredAt ?? new Date().toISOString(),
      schemaVersion: contract.schemaVersion,
      ...(meta.labelId ? { labelId: meta.labelId } : {}),
      ...(meta.webhookId ? { webhookId: meta.webhookId } : {}),
    },
    data,
  }) as EventDetail<C>;
}
