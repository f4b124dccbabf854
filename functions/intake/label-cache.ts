import type { Label, Labels } from '#shared/db/labels.ts';

/**
 * Labels kept in this process's memory for intake (see docs/design.md#secrets): a webhook's signature is
 * checked against a label read at most `labelCacheMs` ago, so the request path is one conditional write
 * most of the time. A signature that matches none of the cached secrets may re-read the label
 * (`reread`), so a rotation is seen at once; those re-reads happen at most once per label per
 * `rereadIntervalMs`, so a stream of bad signatures cannot force a read each. A revoked secret is
 * forgotten when its label's entry expires: within `labelCacheMs`.
 */
export const labelCacheMs = 30_000;
export const rereadIntervalMs = 1_000;
/** Bounds the memory one container spends on labels; the oldest entry goes first. */
const maxCachedLabels = 1_000;

export interface CachedLabels extends Pick<Labels, 'get'> {
  /**
   * The label read again after a signature matched none of its cached secrets; undefined when this
   * label was already re-read less than `rereadIntervalMs` ago (nothing newer to try) or is gone.
   */
  reread(labelId: string): Promise<Label | undefined>;
}

interface Entry {
  label: Promise<Label | undefined>;
  readAt: number;
  /** When a failed signature last made this label be read again. */
  rereadAt?: number;
}

export function cachedLabels(labels: Pick<Labels, 'get'>, now: () => number = Date.now): CachedLabels {
  const entries = new Map<string, Entry>();

  const read = (labelId: string, rereadAt?: number): Promise<Label | undefined> => {
    const label = labels.get(labelId);
    const entry: Entry = { label, readAt: now(), ...(rereadAt === undefined ? {} : { rereadAt }) };
    entries.delete(labelId);
    if (entries.size >= maxCachedLabels) entries.delete(entries.keys().next().value as string);
    entries.set(labelId, entry);
    // Neither a failed read nor an unknown label is kept: the next request reads again.
    const forget = () => {
      if (entries.get(labelId) === entry) entries.delete(labelId);
    };
    label.then((found) => found ?? forget(), forget);
    return label;
  };

  return {
    get(labelId) {
      const entry = entries.get(labelId);
      if (entry && now() - entry.readAt < labelCacheMs) return entry.label;
      return read(labelId, entry?.rereadAt);
    },
    async reread(labelId) {
      const at = now();
      const last = entries.get(labelId)?.rereadAt;
      if (last !== undefined && at - last < rereadIntervalMs) return undefined;
      return read(labelId, at);
    },
  };
}
