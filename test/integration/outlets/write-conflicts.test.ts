import { afterEach, describe, expect, it } from 'vitest';
import { api, armFault, busIdle, clearFaults } from '#test/support/cloud.ts';
import { uniqueEmail } from '#test/support/outlets-cloud.ts';

const anOutlet = (email: string) => ({ name: 'Radio X', email, kind: 'radio', territories: ['GB'] });

afterEach(clearFaults);

describe('an outlet write that meets concurrent writes', () => {
  it('answers 503 with Retry-After, writing nothing, while every transaction is cancelled by a conflict; the same request then creates it', async () => {
    const email = uniqueEmail();
    // The fault fails every transaction on the cloud, whoever writes it: what an earlier file left
    // running (a mailing's claims) finishes first, or it would be dead-lettered under it.
    await busIdle();
    await armFault('dynamodb.transaction-conflict:TransactWriteItems', 'inf');

    const refused = await api('/media-outlets', { method: 'POST', json: anOutlet(email) });
    await clearFaults();
    const again = await api('/media-outlets', { method: 'POST', json: anOutlet(email) });

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: 'busy' });
    // Nothing of the refused create was written: the address is free for the same request again.
    expect(again.status).toBe(201);
  });
});
