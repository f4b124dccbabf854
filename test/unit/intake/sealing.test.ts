import { describe, expect, it } from 'vitest';
import { envelopeSealer, webhookSecretContext } from '#shared/sealing.ts';
import { localDataKeys } from '#test/support/sealing.ts';

const context = (labelId: string) => ({ ...webhookSecretContext, labelId });

describe('envelope sealing of webhook secrets', () => {
  it('asks KMS for a new data key for every secret it seals', async () => {
    const keys = localDataKeys();
    const sealer = envelopeSealer(keys);

    const first = await sealer.seal('whsec_one', context('acme'));
    const second = await sealer.seal('whsec_one', context('acme'));

    expect(keys.calls.generate).toBe(2);
    expect(first.dataKey).not.toBe(second.dataKey);
    expect(first.ciphertext).not.toBe(second.ciphertext);
  });

  it('does not open a sealed secret under another label', async () => {
    const sealer = envelopeSealer(localDataKeys());
    const sealed = await sealer.seal('whsec_acme', context('acme'));

    const opened = sealer.open(sealed, context('acme-rec'));

    await expect(opened).rejects.toThrow();
  });

  it('refuses a tampered ciphertext', async () => {
    const sealer = envelopeSealer(localDataKeys());
    const sealed = await sealer.seal('whsec_acme', context('acme'));
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] ^= 1;

    const opened = sealer.open({ ...sealed, ciphertext: bytes.toString('base64') }, context('acme'));

    await expect(opened).rejects.toThrow();
  });

  it('keeps a decrypted data key for a few minutes, then asks KMS again', async () => {
    const keys = localDataKeys();
    let now = 0;
    const sealer = envelopeSealer(keys, () => now);
    const sealed = await sealer.seal('whsec_acme', context('acme'));

    await sealer.open(sealed, context('acme'));
    await sealer.open(sealed, context('acme'));
    now += 6 * 60 * 1000;
    const opened = await sealer.open(sealed, context('acme'));

    expect(opened).toBe('whsec_acme');
    expect(keys.calls.decrypt).toBe(2);
  });
});
