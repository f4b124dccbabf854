import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { sign, verifySignature } from '#functions/intake/signature.ts';
import { activeSecrets, withRotatedSecret } from '#shared/db/labels.ts';
import { aLabel, aSecret } from '#test/support/intake.ts';

const now = new Date('2027-01-05T10:00:00Z');
const seconds = (at: Date) => String(Math.floor(at.getTime() / 1000));
const body = Buffer.from(
  '{"type":"release.cancelled","timestamp":"2027-01-05T10:00:00Z","data":{"releaseId":"r1"}}',
);

const request = (
  secret: string,
  overrides: { id?: string; at?: Date; body?: Buffer; signature?: string } = {},
) => {
  const id = overrides.id ?? 'msg_1';
  const timestamp = seconds(overrides.at ?? now);
  return {
    webhookId: id,
    timestamp,
    signature: overrides.signature ?? sign(secret, id, timestamp, body),
    body: overrides.body ?? body,
  };
};

describe('verifySignature', () => {
  it('accepts a signature made by the standardwebhooks reference library', () => {
    const secret = aSecret();
    const signature = new Webhook(secret).sign('msg_1', now, body.toString());

    const result = verifySignature(request(secret, { signature }), [secret], now);

    expect(result).toEqual({ ok: true, webhookId: 'msg_1' });
  });

  it('rejects a tampered body', () => {
    const secret = aSecret();
    const signed = request(secret);

    const result = verifySignature(
      { ...signed, body: Buffer.from(body.toString().replace('r1', 'r2')) },
      [secret],
      now,
    );

    expect(result).toEqual({ ok: false, reason: 'no matching signature' });
  });

  it('rejects a tampered webhook-id and a tampered timestamp', () => {
    const secret = aSecret();
    const signed = request(secret);

    const otherId = verifySignature({ ...signed, webhookId: 'msg_2' }, [secret], now);
    const otherTime = verifySignature(
      { ...signed, timestamp: String(Number(signed.timestamp) - 1) },
      [secret],
      now,
    );

    expect(otherId.ok).toBe(false);
    expect(otherTime.ok).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    const result = verifySignature(request(aSecret()), [aSecret()], now);

    expect(result).toEqual({ ok: false, reason: 'no matching signature' });
  });

  it('rejects timestamps more than five minutes in the past or the future, and accepts the edges', () => {
    const secret = aSecret();
    const at = (offsetSeconds: number) => new Date(now.getTime() + offsetSeconds * 1000);

    const outcomes = [-301, -300, 300, 301].map(
      (offset) => verifySignature(request(secret, { at: at(offset) }), [secret], now).ok,
    );

    expect(outcomes).toEqual([false, true, true, false]);
    expect(verifySignature(request(secret, { at: at(-301) }), [secret], now)).toEqual({
      ok: false,
      reason: 'stale timestamp',
    });
  });

  it('accepts when one of several space-separated signatures matches', () => {
    const secret = aSecret();
    const valid = request(secret).signature;

    const result = verifySignature(
      request(secret, { signature: `v1,AAAA v2,whatever ${valid} v1,${'A'.repeat(44)}` }),
      [secret],
      now,
    );

    expect(result.ok).toBe(true);
  });

  it('ignores signatures of other versions even when their MAC is right', () => {
    const secret = aSecret();
    const mac = request(secret).signature.slice(3);

    const result = verifySignature(request(secret, { signature: `v1a,${mac}` }), [secret], now);

    expect(result.ok).toBe(false);
  });

  it('rejects missing and malformed headers without computing anything', () => {
    const secret = aSecret();
    const signed = request(secret);

    expect(verifySignature({ ...signed, signature: undefined }, [secret], now)).toEqual({
      ok: false,
      reason: 'missing headers',
    });
    expect(verifySignature({ ...signed, timestamp: `${signed.timestamp}abc` }, [secret], now)).toEqual({
      ok: false,
      reason: 'malformed headers',
    });
    expect(verifySignature({ ...signed, webhookId: 'msg 1' }, [secret], now)).toEqual({
      ok: false,
      reason: 'malformed headers',
    });
    expect(verifySignature({ ...signed, webhookId: 'x'.repeat(257) }, [secret], now)).toEqual({
      ok: false,
      reason: 'malformed headers',
    });
  });

  it('signs the raw bytes, so a body that is not valid UTF-8 verifies byte for byte', () => {
    const secret = aSecret();
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const signed = request(secret, { body: bytes, signature: sign(secret, 'msg_1', seconds(now), bytes) });

    const same = verifySignature(signed, [secret], now);
    const lossy = verifySignature({ ...signed, body: Buffer.from(bytes.toString('utf8')) }, [secret], now);

    expect(same.ok).toBe(true);
    expect(lossy.ok).toBe(false);
  });
});

describe('secret rotation', () => {
  it('keeps verifying with the rotated-out secret for 24 hours, then only with the new one', () => {
    const label = aLabel();
    const oldSecret = label.secrets[0].value;
    const newSecret = aSecret();
    const rotated = withRotatedSecret(label, newSecret, now);
    const later = (hours: number) => new Date(now.getTime() + hours * 3_600_000);

    const within = verifySignature(
      request(oldSecret, { at: later(23.9) }),
      activeSecrets(rotated, later(23.9)),
      later(23.9),
    );
    const after = verifySignature(
      request(oldSecret, { at: later(24) }),
      activeSecrets(rotated, later(24)),
      later(24),
    );
    const fresh = verifySignature(
      request(newSecret, { at: later(24) }),
      activeSecrets(rotated, later(24)),
      later(24),
    );

    expect(within.ok).toBe(true);
    expect(after.ok).toBe(false);
    expect(fresh.ok).toBe(true);
  });

  it('drops secrets already retired when rotating again', () => {
    const once = withRotatedSecret(aLabel(), aSecret(), now);
    const twice = withRotatedSecret(once, aSecret(), new Date(now.getTime() + 25 * 3_600_000));

    expect(twice.secrets).toHaveLength(2);
    expect(twice.secrets[0].retiresAt).toBeUndefined();
    expect(twice.version).toBe(3);
  });
});
