import { publishEntries } from '#functions/publisher/publish.ts';
import { outboxItem } from '#shared/db/outbox.ts';
import { type Outbox, storedOutboxEntryOf } from '#shared/db/outbox-publishing.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import { RecordedMeasure } from './measure.ts';

/**
 * The publisher's side of a fact it counts (`publicationCounts`, docs/design.md#observability): the
 * entries a write put in the outbox (at `writtenAt`), read as the stream brings them, published and
 * marked; twice, as a batch the mapping retries, or the sweep after the stream, publishes them again,
 * each mark taken once. Answers what the publisher recorded.
 */
export async function publishedTwice(
  written: OutboxEntry[],
  { writtenAt, now }: { writtenAt: string; now: Date },
): Promise<RecordedMeasure> {
  const measure = new RecordedMeasure();
  const marked = new Set<string>();
  const outbox: Outbox = {
    unpublishedBefore: async () => [],
    markPublished: async (itemKey) => !marked.has(itemKey.pk) && Boolean(marked.add(itemKey.pk)),
    markUnpublishable: async () => {},
    markParked: async () => true,
    parkedCount: async () => 0,
  };
  const deps = {
    outbox,
    bus: { put: async () => [] },
    replays: { record: async () => {} },
    now: () => now,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const entries = written.map((entry) => storedOutboxEntryOf(outboxItem(entry, writtenAt))!);
  await publishEntries(entries, deps, measure);
  await publishEntries(entries, deps, measure);
  return measure;
}
