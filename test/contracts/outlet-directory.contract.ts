import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '#shared/db/keys.ts';
import type { OutletManagement } from '#shared/db/outlet-changes.ts';
import type { OutletsById } from '#shared/db/outlet-listing.ts';
import { DuplicateEmailError, type OutletDirectory } from '#shared/db/outlets.ts';
import { FencedWriteError, WriteFence } from '#shared/db/write-fence.ts';
import { OutletSuppressed, OutletUnsubscribed, outboxEntry } from '#shared/events/index.ts';
import type { OutletInput } from '#shared/outlet-input.ts';
import type { Outlet } from '#shared/outlets.ts';
import { uniqueId } from '#test/support/cloud.ts';
import { anOutletInput } from '#test/support/outlets.ts';

/**
 * What every OutletDirectory does, whichever store is behind it: run against the in-memory fake
 * (test/unit/contracts) and against DynamoDB Local (test/integration/contracts), so the fake cannot
 * drift from the table. Every id and address is unique, so the suite shares a table with other tests.
 * `outboxHolds` tells whether the store's write put an outbox entry (by event id) in the outbox.
 */
export function describeOutletDirectoryContract<S extends OutletManagement & OutletsById>(
  name: string,
  makeStore: () => S,
  outboxHolds: (store: S, eventId: string) => Promise<boolean>,
) {
  const unsubscribedEvent = (outletId: string) =>
    outboxEntry(OutletUnsubscribed, { outletId, releaseId: 'rel-contract', via: 'page' });
  const suppressedEvent = (email: string) =>
    outboxEntry(OutletSuppressed, { email, reason: 'bounce', detail: 'Permanent/General' });
  const email = (label = 'outlet') => `${uniqueId(label)}@contract.example`;
  const input = (overrides: Partial<OutletInput> = {}) => anOutletInput({ email: email(), ...overrides });
  const t0 = '2027-03-01T12:00:00.000Z';
  const later = (ms: number) => new Date(Date.parse(t0) + ms).toISOString();

  /** Every outlet `list` returns for `where` (and a release's `genres`), following its cursors. */
  async function listAll(
    store: OutletDirectory,
    where: (outlet: Outlet) => boolean,
    limit = 1,
    genres?: string[],
  ) {
    const seen: Outlet[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({
        limit,
        ...(cursor ? { cursor } : {}),
        where,
        ...(genres ? { genres } : {}),
      });
      expect(page.outlets.length).toBeLessThanOrEqual(limit);
      seen.push(...page.outlets);
      cursor = page.nextCursor;
    } while (cursor);
    return seen;
  }

  describe(`OutletDirectory contract: ${name}`, () => {
    it('keeps an outlet as created, found by id and by address', async () => {
      const store = makeStore();
      const id = uniqueId('out');
      const given = input({ contactName: 'Ann Lee', genres: ['synthpop', 'techno'] });

      const created = await store.create(given, { id, now: t0 });

      const expected: Outlet = { id, ...given, createdAt: t0, updatedAt: t0 };
      expect(created).toEqual(expected);
      expect(await store.get(id)).toEqual(expected);
      expect(await store.findByEmail(given.email)).toEqual(expected);
      expect(await store.get(uniqueId('out'))).toBeUndefined();
      expect(await store.findByEmail(email('nobody'))).toBeUndefined();
    });

    it('keeps one outlet per address: a second create with the address is refused and changes nothing', async () => {
      const store = makeStore();
      const first = await store.create(input(), { id: uniqueId('out'), now: t0 });
      const secondId = uniqueId('out');

      await expect(
        store.create(input({ email: first.email, name: 'Other' }), { id: secondId, now: t0 }),
      ).rejects.toBeInstanceOf(DuplicateEmailError);

      expect(await store.get(secondId)).toBeUndefined();
      expect(await store.findByEmail(first.email)).toEqual(first);
    });

    it('replaces the manager fields, keeps createdAt, drops a contact name no longer given', async () => {
      const store = makeStore();
      const id = uniqueId('out');
      const created = await store.create(input({ contactName: 'Ann Lee' }), { id, now: t0 });
      const { contactName: _dropped, ...without } = input({ email: created.email, name: 'Renamed' });

      const replaced = await store.replace(id, without, later(1000));

      const expected: Outlet = { id, ...without, createdAt: t0, updatedAt: later(1000) };
      expect(replaced).toEqual(expected);
      expect(await store.get(id)).toEqual(expected);
      expect(await store.replace(uniqueId('out'), input(), t0)).toBeUndefined();
    });

    it('keeps a radio outlet’s formats, and drops them when a replacement gives none', async () => {
      const store = makeStore();
      const id = uniqueId('out');
      const created = await store.create(input({ kind: 'radio', formats: ['AAA', 'CHR'] }), { id, now: t0 });

      const replaced = await store.replace(id, input({ email: created.email, kind: 'radio' }), later(1000));

      expect(created.formats).toEqual(['AAA', 'CHR']);
      expect((await store.get(id))?.formats).toBeUndefined();
      expect(replaced?.formats).toBeUndefined();
    });

    it('reads a radio outlet’s formats back by id, by many ids and in its listing, as a replacement gives them', async () => {
      const store = makeStore();
      const id = uniqueId('out');
      const tag = uniqueId('formats');
      const created = await store.create(
        input({ name: tag, kind: 'radio', formats: ['AAA', 'specialist'] }),
        {
          id,
          now: t0,
        },
      );

      const byId = await store.get(id);
      const byMany = (await store.getMany([id])).get(id);
      const listed = await listAll(store, (outlet) => outlet.name === tag, 10);
      await store.replace(id, input({ email: created.email, kind: 'radio', formats: ['CHR'] }), later(1000));

      expect(byId?.formats).toEqual(['AAA', 'specialist']);
      expect(byMany?.formats).toEqual(['AAA', 'specialist']);
      expect(listed.map((outlet) => outlet.formats)).toEqual([['AAA', 'specialist']]);
      expect((await store.get(id))?.formats).toEqual(['CHR']);
    });

    it('moves an outlet to a free address and frees the old one; a move onto a taken address is refused', async () => {
      const store = makeStore();
      const moving = await store.create(input(), { id: uniqueId('out'), now: t0 });
      const other = await store.create(input(), { id: uniqueId('out'), now: t0 });
      const fresh = email('moved');

      await expect(store.replace(moving.id, input({ email: other.email }), later(1))).rejects.toBeInstanceOf(
        DuplicateEmailError,
      );
      expect(await store.get(moving.id)).toEqual(moving);

      const moved = await store.replace(moving.id, input({ email: fresh }), later(2));

      expect(moved?.email).toBe(fresh);
      expect((await store.findByEmail(fresh))?.id).toBe(moving.id);
      expect(await store.findByEmail(moving.email)).toBeUndefined();
      const reuse = await store.create(input({ email: moving.email }), {
        id: uniqueId('out'),
        now: later(3),
      });
      expect((await store.findByEmail(moving.email))?.id).toBe(reuse.id);
    });

    it('removes an outlet and frees its address; removing an unknown outlet answers false', async () => {
      const store = makeStore();
      const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });

      expect(await store.remove(outlet.id)).toBe(true);

      expect(await store.get(outlet.id)).toBeUndefined();
      expect(await store.findByEmail(outlet.email)).toBeUndefined();
      expect(await store.remove(outlet.id)).toBe(false);
      const again = await store.create(input({ email: outlet.email }), { id: uniqueId('out'), now: t0 });
      expect(await store.findByEmail(outlet.email)).toEqual(again);
    });

    it('upserts by address: creates the first time, then replaces the same outlet', async () => {
      const store = makeStore();
      const given = input();
      const newId = uniqueId('out');

      const first = await store.upsertByEmail(given, { newId: () => newId, now: t0 });
      const second = await store.upsertByEmail(
        { ...given, name: 'Renamed' },
        { newId: () => uniqueId('never'), now: later(1) },
      );

      expect(first).toEqual({
        outcome: 'created',
        outlet: { id: newId, ...given, createdAt: t0, updatedAt: t0 },
        reachChanged: true,
      });
      // A new name reaches nobody new (as an API edit, reachChanged): an import does not name it.
      expect(second).toEqual({
        outcome: 'updated',
        outlet: { id: newId, ...given, name: 'Renamed', createdAt: t0, updatedAt: later(1) },
        reachChanged: false,
      });
    });

    it('upserts keeping the stored fields it is told were left out (formats only while radio), creating with their defaults', async () => {
      const store = makeStore();
      const id = uniqueId('out');
      const stored = input({ kind: 'radio', genres: ['Techno'], contactName: 'Ann Lee', formats: ['AAA'] });
      await store.create(stored, { id, now: t0 });
      const bare = {
        name: 'Renamed',
        email: stored.email,
        kind: 'radio' as const,
        genres: [],
        territories: ['WW'],
      };
      const leftOut = ['genres', 'contactName', 'formats'] as const;

      const kept = await store.upsertByEmail(bare, {
        newId: () => uniqueId('never'),
        now: later(1),
        leftOut,
      });
      const same = await store.upsertByEmail(bare, {
        newId: () => uniqueId('never'),
        now: later(2),
        leftOut,
      });
      const blog = await store.upsertByEmail(
        { ...bare, kind: 'blog' },
        { newId: () => uniqueId('never'), now: later(3), leftOut },
      );
      const freshId = uniqueId('out');
      const fresh = await store.upsertByEmail(
        { ...bare, email: email('fresh') },
        { newId: () => freshId, now: later(4), leftOut },
      );

      const expected: Outlet = {
        id,
        ...bare,
        genres: ['Techno'],
        contactName: 'Ann Lee',
        formats: ['AAA'],
        createdAt: t0,
        updatedAt: later(1),
      };
      expect(kept).toEqual({ outcome: 'updated', outlet: expected, reachChanged: true });
      expect(same).toEqual({ outcome: 'unchanged', outlet: expected, reachChanged: false });
      const { formats: _dropped, ...asBlog } = expected;
      expect(blog).toEqual({
        outcome: 'updated',
        outlet: { ...asBlog, kind: 'blog', updatedAt: later(3) },
        reachChanged: true,
      });
      expect(await store.get(id)).toEqual({ ...asBlog, kind: 'blog', updatedAt: later(3) });
      expect(fresh).toEqual({
        outcome: 'created',
        outlet: { id: freshId, ...bare, email: fresh.outlet.email, createdAt: later(4), updatedAt: later(4) },
        reachChanged: true,
      });
    });

    it('writes nothing for the description an outlet has: upsert says unchanged, updatedAt stays; the same import line re-run says updated, another line unchanged', async () => {
      const store = makeStore();
      const given = input({ contactName: 'Ann Lee' });
      const newId = uniqueId('out');
      await store.upsertByEmail(given, { newId: () => newId, now: t0 });

      const again = await store.upsertByEmail(given, { newId: () => uniqueId('never'), now: later(1) });
      const replaced = await store.replace(newId, given, later(2));
      const renamed = await store.upsertByEmail(
        { ...given, name: 'Renamed' },
        { newId: () => newId, now: later(3), importedBy: { jobId: 'job-1', line: 3 } },
      );
      const rerun = await store.upsertByEmail(
        { ...given, name: 'Renamed' },
        { newId: () => newId, now: later(3), importedBy: { jobId: 'job-1', line: 3 } },
      );
      // A later line repeating line 3 finds the outlet as line 3 left it: it changed nothing.
      const repeat = await store.upsertByEmail(
        { ...given, name: 'Renamed' },
        { newId: () => newId, now: later(3), importedBy: { jobId: 'job-1', line: 9 } },
      );
      // An edit through the API is the outlet's last write: the line finding its description after it wrote nothing.
      await store.replace(newId, { ...given, name: 'Edited' }, later(4));
      const afterEdit = await store.upsertByEmail(
        { ...given, name: 'Edited' },
        { newId: () => newId, now: later(3), importedBy: { jobId: 'job-1', line: 3 } },
      );

      expect(again).toEqual({
        outcome: 'unchanged',
        outlet: { id: newId, ...given, createdAt: t0, updatedAt: t0 },
        reachChanged: false,
      });
      expect(replaced?.updatedAt).toBe(t0);
      expect([renamed.outcome, rerun.outcome, repeat.outcome]).toEqual(['updated', 'updated', 'unchanged']);
      // Found as this import wrote it, what that write changed is no longer known: it is named (docs/design.md#jobs).
      expect([renamed.reachChanged, rerun.reachChanged, repeat.reachChanged]).toEqual([false, true, true]);
      expect(afterEdit.outcome).toBe('unchanged');
      expect((await store.get(newId))?.updatedAt).toBe(later(4));
    });

    it('leaves an outlet a later line of the same import wrote as that line left it (unchanged); a line of another import, or after an API edit, writes', async () => {
      const store = makeStore();
      const given = input({ name: 'Desk', territories: ['GB'] });
      const id = uniqueId('out');
      await store.create(given, { id, now: t0 });
      const at = later(1);
      const upsert = (name: string, territories: string[], jobId: string, line: number) =>
        store.upsertByEmail(
          { ...given, name, territories },
          { newId: () => uniqueId('never'), now: at, importedBy: { jobId, line } },
        );

      // Line 12 of job-a writes; line 3 of the same job (a duplicate run of its page) comes after it.
      const late = await upsert('Late', ['DE'], 'job-a', 12);
      const early = await upsert('Early', ['FR'], 'job-a', 3);
      const afterEarly = await store.get(id);
      // Another import's line writes over it.
      const other = await upsert('Other', ['FR'], 'job-b', 3);
      // An API edit removes the import line: job-a's line 3 then writes.
      await store.replace(id, { ...given, name: 'Edited' }, later(2));
      const afterEdit = await upsert('Early', ['FR'], 'job-a', 3);

      const asLate = { id, ...given, name: 'Late', territories: ['DE'], createdAt: t0, updatedAt: at };
      expect(late).toEqual({ outcome: 'updated', outlet: asLate, reachChanged: true });
      // Found as this import wrote it: named, as any outlet written at the job's time (docs/design.md#jobs).
      expect(early).toEqual({ outcome: 'unchanged', outlet: asLate, reachChanged: true });
      expect(afterEarly).toEqual(asLate);
      expect(other.outcome).toBe('updated');
      expect(afterEdit.outcome).toBe('updated');
      expect(await store.get(id)).toEqual({ ...asLate, name: 'Early', territories: ['FR'] });
    });

    it('writes nothing on an outlet an import line finds as it says, even one edited while its job ran: an earlier line of the job then writes it', async () => {
      const store = makeStore();
      const given = input({ name: 'Desk', territories: ['GB'] });
      const id = uniqueId('out');
      await store.create(given, { id, now: t0 });
      const at = later(1);
      const upsert = (name: string, territories: string[], line: number) =>
        store.upsertByEmail(
          { ...given, name, territories },
          { newId: () => uniqueId('never'), now: at, importedBy: { jobId: 'job-a', line } },
        );
      await upsert('Early', ['FR'], 2);
      // The manager edits the outlet as line 502 will say it, while the job runs.
      await store.replace(id, { ...given, name: 'Late', territories: ['DE'] }, later(2));

      const late = await upsert('Late', ['DE'], 502);
      const afterLate = await store.get(id);
      // A retry of line 2's page (one attempt at a page at a time: docs/design.md#jobs), line 502's after it.
      const early = await upsert('Early', ['FR'], 2);
      const retried = await upsert('Late', ['DE'], 502);

      const edited = { id, ...given, name: 'Late', territories: ['DE'], createdAt: t0, updatedAt: later(2) };
      expect(late).toEqual({ outcome: 'unchanged', outlet: edited, reachChanged: false });
      expect(afterLate).toEqual(edited);
      expect([early.outcome, retried.outcome]).toEqual(['updated', 'updated']);
      expect(await store.get(id)).toEqual({ ...edited, updatedAt: at });
    });

    it("leaves another job's mark on an outlet it finds as it says, so that job's earlier line then leaves it (unchanged)", async () => {
      const store = makeStore();
      const given = input({ name: 'Desk', territories: ['GB'] });
      const id = uniqueId('out');
      await store.create(given, { id, now: t0 });
      const upsert = (jobId: string, at: string, name: string, territories: string[], line: number) =>
        store.upsertByEmail(
          { ...given, name, territories },
          { newId: () => uniqueId('never'), now: at, importedBy: { jobId, line } },
        );
      // Job B (started after job A) writes its line 502 while job A runs.
      await upsert('job-b', later(2), 'Late', ['DE'], 502);

      // Job A's line finds the outlet as it says, changed after job A's time.
      const other = await upsert('job-a', later(1), 'Late', ['DE'], 2);
      // A duplicate run of job B's line 2's page.
      const early = await upsert('job-b', later(2), 'Early', ['FR'], 2);

      const late = { id, ...given, name: 'Late', territories: ['DE'], createdAt: t0, updatedAt: later(2) };
      expect(other).toEqual({ outcome: 'unchanged', outlet: late, reachChanged: false });
      expect(early).toEqual({ outcome: 'unchanged', outlet: late, reachChanged: true });
      expect(await store.get(id)).toEqual(late);
    });

    it('upserts through an open fence as without one, and writes nothing through a closed one', async () => {
      const store = makeStore();
      const given = input();
      const id = uniqueId('out');
      const fence = new WriteFence();
      const other = input();

      const created = await store.upsertByEmail(given, { newId: () => id, now: t0, fence });
      await fence.close();
      const moved = await store
        .upsertByEmail({ ...given, territories: ['FR'] }, { newId: () => id, now: later(1), fence })
        .catch((error: Error) => error);
      const fresh = await store
        .upsertByEmail(other, { newId: () => uniqueId('never'), now: later(2), fence })
        .catch((error: Error) => error);

      expect(created.outcome).toBe('created');
      expect([moved, fresh]).toEqual([expect.any(FencedWriteError), expect.any(FencedWriteError)]);
      expect(await store.get(id)).toEqual(created.outlet);
      expect(await store.findByEmail(other.email)).toBeUndefined();
    });

    it('lists in name order by the table sort key (byte order of the lower-case name, then the id), each outlet once across pages', async () => {
      const store = makeStore();
      const tag = uniqueId('list');
      // Byte order, not a locale's: `~` (0x7e) after letters, `é` (0xc3 0xa9) after `~`, `_` before letters.
      const names = ['Zeta', 'émile', 'alpha', '~tilde', '_under', 'Alpha'].map((n) => `${tag} ${n}`);
      const ids = new Set<string>();
      for (const outletName of names) {
        const outlet = await store.create(input({ name: outletName }), { id: uniqueId('out'), now: t0 });
        ids.add(outlet.id);
      }

      for (const limit of [1, 4]) {
        const listed = await listAll(store, (outlet) => ids.has(outlet.id), limit);
        const order = listed.map((outlet) => outlet.name.slice(tag.length + 1));
        expect(order[0]).toBe('_under');
        expect(order.slice(1, 3).sort()).toEqual(['Alpha', 'alpha']);
        expect(order.slice(3)).toEqual(['Zeta', '~tilde', 'émile']);
      }
    });

    it('lists for a release’s genres the outlets naming one of them in any case, or none, and as replaced', async () => {
      const store = makeStore();
      const tag = uniqueId('genres');
      const create = async (suffix: string, genres: string[]) =>
        (await store.create(input({ name: `${tag} ${suffix}`, genres }), { id: uniqueId('out'), now: t0 }))
          .id;
      const outlets = {
        both: await create('a', ['Synthpop', 'Techno']),
        jazz: await create('b', ['Jazz']),
        none: await create('c', []),
        loud: await create('d', ['TECHNO']),
      };
      const ids = new Set(Object.values(outlets));
      const named = async (genres: string[], limit = 1) =>
        (await listAll(store, (outlet) => ids.has(outlet.id), limit, genres)).map((o) =>
          o.name.slice(tag.length + 1),
        );

      expect(await named(['techno'])).toEqual(['a', 'c', 'd']);
      expect(await named([' JAZZ ', 'house'], 3)).toEqual(['b', 'c']);
      expect(await named([])).toEqual(['c']);

      const replace = async (id: string, suffix: string, genres: string[]) => {
        const current = (await store.get(id))!;
        await store.replace(
          id,
          input({ email: current.email, name: `${tag} ${suffix}`, genres }),
          later(1000),
        );
      };
      await replace(outlets.jazz, 'b', ['techno']);
      await replace(outlets.loud, 'd', ['Pop']);
      await replace(outlets.both, 'a', []);

      expect(await named(['techno'])).toEqual(['a', 'b', 'c']);
      expect(await named(['pop'])).toEqual(['a', 'c', 'd']);
    });

    it('pages past outlets whose ids hold # and %', async () => {
      const store = makeStore();
      const tag = uniqueId('escaped');
      const ids = new Set<string>();
      for (const [suffix, id] of [
        ['a', `${uniqueId('out')}#1`],
        ['b', `${uniqueId('out')}%23`],
        ['c', `${uniqueId('out')}%#`],
      ]) {
        ids.add((await store.create(input({ name: `${tag} ${suffix}` }), { id, now: t0 })).id);
      }

      const listed = await listAll(store, (outlet) => ids.has(outlet.id));

      expect(listed.map((outlet) => outlet.name)).toEqual([`${tag} a`, `${tag} b`, `${tag} c`]);
    });

    it('refuses a cursor it did not make', async () => {
      const store = makeStore();

      await expect(store.list({ limit: 1, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it('continues after a cursor whose outlet was deleted meanwhile', async () => {
      const store = makeStore();
      const tag = uniqueId('gone');
      const ids = new Set<string>();
      for (const suffix of ['a', 'b', 'c']) {
        const outlet = await store.create(input({ name: `${tag} ${suffix}` }), {
          id: uniqueId('out'),
          now: t0,
        });
        ids.add(outlet.id);
      }
      const where = (outlet: Outlet) => ids.has(outlet.id);
      const first = await store.list({ limit: 1, where });
      await store.remove(first.outlets[0].id);

      const rest: Outlet[] = [];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await store.list({ limit: 1, cursor, where });
        rest.push(...page.outlets);
        cursor = page.nextCursor;
      }

      expect(first.outlets.map((o) => o.name)).toEqual([`${tag} a`]);
      expect(rest.map((o) => o.name)).toEqual([`${tag} b`, `${tag} c`]);
    });

    it('gets many outlets by id, leaving out the ones that do not exist', async () => {
      const store = makeStore();
      const a = await store.create(input(), { id: uniqueId('out'), now: t0 });
      const b = await store.create(input(), { id: uniqueId('out'), now: t0 });
      const missing = uniqueId('out');

      const found = await store.getMany([a.id, missing, b.id, a.id]);

      expect(found).toEqual(
        new Map([
          [a.id, a],
          [b.id, b],
        ]),
      );
    });

    describe('unsubscribing', () => {
      it('unsubscribes once: the transition writes its events with it, a repeat writes nothing', async () => {
        const store = makeStore();
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });
        const [first, repeat] = [unsubscribedEvent(outlet.id), unsubscribedEvent(outlet.id)];

        const unsubscribed = await store.markUnsubscribed(outlet.id, later(1), [first]);
        const again = await store.markUnsubscribed(outlet.id, later(2), [repeat]);

        expect(unsubscribed).toEqual({
          state: 'unsubscribed',
          outlet: { ...outlet, unsubscribedAt: later(1) },
        });
        expect(again).toEqual({ state: 'already', outlet: { ...outlet, unsubscribedAt: later(1) } });
        expect(await outboxHolds(store, first.eventId)).toBe(true);
        expect(await outboxHolds(store, repeat.eventId)).toBe(false);
        expect((await store.get(outlet.id))?.unsubscribedAt).toBe(later(1));
      });

      it('unsubscribes once when two requests come at the same time: one writes its events, the other finds it done', async () => {
        const store = makeStore();
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });
        const events = [unsubscribedEvent(outlet.id), unsubscribedEvent(outlet.id)];

        const results = await Promise.all(
          events.map((event) => store.markUnsubscribed(outlet.id, later(1), [event])),
        );

        expect(results.map((r) => r.state).sort()).toEqual(['already', 'unsubscribed']);
        const written = await Promise.all(events.map((event) => outboxHolds(store, event.eventId)));
        expect(written.filter(Boolean)).toHaveLength(1);
        expect(written[results.findIndex((r) => r.state === 'unsubscribed')]).toBe(true);
      });

      it('answers missing for an outlet that does not exist, and writes nothing', async () => {
        const store = makeStore();
        const outletId = uniqueId('out');
        const event = unsubscribedEvent(outletId);

        expect(await store.markUnsubscribed(outletId, t0, [event])).toEqual({ state: 'missing' });
        expect(await outboxHolds(store, event.eventId)).toBe(false);
      });

      it('keeps the address opted out after its outlet is gone: a new outlet on the address starts unsubscribed', async () => {
        const store = makeStore();
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });
        await store.markUnsubscribed(outlet.id, later(1), []);
        await store.remove(outlet.id);

        const again = await store.create(input({ email: outlet.email }), {
          id: uniqueId('out'),
          now: later(2),
        });

        expect(again.unsubscribedAt).toBe(later(1));
        expect((await store.get(again.id))?.unsubscribedAt).toBe(later(1));
      });

      it('opts out an address on its own, keeping the first time; outlets created on it or moved onto it start unsubscribed', async () => {
        const store = makeStore();
        const address = email('optout');
        await store.markAddressUnsubscribed(address, later(1), () => []);
        await store.markAddressUnsubscribed(address, later(2), () => []);

        const created = await store.create(input({ email: address }), { id: uniqueId('out'), now: later(3) });
        await store.remove(created.id);
        const mover = await store.create(input(), { id: uniqueId('out'), now: later(4) });
        const moved = await store.replace(mover.id, input({ email: address }), later(5));

        expect(created.unsubscribedAt).toBe(later(1));
        expect(moved?.unsubscribedAt).toBe(later(1));
        expect((await store.get(mover.id))?.unsubscribedAt).toBe(later(1));
      });

      it('tells whether an address is opted out, by its outlet or on its own, and not by a bounce', async () => {
        const store = makeStore();
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });
        const alone = email('optout');
        const bounced = email('bounced');
        const before = await store.isUnsubscribed(outlet.email);
        await store.markUnsubscribed(outlet.id, later(1), []);
        await store.remove(outlet.id);
        await store.markAddressUnsubscribed(alone, later(2), () => []);
        await store.suppress({ email: bounced, reason: 'bounce', at: later(3) }, []);

        const opted = await Promise.all([outlet.email, alone, bounced].map((a) => store.isUnsubscribed(a)));

        expect([before, ...opted]).toEqual([false, true, true, false]);
      });

      it('keeps an outlet unsubscribed through a replace', async () => {
        const store = makeStore();
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });
        await store.markUnsubscribed(outlet.id, later(1), []);

        const replaced = await store.replace(outlet.id, input({ email: email('elsewhere') }), later(2));

        expect(replaced?.unsubscribedAt).toBe(later(1));
      });

      it('unsubscribes the outlet that holds an address opted out on its own, with its events, and keeps it so through a replace', async () => {
        const store = makeStore();
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });
        const events = new Map<string, ReturnType<typeof unsubscribedEvent>>();
        const eventFor = (outletId: string) => {
          const event = unsubscribedEvent(outletId);
          events.set(outletId, event);
          return [event];
        };
        await store.markAddressUnsubscribed(outlet.email, later(1), eventFor);

        const replaced = await store.replace(
          outlet.id,
          input({ email: outlet.email, name: 'Renamed' }),
          later(2),
        );

        expect([...events.keys()]).toEqual([outlet.id]);
        expect(await outboxHolds(store, events.get(outlet.id)!.eventId)).toBe(true);
        expect(replaced?.unsubscribedAt).toBe(later(1));
        expect((await store.get(outlet.id))?.unsubscribedAt).toBe(later(1));
      });
    });

    describe('suppressing', () => {
      it('suppresses an address once: the first suppression is kept, marks its outlet and writes its events', async () => {
        const store = makeStore();
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });
        const [first, repeat] = [suppressedEvent(outlet.email), suppressedEvent(outlet.email)];

        const suppressed = await store.suppress(
          { email: outlet.email, reason: 'complaint', detail: 'abuse', at: later(1) },
          [first],
        );
        const again = await store.suppress({ email: outlet.email, reason: 'bounce', at: later(2) }, [repeat]);

        expect(suppressed).toEqual({
          suppressedNow: true,
          reason: 'complaint',
          detail: 'abuse',
          outletId: outlet.id,
        });
        expect(again).toEqual({
          suppressedNow: false,
          reason: 'complaint',
          detail: 'abuse',
          outletId: outlet.id,
        });
        expect(await outboxHolds(store, first.eventId)).toBe(true);
        expect(await outboxHolds(store, repeat.eventId)).toBe(false);
        expect(await store.isSuppressed(outlet.email)).toBe(true);
        expect(await store.get(outlet.id)).toEqual({
          ...outlet,
          suppressedAt: later(1),
          suppressionReason: 'complaint',
        });
      });

      it('suppresses an address once when two bounces come at the same time: one writes its events', async () => {
        const store = makeStore();
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });
        const events = [suppressedEvent(outlet.email), suppressedEvent(outlet.email)];

        const results = await Promise.all(
          events.map((event) =>
            store.suppress({ email: outlet.email, reason: 'bounce', at: later(1) }, [event]),
          ),
        );

        expect(results.map((r) => r.suppressedNow).sort()).toEqual([false, true]);
        const written = await Promise.all(events.map((event) => outboxHolds(store, event.eventId)));
        expect(written.filter(Boolean)).toHaveLength(1);
        expect(written[results.findIndex((r) => r.suppressedNow)]).toBe(true);
      });

      it('suppresses an address no outlet has, and an outlet created on it later starts suppressed', async () => {
        const store = makeStore();
        const address = email('bounced');

        const result = await store.suppress({ email: address, reason: 'bounce', at: later(1) }, []);
        const created = await store.create(input({ email: address }), { id: uniqueId('out'), now: later(2) });

        expect(result).toEqual({ suppressedNow: true, reason: 'bounce' });
        expect(created).toMatchObject({ suppressedAt: later(1), suppressionReason: 'bounce' });
        expect(await store.isSuppressed(email('clean'))).toBe(false);
      });

      it('moving an outlet onto a suppressed address suppresses it; moving off it clears the mark', async () => {
        const store = makeStore();
        const address = email('bounced');
        await store.suppress({ email: address, reason: 'bounce', at: later(1) }, []);
        const outlet = await store.create(input(), { id: uniqueId('out'), now: t0 });

        const onto = await store.replace(outlet.id, input({ email: address }), later(2));
        const off = await store.replace(outlet.id, input({ email: email('clean') }), later(3));

        expect(onto).toMatchObject({ suppressedAt: later(1), suppressionReason: 'bounce' });
        expect(off?.suppressedAt).toBeUndefined();
        expect(off?.suppressionReason).toBeUndefined();
      });
    });
  });
}
