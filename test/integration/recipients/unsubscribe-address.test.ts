import { describe, expect, it } from 'vitest';
import { isMailable, type Outlet } from '#shared/outlets.ts';
import { signUnsubscribeToken } from '#shared/tokens.ts';
import { api, cloud } from '#test/support/cloud.ts';
import { createOutlet, localTokenKey, uniqueEmail } from '#test/support/outlets-cloud.ts';

/**
 * One person = one address, whatever outlet record holds it: the old mail's one-click unsubscribe
 * opts out the address it was mailed to, so the outlet that holds that address when the link is
 * clicked must get no more campaign mail (campaign senders read `isMailable` from the outlet).
 */

const oneClick = (token: string) =>
  fetch(`${cloud().baseUrl}/u/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
    redirect: 'manual',
  });

const outletNamed = async (id: string) => (await (await api(`/media-outlets/${id}`)).json()) as Outlet;

describe('one-click unsubscribe of an address another outlet holds now', () => {
  it('stops campaign mail to the outlet that took over the mailed address after the first outlet moved away', async () => {
    const mailed = uniqueEmail('mailed');
    const first = await createOutlet({ email: mailed });
    const token = signUnsubscribeToken(await localTokenKey(), {
      outletId: first.id,
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      email: mailed,
    });
    const moved = await api(`/media-outlets/${first.id}`, {
      method: 'PUT',
      json: { name: first.name, email: uniqueEmail('new-home'), kind: first.kind, territories: ['GB'] },
    });
    // The same person's address, now in another outlet record (created before the click).
    const holder = await createOutlet({ email: mailed, name: 'Same person, new record' });

    const unsubscribed = await oneClick(token);
    const after = await outletNamed(holder.id);

    expect([moved.status, unsubscribed.status]).toEqual([200, 200]);
    expect(after.email).toBe(mailed);
    expect(after.unsubscribedAt).toBeDefined();
    expect(isMailable(after)).toBe(false);
  });

  it('stops campaign mail to the outlet re-created on the mailed address before the link was clicked', async () => {
    const mailed = uniqueEmail('mailed');
    const first = await createOutlet({ email: mailed });
    const token = signUnsubscribeToken(await localTokenKey(), { outletId: first.id, email: mailed });
    const deleted = await api(`/media-outlets/${first.id}`, { method: 'DELETE' });
    const recreated = await createOutlet({ email: mailed, name: 'Re-imported' });

    const unsubscribed = await oneClick(token);
    const after = await outletNamed(recreated.id);

    expect([deleted.status, unsubscribed.status]).toEqual([204, 200]);
    expect(after.unsubscribedAt).toBeDefined();
    expect(isMailable(after)).toBe(false);
  });
});
