import { afterEach, describe, expect, it } from 'vitest';
import type { Outlet } from '#shared/outlets.ts';
import { api, armFault, clearFaults, faultsReport, firedSince } from '#test/support/cloud.ts';
import { createOutlet, uniqueEmail } from '#test/support/outlets-cloud.ts';

afterEach(clearFaults);

/**
 * docs/design.md#failures-and-retries: the outlet's write (its item, its address's item and its event,
 * one transaction) is applied and answered 500 (dynamodb.accept-then-fail); the SDK's retry, with the same
 * request token, is cancelled for a conflict (dynamodb.transaction-conflict), and the write goes again as
 * a new transaction, which the address item its first attempt stored refuses. Read as another outlet
 * holding the address, that refusal answered 409 'email already used' to an outlet created, or moved to
 * its new address, by that very request; and the outlet's delete, read again and found gone, answered
 * 404 'outlet not found' to the request that deleted it.
 */
describe("an outlet's write whose answer was lost", () => {
  // Aimed at the outlet's own items (a key holding `fragment`: its address's, or its own), so that no
  // other write on the shared cloud takes them.
  const faults = (fragment: string) => [
    `dynamodb.accept-then-fail:TransactWriteItems.${fragment}`,
    `dynamodb.transaction-conflict:TransactWriteItems.${fragment}`,
  ];
  const bothArmed = async (fragment: string) => {
    const before = await faultsReport();
    for (const fault of faults(fragment)) await armFault(fault);
    return async () => {
      const fired = await firedSince(before);
      return faults(fragment).map((fault) => fired[fault]);
    };
  };
  /** The part of an address before its `@`, which a key may hold (a fault's target takes no `@`). */
  const localPart = (email: string) => email.split('@')[0];
  const input = (email: string) => ({ name: 'Radio Lost', email, kind: 'radio', territories: ['GB'] });

  it('creates the outlet: 201', async () => {
    const email = uniqueEmail();
    const fired = await bothArmed(localPart(email));

    const created = await api('/media-outlets', { method: 'POST', json: input(email) });

    expect(await fired()).toEqual([1, 1]);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Outlet;
    expect(await (await api(`/media-outlets/${id}`)).json()).toMatchObject({ email });
  });

  it('moves the outlet to its new address: 200', async () => {
    const outlet = await createOutlet();
    const email = uniqueEmail();
    const fired = await bothArmed(localPart(email));

    const moved = await api(`/media-outlets/${outlet.id}`, { method: 'PUT', json: input(email) });

    expect(await fired()).toEqual([1, 1]);
    expect(moved.status).toBe(200);
    expect(await (await api(`/media-outlets/${outlet.id}`)).json()).toMatchObject({ email });
  });

  it('deletes the outlet: 204', async () => {
    const outlet = await createOutlet();
    const fired = await bothArmed(outlet.id);

    const deleted = await api(`/media-outlets/${outlet.id}`, { method: 'DELETE' });

    expect(await fired()).toEqual([1, 1]);
    expect(deleted.status).toBe(204);
    expect((await api(`/media-outlets/${outlet.id}`)).status).toBe(404);
  });
});
