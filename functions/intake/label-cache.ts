import type { Label, LabelReads } from '#shared/db/labels.ts';

/**
 * Labels kept in this process's memory for intake (see docs/design.md#secrets): a webhook's signature is
 * checked against a label read at most `labelCacheMs` ago, so the request path is one conditional write
 * most of the time. A signature that matches none of the cached secrets may re-read the label
 * (`reread`), so a rotation is seen at once; those re-reads happen at most once per label per
 * `rereadIntervalMs`, so a stream of bad signatures cannot force a read each; the webhooks that ask in
 * between are checked against what the last re-read found (several signed with a new secret arrive
 * together). A revoked secret is forgotten when its label's entry expires: within `labelCacheMs`.
 */
export const labelCacheMs = 30_000;
export const rereadIntervalMs = 1_000;
/** Bounds the memory one container spends on labels; the oldest entry goes first. */
const maxCachedLabels = 1_000;

export interface CachedLabels extends LabelReads {
  /**
   * The label read again after a signature matched none of its cached secrets (undefined when it is
   * gone). Within `rereadIntervalMs` of the last re-read, what that re-read answers, without reading:
   * the freshest label there is (or the failure of its read).
   */
  reread(labelId: string): Promise<Label | undefined>;
}

interface Entry {
  label: Promise<Label | undefined>;
  readAt: number;
  /** The last read a failed signature asked for, and when. */
  reread?: { at: number; label: Promise<Label | undefined> };
}

export function cachedLabels(labels: LabelReads, now: () => number = Date.now): CachedLabels {
  const entries = new Map<string, Entry>();

  const keep = (labelId: string, entry: Entry) => {
    entries.delete(labelId);
    if (entries.size >= maxCachedLabels) entries.delete(entries.keys().next().value as string);
    entries.set(labelId, entry);
  };

  /** Reads the label; `previous` is its entry, kept if the read fails; `rereadAt` when a signature asked. */
  const read = (labelId: string, previous?: Entry, rereadAt?: number): Promise<Label | undefined> => {
    const readAt = now();
    const label = labels.get(labelId);
    const reread = rereadAt === undefined ? previous?.reread : { at: rereadAt, label };
    const withReread = (entry: Entry): Entry => ({ ...entry, ...(reread ? { reread } : {}) });
    // While a re-read is under way the label read before still serves `get` (until it expires): valid
    // signatures wait on no read, and a re-read that fails takes nothing from them. A first read, or
    // one after expiry, serves its own promise.
    const pending = withReread(rereadAt !== undefined && previous ? previous : { label, readAt });
    keep(labelId, pending);
    label.then(
      (found) => {
        if (entries.get(labelId) !== pending) return;
        // An unknown label is not kept: the next request reads again.
        if (found) keep(labelId, withReread({ label, readAt }));
        else entries.delete(labelId);
      },
      () => {
        if (entries.get(labelId) !== pending) return;
        // A failed read keeps the label read before (if any), with the time of the last re-read, so
        // that re-reads stay once a second while reads fail; without one, the next request reads again.
        if (previous) keep(labelId, withReread(previous));
        else entries.delete(labelId);
      },
    );
    return label;
  };

  return {
    get(labelId) {
      const entry = entries.get(labelId);
      if (entry && now() - entry.readAt < labelCacheMs) return entry.label;
      return read(labelId, entry);
    },
    async reread(labelId) {
      const at = now();
      const entry = entries.get(labelId);
      if (entry?.reread && at - entry.reread.at < rereadIntervalMs) return entry.reread.label;
      return read(labelId, entry, at);
    },
  };
}
