import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/recipients/handler.ts';
import type { RecipientsDeps } from '#functions/recipients/recipients.ts';
import {
  PromoAsset,
  RadioServicing,
  ReleaseDetails,
  sampleRelease,
} from '#shared/events/release-scheduled.ts';
import { type HttpEvent, maxPathTokenLength } from '#shared/http/index.ts';
import { signPromoToken } from '#shared/tokens.ts';
import { FakeDeliveries } from '#test/support/announcer-fakes.ts';
import { InMemoryOutletDirectory, InMemoryPromoCounters, WrittenOutbox } from '#test/support/outlets.ts';
import { knownReleases } from '#test/support/releases.ts';
import { InMemoryTours } from '#test/support/tours.ts';

const key = 'test-signing-key';
const now = new Date('2027-03-05T12:00:00Z');

/** A pre-signed object URL as storage services hand them out (with a session token): about 1,500 characters. */
const presignedUrl = (() => {
  const query = [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=ASIAEXAMPLEEXAMPLE12%2F20270301%2Feu-west-1%2Fs3%2Faws4_request`,
    'X-Amz-Date=20270301T090000Z',
    'X-Amz-Expires=604800',
    `X-Amz-Security-Token=${'IQoJb3JpZ2luX2VjEJr'.repeat(60)}`,
    'X-Amz-SignedHeaders=host',
    `X-Amz-Signature=${'a1b2c3d4'.repeat(8)}`,
  ].join('&');
  return `https://promo-assets.s3.eu-west-1.amazonaws.com/labels/acme/night-drive/stream.mp3?${query}`;
})();

function setup() {
  const bus = new WrittenOutbox();
  const deps: RecipientsDeps = {
    signingKey: async () => key,
    outlets: new InMemoryOutletDirectory(bus),
    promos: new InMemoryPromoCounters(bus),
    releases: knownReleases(),
    deliveries: new FakeDeliveries(),
    now: () => now,
  };
  const handler = makeHandler(deps, {
    signingKey: deps.signingKey,
    tours: new InMemoryTours(),
    now: deps.now,
  });
  return async (path: string) => {
    const [, route, token] = path.split('/');
    const event = {
      version: '2.0',
      routeKey: `POST /${route}/{token}`,
      rawPath: path,
      rawQueryString: '',
      headers: {},
      pathParameters: { token },
      requestContext: { http: { method: 'POST', path } },
      isBase64Encoded: false,
    } as unknown as HttpEvent;
    const result = await handler(event, {} as Context);
    return { status: result.statusCode, headers: result.headers ?? {}, body: String(result.body ?? '') };
  };
}

describe('promo link to an asset with a long URL', () => {
  it('is refused at intake over 1,000 characters, naming the field, so no mailed link can fail', () => {
    const refused = PromoAsset.safeParse({ kind: 'stream', url: presignedUrl });

    expect(presignedUrl.length).toBeGreaterThan(1000);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.path)).toEqual([['url']]);
  });

  it('sends the browser on to the longest asset URL intake accepts, with the longest ids', async () => {
    const longest = presignedUrl.slice(0, 1000);
    expect(PromoAsset.safeParse({ kind: 'stream', url: longest }).success).toBe(true);
    const request = setup();
    const token = signPromoToken(key, {
      labelId: 'l'.repeat(128),
      releaseId: 'r'.repeat(128),
      outletId: '0b6f4a52-3c1e-4d5f-9a7b-2f1e0c9d8e7a',
      assetIndex: 0,
      assetKind: 'stream',
      url: longest,
      // The most a link carries of its days: 365 of them, from a send in epoch seconds.
      lasts: { days: 365, sentAt: Math.floor(now.getTime() / 1000) },
      maxAccesses: 1_000_000,
    });

    const opened = await request(`/p/${token}`);

    expect(`${opened.status} ${opened.body.slice(0, 200)}`).toMatch(/^303 /);
    expect(opened.headers.location).toBe(longest);
  });

  it('counts an asset URL as its link carries it: non-ASCII characters take more room, and intake refuses what would not fit', async () => {
    // 996 characters, 1,966 bytes in UTF-8: every promo link to it would be a token past what a path holds.
    const accented = `https://promo.example.com/${'é'.repeat(970)}`;
    const refused = [
      PromoAsset.safeParse({ kind: 'stream', url: accented }),
      RadioServicing.safeParse({
        servicingDate: '2027-03-01',
        edits: [{ kind: 'clean', assetUrl: accented }],
      }),
    ];
    const fits = `https://promo.example.com/${'é'.repeat(487)}`;
    const token = signPromoToken(key, {
      labelId: 'l'.repeat(128),
      releaseId: 'r'.repeat(128),
      outletId: '0b6f4a52-3c1e-4d5f-9a7b-2f1e0c9d8e7a',
      assetIndex: 109,
      assetKind: 'radio-edit',
      url: fits,
      // The most a link carries of its days: 365 of them, from a send in epoch seconds.
      lasts: { days: 365, sentAt: Math.floor(now.getTime() / 1000) },
      maxAccesses: 1_000_000,
    });

    expect(accented.length).toBeLessThanOrEqual(1000);
    expect(refused.map((parsed) => parsed.error?.issues.map((issue) => issue.path))).toEqual([
      [['url']],
      [['edits', 0, 'assetUrl']],
    ]);
    expect(PromoAsset.safeParse({ kind: 'stream', url: fits }).success).toBe(true);
    expect(token.length).toBeLessThanOrEqual(maxPathTokenLength);
    expect((await setup()(`/p/${token}`)).headers.location).toBe(new URL(fits).href);
  });

  it('counts the release id with the asset URL, as its links carry both: a release id outside ASCII leaves less room, and intake refuses what would not fit', () => {
    // 128 characters, 384 bytes in UTF-8 (a label's catalogue id in Japanese), beside the longest URL intake takes.
    const releaseId = '夜間飛行'.repeat(32);
    const longest = presignedUrl.slice(0, 1000);
    const release = (url: string) => ({
      ...sampleRelease,
      releaseId,
      promoAssets: [{ kind: 'stream', url }],
      radioServicing: { servicingDate: '2027-03-01', edits: [{ kind: 'clean', assetUrl: url }] },
    });
    const linkTo = (url: string) =>
      signPromoToken(key, {
        labelId: 'l'.repeat(64),
        releaseId,
        outletId: 'out-0b6f4a52-3c1e-4d5f-9a7b-2f1e0c9d8e7a',
        assetIndex: 109,
        assetKind: 'radio-edit',
        url,
        lasts: { days: 365, sentAt: Math.floor(now.getTime() / 1000) },
        maxAccesses: 1_000_000,
      });
    const fits = presignedUrl.slice(0, 1128 - 384);

    const refused = ReleaseDetails.safeParse(release(longest));
    const taken = ReleaseDetails.safeParse(release(fits));

    expect(linkTo(longest).length).toBeGreaterThan(maxPathTokenLength);
    expect(refused.error?.issues.map((issue) => issue.path)).toEqual([
      ['promoAssets', 0, 'url'],
      ['radioServicing', 'edits', 0, 'assetUrl'],
    ]);
    expect(taken.success).toBe(true);
    expect(linkTo(fits).length).toBeLessThanOrEqual(maxPathTokenLength);
  });

  it('sends the browser on to an asset URL holding a space, a line separator or letters outside ASCII at its ASCII form, the only one a Location header holds', async () => {
    const url = 'https://promo.example.com/東京 live\u2028/Café.mp3?q=ü v';
    expect(PromoAsset.safeParse({ kind: 'stream', url }).success).toBe(true);
    const token = signPromoToken(key, {
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      outletId: 'out-1',
      assetIndex: 0,
      assetKind: 'stream',
      url,
      lasts: { days: 30, sentAt: Math.floor(now.getTime() / 1000) },
    });

    const { location } = (await setup()(`/p/${token}`)).headers;

    expect(location).toBe(
      'https://promo.example.com/%E6%9D%B1%E4%BA%AC%20live%E2%80%A8/Caf%C3%A9.mp3?q=%C3%BC%20v',
    );
  });
});
