import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { outletEmailKey } from '#shared/db/outlet-items.ts';
import { isMailable } from '#shared/outlets.ts';
import { anOutletInput } from '#test/support/outlets.ts';
import {
  localOutletDirectory,
  racedDirectory,
  uniqueEmail,
  updatesOutlet,
} from '#test/support/outlets-cloud.ts';

/**
 * A bounce or an unsubscribe that lands while an outlet is being written onto its address: the
 * directory reads the address's opt-outs, then writes the outlet, and the opt-out's own write (then
 * its read of who holds the address) can fall between the two. Each test holds the outlet's write
 * back until the opt-out is done, the interleaving a busy table allows, and expects the outlet
 * unmailable (docs/design.md#exactly-once-mail: the person is the address).
 */

const t0 = '2027-04-01T09:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(t0) + ms).toISOString();

/** The transaction that gives `email` to an outlet (a create, or a move onto it). */
const claimsAddress = (email: string) => (command: unknown) =>
  command instanceof TransactWriteCommand &&
  (command.input.TransactItems ?? []).some((item) => item.Put?.Item?.pk === outletEmailKey(email).pk);

describe('an opt-out landing while an outlet is written onto its address', () => {
  it('a bounce between a create’s reads and its write leaves the new outlet suppressed', async () => {
    const email = uniqueEmail('bounced');
    const { directory, ran } = racedDirectory(claimsAddress(email), () =>
      localOutletDirectory().suppress({ email, reason: 'bounce', at: later(1) }, []),
    );

    await directory.create(anOutletInput({ email }), { id: `out-${email}`, now: later(2) });
    const stored = await localOutletDirectory().findByEmail(email);

    expect(ran()).toBe(true);
    expect(stored).toMatchObject({ suppressedAt: later(1), suppressionReason: 'bounce' });
    expect(isMailable(stored!)).toBe(false);
  });

  it('an address unsubscribe between an import’s reads and its create leaves the new outlet unsubscribed', async () => {
    const email = uniqueEmail('unsubscribed');
    const { directory, ran } = racedDirectory(claimsAddress(email), () =>
      localOutletDirectory().markAddressUnsubscribed(email, later(1), () => []),
    );

    const { outcome } = await directory.upsertByEmail(anOutletInput({ email }), {
      newId: () => `out-${email}`,
      now: later(2),
    });
    const stored = await localOutletDirectory().findByEmail(email);

    expect(ran()).toBe(true);
    expect(outcome).toBe('created');
    expect(stored?.unsubscribedAt).toBe(later(1));
    expect(isMailable(stored!)).toBe(false);
  });

  it('a bounce and an unsubscribe between a move’s reads and its write leave the moved outlet suppressed and unsubscribed', async () => {
    const email = uniqueEmail('moved-onto');
    const mover = await localOutletDirectory().create(anOutletInput({ email: uniqueEmail('mover') }), {
      id: `out-${email}`,
      now: t0,
    });
    const { directory, ran } = racedDirectory(claimsAddress(email), async () => {
      await localOutletDirectory().suppress({ email, reason: 'complaint', at: later(1) }, []);
      await localOutletDirectory().markAddressUnsubscribed(email, later(1), () => []);
    });

    await directory.replace(mover.id, anOutletInput({ email }), later(2));
    const stored = await localOutletDirectory().get(mover.id);

    expect(ran()).toBe(true);
    expect(stored).toMatchObject({
      email,
      suppressedAt: later(1),
      suppressionReason: 'complaint',
      unsubscribedAt: later(1),
    });
  });

  it('a bounce between an import’s read of the outlet and its update keeps the outlet suppressed', async () => {
    const email = uniqueEmail('updated');
    const outlet = await localOutletDirectory().create(anOutletInput({ email }), {
      id: `out-${email}`,
      now: t0,
    });
    const { directory, ran } = racedDirectory(updatesOutlet(outlet.id), () =>
      localOutletDirectory().suppress({ email, reason: 'bounce', at: later(1) }, []),
    );

    const { outcome } = await directory.upsertByEmail(anOutletInput({ email, name: 'Renamed' }), {
      newId: () => 'never',
      now: later(2),
    });
    const stored = await localOutletDirectory().get(outlet.id);

    expect(ran()).toBe(true);
    expect(outcome).toBe('updated');
    expect(stored).toMatchObject({ name: 'Renamed', suppressedAt: later(1), suppressionReason: 'bounce' });
    expect(isMailable(stored!)).toBe(false);
  });
});
