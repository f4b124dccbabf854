import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/recipients/handler.ts';
import type { RecipientsDeps } from '#functions/recipients/recipients.ts';
import type { HttpEvent } from '#shared/http/index.ts';
import { type PromoClaims, signPromoToken } from '#shared/tokens.ts';
import { aReleaseClaim, FakeDeliveries } from '#test/support/announcer-fakes.ts';
import {
  anOutlet,
  InMemoryOutletDirectory,
  InMemoryPromoCounters,
  WrittenOutbox,
} from '#test/support/outlets.ts';
import { aReleaseDetails, knownReleases } from '#test/support/releases.ts';
import { InMemoryTours } from '#test/support/tours.ts';

const key = 'test-signing-key';
const now = new Date('2027-03-05T12:00:00Z');

/** As recipients.test.ts. */
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
  const handler = makeHandler(deps, {
    signingKey: deps.signingKey,
    tours: new InMemoryTours(),
    now: deps.now,
  });
  const request = async (
    method: 'GET' | 'POST',
    path: string,
    body?: string,
    contentType = 'application/x-www-form-urlencoded',
  ) => {
    const [, route, token] = path.split('/');
    const event = {
      version: '2.0',
      routeKey: `${method} /${route}/{token}`,
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
  return { outlets, promos, deliveries, bus, request };
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

describe('a deleted outlet’s promo link, its withdrawal mail closed unsent by the sweep though SES sent it', () => {
  it('answers 410 once the withdrawal’s late Email Sent showed it went', async () => {
    // out-1 (GB) is sent the GB withdrawal, SES's answer lost; the manager deletes the outlet, the sweep
    // closes the claim (its recipient gone), and the withdrawal's Email Sent, coming late, records that
    // it went (docs/design.md#exactly-once-mail): the outlet was told the release is withdrawn in GB.
    const releases = knownReleases({
      labelId: 'lbl-1',
      releaseId: 'rel-1',
      details: aReleaseDetails({ releaseId: 'rel-1', territories: ['IE'] }),
      withdrawn: { territories: ['GB'], at: '2027-03-01T00:00:00.000Z' },
    });
    const { request, outlets, promos, deliveries } = setup({ releases });
    const told = await deliveries.claim(
      aReleaseClaim(outlets.outlets.get('out-1')!, {
        labelId: 'lbl-1',
        releaseId: 'rel-1',
        kind: 'cancellation',
        context: { territories: 'GB' },
      }),
      '2027-03-01T00:05:00.000Z',
    );
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

    const response = await request('GET', `/p/${signPromoToken(key, aPromo())}`);

    expect(response.status).toBe(410);
    expect(promos.counts.size).toBe(0);
  });
});
