import type { AddressReads } from '#shared/db/address-reads.ts';
import { InvalidCursorError } from '#shared/db/keys.ts';
import type { Suppression } from '#shared/db/opt-outs.ts';
import type {
  AddressRead,
  OutletChangedEntry,
  OutletManagement,
  Upserted,
} from '#shared/db/outlet-changes.ts';
import { outletListKey } from '#shared/db/outlet-items.ts';
import { DuplicateEmailError } from '#shared/db/outlets.ts';
import { mergeAccess, type PromoAccess, type PromoCounters, type PromoLink } from '#shared/db/promo.ts';
import { throughFence, type WriteFence } from '#shared/db/write-fence.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { OutletInput } from '#shared/outlet-input.ts';
import {
  genresMatch,
  type ImportLine,
  importedByLine,
  importedUpdate,
  keepingLeftOut,
  type OptionalOutletField,
  type Outlet,
  reachChanged,
  sameDescription,
  writtenByLaterLine,
} from '#shared/outlets.ts';

/** Builders and in-memory fakes for the outlet directory, promo counters and the outbox. */

export const anOutletInput = (overrides: Partial<OutletInput> = {}): OutletInput => ({
  name: 'Radio Nightshift',
  email: 'news@radio-nightshift.example',
  kind: 'radio',
  genres: ['synthpop'],
  territories: ['GB'],
  ...overrides,
});

export const anOutlet = (overrides: Partial<Outlet> = {}): Outlet => ({
  id: 'out-1',
  ...anOutletInput(),
  createdAt: '2027-01-01T00:00:00.000Z',
  updatedAt: '2027-01-01T00:00:00.000Z',
  ...overrides,
});

/** The outbox entries written with the state, in order (what the publisher would put on the bus). */
export class WrittenOutbox {
  readonly entries: OutboxEntry[] = [];

  write(entries: OutboxEntry[]) {
    this.entries.push(...structuredClone(entries));
  }

  ofType(detailType: string) {
    return this.entries
      .filter((entry) => entry.detailType === detailType)
      .map((entry) => entry.detail as { metadata: Record<string, unknown>; data: Record<string, unknown> });
  }
}

const sortKeyOf = (outlet: Pick<Outlet, 'id' | 'name'>) => outletListKey(outlet).gsi1sk;
const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const encodeCursor = (outlet: Outlet) =>
  Buffer.from(JSON.stringify({ after: sortKeyOf(outlet) })).toString('base64url');
function decodeCursor(cursor: string): string {
  try {
    const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string') return after;
  } catch {}
  throw new InvalidCursorError('cursor is not one this API returned');
}

/**
 * The directory's rules (one outlet per address, suppression and unsubscribe carried over) without
 * DynamoDB; test/contracts/outlet-directory.contract.ts holds it to the table's behaviour.
 */
export class InMemoryOutletDirectory implements OutletManagement, AddressReads {
  readonly outlets = new Map<string, Outlet>();
  readonly suppressions = new Map<string, Suppression>();
  /** When each address unsubscribed: it outlives the outlet. */
  readonly unsubscriptions = new Map<string, string>();
  /** The import line that last wrote each outlet (the table's `importedBy` and `importedLine` attributes). */
  readonly importedBy = new Map<string, ImportLine>();

  private ownerOf(email: string) {
    return [...this.outlets.values()].find((outlet) => outlet.email === email);
  }

  readonly outbox: WrittenOutbox;

  constructor(outbox = new WrittenOutbox()) {
    this.outbox = outbox;
  }

  private clean(outlet: Outlet): Outlet {
    return structuredClone(outlet);
  }

  private fields(input: OutletInput) {
    return {
      name: input.name,
      email: input.email,
      kind: input.kind,
      genres: input.genres,
      territories: input.territories,
      ...(input.contactName ? { contactName: input.contactName } : {}),
      ...(input.formats?.length ? { formats: input.formats } : {}),
    };
  }

  async create(
    input: OutletInput,
    { id, now, changed }: { id: string; now: string; changed?: OutletChangedEntry },
  ) {
    if (this.ownerOf(input.email)) throw new DuplicateEmailError(input.email);
    const suppressed = this.suppressions.get(input.email);
    const unsubscribedAt = this.unsubscriptions.get(input.email);
    const outlet: Outlet = {
      id,
      ...this.fields(input),
      ...(unsubscribedAt ? { unsubscribedAt } : {}),
      ...(suppressed ? { suppressedAt: suppressed.at, suppressionReason: suppressed.reason } : {}),
      createdAt: now,
      updatedAt: now,
    };
    this.outlets.set(id, outlet);
    if (changed) this.outbox.write([changed(outlet)]);
    return this.clean(outlet);
  }

  async get(outletId: string) {
    const outlet = this.outlets.get(outletId);
    return outlet ? this.clean(outlet) : undefined;
  }

  /** The addresses as they are now; the fake's upsert reads and writes in one step, and takes no hint. */
  async readAddresses(emails: readonly string[]) {
    return new Map(
      emails.map((email): [string, AddressRead] => {
        const owner = this.ownerOf(email)?.id;
        const suppression = this.suppressions.get(email);
        const unsubscribedAt = this.unsubscriptions.get(email);
        return [
          email,
          {
            ...(owner ? { owner } : {}),
            ...(suppression ? { suppression: structuredClone(suppression) } : {}),
            ...(unsubscribedAt ? { unsubscription: { at: unsubscribedAt } } : {}),
          },
        ];
      }),
    );
  }

  async findByEmail(email: string) {
    const outlet = this.ownerOf(email);
    return outlet ? this.clean(outlet) : undefined;
  }

  async replace(outletId: string, input: OutletInput, now: string, changed?: OutletChangedEntry) {
    const current = this.outlets.get(outletId);
    if (!current) return undefined;
    const owner = this.ownerOf(input.email);
    if (owner && owner.id !== outletId) throw new DuplicateEmailError(input.email);
    const emailChanges = input.email !== current.email;
    const {
      contactName: _c,
      formats: _f,
      suppressedAt,
      suppressionReason,
      unsubscribedAt: _u,
      ...kept
    } = current;
    const suppressed = emailChanges
      ? this.suppressions.get(input.email)
      : suppressedAt
        ? { at: suppressedAt, reason: suppressionReason ?? 'bounce' }
        : undefined;
    // The address's own opt-out is carried over only onto an outlet that moves to it.
    const unsubscribedAt =
      current.unsubscribedAt ?? (emailChanges ? this.unsubscriptions.get(input.email) : undefined);
    const next: Outlet = {
      ...kept,
      ...this.fields(input),
      ...(unsubscribedAt ? { unsubscribedAt } : {}),
      ...(suppressed ? { suppressedAt: suppressed.at, suppressionReason: suppressed.reason } : {}),
      updatedAt: now,
    };
    if (!emailChanges && sameDescription(current, next)) return this.clean(current);
    this.outlets.set(outletId, next);
    this.importedBy.delete(outletId);
    if (changed && reachChanged(current, next)) this.outbox.write([changed(next)]);
    return this.clean(next);
  }

  async remove(outletId: string) {
    this.importedBy.delete(outletId);
    return this.outlets.delete(outletId);
  }

  async upsertByEmail(
    input: OutletInput,
    {
      newId,
      now,
      leftOut = [],
      importedBy,
      fence,
    }: {
      newId: () => string;
      now: string;
      leftOut?: readonly OptionalOutletField[];
      importedBy?: ImportLine;
      fence?: WriteFence;
    },
  ): Promise<Upserted> {
    // The fake's read and write are one step: a closed fence refuses both, as the table refuses the write.
    return throughFence(fence, () => this.upsertNow(input, { newId, now, leftOut, importedBy }));
  }

  private async upsertNow(
    input: OutletInput,
    {
      newId,
      now,
      leftOut,
      importedBy,
    }: { newId: () => string; now: string; leftOut: readonly OptionalOutletField[]; importedBy?: ImportLine },
  ): Promise<Upserted> {
    const owner = this.ownerOf(input.email);
    if (owner) {
      const before = this.clean(owner);
      const beforeImportedBy = this.importedBy.get(owner.id);
      const stored = beforeImportedBy
        ? { importedBy: importedByLine(beforeImportedBy), importedLine: beforeImportedBy.line }
        : {};
      // Written by a later line of the same job: left as that line left it, as the table's condition does.
      if (importedBy && writtenByLaterLine(stored, importedBy))
        return { outlet: before, ...importedUpdate(before, before, now, false) };
      const outlet = (await this.replace(owner.id, keepingLeftOut(input, owner, leftOut), now))!;
      const upserted = importedUpdate(
        before,
        outlet,
        now,
        importedBy !== undefined && stored.importedBy === importedByLine(importedBy),
      );
      // The write records the line it was made by, as the table's does; found as it says, nothing is written.
      if (importedBy && this.outlets.get(owner.id) !== owner) this.importedBy.set(owner.id, importedBy);
      return { outlet, ...upserted };
    }
    const outlet = await this.create(input, { id: newId(), now });
    if (importedBy) this.importedBy.set(outlet.id, importedBy);
    return { outcome: 'created' as const, outlet, reachChanged: true };
  }

  /** In the table's order: the bytes of the lower-case name, then the id (a DynamoDB sort key, not a locale's order). */
  private sorted(): Outlet[] {
    return [...this.outlets.values()].sort((a, b) => compareKeys(sortKeyOf(a), sortKeyOf(b)));
  }

  async list({
    limit,
    cursor,
    where = () => true,
    genres,
  }: {
    limit: number;
    cursor?: string;
    where?: (o: Outlet) => boolean;
    genres?: readonly string[];
  }) {
    const mayMatch = (outlet: Outlet) => !genres || genresMatch(outlet.genres, genres);
    const sorted = this.sorted();
    // The cursor names the sort key to continue after, so it outlives the outlet it was taken from.
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const rest = after === undefined ? sorted : sorted.filter((o) => compareKeys(sortKeyOf(o), after) > 0);
    const outlets: Outlet[] = [];
    for (const [index, outlet] of rest.entries()) {
      if (!mayMatch(outlet) || !where(this.clean(outlet))) continue;
      outlets.push(this.clean(outlet));
      if (outlets.length === limit)
        return { outlets, ...(index < rest.length - 1 ? { nextCursor: encodeCursor(outlet) } : {}) };
    }
    return { outlets };
  }

  async getMany(outletIds: readonly string[]) {
    const found = new Map<string, Outlet>();
    for (const id of outletIds) {
      const outlet = this.outlets.get(id);
      if (outlet) found.set(id, this.clean(outlet));
    }
    return found;
  }

  async markUnsubscribed(outletId: string, at: string, outbox: OutboxEntry[], mailedTo?: string) {
    const outlet = this.outlets.get(outletId);
    if (!outlet) return { state: 'missing' as const };
    if (mailedTo !== undefined && outlet.email !== mailedTo) return { state: 'moved' as const };
    if (outlet.unsubscribedAt) return { state: 'already' as const, outlet: this.clean(outlet) };
    outlet.unsubscribedAt = at;
    if (!this.unsubscriptions.has(outlet.email)) this.unsubscriptions.set(outlet.email, at);
    this.outbox.write(outbox);
    return { state: 'unsubscribed' as const, outlet: this.clean(outlet) };
  }

  async markAddressUnsubscribed(email: string, at: string, outboxFor: (outletId: string) => OutboxEntry[]) {
    if (!this.unsubscriptions.has(email)) this.unsubscriptions.set(email, at);
    const holder = this.ownerOf(email);
    if (holder) await this.markUnsubscribed(holder.id, at, outboxFor(holder.id), email);
  }

  async suppress({ email, reason, detail, at }: Suppression, outbox: OutboxEntry[]) {
    const existing = this.suppressions.get(email);
    const suppression = existing ?? { email, reason, ...(detail ? { detail } : {}), at };
    if (!existing) {
      this.suppressions.set(email, suppression);
      this.outbox.write(outbox);
    }
    const outlet = this.ownerOf(email);
    if (outlet) {
      outlet.suppressedAt ??= suppression.at;
      outlet.suppressionReason ??= suppression.reason;
    }
    return {
      suppressedNow: !existing,
      reason: suppression.reason,
      ...(suppression.detail ? { detail: suppression.detail } : {}),
      ...(outlet ? { outletId: outlet.id } : {}),
    };
  }

  async isSuppressed(email: string) {
    return this.suppressions.has(email);
  }

  async isUnsubscribed(email: string) {
    return this.unsubscriptions.has(email);
  }
}

/** Promo counters with DynamoDB's conditional-update rule: the count never passes maxAccesses. */
export class InMemoryPromoCounters implements PromoCounters {
  /** Counts by link, keyed by the JSON of its ids (so no id can split differently). */
  readonly counts = new Map<string, number>();
  private readonly accessTimes = new Map<string, { first: string; last: string }>();
  private key = (link: PromoLink) =>
    JSON.stringify([link.labelId, link.releaseId, link.outletId, link.assetIndex]);

  readonly outbox: WrittenOutbox;

  constructor(outbox = new WrittenOutbox()) {
    this.outbox = outbox;
  }

  async countAccess(
    link: PromoLink,
    { maxAccesses, at }: { maxAccesses?: number; at: string },
    eventsFor: (count: number) => OutboxEntry[],
  ) {
    const count = this.counts.get(this.key(link)) ?? 0;
    if (maxAccesses !== undefined && count >= maxAccesses) return undefined;
    this.counts.set(this.key(link), count + 1);
    this.accessTimes.set(this.key(link), {
      first: this.accessTimes.get(this.key(link))?.first ?? at,
      last: at,
    });
    this.outbox.write(eventsFor(count + 1));
    return count + 1;
  }

  async accessCount(link: PromoLink) {
    return this.counts.get(this.key(link)) ?? 0;
  }

  async accessesForRelease(labelId: string, releaseId: string) {
    const result = new Map<string, PromoAccess>();
    for (const [key, count] of this.counts) {
      const [l, r, o] = JSON.parse(key) as [string, string, string, number];
      const times = this.accessTimes.get(key);
      if (l === labelId && r === releaseId) {
        result.set(
          o,
          mergeAccess(result.get(o), { count, firstAccessAt: times?.first, lastAccessAt: times?.last }),
        );
      }
    }
    return result;
  }
}

/** A release's promo accesses per outlet as counts only. */
export const countsOf = async (
  counters: Pick<PromoCounters, 'accessesForRelease'>,
  labelId: string,
  releaseId: string,
): Promise<Map<string, number>> =>
  new Map(
    [...(await counters.accessesForRelease(labelId, releaseId))].map(([outlet, access]) => [
      outlet,
      access.count,
    ]),
  );
