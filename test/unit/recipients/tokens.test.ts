import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyPromoToken, verifyUnsubscribeToken } from '#shared/token-payloads.ts';
import {
  InvalidTokenError,
  type PromoClaims,
  promoUrl,
  signPromoToken,
  signUnsubscribeToken,
  unsubscribeUrl,
} from '#shared/tokens.ts';

const key = 'test-signing-key-0123456789abcdef';

const aPromo = (overrides: Partial<PromoClaims> = {}): PromoClaims => ({
  labelId: 'lbl-nightshift',
  releaseId: 'rel-2027-nightdrive',
  outletId: 'out-7f3a',
  assetIndex: 0,
  assetKind: 'stream',
  url: 'https://promo.example.com/night-drive?x=1&y=2',
  lasts: { days: 30, sentAt: 1_900_000_000 },
  maxAccesses: 3,
  ...overrides,
});

const failure = (verify: () => unknown) => {
  try {
    verify();
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
  return 'verified';
};

describe('tokens', () => {
  it('verifies what it signed, for any ids', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
        fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
        (outletId, labelId, releaseId) => {
          const claims = { outletId, ...(labelId ? { labelId } : {}), ...(releaseId ? { releaseId } : {}) };

          const token = signUnsubscribeToken(key, claims);

          expect(token).toMatch(/^v2\.[A-Za-z0-9_-]+$/);
          expect(verifyUnsubscribeToken(key, token)).toEqual(claims);
        },
      ),
    );
  });

  it('carries the recipient’s address in an unsubscribe token', () => {
    const claims = { outletId: 'out-7f3a', releaseId: 'rel-1', email: 'editor@radio.example' };

    const token = signUnsubscribeToken(key, claims);

    expect(verifyUnsubscribeToken(key, token)).toEqual(claims);
  });

  it('seals an unsubscribe token: neither the address nor the ids can be read from it', () => {
    const claims = { outletId: 'out-7f3a', releaseId: 'rel-1', email: 'editor@radio.example' };

    const token = signUnsubscribeToken(key, claims);
    const decoded = Buffer.from(token.slice('v2.'.length), 'base64url').toString('latin1');

    expect(token.startsWith('v2.')).toBe(true);
    for (const secret of ['editor', 'radio.example', 'out-7f3a', 'rel-1']) {
      expect(token).not.toContain(secret);
      expect(decoded).not.toContain(secret);
    }
    expect(signUnsubscribeToken(key, claims)).not.toBe(token);
  });

  it('refuses a sealed unsubscribe token changed in any one character, or sealed with another key', () => {
    const token = signUnsubscribeToken(key, { outletId: 'out-7f3a', email: 'editor@radio.example' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: token.length - 1 }),
        fc.constantFrom(...alphabet),
        (position, replacement) => {
          fc.pre(token[position] !== replacement);
          const tampered = token.slice(0, position) + replacement + token.slice(position + 1);

          expect(failure(() => verifyUnsubscribeToken(key, tampered))).not.toBe('verified');
        },
      ),
      { examples: [[token.length - 1, token.at(-1) === 'A' ? 'B' : 'A']] },
    );
    expect(failure(() => verifyUnsubscribeToken('someone-elses-key', token))).toBe('bad-signature');
  });

  it('still verifies a readable v1 unsubscribe token mailed before tokens were sealed', () => {
    const mailedEarlier =
      'v1.eyJ0IjoidSIsIm8iOiJvdXQtN2YzYSIsInIiOiJyZWwtMSIsImUiOiJlZGl0b3JAcmFkaW8uZXhhbXBsZSJ9.Uq-J4vc6PSPpsLYLrkTlNQ';

    const claims = verifyUnsubscribeToken(key, mailedEarlier);

    expect(claims).toEqual({ outletId: 'out-7f3a', releaseId: 'rel-1', email: 'editor@radio.example' });
  });

  it('still verifies an unsubscribe token issued before tokens carried the address', () => {
    const issuedEarlier =
      'v1.eyJ0IjoidSIsIm8iOiJvdXQtN2YzYSIsImwiOiJsYmwtbmlnaHRzaGlmdCIsInIiOiJyZWwtMjAyNy1uaWdodGRyaXZlIn0.mlvxOTjfTRce4ih1YJOb6Q';

    const claims = verifyUnsubscribeToken(key, issuedEarlier);

    expect(claims).toEqual({
      outletId: 'out-7f3a',
      labelId: 'lbl-nightshift',
      releaseId: 'rel-2027-nightdrive',
    });
  });

  it('carries the promo asset, its expiry and its access limit', () => {
    const token = signPromoToken(key, aPromo());

    expect(verifyPromoToken(key, token)).toEqual(aPromo());
  });

  it('refuses a token whose payload or signature was changed in any one character', () => {
    const token = signPromoToken(key, aPromo());
    const lastCharacter = token.length - 1;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: token.length - 1 }),
        fc.constantFrom(...alphabet),
        (position, replacement) => {
          fc.pre(token[position] !== '.' && token[position] !== replacement);
          const tampered = token.slice(0, position) + replacement + token.slice(position + 1);

          expect(failure(() => verifyPromoToken(key, tampered))).not.toBe('verified');
        },
      ),
      { examples: [[lastCharacter, token.at(-1) === 'A' ? 'B' : 'A']] },
    );
  });

  it('refuses a token signed with another key', () => {
    const forged = signUnsubscribeToken('someone-elses-key', { outletId: 'out-1' });

    expect(failure(() => verifyUnsubscribeToken(key, forged))).toBe('bad-signature');
  });

  it('refuses a token with a raised access limit re-encoded by hand', () => {
    const [version, , signature] = signPromoToken(key, aPromo()).split('.');
    const payload = Buffer.from(
      JSON.stringify({
        t: 'p',
        l: 'lbl-nightshift',
        r: 'rel-2027-nightdrive',
        o: 'out-7f3a',
        i: 0,
        k: 'stream',
        u: 'https://promo.example.com/night-drive?x=1&y=2',
        e: 1_900_000_000,
        m: 1000,
      }),
    ).toString('base64url');

    expect(failure(() => verifyPromoToken(key, `${version}.${payload}.${signature}`))).toBe('bad-signature');
  });

  it('refuses an unsubscribe token as a promo link and the other way round', () => {
    const unsubscribe = signUnsubscribeToken(key, { outletId: 'out-1' });
    const promo = signPromoToken(key, aPromo());

    expect(failure(() => verifyPromoToken(key, unsubscribe))).toBe('wrong-purpose');
    expect(failure(() => verifyUnsubscribeToken(key, promo))).toBe('wrong-purpose');
  });

  it('refuses malformed tokens and unknown versions', () => {
    expect(failure(() => verifyUnsubscribeToken(key, ''))).toBe('malformed');
    expect(failure(() => verifyUnsubscribeToken(key, 'v1.abc'))).toBe('malformed');
    expect(failure(() => verifyUnsubscribeToken(key, 'v1.a b.c'))).toBe('malformed');
    expect(failure(() => verifyUnsubscribeToken(key, 'v9.abc.def'))).toBe('unsupported-version');
  });

  it('never throws anything but InvalidTokenError for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (token) => {
        expect(['malformed', 'unsupported-version', 'bad-signature', 'wrong-purpose']).toContain(
          failure(() => verifyPromoToken(key, token)),
        );
      }),
    );
  });

  it('builds the /u and /p links', () => {
    expect(unsubscribeUrl('https://api.example.com/', 'v1.a.b')).toBe('https://api.example.com/u/v1.a.b');
    expect(promoUrl('https://api.example.com', 'v1.a.b')).toBe('https://api.example.com/p/v1.a.b');
  });
});
