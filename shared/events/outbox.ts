import type * as z from '../zod.ts';
import { buildDetail, type EventContract, type EventDetail, type MetadataInput } from './envelope.ts';

/**
 * An event ready to be put on the Backline bus: its source, detail-type and `{ metadata, data }`
 * detail, with its eventId fixed once here. A producer that changes state writes it as an outbox
 * entry in the same write as the state (shared/db/outbox.ts), and the publisher puts it on the bus
 * from the table's stream; only a step with no state to write publishes it directly
 * (shared/events/publish.ts). Plain data: logic modules build it without any AWS type.
 * See docs/design.md#the-outbox.
 */
export interface OutboxEntry {
  eventId: string;
  source: string;
  detailType: string;
  detail: EventDetail<EventContract>;
}

export interface OutboxMeta extends MetadataInput {
  /** The producer's own source, for a contract with more than one producer; the contract's main one by default. */
  source?: string;
}

/** The one way to say what should be published: the event, validated against its contract, with its envelope. */
export function outboxEntry<C extends EventContract>(
  contract: C,
  data: z.input<C['data']>,
  meta: OutboxMeta = {},
): OutboxEntry {
  const { source = contract.source, ...metadata } = meta;
  if (!contract.sources.includes(source)) {
    throw new Error(
      `${contract.detailType} does not come from ${source} (only ${contract.sources.join(', ')})`,
    );
  }
  const detail = buildDetail(contract, data, metadata);
  return { eventId: detail.metadata.eventId, source, detailType: contract.detailType, detail };
}
