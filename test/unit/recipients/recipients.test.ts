import { InternalServerError, ThrottlingException } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/recipients/handler.ts';
import type { RecipientsDeps } from '#functions/recipients/recipients.ts';
import { WriteConflictError } from '#shared/db/conflicts.ts';
import type { HttpEvent } from '#shared/http/index.ts';
import {
  type PromoClaims,
  signAdvanceToken,
  signPromoToken,
  signTourManagerToken,
  signUnsubscribeToken,
} from '#shared/tokens.ts';
import { aReleaseClaim, FakeDeliveries } from '#test/support/announcer-fakes.ts';
import {
  anOutlet,
  countsOf,
  InMemoryOutletDirectory,
  InMemoryPromoCounters,
  WrittenOutbox,
} from '#test/support/outlets.ts';
import { aReleaseDetails, knownReleases } from '#test/support/releases.ts';
import { InMemoryTours } from '#test/support/tours.ts';

const key = 'test-signing-key';
const now = new Date('2027-03-05T12:00:00Z');

function setup(options: { releases?: RecipientsDeps['releases'] } = {}) {
  const bus = new WrittenOutbox();
  const outlets = new InMemoryOutletDirectory(bus);
  outlets.outlets.set('out-1', anOutlet({ id: 'out-1', name: 'Radio <Night> & "Day"' }));
  const promos = new InMemoryPromoCounters(bus);
  const deliveries = new FakeDeliveries();
  const deps: RecipientsDeps = {
    signingKey: async () => key,
    outlets,
    promos,
    releases: options.releases ?? knownReleases(),
    deliveries,
    now: () => now,
  };
  const tours = new InMemoryTours();
  const handler = makeHandler(deps, { signingKey: deps.signingKey, tours, now: deps.now });
  const request = async (
    method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: string,
    contentType = 'application/x-www-form-urlencoded',
    handedOver?: { token: string },
  ) => {
    // As the HTTP API hands it over: a page's route takes what follows `/u/` whole (`{token+}`), a slash too
    // (`handedOver`: as another gateway might, the token without it).
    const [, route, ...rest] = path.split('/');
    const token = handedOver?.token ?? rest.join('/');
    const event = {
      version: '2.0',
      routeKey: method === 'POST' && rest.length === 1 ? `POST /${route}/{token}` : `ANY /${route}/{token+}`,
      rawPath: path,
      rawQueryString: '',
      headers: { 'content-type': contentType },
      pathParameters: { token },
      requestContext: { http: { method, path } },
      body,
      isBase64Encoded: false,
    } as unknown as HttpEvent;
    const result = await handler(event, {} as Context);
    return { status: result.statusCode, headers: result.headers ?? {}, body: String(result.body ?? '') };
  };
  return { outlets, promos, deliveries, bus, tours, request };
}

const aPromo = (overrides: Partial<PromoClaims> = {}): PromoClaims => ({
  labelId: 'lbl-1',
  releaseId: 'rel-1',
  outletId: 'out-1',
  assetIndex: 0,
  assetKind: 'stream',
  url: 'https://promo.example.com/night-drive',
  expiresAt: Math.floor(now.getTime() / 1000) + 3600,
  maxAccesses: 2,
  ...overrides,
});

/** rel-1 withdrawn in GB (IE stays), and out-1 (GB) claimed its withdrawal mail. */
async function withdrawnInGbClaimed() {
  const releases = knownReleases({
    labelId: 'lbl-1',
    releaseId: 'rel-1',
    details: aReleaseDetails({ releaseId: 'rel-1', territories: ['IE'] }),
    withdrawn: { territories: ['GB'], at: '2027-03-01T00:00:00.000Z' },
  });
  const world = setup({ releases });
  const told = await world.deliveries.claim(
    aReleaseClaim(world.outlets.outlets.get('out-1')!, {
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      kind: 'cancellation',
      // The outlet's territories, as its withdrawal mail keeps them.
      context: { territories: 'GB' },
    }),
    '2027-03-01T00:05:00.000Z',
  );
  return { ...world, told };
}

describe('unsubscribe', () => {
  it('shows a page with a button and the outlet’s name escaped, and changes nothing on GET', async () => {
    const { request, outlets } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-1' });

    const page = await request('GET', `/u/${token}`);

    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Radio &lt;Night&gt; &amp; &quot;Day&quot;');
    expect(page.body).toMatch(/<form method="post" action="">.*<button/s);
    expect((await outlets.get('out-1'))?.unsubscribedAt).toBeUndefined();
  });

  it('unsubscribes at once on the RFC 8058 one-click POST and says so once on the bus', async () => {
    const { request, outlets, bus } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-1', labelId: 'lbl-1', releaseId: 'rel-1' });

    const first = await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');
    const again = await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');

    expect([first.status, again.status]).toEqual([200, 200]);
    expect((await outlets.get('out-1'))?.unsubscribedAt).toBe(now.toISOString());
    const events = bus.ofType('Outlet Unsubscribed');
    expect(events).toHaveLength(1);
    expect(events[0].data).toEqual({ outletId: 'out-1', releaseId: 'rel-1', via: 'one-click' });
    expect(events[0].metadata.labelId).toBe('lbl-1');
  });

  it('records the page button as the way the recipient unsubscribed', async () => {
    const { request, bus } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-1' });

    await request('POST', `/u/${token}`, 'via=page');

    expect(bus.ofType('Outlet Unsubscribed')[0].data.via).toBe('page');
  });

  it('says on each of its pages that unsubscribing stops the tour press mail too, not release mail alone', async () => {
    const { request } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-1' });

    const asked = await request('GET', `/u/${token}`);
    const done = await request('POST', `/u/${token}`, 'via=page');
    const again = await request('GET', `/u/${token}`);

    expect(done.body).toContain(
      'no release announcements (with their date changes, cancellations and radio servicing) and no news of tours and shows.',
    );
    for (const answer of [asked, done, again]) {
      expect(answer.body).toContain('release announcements');
      expect(answer.body).toMatch(/ and (no )?news of tours and shows\./);
      expect(answer.body).not.toMatch(/release mail/);
    }
  });

  it('states Outlet Unsubscribed once, in the outbox with the unsubscription, however often the POST comes', async () => {
    const { request, bus, outlets } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-1' });

    await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');
    await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');

    expect((await outlets.get('out-1'))?.unsubscribedAt).toBeDefined();
    expect(bus.entries.map((entry) => [entry.source, entry.detailType])).toEqual([
      ['backline.recipients', 'Outlet Unsubscribed'],
    ]);
  });

  it('says so once when two one-click POSTs arrive at the same time', async () => {
    const { request, bus } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-1' });

    await Promise.all([
      request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click'),
      request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click'),
    ]);

    expect(bus.ofType('Outlet Unsubscribed')).toHaveLength(1);
  });

  it('answers every page, a link that works or not, with a policy that runs no script, loads nothing, and lets no other site frame it or take its form', async () => {
    const { request } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-1' });

    const pages = [
      await request('GET', `/u/${token}`),
      await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click'),
      await request('GET', '/u/garbage'),
      await request('GET', '/a/garbage'),
      await request('GET', `/tm/${'t'.repeat(5000)}`),
    ];

    expect(pages.map((page) => page.headers['content-security-policy'])).toEqual(
      pages.map(
        () =>
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      ),
    );
  });

  it('answers every page, and the redirect to a promo asset, with a Referrer-Policy that sends no link its signed address', async () => {
    const { request } = setup();
    const promo = `/p/${signPromoToken(key, aPromo())}`;

    const answers = [
      await request('GET', `/u/${signUnsubscribeToken(key, { outletId: 'out-1' })}`),
      await request('GET', promo),
      await request('POST', promo),
      await request('GET', '/a/garbage'),
      await request('GET', '/tm/garbage'),
    ];

    expect(answers.map((answer) => [answer.status, answer.headers['referrer-policy']])).toEqual([
      [200, 'no-referrer'],
      [200, 'no-referrer'],
      [303, 'no-referrer'],
      [404, 'no-referrer'],
      [404, 'no-referrer'],
    ]);
  });

  it('answers 404 with a clear page for a forged token and changes nothing', async () => {
    const { request, outlets, bus } = setup();
    const forged = signUnsubscribeToken('not-the-key', { outletId: 'out-1' });

    const response = await request('POST', `/u/${forged}`, 'List-Unsubscribe=One-Click');

    expect(response.status).toBe(404);
    expect(response.body).toContain('This link does not work');
    expect((await outlets.get('out-1'))?.unsubscribedAt).toBeUndefined();
    expect(bus.entries).toHaveLength(0);
  });

  it('answers a link longer than any Backline sends, on each page route, with a readable 400 page in sentences, not JSON', async () => {
    const { request } = setup();
    const long = 't'.repeat(5000);

    const answers = [];
    for (const [method, route] of [
      ['GET', 'u'],
      ['POST', 'u'],
      ['GET', 'p'],
      ['GET', 'a'],
      ['POST', 'a'],
      ['GET', 'tm'],
      ['POST', 'tm'],
    ] as const)
      answers.push(await request(method, `/${route}/${long}`, 'csrf=x'));

    for (const answer of answers) {
      expect([answer.status, answer.headers['content-type']]).toEqual([400, 'text/html; charset=utf-8']);
      expect(answer.body).toContain('This link does not work');
      expect(answer.body).toMatch(/<p>This link is longer than any link Backline sends\. Please use/);
    }
  });

  it('starts the sentence that says why a link does not work with a capital, on the recipients’ pages and the tour pages', async () => {
    const { request } = setup();

    const answers = [await request('GET', '/u/garbage'), await request('GET', '/a/garbage')];

    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toContain('<p>This link is incomplete or damaged. Please use');
    }
  });

  it('answers 200 for an outlet that no longer exists, without an event', async () => {
    const { request, bus } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-deleted' });

    const response = await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');

    expect(response.status).toBe(200);
    expect(bus.entries).toHaveLength(0);
  });

  it('keeps the address unsubscribed when its outlet was deleted, so a re-created outlet starts unsubscribed', async () => {
    const { request, outlets, bus } = setup();
    const token = signUnsubscribeToken(key, { outletId: 'out-deleted', email: 'gone@radio.example' });

    const response = await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');
    const recreated = await outlets.create(
      { name: 'Radio Gone', email: 'gone@radio.example', kind: 'radio', genres: [], territories: ['GB'] },
      { id: 'out-new', now: now.toISOString() },
    );

    expect(response.status).toBe(200);
    expect(recreated.unsubscribedAt).toBe(now.toISOString());
    expect(bus.entries).toHaveLength(0);
  });

  it('opts out the address that was mailed, not the one the outlet has moved to since', async () => {
    const { request, outlets } = setup();
    const mailedTo = outlets.outlets.get('out-1')!.email;
    const token = signUnsubscribeToken(key, { outletId: 'out-1', email: mailedTo });
    await outlets.replace(
      'out-1',
      { name: 'Radio Night', email: 'new@radio.example', kind: 'radio', genres: [], territories: ['GB'] },
      now.toISOString(),
    );

    const response = await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');
    const onOldAddress = await outlets.create(
      { name: 'Old address', email: mailedTo, kind: 'radio', genres: [], territories: ['GB'] },
      { id: 'out-old', now: now.toISOString() },
    );

    expect(response.status).toBe(200);
    expect((await outlets.get('out-1'))?.unsubscribedAt).toBeUndefined();
    expect(onOldAddress.unsubscribedAt).toBe(now.toISOString());
  });
});

describe('the unsubscribe page opened again after its address was opted out', () => {
  it('says the address is unsubscribed, not asks again, when the outlet was deleted or moved away since', async () => {
    const { request, outlets } = setup();
    const deleted = `/u/${signUnsubscribeToken(key, { outletId: 'out-deleted', email: 'gone@radio.example' })}`;
    const mailedTo = outlets.outlets.get('out-1')!.email;
    const moved = `/u/${signUnsubscribeToken(key, { outletId: 'out-1', email: mailedTo })}`;
    await outlets.replace(
      'out-1',
      { name: 'Radio Night', email: 'new@radio.example', kind: 'radio', genres: [], territories: ['GB'] },
      now.toISOString(),
    );
    const before = await request('GET', deleted);
    await request('POST', deleted, 'List-Unsubscribe=One-Click');
    await request('POST', moved, 'List-Unsubscribe=One-Click');

    const again = [await request('GET', deleted), await request('GET', moved)];

    expect(before.body).toContain('<button');
    for (const page of again) {
      expect(page.status).toBe(200);
      expect(page.body).toContain('<h1>You are unsubscribed</h1>');
      expect(page.body).not.toContain('<button');
    }
    expect((await outlets.get('out-1'))?.unsubscribedAt).toBeUndefined();
  });
});

describe('an unsubscribe link whose outlet moved away, with another outlet on its address', () => {
  it('unsubscribes that outlet with an Outlet Unsubscribed naming no release it was not mailed', async () => {
    const { request, outlets, bus } = setup();
    const mailedTo = outlets.outlets.get('out-1')!.email;
    const token = signUnsubscribeToken(key, {
      outletId: 'out-1',
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      email: mailedTo,
    });
    await outlets.replace(
      'out-1',
      { name: 'Radio Night', email: 'new@radio.example', kind: 'radio', genres: [], territories: ['GB'] },
      now.toISOString(),
    );
    await outlets.create(
      { name: 'Same person', email: mailedTo, kind: 'radio', genres: [], territories: ['GB'] },
      { id: 'out-holder', now: now.toISOString() },
    );

    await request('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');

    expect((await outlets.get('out-holder'))?.unsubscribedAt).toBe(now.toISOString());
    expect(bus.ofType('Outlet Unsubscribed').map((event) => event.data)).toEqual([
      { outletId: 'out-holder', via: 'one-click' },
    ]);
  });
});

describe('promo links', () => {
  it('counts nothing when a link scanner fetches the link, and counts the open its page’s button posts', async () => {
    const { request, bus } = setup();
    const token = signPromoToken(key, aPromo());

    const scanned = await request('GET', `/p/${token}`);
    const shown = await request('GET', `/p/${token}`);
    const countedBeforeClick = bus.ofType('Promo Accessed').length;
    const clicked = await request('POST', `/p/${token}`, '');

    expect([scanned.status, shown.status]).toEqual([200, 200]);
    expect(shown.body).toMatch(
      /<form method="post" action="">\s*<button type="submit">Listen to the stream<\/button>/,
    );
    expect(shown.body).not.toContain('promo.example.com');
    expect(countedBeforeClick).toBe(0);
    expect([clicked.status, clicked.headers.location]).toEqual([
      303,
      'https://promo.example.com/night-drive',
    ]);
    expect(bus.ofType('Promo Accessed').map((event) => event.data.accessCount)).toEqual([1]);
  });

  it('shows on the link’s page, with no button, a promo not open yet, an expired link and a cancelled release', async () => {
    const early = setup({
      releases: knownReleases({
        labelId: 'lbl-1',
        releaseId: 'rel-1',
        details: aReleaseDetails({ releaseId: 'rel-1', promoAvailableAt: '2027-03-06T08:00:00Z' }),
      }),
    });
    const cancelled = setup({
      releases: knownReleases({ labelId: 'lbl-1', releaseId: 'rel-1', state: 'cancelled' }),
    });

    const answers = [
      await early.request('GET', `/p/${signPromoToken(key, aPromo())}`),
      await setup().request('GET', `/p/${signPromoToken(key, aPromo({ expiresAt: 1 }))}`),
      await cancelled.request('GET', `/p/${signPromoToken(key, aPromo())}`),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([403, 410, 410]);
    for (const answer of answers) expect(answer.body).not.toContain('<button');
  });

  it('lets the page’s form be sent on to the asset’s site, the only other origin its policy allows', async () => {
    const { request } = setup();

    const shown = await request('GET', `/p/${signPromoToken(key, aPromo())}`);

    expect(shown.headers['content-security-policy']).toContain(
      "form-action 'self' https://promo.example.com;",
    );
    expect(shown.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('redirects while valid, counts each access and emits Promo Accessed each time', async () => {
    const { request, bus } = setup();
    const token = signPromoToken(key, aPromo());

    const first = await request('POST', `/p/${token}`);
    const second = await request('POST', `/p/${token}`);

    expect([first.status, second.status]).toEqual([303, 303]);
    expect(first.headers.location).toBe('https://promo.example.com/night-drive');
    expect(bus.ofType('Promo Accessed').map((event) => event.data.accessCount)).toEqual([1, 2]);
  });

  it('answers 403 with a readable "available from" page in the release’s zone before promoAvailableAt, counting nothing', async () => {
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({
        releaseId: 'rel-1',
        timeZone: 'Europe/Berlin',
        promoAvailableAt: '2027-03-06T08:00:00Z',
      }),
    });
    const { request, promos, bus } = setup({ releases });

    const early = await request('POST', `/p/${signPromoToken(key, aPromo())}`);

    expect(early.status).toBe(403);
    expect(early.headers['content-type']).toMatch(/^text\/html/);
    expect(early.body).toContain('available from <strong>6 March 2027 at 09:00 (Europe/Berlin)</strong>');
    expect(early.body).not.toContain('promo.example.com');
    expect(promos.counts.size).toBe(0);
    expect(bus.ofType('Promo Accessed')).toHaveLength(0);
  });

  it('says when the promo opens in the zone the outlet’s mail said it in: its own street date’s, the release’s once the outlet is gone', async () => {
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({
        releaseId: 'rel-1',
        territories: ['GB', 'US'],
        timeZone: 'Europe/London',
        territoryDates: [{ territories: ['US'], releaseDate: '2027-03-19', timeZone: 'America/New_York' }],
        promoAvailableAt: '2027-03-06T10:00:00Z',
      }),
    });
    const { request, outlets } = setup({ releases });
    outlets.outlets.set('out-us', anOutlet({ id: 'out-us', territories: ['US'] }));

    const early = await request('POST', `/p/${signPromoToken(key, aPromo({ outletId: 'out-us' }))}`);
    outlets.outlets.delete('out-us');
    const gone = await request('POST', `/p/${signPromoToken(key, aPromo({ outletId: 'out-us' }))}`);

    expect(early.status).toBe(403);
    expect(early.body).toContain('available from <strong>6 March 2027 at 05:00 (America/New_York)</strong>');
    expect(gone.body).toContain('available from <strong>6 March 2027 at 10:00 (Europe/London)</strong>');
  });

  it('opens the promo from promoAvailableAt on', async () => {
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({ releaseId: 'rel-1', promoAvailableAt: now.toISOString() }),
    });
    const { request } = setup({ releases });

    const response = await request('POST', `/p/${signPromoToken(key, aPromo())}`);

    expect(response.status).toBe(303);
  });

  it('answers 410 once the release is cancelled, counting nothing', async () => {
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      state: 'cancelled',
      details: aReleaseDetails({ releaseId: 'rel-1' }),
    });
    const { request, promos, bus } = setup({ releases });

    const response = await request('POST', `/p/${signPromoToken(key, aPromo())}`);

    expect(response.status).toBe(410);
    expect(response.body).toContain('withdrawn');
    expect(response.body).not.toContain('promo.example.com');
    expect(promos.counts.size).toBe(0);
    expect(bus.ofType('Promo Accessed')).toHaveLength(0);
  });

  it('answers 410 to an outlet in a territory the release was withdrawn from, and opens for one it still reaches', async () => {
    // out-1 is in GB; the release is withdrawn there and stays in IE.
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({ releaseId: 'rel-1', territories: ['IE'] }),
      withdrawn: { territories: ['GB'], at: '2027-03-01T00:00:00.000Z' },
    });
    const { request, outlets, promos } = setup({ releases });
    outlets.outlets.set('out-2', anOutlet({ id: 'out-2', email: 'ie@radio.example', territories: ['IE'] }));

    const withdrawn = await request('POST', `/p/${signPromoToken(key, aPromo())}`);
    const stillReached = await request('POST', `/p/${signPromoToken(key, aPromo({ outletId: 'out-2' }))}`);

    expect([withdrawn.status, stillReached.status]).toEqual([410, 303]);
    expect(Object.fromEntries(await countsOf(promos, 'lbl-1', 'rel-1'))).toEqual({ 'out-2': 1 });
  });

  it('answers 410 to an outlet told the release is withdrawn from its territory, after the outlet is deleted', async () => {
    // out-1 (GB) was told the release is withdrawn in GB; the manager then deletes it from the directory.
    const { request, outlets, promos, deliveries, told } = await withdrawnInGbClaimed();
    await deliveries.markSent(told!.deliveryId, 'msg-1', '2027-03-01T00:05:01.000Z');
    outlets.outlets.delete('out-1');

    const response = await request('POST', `/p/${signPromoToken(key, aPromo())}`);

    expect(response.status).toBe(410);
    expect(promos.counts.size).toBe(0);
  });

  it('keeps opening the promo of a deleted outlet never told of the withdrawal (its withdrawal mail failed)', async () => {
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({ releaseId: 'rel-1', territories: ['IE'] }),
      withdrawn: { territories: ['GB'], at: '2027-03-01T00:00:00.000Z' },
    });
    const { request, outlets, deliveries } = setup({ releases });
    const refused = await deliveries.claim(
      aReleaseClaim(outlets.outlets.get('out-1')!, {
        labelId: 'lbl-1',
        releaseId: 'rel-1',
        kind: 'cancellation',
      }),
      '2027-03-01T00:05:00.000Z',
    );
    await deliveries.markFailed(refused!.deliveryId, 'MESSAGE_REJECTED', '2027-03-01T00:05:01.000Z');
    outlets.outlets.delete('out-1');

    const response = await request('POST', `/p/${signPromoToken(key, aPromo())}`);

    expect(response.status).toBe(303);
  });

  it('keeps opening the promo for an outlet never told of a withdrawal when the release’s genres change afterwards', async () => {
    // out-2 covers the world (WW): the release withdrawn from GB still reaches it through IE, so it was
    // told no withdrawal. The label then re-describes the release's genres: follow-ups (and links) go to
    // whoever was told, whatever the release's genres are now (docs/design.md#sending-in-a-pipeline).
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({ releaseId: 'rel-1', territories: ['IE'], genres: ['techno'] }),
      withdrawn: { territories: ['GB'], at: '2027-03-01T00:00:00.000Z' },
    });
    const { request, outlets } = setup({ releases });
    outlets.outlets.set('out-2', anOutlet({ id: 'out-2', email: 'ww@mag.example', territories: ['WW'] }));

    const response = await request('POST', `/p/${signPromoToken(key, aPromo({ outletId: 'out-2' }))}`);

    expect(response.status).toBe(303);
  });

  it('keeps opening the promo for an outlet outside the territories withdrawn, which was told no withdrawal', async () => {
    // out-2 was announced the release in IE, then moved to FR; the release was withdrawn from GB, which
    // is not its territory, so its withdrawal mail did not go to it (docs/design.md#exactly-once-mail).
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({ releaseId: 'rel-1', territories: ['IE'] }),
      withdrawn: { territories: ['GB'], at: '2027-03-01T00:00:00.000Z' },
    });
    const { request, outlets } = setup({ releases });
    outlets.outlets.set('out-2', anOutlet({ id: 'out-2', email: 'fr@radio.example', territories: ['FR'] }));

    const response = await request('POST', `/p/${signPromoToken(key, aPromo({ outletId: 'out-2' }))}`);

    expect(response.status).toBe(303);
  });

  it('answers 410 past maxAccesses without counting further', async () => {
    const { request, promos } = setup();
    const token = signPromoToken(key, aPromo({ maxAccesses: 1 }));

    await request('POST', `/p/${token}`);
    const over = await request('POST', `/p/${token}`);

    expect(over.status).toBe(410);
    expect((await countsOf(promos, 'lbl-1', 'rel-1')).get('out-1')).toBe(1);
  });

  it('says on the GET of a link opened as many times as it allows that it is used up, with no button, counting nothing', async () => {
    const { request, bus, promos } = setup();
    const token = signPromoToken(key, aPromo({ maxAccesses: 1 }));
    await request('POST', `/p/${token}`);

    const shown = await request('GET', `/p/${token}`);

    expect(shown.status).toBe(410);
    expect(shown.body).toContain('opened as many times as it allows');
    expect(shown.body).not.toContain('<button');
    expect(bus.ofType('Promo Accessed')).toHaveLength(1);
    expect((await countsOf(promos, 'lbl-1', 'rel-1')).get('out-1')).toBe(1);
  });

  it('answers 410 once expired, without counting', async () => {
    const { request, promos } = setup();
    const token = signPromoToken(key, aPromo({ expiresAt: Math.floor(now.getTime() / 1000) }));

    const response = await request('POST', `/p/${token}`);

    expect(response.status).toBe(410);
    expect(response.body).toContain('expired');
    expect(promos.counts.size).toBe(0);
  });

  describe('a link’s days, counted from the send or the release’s promoAvailableAt as it is now', () => {
    const day = 24 * 60 * 60;
    const seconds = Math.floor(now.getTime() / 1000);
    /** Mailed `sentDaysAgo` days before now for 2 days; the release's promoAvailableAt `availableDaysAgo` days before now. */
    const open = async (sentDaysAgo: number, availableDaysAgo?: number) => {
      const releases = knownReleases({
        labelId: 'lbl-1',
        releaseId: 'rel-1',
        details: aReleaseDetails({
          releaseId: 'rel-1',
          ...(availableDaysAgo === undefined
            ? {}
            : { promoAvailableAt: new Date((seconds - availableDaysAgo * day) * 1000).toISOString() }),
        }),
      });
      const { request } = setup({ releases });
      const claims = aPromo({
        expiresAt: undefined,
        lasts: { days: 2, sentAt: seconds - sentDaysAgo * day },
      });
      return (await request('POST', `/p/${signPromoToken(key, claims)}`)).status;
    };

    it('opens for its days from the send when the promo opened before it', async () => {
      expect([await open(1.9), await open(2), await open(1.9, 5), await open(2, 5)]).toEqual([
        303, 410, 303, 410,
      ]);
    });

    it('opens for its days from promoAvailableAt as the label moved it later after the mail went out', async () => {
      expect([await open(9, 1.9), await open(9, 2)]).toEqual([303, 410]);
    });

    it('ends its days earlier when the label moved promoAvailableAt earlier', async () => {
      expect([await open(5, 3), await open(5, 1)]).toEqual([410, 303]);
    });

    it('keeps the expiry a link mailed before links carried their days was sent with', async () => {
      const releases = knownReleases({
        labelId: 'lbl-1',
        releaseId: 'rel-1',
        details: aReleaseDetails({ releaseId: 'rel-1', promoAvailableAt: now.toISOString() }),
      });
      const { request } = setup({ releases });

      const ended = await request('POST', `/p/${signPromoToken(key, aPromo({ expiresAt: seconds }))}`);
      const open = await request('POST', `/p/${signPromoToken(key, aPromo({ expiresAt: seconds + 1 }))}`);

      expect([ended.status, open.status]).toEqual([410, 303]);
    });
  });

  it('counts each recipient and asset separately', async () => {
    const { request, promos } = setup();

    await request('POST', `/p/${signPromoToken(key, aPromo({ maxAccesses: 1 }))}`);
    const otherAsset = await request(
      'POST',
      `/p/${signPromoToken(key, aPromo({ maxAccesses: 1, assetIndex: 1 }))}`,
    );
    const otherOutlet = await request(
      'POST',
      `/p/${signPromoToken(key, aPromo({ maxAccesses: 1, outletId: 'out-2' }))}`,
    );

    expect([otherAsset.status, otherOutlet.status]).toEqual([303, 303]);
    expect(Object.fromEntries(await countsOf(promos, 'lbl-1', 'rel-1'))).toEqual({
      'out-1': 2,
      'out-2': 1,
    });
  });

  it('answers 404 for an unsubscribe token used as a promo link, and for garbage', async () => {
    const { request } = setup();

    const misused = await request('POST', `/p/${signUnsubscribeToken(key, { outletId: 'out-1' })}`);
    const garbage = await request('GET', '/p/%3Cscript%3E');

    expect([misused.status, garbage.status]).toEqual([404, 404]);
    expect(garbage.body).not.toContain('<script>');
  });

  it('keeps opening the promo of a deleted outlet whose territory was given back since its withdrawal mail', async () => {
    // out-1 (GB) was told the release is withdrawn in GB; the label then gave GB back (the release
    // lists GB again) and later withdrew it from FR. A GB outlet still in the directory opens the
    // promo (the standing withdrawal is FR's); the deleted one must not be judged by a withdrawal
    // that no longer stands.
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({ releaseId: 'rel-1', territories: ['IE', 'GB'] }),
      withdrawn: { territories: ['FR'], at: '2027-03-05T00:00:00.000Z' },
    });
    const { request, outlets, deliveries } = setup({ releases });
    const told = await deliveries.claim(
      aReleaseClaim(outlets.outlets.get('out-1')!, {
        labelId: 'lbl-1',
        releaseId: 'rel-1',
        kind: 'cancellation',
        // The outlet's territories, as its withdrawal mail keeps them.
        context: { territories: 'GB' },
      }),
      '2027-03-01T00:05:00.000Z',
    );
    await deliveries.markSent(told!.deliveryId, 'msg-1', '2027-03-01T00:05:01.000Z');
    // While it exists: 303.
    expect((await request('POST', `/p/${signPromoToken(key, aPromo())}`)).status).toBe(303);
    outlets.outlets.delete('out-1');

    const response = await request('POST', `/p/${signPromoToken(key, aPromo())}`);

    expect(response.status).toBe(303);
  });
});

describe('HEAD, as mail clients and link scanners send it', () => {
  it('answers HEAD of each link as its GET would, status and headers without a body, unsubscribing and counting nothing', async () => {
    const { request, outlets, promos, bus } = setup();
    const unsubscribe = `/u/${signUnsubscribeToken(key, { outletId: 'out-1' })}`;
    const promo = `/p/${signPromoToken(key, aPromo({ maxAccesses: 1 }))}`;
    const forged = `/u/${signUnsubscribeToken('not-the-key', { outletId: 'out-1' })}`;
    const expired = `/p/${signPromoToken(key, aPromo({ expiresAt: 1 }))}`;

    const heads = [];
    for (const path of [unsubscribe, promo, forged, expired]) {
      heads.push({ head: await request('HEAD', path), get: await request('GET', path) });
    }

    expect(heads.map(({ head }) => head.status)).toEqual([200, 200, 404, 410]);
    for (const { head, get } of heads) {
      expect(head.status).toBe(get.status);
      expect(head.headers).toEqual(get.headers);
      expect(head.body).toBe('');
    }
    expect((await outlets.get('out-1'))?.unsubscribedAt).toBeUndefined();
    expect(promos.counts.size).toBe(0);
    expect(bus.entries).toHaveLength(0);
  });
});

describe('a link with a trailing slash, as mail clients and people typing write it', () => {
  const tour = { labelId: 'lbl-1', tourId: 'tour-1', expiresAt: Math.floor(now.getTime() / 1000) + 3600 };
  const links = [
    `/u/${signUnsubscribeToken(key, { outletId: 'out-1' })}`,
    `/p/${signPromoToken(key, aPromo())}`,
    `/a/${signAdvanceToken(key, { ...tour, showId: 'show-1', promoterId: 'prm-1' })}`,
    `/tm/${signTourManagerToken(key, tour)}`,
  ];

  it('answers GET, HEAD and POST of each page with a 308 to the link without the slash, changing nothing', async () => {
    const { request, outlets, promos, bus } = setup();

    const answers = [];
    for (const link of links)
      for (const method of ['GET', 'HEAD', 'POST'] as const) {
        const answer = await request(method, `${link}/`, 'via=page');
        answers.push([method, answer.status, answer.headers.location, answer.body]);
      }

    expect(answers).toEqual(
      links.flatMap((link) => ['GET', 'HEAD', 'POST'].map((method) => [method, 308, link, ''])),
    );
    expect((await outlets.get('out-1'))?.unsubscribedAt).toBeUndefined();
    expect(promos.counts.size).toBe(0);
    expect(bus.entries).toHaveLength(0);
  });

  it('redirects by the path as requested, when the token handed over has lost the slash', async () => {
    const { request } = setup();

    const answers = [];
    for (const link of links) {
      const answer = await request('GET', `${link}/`, undefined, undefined, { token: link.split('/')[2] });
      answers.push([answer.status, answer.headers.location]);
    }

    expect(answers).toEqual(links.map((link) => [308, link]));
  });

  it('answers a link with more after its token the page saying it is not valid, a 404 a person reads', async () => {
    const { request } = setup();

    const answer = await request('GET', `${links[0]}/more`);

    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('a method a page does not take', () => {
  it('answers PUT and DELETE of a link 404, changing nothing: the HTTP API hands them over with the GET and HEAD', async () => {
    const { request, outlets, bus } = setup();
    const unsubscribe = `/u/${signUnsubscribeToken(key, { outletId: 'out-1' })}`;

    const answers = [await request('PUT', unsubscribe), await request('DELETE', unsubscribe)];

    expect(answers.map((answer) => answer.status)).toEqual([404, 404]);
    expect((await outlets.get('out-1'))?.unsubscribedAt).toBeUndefined();
    expect(bus.entries).toHaveLength(0);
  });
});

describe('a link whose write keeps meeting concurrent writes', () => {
  it('answers a person a readable 503 page with Retry-After, not a JSON body', async () => {
    const { request, promos } = setup();
    promos.countAccess = async () => {
      throw new WriteConflictError(5, 'a concurrent write');
    };

    const answer = await request('POST', `/p/${signPromoToken(key, aPromo())}`);

    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body).toContain('Please try again');
  });
});

describe('a page opened while DynamoDB is busy (throttled, or failing on its side)', () => {
  const tour = { labelId: 'lbl-1', tourId: 'tour-1', expiresAt: Math.floor(now.getTime() / 1000) + 3600 };
  const unsubscribeLink = `/u/${signUnsubscribeToken(key, { outletId: 'out-1', email: 'night@radio.example' })}`;
  const busyAnswers = [
    ['throttled', () => new ThrottlingException({ message: 'Rate exceeded', $metadata: {} })],
    [
      'failing on its side',
      () => new InternalServerError({ message: 'Internal server error', $metadata: {} }),
    ],
  ] as const;

  it.each(busyAnswers)(
    'answers each page a person opens (unsubscribe, promo, advance form, tour manager), and the unsubscribe posts (its button, RFC 8058 one-click), DynamoDB %s, with a 503 page saying to try again in a moment, with Retry-After, never the gateway’s 500',
    async (_, busy) => {
      const { request, outlets, tours } = setup();
      const fail = async () => {
        throw busy();
      };
      Object.assign(outlets, { get: fail, markUnsubscribed: fail, isUnsubscribed: fail });
      Object.assign(tours, { getShow: fail, getTour: fail, tourWithShows: fail });
      const failing = setup({ releases: { get: fail } });
      const links: [string, 'GET' | 'POST', string | undefined, typeof request][] = [
        [unsubscribeLink, 'GET', undefined, request],
        [unsubscribeLink, 'POST', 'List-Unsubscribe=One-Click', request],
        [unsubscribeLink, 'POST', 'via=page', request],
        [`/p/${signPromoToken(key, aPromo())}`, 'GET', undefined, failing.request],
        [`/p/${signPromoToken(key, aPromo())}`, 'POST', undefined, failing.request],
        [
          `/a/${signAdvanceToken(key, { ...tour, showId: 'show-1', promoterId: 'prm-1' })}`,
          'GET',
          undefined,
          request,
        ],
        [`/tm/${signTourManagerToken(key, tour)}`, 'GET', undefined, request],
      ];

      const answers = [];
      for (const [link, method, body, send] of links) {
        const answer = await send(method, link, body);
        answers.push([
          method,
          link.split('/')[1],
          answer.status,
          answer.headers['content-type'],
          answer.headers['retry-after'],
          /try again in a moment/.test(answer.body),
        ]);
      }

      expect(answers).toEqual(
        links.map(([link, method]) => [
          method,
          link.split('/')[1],
          503,
          expect.stringMatching(/^text\/html/),
          '1',
          true,
        ]),
      );
    },
  );

  it('says on the page opened (a GET) that it could not be opened, not that nothing was saved, and answers its HEAD the same status and headers without it', async () => {
    const { request, outlets } = setup();
    outlets.get = async () => {
      throw new ThrottlingException({ message: 'Rate exceeded', $metadata: {} });
    };

    const get = await request('GET', unsubscribeLink);
    const head = await request('HEAD', unsubscribeLink);

    expect(get.body).toContain('could not be opened just now');
    expect(get.body).not.toContain('Nothing was saved');
    expect([head.status, head.headers, head.body]).toEqual([503, get.headers, '']);
  });
});

describe('a deleted outlet’s promo link, its withdrawal mail closed unsent by the sweep though SES sent it', () => {
  it('answers 410 once the withdrawal’s late Email Sent showed it went', async () => {
    // out-1 (GB) is sent the GB withdrawal, SES's answer lost; the manager deletes the outlet, the sweep
    // closes the claim (its recipient gone), and the withdrawal's Email Sent, coming late, records that
    // it went (docs/design.md#exactly-once-mail): the outlet was told the release is withdrawn in GB.
    const { request, outlets, promos, deliveries, told } = await withdrawnInGbClaimed();
    outlets.outlets.delete('out-1');
    await deliveries.markFailed(
      told!.deliveryId,
      'no longer wanted when resending',
      '2027-03-01T01:00:00.000Z',
    );
    expect(
      await deliveries.markSentAfterClosed(
        told!.deliveryId,
        'msg-1',
        '2027-03-01T00:05:01.000Z',
        '2027-03-01T01:05:00.000Z',
      ),
    ).toBe(true);

    const response = await request('POST', `/p/${signPromoToken(key, aPromo())}`);

    expect(response.status).toBe(410);
    expect(promos.counts.size).toBe(0);
  });
});
