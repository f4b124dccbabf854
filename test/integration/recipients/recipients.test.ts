import { describe, expect, it } from 'vitest';
import { isMailable, type Outlet } from '#shared/outlets.ts';
import {
  signAdvanceToken,
  signPromoToken,
  signTourManagerToken,
  signUnsubscribeToken,
} from '#shared/tokens.ts';
import {
  aLabel,
  aRelease,
  daysFromNow,
  header,
  mailTo,
  sendWebhook,
  waitForMail,
} from '#test/support/announcing.ts';
import { advanceClock, api, busEvents, clockNow, cloud, uniqueId, waitFor } from '#test/support/cloud.ts';
import { importOutlets } from '#test/support/jobs-cloud.ts';
import { countsOf } from '#test/support/outlets.ts';
import {
  createOutlet,
  localOutletDirectory,
  localPromoCounters,
  localTokenKey,
} from '#test/support/outlets-cloud.ts';

const publicRequest = (path: string, init: RequestInit = {}) =>
  fetch(`${cloud().baseUrl}${path}`, { redirect: 'manual', ...init });

const oneClick = (path: string) =>
  publicRequest(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });

const eventsFor = async (detailType: string, match: (data: Record<string, unknown>) => boolean) =>
  (await busEvents({ detailType })).filter((event) => match(event.detail.data ?? {}));

describe('one-click unsubscribe', () => {
  it('shows a page on GET and unsubscribes at once on the RFC 8058 POST, saying so once', async () => {
    const outlet = await createOutlet({ name: 'Radio <One>' });
    const token = signUnsubscribeToken(await localTokenKey(), {
      outletId: outlet.id,
      labelId: 'lbl-1',
      releaseId: 'rel-1',
    });

    const page = await publicRequest(`/u/${token}`);
    const pageHtml = await page.text();
    const afterGet = (await (await api(`/media-outlets/${outlet.id}`)).json()) as Outlet;
    const first = await oneClick(`/u/${token}`);
    const second = await oneClick(`/u/${token}`);
    const afterPost = (await (await api(`/media-outlets/${outlet.id}`)).json()) as Outlet;

    expect(page.status).toBe(200);
    expect(pageHtml).toContain('Radio &lt;One&gt;');
    expect(pageHtml).toContain('<form method="post"');
    expect(afterGet.unsubscribedAt).toBeUndefined();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(afterPost.unsubscribedAt).toBeDefined();
    const events = await waitFor(async () => {
      const found = await eventsFor('Outlet Unsubscribed', (data) => data.outletId === outlet.id);
      return found.length > 0 && found;
    });
    expect(events).toHaveLength(1);
    expect(events[0].detail.data).toEqual({ outletId: outlet.id, releaseId: 'rel-1', via: 'one-click' });
  });

  it('keeps the unsubscribe when the outlet is deleted and its address imported again by CSV', async () => {
    const outlet = await createOutlet();
    const token = signUnsubscribeToken(await localTokenKey(), { outletId: outlet.id });

    const unsubscribed = await oneClick(`/u/${token}`);
    const deleted = await api(`/media-outlets/${outlet.id}`, { method: 'DELETE' });
    const imported = await importOutlets(
      `name,email,kind,territories\nBack again,${outlet.email.toUpperCase()},radio,GB`,
    );
    const again = await localOutletDirectory().findByEmail(outlet.email);
    const shown = (await (await api(`/media-outlets/${again?.id}`)).json()) as Outlet;

    expect([unsubscribed.status, deleted.status]).toEqual([200, 204]);
    expect(imported.result).toMatchObject({ created: 1, updated: 0 });
    expect(shown.id).not.toBe(outlet.id);
    expect(shown).toMatchObject({ name: 'Back again', email: outlet.email });
    expect(shown.unsubscribedAt).toBeDefined();
    expect(isMailable(shown)).toBe(false);
  });

  it('keeps the unsubscribe for an outlet re-created, or moved, onto the address', async () => {
    const outlet = await createOutlet();
    const other = await createOutlet();
    const token = signUnsubscribeToken(await localTokenKey(), { outletId: outlet.id });
    await oneClick(`/u/${token}`);
    await api(`/media-outlets/${outlet.id}`, { method: 'DELETE' });

    const recreated = (await (
      await api('/media-outlets', {
        method: 'POST',
        json: { name: 'Re-created', email: outlet.email, kind: 'radio', territories: ['GB'] },
      })
    ).json()) as Outlet;
    await api(`/media-outlets/${recreated.id}`, { method: 'DELETE' });
    const moved = (await (
      await api(`/media-outlets/${other.id}`, {
        method: 'PUT',
        json: { name: other.name, email: outlet.email, kind: other.kind, territories: other.territories },
      })
    ).json()) as Outlet;

    expect(recreated.unsubscribedAt).toBeDefined();
    expect(isMailable(recreated)).toBe(false);
    expect(moved.unsubscribedAt).toBeDefined();
    expect(isMailable(moved)).toBe(false);
    expect(isMailable((await localOutletDirectory().get(other.id))!)).toBe(false);
  });

  it('opts out the address the mail went to when the outlet has moved to a new address since', async () => {
    const genre = uniqueId('genre');
    const label = await aLabel();
    const outlet = await createOutlet({ genres: [genre], territories: ['GB'] });
    const release = aRelease({ genres: [genre], territories: ['GB'], releaseDate: await daysFromNow(30) });
    await sendWebhook(label, {
      type: 'release.scheduled',
      timestamp: (await clockNow()).toISOString(),
      data: release,
    });
    await waitForMail([outlet.email], 'New single:');
    const [announcement] = await mailTo(outlet.email, 'New single:');
    const link = header(announcement, 'List-Unsubscribe')!.slice(1, -1);
    const newAddress = `moved-${outlet.email}`;
    await api(`/media-outlets/${outlet.id}`, {
      method: 'PUT',
      json: { name: outlet.name, email: newAddress, kind: outlet.kind, genres: [genre], territories: ['GB'] },
    });

    const unsubscribed = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    const moved = (await (await api(`/media-outlets/${outlet.id}`)).json()) as Outlet;
    const onOldAddress = await createOutlet({ email: outlet.email });

    expect(unsubscribed.status).toBe(200);
    expect(moved).toMatchObject({ email: newAddress });
    expect(moved.unsubscribedAt).toBeUndefined();
    expect(isMailable(moved)).toBe(true);
    expect(onOldAddress.unsubscribedAt).toBeDefined();
    expect(isMailable(onOldAddress)).toBe(false);
  });

  it('answers 404 with a clear message for a forged token', async () => {
    const outlet = await createOutlet();
    const forged = signUnsubscribeToken('not-the-signing-key', { outletId: outlet.id });

    const response = await oneClick(`/u/${forged}`);

    expect(response.status).toBe(404);
    expect(await response.text()).toContain('This link does not work');
    expect(
      ((await (await api(`/media-outlets/${outlet.id}`)).json()) as Outlet).unsubscribedAt,
    ).toBeUndefined();
  });
});

describe('promo links', () => {
  const aPromo = (overrides: { expiresAt: number; maxAccesses?: number }) => ({
    labelId: uniqueId('lbl'),
    releaseId: uniqueId('rel'),
    outletId: uniqueId('out'),
    assetIndex: 0,
    assetKind: 'stream' as const,
    url: 'https://promo.example.com/night-drive',
    ...overrides,
  });

  it('shows its page to a GET counting nothing, and on its button’s POST counts each access and sends on, then answers 410 past maxAccesses, to the GET too', async () => {
    const now = await clockNow();
    const promo = aPromo({ expiresAt: Math.floor(now.getTime() / 1000) + 86_400, maxAccesses: 2 });
    const token = signPromoToken(await localTokenKey(), promo);

    const scanned = [await publicRequest(`/p/${token}`), await publicRequest(`/p/${token}`)];
    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await publicRequest(`/p/${token}`, { method: 'POST' }));
    const usedUp = await publicRequest(`/p/${token}`);
    const counts = await countsOf(localPromoCounters(), promo.labelId, promo.releaseId);

    expect(scanned.map((response) => response.status)).toEqual([200, 200]);
    expect(responses.map((response) => response.status)).toEqual([303, 303, 410]);
    expect(usedUp.status).toBe(410);
    expect(await usedUp.text()).not.toContain('<button');
    expect(responses[0].headers.get('location')).toBe(promo.url);
    expect(Object.fromEntries(counts)).toEqual({ [promo.outletId]: 2 });
    const accessed = await waitFor(async () => {
      const found = await eventsFor('Promo Accessed', (data) => data.releaseId === promo.releaseId);
      return found.length === 2 && found;
    });
    expect(accessed.map((event) => event.detail.data?.accessCount).sort()).toEqual([1, 2]);
  });

  it('answers 410 once the link has expired on the cloud’s clock', async () => {
    const now = await clockNow();
    const promo = aPromo({ expiresAt: Math.floor(now.getTime() / 1000) + 60 });
    const token = signPromoToken(await localTokenKey(), promo);

    const before = await publicRequest(`/p/${token}`, { method: 'POST' });
    await advanceClock(new Date(now.getTime() + 2 * 60_000).toISOString());
    const after = await publicRequest(`/p/${token}`);

    expect(before.status).toBe(303);
    expect(after.status).toBe(410);
    expect(await after.text()).toContain('expired');
  });

  it('answers 404, not 5xx, for a tampered token', async () => {
    const now = await clockNow();
    const token = signPromoToken(
      await localTokenKey(),
      aPromo({ expiresAt: Math.floor(now.getTime() / 1000) + 60 }),
    );
    const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;

    const response = await publicRequest(`/p/${tampered}`);

    expect(response.status).toBe(404);
  });
});

describe('HEAD, as mail clients and link scanners send it', () => {
  it('answers HEAD of every page link on the local cloud as its GET, without a body, unsubscribing and counting nothing', async () => {
    const key = await localTokenKey();
    const now = await clockNow();
    const expiresAt = Math.floor(now.getTime() / 1000) + 86_400;
    const outlet = await createOutlet();
    const promo = {
      labelId: uniqueId('lbl'),
      releaseId: uniqueId('rel'),
      outletId: outlet.id,
      assetIndex: 0,
      assetKind: 'stream' as const,
      url: 'https://promo.example.com/night-drive',
      expiresAt,
    };
    const tour = { labelId: uniqueId('lbl'), tourId: uniqueId('tour'), expiresAt };
    const links = [
      `/u/${signUnsubscribeToken(key, { outletId: outlet.id, email: outlet.email })}`,
      `/p/${signPromoToken(key, promo)}`,
      `/a/${signAdvanceToken(key, { ...tour, showId: uniqueId('show'), promoterId: uniqueId('prm') })}`,
      `/tm/${signTourManagerToken(key, tour)}`,
    ];

    const answers = [];
    for (const link of links) {
      const head = await publicRequest(link, { method: 'HEAD' });
      const get = await publicRequest(link);
      answers.push({
        link: link.slice(0, 3),
        head: [head.status, head.headers.get('content-type'), await head.text()],
        get: [get.status, get.headers.get('content-type'), ''],
      });
    }
    const after = (await (await api(`/media-outlets/${outlet.id}`)).json()) as Outlet;

    for (const answer of answers) expect(answer.head, answer.link).toEqual(answer.get);
    expect(answers.slice(0, 2).map((answer) => answer.head[0])).toEqual([200, 200]);
    expect(after.unsubscribedAt).toBeUndefined();
    expect((await countsOf(localPromoCounters(), promo.labelId, promo.releaseId)).size).toBe(0);
  });
});

describe('a link with a trailing slash, as mail clients and people typing write it', () => {
  it('answers GET and HEAD of every page link with a slash through the local gateway with a 308 to the link, which a browser follows to the page', async () => {
    const key = await localTokenKey();
    const expiresAt = Math.floor((await clockNow()).getTime() / 1000) + 86_400;
    const outlet = await createOutlet();
    const tour = { labelId: uniqueId('lbl'), tourId: uniqueId('tour'), expiresAt };
    const unsubscribe = `/u/${signUnsubscribeToken(key, { outletId: outlet.id, email: outlet.email })}`;
    const links = [
      unsubscribe,
      `/p/${signPromoToken(key, { labelId: uniqueId('lbl'), releaseId: uniqueId('rel'), outletId: outlet.id, assetIndex: 0, assetKind: 'stream', url: 'https://promo.example.com/night-drive', expiresAt })}`,
      `/a/${signAdvanceToken(key, { ...tour, showId: uniqueId('show'), promoterId: uniqueId('prm') })}`,
      `/tm/${signTourManagerToken(key, tour)}`,
    ];

    const answers = [];
    for (const link of links)
      for (const method of ['GET', 'HEAD']) {
        const answer = await publicRequest(`${link}/?utm_source=mail`, { method });
        answers.push([link.slice(0, 3), method, answer.status, answer.headers.get('location')]);
      }
    const followed = await fetch(`${cloud().baseUrl}${unsubscribe}/`);
    const after = (await (await api(`/media-outlets/${outlet.id}`)).json()) as Outlet;

    expect(answers).toEqual(
      links.flatMap((link) =>
        ['GET', 'HEAD'].map((method) => [link.slice(0, 3), method, 308, `${link}?utm_source=mail`]),
      ),
    );
    expect([followed.status, followed.url, await followed.text()]).toEqual([
      200,
      `${cloud().baseUrl}${unsubscribe}`,
      expect.stringContaining('Unsubscribe'),
    ]);
    expect(after.unsubscribedAt).toBeUndefined();
  });
});
